"""billrun report: aging, statement, stages, invoices and runs, checked against figures this
test computes itself from what it billed and paid (the invoice documents `cycle` printed and
the payments it imported), on several business dates; CSV neutralisation, table width,
JSON/YAML keys, bad input, and that a report never writes the ledger."""
import csv
import datetime
import io
import json
import re

import yaml

from harness import (Workspace, cents, cpf_digits, cycle_docs, import_records, json_docs, main, money, test,
                     to_date)

EVIL = '=HYPERLINK("http://x")'
MONEY = re.compile(r"^-?\d+\.\d\d$")
BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"]
AGING_KEYS = ["customer", "name"] + BUCKETS + ["total"]
CYCLE_DATES = ["2026-01-05", "2026-02-05", "2026-03-05", "2026-04-05", "2026-05-05"]
# (invoice of customer/month, payment date, amount): full, partial, over (the excess a credit
# that pays part of C2's next invoice), and late partial payments.
PAYMENTS = [("C2", 0, "2026-01-10", 15000), ("C1", 0, "2026-01-20", 10000), ("C1", 1, "2026-03-01", 4000),
            ("C3", 0, "2026-02-14", 10000), ("C1", 2, "2026-04-30", 2550)]
CANCELLED = ("C3", 3, "2026-04-10")  # C3's April invoice, cancelled on this business date


def bucket(days):
    if days <= 0:
        return "current"
    for name, last in (("1-30", 30), ("31-60", 60), ("61-90", 90)):
        if days <= last:
            return name
    return "90+"


class Ledger:
    """A ledger built through the binary, with what this test knows of it."""

    def __init__(self):
        self.ws = Workspace()
        import_records(self.ws, "customers", [
            {"id": "C1", "name": "Padaria São Jorge", "tax_id": cpf_digits(111444777), "owner": "Ana"},
            {"id": "C2", "name": EVIL, "tax_id": cpf_digits(529982247), "owner": "Bruno"},
            {"id": "C3", "name": "Construtora Ação & Obra de Engenharia e Incorporações Ltda",
             "tax_id": cpf_digits(123456789), "owner": "Ana"}])
        import_records(self.ws, "services", [{"id": "S", "description": "Suporte", "unit_price": "100,00"}])
        import_records(self.ws, "contracts", [
            {"id": f"K{c}", "customer": f"C{c}", "items": ["S"], "start": "2026-01-05", "cycle": "monthly",
             "billing": "advance", "due_days": 10, "payment_method": "boleto"} for c in (1, 2, 3)])
        self.invoices = {}  # (customer, month index) -> invoice document
        self.payments = []  # (invoice id, date, centavos)
        for month, date in enumerate(CYCLE_DATES):
            r = self.ws.run("cycle", "--date", date)
            assert r.code == 0, r
            invoices, _ = cycle_docs(r)
            for inv in invoices:
                self.invoices[(inv["customer"], month)] = inv
            for customer, index, paid_on, amount in PAYMENTS:
                if index == month:
                    self.pay(self.invoices[(customer, index)]["id"], paid_on, amount)
            if CANCELLED[1] == month:
                inv = self.invoices[CANCELLED[:2]]
                r = self.ws.run("cancel", inv["id"], "--reason", "Serviço não prestado neste mês", "--code", "2",
                                "--date", CANCELLED[2])
                assert r.code == 0, r
        r = self.ws.run("issue-boleto", "--date", CYCLE_DATES[-1], "--no-pdf")
        assert r.code == 0, r
        r = self.ws.run("cycle", "--date", "2026-06-05")  # invoices without a boleto: stage `created`
        assert r.code == 0, r
        for inv in cycle_docs(r)[0]:
            self.invoices[(inv["customer"], 5)] = inv

    def pay(self, invoice, date, amount):
        d = to_date(date)
        self.ws.write("pagamentos.csv", f"fatura;data;valor\n{invoice};{d:%d/%m/%Y};{money(amount).replace('.', ',')}\n")
        r = self.ws.run("import", "payments", "pagamentos.csv", "--date", date)
        assert r.code == 0, r
        self.payments.append((invoice, d, amount))

    def cancelled_on(self, inv):
        return to_date(CANCELLED[2]) if inv is self.invoices[CANCELLED[:2]] else None

    def open_balances(self, as_of):
        """{invoice id: (customer, due date, open balance)} as of a date: the balance the cycle
        printed (net less credit used) less what was paid by then, never below zero."""
        out = {}
        for inv in self.invoices.values():
            issued = to_date(inv["issue_date"])
            cancelled = self.cancelled_on(inv)
            if issued > as_of or (cancelled and cancelled <= as_of):
                continue
            paid = sum(a for i, d, a in self.payments if i == inv["id"] and d <= as_of)
            balance = max(cents(inv["balance"]) - paid, 0)
            if balance:
                out[inv["id"]] = (inv["customer"], to_date(inv["due_date"]), balance)
        return out

    def aging(self, as_of):
        rows = {}
        for customer, due, balance in self.open_balances(as_of).values():
            row = rows.setdefault(customer, dict.fromkeys(BUCKETS, 0))
            row[bucket((as_of - due).days)] += balance
        return rows

    def statement_closing(self, customer, as_of):
        """What the customer owes as of a date: invoices issued (and not cancelled by then) less payments."""
        owed = sum(cents(inv["totals"]["net"]) for (c, _), inv in self.invoices.items()
                   if c == customer and to_date(inv["issue_date"]) <= as_of
                   and not (self.cancelled_on(inv) and self.cancelled_on(inv) <= as_of))
        paid = sum(a for i, d, a in self.payments if d <= as_of and
                   any(inv["id"] == i and c == customer for (c, _), inv in self.invoices.items()))
        return owed - paid


LEDGER = None


def ledger():
    global LEDGER
    if LEDGER is None:
        LEDGER = Ledger()
    return LEDGER


def report(*args, fmt="yaml", ok=True):
    r = ledger().ws.run("report", *args, "--format", fmt)
    if ok:
        assert r.code == 0 and r.stderr == "", r
    return r


def one_doc(r):
    docs = r.docs()
    assert len(docs) == 1, r
    return docs[0]


@test
def aging_matches_an_independent_computation_on_several_dates():
    lg = ledger()
    for date in ["2026-01-04", "2026-01-15", "2026-02-20", "2026-03-16", "2026-04-09", "2026-04-10",
                 "2026-05-20", "2026-06-30", "2026-08-15", "2026-12-31"]:
        as_of = to_date(date)
        doc = one_doc(report("aging", "--date", date))
        assert doc["kind"] == "report-aging" and doc["version"] == 1 and doc["business_date"] == date, doc
        expected = lg.aging(as_of)
        rows = doc["rows"]
        assert rows[-1]["customer"] == "TOTAL", rows
        got = {row["customer"]: {b: cents(row[b]) for b in BUCKETS} for row in rows[:-1]}
        assert got == expected, (date, got, expected)
        for row in rows:
            assert list(row) == AGING_KEYS, row
            assert all(MONEY.match(row[k]) for k in AGING_KEYS[2:]), row
            assert cents(row["total"]) == sum(cents(row[b]) for b in BUCKETS), row
        for b in BUCKETS + ["total"]:
            assert cents(rows[-1][b]) == sum(cents(row[b]) for row in rows[:-1]), (b, rows)
    # After the last payment the aging total is what the ledger keeps open now.
    doc = one_doc(report("aging", "--date", "2026-12-31"))
    [(open_now,)] = lg.ws.query("SELECT sum(balance) FROM invoices WHERE status IN ('issued', 'partly-paid')")
    assert cents(doc["rows"][-1]["total"]) == open_now
    # Every bucket is reached on some date, and the cancelled invoice counts until its day only.
    seen = set()
    for date in ["2026-02-20", "2026-04-09", "2026-05-20", "2026-08-15"]:
        for row in one_doc(report("aging", "--date", date))["rows"][:-1]:
            seen |= {b for b in BUCKETS if cents(row[b])}
    assert seen == set(BUCKETS), seen
    before = one_doc(report("aging", "--date", "2026-04-09", "--customer", "C3"))["rows"][0]
    after = one_doc(report("aging", "--date", "2026-04-10", "--customer", "C3"))["rows"][0]
    assert cents(before["total"]) - cents(after["total"]) == 10000, (before, after)


@test
def aging_filters_by_owner_and_customer():
    doc = one_doc(report("aging", "--date", "2026-05-20", "--owner", "Ana"))
    assert [r["customer"] for r in doc["rows"]] == ["C1", "C3", "TOTAL"] and doc["owner"] == "Ana", doc
    doc = one_doc(report("aging", "--date", "2026-05-20", "--customer", "C2"))
    assert [r["customer"] for r in doc["rows"]] == ["C2", "TOTAL"], doc
    assert doc["rows"][0]["name"] == EVIL
    doc = one_doc(report("aging", "--date", "2026-05-20", "--owner", "Nobody"))
    assert [r["customer"] for r in doc["rows"]] == ["TOTAL"] and doc["rows"][0]["total"] == "0.00", doc


@test
def statement_runs_a_balance_from_opening_to_closing():
    lg = ledger()
    for customer in ("C1", "C2", "C3"):
        for date in ["2026-01-12", "2026-02-20", "2026-04-20", "2026-06-30"]:
            as_of = to_date(date)
            doc = one_doc(report("statement", customer, "--date", date))
            assert doc["kind"] == "report-statement" and doc["customer"] == customer and doc["to"] == date, doc
            rows = doc["rows"]
            assert rows[0]["type"] == "opening" and rows[-1]["type"] == "closing", rows
            assert list(rows[0]) == ["date", "type", "document", "description", "debit", "credit", "balance"]
            balance = 0
            for row in rows[1:-1]:
                assert row["date"] <= date, row
                if row["balance"] is None:  # a note: credit kept or used
                    assert row["type"] in ("credit", "credit-used") and row["debit"] is None, row
                    continue
                balance += cents(row["debit"] or "0") - cents(row["credit"] or "0")
                assert cents(row["balance"]) == balance, (row, balance)
            expected = lg.statement_closing(customer, as_of)
            assert cents(rows[-1]["balance"]) == balance == expected == cents(doc["closing_balance"]), \
                (customer, date, rows[-1], expected)
            # What is owed = the open invoices less the credit not used yet.
            open_total = sum(b for c, _, b in lg.open_balances(as_of).values() if c == customer)
            assert cents(doc["open_invoices"]) == open_total, (customer, date, doc)
            assert cents(doc["closing_balance"]) == open_total - cents(doc["credit"]), (customer, date, doc)


@test
def statement_shows_the_overpayment_as_credit_and_its_use():
    doc = one_doc(report("statement", "C2", "--date", "2026-02-10"))
    types = [(r["date"], r["type"]) for r in doc["rows"]]
    assert types == [(None, "opening"), ("2026-01-05", "invoice"), ("2026-01-10", "payment"),
                     ("2026-01-10", "credit"), ("2026-02-05", "invoice"), ("2026-02-05", "credit-used"),
                     ("2026-02-10", "closing")], types
    balances = [r["balance"] for r in doc["rows"]]
    assert balances == ["0.00", "100.00", "-50.00", None, "50.00", None, "50.00"], balances
    assert "50.00" in doc["rows"][3]["description"] and "50.00" in doc["rows"][5]["description"]
    # Between the overpayment and the next invoice the customer has credit: a negative balance.
    doc = one_doc(report("statement", "C2", "--date", "2026-01-31"))
    assert doc["closing_balance"] == "-50.00" and doc["credit"] == "50.00" and doc["open_invoices"] == "0.00", doc
    # --from gives an opening balance of what came before.
    doc = one_doc(report("statement", "C2", "--date", "2026-04-01", "--from", "2026-02-01", "--to", "2026-03-31"))
    assert doc["opening_balance"] == "-50.00" and doc["rows"][0]["balance"] == "-50.00", doc
    assert doc["rows"][0]["date"] == "2026-02-01" and doc["rows"][-1]["date"] == "2026-03-31", doc
    assert all("2026-02-01" <= r["date"] <= "2026-03-31" for r in doc["rows"]), doc


@test
def statement_of_a_cancelled_invoice_takes_it_back_on_its_day():
    doc = one_doc(report("statement", "C3", "--date", "2026-04-30"))
    cancel = [r for r in doc["rows"] if r["type"] == "cancellation"]
    assert len(cancel) == 1 and cancel[0]["date"] == CANCELLED[2] and cancel[0]["credit"] == "100.00", doc


@test
def stages_count_open_invoices_per_owner_and_stage():
    ws = ledger().ws
    doc = one_doc(report("stages"))
    assert doc["kind"] == "report-stages" and doc["version"] == 1
    expected = {}
    for owner, has_boleto, balance in ws.query(
            "SELECT c.owner, EXISTS (SELECT 1 FROM boletos b WHERE b.invoice = i.id), i.balance FROM invoices i "
            "JOIN customers c ON c.id = i.customer WHERE i.status IN ('issued', 'partly-paid')"):
        key = (owner, "due-date-set" if has_boleto else "created")
        count, amount = expected.get(key, (0, 0))
        expected[key] = (count + 1, amount + balance)
    rows = doc["rows"]
    got = {(r["owner"], r["stage"]): (r["count"], cents(r["amount"])) for r in rows if r["owner"] != "TOTAL"}
    assert got == expected, (got, expected)
    assert {k[1] for k in got} == {"created", "due-date-set"}, got
    total = rows[-1]
    assert (total["owner"], total["stage"]) == ("TOTAL", "all"), rows
    assert total["count"] == sum(c for c, _ in expected.values())
    assert cents(total["amount"]) == sum(a for _, a in expected.values())
    doc = one_doc(report("stages", "--owner", "Bruno"))
    assert {r["owner"] for r in doc["rows"]} == {"Bruno", "TOTAL"}, doc


@test
def invoices_and_runs_list_with_filters():
    ws = ledger().ws
    doc = one_doc(report("invoices"))
    assert doc["kind"] == "report-invoices"
    rows = doc["rows"]
    assert len(rows) == ws.query("SELECT count(*) FROM invoices")[0][0] == doc["totals"]["count"]
    assert list(rows[0])[:13] == ["id", "series", "number", "status", "customer", "contract", "period_start",
                                  "period_end", "issue_date", "due_date", "gross", "net", "balance"], rows[0]
    db = {f"A-{n:06d}": (s, b) for n, s, b in ws.query("SELECT number, status, balance FROM invoices")}
    assert {r["id"]: (r["status"], cents(r["balance"])) for r in rows} == db
    assert cents(doc["totals"]["balance"]) == sum(b for _, b in db.values())
    open_rows = one_doc(report("invoices", "--status", "open", "--customer", "C1"))["rows"]
    assert open_rows and all(r["status"] in ("issued", "partly-paid") and r["customer"] == "C1" for r in open_rows)
    march = one_doc(report("invoices", "--from", "2026-03-01", "--to", "2026-03-31"))["rows"]
    assert len(march) == 3 and {r["issue_date"] for r in march} == {"2026-03-05"}, march
    assert one_doc(report("invoices", "--status", "cancelled"))["rows"][0]["id"] == \
        ledger().invoices[CANCELLED[:2]]["id"]
    assert one_doc(report("invoices", "--series", "Z"))["rows"] == []
    doc = one_doc(report("runs"))
    assert doc["kind"] == "report-runs" and len(doc["rows"]) == ws.query("SELECT count(*) FROM runs")[0][0]
    cycles = one_doc(report("runs", "--command", "cycle"))["rows"]
    assert [r["business_date"] for r in cycles] == CYCLE_DATES + ["2026-06-05"], cycles
    imports = one_doc(report("runs", "--command", "import"))["rows"]
    assert {r["command"] for r in imports} == {"import customers", "import services", "import contracts",
                                               "import payments"}, imports
    assert json.loads(cycles[0]["counts"])["invoices"] == 3, cycles[0]


@test
def csv_neutralises_formulas_but_keeps_numbers():
    r = report("aging", "--date", "2026-05-20", fmt="csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == AGING_KEYS, rows
    evil = next(row for row in rows if row[0] == "C2")
    assert evil[1] == "'" + EVIL, evil
    for row in rows[1:]:
        assert all(MONEY.match(cell) for cell in row[2:]), row
    assert rows[-1][:2] == ["TOTAL", ""]
    # A negative running balance stays a number a spreadsheet can add up.
    r = report("statement", "C2", "--date", "2026-01-31", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[-1]["balance"] == "-50.00", rows
    # Quoting: the evil name is quoted for its quotes (RFC 4180) and reads back whole.
    r = report("aging", "--date", "2026-05-20", fmt="csv")
    assert "\"'=HYPERLINK(\"\"http://x\"\")\"" in r.stdout, r.stdout


@test
def tables_fit_in_80_columns():
    for args in (["aging", "--date", "2026-08-15"], ["statement", "C3", "--date", "2026-08-15"],
                 ["statement", "C2", "--date", "2026-08-15"], ["stages"], ["invoices"], ["runs"]):
        r = report(*args, fmt="table")
        lines = r.stdout.splitlines()
        assert len(lines) > 4, r
        too_wide = [line for line in lines if len(line) > 80]
        assert not too_wide, (args, too_wide)
    text = report("aging", "--date", "2026-08-15", fmt="table").stdout
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("customer"))
    assert set(lines[header + 1]) <= {"-", " "}, lines
    # The money columns end where their titles end, in pt-BR form.
    title = lines[header]
    for row in lines[header + 2:]:
        if set(row) <= {"-", " "}:
            continue
        assert row.rstrip().endswith(",00") or re.search(r"\d,\d\d$", row), row
        assert len(row.rstrip()) == len(title.rstrip()), (row, title)
    assert re.search(r"^TOTAL\s", lines[-1]), lines


@test
def json_and_out_file_formats():
    ws = ledger().ws
    r = report("aging", "--date", "2026-05-20", fmt="json")
    [doc] = json_docs(r.stdout)
    assert doc == one_doc(report("aging", "--date", "2026-05-20")), doc
    for name, check in (("a.csv", lambda t: t.startswith("customer,name,current")),
                        ("a.json", lambda t: json.loads(t)["kind"] == "report-aging"),
                        ("a.yaml", lambda t: yaml.safe_load(t)["kind"] == "report-aging"),
                        ("a.yml", lambda t: yaml.safe_load(t)["kind"] == "report-aging"),
                        ("a.txt", lambda t: t.startswith("report") and "customer" in t)):
        r = ws.run("report", "aging", "--date", "2026-05-20", "--out", name)
        assert r.code == 0 and r.stdout == "", r
        assert check(ws.path(name).read_text(encoding="utf-8")), name
    # --format wins over the extension.
    r = ws.run("report", "aging", "--date", "2026-05-20", "-o", "b.txt", "--format", "csv")
    assert r.code == 0 and ws.path("b.txt").read_text().startswith("customer,"), r


@test
def reports_never_write_the_ledger():
    ws = ledger().ws
    before = ws.dump()
    for args in (["aging"], ["statement", "C1"], ["stages"], ["invoices"], ["runs"]):
        for fmt in ("yaml", "json", "csv", "table"):
            assert ws.run("report", *args, "--format", fmt, "--date", "2026-07-01").code == 0
    assert ws.dump() == before


@test
def bad_input_gives_a_clear_message():
    ws = ledger().ws
    before = ws.dump()
    cases = [
        (["agin"], 64, "did you mean 'aging'"),
        (["widgets"], 64, "unknown report 'widgets'"),
        (["statement"], 64, "CUSTOMER"),
        (["statement", "NOPE"], 65, "no customer with id 'NOPE'"),
        (["aging", "--customer", "NOPE"], 65, "NOPE"),
        (["aging", "--series", "A"], 64, "does not take --series"),
        (["stages", "C1"], 64, "takes no argument"),
        (["invoices", "--status", "pago"], 64, "--status 'pago'"),
        (["runs", "--status", "done"], 64, "--status 'done'"),
        (["invoices", "--from", "2026-13-01"], 64, "--from '2026-13-01'"),
        (["invoices", "--from", "2026-05-01", "--to", "2026-04-01"], 64, "after --to"),
        (["aging", "--format", "xml"], 64, "--format 'xml'"),
        (["aging", "--date", "2026-02-30"], 64, "--date"),
    ]
    for args, code, text in cases:
        r = ws.run("report", *args)
        assert r.code == code and text in r.stderr and r.stderr.startswith("billrun: error:"), (args, r)
        assert r.stdout == "", (args, r)
    assert ws.run("report").code == 64
    r = ws.run("report", "runs", "--ledger", "missing.db")
    assert r.code == 66 and "missing.db" in r.stderr, r
    assert ws.dump() == before


if __name__ == "__main__":
    try:
        main()
    finally:
        if LEDGER is not None:
            LEDGER.ws.__exit__()
