"""Test peers for billrun emit-nfse: certificates made with the openssl command line in a temp
folder (a test CA, a server certificate for 127.0.0.1, an A1 client certificate as PKCS#12 in
the modern and the legacy RC2-40 encryption, and a second CA nobody trusts), and a mock of the
Sefin Nacional API over real TLS that demands a client certificate.

The mock follows the Swagger shapes (../shared/reference/nfse/samples/nacional/api/): POST
/nfse with {"dpsXmlGZipB64"} -> 201 {chaveAcesso, nfseXmlGZipB64, idDps}; a DPS Id received
twice -> 400 E0014; GET /dps/{Id} -> {idDps, chaveAcesso}; GET /nfse/{chave} ->
{chaveAcesso, nfseXmlGZipB64}. Events (billrun cancel): POST /nfse/{chave}/eventos with
{"pedidoRegistroEventoXmlGZipB64"} -> 201 {eventoXmlGZipB64}; an event registered twice -> 400
E0840; GET /nfse/{chave}/eventos/101101/1 -> {eventoXmlGZipB64} or 404. Error bodies use the
capitalised keys of real answers."""
import base64
import gzip
import http.server
import json
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

from tls_server import LoopbackHttps
from harness import SOURCE, Workspace, cnpj_digits, fast_docs, import_records, validate_all

A1_PASSWORD = "s3nh@-Teste-A1"
ENV = {"BILLRUN_CERT_PASSWORD": A1_PASSWORD}


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder):
    """Writes the test PKI into `folder` and returns a dict of paths."""
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    (d / "ca.cnf").write_text(
        "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=billrun test CA\n"
        "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
        "subjectKeyIdentifier=hash\n"
        "[server]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "[a1]\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment\n"
        "extendedKeyUsage=clientAuth,emailProtection\n"
        "subjectAltName=otherName:2.16.76.1.3.3;UTF8:11222333000181\n")
    for ca in ("ca", "rogue"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                 "-days", "30", "-subj", f"/CN=billrun {ca} CA", "-config", "ca.cnf", "-extensions", "ca", cwd=d)

    def leaf(name, subject, signer, ext):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", subject, cwd=d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{signer}.pem", "-CAkey", f"{signer}.key",
                 "-CAcreateserial", "-out", f"{name}.pem", "-days", "30", "-extfile", "ca.cnf", "-extensions", ext,
                 cwd=d)

    leaf("server", "/CN=127.0.0.1", "ca", "server")
    leaf("rogue-server", "/CN=127.0.0.1", "rogue", "server")
    leaf("a1", "/C=BR/O=ICP-Brasil/OU=TESTE/CN=EXEMPLO SERVICOS DIGITAIS LTDA:11222333000181", "ca", "a1")
    _openssl("pkcs12", "-export", "-inkey", "a1.key", "-in", "a1.pem", "-passout", f"pass:{A1_PASSWORD}",
             "-out", "a1.pfx", cwd=d)
    # Like many real A1 files: RC2-40 encryption, and the CA chain inside.
    _openssl("pkcs12", "-export", "-legacy", "-inkey", "a1.key", "-in", "a1.pem", "-certfile", "ca.pem",
             "-passout", f"pass:{A1_PASSWORD}", "-out", "a1-legacy.pfx", cwd=d)
    return {name: d / name for name in ("ca.pem", "rogue.pem", "server.pem", "server.key", "rogue-server.pem",
                                        "rogue-server.key", "a1.pem", "a1.key", "a1.pfx", "a1-legacy.pfx")}


def packed(xml_bytes):
    return base64.b64encode(gzip.compress(xml_bytes)).decode("ascii")


class Sefin(LoopbackHttps):
    """The mock. `script` holds what to do with the next POSTs, one word each: "ok",
    "reject", "503", "500", "429", "hang" (accept, then answer too late), "late" (wait
    `hang_seconds` before accepting, so that GET /dps finds nothing meanwhile, then accept
    and answer). Empty: "ok"."""

    def __init__(self, certs, rogue=False, hang_seconds=4):
        self.certs = certs
        self.script = []
        self.accepted = {}   # DPS Id -> (chave, NFS-e XML bytes)
        self.posts = []      # (DPS Id, raw signed DPS bytes) of every POST received
        self.requests = []   # (method, path, client certificate subject CN)
        self.hang_seconds = hang_seconds
        self.event_script = []  # the same words for the next event POSTs
        self.events = {}        # chave -> (signed pedRegEvento bytes, evento XML bytes)
        self.event_posts = []   # (chave, raw signed request bytes) of every event POST received
        self.lock = threading.Lock()
        mock = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _client(self):
                cert = self.connection.getpeercert() or {}
                for rdn in cert.get("subject", ()):
                    for key, value in rdn:
                        if key == "commonName":
                            return value
                return None

            def _send(self, status, body):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with mock.lock:
                    mock.requests.append(("POST", self.path, self._client()))
                status, answer, delay = mock.post(self.path, body)
                if delay:
                    time.sleep(delay)
                try:
                    self._send(status, answer)
                except OSError:
                    pass  # the client gave up waiting

            def do_GET(self):
                with mock.lock:
                    mock.requests.append(("GET", self.path, self._client()))
                status, answer = mock.get(self.path)
                self._send(status, answer)

        prefix = "rogue-server" if rogue else "server"
        self.serve(Handler, certs[f"{prefix}.pem"], certs[f"{prefix}.key"], client_ca=certs["ca.pem"])

    @property
    def endpoint(self):
        return f"{self.origin}/SefinNacional"

    def _nfse(self, dps_id, signed):
        number = len(self.accepted) + 1
        chave = f"355030822" f"11222333000181{number:013d}2612{number:09d}0"
        assert len(chave) == 50, chave
        dps = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", signed)
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><NFSe xmlns="{NS}" versao="1.01"><infNFSe Id="NFS{chave}">'
               f"<xLocEmi>Sao Paulo</xLocEmi><nNFSe>{number}</nNFSe><cStat>100</cStat>").encode() + dps + \
            b"</infNFSe></NFSe>"
        return chave, xml

    def _evento(self, chave, signed):
        pedido = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", signed)
        return (f'<?xml version="1.0" encoding="UTF-8"?><evento xmlns="{NS}" versao="1.01">'
                f'<infEvento Id="EVT{chave}101101001"><verAplic>mock_0.1</verAplic><ambGer>2</ambGer>'
                f"<nSeqEvento>1</nSeqEvento><dhProc>2026-12-05T10:00:00-03:00</dhProc><nDFe>1</nDFe>").encode() + \
            pedido + b"</infEvento></evento>"

    def post_event(self, chave, body):
        try:
            signed = gzip.decompress(base64.b64decode(json.loads(body)["pedidoRegistroEventoXmlGZipB64"]))
            inside = re.search(rb"<chNFSe>([0-9]{50})</chNFSe>", signed).group(1).decode()
            assert re.search(rb'<infPedReg Id="PRE' + chave.encode() + rb'101101">', signed)
        except Exception:  # noqa: BLE001
            return 400, {"erro": {"Codigo": "E1235", "Descricao": "Falha no esquema XML"}}, 0
        with self.lock:
            self.event_posts.append((chave, signed))
            action = self.event_script.pop(0) if self.event_script else "ok"
            if action in ("503", "500", "429"):
                return int(action), {"erro": {"Codigo": "E999", "Descricao": "Erro não catalogado"}}, 0
            if inside != chave or not any(c == chave for c, _ in self.accepted.values()):
                return 400, {"erro": {"Codigo": "E1805", "Descricao": "NFS-e não encontrada"}}, 0
            if action == "reject":
                return 400, {"tipoAmbiente": 2, "erro": {
                    "Codigo": "E1830", "Descricao": "Prazo para cancelamento expirado",
                    "Complemento": "parametrização municipal"}}, 0
            if chave in self.events:
                return 400, {"tipoAmbiente": 2, "erro": {
                    "Codigo": "E0840", "Descricao": "Evento já vinculado à NFS-e"}}, 0
            evento = self._evento(chave, signed)
            self.events[chave] = (signed, evento)
        answer = {"tipoAmbiente": 2, "versaoAplicativo": "mock_0.1", "dataHoraProcessamento": "2026-12-05T10:00:00",
                  "eventoXmlGZipB64": packed(evento)}
        return 201, answer, (self.hang_seconds if action == "hang" else 0)

    def post(self, path, body):
        m = re.search(r"/nfse/([0-9]{50})/eventos$", path)
        if m:
            return self.post_event(m.group(1), body)
        if not path.endswith("/nfse"):
            return 404, {"erros": [{"Codigo": "E404", "Descricao": "not found"}]}, 0
        try:
            signed = gzip.decompress(base64.b64decode(json.loads(body)["dpsXmlGZipB64"]))
            dps_id = re.search(rb'Id="(DPS[0-9]{42})"', signed).group(1).decode()
        except Exception:  # noqa: BLE001
            return 400, {"erros": [{"Codigo": "E1235", "Descricao": "Falha no esquema XML"}]}, 0
        with self.lock:
            self.posts.append((dps_id, signed))
            action = self.script.pop(0) if self.script else "ok"
        if action == "late":
            time.sleep(self.hang_seconds)
        with self.lock:
            if action in ("503", "500", "429"):
                return int(action), {"erros": [{"Codigo": "E999", "Descricao": "Erro não catalogado"}]}, 0
            if action == "reject":
                return 400, {"tipoAmbiente": 2, "idDPS": dps_id, "erros": [{
                    "Codigo": "E0202", "Descricao": "Tomador não encontrado no cadastro", "Complemento": "CNPJ"}]}, 0
            if dps_id in self.accepted:
                return 400, {"tipoAmbiente": 2, "idDPS": dps_id, "erros": [{
                    "Codigo": "E0014", "Descricao": "Conjunto de Série, Número e Emitente da DPS já existe"}]}, 0
            chave, xml = self._nfse(dps_id, signed)
            self.accepted[dps_id] = (chave, xml)
        answer = {"tipoAmbiente": 2, "versaoAplicativo": "mock_0.1", "dataHoraProcessamento": "2026-12-05T10:00:00",
                  "idDps": dps_id, "chaveAcesso": chave, "nfseXmlGZipB64": packed(xml), "alertas": []}
        return 201, answer, (self.hang_seconds if action == "hang" else 0)

    def get(self, path):
        m = re.search(r"/nfse/([0-9]{50})/eventos/101101/1$", path)
        if m:
            with self.lock:
                found = self.events.get(m.group(1))
            if not found:
                return 404, {"erro": {"Codigo": "E404", "Descricao": "Nenhum evento encontrado para a NFS-e"}}
            return 200, {"tipoAmbiente": 2, "eventoXmlGZipB64": packed(found[1])}
        m = re.search(r"/dps/(DPS[0-9]{42})$", path)
        if m:
            with self.lock:
                found = self.accepted.get(m.group(1))
            if not found:
                return 404, {"erro": {"Codigo": "E404", "Descricao": "DPS não encontrada"}}
            return 200, {"idDps": m.group(1), "chaveAcesso": found[0]}
        m = re.search(r"/nfse/([0-9]{50})$", path)
        if m:
            with self.lock:
                found = [x for x in self.accepted.values() if x[0] == m.group(1)]
            if not found:
                return 404, {"erro": {"Codigo": "E404", "Descricao": "NFS-e não encontrada"}}
            return 200, {"chaveAcesso": m.group(1), "nfseXmlGZipB64": packed(found[0][1])}
        return 404, None


# --- Helpers shared by tests/e2e/test_nfse*.py ------------------------------------------

NS = "http://www.sped.fazenda.gov.br/nfse"
XSD = SOURCE / "schemas" / "nfse" / "nacional-v1.01" / "DPS_v1.01.xsd"


def small_workspace(certs):
    """Two customers (a company that withholds ISS, a person), one service, two invoices."""
    ws = Workspace()
    import_records(ws, "customers", [
        {"id": "C1", "name": "Cliente Empresa Ltda", "tax_id": cnpj_digits(4729183600), "email": "a@x.com.br",
         "street": "Rua Um", "number": "10", "district": "Centro", "city_code": "3550308", "zip": "01001000",
         "iss_withheld": "yes"},
        {"id": "C2", "name": "Maria da Silva", "tax_id": "111.444.777-35"}])
    import_records(ws, "services", [
        {"id": "S", "description": "Suporte técnico", "unit_price": "2000,00", "service_code": "010701"}])
    import_records(ws, "contracts", [
        {"id": "K1", "customer": "C1", "items": ["S"], "start": "2026-11-01", "due_days": 10},
        {"id": "K2", "customer": "C2", "items": ["S"], "start": "2026-11-01", "due_days": 10}])
    r = ws.run("cycle", "--date", "2026-11-23")
    assert r.code == 0, r
    (ws.dir / "certs").mkdir(exist_ok=True)
    shutil.copy(certs["a1.pfx"], ws.path("certs/a1.pfx"))
    return ws


def nfse_docs(r):
    docs = fast_docs(r.stdout)
    validate_all(docs)
    runs = [d for d in docs if d["kind"] == "run"]
    assert len(runs) == 1 and docs[-1] is runs[0], r
    return [d for d in docs if d["kind"] == "nfse"], runs[0]


def xmllint(path, xsd=XSD):
    out = subprocess.run(["xmllint", "--nonet", "--noout", "--schema", str(xsd), str(path)], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr


def xmlsec_verify(path, trusted):
    out = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", str(trusted), "--id-attr:Id", f"{NS}:infDPS",
                          str(path)], capture_output=True, text=True)
    assert out.returncode == 0 and "OK" in out.stdout + out.stderr, out.stdout + out.stderr


def check_signed_dps(ws, doc, algorithm, trusted_ca, version="1.01"):
    data = ws.path(doc["xml"]).read_bytes()
    # No formatting whitespace: the only line breaks are after the declaration and at the end.
    assert data.count(b"\n") <= 2 and b"\t" not in data and b"\r" not in data, data[:200]
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<DPS xmlns="' + NS.encode() + b'" versao="' +
                           version.encode() + b'">')
    assert b"<ds:" not in data and b"xmlns:" not in data, "no namespace prefixes"
    text = data.decode("utf-8")
    ident = re.search(r'<infDPS Id="(DPS[0-9]{42})">', text).group(1)
    assert ident == doc["dps_id"] and len(ident) == 45
    assert f'<Reference URI="#{ident}">' in text
    assert text.index("</infDPS><Signature") > 0, "Signature is the sibling after infDPS"
    assert text.count("<X509Certificate>") == 1, "leaf certificate only"
    assert re.search(r"<dhEmi>20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d-03:00</dhEmi>", text), "São Paulo offset"
    assert f"<nDPS>{doc['dps_number']}</nDPS>" in text
    if algorithm == "sha1":
        assert "xmldsig#rsa-sha1" in text and "REC-xml-c14n-20010315" in text and "exc-c14n" not in text
    else:
        assert "xmldsig-more#rsa-sha256" in text and "xml-exc-c14n#" in text and "xmlenc#sha256" in text
    xmllint(ws.path(doc["xml"]), XSD if version == "1.01" else XSD.parents[1] / "nacional-v1.00" / "DPS_v1.00.xsd")
    xmlsec_verify(ws.path(doc["xml"]), trusted_ca)
    return text
