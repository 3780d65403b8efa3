"""A loopback mock of Banco do Brasil's API Cobranças v2 and its OAuth server, over real TLS
(the test PKI of nfse_server.make_certificates), following the fields of
../shared/reference/bankapi/FACTS.md §1:

POST /oauth/token (Basic client_id:client_secret, form grant_type=client_credentials&scope=...;
415 for anything but a form) -> {access_token, token_type, expires_in}.
Every /cobrancas/v2 call needs ?gw-dev-app-key=APP_KEY and a live Bearer token (else 401).
POST /boletos (convênio tipo 4: numeroTituloCliente = "000" + convênio + sequence) -> 201 with
numero, codigoBarraNumerico, linhaDigitavel, computed here from the FEBRABAN rules; a number
registered before -> 400 {"erros":[{"codigo":"4874915"...}]}. GET /boletos/{numero} -> detail or
404. GET /boletos?indicadorSituacao=B&... -> pages of `page_size` with indicadorContinuidade and
proximoIndice, 404 when nothing. POST /boletos/{numero}/baixar: 200 for a boleto em ser, 400 for
one paid (liquidado) or already written off. `webhook()` writes the body of BB's baixa
operacional webhook (FACTS.md §1.4: a JSON array of events) for boletos the mock paid.

`script` says what the next calls to register do, one word each: "ok", "500" (commit, then
answer 500), "hang" (commit, then answer after `hang_seconds`), "429" (refuse, Retry-After 1),
"wrong" (commit and answer a different linha digitável). `baixa_script` does the same for write-offs:
"ok", "500" (write it off, then answer 500). `retry_after` is the Retry-After of a 429.
`expire_tokens()` makes the server forget every token it gave (the client learns it from a 401)."""
import base64
import datetime
import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urlparse

from febraban import factor, mod10, mod11_barcode
from tls_server import LoopbackHttps

CLIENT_ID = "billrun-test-client-7f3a"
CLIENT_SECRET = "s3cr3t-Client-Value-Q9z"
APP_KEY = "appkey-d41d8cd98f00b204e980"
ENV = {"BB_CLIENT_ID": CLIENT_ID, "BB_CLIENT_SECRET": CLIENT_SECRET, "BB_APP_KEY": APP_KEY}

def barcode_of(numero20, carteira, due, cents):
    """BB convênio 7: campo livre = 000000 + nosso número (17) + carteira (2)."""
    campo = "000000" + numero20[3:] + f"{int(carteira):02d}"
    partial = "0019" + f"{factor(due):04d}" + f"{cents:010d}" + campo
    bc = partial[:4] + str(mod11_barcode(partial)) + partial[4:]
    f1, f2, f3 = bc[:4] + campo[:5], campo[5:15], campo[15:25]
    linha = f1 + str(mod10(f1)) + f2 + str(mod10(f2)) + f3 + str(mod10(f3)) + bc[4] + bc[5:19]
    return bc, linha


def bb_date(text):
    d, m, y = text.split(".")
    return datetime.date(int(y), int(m), int(d))


class BancoDoBrasil(LoopbackHttps):
    def __init__(self, certs, hang_seconds=3, token_ttl=600, page_size=2, retry_after="1"):
        self.script = []
        self.baixa_script = []
        self.baixa_posts = []    # numero of every POST /boletos/{numero}/baixar received
        self.retry_after = retry_after
        self.boletos = {}        # numero (20) -> dict (the registered request and state)
        self.paid = []           # numeros in payment order
        self.token_calls = 0
        self.register_posts = [] # numero of every POST /boletos received
        self.requests = []       # (method, path without query, headers dict)
        self.tokens = set()
        self.hang_seconds = hang_seconds
        self.token_ttl = token_ttl
        self.page_size = page_size
        self.list_queries = []   # query dicts of GET /boletos
        self.lock = threading.Lock()
        mock = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, body, headers=()):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else b""
                url = urlparse(self.path)
                with mock.lock:
                    mock.requests.append((method, url.path, dict(self.headers)))
                status, answer, delay, headers = mock.handle(method, url.path, parse_qs(url.query), self.headers,
                                                             body)
                if delay:
                    time.sleep(delay)
                try:
                    self._send(status, answer, headers)
                except OSError:
                    pass

            def do_POST(self):
                self._handle("POST")

            def do_GET(self):
                self._handle("GET")

        self.serve(Handler, certs["server.pem"], certs["server.key"])

    @property
    def base_url(self):
        return f"{self.origin}/cobrancas/v2"

    @property
    def token_url(self):
        return f"{self.origin}/oauth/token"

    def expire_tokens(self):
        with self.lock:
            self.tokens.clear()

    def pay(self, numero, cents, date, credit=None):
        with self.lock:
            b = self.boletos[numero]
            b["estado"] = 6
            b["pago"] = cents
            b["dataPago"] = date
            b["dataCredito"] = credit or date
            self.paid.append(numero)

    # --- the API ----------------------------------------------------------------------

    def handle(self, method, path, query, headers, body):
        if path == "/oauth/token":
            return self.token(headers, body) + ((),)
        if not path.startswith("/cobrancas/v2/"):
            return 404, None, 0, ()
        if query.get("gw-dev-app-key") != [APP_KEY]:
            return 401, {"statusCode": 401, "error": "Unauthorized", "message": "gw-dev-app-key inválida"}, 0, ()
        auth = headers.get("Authorization", "")
        with self.lock:
            live = auth.startswith("Bearer ") and auth[7:] in self.tokens
        if not live:
            return 401, {"statusCode": 401, "error": "Unauthorized", "message": "token expirado ou inválido"}, 0, ()
        rest = path[len("/cobrancas/v2"):]
        if method == "POST" and rest == "/boletos":
            return self.register(body)
        if method == "GET" and rest == "/boletos":
            return self.list(query) + ((),)
        if method == "GET" and rest.startswith("/boletos/"):
            return self.detail(rest.split("/")[2]) + (0, ())
        if method == "POST" and rest.endswith("/baixar"):
            return self.write_off(rest.split("/")[2], body) + (0, ())
        return 404, {"erros": [{"codigo": "404", "mensagem": "recurso não encontrado"}]}, 0, ()

    def token(self, headers, body):
        if headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return 415, {"error": "unsupported_media_type"}, 0
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = parse_qs(body.decode())
        if headers.get("Authorization") != expected or form.get("grant_type") != ["client_credentials"]:
            return 401, {"error": "invalid_client", "error_description": "Identificador ou credencial inválidos"}, 0
        with self.lock:
            self.token_calls += 1
            token = f"tok-{self.token_calls}-{time.time_ns()}"
            self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl,
                     "scope": form.get("scope", [""])[0]}, 0

    def register(self, body):
        try:
            req = json.loads(body)
            numero = req["numeroTituloCliente"]
            assert len(numero) == 20 and numero.startswith("000" + str(req["numeroConvenio"])), numero
            due = bb_date(req["dataVencimento"])
            bb_date(req["dataEmissao"])
            cents = round(req["valorOriginal"] * 100)
            assert isinstance(req["numeroCarteira"], int) and isinstance(req["numeroVariacaoCarteira"], int)
            assert req["pagador"]["nome"] and isinstance(req["pagador"]["numeroInscricao"], int)
            assert req["indicadorPix"] in ("S", "N") and len(req["numeroTituloBeneficiario"]) <= 15
        except Exception as e:  # noqa: BLE001
            return 400, {"erros": [{"codigo": "4000001", "versao": "1", "mensagem": f"requisição inválida: {e}"}]}, 0, ()
        with self.lock:
            self.register_posts.append(numero)
            action = self.script.pop(0) if self.script else "ok"
            if action == "429":
                return 429, {"erros": [{"codigo": "429", "mensagem": "Too Many Requests"}]}, 0, (("Retry-After", self.retry_after),)
            if numero in self.boletos:
                return 400, {"erros": [{"codigo": "4874915", "versao": "1",
                                        "mensagem": "Nosso Número já incluído anteriormente.",
                                        "providencia": "Informar outro Nosso Número.", "ocorrencia": "x"}]}, 0, ()
            bc, linha = barcode_of(numero, req["numeroCarteira"], due, cents)
            if action == "wrong":
                linha = linha[:-1] + str((int(linha[-1]) + 1) % 10)
            self.boletos[numero] = {"request": req, "barcode": bc, "linha": linha, "estado": 1, "due": due,
                                    "cents": cents}
        answer = {"numero": numero, "numeroCarteira": req["numeroCarteira"],
                  "numeroVariacaoCarteira": req["numeroVariacaoCarteira"], "codigoCliente": 704950,
                  "linhaDigitavel": linha, "codigoBarraNumerico": bc, "numeroContratoCobranca": 19581316,
                  "beneficiario": {"agencia": 1234, "contaCorrente": 123456, "tipoEndereco": 1},
                  "observacao": ""}
        if action == "500":
            return 500, {"errors": [{"code": "4125718.1", "message": "Internal Server Error"}]}, 0, ()
        if action == "hang":
            return 201, answer, self.hang_seconds, ()
        return 201, answer, 0, ()

    def detail(self, numero):
        with self.lock:
            b = self.boletos.get(numero)
        if b is None:
            return 404, {"erros": [{"codigo": "4678420", "mensagem": "Boleto não encontrado"}]}
        body = {"codigoLinhaDigitavel": b["linha"], "codigoBarraNumerico": b["barcode"],
                "codigoEstadoTituloCobranca": b["estado"], "dataVencimentoTituloCobranca": b["due"].strftime("%d.%m.%Y"),
                "valorOriginalTituloCobranca": b["cents"] / 100}
        if b["estado"] == 6:
            body.update({"valorPagoSacado": b["pago"] / 100, "dataRecebimentoTitulo": b["dataPago"].strftime("%d.%m.%Y"),
                         "dataCreditoLiquidacao": b["dataCredito"].strftime("%d.%m.%Y")})
        return 200, body

    def write_off(self, numero, body):
        with self.lock:
            self.baixa_posts.append(numero)
            action = self.baixa_script.pop(0) if self.baixa_script else "ok"
            b = self.boletos.get(numero)
            if b is None:
                return 404, {"erros": [{"codigo": "4678420", "mensagem": "Boleto não encontrado"}]}
            if json.loads(body or b"{}").get("numeroConvenio") != b["request"].get("numeroConvenio", 1234567):
                return 400, {"erros": [{"codigo": "4000003", "mensagem": "numeroConvenio inválido"}]}
            if b["estado"] == 6:
                return 400, {"erros": [{"codigo": "4678431", "mensagem": "Título liquidado não pode ser baixado"}]}
            if b["estado"] == 7:
                return 400, {"erros": [{"codigo": "4678432", "mensagem": "Título já baixado"}]}
            b["estado"] = 7
        if action == "500":
            return 500, {"errors": [{"code": "4125718.1", "message": "Internal Server Error"}]}
        return 200, {"numeroContratoCobranca": "19581316", "dataBaixa": "05.12.2026", "horarioBaixa": "10:00:00"}

    def webhook(self, numeros, state=1, paid=None):
        """The JSON body of BB's baixa operacional webhook for these boletos, as the bank sends
        it (dataLiquidacao without a space); `paid` overrides valorPagoSacado (in centavos)."""
        events = []
        with self.lock:
            for numero in numeros:
                b = self.boletos[numero]
                cents = paid if paid is not None else b.get("pago", b["cents"])
                when = b.get("dataPago", datetime.date(2026, 11, 28))
                events.append({"id": numero, "dataRegistro": "23.11.2026", "dataVencimento": b["due"].strftime("%d.%m.%Y"),
                               "valorOriginal": b["cents"] / 100, "valorPagoSacado": cents / 100,
                               "numeroConvenio": int(numero[3:10]), "numeroOperacao": 10203,
                               "carteiraConvenio": 17, "variacaoCarteiraConvenio": 35,
                               "codigoEstadoBaixaOperacional": state,
                               "dataLiquidacao": when.strftime("%d/%m/%Y") + "05:37:00",
                               "instituicaoLiquidacao": "001", "canalLiquidacao": 4, "codigoModalidadeBoleto": 1,
                               "tipoPessoaPortador": 2, "identidadePortador": 47291836000103,
                               "nomePortador": "CLIENTE EMPRESA LTDA", "formaPagamento": 2})
        return json.dumps(events)

    def list(self, query):
        with self.lock:
            self.list_queries.append(query)
            try:
                assert query["indicadorSituacao"] == ["B"]
                first = bb_date(query["dataInicioMovimento"][0])
                last = bb_date(query["dataFimMovimento"][0])
                assert query["agenciaBeneficiario"] and query["contaBeneficiario"]
            except Exception as e:  # noqa: BLE001
                return 400, {"erros": [{"codigo": "4000002", "mensagem": f"filtro inválido: {e}"}]}, 0
            found = [n for n in self.paid if first <= self.boletos[n]["dataPago"] <= last]
            start = int(query.get("indice", ["0"])[0])
            page = found[start:start + self.page_size]
        if not page:
            return 404, {"erros": [{"codigo": "4678420", "mensagem": "Nenhum boleto encontrado"}]}, 0
        more = start + self.page_size < len(found)
        items = [{"numeroBoletoBB": n, "dataVencimento": self.boletos[n]["due"].strftime("%d.%m.%Y"),
                  "valorOriginal": self.boletos[n]["cents"] / 100, "codigoEstadoTituloCobranca": 6,
                  "estadoTituloCobranca": "Liquidado",
                  "dataMovimento": self.boletos[n]["dataPago"].strftime("%d.%m.%Y"),
                  "dataCredito": self.boletos[n]["dataCredito"].strftime("%d.%m.%Y"),
                  "valorPago": self.boletos[n]["pago"] / 100} for n in page]
        return 200, {"indicadorContinuidade": "S" if more else "N", "quantidadeRegistros": len(items),
                     "proximoIndice": start + self.page_size if more else 0, "boletos": items}, 0
