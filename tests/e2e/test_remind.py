"""billrun remind: the dunning policy, late charges, letters, each step once."""
import datetime
import email
import email.policy
import fcntl
import subprocess
from fractions import Fraction
from pathlib import Path

import harness
from harness import EXAMPLES, Workspace, cents, fast_docs, half_even, main, money, test, validate_all
from test_reconcile import retorno_240

harness.TESTS.clear()  # test_reconcile's own tests run in their own file

FINE = Fraction(2, 100)           # examples/billrun.yaml boleto.fine_percent "2.00"
INTEREST_MONTH = Fraction(1, 100)  # boleto.interest_percent_month "1.00"


def late_charges(net, due, on):
    """SPEC §7, computed here independently of the C++ code: (days, fine, interest)."""
    days = (on - due).days
    if days <= 0:
        return 0, 0, 0
    per_day = half_even(Fraction(net) * INTEREST_MONTH / 30)
    return days, half_even(Fraction(net) * FINE), per_day * days


def to_date(text):
    return datetime.date.fromisoformat(text)


def billed_workspace(pdf=False):
    ws = Workspace()
    for kind, name in (("customers", "clientes.csv"), ("services", "servicos.csv"),
                       ("contracts", "contratos.yaml")):
        assert ws.run("import", kind, EXAMPLES / name).code == 0
    assert ws.run("cycle", "--date", "2026-11-23").code == 0
    args = ["issue-boleto", "--date", "2026-11-23"] + ([] if pdf else ["--no-pdf"])
    assert ws.run(*args).code == 0
    return ws


def remind(ws, date, expect=0, env=None):
    r = ws.run("remind", "--date", date, env=env)
    assert r.code == expect, r
    docs = fast_docs(r.stdout)
    validate_all(docs)
    assert docs[-1]["kind"] == "run", r
    return [d for d in docs if d["kind"] == "reminder"], docs[-1]


def open_invoices(ws):
    """invoice id -> (net, due date, balance) of issued and partly paid invoices."""
    rows = ws.query("SELECT series || '-' || printf('%06d', number), net, due_date, balance, status FROM invoices")
    return {r[0]: (r[1], to_date(r[2]), r[3]) for r in rows if r[4] in ("issued", "partly-paid")}


def check_amounts(ws, reminders, on):
    invoices = open_invoices(ws)
    for d in reminders:
        net, due, balance = invoices[d["invoice"]]
        days, fine, interest = late_charges(net, due, on)
        assert (cents(d["fine"]), cents(d["interest"]), d["days_overdue"]) == (fine, interest, days), (d, net, due)
        assert cents(d["amount_due"]) == balance + fine + interest, d


STEPS = (-3, 1, 15, 45)  # examples/billrun.yaml dunning.steps


def expected_steps(invoices, on, done):
    """(invoice, step, status) the policy gives at `on`: the latest step due is sent, the
    earlier ones not done are skipped. done: invoice -> latest step already applied."""
    out = []
    for invoice, (_, due, _) in invoices.items():
        due_steps = [s for s in STEPS if due + datetime.timedelta(days=s) <= on]
        if not due_steps or done.get(invoice, -999) >= due_steps[-1]:
            continue
        out += [(invoice, s, "skipped") for s in due_steps[:-1] if s > done.get(invoice, -999)]
        out.append((invoice, due_steps[-1], "sent"))
    return sorted(out)


def outbox(ws):
    """The reminders' .eml files (not the documents auto-send mailed when the boletos were issued)."""
    folder = ws.path("out/outbox")
    auto_send = ("-boleto.eml", "-nfse.eml", "-boleto-nfse.eml")
    return sorted(p for p in folder.glob("*.eml") if not p.name.endswith(auto_send)) if folder.exists() else []


def parse_eml(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


@test
def steps_go_out_once_each_and_missed_ones_are_skipped():
    with billed_workspace() as ws:
        invoices = open_invoices(ws)
        # 30/11: each open invoice gets the latest step due (the -3 for those due on 03/12,
        # the +1 for those already past due, whose -3 is skipped), the policy computed here.
        reminders, run = remind(ws, "2026-11-30")
        done = {d["invoice"]: d["step"] for d in reminders if d["status"] == "sent"}
        expected = expected_steps(invoices, datetime.date(2026, 11, 30), {})
        assert sorted((d["invoice"], d["step"], d["status"]) for d in reminders) == expected, reminders
        assert ("A-000001", -3, "sent") in expected
        assert all(d["channel"] == "email" for d in reminders)
        check_amounts(ws, reminders, datetime.date(2026, 11, 30))
        sent = [d for d in reminders if d["status"] == "sent"]
        assert run["counts"]["sent"] == len(sent)
        mails = outbox(ws)
        assert len(mails) == len(sent)
        first = parse_eml(ws.path("out/outbox/A-000001-before-3.eml"))
        assert first["To"] == "financeiro@saojorge.example.com.br"
        assert first["Subject"] == "Fatura A-000001 vence em 03/12/2026", first["Subject"]
        assert first["Message-ID"] and first["Date"]
        body = first.get_body(preferencelist=("plain",)).get_content()
        assert "Padaria e Confeitaria São Jorge Ltda" in body and "811,75" in body, body
        # The same date again: nothing.
        before = ws.dump()
        reminders, run = remind(ws, "2026-11-30")
        assert reminders == [] and run["counts"]["sent"] == 0
        assert {k: v for k, v in ws.dump().items() if k not in ("runs", "events")} == \
            {k: v for k, v in before.items() if k not in ("runs", "events")}
        # Twenty days later: only the latest step due for each invoice; the missed ones skipped.
        on = datetime.date(2026, 12, 20)
        reminders, run = remind(ws, on.isoformat())
        check_amounts(ws, reminders, on)
        assert sorted((d["invoice"], d["step"], d["status"]) for d in reminders) == \
            expected_steps(invoices, on, done), reminders
        by_invoice = {}
        for d in reminders:
            by_invoice.setdefault(d["invoice"], []).append((d["step"], d["status"], d["channel"]))
        # Due 03/12: -3 done, 1 missed (skipped), 15 (letter) applied.
        assert by_invoice["A-000001"] == [(1, "skipped", "email"), (15, "sent", "letter")], by_invoice
        # Due 10/12: -3 missed, 1 sent by e-mail.
        assert by_invoice["A-000011"] == [(-3, "skipped", "email"), (1, "sent", "email")], by_invoice
        letter = next(d for d in reminders if d["invoice"] == "A-000001" and d["status"] == "sent")
        assert letter["message"].endswith("A-000001-after-15.pdf"), letter
        text = subprocess.run(["pdftotext", ws.path(letter["message"]), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Padaria e Confeitaria São Jorge Ltda" in text and "A-000001" in text, text
        assert "05406-050" in text, text
        overdue = parse_eml(ws.path("out/outbox/A-000011-after-1.eml"))
        body = overdue.get_body(preferencelist=("plain",)).get_content()
        d11 = next(d for d in reminders if d["invoice"] == "A-000011" and d["status"] == "sent")
        assert d11["amount_due"].replace(".", ",") in body and "10 dias" in body, body
        # One row per step and invoice, ever.
        assert ws.query("SELECT count(*) FROM (SELECT invoice, step FROM reminders GROUP BY 1, 2 "
                        "HAVING count(*) > 1)") == [(0,)]
        stages = dict(ws.query("SELECT i.series || '-' || printf('%06d', i.number), s.stage FROM collection_stages s "
                               "JOIN invoices i ON i.id = s.invoice"))
        assert stages["A-000001"] == "reminded-again" and stages["A-000011"] == "reminded-again", stages
        # One event per invoice and run names the step sent, the steps it skipped and the stage
        # move; show reminder finds it for the skipped step too.
        key = ws.query("SELECT id FROM invoices WHERE series = 'A' AND number = 11")[0][0]
        events = ws.query("SELECT action, detail FROM events WHERE entity = 'invoice' AND entity_id = ? AND run = ?",
                          str(key), run["run"])
        assert events == [("reminded", "step 1 (reminder, email): out/outbox/A-000011-after-1.eml; "
                                       "skipped step -3 (reminder, email); stage reminded-again")], events
        [skipped] = ws.run("show", "reminder", "A-000011:-3").docs()
        assert skipped["status"] == "skipped" and [h["action"] for h in skipped["history"]] == ["reminded"], skipped
        [sent] = ws.run("show", "reminder", "A-000011:1").docs()
        assert sent["status"] == "sent" and sent["attempts"] == 1 and len(sent["history"]) == 1, sent


@test
def paid_invoices_get_nothing_and_late_charges_match_on_many_dates():
    with billed_workspace() as ws:
        ws.write("pag.csv", "fatura;data;valor\nA-000001;01/12/2026;811,75\n")
        assert ws.run("import", "payments", "pag.csv").code == 0
        date = datetime.date(2026, 12, 1)
        seen = 0
        for step in range(12):
            date += datetime.timedelta(days=7 + step % 5)
            reminders, _ = remind(ws, date.isoformat())
            assert all(d["invoice"] != "A-000001" for d in reminders), reminders
            check_amounts(ws, reminders, date)
            seen += len(reminders)
        assert seen > 20
        # Collection (channel none) reached: nothing written, the stage moved.
        assert ws.query("SELECT count(*) FROM collection_stages WHERE stage = 'in-collection'")[0][0] > 0


@test
def the_boleto_pdf_goes_with_the_email():
    with billed_workspace(pdf=True) as ws:
        reminders, _ = remind(ws, "2026-11-30")
        assert reminders
        msg = parse_eml(ws.path("out/outbox/A-000001-before-3.eml"))
        attachments = list(msg.iter_attachments())
        assert [a.get_filename() for a in attachments] == ["A-000001.pdf"], attachments
        assert attachments[0].get_content().startswith(b"%PDF"), attachments[0]
        linha = ws.query("SELECT linha_digitavel FROM boletos WHERE invoice = 1")[0][0]
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert f"{linha[:5]}.{linha[5:10]} {linha[10:15]}.{linha[15:21]}" in body, body


@test
def an_unknown_placeholder_is_a_configuration_error_before_anything_is_sent():
    with billed_workspace() as ws:
        ws.write("templates/overdue.txt", "Olá {customer_name},\nvalor {valor_total}\n")
        before = ws.dump()
        r = ws.run("remind", "--date", "2026-12-20")
        assert r.code == 78, r
        assert "overdue.txt:2:7: unknown placeholder {valor_total}" in r.stderr, r.stderr
        assert ws.dump() == before and outbox(ws) == []


@test
def two_steps_on_one_day_are_a_configuration_error():
    with billed_workspace() as ws:
        text = ws.path("billrun.yaml").read_text()
        assert "{offset: 45, action: collection" in text
        ws.path("billrun.yaml").write_text(text.replace("{offset: 45, action: collection",
                                                        "{offset: 15, action: collection"))
        r = ws.run("remind", "--date", "2026-12-20")
        assert r.code == 78 and "offset 15 is already the offset of dunning.steps[2]" in r.stderr, r


@test
def a_second_remind_waits_for_the_first_and_gives_up_with_75():
    with billed_workspace() as ws:
        with open(ws.path("billrun.db.remind.lock"), "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            before = ws.dump()
            r = ws.run("remind", "--date", "2026-11-30", env={"BILLRUN_BUSY_TIMEOUT_MS": "300"})
            assert r.code == 75, r
            assert ws.dump() == before
        reminders, _ = remind(ws, "2026-11-30")
        assert reminders


@test
def the_amount_due_of_a_reminder_settles_the_invoice_in_reconcile():
    with billed_workspace() as ws:
        reminders, _ = remind(ws, "2026-12-30")
        by_invoice = {d["invoice"]: d for d in reminders if d["status"] == "sent"}
        # A PIX of the amount due, identified by the payer's CNPJ (C004: one invoice, A-000022).
        due22 = by_invoice["A-000022"]
        assert cents(due22["fine"]) > 0
        ws.write("extrato.csv", "data;valor;historico;documento\n"
                                f"30/12/2026;{due22['amount_due'].replace('.', ',')};PIX;82.937.461/0001-50\n")
        # A boleto paid late with the charges folded into the amount (no juros split out).
        due1 = by_invoice["A-000001"]
        nosso = ws.query("SELECT nosso_numero FROM boletos WHERE invoice = 1")[0][0]
        ws.write("ret.ret", retorno_240("001", [{"nosso": nosso, "occurrence": "06", "due": "03122026",
                                                 "amount": 81175, "paid": cents(due1["amount_due"]),
                                                 "date": "30122026"}]))
        r = ws.run("reconcile", "extrato.csv", "ret.ret", "--date", "2026-12-31")
        assert r.code == 0, r
        payments = [d for d in fast_docs(r.stdout) if d["kind"] == "payment"]
        assert [(p["invoice"], p["status"]) for p in payments] == [("A-000022", "applied"), ("A-000001", "applied")]
        assert (payments[1]["fine"], payments[1]["interest"]) == (due1["fine"], due1["interest"]), payments[1]
        assert (payments[0]["fine"], payments[0]["interest"]) == (due22["fine"], due22["interest"]), payments[0]
        assert ws.query("SELECT status, balance FROM invoices WHERE id IN (1, 22) ORDER BY id") == \
            [("paid", 0), ("paid", 0)]
        assert ws.query("SELECT count(*) FROM customer_credits") == [(0,)]


if __name__ == "__main__":
    main()
