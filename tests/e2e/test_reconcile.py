"""billrun reconcile: CNAB retorno and bank statements applied to invoices exactly once."""
from pathlib import Path

from cnab_files import retorno_240
from harness import EXAMPLES, Workspace, edit_config, fast_docs, import_records, main, money, test, validate_all


def reconcile_docs(r):
    docs = fast_docs(r.stdout)
    validate_all(docs)
    payments = [d for d in docs if d["kind"] == "payment"]
    runs = [d for d in docs if d["kind"] == "run"]
    assert len(runs) == 1 and docs[-1] is runs[0], r
    return payments, runs[0]


def boleto_workspace():
    ws = Workspace()
    for kind, name in (("customers", "clientes.csv"), ("services", "servicos.csv"),
                       ("contracts", "contratos.yaml")):
        assert ws.run("import", kind, EXAMPLES / name).code == 0
    assert ws.run("cycle", "--date", "2026-11-23").code == 0
    r = ws.run("issue-boleto", "--date", "2026-11-23", "--no-pdf")
    assert r.code == 0, r
    boletos = [d for d in fast_docs(r.stdout) if d["kind"] == "boleto"]
    return ws, boletos


def invoice_state(ws, invoice_id):
    return ws.query("SELECT status, balance FROM invoices WHERE series || '-' || printf('%06d', number) = ?",
                    invoice_id)[0]


@test
def a_retorno_pays_in_full_partly_and_over_and_reports_the_rest():
    ws, boletos = boleto_workspace()
    with ws:
        full, partial, over, rejected = boletos[:4]
        cents = lambda d: round(float(d["amount"]) * 100)  # noqa: E731
        titles = [
            {"nosso": full["nosso_numero"], "occurrence": "06", "due": "03122026", "amount": cents(full),
             "paid": cents(full), "date": "02122026", "fee": 150},
            {"nosso": partial["nosso_numero"], "occurrence": "06", "due": "03122026", "amount": cents(partial),
             "paid": cents(partial) - 10000, "date": "02122026"},
            {"nosso": over["nosso_numero"], "occurrence": "06", "due": "03122026", "amount": cents(over),
             "paid": cents(over) + 2500, "date": "02122026"},
            {"nosso": rejected["nosso_numero"], "occurrence": "03", "due": "03122026", "amount": cents(rejected),
             "paid": 0, "date": "02122026", "reasons": "0809"},
            {"nosso": "99999999999999999", "occurrence": "06", "due": "03122026", "amount": 1000,
             "paid": 1000, "date": "02122026"},
        ]
        ws.write("ret.ret", retorno_240("001", titles))
        before = ws.dump()
        r = ws.run("reconcile", "ret.ret", "--date", "2026-12-06")
        assert r.code == 1, r  # one unmatched and one rejected record need a look
        payments, run = reconcile_docs(r)
        by_status = {}
        for p in payments:
            by_status.setdefault(p["status"], []).append(p)
        assert len(by_status["applied"]) == 3 and len(by_status["unmatched"]) == 1, payments
        assert len(by_status["rejected"]) == 1 and "08" in by_status["rejected"][0]["reason"]
        assert invoice_state(ws, full["invoice"]) == ("paid", 0)
        assert invoice_state(ws, partial["invoice"]) == ("partly-paid", 10000)
        assert invoice_state(ws, over["invoice"]) == ("paid", 0)
        customer = ws.query("SELECT customer FROM invoices WHERE series || '-' || printf('%06d', number) = ?",
                            over["invoice"])[0][0]
        assert ws.query("SELECT sum(amount) FROM customer_credits WHERE customer = ?", customer) == [(2500,)]
        assert run["counts"]["matched"] == 3 and run["counts"]["unmatched"] == 1
        assert before != ws.dump()
        # The same file again: recognised by its content, nothing changes.
        after = ws.dump()
        r = ws.run("reconcile", "ret.ret", "--date", "2026-12-07")
        assert r.code == 0 and "already reconciled" in r.stderr, r
        assert {k: v for k, v in ws.dump().items() if k not in ("runs", "events")} == \
            {k: v for k, v in after.items() if k not in ("runs", "events")}
        # The same records in another file: each bank record is applied once, ever.
        ws.write("ret2.ret", retorno_240("001", titles, nsa=2))
        r = ws.run("reconcile", "ret2.ret", "--date", "2026-12-07")
        assert r.code == 0, r
        payments, run = reconcile_docs(r)
        assert run["counts"]["duplicate"] == 5 and all(p["status"] == "duplicate" for p in payments), run
        # Refused by the ledger's unique source key, whatever the record's kind: nothing written
        # but the run and its file.
        assert all("reconciled before" in p["reason"] for p in payments), payments
        unchanged = ("runs", "events", "reconciled_files")
        assert {k: v for k, v in ws.dump().items() if k not in unchanged} == \
            {k: v for k, v in after.items() if k not in unchanged}
        assert ws.query("SELECT count(*) FROM events WHERE run = ? AND entity NOT IN ('run', 'file')", run["run"]) \
            == [(0,)]
        assert invoice_state(ws, partial["invoice"]) == ("partly-paid", 10000)


def half_paid(doc):
    """Half of a boleto's amount, and a retorno record paying that on 2 December."""
    half = round(float(doc["amount"]) * 100) // 2
    return half, {"nosso": doc["nosso_numero"], "occurrence": "06", "due": "03122026", "amount": half * 2,
                  "paid": half, "date": "02122026"}


@test
def two_identical_records_in_one_file_are_two_payments():
    ws, boletos = boleto_workspace()
    with ws:
        doc = boletos[0]
        half, title = half_paid(doc)
        ws.write("ret.ret", retorno_240("001", [title, title]))
        r = ws.run("reconcile", "ret.ret", "--date", "2026-12-02")
        assert r.code == 0, r
        payments, run = reconcile_docs(r)
        assert [p["status"] for p in payments] == ["applied", "applied"] and run["counts"]["matched"] == 2
        rest = round(float(doc["amount"]) * 100) - 2 * half
        assert invoice_state(ws, doc["invoice"]) == ("paid" if rest == 0 else "partly-paid", rest)
        # The same two records in another file: both already applied.
        ws.write("ret2.ret", retorno_240("001", [title, title], nsa=2))
        r = ws.run("reconcile", "ret2.ret", "--date", "2026-12-03")
        payments, run = reconcile_docs(r)
        assert run["counts"]["duplicate"] == 2 and run["counts"]["matched"] == 0, run


@test
def a_payment_read_ahead_sees_what_the_run_paid_before_it():
    """Records are read and looked up ahead of the ledger writes, in batches; a second payment
    of an invoice further down the file (another batch), or in the run's next file, starts from
    the balance the first one left."""
    ws, boletos = boleto_workspace()
    with ws:
        doc = boletos[0]
        cents = round(float(doc["amount"]) * 100)
        third = cents // 3
        pay = lambda date: {"nosso": doc["nosso_numero"], "occurrence": "06", "due": "03122026",  # noqa: E731
                            "amount": cents, "paid": third, "date": date}
        # Occurrence 04 is none reconcile acts on: 600 records that only move the second payment on.
        other = {"nosso": boletos[1]["nosso_numero"], "occurrence": "04", "due": "03122026",
                 "amount": 1000, "paid": 0, "date": "02122026"}
        ws.write("a.ret", retorno_240("001", [pay("01122026")] + [other] * 600 + [pay("02122026")]))
        ws.write("b.ret", retorno_240("001", [pay("03122026")], nsa=2))
        r = ws.run("reconcile", "a.ret", "b.ret", "--date", "2026-12-03")
        assert r.code == 0, r
        payments, run = reconcile_docs(r)
        assert [p["status"] for p in payments] == ["applied"] * 3 and run["counts"]["ignored"] == 600, run
        rest = cents - 3 * third
        assert invoice_state(ws, doc["invoice"]) == ("paid" if rest == 0 else "partly-paid", rest)
        assert [p["reason"] for p in payments][:2] == [f"partly paid: {money(cents - third)} still open",
                                                       f"partly paid: {money(cents - 2 * third)} still open"]


@test
def a_retorno_of_more_records_than_a_write_batch_pays_each_invoice_once_with_its_event():
    """The invoices' and boletos' updates and events are held back and written many rows to a
    statement (1,024 held at most, 64 rows a statement, the rest one by one): 1,300 records
    cross each of those edges; every invoice paid once, its event naming its payment."""
    n = 1300
    with Workspace() as ws:
        with ws.db() as con:
            con.executescript(f"""
BEGIN;
INSERT INTO runs (id, command, business_date, started, status)
  VALUES (1000000, 'setup', '2026-11-01', '2026-11-01T00:00:00-03:00', 'ok');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
INSERT INTO customers (id, name, tax_id, email, street, number, district, city, state, zip, content_hash, run)
  SELECT printf('C%07d', i), printf('Cliente %d', i), '11144477735', 'f@cliente.example.com.br', 'Rua A', 1,
         'Centro', 'São Paulo', 'SP', '01310100', 0, 1000000 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
INSERT INTO invoices (id, series, number, status, customer, issue_date, due_date, gross, iss, iss_withheld, pis,
                      cofins, csll, irrf, inss, withheld, net, balance, payment_method, bank_account, run)
  SELECT i, 'A', i, 'issued', printf('C%07d', i), '2026-11-30', '2026-12-10', 10000 + i, 0, 0, 0, 0, 0, 0, 0,
         0, 10000 + i, 10000 + i, 'boleto', 'main', 1000000 FROM n;
INSERT INTO series_numbers VALUES ('A', {n});
COMMIT;
""")
        r = ws.run("issue-boleto", "--no-pdf", "--date", "2026-11-30", "-q")
        assert r.code == 0, r
        boletos = ws.query("SELECT nosso_numero, amount FROM boletos ORDER BY id")
        titles = [{"nosso": nosso, "occurrence": "06", "due": "10122026", "amount": amount, "paid": amount,
                   "date": "05122026"} for nosso, amount in boletos]
        ws.write("ret.ret", retorno_240("001", titles))
        r = ws.run("reconcile", "ret.ret", "--date", "2026-12-06")
        assert r.code == 0, r
        payments, run = reconcile_docs(r)
        assert run["counts"]["matched"] == n, run
        assert [p["invoice"] for p in payments] == [f"A-{i:06d}" for i in range(1, n + 1)]
        assert ws.query("SELECT status, count(*), sum(balance) FROM invoices GROUP BY status") == [("paid", n, 0)]
        assert ws.query("SELECT status, count(*) FROM boletos GROUP BY status") == [("paid", n)]
        events = ws.query("SELECT e.entity_id, e.detail FROM events e JOIN payments p ON e.detail LIKE 'payment ' || "
                          "p.id || ' of %' WHERE e.entity = 'invoice' AND e.action = 'paid' ORDER BY e.seq")
        assert [int(invoice) for invoice, _ in events] == list(range(1, n + 1)), events[:3]
        [payment] = ws.run("show", "payment", n).docs()
        assert [h["detail"] for h in payment["history"]] == [events[-1][1]], payment


@test
def the_credit_of_an_overpayment_pays_the_next_invoice_first():
    ws, boletos = boleto_workspace()
    with ws:
        doc = next(d for d in boletos if d["invoice"].endswith("000001"))
        cents = round(float(doc["amount"]) * 100)
        ws.write("ret.ret", retorno_240("001", [{"nosso": doc["nosso_numero"], "occurrence": "06", "due": "03122026",
                                                 "amount": cents, "paid": cents + 5000, "date": "02122026"}]))
        assert ws.run("reconcile", "ret.ret", "--date", "2026-12-06").code == 0
        customer = ws.query("SELECT customer FROM invoices WHERE number = 1")[0][0]
        r = ws.run("cycle", "--date", "2027-01-15")
        assert r.code == 0, r
        first_new = ws.query("SELECT net, balance FROM invoices WHERE customer = ? AND issue_date = '2027-01-15' "
                             "ORDER BY id LIMIT 1", customer)[0]
        assert first_new[1] == first_new[0] - 5000, first_new
        assert ws.query("SELECT sum(amount) FROM customer_credits WHERE customer = ?", customer) == [(0,)]


@test
def a_csv_statement_matches_by_amount_and_payer_and_never_guesses():
    with Workspace() as ws:
        import_records(ws, "customers", [{"id": "C1", "name": "Um", "tax_id": "111.444.777-35"},
                                         {"id": "C2", "name": "Dois", "tax_id": "529.982.247-25"}])
        import_records(ws, "services", [{"id": "S", "description": "Serviço", "unit_price": "100,00"}])
        import_records(ws, "contracts", [
            {"id": "K1", "customer": "C1", "items": ["S"], "start": "2026-11-01", "payment_method": "other"},
            {"id": "K2", "customer": "C2", "items": ["S"], "start": "2026-11-01", "payment_method": "other"}])
        assert ws.run("cycle", "--date", "2026-11-01").code == 0
        ws.write("extrato.csv", "data;valor;historico;documento\n"
                                "05/11/2026;100,00;PIX RECEBIDO;111.444.777-35\n"
                                "06/11/2026;-30,00;TARIFA;\n", encoding="cp1252")
        ws.write("extrato2.csv", "data;valor;historico;documento\n"
                                 "07/11/2026;100,00;TED RECEBIDA;\n")
        # The unidentified TED comes first, while both invoices of 100,00 are open: it is
        # listed with both candidates and applied to neither.
        r = ws.run("reconcile", "extrato2.csv", "extrato.csv", "--date", "2026-11-08")
        assert r.code == 1, r
        payments, run = reconcile_docs(r)
        assert [p["status"] for p in payments] == ["ambiguous", "applied"], payments
        assert "A-000001" in payments[0]["reason"] and "A-000002" in payments[0]["reason"], payments
        assert payments[1]["invoice"] == "A-000001"
        assert run["counts"]["ambiguous"] == 1 and run["counts"]["matched"] == 1, run
        assert ws.query("SELECT status FROM invoices ORDER BY id") == [("paid",), ("issued",)]


@test
def payments_received_outside_the_bank_are_imported_once():
    ws, boletos = boleto_workspace()
    with ws:
        doc = boletos[0]
        ws.write("pag.csv", f"fatura;data;valor\n{doc['invoice']};10/12/2026;{doc['amount'].replace('.', ',')}\n")
        r = ws.run("import", "payments", "pag.csv")
        assert r.code == 0, r
        assert invoice_state(ws, doc["invoice"]) == ("paid", 0)
        r = ws.run("import", "payments", "pag.csv")
        assert r.code == 0 and "unchanged: 1" in r.stdout, r
        assert ws.query("SELECT count(*) FROM payments") == [(1,)]


@test
def a_file_that_cannot_be_read_changes_nothing():
    ws, boletos = boleto_workspace()
    with ws:
        doc = boletos[0]
        good = retorno_240("001", [{"nosso": doc["nosso_numero"], "occurrence": "06", "due": "03122026",
                                    "amount": 100, "paid": 100, "date": "02122026"}])
        ws.write("good.ret", good)
        ws.write("bad.ret", good.replace(b"02122026", b"31022026"))
        before = ws.dump()
        r = ws.run("reconcile", "good.ret", "bad.ret")
        assert r.code == 65 and "bad.ret:" in r.stderr, r
        assert ws.dump() == before
        ws.write("remessa.ret", Path(ws.path("out")).joinpath("remessa").glob("*.rem").__next__().read_bytes()
                 if Path(ws.path("out/remessa")).exists() else b"01REMESSA01COBRANCA" + b" " * 381 + b"\r\n")
        r = ws.run("reconcile", "remessa.ret")
        assert r.code == 65, r
        assert ws.dump() == before


@test
def the_example_retorno_and_statement_pay_the_demo_invoices():
    """examples/retorno-bb.ret and extrato.csv are what scripts/demo reconciles: they must
    keep matching the examples' boletos and invoices."""
    ws, boletos = boleto_workspace()
    with ws:
        r = ws.run("reconcile", EXAMPLES / "retorno-bb.ret", EXAMPLES / "extrato.csv", "--date", "2026-12-05")
        assert r.code == 0, r
        payments, run = reconcile_docs(r)
        assert [(p["invoice"], p["status"]) for p in payments] == [
            ("A-000001", "applied"), ("A-000002", "applied"), ("A-000011", "applied"), ("A-000012", "confirmed"),
            ("A-000022", "applied")], payments
        assert payments[2]["interest"] == "20.00"
        assert run["counts"]["ignored"] == 1  # the bank fee debit of the statement
        assert invoice_state(ws, "A-000001") == ("paid", 0)
        assert invoice_state(ws, "A-000002") == ("partly-paid", 31175)
        assert invoice_state(ws, "A-000011") == ("paid", 0)  # 610,00 paid = 590,00 + 20,00 interest
        assert invoice_state(ws, "A-000012") == ("issued", 59000)
        assert invoice_state(ws, "A-000022") == ("paid", 0)
        assert ws.query("SELECT status FROM boletos WHERE invoice = 12") == [("registered",)]


@test
def a_ledger_from_before_the_payment_identity_gets_it_for_its_payments():
    """Migration v11 gives the payments applied before it their settlement, the same the code
    gives (rank among identical payments of a boleto), so a source seen after the upgrade
    finds them."""
    ws, boletos = boleto_workspace()
    with ws:
        doc = boletos[0]
        half, title = half_paid(doc)
        ws.write("ret.ret", retorno_240("001", [title, title]))
        assert ws.run("reconcile", "ret.ret", "--date", "2026-12-02").code == 0
        expected = ws.query("SELECT id, settlement FROM payments ORDER BY id")
        assert [s for _, s in expected] == [f"boleto:{n}" for n in ("1:2026-12-02:%d:1" % half,
                                                                    "1:2026-12-02:%d:2" % half)], expected
        with ws.db() as con:  # the ledger as the version before wrote it
            con.execute("DROP INDEX payments_settled_once")
            con.execute("ALTER TABLE payments DROP COLUMN settlement")
            con.execute("DROP TABLE bank_requests")  # v12, which came after
            con.execute("PRAGMA user_version = 10")
        assert ws.run("report", "runs").code == 0  # any command migrates
        assert ws.query("SELECT id, settlement FROM payments ORDER BY id") == expected
        # The same records in another file: the settlements, not only the records, are known.
        ws.write("ret2.ret", retorno_240("001", [title, title], nsa=2))
        r = ws.run("reconcile", "ret2.ret", "--date", "2026-12-03")
        payments, run = reconcile_docs(r)
        assert run["counts"]["duplicate"] == 2 and run["counts"]["matched"] == 0, run


if __name__ == "__main__":
    main()
