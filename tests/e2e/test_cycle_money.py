"""billrun cycle money: line amounts, ISS and totals in integer centavos rounded half to even
(ABNT NBR 5891), ISS withheld, federal withholdings with their minimum, daily proration,
--dry-run, and contracts set aside. Expected figures are computed here with fractions."""
from fractions import Fraction

from harness import (Workspace, cents, cnpj_digits, cpf_digits, cycle_docs, edit_config, expected_periods,
                     half_even, import_records, main, money, test, to_date)

# The example configuration's rates, with INSS set to a non-zero rate (see money_workspace).
RATES = {"pis": Fraction("0.65"), "cofins": Fraction("3.00"), "csll": Fraction("1.00"),
         "irrf": Fraction("1.50"), "inss": Fraction("1.10")}
MINIMUM = 1000  # centavos
DEFAULT_ISS = Fraction("2.00")

CUSTOMERS = [
    {"id": "P1", "name": "Pessoa Um", "tax_id": cpf_digits(111444777), "iss_withheld": "no"},
    {"id": "P2", "name": "Pessoa Dois", "tax_id": cpf_digits(529982247), "iss_withheld": "yes"},
    {"id": "J1", "name": "Empresa Um Ltda", "tax_id": cnpj_digits(472918360001), "iss_withheld": "no"},
    {"id": "J2", "name": "Empresa Dois S.A.", "tax_id": cnpj_digits(305617240001), "iss_withheld": "sim"},
    {"id": "J3", "name": "Associação Alfanumérica", "tax_id": "12.ABC.345/01DE-35", "iss_withheld": "no"},
]
SERVICES = [
    {"id": "TINY", "description": "Três centavos", "unit_price": "0.03", "iss_rate": "2.00"},
    {"id": "CENT", "description": "Um centavo", "unit_price": "0.01"},  # ISS: the company default
    {"id": "NICKEL", "description": "Cinco centavos", "unit_price": "0.05", "iss_rate": "5.00"},
    {"id": "SEVEN", "description": "Sete centavos", "unit_price": "0.07", "iss_rate": "3.00"},
    {"id": "REAL", "description": "Um real", "unit_price": "1.00", "iss_rate": "2.00"},
    {"id": "BIG", "description": "Projeto", "unit_price": "2010.00", "iss_rate": "2.90"},
    {"id": "NOPRICE", "description": "Sob consulta"},
]
SERVICE = {s["id"]: s for s in SERVICES}
COMPANY = {"J1", "J2", "J3"}
CUSTOMER_WITHHOLDS_ISS = {"P2", "J2"}


def item(service, quantity, price=None):
    it = {"service": service, "quantity": quantity}
    if price is not None:
        it["price"] = price
    return it


# Contract id -> (customer, items, extra fields). All monthly, in advance, from 2026-03-01.
CONTRACTS = {
    # Lines that end in exactly half a centavo: 0.045 -> 0.04, 0.025 -> 0.02, 0.075 -> 0.08,
    # 0.035 -> 0.04, 0.125 -> 0.12, 0.375 -> 0.38, 1.005 -> 1.00, 1.015 -> 1.02.
    "H1": ("P1", [item("TINY", "1.5"), item("CENT", "2.5"), item("NICKEL", "1.5"), item("SEVEN", "0.5"),
                  item("REAL", "0.125"), item("REAL", "0.375"), item("REAL", "1.005"), item("REAL", "1.015")], {}),
    # ISS rounded per line: 2 x (0.25 at 2% = 0.005 -> 0.00) is 0.00, not round(0.01) = 0.01;
    # 0.10 at 5% = 0.005 -> 0.00; 0.30 at 5% = 0.015 -> 0.02; 0.75 at 2% -> 0.02; 1.25 at 2% -> 0.02.
    "H2": ("P1", [item("REAL", "0.25"), item("REAL", "0.25"), item("NICKEL", "1", "0.10"),
                  item("NICKEL", "1", "0.30"), item("REAL", "1", "0.75"), item("REAL", "1", "1.25")], {}),
    # Federal withholdings on 2010.00: PIS 13.065 -> 13.06 (half even).
    "W1": ("J1", [item("BIG", "1")], {}),
    # 2030.00: PIS 13.195 -> 13.20.
    "W2": ("J1", [item("REAL", "1", "2030.00")], {}),
    # 1001.00 for a customer that withholds ISS: PIS 6.51 < 10.00 not withheld; IRRF 15.015 -> 15.02.
    "W3": ("J2", [item("REAL", "1", "1001.00")], {}),
    # 999.00: CSLL 9.99 below the minimum; IRRF 14.985 -> 14.98.
    "W4": ("J1", [item("REAL", "1", "999.00")], {}),
    # 1000.00: CSLL exactly 10.00, at the minimum: withheld.
    "W5": ("J1", [item("REAL", "1", "1000.00")], {}),
    # 100.00: every withholding below the minimum.
    "W6": ("J1", [item("REAL", "1", "100.00")], {}),
    # Alphanumeric CNPJ: a company.
    "W7": ("J3", [item("REAL", "1", "10000.00")], {}),
    # COFINS 30.015 -> 30.02 and 30.045 -> 30.04.
    "W8": ("J1", [item("REAL", "1", "1000.50")], {}),
    "W9": ("J1", [item("REAL", "1", "1001.50")], {}),
    # CPF customers: no federal withholding, however large the amount.
    "F1": ("P1", [item("REAL", "1", "10000.00")], {}),
    # A CPF customer that withholds ISS: withheld is the ISS alone.
    "F2": ("P2", [item("REAL", "1", "1000.00")], {}),
    # The contract says ISS is withheld though its customer does not.
    "CW": ("P1", [item("NICKEL", "1", "333.33")], {"iss_withheld": "yes"}),
    # Several lines for a company: withholdings on the gross of rounded lines.
    "ML": ("J1", [item("TINY", "1.5"), item("BIG", "2"), item("SEVEN", "3", "123.45"), item("CENT", "7")], {}),
}


def money_workspace(contracts=CONTRACTS, start="2026-03-01", cycle="monthly", proration=False):
    ws = Workspace()
    edit_config(ws, 'inss: "0.00"', 'inss: "1.10"')
    if proration:
        edit_config(ws, "proration: none", "proration: daily")
    import_records(ws, "customers", CUSTOMERS)
    import_records(ws, "services", SERVICES)
    records = []
    for cid, (customer, items, extra) in contracts.items():
        rec = {"id": cid, "customer": customer, "items": items, "start": extra.get("start", start),
               "cycle": extra.get("cycle", cycle), "billing": extra.get("billing", "advance"), "due_days": 10}
        for key in ("end", "iss_withheld"):
            if key in extra:
                rec[key] = extra[key]
        records.append(rec)
    import_records(ws, "contracts", records)
    return ws


def expected_lines(items, served=1, full=1):
    """[(service, quantity, unit_price, amount, iss_rate, iss)] in centavos and percent Fractions."""
    out = []
    for it in items:
        svc = SERVICE[it["service"]]
        price = cents(it.get("price") or svc["unit_price"])
        amount = half_even(Fraction(it["quantity"]) * price)
        if served != full:
            amount = half_even(Fraction(amount) * served / full)
        rate = Fraction(svc.get("iss_rate", DEFAULT_ISS))
        out.append((it["service"], it["quantity"], price, amount, rate, half_even(amount * rate / 100)))
    return out


def expected_totals(lines, customer, contract_withholds=None):
    gross = sum(line[3] for line in lines)
    iss = sum(line[5] for line in lines)
    withholds_iss = contract_withholds if contract_withholds is not None else customer in CUSTOMER_WITHHOLDS_ISS
    fed = {name: 0 for name in RATES}
    if customer in COMPANY:
        for name, rate in RATES.items():
            value = half_even(gross * rate / 100)
            fed[name] = value if value >= MINIMUM else 0
    withheld = (iss if withholds_iss else 0) + sum(fed.values())
    return {"gross": gross, "iss": iss, "withheld": withheld, "net": gross - withheld, "iss_withheld": withholds_iss,
            **fed}


def quantity_text(q):
    """How billrun prints a quantity: no trailing zeros ('1.5', '1', '0.125')."""
    d = Fraction(q)
    if d.denominator == 1:
        return str(d.numerator)
    text = f"{float(d):.3f}".rstrip("0")
    assert Fraction(text) == d, q
    return text


def check_invoice(doc, lines, totals):
    got_lines = [(l["service"], Fraction(l["quantity"]), cents(l["unit_price"]), cents(l["amount"]),
                  Fraction(l["iss_rate"])) for l in doc["lines"]]
    assert got_lines == [(s, Fraction(q), p, a, r) for s, q, p, a, r, _ in lines], (doc["contract"], doc["lines"])
    assert [l["quantity"] for l in doc["lines"]] == [quantity_text(line[1]) for line in lines], doc["lines"]
    got = {k: cents(v) for k, v in doc["totals"].items()}
    want = {k: totals[k] for k in ("gross", "iss", "withheld", "net")}
    assert got == want, (doc["contract"], got, want)
    w = doc["withholding"]
    assert w["iss_withheld"] is totals["iss_withheld"], (doc["contract"], w)
    assert {k: cents(w[k]) for k in RATES} == {k: totals[k] for k in RATES}, (doc["contract"], w, totals)
    # Totals are the sums of the rounded lines, and net = gross - withheld.
    assert cents(doc["totals"]["gross"]) == sum(cents(l["amount"]) for l in doc["lines"])
    assert cents(doc["totals"]["net"]) == cents(doc["totals"]["gross"]) - cents(doc["totals"]["withheld"])
    assert doc["balance"] == doc["totals"]["net"] and doc["currency"] == "BRL"


def check_ledger_invoice(ws, doc, lines, totals):
    [row] = ws.query("SELECT gross, iss, iss_withheld, pis, cofins, csll, irrf, inss, withheld, net, balance "
                     "FROM invoices WHERE series = ? AND number = ?", doc["series"], doc["number"])
    assert row == (totals["gross"], totals["iss"], int(totals["iss_withheld"]), totals["pis"], totals["cofins"],
                   totals["csll"], totals["irrf"], totals["inss"], totals["withheld"], totals["net"],
                   totals["net"]), (doc["contract"], row, totals)
    got = ws.query("SELECT l.amount, l.iss FROM invoice_lines l JOIN invoices i ON i.id = l.invoice "
                   "WHERE i.series = ? AND i.number = ? ORDER BY l.position", doc["series"], doc["number"])
    assert got == [(line[3], line[5]) for line in lines], (doc["contract"], got)


@test
def totals_are_sums_of_lines_rounded_half_even_with_taxes_and_withholdings():
    with money_workspace() as ws:
        r = ws.run("cycle", "--date", "2026-03-01")
        assert r.code == 0, r
        invoices, run = cycle_docs(r)
        assert sorted(d["contract"] for d in invoices) == sorted(CONTRACTS)
        assert run["counts"]["invoices"] == len(CONTRACTS) and run["counts"]["set_aside"] == 0
        for doc in invoices:
            customer, items, extra = CONTRACTS[doc["contract"]]
            assert doc["customer"] == customer and doc["status"] == "issued"
            lines = expected_lines(items)
            withholds = {"yes": True, "no": False}.get(extra.get("iss_withheld"))
            totals = expected_totals(lines, customer, withholds)
            check_invoice(doc, lines, totals)
            check_ledger_invoice(ws, doc, lines, totals)
        by = {d["contract"]: d for d in invoices}
        # The hand-worked cases of the comments above, spelled out.
        assert [l["amount"] for l in by["H1"]["lines"]] == ["0.04", "0.02", "0.08", "0.04", "0.12", "0.38", "1.00",
                                                           "1.02"]
        assert by["H2"]["totals"]["iss"] == "0.06"  # 0.00 + 0.00 + 0.00 + 0.02 + 0.02 + 0.02
        assert by["W1"]["withholding"]["pis"] == "13.06" and by["W2"]["withholding"]["pis"] == "13.20"
        assert by["W1"]["withholding"]["inss"] == "22.11"
        assert by["W3"]["withholding"]["pis"] == "0.00" and by["W3"]["withholding"]["irrf"] == "15.02"
        assert by["W3"]["totals"]["withheld"] == money(2002 + 3003 + 1001 + 1502 + 1101)  # ISS+COFINS+CSLL+IRRF+INSS
        assert by["W4"]["withholding"]["csll"] == "0.00" and by["W4"]["withholding"]["irrf"] == "14.98"
        assert by["W5"]["withholding"]["csll"] == "10.00"
        assert by["W6"]["totals"]["withheld"] == "0.00" and by["W6"]["totals"]["net"] == "100.00"
        assert by["W7"]["withholding"]["cofins"] == "300.00"
        assert by["W8"]["withholding"]["cofins"] == "30.02" and by["W9"]["withholding"]["cofins"] == "30.04"
        assert by["F1"]["totals"]["withheld"] == "0.00"
        assert by["F2"]["totals"]["withheld"] == "20.00" and by["F2"]["withholding"]["iss_withheld"] is True
        assert by["CW"]["totals"]["withheld"] == by["CW"]["totals"]["iss"] == "16.67"


# Proration: contract id -> (customer, items, extra); periods worked out in the comments.
PRORATED = {
    # April 1..15 of a 30-day period: 1.01 * 15/30 = 0.505 -> 0.50; 1.03 * 15/30 = 0.515 -> 0.52.
    "PR1": ("P1", [item("REAL", "1", "1.01"), item("REAL", "1", "1.03"), item("REAL", "1", "100.00")],
            {"start": "2026-04-01", "end": "2026-04-15"}),
    # In arrears from 31 Jan: 31 Jan..27 Feb in full, then 28 Feb..10 Mar = 11 of 31 days.
    "PR2": ("J1", [item("REAL", "1", "3100.00"), item("REAL", "1", "100.00")],
            {"start": "2026-01-31", "end": "2026-03-10", "billing": "arrears"}),
    # Quarterly from 31 Jan 2028 (leap year): 31 Jan..29 Feb is 30 of the 90 days to 29 Apr.
    "PR3": ("P1", [item("REAL", "1", "100.00"), item("NICKEL", "3")],
            {"start": "2028-01-31", "end": "2028-02-29", "cycle": "quarterly"}),
    # Weekly from Monday 6 Apr to Wednesday 8 Apr: 3 of 7 days.
    "PR4": ("P1", [item("REAL", "1", "7.00"), item("REAL", "1", "0.35")],
            {"start": "2026-04-06", "end": "2026-04-08", "cycle": "weekly"}),
    # Ends exactly on a period's last day: nothing partial, billed in full.
    "PR5": ("P1", [item("REAL", "1", "100.00")], {"start": "2026-01-31", "end": "2026-03-30"}),
    # A one-day last period: 31 Mar alone of 31 Mar..29 Apr (30 days).
    "PR6": ("P1", [item("REAL", "1", "90.00")], {"start": "2026-01-31", "end": "2026-03-31"}),
}


def check_proration(ws, proration, as_of="2028-06-30"):
    r = ws.run("cycle", "--date", as_of)
    assert r.code == 0, r
    invoices, _ = cycle_docs(r)
    seen = 0
    for cid, (customer, items, extra) in PRORATED.items():
        cycle = extra.get("cycle", "monthly")
        billing = extra.get("billing", "advance")
        periods = expected_periods(to_date(extra["start"]), cycle, billing, to_date(extra["end"]), to_date(as_of))
        docs = sorted((d for d in invoices if d["contract"] == cid), key=lambda d: d["period"]["start"])
        assert [(d["period"]["start"], d["period"]["end"]) for d in docs] == \
            [(s.isoformat(), e.isoformat()) for _, s, e, _ in periods], (cid, [d["period"] for d in docs])
        for doc, (_, s, e, full_end) in zip(docs, periods):
            served, full = (e - s).days + 1, (full_end - s).days + 1
            lines = expected_lines(items, served, full) if proration else expected_lines(items)
            totals = expected_totals(lines, customer)
            check_invoice(doc, lines, totals)
            check_ledger_invoice(ws, doc, lines, totals)
            seen += 1
    assert seen == len(invoices)
    return {(d["contract"], d["period"]["start"]): d for d in invoices}


@test
def daily_proration_bills_the_days_served_of_a_partial_last_period():
    with money_workspace(PRORATED, proration=True) as ws:
        by = check_proration(ws, proration=True)
        assert [l["amount"] for l in by[("PR1", "2026-04-01")]["lines"]] == ["0.50", "0.52", "50.00"]
        assert by[("PR2", "2026-01-31")]["totals"]["gross"] == "3200.00"
        assert by[("PR2", "2026-02-28")]["totals"]["gross"] == money(110000 + 3548)  # 100.00 * 11/31 = 35.48
        assert by[("PR3", "2028-01-31")]["totals"]["gross"] == money(3333 + 5)  # 0.15 / 3 = 0.05
        assert by[("PR4", "2026-04-06")]["totals"]["gross"] == money(300 + 15)
        assert by[("PR5", "2026-02-28")]["totals"]["gross"] == "100.00"
        assert by[("PR6", "2026-03-31")]["totals"]["gross"] == "3.00"


@test
def without_proration_a_partial_last_period_is_billed_in_full():
    with money_workspace(PRORATED) as ws:
        by = check_proration(ws, proration=False)
        assert by[("PR1", "2026-04-01")]["period"]["end"] == "2026-04-15"
        assert by[("PR1", "2026-04-01")]["totals"]["gross"] == "102.04"
        assert by[("PR6", "2026-03-31")]["totals"]["gross"] == "90.00"


@test
def dry_run_prints_provisional_invoices_and_changes_nothing():
    with money_workspace() as ws:
        assert ws.run("cycle", "--date", "2026-02-28").code == 0  # nothing due yet: a run row only
        before = ws.dump()
        r = ws.run("cycle", "--date", "2026-05-01", "--dry-run")
        assert r.code == 0, r
        dry, run = cycle_docs(r)
        assert len(dry) == 3 * len(CONTRACTS), len(dry)
        assert all(d["provisional"] is True for d in dry)
        assert sorted(d["number"] for d in dry) == list(range(1, len(dry) + 1))
        assert run["counts"]["invoices"] == len(dry) and run.get("dry_run") is True, run
        assert ws.dump() == before
        # The same run for real prints the same invoices, no longer provisional.
        r = ws.run("cycle", "--date", "2026-05-01")
        assert r.code == 0, r
        real, _ = cycle_docs(r)
        assert all("provisional" not in d or d["provisional"] is False for d in real)

        def strip(d):
            return {k: v for k, v in d.items() if k not in ("provisional", "key")}
        assert [strip(d) for d in real] == [strip(d) for d in dry]
        assert ws.query("SELECT count(*) FROM invoices") == [(len(dry),)]


@test
def a_contract_without_a_price_is_set_aside_and_the_others_billed():
    contracts = {
        "X1": ("P1", [item("NOPRICE", "1")], {}),
        "X2": ("J1", [item("REAL", "1", "500.00"), item("NOPRICE", "2")], {}),  # half-priceable: nothing written
        "X3": ("J1", [item("REAL", "1", "500.00")], {}),
        "X4": ("P1", [item("NOPRICE", "1", "5.00")], {}),  # priced on the contract
    }
    with money_workspace(contracts) as ws:
        r = ws.run("cycle", "--date", "2026-04-01")
        assert r.code == 1, r
        invoices, run = cycle_docs(r)
        assert sorted(d["contract"] for d in invoices) == ["X3", "X3", "X4", "X4"]
        assert sorted(d["number"] for d in invoices) == [1, 2, 3, 4]
        assert run["counts"]["set_aside"] == 2 and run["counts"]["invoices"] == 4, run["counts"]
        aside = {s["contract"]: s["reason"] for s in run["set_aside"]}
        assert set(aside) == {"X1", "X2"}, run["set_aside"]
        for cid in ("X1", "X2"):
            assert "NOPRICE" in aside[cid] and "price" in aside[cid], aside
            assert cid in r.stderr and "set aside" in r.stderr, r.stderr
        assert "billrun: warning:" in r.stderr or "billrun: error:" in r.stderr, r.stderr
        assert ws.query("SELECT count(*) FROM invoices WHERE contract IN ('X1', 'X2')") == [(0,)]
        assert ws.query("SELECT count(*), min(unit_price), max(unit_price) FROM invoice_lines "
                        "WHERE service = 'NOPRICE'") == [(2, 500, 500)]  # X4's only
        assert ws.query("SELECT last_number FROM series_numbers") == [(4,)]
        # Once the service has a price, the next run bills the set-aside contracts' due periods.
        import_records(ws, "services", [dict(SERVICE["NOPRICE"], unit_price="12.34")], name="s2.yaml")
        r = ws.run("cycle", "--date", "2026-04-01")
        assert r.code == 0, r
        invoices, run = cycle_docs(r)
        assert sorted((d["contract"], d["period"]["start"], d["number"]) for d in invoices) == [
            ("X1", "2026-03-01", 5), ("X1", "2026-04-01", 6), ("X2", "2026-03-01", 7), ("X2", "2026-04-01", 8)]
        x2 = next(d for d in invoices if d["contract"] == "X2")
        assert x2["totals"]["gross"] == money(50000 + 2 * 1234)
        assert run["set_aside"] == [] and run["counts"]["set_aside"] == 0


if __name__ == "__main__":
    main()
