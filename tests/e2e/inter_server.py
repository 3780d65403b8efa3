"""A loopback mock of Banco Inter's Cobrança v3 and its OAuth server, over mutual TLS, after the
fields FACTS.md §2 and §3.2.4 give (no official OpenAPI file was found):

POST /oauth/v2/token (form client_id + client_secret + grant_type=client_credentials + scope) ->
{access_token, expires_in}. Every /cobranca/v3 call needs a live Bearer token and x-conta-corrente.
POST /cobrancas {seuNumero, valorNominal, dataVencimento, numDiasAgenda, pagador{...}} -> only
{codigoSolicitacao}: the cobrança stays EM_PROCESSAMENTO for the next `processing_gets` GETs, then
A_RECEBER with the nosso número the bank chose (11 digits, DV last), codigoBarras and linhaDigitavel
computed here (campo livre 0001 + 112 + operação + nosso número). Like Inter, a repeated seuNumero
is accepted as a new cobrança: only billrun can keep from sending it twice.
GET /cobrancas/{codigoSolicitacao} -> {cobranca, boleto, pix} or 404. GET /cobrancas?dataInicial&
dataFinal&filtrarDataPor=EMISSAO|PAGAMENTO&situacao&seuNumero&paginacao.paginaAtual&
paginacao.itensPorPagina -> pages of at most `page_size` ({totalPaginas, ultimaPagina, cobrancas}).
POST /cobrancas/{codigoSolicitacao}/cancelar -> 202. `script` words as api_mock.py says, plus
"fail" (the bank ends the request in FALHA_EMISSAO)."""
import datetime
import json
import uuid

from api_mock import JsonApiMock, form_of
from febraban import factor, mod10, mod11_barcode

CLIENT_ID = "inter-client-8c2d-test"
CLIENT_SECRET = "inter-S3cret-Value-k7P"
CERT_PASSWORD_ENV = "INTER_CERT_PASSWORD"
OPERACAO = "7654321"
CONTA = "12345678"   # account + digit, as x-conta-corrente
ENV_IDS = {"INTER_CLIENT_ID": CLIENT_ID, "INTER_CLIENT_SECRET": CLIENT_SECRET}


def barcode_of(nosso11, due, cents):
    campo = "0001" + "112" + OPERACAO + nosso11
    partial = "0779" + f"{factor(due):04d}" + f"{cents:010d}" + campo
    bc = partial[:4] + str(mod11_barcode(partial)) + partial[4:]
    f1, f2, f3 = bc[:4] + campo[:5], campo[5:15], campo[15:25]
    linha = f1 + str(mod10(f1)) + f2 + str(mod10(f2)) + f3 + str(mod10(f3)) + bc[4] + bc[5:19]
    return bc, linha


def problem(status, title, *violations):
    body = {"title": title, "detail": title, "timestamp": "2026-11-23T10:00:00Z"}
    if violations:
        body["violacoes"] = [{"razao": r, "propriedade": p, "valor": ""} for p, r in violations]
    return status, body


class Inter(JsonApiMock):
    def __init__(self, certs, processing_gets=0, page_size=2, **kw):
        self.cobrancas = {}        # codigoSolicitacao -> dict
        self.register_posts = []   # seuNumero of every POST /cobrancas received
        self.cancelled = []
        self.processing_gets = processing_gets
        self.page_size = page_size
        self.list_queries = []
        self.next_nosso = 41
        super().__init__(certs, **kw)

    @property
    def base_url(self):
        return f"{self.origin}/cobranca/v3"

    @property
    def token_url(self):
        return f"{self.origin}/oauth/v2/token"

    def by_seu_numero(self, seu):
        return [c for c in self.cobrancas.values() if c["request"]["seuNumero"] == seu]

    def pay(self, code, cents, date):
        with self.lock:
            c = self.cobrancas[code]
            c.update(situacao="RECEBIDO", pago=cents, dataSituacao=date)

    def handle(self, method, path, query, headers, body):
        if path == "/oauth/v2/token" and method == "POST":
            form = form_of(headers, body)
            if form is None:
                return 415, {"error": "unsupported_media_type"}, 0, ()
            if form.get("client_id") != [CLIENT_ID] or form.get("client_secret") != [CLIENT_SECRET] \
                    or form.get("grant_type") != ["client_credentials"]:
                return 401, {"error": "invalid_client", "error_description": "client inválido"}, 0, ()
            with self.lock:
                return 200, self.issue_token(form), 0, ()
        if not path.startswith("/cobranca/v3/"):
            return 404, None, 0, ()
        if not self.bearer_ok(headers):
            return 401, {"title": "Unauthorized", "detail": "token inválido"}, 0, ()
        if headers.get("x-conta-corrente") != CONTA:
            return problem(403, "Conta corrente inválida") + (0, ())
        rest = path[len("/cobranca/v3"):]
        if method == "POST" and rest == "/cobrancas":
            return self.register(body)
        if method == "GET" and rest == "/cobrancas":
            return self.list(query) + (0, ())
        if method == "GET" and rest.startswith("/cobrancas/"):
            return self.detail(rest.split("/")[2]) + (0, ())
        if method == "POST" and rest.endswith("/cancelar"):
            return self.cancel(rest.split("/")[2], body) + (0, ())
        return problem(404, "recurso não encontrado") + (0, ())

    def register(self, body):
        try:
            req = json.loads(body)
            seu = req["seuNumero"]
            assert 1 <= len(seu) <= 15, "seuNumero"
            cents = round(req["valorNominal"] * 100)
            assert cents >= 250, "valorNominal mínimo 2.50"
            due = datetime.date.fromisoformat(req["dataVencimento"])
            assert 0 <= req["numDiasAgenda"] <= 60
            p = req["pagador"]
            assert p["cpfCnpj"].isdigit() and p["tipoPessoa"] in ("FISICA", "JURIDICA") and p["nome"]
            assert (len(p["cpfCnpj"]) == 11) == (p["tipoPessoa"] == "FISICA")
            # (the test customers have no address: the bank's own checks of it are not mimicked)
            assert len(p["cep"]) in (0, 8) and len(p["uf"]) <= 2
            assert req["multa"]["codigo"] in ("NAOTEMMULTA", "PERCENTUAL", "VALORFIXO")
            assert req["mora"]["codigo"] in ("ISENTO", "VALORDIA", "TAXAMENSAL")
        except (AssertionError, KeyError, ValueError, TypeError) as e:
            return problem(400, "Requisição inválida", ("cobranca", f"campo inválido: {e}")) + (0, ())
        with self.lock:
            self.register_posts.append(seu)
            action = self.next_action()
            if action == "429":
                return 429, {"title": "Too Many Requests"}, 0, (("Retry-After", "1"),)
            code = str(uuid.uuid4())
            nosso10 = f"{self.next_nosso:010d}"
            self.next_nosso += 1
            nosso11 = nosso10 + str(sum(int(d) for d in nosso10) % 10)
            bc, linha = barcode_of(nosso11, due, cents)
            if action == "wrong":
                linha = linha[:-1] + str((int(linha[-1]) + 1) % 10)
            self.cobrancas[code] = {"request": req, "nosso": nosso11, "barcode": bc, "linha": linha, "due": due,
                                    "cents": cents, "gets_left": self.processing_gets,
                                    "final": "FALHA_EMISSAO" if action == "fail" else "A_RECEBER",
                                    "situacao": "EM_PROCESSAMENTO", "issued": datetime.date(2026, 11, 23)}
        answer = {"codigoSolicitacao": code}
        if action == "500":
            return 500, {"title": "Erro interno", "detail": "Erro desconhecido"}, 0, ()
        if action == "hang":
            return 200, answer, self.hang_seconds, ()
        return 200, answer, 0, ()

    def item(self, code):
        """Under the lock: the cobrança as GET shows it."""
        c = self.cobrancas[code]
        if c["situacao"] == "EM_PROCESSAMENTO" and c["gets_left"] <= 0:
            c["situacao"] = c["final"]
        r = c["request"]
        cobranca = {"codigoSolicitacao": code, "seuNumero": r["seuNumero"], "dataEmissao": c["issued"].isoformat(),
                    "dataVencimento": c["due"].isoformat(), "valorNominal": c["cents"] / 100,
                    "tipoCobranca": "SIMPLES", "situacao": c["situacao"],
                    "dataSituacao": c.get("dataSituacao", c["issued"]).isoformat(), "arquivada": False,
                    "pagador": r["pagador"]}
        out = {"cobranca": cobranca}
        if c["situacao"] == "RECEBIDO":
            cobranca.update(valorTotalRecebido=c["pago"] / 100, origemRecebimento="BOLETO")
        if c["situacao"] not in ("EM_PROCESSAMENTO", "FALHA_EMISSAO"):
            out["boleto"] = {"nossoNumero": c["nosso"], "codigoBarras": c["barcode"], "linhaDigitavel": c["linha"]}
            out["pix"] = {"txid": code.replace("-", "")[:25], "pixCopiaECola": "000201..."}
        return out

    def detail(self, code):
        with self.lock:
            if code not in self.cobrancas:
                return problem(404, "Cobrança não encontrada")
            view = self.item(code)
            c = self.cobrancas[code]
            if c["situacao"] == "EM_PROCESSAMENTO":
                c["gets_left"] -= 1  # one GET fewer before the bank has issued it
            return 200, view

    def list(self, query):
        with self.lock:
            self.list_queries.append(query)
            try:
                first = datetime.date.fromisoformat(query["dataInicial"][0])
                last = datetime.date.fromisoformat(query["dataFinal"][0])
                by = query.get("filtrarDataPor", ["VENCIMENTO"])[0]
                assert by in ("VENCIMENTO", "EMISSAO", "PAGAMENTO", "SITUACAO")
                page = int(query.get("paginacao.paginaAtual", ["0"])[0])
                size = min(int(query.get("paginacao.itensPorPagina", ["100"])[0]), self.page_size)
            except (AssertionError, KeyError, ValueError) as e:
                return problem(400, "Filtro inválido", ("filtro", str(e)))
            found = []
            for code, c in self.cobrancas.items():
                when = {"EMISSAO": c["issued"], "VENCIMENTO": c["due"]}.get(by, c.get("dataSituacao"))
                if when is None or not first <= when <= last:
                    continue
                if "situacao" in query and c["situacao"] != query["situacao"][0]:
                    continue
                if "seuNumero" in query and c["request"]["seuNumero"] != query["seuNumero"][0]:
                    continue
                found.append(code)
            pages = max(1, -(-len(found) // size))
            items = [self.item(code) for code in found[page * size:(page + 1) * size]]
        return 200, {"totalPaginas": pages, "totalElementos": len(found), "ultimaPagina": page >= pages - 1,
                     "primeiraPagina": page == 0, "tamanhoPagina": size, "numeroDeElementos": len(items),
                     "cobrancas": items}

    def cancel(self, code, body):
        with self.lock:
            if code not in self.cobrancas:
                return problem(404, "Cobrança não encontrada")
            self.cobrancas[code]["situacao"] = "CANCELADO"
            self.cancelled.append((code, json.loads(body).get("motivoCancelamento")))
        return 202, None
