"""Auto-send (SPEC §6): when a contract says auto_send, issue-boleto e-mails the customer the
boleto (its own PDF) and emit-nfse the authorized NFS-e (its XML), each document once, through
the outbox or a real SMTP server on loopback (tests/e2e/smtp_server.py)."""
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import EXAMPLES, Workspace, edit_config, fast_docs, import_records, main, test, validate_all
from nfse_server import ENV as NFSE_ENV, Sefin, make_certificates, small_workspace
from smtp_server import envelopes, log, parse, received, start_smtp_server, stop_smtp_server

SECRET = "senha-smtp-que-nao-vaza"
SMTP_ENV = {"SMTP_USER": "cobranca", "SMTP_PASSWORD": SECRET}
CERTS = make_certificates(Path(tempfile.mkdtemp(prefix="billrun-autosend-pki-")))


def example_workspace():
    ws = Workspace()
    for kind, name in (("customers", "clientes.csv"), ("services", "servicos.csv"),
                       ("contracts", "contratos.yaml")):
        assert ws.run("import", kind, EXAMPLES / name).code == 0
    assert ws.run("cycle", "--date", "2026-11-23").code == 0
    return ws


def auto_send_invoices(ws):
    """invoice id -> (contract, customer e-mail) of the issued boleto invoices whose contract says auto_send."""
    rows = ws.query("SELECT i.series || '-' || printf('%06d', i.number), k.id, c.email FROM invoices i "
                    "JOIN contracts k ON k.id = i.contract JOIN customers c ON c.id = i.customer "
                    "WHERE k.auto_send = 1 AND i.payment_method = 'boleto' AND i.status = 'issued'")
    return {r[0]: (r[1], r[2]) for r in rows}


def issue(ws, *args, expect=0, env=None):
    r = ws.run("issue-boleto", "--date", "2026-11-23", *args, env=env)
    assert r.code == expect, r
    docs = fast_docs(r.stdout)
    validate_all(docs)
    return docs, r


def deliver_run(docs):
    runs = [d for d in docs if d["kind"] == "run" and d["command"] == "deliver"]
    return runs[0] if runs else None


def outbox(ws):
    return {p.name: parse(p.read_bytes()) for p in sorted(ws.path("out/outbox").glob("*.eml"))}


def pdf_text(data, folder):
    path = Path(folder) / "attachment.pdf"
    path.write_bytes(data)
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return int(next(l.split()[-1] for l in pages.splitlines() if l.startswith("Pages:"))), text


def use_smtp(ws, port):
    text = ws.path("billrun.yaml").read_text()
    start = text.index("mail:")
    end = text.index("\n\n", start)
    ws.path("billrun.yaml").write_text(text[:start] + f"""mail:
  smtp_url: "smtp://127.0.0.1:{port}"
  username_env: SMTP_USER
  password_env: SMTP_PASSWORD
  from: "Cobrança Exemplo <cobranca@exemplo.example.com.br>"
  outbox: out/outbox
""" + text[end:])


@test
def each_boleto_of_an_auto_send_contract_is_emailed_once_with_its_own_pdf():
    with example_workspace() as ws:
        expected = auto_send_invoices(ws)
        assert expected and {k for k, _ in expected.values()} == {"K001", "K003", "K006"}, expected
        # --one-pdf puts every boleto in one file: an e-mail must carry only the payer's own page.
        docs, r = issue(ws, "--one-pdf")
        run = deliver_run(docs)
        assert run is not None and run["counts"]["sent"] == len(expected), (run, r.stderr)
        mails = outbox(ws)
        assert sorted(mails) == sorted(f"{i}-boleto.eml" for i in expected), sorted(mails)
        boletos = {d["invoice"]: d for d in docs if d["kind"] == "boleto"}
        for invoice, (contract, emails) in expected.items():
            m = mails[f"{invoice}-boleto.eml"]
            assert [a.strip() for a in m["To"].split(",")] == [e.strip() for e in emails.replace(";", ",").split(",")]
            body = m.get_body(("plain",)).get_content()
            linha = boletos[invoice]["linha_digitavel"]
            assert linha[:5] + "." + linha[5:10] in body, body
            attachments = list(m.iter_attachments())
            assert [a.get_filename() for a in attachments] == [f"{invoice}.pdf"]
            pages, text = pdf_text(attachments[0].get_content(), ws.dir)
            assert pages == 1 and invoice in text, (invoice, pages)
            assert not any(other in text for other in boletos if other != invoice)
            if contract == "K006":  # its template is before-due
                assert m["Subject"] == f"Fatura {invoice} vence em {boletos[invoice]['due_date'][8:10]}/" \
                    f"{boletos[invoice]['due_date'][5:7]}/{boletos[invoice]['due_date'][:4]}", m["Subject"]
            else:  # the built-in message
                assert m["Subject"].startswith("Empresa Exemplo") or invoice in m["Subject"], m["Subject"]
                assert invoice in m["Subject"] and "Linha digitável" in body
        rows = ws.query("SELECT document, status, count(*) FROM deliveries GROUP BY document, status")
        assert rows == [("boleto", "sent", len(expected))], rows
        assert ws.query("SELECT count(*) FROM events WHERE action = 'delivered'") == [(len(expected),)]
        # Nothing is sent twice: another run (nothing to issue) writes no message and no deliver run.
        before = {p.name: p.stat().st_mtime_ns for p in ws.path("out/outbox").iterdir()}
        docs, _ = issue(ws)
        assert deliver_run(docs) is None and [d for d in docs if d["kind"] == "boleto"] == []
        assert {p.name: p.stat().st_mtime_ns for p in ws.path("out/outbox").iterdir()} == before


@test
def no_pdf_still_mails_the_boleto_and_dry_run_mails_nothing():
    with example_workspace() as ws:
        expected = auto_send_invoices(ws)
        docs, _ = issue(ws, "--dry-run")
        assert deliver_run(docs) is None and not ws.path("out/outbox").exists()
        docs, _ = issue(ws, "--no-pdf")
        assert deliver_run(docs)["counts"]["sent"] == len(expected)
        for invoice in expected:
            m = outbox(ws)[f"{invoice}-boleto.eml"]
            (attachment,) = list(m.iter_attachments())
            pages, text = pdf_text(attachment.get_content(), ws.dir)
            assert pages == 1 and invoice in text


@test
def a_customer_without_email_fails_its_delivery_and_the_next_run_retries():
    with example_workspace() as ws:
        expected = auto_send_invoices(ws)
        k006 = sorted(i for i, (k, _) in expected.items() if k == "K006")
        assert k006
        ws.write("sem-email.csv", "id,name,tax_id,email\nC006,Cliente Sem E-mail,111.444.777-35,\n")
        assert ws.run("import", "customers", "sem-email.csv").code == 0
        docs, r = issue(ws, expect=1)
        run = deliver_run(docs)
        assert run["counts"] == {"sent": len(expected) - len(k006), "failed": len(k006), "dropped": 0, "stale": 0}
        failed = ws.query("SELECT d.status, d.error FROM deliveries d JOIN invoices i ON i.id = d.invoice "
                          "WHERE i.contract = 'K006'")
        assert failed and all(s == "failed" and "no e-mail address" in e for s, e in failed), failed
        assert f"{len(k006)} failed" in r.stderr, r.stderr
        # The operator fixes the address; the next run sends what failed, and only that.
        ws.write("com-email.csv", "id,name,tax_id,email\nC006,Cliente Com E-mail,111.444.777-35,c6@example.com\n")
        assert ws.run("import", "customers", "com-email.csv").code == 0
        sent_before = len(outbox(ws))
        docs, _ = issue(ws)
        assert deliver_run(docs)["counts"] == {"sent": len(k006), "failed": 0, "dropped": 0, "stale": 0}
        mails = outbox(ws)
        assert len(mails) == sent_before + len(k006)
        assert all(mails[f"{i}-boleto.eml"]["To"] == "c6@example.com" for i in k006)


@test
def a_refusing_smtp_server_leaves_documents_for_the_next_run_and_paid_boletos_are_dropped():
    with example_workspace() as ws:
        expected = auto_send_invoices(ws)
        folder = ws.path("smtp-refusing")
        proc, port = start_smtp_server(folder, refuse=451, auth=f"cobranca:{SECRET}")
        try:
            use_smtp(ws, port)
            docs, r = issue(ws, "--no-pdf", expect=69, env=SMTP_ENV)
            assert len([d for d in docs if d["kind"] == "boleto"]) > len(expected)  # the boletos are issued
            run = deliver_run(docs)
            assert run["counts"]["sent"] == 0 and run["counts"]["failed"] == len(expected), run
            assert received(folder) == [] and len(log(folder)) == 3  # one message, three attempts
        finally:
            stop_smtp_server(proc)
        # One invoice is paid meanwhile: its boleto is no longer mailed.
        paid = sorted(expected)[0]
        net = ws.query("SELECT balance FROM invoices WHERE series || '-' || printf('%06d', number) = ?", paid)[0][0]
        ws.write("pag.csv", f"fatura;data;valor\n{paid};24/11/2026;{net // 100},{net % 100:02d}\n")
        r = ws.run("import", "payments", "pag.csv")
        assert r.code == 0, r
        folder = ws.path("smtp-ok")
        proc, port = start_smtp_server(folder, auth=f"cobranca:{SECRET}")
        try:
            use_smtp(ws, port)
            docs, r = issue(ws, env=SMTP_ENV)
            run = deliver_run(docs)
            assert run["counts"] == {"sent": len(expected) - 1, "failed": 0, "dropped": 1, "stale": 0}, run
            messages = received(folder)
            assert sorted(m["Message-ID"] for m in messages) == sorted(
                f"<{i}-boleto.documents@exemplo.example.com.br>" for i in expected if i != paid)
            assert all(e["login"] == "cobranca" for e in envelopes(folder))
            assert ws.query("SELECT d.status FROM deliveries d JOIN invoices i ON i.id = d.invoice "
                            "WHERE i.series || '-' || printf('%06d', i.number) = ?", paid) == [("dropped",)]
            for out in (r.stdout, r.stderr):
                assert SECRET not in out
        finally:
            stop_smtp_server(proc)


@test
def documents_a_dead_run_left_pending_are_rewritten_to_the_outbox_but_never_resent_over_smtp():
    with example_workspace() as ws:
        expected = auto_send_invoices(ws)
        issue(ws, "--no-pdf")
        first, second = sorted(expected)[:2]
        for invoice in (first, second):
            ws.path(f"out/outbox/{invoice}-boleto.eml").unlink()
        # As a run killed mid-send leaves them: claimed, not finished.
        with ws.db() as con:
            con.execute("UPDATE deliveries SET status = 'pending' WHERE invoice IN (SELECT id FROM invoices "
                        "WHERE series || '-' || printf('%06d', number) = ?)", (first,))
        docs, r = issue(ws)
        assert deliver_run(docs)["counts"] == {"sent": 1, "failed": 0, "dropped": 0, "stale": 1}, r
        assert ws.path(f"out/outbox/{first}-boleto.eml").exists()
        assert "the rest is sent again" in r.stderr
        # Handed to an SMTP server (marked so just before it went), the server may have taken
        # it: unknown, not sent again. Claimed but never handed over: sent.
        third = sorted(expected)[2]
        with ws.db() as con:
            for invoice, message in ((second, "smtp"), (third, None)):
                con.execute("UPDATE deliveries SET status = 'pending', message = ? WHERE invoice IN (SELECT id "
                            "FROM invoices WHERE series || '-' || printf('%06d', number) = ?)", (message, invoice))
        folder = ws.path("smtp")
        proc, port = start_smtp_server(folder, auth=f"cobranca:{SECRET}")
        try:
            use_smtp(ws, port)
            docs, r = issue(ws, env=SMTP_ENV)
            assert deliver_run(docs)["counts"] == {"sent": 1, "failed": 0, "dropped": 0, "stale": 2}, r
            assert [m["Message-ID"] for m in received(folder)] == [f"<{third}-boleto.documents@exemplo.example.com.br>"]
            assert "not sent again" in r.stderr
            assert ws.query("SELECT d.status FROM deliveries d JOIN invoices i ON i.id = d.invoice "
                            "WHERE i.series || '-' || printf('%06d', i.number) = ?", second) == [("unknown",)]
            docs, _ = issue(ws, env=SMTP_ENV)
            assert deliver_run(docs) is None
        finally:
            stop_smtp_server(proc)


def nfse_online(ws, sefin):
    shutil.copy(CERTS["ca.pem"], ws.path("certs/ca.pem"))
    edit_config(ws, 'endpoint: ""', f'endpoint: "{sefin.endpoint}"')
    edit_config(ws, 'ca_bundle: ""', 'ca_bundle: "certs/ca.pem"')


@test
def the_authorized_nfse_is_mailed_once_and_a_late_boleto_separately():
    with small_workspace(CERTS) as ws, Sefin(CERTS) as sefin:
        # K1 auto-sends; K2 does not.
        import_records(ws, "contracts", [
            {"id": "K1", "customer": "C1", "items": ["S"], "start": "2026-11-01", "due_days": 10, "auto_send": "yes"}])
        nfse_online(ws, sefin)
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=NFSE_ENV)
        assert r.code == 0, r
        docs = fast_docs(r.stdout)
        nfse = next(d for d in docs if d["kind"] == "nfse" and d["status"] == "authorized" and
                    ws.query("SELECT contract FROM invoices WHERE series || '-' || printf('%06d', number) = ?",
                             d["invoice"]) == [("K1",)])
        assert deliver_run(docs)["counts"]["sent"] == 1
        (name, m), = outbox(ws).items()
        assert name == f"{nfse['invoice']}-nfse.eml" and m["To"] == "a@x.com.br"
        assert f"NFS-e {nfse['number']}" in m["Subject"], m["Subject"]
        (xml,) = list(m.iter_attachments())
        assert xml.get_filename() == f"NFS-e-{nfse['number']}.xml" and xml.get_content_type() == "application/xml"
        assert xml.get_content() == ws.path(nfse["authorized_xml"]).read_bytes(), "the authority's bytes"
        # Again: nothing. Then the boleto: its own message, the NFS-e not attached again.
        r = ws.run("emit-nfse", "--date", "2026-11-23", env=NFSE_ENV)
        assert r.code == 0 and deliver_run(fast_docs(r.stdout)) is None, r
        docs, _ = issue(ws)
        assert deliver_run(docs)["counts"]["sent"] == 1
        m = outbox(ws)[f"{nfse['invoice']}-boleto.eml"]
        assert [a.get_filename() for a in m.iter_attachments()] == [f"{nfse['invoice']}.pdf"]
        assert ws.query("SELECT document, status FROM deliveries ORDER BY document") == [("boleto", "sent"),
                                                                                          ("nfse", "sent")]


@test
def documents_waiting_together_go_in_one_message():
    with small_workspace(CERTS) as ws, Sefin(CERTS) as sefin:
        import_records(ws, "contracts", [
            {"id": "K1", "customer": "C1", "items": ["S"], "start": "2026-11-01", "due_days": 10, "auto_send": "yes"}])
        # The boleto's e-mail fails (the mail server is down: nothing listens on the port).
        probe = start_smtp_server(ws.path("probe"))
        stop_smtp_server(probe[0])
        use_smtp(ws, probe[1])
        docs, _ = issue(ws, expect=69, env=SMTP_ENV)
        assert deliver_run(docs)["counts"]["failed"] == 1
        # Then the NFS-e is authorized with the outbox configured: one message carries both.
        text = ws.path("billrun.yaml").read_text()
        ws.path("billrun.yaml").write_text(text.replace(f'smtp_url: "smtp://127.0.0.1:{probe[1]}"', 'smtp_url: ""'))
        nfse_online(ws, sefin)
        r = ws.run("emit-nfse", "--date", "2026-11-23", env={**NFSE_ENV, **SMTP_ENV})
        assert r.code == 0, r
        assert deliver_run(fast_docs(r.stdout))["counts"]["sent"] == 1
        (name, m), = outbox(ws).items()
        invoice = name.split("-boleto-nfse.eml")[0]
        assert name.endswith("-boleto-nfse.eml")
        names = [a.get_filename() for a in m.iter_attachments()]
        assert names[0] == f"{invoice}.pdf" and names[1].startswith("NFS-e-") and len(names) == 2, names


if __name__ == "__main__":
    main()
