"""Boletos through Sicoob's Cobrança Bancária v3 and Banco Inter's Cobrança v3 (SPEC §6a) against
loopback mocks that demand mutual TLS (tests/e2e/sicoob_server.py, inter_server.py): registration
with one token call across two runs, the barcode check, a registration the bank committed before
answering 500 (looked up, never sent twice), Inter's asynchronous registration completed by the
next run, write-off by cancel (each bank's own key for the boleto), reconcile --bank through Sicoob's movement files and Inter's pages (empty
lists included), a wrong or missing client certificate, and secrets absent from everything. The
test PKI is made here with openssl; no key is committed."""
import datetime
import shutil
import subprocess
import tempfile
from pathlib import Path

import inter_server
import sicoob_server
from harness import edit_config, fast_docs, main, test, validate_all
from nfse_server import A1_PASSWORD, make_certificates, small_workspace
from inter_server import Inter
from sicoob_server import Sicoob

CERTS = make_certificates(Path(tempfile.mkdtemp(prefix="billrun-banks-pki-")))
DATE = "2026-11-23"


def rogue_client_pfx():
    """A client certificate from a CA the banks do not trust."""
    d = CERTS["ca.pem"].parent
    run = lambda *a: subprocess.run(["openssl", *a], cwd=d, check=True, capture_output=True)  # noqa: E731
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "rogue-client.key",
        "-out", "rogue-client.csr", "-subj", "/CN=rogue client")
    run("x509", "-req", "-in", "rogue-client.csr", "-CA", "rogue.pem", "-CAkey", "rogue.key", "-CAcreateserial",
        "-out", "rogue-client.pem", "-days", "30", "-extfile", "ca.cnf", "-extensions", "a1")
    run("pkcs12", "-export", "-inkey", "rogue-client.key", "-in", "rogue-client.pem", "-passout",
        f"pass:{A1_PASSWORD}", "-out", "rogue-client.pfx")
    return d / "rogue-client.pfx"


ROGUE_PFX = rogue_client_pfx()

SICOOB_ENV = {"SICOOB_CLIENT_ID": sicoob_server.CLIENT_ID, sicoob_server.CERT_PASSWORD_ENV: A1_PASSWORD}


def api_account(ws, mock, bank, agency, account, digit, convenio, carteira, provider, api_lines, timeout=2):
    """Turns the workspace's account `main` into an API account of `provider` at the mock."""
    shutil.copy(CERTS["ca.pem"], ws.path("certs/bank-ca.pem"))
    edit_config(ws, 'bank: "001"', f'bank: "{bank}"')
    edit_config(ws, 'agency: "1234"', f'agency: "{agency}"')
    edit_config(ws, 'agency_digit: "5"', 'agency_digit: ""')
    edit_config(ws, 'account: "123456"', f'account: "{account}"')
    edit_config(ws, 'account_digit: "7"', f'account_digit: "{digit}"')
    edit_config(ws, 'convenio: "1234567"', f'convenio: "{convenio}"')
    edit_config(ws, 'carteira: "17"', f'carteira: "{carteira}"')
    edit_config(ws, "registration: remessa", "registration: api")
    edit_config(ws, "provider: bb-cobranca-v2", f"provider: {provider}")
    edit_config(ws, 'base_url: ""', f'base_url: "{mock.base_url}"')
    edit_config(ws, 'token_url: ""', f'token_url: "{mock.token_url}"')
    edit_config(ws, "timeout_seconds: 30", f"timeout_seconds: {timeout}")
    edit_config(ws, 'certificate: ""                 # PKCS#12',
                'certificate: "certs/a1.pfx"     # PKCS#12')
    edit_config(ws, 'ca_bundle: ""                   # extra CA file for the bank',
                'ca_bundle: "certs/bank-ca.pem"  # extra CA file for the bank')
    for old, new in api_lines:
        edit_config(ws, old, new)


def sicoob_account(ws, mock, timeout=2):
    api_account(ws, mock, "756", sicoob_server.COOPERATIVA, str(sicoob_server.CONTA)[:-1],
                str(sicoob_server.CONTA)[-1], str(sicoob_server.CLIENTE), "1", "sicoob-cobranca-v3",
                [("client_id_env: BB_CLIENT_ID", "client_id_env: SICOOB_CLIENT_ID"),
                 ('password_env: ""                # variable',
                  f'password_env: {sicoob_server.CERT_PASSWORD_ENV}  # variable')], timeout)


def docs_of(r):
    docs = fast_docs(r.stdout)
    validate_all(docs)
    return [d for d in docs if d["kind"] == "boleto"], [d for d in docs if d["kind"] == "run"]


def cents(text):
    return round(float(text) * 100)


def no_secrets(ws, secrets, *results):
    """No secret appears in the output, the ledger's events, runs and registrations, or any file
    billrun wrote (the ledger itself keeps the token, as it must)."""
    texts = []
    for r in results:
        texts += [r.stdout, r.stderr]
    for table in ("events", "runs", "boleto_registrations", "payments"):
        texts.append(repr(ws.query(f"SELECT * FROM {table}")))
    for path in ws.dir.rglob("*"):
        if path.is_file() and "billrun.db" not in path.name and path.suffix not in (".pfx", ".pem"):
            texts.append(path.read_bytes().decode("latin-1"))
    for text in texts:
        for secret in secrets + ["tok-"]:
            assert secret not in text, f"{secret!r} leaked: {text[:300]!r}"


RECONCILE = ("reconcile", "--bank", "main", "--since", "2026-11-23", "--date", "2026-11-30")


def reconcile_docs(ws, env):
    r = ws.run(*RECONCILE, env=env)
    assert r.code == 0, r
    docs = fast_docs(r.stdout)
    validate_all(docs)
    return r, docs


def paid_exactly_once(ws, env, boletos, secrets, **expected):
    """reconcile --bank applies each boleto's payment once, with `expected` fields; listed again,
    every one is a duplicate."""
    _, docs = reconcile_docs(ws, env)
    payments = [d for d in docs if d["kind"] == "payment"]
    assert sorted(p["invoice"] for p in payments) == sorted(b["invoice"] for b in boletos), payments
    assert all(p["status"] == "applied" and all(p[k] == v for k, v in expected.items()) for p in payments), payments
    assert all(s == "paid" for (s,) in ws.query("SELECT status FROM invoices")), "paid"
    r, docs = reconcile_docs(ws, env)
    payments = [d for d in docs if d["kind"] == "payment"]
    assert payments and all(p["status"] == "duplicate" for p in payments), payments
    assert ws.query("SELECT count(*) FROM payments WHERE status = 'applied'") == [(len(boletos),)]
    no_secrets(ws, secrets, r)


def mismatch_waits_for_a_person(ws, bank, issue, table):
    bank.script = ["wrong"]
    r = issue(ws)
    assert r.code == 1, r
    assert "differs from billrun's" in r.stderr, r
    assert ws.query(f"SELECT count(*) FROM {table} WHERE status = 'mismatch'") == [(1,)]
    issue(ws)
    assert len(bank.register_posts) == 2, "a mismatch waits for a person, never re-sent"


# --- Sicoob -------------------------------------------------------------------------------


def sicoob_numero(doc):
    """The API's nossoNumero of a boleto document: billrun's number and its DV."""
    return int(doc["nosso_numero"])


def sicoob_registered(ws, bank, boletos):
    assert boletos, "no boleto"
    for b in boletos:
        nn = sicoob_numero(b)
        assert nn in bank.boletos, (nn, list(bank.boletos))
        assert bank.boletos[nn]["barcode"] == b["barcode"] and bank.boletos[nn]["linha"] == b["linha_digitavel"]
        assert b["registration"] == "registered", b
    rows = ws.query("SELECT status FROM boleto_registrations")
    assert rows and all(s == "registered" for (s,) in rows) and len(rows) == len(bank.boletos), rows


def sicoob_issue(ws, date=DATE, env=None):
    return ws.run("issue-boleto", "--date", date, "--no-pdf", env=env or SICOOB_ENV)


@test
def sicoob_registers_with_one_token_for_two_runs_over_mutual_tls():
    with small_workspace(CERTS) as ws, Sicoob(CERTS) as bank:
        sicoob_account(ws, bank)
        r = sicoob_issue(ws)
        assert r.code == 0, r
        boletos, runs = docs_of(r)
        assert len(boletos) == 2 and runs[0]["counts"]["registered"] == 2, r
        sicoob_registered(ws, bank, boletos)
        assert bank.token_calls == 1 and len(bank.register_posts) == 2
        form = bank.token_forms[0]
        assert form["client_id"] == [sicoob_server.CLIENT_ID] and "client_secret" not in form
        assert "cobranca_boletos_incluir" in form["scope"][0]
        req = bank.boletos[sicoob_numero(boletos[0])]["request"]
        assert req["seuNumero"] == boletos[0]["invoice"] and req["codigoModalidade"] == 1
        assert cents(req["valor"] * 1) == cents(boletos[0]["amount"]) and req["tipoMulta"] == 2
        assert {cn for *_, cn in bank.requests} == {"EXEMPLO SERVICOS DIGITAIS LTDA:11222333000181"}, \
            "every call, the token's included, with the configured client certificate"
        assert ws.query("SELECT count(*) FROM remessas") == [(0,)]
        r2 = ws.run("cycle", "--date", "2026-12-23")
        assert r2.code == 0, r2
        r3 = sicoob_issue(ws, "2026-12-23")
        assert r3.code == 0, r3
        boletos3, _ = docs_of(r3)
        assert len(boletos3) == 2
        sicoob_registered(ws, bank, boletos3)
        assert bank.token_calls == 1, "the token was kept between runs"
        no_secrets(ws, [A1_PASSWORD], r, r2, r3)


@test
def sicoob_committed_before_a_500_is_found_not_registered_twice():
    with small_workspace(CERTS) as ws, Sicoob(CERTS) as bank:
        sicoob_account(ws, bank)
        bank.script = ["500"]
        r = sicoob_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        sicoob_registered(ws, bank, boletos)
        first = sicoob_numero(boletos[0])
        assert bank.register_posts.count(first) == 1 and len(bank.boletos) == 2, bank.register_posts
        lookups = [q for m, p, q, *_ in bank.requests if m == "GET" and p.endswith("/boletos")]
        assert {"nossoNumero": [str(first)], "numeroCliente": [str(sicoob_server.CLIENTE)],
                "codigoModalidade": ["1"]} in lookups, lookups
        events = ws.query("SELECT detail FROM events WHERE action = 'registered' ORDER BY seq")
        assert "found by lookup" in events[0][0], events


@test
def sicoob_a_refusal_for_a_number_it_has_is_resolved_by_lookup():
    with small_workspace(CERTS) as ws, Sicoob(CERTS) as bank:
        sicoob_account(ws, bank)
        r = ws.run("issue-boleto", "--date", DATE, "--no-pdf", "--dry-run", env=SICOOB_ENV)
        boletos, _ = docs_of(r)
        assert bank.register_posts == [] and bank.token_calls == 0, "a dry run sends nothing"
        # The bank has the first boleto already (a run whose ledger write was lost).
        nn = sicoob_numero(boletos[0])
        bank.boletos[nn] = {"request": {"seuNumero": boletos[0]["invoice"]}, "barcode": boletos[0]["barcode"],
                            "linha": boletos[0]["linha_digitavel"], "situacao": "Em Aberto",
                            "due": datetime.date.fromisoformat(boletos[0]["due_date"]), "cents": 0}
        r = sicoob_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        sicoob_registered(ws, bank, boletos)
        events = ws.query("SELECT detail FROM events WHERE action = 'registered' ORDER BY seq")
        assert any("already registered" in e and "5004" in e for (e,) in events), events


@test
def sicoob_a_different_linha_digitavel_is_an_error():
    with small_workspace(CERTS) as ws, Sicoob(CERTS) as bank:
        sicoob_account(ws, bank)
        mismatch_waits_for_a_person(ws, bank, sicoob_issue, "boleto_registrations")


@test
def sicoob_reconcile_bank_follows_movement_requests_and_files_exactly_once():
    with small_workspace(CERTS) as ws, Sicoob(CERTS, file_size=1) as bank:
        sicoob_account(ws, bank)
        r = sicoob_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        # Nothing paid yet: every window's request names no file.
        _, docs = reconcile_docs(ws, SICOOB_ENV)
        assert [d["kind"] for d in docs] == ["run"], docs
        windows = [(m["dataInicial"], m["dataFinal"]) for m in bank.movement_posts]
        assert windows == [("2026-11-23", "2026-11-24"), ("2026-11-25", "2026-11-26"), ("2026-11-27", "2026-11-28"),
                           ("2026-11-29", "2026-11-30")], windows
        for b in boletos:
            bank.pay(sicoob_numero(b), cents(b["amount"]), datetime.date(2026, 11, 28), fee=150)
        paid_exactly_once(ws, SICOOB_ENV, boletos, [A1_PASSWORD], date="2026-11-28", fee="1.50")
        downloads = [q["idArquivo"][0] for m, p, q, *_ in bank.requests if p.endswith("/download")]
        assert len(downloads) == 4, "one file a page: both pages were fetched, by each of two runs"


@test
def sicoob_certificate_problems_are_configuration_errors():
    with small_workspace(CERTS) as ws, Sicoob(CERTS) as bank:
        sicoob_account(ws, bank)
        before = ws.dump()
        r = sicoob_issue(ws, env={**SICOOB_ENV, sicoob_server.CERT_PASSWORD_ENV: "wrong-pass-Q1"})
        assert r.code == 78 and "wrong certificate password" in r.stderr, r
        assert "wrong-pass-Q1" not in r.stdout + r.stderr
        env = dict(SICOOB_ENV)
        del env[sicoob_server.CERT_PASSWORD_ENV]
        r2 = sicoob_issue(ws, env=env)
        assert r2.code == 78 and sicoob_server.CERT_PASSWORD_ENV in r2.stderr, r2
        ws.path("certs/a1.pfx").unlink()
        r3 = sicoob_issue(ws)
        assert r3.code == 78 and "cannot read the certificate (api.certificate)" in r3.stderr, r3
        assert ws.dump() == before and bank.requests == [], "found before anything was numbered or sent"
        # A certificate the bank does not trust: refused in the handshake, named, nothing registered.
        shutil.copy(ROGUE_PFX, ws.path("certs/a1.pfx"))
        r4 = sicoob_issue(ws)
        assert r4.code == 78, r4
        assert "boleto account 'main'" in r4.stderr and "refused the TLS client certificate" in r4.stderr, r4
        assert bank.requests == [] and bank.register_posts == [], "the bank served nothing"
        assert ws.query("SELECT count(*) FROM boleto_registrations WHERE status = 'registered'") == [(0,)]
        no_secrets(ws, [A1_PASSWORD], r, r2, r3, r4)


# --- Banco Inter -------------------------------------------------------------------------

INTER_ENV = {**inter_server.ENV_IDS, inter_server.CERT_PASSWORD_ENV: A1_PASSWORD}


def inter_account(ws, mock, timeout=2):
    api_account(ws, mock, "077", "0001", inter_server.CONTA[:-1], inter_server.CONTA[-1], inter_server.OPERACAO,
                "112", "inter-cobranca-v3",
                [("client_id_env: BB_CLIENT_ID", "client_id_env: INTER_CLIENT_ID"),
                 ("client_secret_env: BB_CLIENT_SECRET", "client_secret_env: INTER_CLIENT_SECRET"),
                 ('password_env: ""                # variable',
                  f'password_env: {inter_server.CERT_PASSWORD_ENV}  # variable')], timeout)


def inter_issue(ws, date=DATE, env=None):
    return ws.run("issue-boleto", "--date", date, "--no-pdf", env=env or INTER_ENV)


def inter_registered(ws, bank, boletos):
    """Each boleto is the bank's, numbered by it, one cobrança per invoice."""
    assert boletos, "no boleto"
    for b in boletos:
        ours = bank.by_seu_numero(b["invoice"])
        assert len(ours) == 1, (b["invoice"], ours)
        c = ours[0]
        assert b["nosso_numero"] == c["nosso"] and b["barcode"] == c["barcode"] and b["linha_digitavel"] == c["linha"]
        assert b["bank"] == "077" and b["registration"] == "registered", b
    rows = ws.query("SELECT status, bank_id FROM boleto_registrations")
    assert rows and all(s == "registered" and bank_id in bank.cobrancas for s, bank_id in rows), rows


@test
def inter_registers_with_one_token_for_two_runs_and_the_bank_numbers_the_boleto():
    with small_workspace(CERTS) as ws, Inter(CERTS) as bank:
        inter_account(ws, bank)
        r = inter_issue(ws)
        assert r.code == 0, r
        boletos, runs = docs_of(r)
        assert len(boletos) == 2 and runs[0]["counts"]["registered"] == 2, r
        inter_registered(ws, bank, boletos)
        assert bank.token_calls == 1 and len(bank.register_posts) == 2
        form = bank.token_forms[0]
        assert form["scope"] == ["boleto-cobranca.read boleto-cobranca.write"], form
        req = bank.by_seu_numero(boletos[0]["invoice"])[0]["request"]
        assert cents(req["valorNominal"] * 1) == cents(boletos[0]["amount"]) and req["multa"]["codigo"] == "PERCENTUAL", req
        assert {cn for *_, cn in bank.requests} == {"EXEMPLO SERVICOS DIGITAIS LTDA:11222333000181"}
        assert ws.query("SELECT status FROM bank_requests") == [("issued",), ("issued",)]
        r2 = ws.run("cycle", "--date", "2026-12-23")
        assert r2.code == 0, r2
        r3 = inter_issue(ws, "2026-12-23")
        assert r3.code == 0, r3
        boletos3, _ = docs_of(r3)
        assert len(boletos3) == 2
        inter_registered(ws, bank, boletos3)
        assert bank.token_calls == 1, "the token was kept between runs"
        no_secrets(ws, [inter_server.CLIENT_SECRET, A1_PASSWORD], r, r2, r3)


@test
def inter_a_registration_still_processing_is_completed_by_the_next_run_without_a_second_post():
    with small_workspace(CERTS) as ws, Inter(CERTS, processing_gets=1) as bank:
        inter_account(ws, bank)
        r = inter_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        assert boletos == [] and "still issuing" in r.stderr, r
        rows = ws.query("SELECT status, attempts, bank_id FROM bank_requests ORDER BY invoice")
        assert [(s, a) for s, a, _ in rows] == [("pending", 1), ("pending", 1)], rows
        assert {b for *_, b in rows} == set(bank.cobrancas), "the bank's request ids are kept"
        assert ws.query("SELECT count(*) FROM boletos") == [(0,)], "no boleto without the bank's number"
        r = inter_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        assert len(boletos) == 2, r
        inter_registered(ws, bank, boletos)
        assert len(bank.register_posts) == 2, "completed by lookup, never sent again"
        assert ws.query("SELECT status FROM bank_requests") == [("issued",), ("issued",)]


@test
def inter_committed_before_a_500_is_found_by_seu_numero_not_registered_twice():
    with small_workspace(CERTS) as ws, Inter(CERTS) as bank:
        inter_account(ws, bank)
        bank.script = ["500"]
        r = inter_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        inter_registered(ws, bank, boletos)
        assert len(bank.register_posts) == 2 and len(bank.cobrancas) == 2, bank.register_posts
        seu = [q.get("seuNumero") for q in bank.list_queries]
        assert [boletos[0]["invoice"]] in seu, bank.list_queries
        events = ws.query("SELECT detail FROM events WHERE action = 'registered' ORDER BY seq")
        assert "found by lookup" in events[0][0], events


@test
def inter_a_barcode_that_is_not_billrun_s_computation_is_an_error():
    with small_workspace(CERTS) as ws, Inter(CERTS) as bank:
        inter_account(ws, bank)
        mismatch_waits_for_a_person(ws, bank, inter_issue, "bank_requests")
        assert "billrun's computation from its nosso número" in "".join(
            e for (e,) in ws.query("SELECT error FROM bank_requests WHERE error IS NOT NULL"))


@test
def inter_reconcile_bank_follows_pages_exactly_once():
    with small_workspace(CERTS) as ws, Inter(CERTS, page_size=1) as bank:
        inter_account(ws, bank)
        r = inter_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        _, docs = reconcile_docs(ws, INTER_ENV)
        assert [d["kind"] for d in docs] == ["run"], docs
        for b in boletos:
            code = next(k for k, v in bank.cobrancas.items() if v["request"]["seuNumero"] == b["invoice"])
            bank.pay(code, cents(b["amount"]), datetime.date(2026, 11, 28))
        paid_exactly_once(ws, INTER_ENV, boletos, [inter_server.CLIENT_SECRET, A1_PASSWORD], date="2026-11-28")
        pages = [q.get("paginacao.paginaAtual", ["0"])[0] for q in bank.list_queries if q.get("situacao")]
        assert pages[-4:] == ["0", "1", "0", "1"], bank.list_queries


@test
def inter_a_wrong_client_certificate_is_a_clear_configuration_error():
    with small_workspace(CERTS) as ws, Inter(CERTS) as bank:
        inter_account(ws, bank)
        shutil.copy(ROGUE_PFX, ws.path("certs/a1.pfx"))
        r = inter_issue(ws)
        assert r.code == 78, r
        assert "boleto account 'main'" in r.stderr and "refused the TLS client certificate" in r.stderr, r
        assert bank.requests == [] and ws.query("SELECT count(*) FROM boletos") == [(0,)]
        no_secrets(ws, [inter_server.CLIENT_SECRET, A1_PASSWORD], r)


def cancel_writes_off(ws, bank, env, boleto):
    """Cancels the boleto's invoice; checks it is written off by the bank's word, once."""
    r = ws.run("cancel", boleto["invoice"], "--reason", "Serviço não prestado ao cliente", "--code", "2",
               "--date", "2026-11-30", env=env)
    assert r.code == 0, r
    assert "written off at the bank" in r.stderr, r
    assert ws.query("SELECT status FROM boletos WHERE barcode = ?", boleto["barcode"]) == [("written-off",)]
    again = ws.run("cancel", boleto["invoice"], "--reason", "Serviço não prestado ao cliente", "--code", "2",
                   "--date", "2026-11-30", env=env)
    assert again.code == 0, again
    return [(m, p) for m, p, *_ in bank.requests if m == "POST" and p.endswith(("/baixar", "/cancelar"))]


@test
def sicoob_and_inter_cancel_write_the_boleto_off_by_their_own_keys():
    with small_workspace(CERTS) as ws, Sicoob(CERTS) as bank:
        sicoob_account(ws, bank)
        r = sicoob_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        nn = sicoob_numero(boletos[0])
        assert cancel_writes_off(ws, bank, SICOOB_ENV, boletos[0]) == [
            ("POST", f"/cobranca-bancaria/v3/boletos/{nn}/baixar")], "sent once"
        assert bank.boletos[nn]["situacao"] == "Baixado"
    with small_workspace(CERTS) as ws, Inter(CERTS) as bank:
        inter_account(ws, bank)
        r = inter_issue(ws)
        assert r.code == 0, r
        boletos, _ = docs_of(r)
        code = next(k for k, v in bank.cobrancas.items() if v["request"]["seuNumero"] == boletos[0]["invoice"])
        assert cancel_writes_off(ws, bank, INTER_ENV, boletos[0]) == [
            ("POST", f"/cobranca/v3/cobrancas/{code}/cancelar")], "by its codigoSolicitacao, once"
        assert bank.cancelled == [(code, "APEDIDODOCLIENTE")], bank.cancelled


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(CERTS["ca.pem"].parent, ignore_errors=True)
