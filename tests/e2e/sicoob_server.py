"""A loopback mock of Sicoob's Cobrança Bancária v3 and its OAuth server, over mutual TLS, after
../shared/reference/bankapi/specs/sicoob-cobranca-bancaria-v3.swagger.json and FACTS.md §2:

POST /token (form client_id + grant_type=client_credentials + scope; no secret: the client
certificate identifies the caller) -> {access_token, expires_in}. Every /cobranca-bancaria/v3 call
needs a live Bearer token and the client_id header (else 401).
POST /boletos (one boleto; nossoNumero = billrun's 7 digits + DV 3197) -> 200 {resultado:{nossoNumero,
codigoBarras, linhaDigitavel...}} computed here from the FEBRABAN rules and Sicoob's campo livre;
a number seen before -> 400 {"mensagens":[...]}; missing fields -> 406. GET /boletos?numeroCliente&
codigoModalidade&nossoNumero -> 200 {resultado} or 204. POST /boletos/{nossoNumero}/baixar -> 204.
Paid boletos, the asynchronous way: POST /boletos/movimentacoes {numeroCliente, tipoMovimento 5,
dataInicial, dataFinal (at most 2 days)} -> {resultado:{codigoSolicitacao}}; GET
/boletos/movimentacoes?codigoSolicitacao -> 204 for the first `pending_polls` polls of the first
request, then
{resultado:{idArquivos...}} (files of `file_size` records); GET /boletos/movimentacoes/download ->
{resultado:{arquivo: base64 of a ZIP}}, the ZIP bytes passed through Latin-1 -> UTF-8 first, as the
spec's own example shows (`mangle`)."""
import base64
import datetime
import io
import json
import zipfile

from api_mock import JsonApiMock, form_of
from febraban import factor, mod10, mod11_barcode

CLIENT_ID = "sicoob-client-5b1e-test"
CERT_PASSWORD_ENV = "SICOOB_CERT_PASSWORD"
COOPERATIVA = "3066"
CLIENTE = 189189
CONTA = 1422207
TOKEN_PATH = "/auth/realms/cooperado/protocol/openid-connect/token"
REQUIRED = ("numeroCliente", "codigoModalidade", "numeroContaCorrente", "codigoEspecieDocumento", "dataEmissao",
            "seuNumero", "identificacaoEmissaoBoleto", "identificacaoDistribuicaoBoleto", "valor",
            "dataVencimento", "tipoDesconto", "tipoMulta", "tipoJurosMora", "numeroParcela", "pagador")


def dv3197(digits):
    total = sum(int(d) * (3, 1, 9, 7)[i % 4] for i, d in enumerate(digits))
    r = total % 11
    return 0 if r < 2 else 11 - r


def barcode_of(nosso7, dv, modalidade, due, cents):
    campo = "1" + COOPERATIVA + f"{modalidade:02d}" + f"{CLIENTE:07d}" + nosso7 + str(dv) + "001"
    partial = "7569" + f"{factor(due):04d}" + f"{cents:010d}" + campo
    bc = partial[:4] + str(mod11_barcode(partial)) + partial[4:]
    f1, f2, f3 = bc[:4] + campo[:5], campo[5:15], campo[15:25]
    linha = f1 + str(mod10(f1)) + f2 + str(mod10(f2)) + f3 + str(mod10(f3)) + bc[4] + bc[5:19]
    return bc, linha


def errors(*messages, code="0"):
    return {"mensagens": [{"mensagem": m, "codigo": code} for m in messages]}


class Sicoob(JsonApiMock):
    def __init__(self, certs, pending_polls=1, file_size=2, mangle=True, **kw):
        self.boletos = {}          # nossoNumero (int) -> dict
        self.paid = []             # nossoNumero in payment order
        self.register_posts = []   # nossoNumero of every POST /boletos received
        self.movements = {}        # codigoSolicitacao -> dict
        self.movement_posts = []   # the bodies of POST /boletos/movimentacoes
        self.pending_polls = pending_polls
        self.file_size = file_size
        self.mangle = mangle
        super().__init__(certs, **kw)

    @property
    def base_url(self):
        return f"{self.origin}/cobranca-bancaria/v3"

    @property
    def token_url(self):
        return f"{self.origin}{TOKEN_PATH}"

    def pay(self, numero, cents, date, mora=0, fee=0):
        with self.lock:
            b = self.boletos[numero]
            b.update(situacao="Liquidado", pago=cents, mora=mora, fee=fee, dataPago=date)
            self.paid.append(numero)

    def handle(self, method, path, query, headers, body):
        if path == TOKEN_PATH and method == "POST":
            form = form_of(headers, body)
            if form is None:
                return 415, {"error": "unsupported_media_type"}, 0, ()
            if form.get("client_id") != [CLIENT_ID] or form.get("grant_type") != ["client_credentials"] \
                    or "client_secret" in form:
                return 401, {"error": "unauthorized_client", "error_description": "Invalid client credentials"}, 0, ()
            with self.lock:
                return 200, self.issue_token(form), 0, ()
        if not path.startswith("/cobranca-bancaria/v3/"):
            return 404, None, 0, ()
        if not self.bearer_ok(headers) or headers.get("client_id") != CLIENT_ID:
            return 401, {"message": "Unauthorized"}, 0, ()
        rest = path[len("/cobranca-bancaria/v3"):]
        try:
            req = json.loads(body) if body else {}
        except ValueError:
            return 406, errors("JSON inválido"), 0, ()
        if method == "POST" and rest == "/boletos":
            return self.register(req)
        if method == "GET" and rest == "/boletos":
            return self.detail(query) + (0, ())
        if method == "POST" and rest.startswith("/boletos/") and rest.endswith("/baixar"):
            return self.write_off(int(rest.split("/")[2]), req) + (0, ())
        if method == "POST" and rest == "/boletos/movimentacoes":
            return self.request_movement(req) + (0, ())
        if method == "GET" and rest == "/boletos/movimentacoes":
            return self.movement_status(query) + (0, ())
        if method == "GET" and rest == "/boletos/movimentacoes/download":
            return self.download(query) + (0, ())
        return 404, errors("recurso não encontrado"), 0, ()

    def register(self, req):
        missing = [k for k in REQUIRED if k not in req]
        if missing:
            return 406, errors(*(f"Campo {k} obrigatório" for k in missing)), 0, ()
        try:
            assert req["numeroCliente"] == CLIENTE and req["numeroContaCorrente"] == CONTA, "beneficiário"
            nn = req["nossoNumero"]
            assert isinstance(nn, int) and 0 < nn < 10 ** 8, "nossoNumero"
            digits = f"{nn:08d}"
            assert dv3197(COOPERATIVA + "000" + f"{CLIENTE:07d}" + digits[:7]) == int(digits[7]), "DV do nosso número"
            due = datetime.date.fromisoformat(req["dataVencimento"])
            datetime.date.fromisoformat(req["dataEmissao"])
            cents = round(req["valor"] * 100)
            assert len(req["seuNumero"]) <= 18 and req["numeroParcela"] == 1
            p = req["pagador"]
            assert p["nome"] and len(p["nome"]) <= 50 and len(p["endereco"]) <= 40 and p["numeroCpfCnpj"].isdigit()
            # (the test customers have no address: the bank's own checks of it are not mimicked)
            assert len(p["cep"]) in (0, 8) and len(p["uf"]) <= 2
            if req["tipoMulta"] != 0:
                assert datetime.date.fromisoformat(req["dataMulta"]) > due and req["valorMulta"] > 0
        except (AssertionError, KeyError, ValueError, TypeError) as e:
            return 400, errors(f"Dados inválidos: {e}", code="5001"), 0, ()
        with self.lock:
            self.register_posts.append(nn)
            action = self.next_action()
            if action == "429":
                return 429, errors("Too Many Requests"), 0, (("Retry-After", "1"),)
            if nn in self.boletos:
                return 400, errors("Nosso Número já cadastrado para o beneficiário.", code="5004"), 0, ()
            bc, linha = barcode_of(digits[:7], digits[7], req["codigoModalidade"], due, cents)
            if action == "wrong":
                linha = linha[:-1] + str((int(linha[-1]) + 1) % 10)
            self.boletos[nn] = {"request": req, "barcode": bc, "linha": linha, "situacao": "Em Aberto", "due": due,
                                "cents": cents}
            answer = {"resultado": self.resultado(nn)}
        if action == "500":
            return 500, errors("Erro interno", code="9999"), 0, ()
        if action == "hang":
            return 200, answer, self.hang_seconds, ()
        return 200, answer, 0, ()

    def resultado(self, nn):
        b = self.boletos[nn]
        r = b["request"]
        return {"numeroCliente": CLIENTE, "codigoModalidade": r.get("codigoModalidade", 1), "nossoNumero": nn,
                "seuNumero": r.get("seuNumero", ""), "codigoBarras": b["barcode"], "linhaDigitavel": b["linha"],
                "valor": b["cents"] / 100, "dataVencimento": b["due"].isoformat(), "situacaoBoleto": b["situacao"],
                "numeroParcela": 1, "aceite": False, "quantidadeDiasFloat": 0}

    def detail(self, query):
        try:
            assert query["numeroCliente"] == [str(CLIENTE)] and query["codigoModalidade"]
            nn = int(query["nossoNumero"][0])
        except (AssertionError, KeyError, ValueError):
            return 406, errors("Parâmetros inválidos")
        with self.lock:
            if nn not in self.boletos:
                return 204, None
            return 200, {"resultado": self.resultado(nn)}

    def write_off(self, nn, req):
        if req.get("numeroCliente") != CLIENTE or "codigoModalidade" not in req:
            return 406, errors("numeroCliente e codigoModalidade obrigatórios")
        with self.lock:
            if nn not in self.boletos:
                return 400, errors("Boleto não encontrado", code="5002")
            self.boletos[nn]["situacao"] = "Baixado"
        return 204, None

    def request_movement(self, req):
        try:
            assert req["numeroCliente"] == CLIENTE and req["tipoMovimento"] == 5
            first = datetime.date.fromisoformat(req["dataInicial"])
            last = datetime.date.fromisoformat(req["dataFinal"])
            assert first <= last, "dataInicial após dataFinal"
            assert (last - first).days <= 1, "As consultas estão limitadas em um período máximo de 2 dias."
        except (AssertionError, KeyError, ValueError) as e:
            return 400, errors(str(e), code="5010")
        with self.lock:
            self.movement_posts.append(req)
            code = 100 + len(self.movements)
            found = [n for n in self.paid if first <= self.boletos[n]["dataPago"] <= last]
            files = [found[i:i + self.file_size] for i in range(0, len(found), self.file_size)]
            self.movements[code] = {"files": {30000 + code * 10 + i: f for i, f in enumerate(files)},
                                    "polls": 0, "first": first, "last": last}
        return 200, {"resultado": {"mensagem": "Solicitação recebida com sucesso.", "codigoSolicitacao": code}}

    def movement_status(self, query):
        with self.lock:
            code = int(query.get("codigoSolicitacao", ["0"])[0])
            m = self.movements.get(code)
            if m is None or query.get("numeroCliente") != [str(CLIENTE)]:
                return 400, errors("Solicitação não encontrada", code="5011")
            m["polls"] += 1
            if code == 100 and m["polls"] <= self.pending_polls:  # the first request only: the tests stay fast
                return 204, None
            count = sum(len(f) for f in m["files"].values())
            return 200, {"resultado": {"quantidadeTotalRegistros": count, "quantidadeRegistrosArquivo": self.file_size,
                                       "quantidadeArquivo": len(m["files"]), "idArquivos": list(m["files"])}}

    def download(self, query):
        with self.lock:
            m = self.movements.get(int(query.get("codigoSolicitacao", ["0"])[0]))
            file_id = int(query.get("idArquivo", ["0"])[0])
            if m is None or file_id not in m["files"]:
                return 400, errors("Arquivo não encontrado", code="5012")
            records = [self.record(n, m) for n in m["files"][file_id]]
        name = f"LIQUI_{COOPERATIVA}_{CLIENTE}_{file_id}.json"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, json.dumps(records))
        raw = buf.getvalue()
        if self.mangle:
            raw = raw.decode("latin-1").encode("utf-8")
        return 200, {"resultado": {"arquivo": base64.b64encode(raw).decode(), "nomeArquivo": name + ".zip"}}

    def record(self, nn, m):
        b = self.boletos[nn]
        when = b["dataPago"]
        return {"codigoTipoMovimento": 5, "siglaMovimento": "LIQUI",
                "dataInicioMovimento": f"{m['first'].isoformat()}T00:00:00-03:00",
                "dataFimMovimento": f"{m['last'].isoformat()}T00:00:00-03:00",
                "numeroCliente": CLIENTE, "numeroContrato": CLIENTE, "modalidade": 1, "numeroTitulo": nn,
                "seuNumero": b["request"].get("seuNumero", ""), "valorTitulo": b["cents"] / 100,
                "codigoBarras": b["barcode"],
                # unpadded day, as in the spec's example file
                "dataLiquidacao": f"{when.year}-{when.month:02d}-{when.day}T00:00:00-03:00",
                "dataPrevisaoCredito": (when + datetime.timedelta(days=1)).isoformat() + "T00:00:00-03:00",
                "valorMora": b["mora"] / 100, "valorDesconto": 0.0, "valorLiquido": b["pago"] / 100,
                "valorTarifaMovimento": b["fee"] / 100, "tipoCarteiraOpCredito": "COBRANÇA"}
