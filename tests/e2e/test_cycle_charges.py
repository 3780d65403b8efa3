"""One-off charges (billrun import charges, then cycle): a charge with a contract rides on that
contract's next invoice as an extra line; one without gets an invoice of its own, one per
customer per run; each is billed once; a charge dated after the business date waits."""
import sqlite3
from fractions import Fraction

import jsonschema

from harness import (Workspace, cents, cnpj_digits, cpf_digits, edit_config, fast_docs, half_even, import_records,
                     import_reports, main, test, validate_all)

PRICES = {"SUP": 10000, "HORA": 15000}
ISS = {"SUP": Fraction(2), "HORA": Fraction(5)}
DESCRIPTIONS = {"SUP": "Suporte", "HORA": "Hora técnica"}

# CSV as an office exports it: Portuguese headers, ';', dd/mm/yyyy, decimal comma, ids left
# empty on some rows (then derived from the row).
CHARGES_CSV = (
    "codigo;cliente;contrato;data;servico;quantidade;preco;descricao\n"
    "CH1;P1;K1;20/01/2026;HORA;2;;Horas extras de janeiro\n"
    "CH2;P1;K1;03/02/2026;HORA;1;120,00;Visita técnica\n"
    "CH3;P1;K1;10/03/2026;HORA;1,5;;\n"
    ";J1;K2;15/01/2026;SUP;0,5;;Meia visita\n"
    ";P1;;25/01/2026;HORA;1;;Treinamento\n"
    ";P1;;25/01/2026;HORA;1;;Treinamento\n"
)
# YAML, the same field names in English; quantity left out on one (then 1).
CHARGES_YAML = [
    {"id": "L2", "customer": "P1", "date": "2026-02-01", "service": "SUP", "price": "50.00",
     "description": "Instalação"},
    {"id": "L3", "customer": "J1", "date": "2026-02-02", "service": "HORA", "quantity": "10",
     "description": "Projeto"},
    {"id": "L4", "customer": "J1", "date": "2026-04-01", "service": "SUP", "quantity": "1"},
    {"id": "CH5", "customer": "P1", "contract": "K3", "date": "2026-03-01", "service": "HORA", "quantity": "1",
     "description": "Devolução de equipamento"},
    {"id": "CH6", "customer": "J1", "contract": "K4", "date": "2026-02-15", "service": "HORA", "quantity": "3",
     "description": "Implantação"},
]


SCHEMA_PROBLEMS = []


def cycle_docs(result):
    """(invoice documents, run document) of a cycle or approve output. Documents that fail
    their schema are noted in SCHEMA_PROBLEMS (asserted by the last test) so that the other
    checks still run."""
    docs = fast_docs(result.stdout)
    for doc in docs:
        try:
            validate_all([doc])
        except jsonschema.ValidationError as e:
            SCHEMA_PROBLEMS.append(f"{doc.get('contract')} {doc.get('lines', [{}])[-1].get('charge')}: "
                                   f"{list(e.absolute_path)}: {e.message}")
    invoices = [d for d in docs if d["kind"] == "invoice"]
    runs = [d for d in docs if d["kind"] == "run"]
    assert len(invoices) + len(runs) == len(docs) and len(runs) <= 1, result
    assert not runs or docs[-1] is runs[0], result
    return invoices, (runs[0] if runs else None)


def charges_workspace(approval=False):
    ws = Workspace()
    if approval:
        edit_config(ws, "approval: none", "approval: required")
    import_records(ws, "customers", [{"id": "P1", "name": "Pessoa", "tax_id": cpf_digits(111444777)},
                                     {"id": "J1", "name": "Empresa Ltda", "tax_id": cnpj_digits(472918360001)}])
    import_records(ws, "services", [
        {"id": "SUP", "description": DESCRIPTIONS["SUP"], "unit_price": "100.00", "iss_rate": "2.00"},
        {"id": "HORA", "description": DESCRIPTIONS["HORA"], "unit_price": "150.00", "iss_rate": "5.00"}])
    import_records(ws, "contracts", [
        {"id": "K1", "customer": "P1", "items": [{"service": "SUP", "quantity": "1"}], "start": "2026-01-05",
         "cycle": "monthly", "billing": "advance", "series": "B"},
        {"id": "K2", "customer": "J1", "items": [{"service": "SUP", "quantity": "2"}], "start": "2026-01-01",
         "cycle": "monthly", "billing": "arrears", "due_day": 15},
        # One period only (10 Jan - 9 Feb), billed on 10 Jan.
        {"id": "K3", "customer": "P1", "items": [{"service": "SUP", "quantity": "1"}], "start": "2026-01-10",
         "end": "2026-02-09", "cycle": "monthly", "billing": "advance"},
        # Starts in June.
        {"id": "K4", "customer": "J1", "items": [{"service": "SUP", "quantity": "1"}], "start": "2026-06-01",
         "cycle": "monthly", "billing": "advance"},
    ])
    ws.write("avulsos.csv", CHARGES_CSV)
    r = ws.run("import", "charges", "avulsos.csv")
    assert r.code == 0, r
    [rep] = import_reports(r)
    assert rep["created"] == 6, rep
    import_records(ws, "charges", CHARGES_YAML, name="charges.yaml")
    return ws


def charge_rows(ws):
    """{charge id: (customer, contract, date, service, quantity in thousandths, price, description)}."""
    return {row[0]: row[1:] for row in ws.query(
        "SELECT id, customer, contract, date, service, quantity, price, description FROM charges")}


def summary(invoices):
    """(contract, period start, [charge ids of the lines]) per invoice, sorted."""
    return sorted(((d["contract"] or "-", d["period"]["start"] if d.get("period") else "-",
                    tuple(sorted(l["charge"] for l in d["lines"] if l.get("charge"))), d["customer"])
                   for d in invoices))


def check_lines(ws, invoices):
    charges = charge_rows(ws)
    for doc in invoices:
        for line in doc["lines"]:
            if line.get("charge"):
                customer, contract, date, service, qty, price, description = charges[line["charge"]]
                unit = price if price is not None else PRICES[service]
                assert doc["customer"] == customer and (doc["contract"] or None) == contract, (doc, line)
                assert line["service"] == service and cents(line["unit_price"]) == unit, line
                assert Fraction(line["quantity"]) == Fraction(qty, 1000), line
                assert cents(line["amount"]) == half_even(Fraction(qty, 1000) * unit), line
                assert line["description"] == (description or DESCRIPTIONS[service]), line
                assert date <= doc["issue_date"], (line, doc["issue_date"])
        # Totals: the sum of the lines (charges included), ISS per line.
        assert cents(doc["totals"]["gross"]) == sum(cents(l["amount"]) for l in doc["lines"])
        assert cents(doc["totals"]["iss"]) == sum(half_even(cents(l["amount"]) * Fraction(l["iss_rate"]) / 100)
                                                  for l in doc["lines"])
        assert cents(doc["totals"]["net"]) == cents(doc["totals"]["gross"]) - cents(doc["totals"]["withheld"])


def derived_ids(ws):
    by_desc = {}
    for cid, (customer, contract, date, *_rest) in charge_rows(ws).items():
        by_desc.setdefault((customer, contract, date), []).append(cid)
    return by_desc


@test
def charges_ride_on_the_next_invoice_or_get_their_own_each_billed_once():
    with charges_workspace() as ws:
        ids = derived_ids(ws)
        half_visit = ids[("J1", "K2", "2026-01-15")]
        training = sorted(ids[("P1", None, "2026-01-25")])
        assert len(half_visit) == 1 and len(training) == 2 and training[0] != training[1], ids
        assert ws.query("SELECT count(*) FROM charges") == [(11,)]

        # Run 1, 31 Jan: K1's January invoice takes CH1 (CH2 and CH3 are dated later); K2's
        # January (in arrears) takes the half visit; P1's loose training charges get one invoice.
        r = ws.run("cycle", "--date", "2026-01-31")
        assert r.code == 0, r
        invoices, run = cycle_docs(r)
        check_lines(ws, invoices)
        assert summary(invoices) == [
            ("-", "-", tuple(training), "P1"),
            ("K1", "2026-01-05", ("CH1",), "P1"),
            ("K2", "2026-01-01", tuple(half_visit), "J1"),
            ("K3", "2026-01-10", (), "P1"),
        ], summary(invoices)
        assert run["counts"]["charges"] == 4, run["counts"]
        k1 = next(d for d in invoices if d["contract"] == "K1")
        assert [l["service"] for l in k1["lines"]] == ["SUP", "HORA"] and k1["lines"][1]["charge"] == "CH1"
        assert k1["totals"]["gross"] == "400.00" and k1["series"] == "B"
        loose = next(d for d in invoices if d["contract"] is None)
        assert loose["period"] is None, loose  # charges alone: no contract period
        assert loose["series"] == "A" and loose["totals"]["gross"] == "300.00", loose
        assert loose["issue_date"] == "2026-01-31" and loose["due_date"] == "2026-02-10", loose

        # Run 2, 10 Feb: K1's February period with CH2; one invoice per customer for L2 and L3.
        r = ws.run("cycle", "--date", "2026-02-10")
        assert r.code == 0, r
        invoices, run = cycle_docs(r)
        check_lines(ws, invoices)
        assert summary(invoices) == [("-", "-", ("L2",), "P1"), ("-", "-", ("L3",), "J1"),
                                     ("K1", "2026-02-05", ("CH2",), "P1")], summary(invoices)
        l2 = next(d for d in invoices if d["customer"] == "P1" and d["contract"] is None)
        # L2 gave no quantity: one; its price overrides the service's.
        assert [(l["quantity"], l["unit_price"], l["amount"]) for l in l2["lines"]] == [("1", "50.00", "50.00")]
        l3 = next(d for d in invoices if d["customer"] == "J1")
        # A company customer: withholdings on 1500.00 (PIS 9.75 is below the 10.00 minimum).
        assert l3["withholding"]["cofins"] == "45.00" and l3["withholding"]["pis"] == "0.00", l3
        assert l3["withholding"]["irrf"] == "22.50" and l3["withholding"]["csll"] == "15.00", l3

        # Run 3, 10 Mar: K1 with CH3 (dated that very day); K2's February; K3 has ended, so
        # CH5 gets an invoice of its own under K3; CH6 waits for K4, which starts in June.
        r = ws.run("cycle", "--date", "2026-03-10")
        assert r.code == 0, r
        invoices, run = cycle_docs(r)
        check_lines(ws, invoices)
        assert summary(invoices) == [("K1", "2026-03-05", ("CH3",), "P1"), ("K2", "2026-02-01", (), "J1"),
                                     ("K3", "-", ("CH5",), "P1")], summary(invoices)
        ch3 = next(d for d in invoices if d["contract"] == "K1")["lines"][1]
        assert ch3["quantity"] == "1.5" and ch3["amount"] == "225.00" and ch3["description"] == "Hora técnica"
        assert ws.query("SELECT id FROM charges WHERE invoice IS NULL ORDER BY id") == [("CH6",), ("L4",)]

        # Run 4, 1 Jun: K4's first invoice carries CH6; L4 (April) its own.
        r = ws.run("cycle", "--date", "2026-06-01")
        assert r.code == 0, r
        invoices, run = cycle_docs(r)
        check_lines(ws, invoices)
        got = [s for s in summary(invoices) if s[2]]
        assert got == [("-", "-", ("L4",), "J1"), ("K4", "2026-06-01", ("CH6",), "J1")], summary(invoices)

        # Each charge billed once, on the invoice its line is on.
        assert ws.query("SELECT count(*) FROM charges WHERE invoice IS NULL") == [(0,)]
        assert ws.query("SELECT count(*) FROM charges c JOIN invoice_lines l ON l.charge = c.id "
                        "AND l.invoice = c.invoice") == [(11,)]
        assert ws.query("SELECT count(*) FROM invoice_lines WHERE charge IS NOT NULL") == [(11,)]
        before = ws.dump()
        r = ws.run("cycle", "--date", "2026-06-01")
        assert r.code == 0 and cycle_docs(r)[0] == [], r
        # Re-importing the same files (ids derived from the rows included) changes nothing.
        r = ws.run("import", "charges", "avulsos.csv", "charges.yaml")
        assert r.code == 0, r
        reports = import_reports(r)
        assert [(x["created"], x["updated"], x["unchanged"]) for x in reports] == [(0, 0, 6), (0, 0, 5)], reports
        after = ws.dump()
        assert {t for t in before if before[t] != after[t]} <= {"runs", "events"}
        assert after["charges"] == before["charges"] and after["invoices"] == before["invoices"]
        # Numbers gapless per series.
        for series, in ws.query("SELECT DISTINCT series FROM invoices"):
            numbers = [n for n, in ws.query("SELECT number FROM invoices WHERE series = ? ORDER BY number", series)]
            assert numbers == list(range(1, len(numbers) + 1)), (series, numbers)


@test
def a_charge_dated_after_the_business_date_waits_and_a_dry_run_bills_nothing():
    with charges_workspace() as ws:
        r = ws.run("cycle", "--date", "2026-01-24")
        assert r.code == 0, r
        invoices, _ = cycle_docs(r)
        # CH1 (20 Jan) rides on K1's 5 Jan invoice; the half visit waits for K2's January
        # (arrears, 31 Jan); the training charges (25 Jan) wait.
        assert summary(invoices) == [("K1", "2026-01-05", ("CH1",), "P1"), ("K3", "2026-01-10", (), "P1")]
        before = ws.dump()
        r = ws.run("cycle", "--date", "2026-01-31", "--dry-run")
        assert r.code == 0, r
        dry, _ = cycle_docs(r)
        assert len([s for s in summary(dry) if s[2]]) == 2 and all(d["provisional"] for d in dry)
        assert ws.dump() == before


@test
def charges_on_drafts_are_billed_once_too():
    with charges_workspace(approval=True) as ws:
        r = ws.run("cycle", "--date", "2026-01-31")
        assert r.code == 0, r
        drafts, _ = cycle_docs(r)
        assert all(d["status"] == "draft" for d in drafts) and len(drafts) == 4
        assert ws.query("SELECT count(*) FROM charges WHERE invoice IS NOT NULL") == [(4,)]
        r = ws.run("cycle", "--date", "2026-01-31")
        assert r.code == 0 and cycle_docs(r)[0] == [], r
        r = ws.run("approve", "--all")
        assert r.code == 0, r
        issued, _ = cycle_docs(r)
        assert summary(issued) == summary(drafts)


@test
def a_charge_whose_service_has_no_price_sets_its_contract_aside():
    with charges_workspace() as ws:
        import_records(ws, "services", [{"id": "NOP", "description": "Sob consulta"}], name="s2.yaml")
        import_records(ws, "charges", [
            {"id": "NP1", "customer": "P1", "contract": "K1", "date": "2026-01-06", "service": "NOP"},
            {"id": "NP2", "customer": "J1", "date": "2026-01-06", "service": "NOP"}], name="c2.yaml")
        r = ws.run("cycle", "--date", "2026-01-31")
        assert r.code == 1, r
        invoices, run = cycle_docs(r)
        aside = {s["contract"]: s["reason"] for s in run["set_aside"]}
        assert "K1" in aside and "NP1" in aside["K1"], run["set_aside"]
        assert any("NP2" in reason for reason in aside.values()), run["set_aside"]
        assert run["counts"]["set_aside"] == 2
        # Nothing of K1 is written (not even its own period), nor J1's loose charge invoice;
        # the others are billed.
        assert all(d["contract"] != "K1" for d in invoices)
        assert not any(d["contract"] is None and d["customer"] == "J1" for d in invoices)
        assert {d["contract"] for d in invoices} == {"K2", "K3", None}
        assert ws.query("SELECT id FROM charges WHERE invoice IS NULL AND date <= '2026-01-31' ORDER BY id") == [
            ("CH1",), ("NP1",), ("NP2",)]


@test
def charge_lines_are_not_prorated_with_the_partial_period():
    with charges_workspace() as ws:
        edit_config(ws, "proration: none", "proration: daily")
        import_records(ws, "contracts", [
            {"id": "K5", "customer": "P1", "items": [{"service": "SUP", "quantity": "1"}], "start": "2026-04-01",
             "end": "2026-04-10", "cycle": "monthly", "billing": "arrears"}], name="k5.yaml")
        import_records(ws, "charges", [{"id": "C5", "customer": "P1", "contract": "K5", "date": "2026-04-02",
                                        "service": "HORA", "quantity": "1"}], name="c5.yaml")
        r = ws.run("cycle", "--date", "2026-04-10")
        assert r.code == 0, r
        invoices, _ = cycle_docs(r)
        [k5] = [d for d in invoices if d["contract"] == "K5"]
        assert k5["period"] == {"start": "2026-04-01", "end": "2026-04-10"}
        # 10 of 30 days of 100.00, and the whole 150.00 charge.
        assert [(l["amount"], l.get("charge")) for l in k5["lines"]] == [("33.33", None), ("150.00", "C5")], k5
        assert k5["totals"]["gross"] == "183.33"


@test
def charges_naming_a_wrong_contract_are_refused_and_nothing_is_written():
    with charges_workspace() as ws:
        before = ws.dump()
        for row in ("X1;J1;K1;01/02/2026;SUP;1;;\n",   # K1 is P1's contract
                    "X2;P1;K9;01/02/2026;SUP;1;;\n",   # no such contract
                    "X3;P1;;01/02/2026;NONE;1;;\n"):   # no such service
            ws.write("bad.csv", "id;cliente;contrato;data;servico;quantidade;preco;descricao\n"
                                "OK1;P1;;01/02/2026;SUP;1;;\n" + row)
            r = ws.run("import", "charges", "bad.csv")
            assert r.code == 65, (row, r)
            assert "bad.csv:3" in r.stderr, (row, r.stderr)
            assert ws.dump() == before, row


V2_INVOICE_LINES = """
CREATE TABLE invoice_lines (
    invoice INTEGER NOT NULL REFERENCES invoices(id),
    position INTEGER NOT NULL,
    service TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    iss_rate INTEGER NOT NULL,
    iss INTEGER NOT NULL,
    charge TEXT,
    PRIMARY KEY (invoice, position)
) WITHOUT ROWID"""


@test
def a_ledger_with_a_row_per_line_gets_the_lines_inside_their_invoices():
    """Migration v15 moves each invoice's lines from rows of invoice_lines into the invoice's own
    `lines` (a JSON array): the same lines through the invoice_lines view, invoices shown as before,
    every charge still billed once, and billing goes on."""
    with charges_workspace() as ws:
        for date in ("2026-02-01", "2026-04-01"):
            assert ws.run("cycle", "--date", date).code == 0
        lines = ws.query("SELECT * FROM invoice_lines ORDER BY invoice, position")
        assert len([l for l in lines if l[9]]) >= 5 and any("é" in l[3] for l in lines), lines
        ids = [f"{series}-{number:06d}" for series, number in ws.query("SELECT series, number FROM invoices")]
        shown = {i: ws.run("show", "invoice", i) for i in ids}
        assert all(r.code == 0 and "lines" in r.stdout for r in shown.values()), shown
        # The ledger as v14 wrote it: a row per line, no lines inside the invoice.
        with ws.db() as con:
            con.execute("DROP VIEW invoice_lines")
            con.execute(V2_INVOICE_LINES)
            con.execute("CREATE UNIQUE INDEX invoice_lines_charge ON invoice_lines(charge) WHERE charge IS NOT NULL")
            con.executemany("INSERT INTO invoice_lines VALUES (?,?,?,?,?,?,?,?,?,?)", lines)
            con.execute("DROP TABLE billed_charges")
            con.execute("ALTER TABLE invoices DROP COLUMN lines")
            con.execute("PRAGMA user_version = 14")
        before = ws.dump()
        assert ws.run("report", "runs").code == 0  # any command migrates
        assert ws.query("PRAGMA integrity_check") == [("ok",)]
        assert ws.query("PRAGMA foreign_key_check") == []
        assert ws.query("SELECT * FROM invoice_lines ORDER BY invoice, position") == lines
        assert ws.query("SELECT charge, invoice, position FROM billed_charges ORDER BY charge") == \
            sorted((l[9], l[0], l[1]) for l in lines if l[9])
        after = ws.dump()
        assert [row[:-1] for row in after["invoices"]] == before["invoices"]
        assert {i: ws.run("show", "invoice", i).stdout for i in ids} == {i: r.stdout for i, r in shown.items()}
        # A charge is still billed once, ever.
        invoice, charge = ws.query("SELECT invoice, charge FROM billed_charges LIMIT 1")[0]
        with ws.db() as con:
            try:
                con.execute("INSERT INTO billed_charges VALUES (?, ?, 9)", (charge, invoice))
                raise AssertionError("a charge was billed twice")
            except sqlite3.IntegrityError as e:
                assert "UNIQUE constraint failed" in str(e), e
        r = ws.run("cycle", "--date", "2026-06-01")
        assert r.code == 0, r
        check_lines(ws, cycle_docs(r)[0])
        assert ws.query("SELECT count(*) FROM charges WHERE invoice IS NULL") == [(0,)]
        assert ws.query("SELECT count(*) FROM charges c JOIN invoice_lines l ON l.charge = c.id "
                        "AND l.invoice = c.invoice") == [(11,)]


@test
def every_document_matches_its_schema():
    # Every document printed by the tests above, invoices of charges alone (period: null) too.
    # (Regression: the schema once required period to be an object.)
    assert SCHEMA_PROBLEMS == [], sorted(set(SCHEMA_PROBLEMS))[:6]


if __name__ == "__main__":
    main()
