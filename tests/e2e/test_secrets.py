"""Passwords and keys never appear in output, logs or artifacts (SPEC §10).

Every stage runs with -v and known secrets in the environment: import, cycle, emit-nfse online
(the TLS mock of nfse_server.py; the A1 password from BILLRUN_CERT_PASSWORD), issue-boleto
and remind with auto-send and reminders over SMTP with AUTH (the password from SMTP_PASSWORD),
reconcile, import payments, cancel (the signed event sent online), show and report. Then
stdout, stderr, every file under the workspace (ledger and its WAL, PDFs, XML, remessas, .eml,
the messages the SMTP server received) are searched for the passwords (as they are, percent-
encoded, and in the base64 of SMTP AUTH) and for the A1's private key: never found. The ledger
and its lock files are private to their owner (0600)."""
import base64
import stat
import subprocess
import urllib.parse

import harness
from harness import Workspace, cpf_digits, fast_docs, main, test, validate_all
from nfse_server import A1_PASSWORD, Sefin
from smtp_server import envelopes, received, start_smtp_server, stop_smtp_server
from test_crash import ISSUE, RECONCILE, certs, cleanup, quick, use_sefin, use_smtp
import test_reconcile_banks as banks

harness.TESTS.clear()  # the imported modules' own tests run in their own files

SMTP_USER = "cobranca"
SMTP_PASSWORD = "Smtp!Segr3do-Q7x#2026"
DECOYS = {"BB_CLIENT_SECRET": "bb-client-secret-Zk41", "BB_APP_KEY": "bb-app-key-Hq83"}
ENV = {"BILLRUN_CERT_PASSWORD": A1_PASSWORD, "SMTP_USER": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD, **DECOYS}


def secret_forms():
    """{label: bytes} that must appear nowhere."""
    forms = {}
    for name, value in (("A1 password", A1_PASSWORD), ("SMTP password", SMTP_PASSWORD),
                        *DECOYS.items()):
        raw = value.encode()
        forms[name] = raw
        forms[name + " (percent-encoded)"] = urllib.parse.quote(value, safe="").encode()
        forms[name + " (base64)"] = base64.b64encode(raw)
    forms["SMTP AUTH PLAIN"] = base64.b64encode(f"\0{SMTP_USER}\0{SMTP_PASSWORD}".encode())
    forms["SMTP AUTH PLAIN (authzid)"] = base64.b64encode(f"{SMTP_USER}\0{SMTP_USER}\0{SMTP_PASSWORD}".encode())
    # The A1's private key: a window of its DER inside the private exponent (the same bytes in
    # PKCS#1 and PKCS#8), and lines of its PEM text.
    der = subprocess.run(["openssl", "pkey", "-in", str(certs()["a1.key"]), "-outform", "DER"], check=True,
                         capture_output=True).stdout
    assert len(der) > 1000
    forms["A1 private key (DER)"] = der[400:440]
    pem = [line for line in certs()["a1.key"].read_text().splitlines() if line and not line.startswith("-----")]
    for i in (3, len(pem) // 2, len(pem) - 3):
        forms[f"A1 private key (PEM line {i})"] = pem[i].encode()
    return forms


class Session:
    """Runs billrun -v with the secrets in the environment, keeping every output."""

    def __init__(self, ws):
        self.ws = ws
        self.outputs = []

    def __call__(self, *args, expect=(0,), env=None):
        r = self.ws.run("-v", *args, env={**ENV, **(env or {})})
        self.outputs.append((args, r))
        assert r.code in expect, (args, r)
        return r


def setup_pipeline(ws, billrun):
    n = 9
    ws.write("clientes.csv", "codigo;nome;cpf;email;logradouro;numero;bairro;cidade;uf;cep\n" + "".join(
        f"C{i};Cliente {i};{cpf_digits(400000000 + i)};c{i}@example.com.br;Rua Dois;{i + 1};Centro;São Paulo;SP;"
        f"01001000\n" for i in range(n)))
    ws.write("servicos.csv", "codigo;descricao;preco;ctribnac\nS;Suporte técnico;1.500,00;010701\n")
    ws.write("contratos.csv", "id;customer;service;quantity;start;cycle;due_days;auto_send\n" + "".join(
        f"K{i};C{i};S;{i + 1};{ISSUE};monthly;10;{'yes' if i % 3 == 0 else 'no'}\n" for i in range(n)))
    ws.write("avulsos.csv", f"id;customer;date;service;quantity;price;description\nX1;C1;{ISSUE};S;1;99,90;Setup\n")
    billrun("import", "customers", "clientes.csv")
    billrun("import", "services", "servicos.csv")
    billrun("import", "contracts", "contratos.csv")
    billrun("import", "charges", "avulsos.csv")
    billrun("cycle", "--date", ISSUE)


@test
def no_password_or_key_in_any_output_file_or_ledger():
    ws = Workspace(init=False)
    smtp_folder = ws.path("smtp-received")
    proc, port = start_smtp_server(smtp_folder, auth=f"{SMTP_USER}:{SMTP_PASSWORD}")
    try:
        with ws, Sefin(certs()) as sefin:
            billrun = Session(ws)
            billrun("init")
            use_smtp(ws, port)
            use_sefin(ws, quick(sefin))
            setup_pipeline(ws, billrun)
            r = billrun("emit-nfse", "--date", ISSUE)
            nfse = [d for d in fast_docs(r.stdout) if d["kind"] == "nfse"]
            assert nfse and all(d["status"] == "authorized" for d in nfse), r  # the A1 password was used
            r = billrun("issue-boleto", "--date", ISSUE)
            docs = fast_docs(r.stdout)
            validate_all(docs)
            boletos = [d for d in docs if d["kind"] == "boleto"]
            billrun("remind", "--date", "2026-11-08")
            assert received(smtp_folder) and all(e["login"] == SMTP_USER for e in envelopes(smtp_folder))
            # The bank pays two boletos; a statement line another invoice; a payment comes by hand.
            ws.write("ret.ret", banks.retorno("bb240", [
                banks.title(d, "06", banks.cents(d["amount"])) for d in boletos[:2]], nsa=1))
            net = banks.cents(boletos[2]["amount"])
            [(tax_id,)] = ws.query("SELECT c.tax_id FROM invoices i JOIN customers c ON c.id = i.customer "
                                   "WHERE i.series || '-' || printf('%06d', i.number) = ?", boletos[2]["invoice"])
            ws.write("extrato.csv", f"data;valor;historico;documento\n12/11/2026;{net // 100},{net % 100:02d};PIX;"
                                    f"{tax_id}\n")
            billrun("reconcile", "ret.ret", "extrato.csv", "--date", RECONCILE)
            ws.write("pagamentos.csv", f"fatura;data;valor\n{boletos[3]['invoice']};13/11/2026;100,00\n")
            billrun("import", "payments", "pagamentos.csv")
            cancelled = boletos[-1]["invoice"]
            billrun("cancel", cancelled, "--reason", "Serviço não prestado ao cliente", "--code", "2",
                    "--date", "2026-11-14")
            assert sefin.events, "the cancellation event was sent (signed with the A1)"
            for kind, ident in (("customer", "C1"), ("service", "S"), ("contract", "K1"),
                                ("invoice", boletos[0]["invoice"]), ("boleto", boletos[0]["invoice"]),
                                ("nfse", nfse[0]["invoice"]), ("invoice", cancelled)):
                billrun("show", kind, ident)
            for report in (("aging",), ("statement", "C1"), ("stages",), ("invoices",), ("runs",)):
                billrun("report", *report, "--date", "2026-11-20")
                billrun("report", *report, "--date", "2026-11-20", "--format", "table")
            # Wrong secrets are refused without being echoed.
            wrong_a1, wrong_smtp = "Errada-A1-senha-55", "Errada-SMTP-senha-66"
            ws.write("more.csv", f"id;customer;service;quantity;start;cycle\nK99;C2;S;1;{ISSUE};monthly\n")
            billrun("import", "contracts", "more.csv")
            billrun("cycle", "--date", ISSUE)
            r = billrun("emit-nfse", "--date", ISSUE, expect=(78,), env={"BILLRUN_CERT_PASSWORD": wrong_a1})
            assert wrong_a1 not in r.stderr + r.stdout, r
            r = billrun("remind", "--date", "2026-11-12", expect=(69, 1), env={"SMTP_PASSWORD": wrong_smtp})
            assert wrong_smtp not in r.stderr + r.stdout, r
            forms = secret_forms()
            forms["wrong A1 password"] = wrong_a1.encode()
            forms["wrong SMTP password"] = wrong_smtp.encode()
            # Everything billrun printed...
            for args, r in billrun.outputs:
                for label, needle in forms.items():
                    for name, text in (("stdout", r.stdout), ("stderr", r.stderr)):
                        assert needle not in text.encode(), f"{label} in the {name} of billrun {' '.join(args)}"
            # ...and every file under the workspace, the ledger and its WAL included (read with no
            # billrun running), and the messages the SMTP server received.
            inputs = {ws.path("certs/a1.pfx"), ws.path("certs/ca.pem")}
            searched = 0
            kinds = set()
            for path in sorted(ws.dir.rglob("*")):
                if not path.is_file() or path in inputs:
                    continue
                data = path.read_bytes()
                searched += 1
                kinds.add(path.suffix or path.name)
                for label, needle in forms.items():
                    assert needle not in data, f"{label} in {path.relative_to(ws.dir)}"
            assert {".db", ".pdf", ".xml", ".rem", ".eml"} <= kinds, kinds
            # File modes: the ledger (and its WAL and shared-memory files) and the stage locks, 0600.
            mode = stat.S_IMODE(ws.path("billrun.db").stat().st_mode)
            assert mode == 0o600, oct(mode)
            private = [p for p in ws.dir.iterdir() if p.name.startswith("billrun.db")]
            for p in private:
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, (p.name, oct(stat.S_IMODE(p.stat().st_mode)))
            commands = len(billrun.outputs)
        print(f"summary secrets: {commands} billrun -v commands (init, import x6, cycle x2, emit-nfse online x2, "
              f"issue-boleto, remind x2, reconcile, cancel online, show x7, report x10), {len(forms)} secret forms "
              f"(A1 and SMTP passwords raw, percent-encoded and base64, SMTP AUTH PLAIN, the A1 key's DER and PEM, "
              f"two wrong passwords, two unused bank secrets) searched in {2 * commands} outputs and {searched} files "
              f"({', '.join(sorted(kinds))}): none found; {len(private)} ledger files 0600")
    finally:
        stop_smtp_server(proc)


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
