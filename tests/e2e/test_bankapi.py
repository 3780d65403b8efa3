"""Boletos through Banco do Brasil's API Cobranças v2 (SPEC §6a) against a loopback HTTPS mock
of the test's own (tests/e2e/bank_server.py): registration during issue-boleto, one token
call for two runs, a token the bank forgot, a 429 waited out, a request the bank committed
before answering 500 or before hanging, a duplicate answer, a barcode that differs,
reconcile --bank with paging and BB's 404-for-empty, webhook payloads confirmed before they are
applied, one payment whatever source reports it (retorno, --bank, webhook), cancel writing the
boleto off, credentials refused before anything is numbered, and secrets absent from everything.
Waits are short on purpose (api.backoff_ms, a 1 s timeout) so the file runs in a few seconds."""
import datetime
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bank_server import APP_KEY, CLIENT_ID, CLIENT_SECRET, ENV, BancoDoBrasil
from cnab_files import retorno_240
from harness import Workspace, edit_config, fast_docs, main, test, validate_all
from nfse_server import make_certificates, small_workspace

CERTS = make_certificates(Path(tempfile.mkdtemp(prefix="billrun-bank-pki-")))
DATE = "2026-11-23"
TEMPLATE = []  # small_workspace, made once: each test works on a copy of it


def workspace():
    """small_workspace's two customers and invoices, in a fresh copy for each test (its five
    billrun runs are made once per file, not once per test)."""
    if not TEMPLATE:
        TEMPLATE.append(small_workspace(CERTS))
    ws = Workspace(init=False, config=False)
    shutil.copytree(TEMPLATE[0].dir, ws.dir, dirs_exist_ok=True)
    return ws


def online(ws, bank, timeout=2):
    shutil.copy(CERTS["ca.pem"], ws.path("certs/bank-ca.pem"))
    edit_config(ws, "registration: remessa", "registration: api")
    edit_config(ws, 'base_url: ""', f'base_url: "{bank.base_url}"')
    edit_config(ws, 'token_url: ""', f'token_url: "{bank.token_url}"')
    edit_config(ws, "timeout_seconds: 30", f"timeout_seconds: {timeout}")
    edit_config(ws, "backoff_ms: 500", "backoff_ms: 20")
    edit_config(ws, 'ca_bundle: ""                   # extra CA file for the bank',
                'ca_bundle: "certs/bank-ca.pem"  # extra CA file for the bank')


def issue(ws, *args):
    return ws.run("issue-boleto", "--date", DATE, "--no-pdf", *args, env=ENV)


def docs_of(r):
    docs = fast_docs(r.stdout)
    validate_all(docs)
    return [d for d in docs if d["kind"] == "boleto"], [d for d in docs if d["kind"] == "run"]


def check_registered(ws, bank, boletos):
    assert boletos, "no boleto"
    for b in boletos:
        numero = "000" + b["nosso_numero"]
        assert numero in bank.boletos, (numero, list(bank.boletos))
        assert bank.boletos[numero]["barcode"] == b["barcode"]
        assert bank.boletos[numero]["linha"] == b["linha_digitavel"]
        assert b["registration"] == "registered", b
    rows = ws.query("SELECT status, bank_id FROM boleto_registrations ORDER BY boleto")
    assert all(s == "registered" for s, _ in rows) and len(rows) == len(bank.boletos), rows


def no_secrets(ws, *results):
    """Neither the client secret, nor the app key, nor any token the bank gave appears in the
    output, the ledger's events or the files billrun wrote."""
    secrets = [CLIENT_SECRET, APP_KEY] + ["tok-"]
    texts = []
    for r in results:
        texts += [r.stdout, r.stderr]
    texts.append(repr(ws.query("SELECT * FROM events")))
    texts.append(repr(ws.query("SELECT * FROM runs")))
    texts.append(repr(ws.query("SELECT * FROM boleto_registrations")))
    for path in ws.dir.rglob("*"):
        if path.is_file() and path.suffix not in (".db", ".db-wal", ".db-shm") and "billrun.db" not in path.name:
            texts.append(path.read_bytes().decode("latin-1"))
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked: {text[:300]!r}"


@test
def registered_online_with_one_token_for_two_runs():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        online(ws, bank)
        r = issue(ws)
        assert r.code == 0, r
        boletos, runs = docs_of(r)
        assert len(boletos) == 2 and runs[0]["counts"]["registered"] == 2, r
        check_registered(ws, bank, boletos)
        assert bank.token_calls == 1 and len(bank.register_posts) == 2
        req = bank.boletos["000" + boletos[0]["nosso_numero"]]["request"]
        assert req["numeroConvenio"] == 1234567 and req["numeroCarteira"] == 17 and req["numeroVariacaoCarteira"] == 35
        assert req["numeroTituloBeneficiario"] == boletos[0]["invoice"]
        assert round(req["valorOriginal"] * 100) == round(float(boletos[0]["amount"]) * 100)
        assert req["multa"]["tipo"] == 2 and req["multa"]["porcentagem"] == 2.0
        assert ws.query("SELECT count(*) FROM remessas") == [(0,)], "no remessa for an API account"
        # A second run: a new invoice registered with the token kept in the ledger.
        r2 = ws.run("cycle", "--date", "2026-12-23")
        assert r2.code == 0, r2
        r3 = ws.run("issue-boleto", "--date", "2026-12-23", "--no-pdf", env=ENV)
        assert r3.code == 0, r3
        boletos3, _ = docs_of(r3)
        assert len(boletos3) == 2
        assert bank.token_calls == 1, "the token was kept between runs"
        assert ws.query("SELECT count(*) FROM events WHERE entity = 'api-token'") == [(1,)]
        no_secrets(ws, r, r2, r3)


@test
def a_token_the_bank_forgot_is_renewed_once_and_the_call_retried_once():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        online(ws, bank)
        ws.run("issue-boleto", "--date", DATE, "--no-pdf", env=ENV)  # warms the token
        assert bank.token_calls == 1
        bank.expire_tokens()
        before = len(bank.requests)
        r = ws.run("reconcile", "--bank", "main", "--since", "2026-11-01", "--date", "2026-11-30", env=ENV)
        assert r.code == 0, r
        calls = [(m, p) for m, p, _ in bank.requests[before:]]
        assert calls == [("GET", "/cobrancas/v2/boletos"), ("POST", "/oauth/token"), ("GET", "/cobrancas/v2/boletos")], calls
        assert bank.token_calls == 2
        no_secrets(ws, r)


@test
def a_429_is_waited_out():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        online(ws, bank)
        bank.script = ["429"]
        started = time.monotonic()
        r = issue(ws)
        assert r.code == 0, r
        assert time.monotonic() - started >= 1.0, "Retry-After: 1 was honoured"
        boletos, _ = docs_of(r)
        check_registered(ws, bank, boletos)
        assert len(bank.register_posts) == 3 and len(bank.boletos) == 2


@test
def committed_before_a_500_is_found_not_registered_twice():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        online(ws, bank)
        bank.script = ["500"]
        r = issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        check_registered(ws, bank, boletos)
        first = "000" + boletos[0]["nosso_numero"]
        assert bank.register_posts.count(first) == 1, "one registration request, then a lookup"
        assert ("GET", f"/cobrancas/v2/boletos/{first}") in [(m, p) for m, p, _ in bank.requests]
        events = ws.query("SELECT detail FROM events WHERE action = 'registered' ORDER BY seq")
        assert "found by lookup" in events[0][0], events


@test
def committed_before_hanging_is_found_not_registered_twice():
    with workspace() as ws, BancoDoBrasil(CERTS, hang_seconds=2) as bank:
        online(ws, bank, timeout=1)
        bank.script = ["hang"]  # committed, but the answer comes after billrun gave up waiting
        r = issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        check_registered(ws, bank, boletos)
        first = "000" + boletos[0]["nosso_numero"]
        assert bank.register_posts.count(first) == 1, bank.register_posts
        assert len(bank.register_posts) == 2 and len(bank.boletos) == 2
        assert ws.query("SELECT attempts FROM boleto_registrations ORDER BY boleto") == [(1,), (1,)]


@test
def a_bank_that_is_down_leaves_boletos_pending_and_the_next_run_looks_them_up():
    with workspace() as ws:
        with BancoDoBrasil(CERTS) as down:
            online(ws, down)
        r = issue(ws)  # nobody listens on that port any more
        assert r.code == 69, r
        assert "not registered yet" in r.stderr, r
        assert ws.query("SELECT status FROM boleto_registrations") == [("pending",), ("pending",)]
        with BancoDoBrasil(CERTS) as bank:
            text = ws.path("billrun.yaml").read_text()
            old_port = down.base_url.split(":")[2].split("/")[0]
            new_port = bank.base_url.split(":")[2].split("/")[0]
            ws.path("billrun.yaml").write_text(text.replace(f"127.0.0.1:{old_port}", f"127.0.0.1:{new_port}"))
            r = issue(ws)
            assert r.code == 0, r
            assert len(bank.boletos) == 2 and len(bank.register_posts) == 2
            first = bank.register_posts[0]
            paths = [p for m, p, _ in bank.requests if m == "GET"]
            assert f"/cobrancas/v2/boletos/{first}" in paths, "an attempted registration is looked up first"


@test
def a_duplicate_answer_is_treated_as_existing():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        online(ws, bank)
        # The bank has the first boleto already (registered by a run whose ledger write was lost).
        r = ws.run("issue-boleto", "--date", DATE, "--no-pdf", "--dry-run", env=ENV)
        boletos, _ = docs_of(r)
        assert bank.register_posts == [], "a dry run sends nothing"
        numero = "000" + boletos[0]["nosso_numero"]
        bc, linha = boletos[0]["barcode"], boletos[0]["linha_digitavel"]
        bank.boletos[numero] = {"request": {}, "barcode": bc, "linha": linha, "estado": 1,
                                "due": datetime.date.fromisoformat(boletos[0]["due_date"]), "cents": 0}
        r = issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        check_registered(ws, bank, boletos)
        events = ws.query("SELECT detail FROM events WHERE action = 'registered' ORDER BY seq")
        assert any("4874915" in e[0] and "already registered" in e[0] for e in events), events


@test
def a_different_linha_digitavel_is_an_error():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        online(ws, bank)
        bank.script = ["wrong"]
        r = issue(ws)
        assert r.code == 1, r
        assert "differs from billrun's" in r.stderr, r
        assert ws.query("SELECT count(*) FROM boleto_registrations WHERE status = 'mismatch'") == [(1,)]
        r = issue(ws)
        assert len(bank.register_posts) == 2, "a mismatch waits for a person, never re-sent"


@test
def reconcile_bank_follows_pages_and_treats_404_as_empty():
    with workspace() as ws, BancoDoBrasil(CERTS, page_size=1) as bank:
        online(ws, bank)
        r = issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        # Nothing paid yet: BB answers 404.
        r = ws.run("reconcile", "--bank", "main", "--since", "2026-11-23", "--date", "2026-11-30", env=ENV)
        assert r.code == 0, r
        docs = fast_docs(r.stdout)
        validate_all(docs)
        assert [d["kind"] for d in docs] == ["run"] and docs[0]["counts"]["matched"] == 0, docs
        for b in boletos:
            bank.pay("000" + b["nosso_numero"], round(float(b["amount"]) * 100), datetime.date(2026, 11, 28))
        r = ws.run("reconcile", "--bank", "main", "--since", "2026-11-23", "--date", "2026-11-30", env=ENV)
        assert r.code == 0, r
        docs = fast_docs(r.stdout)
        validate_all(docs)
        payments = [d for d in docs if d["kind"] == "payment"]
        assert sorted(p["invoice"] for p in payments) == sorted(b["invoice"] for b in boletos), payments
        assert all(p["status"] == "applied" and p["date"] == "2026-11-28" for p in payments), payments
        pages = [q.get("indice", ["first"])[0] for q in bank.list_queries[-2:]]
        assert pages == ["first", "1"], bank.list_queries  # one boleto a page: the second page was asked for
        assert bank.list_queries[-1]["dataInicioMovimento"] == ["23.11.2026"]
        status = ws.query("SELECT status FROM invoices ORDER BY id")
        assert all(s == "paid" for (s,) in status), status
        # Listed again: nothing applied twice.
        r = ws.run("reconcile", "--bank", "main", "--since", "2026-11-23", "--date", "2026-11-30", env=ENV)
        assert r.code == 0, r
        payments = [d for d in fast_docs(r.stdout) if d["kind"] == "payment"]
        assert payments and all(p["status"] == "duplicate" for p in payments), payments
        assert ws.query("SELECT count(*) FROM payments WHERE status = 'applied'") == [(2,)]
        no_secrets(ws, r)


@test
def bad_credentials_and_missing_variables_are_configuration_errors():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        online(ws, bank)
        before = ws.query("SELECT count(*) FROM boletos")
        r = ws.run("issue-boleto", "--date", DATE, "--no-pdf", env={**ENV, "BB_CLIENT_SECRET": "wrong-secret-XYZ"})
        assert r.code == 78, r
        assert "refused the API credentials" in r.stderr and "wrong-secret-XYZ" not in r.stdout + r.stderr, r
        env = dict(ENV)
        del env["BB_APP_KEY"]
        r = ws.run("reconcile", "--bank", "main", "--date", DATE, env=env)
        assert r.code == 78 and "BB_APP_KEY" in r.stderr, r
        r = ws.run("reconcile", "--bank", "nope", "--date", DATE, env=ENV)
        assert r.code == 64, r
        assert before == [(0,)]
        assert ws.query("SELECT count(*) FROM boletos") == [(0,)], "nothing numbered when the credentials are refused"
        assert bank.register_posts == []


def issued_online(ws, bank):
    """The workspace's two invoices, their boletos registered at the mock."""
    online(ws, bank)
    r = issue(ws)
    assert r.code == 0, r
    boletos, _ = docs_of(r)
    assert len(boletos) == 2, r
    return boletos


def reconciled(ws, *args):
    r = ws.run("reconcile", "--date", "2026-11-30", *args, env=ENV)
    docs = fast_docs(r.stdout)
    validate_all(docs)
    return r, [d for d in docs if d["kind"] == "payment"], [d for d in docs if d["kind"] == "run"]


def cents(amount):
    return round(float(amount) * 100)


def applied_payments(ws):
    return ws.query("SELECT count(*) FROM payments WHERE status = 'applied'")[0][0]


@test
def one_payment_from_a_retorno_the_bank_list_and_a_webhook_is_applied_once():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        boletos = issued_online(ws, bank)
        first, second = boletos
        for b in boletos:
            bank.pay("000" + b["nosso_numero"], cents(b["amount"]), datetime.date(2026, 11, 28))
        title = lambda b: {"nosso": b["nosso_numero"], "occurrence": "06", "due": "03122026",  # noqa: E731
                           "amount": cents(b["amount"]), "paid": cents(b["amount"]), "date": "28112026"}
        # The first boleto's payment arrives by retorno first.
        ws.write("ret1.ret", retorno_240("001", [title(first)]))
        r, payments, _ = reconciled(ws, "ret1.ret")
        assert r.code == 0 and [p["status"] for p in payments] == ["applied"], r
        # The bank's list has both: the first is the same payment, the second is new.
        r, payments, runs = reconciled(ws, "--bank", "main", "--since", "2026-11-23")
        assert r.code == 0, r
        status = {p["invoice"]: p["status"] for p in payments}
        assert status == {first["invoice"]: "duplicate", second["invoice"]: "applied"}, payments
        dup = next(p for p in payments if p["status"] == "duplicate")
        assert "ret1.ret" in dup["reason"], dup
        # A retorno with both, seen after the bank's list: nothing new.
        ws.write("ret2.ret", retorno_240("001", [title(first), title(second)], nsa=2))
        r, payments, _ = reconciled(ws, "ret2.ret")
        assert r.code == 0 and [p["status"] for p in payments] == ["duplicate", "duplicate"], r
        # And the bank's webhook of both: confirmed, and nothing new either.
        ws.write("hook.json", bank.webhook(["000" + b["nosso_numero"] for b in boletos]))
        r, payments, _ = reconciled(ws, "--webhook", "hook.json")
        assert r.code == 0 and [p["status"] for p in payments] == ["duplicate", "duplicate"], r
        assert applied_payments(ws) == 2
        assert ws.query("SELECT status, balance FROM invoices ORDER BY id") == [("paid", 0), ("paid", 0)]
        assert ws.query("SELECT count(*) FROM customer_credits") == [(0,)], "nothing paid twice became credit"
        # The ledger itself refuses a second application of a settlement.
        [(settlement,)] = ws.query("SELECT settlement FROM payments WHERE source = 'ret1.ret'")
        assert settlement.startswith("boleto:") and settlement.endswith(":2026-11-28:%d:1" % cents(first["amount"]))
        with ws.db() as con:
            try:
                con.execute("INSERT INTO payments (source_key, source, record, date, amount, status, run, settlement) "
                            "VALUES ('other', 'x', '1', '2026-11-28', 1, 'applied', 1, ?)", (settlement,))
                raise AssertionError("a settlement applied twice")
            except sqlite3.IntegrityError:
                pass
        no_secrets(ws, r)


@test
def webhook_hints_are_confirmed_by_the_bank_before_anything_is_applied():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        boletos = issued_online(ws, bank)
        paid, unpaid = ("000" + b["nosso_numero"] for b in boletos)
        bank.pay(paid, cents(boletos[0]["amount"]), datetime.date(2026, 11, 28))
        # One file with a payment the bank confirms and one it does not (not paid), delivered twice.
        ws.write("hook-1.json", bank.webhook([paid, unpaid]))
        ws.write("hook-2.json", bank.webhook([paid, unpaid]))
        before = len(bank.requests)
        r, payments, runs = reconciled(ws, "--webhook", "hook-1.json", "hook-2.json")
        assert r.code == 1, r  # a hint not confirmed is set aside for a person
        assert [(p["invoice"], p["status"]) for p in payments] == [(boletos[0]["invoice"], "applied"),
                                                                    (None, "unmatched")], payments
        assert payments[0]["source"] == "hook-1.json" and payments[0]["record"] == "item 1"
        assert payments[0]["date"] == "2026-11-28" and cents(payments[0]["amount"]) == cents(boletos[0]["amount"])
        assert "not confirmed by the bank" in payments[1]["reason"] and "not paid" in payments[1]["reason"], payments
        asked = [p for m, p, _ in bank.requests[before:] if m == "GET"]
        assert sorted(asked) == sorted(f"/cobrancas/v2/boletos/{n}" for n in (paid, unpaid)), "each boleto asked once"
        assert runs[0]["counts"]["matched"] == 1 and runs[0]["counts"]["unmatched"] == 1, runs
        assert applied_payments(ws) == 1
        assert ws.query("SELECT status FROM invoices ORDER BY id") == [("paid",), ("issued",)]
        # Delivered again later (the account named this time): settled once.
        r, payments, _ = reconciled(ws, "--webhook", "--bank", "main", "hook-2.json")
        assert [p["status"] for p in payments] == ["duplicate", "unmatched"], payments
        assert applied_payments(ws) == 1
        # An amount the bank does not confirm, and a boleto the bank does not know: reported, not applied.
        bank.pay(unpaid, cents(boletos[1]["amount"]), datetime.date(2026, 11, 29))
        ws.write("hook-3.json", bank.webhook([unpaid], paid=123))
        unknown = bank.webhook([unpaid]).replace(unpaid, unpaid[:-1] + "9")
        ws.write("hook-4.json", unknown)
        ws.write("hook-5.json", bank.webhook([unpaid]).replace('"numeroConvenio": 1234567', '"numeroConvenio": 7654321'))
        r, payments, _ = reconciled(ws, "--webhook", "hook-3.json", "hook-4.json", "hook-5.json")
        assert r.code == 1 and [p["status"] for p in payments] == ["unmatched"] * 3, r
        assert "the webhook says 1.23 was paid, the bank says" in payments[0]["reason"], payments
        assert "does not know" in payments[1]["reason"], payments
        assert "no boleto account with registration: api has convênio 7654321" in payments[2]["reason"], payments
        assert applied_payments(ws) == 1
        no_secrets(ws, r)


@test
def bad_webhook_payloads_change_nothing_and_ask_no_bank():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        boletos = issued_online(ws, bank)
        numero = "000" + boletos[0]["nosso_numero"]
        bank.pay(numero, cents(boletos[0]["amount"]), datetime.date(2026, 11, 28))
        ws.write("good.json", bank.webhook([numero]))
        cases = {
            "broken.json": ('[{"id": "%s",\n  "valorPagoSacado": [}' % numero, "broken.json: line 2"),
            "noid.json": (bank.webhook([numero])[:-1] + ', {"valorPagoSacado": 1}]', "noid.json: item 2: id"),
            "amount.json": (bank.webhook([numero]).replace('"valorPagoSacado": ', '"valorPagoSacado": "1,5" , "x": '),
                            "amount.json: item 1: valorPagoSacado '1,5'"),
            "scalar.json": ('"paid"', "scalar.json: not a Banco do Brasil webhook"),
        }
        before = ws.dump()
        asked = len(bank.requests)
        for name, (payload, message) in cases.items():
            ws.write(name, payload)
            r = ws.run("reconcile", "--webhook", "good.json", name, "--date", "2026-11-30", env=ENV)
            assert r.code == 65, r
            assert message in r.stderr, (message, r.stderr)
        r = ws.run("reconcile", "--webhook", "good.json", "missing.json", "--date", "2026-11-30", env=ENV)
        assert r.code == 66 and "missing.json" in r.stderr, r
        r = ws.run("reconcile", "--webhook", "--date", "2026-11-30", env=ENV)
        assert r.code == 64, r
        r = ws.run("reconcile", "--webhook", "good.json", "--since", "2026-11-01", "--bank", "main", env=ENV)
        assert r.code == 64, r
        assert ws.dump() == before, "a bad payload changes nothing"
        assert len(bank.requests) == asked, "and asks the bank nothing"


def cancel(ws, invoice, *args):
    return ws.run("cancel", invoice, "--reason", "Serviço não prestado ao cliente", "--code", "2",
                  "--date", "2026-11-30", *args, env=ENV)


def boleto_status(ws, b):
    return ws.query("SELECT status FROM boletos WHERE nosso_numero = ?", b["nosso_numero"])[0][0]


@test
def cancel_writes_the_boleto_off_through_the_api():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        boletos = issued_online(ws, bank)
        first, second = boletos
        r = cancel(ws, first["invoice"])
        assert r.code == 0, r
        assert "written off at the bank" in r.stderr and "ask the bank" not in r.stderr, r
        assert bank.baixa_posts == ["000" + first["nosso_numero"]]
        assert bank.boletos["000" + first["nosso_numero"]]["estado"] == 7
        assert boleto_status(ws, first) == "written-off"
        [(key,)] = ws.query("SELECT id FROM boletos WHERE nosso_numero = ?", first["nosso_numero"])
        actions = [a for (a,) in ws.query("SELECT action FROM events WHERE entity = 'boleto' AND entity_id = ? "
                                          "ORDER BY run, seq", str(key))]
        assert actions[-3:] == ["write-off-requested", "write-off-sent", "written-off"], actions
        # Cancelled again: nothing more is sent.
        r = cancel(ws, first["invoice"])
        assert r.code == 0 and bank.baixa_posts == ["000" + first["nosso_numero"]], r
        # A boleto paid at the bank cannot be written off: said clearly, never marked written off.
        bank.pay("000" + second["nosso_numero"], cents(second["amount"]), datetime.date(2026, 11, 29))
        r = cancel(ws, second["invoice"])
        assert r.code == 1, r
        assert "was paid at the bank on 2026-11-29: it cannot be written off" in r.stderr, r
        assert boleto_status(ws, second) == "write-off-refused"
        assert ws.query("SELECT status FROM invoices ORDER BY id") == [("cancelled",), ("cancelled",)]
        no_secrets(ws, r)


@test
def a_write_off_without_an_answer_is_looked_up_and_an_unreachable_bank_leaves_it_pending():
    with workspace() as ws, BancoDoBrasil(CERTS) as bank:
        boletos = issued_online(ws, bank)
        first, second = boletos
        # The bank writes it off, then answers 500: the lookup finds it written off.
        bank.baixa_script = ["500"]
        r = cancel(ws, first["invoice"])
        assert r.code == 0, r
        assert boleto_status(ws, first) == "written-off"
        [(how,)] = ws.query("SELECT detail FROM events WHERE action = 'written-off'")
        assert "found written off by lookup" in how, how
        assert bank.baixa_posts == ["000" + first["nosso_numero"]], "never sent twice"
        # The bank cannot be reached: the invoice is cancelled, the write-off stays pending (69).
        port = bank.base_url.split(":")[2].split("/")[0]
        text = ws.path("billrun.yaml").read_text()
        ws.path("billrun.yaml").write_text(text.replace(f"127.0.0.1:{port}/cobrancas", "127.0.0.1:9/cobrancas"))
        r = cancel(ws, second["invoice"])
        assert r.code == 69, r
        assert "stays pending" in r.stderr and "tries again" in r.stderr, r
        assert ws.query("SELECT status FROM invoices ORDER BY id") == [("cancelled",), ("cancelled",)]
        assert boleto_status(ws, second) == "write-off", "never written off without the bank's word"
        # The next run that reaches the bank (issue-boleto here) writes it off.
        ws.path("billrun.yaml").write_text(text)
        r = issue(ws)
        assert r.code == 0, r
        assert boleto_status(ws, second) == "written-off"
        assert bank.baixa_posts == ["000" + first["nosso_numero"], "000" + second["nosso_numero"]]


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(CERTS["ca.pem"].parent, ignore_errors=True)
        for ws in TEMPLATE:
            shutil.rmtree(ws.dir, ignore_errors=True)
