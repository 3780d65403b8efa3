"""billrun remind through a real SMTP server on loopback (aiosmtpd, tests/e2e/smtp_server.py)."""
import datetime
import subprocess

import harness
from harness import fast_docs, main, test
from smtp_server import envelopes, log, received, start_smtp_server, stop_smtp_server
from test_remind import billed_workspace, expected_steps, open_invoices, remind

harness.TESTS.clear()  # test_remind's own tests run in their own file

SECRET = "s3nha-que-nao-pode-vazar"
ENV = {"SMTP_USER": "cobranca", "SMTP_PASSWORD": SECRET}


def use_server(ws, port, scheme="smtp", host="127.0.0.1", ca=""):
    text = ws.path("billrun.yaml").read_text()
    start = text.index("mail:")
    end = text.index("\n\n", start)
    ws.path("billrun.yaml").write_text(
        text[:start] + f"""mail:
  smtp_url: "{scheme}://{host}:{port}"
  username_env: SMTP_USER
  password_env: SMTP_PASSWORD
  from: "Cobrança Exemplo <cobranca@exemplo.example.com.br>"
  outbox: out/outbox
  ca_bundle: "{ca}"
""" + text[end:])


def no_secret_anywhere(ws, *results):
    for r in results:
        assert SECRET not in r.stdout and SECRET not in r.stderr
    for path in ws.dir.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@test
def the_server_gets_each_message_once_with_its_recipients_and_attachments():
    with billed_workspace(pdf=True) as ws:
        folder = ws.path("smtp")
        proc, port = start_smtp_server(folder, auth=f"cobranca:{SECRET}")
        try:
            use_server(ws, port)
            invoices = open_invoices(ws)
            on = datetime.date(2026, 11, 30)
            reminders, run = remind(ws, on.isoformat(), env=ENV)
            sent = [d for d in reminders if d["status"] == "sent"]
            assert sorted((d["invoice"], d["step"], d["status"]) for d in reminders) == expected_steps(invoices, on, {})
            assert all(d["message"] == "smtp" for d in sent)
            messages = received(folder)
            assert len(messages) == len(sent) == run["counts"]["sent"], (len(messages), len(sent))
            first = next(m for m in messages if "A-000001 " in m["Subject"])
            assert first["Subject"] == "Fatura A-000001 vence em 03/12/2026"
            assert first["To"] == "financeiro@saojorge.example.com.br"
            assert "Padaria e Confeitaria São Jorge Ltda" in first.get_body(("plain",)).get_content()
            assert [a.get_filename() for a in first.iter_attachments()] == ["A-000001.pdf"]
            env = envelopes(folder)
            assert all(e["login"] == "cobranca" for e in env), env
            assert any(e["rcpt_tos"] == ["financeiro@saojorge.example.com.br"] for e in env)
            assert len({m["Message-ID"] for m in messages}) == len(messages)
            # The same date again: the server hears nothing new.
            again, _ = remind(ws, on.isoformat(), env=ENV)
            assert again == [] and len(received(folder)) == len(messages)
            # Twenty days later: only the newly due steps.
            later = datetime.date(2026, 12, 20)
            done = {d["invoice"]: d["step"] for d in sent}
            reminders, _ = remind(ws, later.isoformat(), env=ENV)
            new_mail = [d for d in reminders if d["status"] == "sent" and d["channel"] == "email"]
            assert sorted((d["invoice"], d["step"], d["status"]) for d in reminders) == \
                expected_steps(invoices, later, done)
            assert len(received(folder)) == len(messages) + len(new_mail)
            r = ws.run("remind", "--date", later.isoformat(), "-v", env=ENV)
            no_secret_anywhere(ws, r)
        finally:
            stop_smtp_server(proc)


@test
def a_refusing_server_leaves_the_step_unsent_and_the_next_run_sends_it():
    with billed_workspace() as ws:
        folder = ws.path("smtp-refusing")
        proc, port = start_smtp_server(folder, refuse=451, auth=f"cobranca:{SECRET}")
        try:
            use_server(ws, port)
            # A temporary refusal: the first message is refused (and retried), the rest of the
            # run is not tried; all stay failed for the next run, and the run exits 69.
            reminders, run = remind(ws, "2026-11-30", expect=69, env=ENV)
            failed = [d for d in reminders if d["status"] == "failed"]
            assert failed and run["counts"]["sent"] == 0 and run["counts"]["failed"] == len(failed)
            assert "451" in failed[0]["error"] and all("not tried" in d["error"] for d in failed[1:]), failed
            assert len(log(folder)) == 3  # one message, three attempts
            assert received(folder) == [] and log(folder)
            assert ws.query("SELECT count(*) FROM reminders WHERE status = 'failed'") == [(len(failed),)]
        finally:
            stop_smtp_server(proc)
        folder = ws.path("smtp-ok")
        proc, port = start_smtp_server(folder, auth=f"cobranca:{SECRET}")
        try:
            use_server(ws, port)
            reminders, run = remind(ws, "2026-11-30", env=ENV)
            assert sorted(d["invoice"] for d in reminders if d["status"] == "sent") == \
                sorted(d["invoice"] for d in failed)
            assert len(received(folder)) == len(failed)
            assert ws.query("SELECT count(*) FROM reminders WHERE status != 'sent' AND status != 'skipped'") == [(0,)]
        finally:
            stop_smtp_server(proc)


@test
def starttls_is_used_and_the_certificate_is_checked():
    with billed_workspace() as ws:
        cert, key = ws.path("smtp.crt"), ws.path("smtp.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        folder = ws.path("smtp")
        proc, port = start_smtp_server(folder, starttls=(cert, key), auth=f"cobranca:{SECRET}")
        try:
            # Without the CA, the server's certificate is refused: nothing sent, retried later.
            use_server(ws, port)
            reminders, _ = remind(ws, "2026-11-30", expect=1, env=ENV)
            assert all(d["status"] == "failed" for d in reminders if d["status"] != "skipped")
            assert received(folder) == []
            use_server(ws, port, ca=str(cert))
            reminders, _ = remind(ws, "2026-11-30", env=ENV)
            assert reminders and all(d["status"] == "sent" for d in reminders if d["status"] != "skipped")
            assert received(folder) and all(e["tls"] for e in envelopes(folder))
        finally:
            stop_smtp_server(proc)


@test
def steps_a_dead_run_left_pending_are_redone_unless_an_email_may_have_gone():
    with billed_workspace() as ws:
        reminders, _ = remind(ws, "2026-12-20")  # outbox: e-mails and letters
        letter = next(d for d in reminders if d["channel"] == "letter" and d["status"] == "sent")
        email = next(d for d in reminders if d["channel"] == "email" and d["status"] == "sent")
        pdf = ws.path(letter["message"])
        pdf.unlink()
        # As a run killed between claiming and recording would leave them: the letter claimed,
        # the e-mail claimed and marked handed to the SMTP server just before it went.
        for d, message in ((letter, None), (email, "smtp")):
            ws.query("UPDATE reminders SET status = 'pending', message = ? WHERE step = ? AND invoice = "
                     "(SELECT id FROM invoices WHERE series || '-' || printf('%06d', number) = ?)",
                     message, d["step"], d["invoice"])
        folder = ws.path("smtp")
        proc, port = start_smtp_server(folder, auth=f"cobranca:{SECRET}")
        try:
            use_server(ws, port)
            r = ws.run("remind", "--date", "2026-12-20", env=ENV)
            assert r.code == 0 and "left pending by a run that stopped" in r.stderr, r
            again = [d for d in fast_docs(r.stdout) if d["kind"] == "reminder"]
            assert [(d["invoice"], d["channel"], d["status"]) for d in again] == \
                [(letter["invoice"], "letter", "sent")], again
            assert pdf.exists() and received(folder) == []
            status = ws.query("SELECT r.status FROM reminders r JOIN invoices i ON i.id = r.invoice "
                              "WHERE r.step = ? AND i.series || '-' || printf('%06d', i.number) = ?",
                              email["step"], email["invoice"])
            assert status == [("unknown",)], status
        finally:
            stop_smtp_server(proc)


@test
def a_run_killed_mid_page_loses_no_email_it_had_not_handed_over():
    """A run claims a page of steps, then hands the e-mails to the server one by one, marking
    each (committed) just before: killed after the first, only that one is of unknown outcome;
    the others of the page go out with the next run."""
    with billed_workspace() as ws:
        folder = ws.path("smtp")
        proc, port = start_smtp_server(folder, auth=f"cobranca:{SECRET}")
        try:
            use_server(ws, port)
            reminders, _ = remind(ws, "2026-11-30", env=ENV)
            sent = [d for d in reminders if d["status"] == "sent" and d["channel"] == "email"]
            assert len(sent) >= 3, sent
            # What the dead run left: the first handed over, the rest claimed only.
            for i, d in enumerate(sent):
                ws.query("UPDATE reminders SET status = 'pending', message = ? WHERE step = ? AND invoice = "
                         "(SELECT id FROM invoices WHERE series || '-' || printf('%06d', number) = ?)",
                         "smtp" if i == 0 else None, d["step"], d["invoice"])
            before = len(received(folder))
            again, _ = remind(ws, "2026-11-30", env=ENV)
            assert sorted(d["invoice"] for d in again if d["status"] == "sent") == \
                sorted(d["invoice"] for d in sent[1:])
            assert len(received(folder)) == before + len(sent) - 1
        finally:
            stop_smtp_server(proc)


if __name__ == "__main__":
    main()
