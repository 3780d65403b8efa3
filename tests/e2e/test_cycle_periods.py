"""billrun cycle: which periods get billed, and when. Contracts starting on the 28th-31st
across leap (2024, 2028) and common years, every cycle, in advance and in arrears, with and
without an end date, billed by a cron-like sequence of runs and by a single catch-up run;
the ledger is compared with an independent computation (harness.expected_periods)."""
import bisect
import calendar
import datetime
import os
import random

from harness import (Workspace, add_months_anchored, billing_day, cpf_digits, cycle_docs, expected_periods,
                     import_records, json_docs, main, nth_period_start, test, to_date, validate_sample)

DAY = datetime.timedelta(days=1)

MONTH_STARTS = ["2023-12-28", "2023-12-31", "2024-01-28", "2024-01-29", "2024-01-30", "2024-01-31",
                "2024-02-29", "2024-03-31", "2024-08-31", "2025-01-29", "2025-01-30", "2025-01-31",
                "2027-11-30", "2027-12-31", "2028-01-29", "2028-01-31", "2028-02-29"]
MONTH_CYCLES = ["monthly", "quarterly", "semiannual", "annual"]
DAY_STARTS = ["2023-12-28", "2024-02-29", "2024-12-30", "2027-12-31", "2028-02-28"]
DAY_CYCLES = ["weekly", "every 10 days"]
MODES = ["advance", "arrears"]
FINAL = datetime.date(2029, 6, 30)

# Due rules, given round-robin: (field, value) or None (the default: ten days after issue).
DUE_RULES = [("due_days", 10), ("due_day", 31), ("due_days", 0), ("due_day", 30), None, ("due_days", 45),
             ("due_day", 5), ("due_day", 29)]


def end_variants(start, cycle):
    """No end; an end in the middle of a period; an end on a period's last day; an end on a
    period's first day (a last period of one day)."""
    return [None,
            start + datetime.timedelta(days=200),
            nth_period_start(start, cycle, 2) - DAY,
            nth_period_start(start, cycle, 3)]


def build_contracts():
    contracts = []
    plan = [(s, c) for s in MONTH_STARTS for c in MONTH_CYCLES] + [(s, c) for s in DAY_STARTS for c in DAY_CYCLES]
    n = 0
    for start_text, cycle in plan:
        start = to_date(start_text)
        for mode in MODES:
            for end in end_variants(start, cycle):
                n += 1
                contracts.append({"id": f"P{n:04d}", "customer": "C1" if n % 2 else "C2", "start": start,
                                  "end": end, "cycle": cycle, "billing": mode,
                                  "due": DUE_RULES[n % len(DUE_RULES)], "series": "B" if n % 5 == 0 else ""})
    return contracts


def contract_record(c):
    rec = {"id": c["id"], "customer": c["customer"], "items": [{"service": "SUP", "quantity": "1"}],
           "start": c["start"].isoformat(), "cycle": c["cycle"], "billing": c["billing"],
           "payment_method": "boleto"}
    if c["end"] is not None:
        rec["end"] = c["end"].isoformat()
    if c["due"] is not None:
        rec[c["due"][0]] = c["due"][1]
    if c["series"]:
        rec["series"] = c["series"]
    return rec


def expected_due(due, issue):
    if due is None:
        return issue + datetime.timedelta(days=10)
    field, value = due
    if field == "due_days":
        return issue + datetime.timedelta(days=value)
    year, month = (issue.year + 1, 1) if issue.month == 12 else (issue.year, issue.month + 1)
    return datetime.date(year, month, min(value, calendar.monthrange(year, month)[1]))


def workspace_with(contracts):
    ws = Workspace()
    import_records(ws, "customers", [{"id": "C1", "name": "Um", "tax_id": cpf_digits(111444777)},
                                     {"id": "C2", "name": "Dois", "tax_id": cpf_digits(529982247)}])
    import_records(ws, "services", [{"id": "SUP", "description": "Suporte", "unit_price": "100.00"}])
    import_records(ws, "contracts", [contract_record(c) for c in contracts])
    return ws


def business_dates(seed):
    """A cron-like sequence: daily around the leap Februaries and a year end, every few days
    (3..12, seeded) elsewhere, ending on FINAL."""
    daily = [(datetime.date(2024, 1, 25), datetime.date(2024, 3, 5)),
             (datetime.date(2024, 12, 24), datetime.date(2025, 1, 8)),
             (datetime.date(2028, 1, 25), datetime.date(2028, 3, 5))]
    rnd = random.Random(seed)
    # Under the sanitizers (7x slower) the daily windows stay and the gaps between them widen.
    gap = (20, 40) if os.environ.get("BILLRUN_E2E_SANITIZED") else (3, 12)
    d = datetime.date(2023, 12, 20)
    dates = []
    while d < FINAL:
        dates.append(d)
        step = 1 if any(a <= d <= b for a, b in daily) else rnd.randint(*gap)
        d += datetime.timedelta(days=step)
    dates.append(FINAL)
    return dates


def ledger_invoices(ws):
    rows = ws.query("SELECT i.contract, i.period_start, i.period_end, i.issue_date, i.due_date, i.series, "
                    "i.number, r.business_date FROM invoices i JOIN runs r ON r.id = i.run")
    return rows


def expected_all(contracts, as_of):
    """{(contract, start, end): billing day} for every period due by as_of."""
    out = {}
    for c in contracts:
        for p in expected_periods(c["start"], c["cycle"], c["billing"], c["end"], as_of):
            out[(c["id"], p[1].isoformat(), p[2].isoformat())] = billing_day(p, c["billing"])
    return out


def check_numbers(ws):
    for series, in ws.query("SELECT DISTINCT series FROM invoices"):
        numbers = [n for n, in ws.query("SELECT number FROM invoices WHERE series = ? ORDER BY number", series)]
        assert numbers == list(range(1, len(numbers) + 1)), (series, numbers[:10])
        assert ws.query("SELECT last_number FROM series_numbers WHERE series = ?", series) == [(len(numbers),)]


@test
def independent_period_computation_sanity():
    # The Python model itself, on the spec's own example (SPEC §4): a monthly contract from
    # 31 January has periods starting 28/29 February, 31 March, 30 April, 31 May.
    starts = [nth_period_start(datetime.date(2026, 1, 31), "monthly", k) for k in range(5)]
    assert [s.isoformat() for s in starts] == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"]
    assert add_months_anchored(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months_anchored(datetime.date(2024, 2, 29), 48) == datetime.date(2028, 2, 29)
    p = expected_periods(datetime.date(2024, 1, 31), "monthly", "arrears", datetime.date(2024, 3, 10),
                         datetime.date(2024, 12, 31))
    assert [(s.isoformat(), e.isoformat()) for _, s, e, _ in p] == [
        ("2024-01-31", "2024-02-28"), ("2024-02-29", "2024-03-10")]


@test
def cron_runs_and_one_catch_up_run_bill_the_same_periods():
    contracts = build_contracts()
    by_id = {c["id"]: c for c in contracts}
    expected = expected_all(contracts, FINAL)
    billing_days = sorted(expected.values())
    dates = business_dates(seed=20240229)
    with workspace_with(contracts) as cron:
        for i, d in enumerate(dates):
            r = cron.run("cycle", "--date", d.isoformat())
            assert r.code == 0, (d, r)
            if i % 25 == 0 or d.month == 2 and d.day >= 27:
                # Now and then read the whole output: one document per new invoice, then the run.
                invoices, run = cycle_docs(r)
                assert run["business_date"] == d.isoformat() and run["counts"]["invoices"] == len(invoices), run
                new = {(inv["contract"], inv["period"]["start"], inv["period"]["end"]) for inv in invoices}
                assert len(new) == len(invoices)
                for inv in invoices:
                    key = (inv["contract"], inv["period"]["start"], inv["period"]["end"])
                    assert key in expected, (d, key)
                    c = by_id[inv["contract"]]
                    assert inv["issue_date"] == d.isoformat(), inv
                    assert inv["due_date"] == expected_due(c["due"], d).isoformat(), (c["due"], inv)
                    assert inv["series"] == (c["series"] or "A") and inv["status"] == "issued", inv
                    assert inv["id"] == f"{inv['series']}-{inv['number']:06d}", inv
            # After each run, exactly the periods whose billing day has come are in the ledger.
            count = cron.query("SELECT count(*) FROM invoices")[0][0]
            assert count == bisect.bisect_right(billing_days, d), (d, count, bisect.bisect_right(billing_days, d))

        rows = ledger_invoices(cron)
        got = {(c, s, e) for c, s, e, *_ in rows}
        assert len(rows) == len(got), "an invoice billed twice"
        missing = sorted(set(expected) - got)[:5]
        extra = sorted(got - set(expected))[:5]
        assert got == set(expected), f"missing {missing} extra {extra}"
        for contract, start, end, issue, due, series, number, run_date in rows:
            # Billed by the first run on or after the billing day, dated that run's business date.
            first_run = dates[bisect.bisect_left(dates, expected[(contract, start, end)])]
            assert issue == first_run.isoformat() == run_date, (contract, start, end, issue, first_run, run_date)
            c = by_id[contract]
            assert due == expected_due(c["due"], to_date(issue)).isoformat(), (contract, c["due"], issue, due)
            assert series == (c["series"] or "A")
        check_numbers(cron)
        cron_set = got

    with workspace_with(contracts) as once:
        r = once.run("cycle", "--date", FINAL.isoformat(), "--format", "json")
        assert r.code == 0, r
        docs = json_docs(r.stdout)
        validate_sample(docs)  # a long stream: a sample (the cron runs' outputs were checked whole)
        invoices = [d for d in docs if d["kind"] == "invoice"]
        [run] = [d for d in docs if d["kind"] == "run"]
        assert run["counts"]["invoices"] == len(invoices) == len(expected), run["counts"]
        rows = ledger_invoices(once)
        got = {(c, s, e) for c, s, e, *_ in rows}
        assert len(rows) == len(got)
        assert got == cron_set == set(expected)
        assert {issue for _, _, _, issue, *_ in rows} == {FINAL.isoformat()}
        check_numbers(once)
        # Numbers follow the order of the stream within each series.
        for series in ("A", "B"):
            numbers = [inv["number"] for inv in invoices if inv["series"] == series]
            assert numbers == list(range(1, len(numbers) + 1)), series


@test
def every_period_of_a_long_missed_contract_is_billed_in_one_run():
    # SPEC §4: a run bills *every* period due up to D. A contract billed every day, missed
    # for five and a half years (about 2,000 periods), is caught up in one run.
    contracts = [{"id": "D1", "customer": "C1", "start": datetime.date(2024, 1, 1), "end": None,
                  "cycle": "every 1 days", "billing": "advance", "due": None, "series": ""}]
    with workspace_with(contracts) as ws:
        r = ws.run("cycle", "--date", FINAL.isoformat())
        assert r.code == 0, r
        want = (FINAL - datetime.date(2024, 1, 1)).days + 1
        got = ws.query("SELECT count(*), min(period_start), max(period_start) FROM invoices")
        # (Regression: a cap of 1,200 periods per contract and run once stopped this at 1,200.)
        assert got == [(want, "2024-01-01", FINAL.isoformat())], (got, want)


@test
def weekly_and_ten_day_periods_cross_year_ends_and_leap_days():
    contracts = [
        {"id": "W1", "customer": "C1", "start": datetime.date(2024, 12, 28), "end": None, "cycle": "weekly",
         "billing": "advance", "due": None, "series": ""},
        {"id": "W2", "customer": "C1", "start": datetime.date(2028, 2, 25), "end": datetime.date(2028, 3, 9),
         "cycle": "every 10 days", "billing": "arrears", "due": None, "series": ""},
    ]
    with workspace_with(contracts) as ws:
        r = ws.run("cycle", "--date", "2029-01-15")
        assert r.code == 0, r
        w1 = [tuple(x) for x in ws.query(
            "SELECT period_start, period_end FROM invoices WHERE contract = 'W1' ORDER BY period_start")[:2]]
        assert w1 == [("2024-12-28", "2025-01-03"), ("2025-01-04", "2025-01-10")], w1
        w2 = ws.query("SELECT period_start, period_end FROM invoices WHERE contract = 'W2' ORDER BY period_start")
        # 25 Feb + 10 days crosses 29 Feb 2028: 25 Feb..5 Mar, then 6 Mar..9 Mar (the end).
        assert w2 == [("2028-02-25", "2028-03-05"), ("2028-03-06", "2028-03-09")], w2


@test
def arrears_waits_for_the_period_end_and_advance_bills_on_the_start():
    contracts = [
        {"id": "A1", "customer": "C1", "start": datetime.date(2024, 1, 31), "end": None, "cycle": "monthly",
         "billing": "advance", "due": None, "series": ""},
        {"id": "R1", "customer": "C1", "start": datetime.date(2024, 1, 31), "end": None, "cycle": "monthly",
         "billing": "arrears", "due": None, "series": ""},
    ]
    with workspace_with(contracts) as ws:
        def periods(contract):
            return ws.query("SELECT period_start, period_end, issue_date FROM invoices WHERE contract = ? "
                            "ORDER BY period_start", contract)
        assert ws.run("cycle", "--date", "2024-01-30").code == 0
        assert ws.query("SELECT count(*) FROM invoices") == [(0,)]
        assert ws.run("cycle", "--date", "2024-01-31").code == 0
        assert periods("A1") == [("2024-01-31", "2024-02-28", "2024-01-31")]
        assert periods("R1") == []
        assert ws.run("cycle", "--date", "2024-02-27").code == 0
        assert periods("R1") == []
        assert ws.run("cycle", "--date", "2024-02-28").code == 0
        assert periods("R1") == [("2024-01-31", "2024-02-28", "2024-02-28")]
        assert ws.run("cycle", "--date", "2024-02-29").code == 0
        assert periods("A1")[1:] == [("2024-02-29", "2024-03-30", "2024-02-29")]
        assert len(periods("R1")) == 1


@test
def a_contract_of_one_day_is_billed_once_for_that_day():
    day = datetime.date(2028, 2, 29)
    contracts = [{"id": f"O{i}", "customer": "C1", "start": day, "end": day, "cycle": cycle, "billing": mode,
                  "due": None, "series": ""}
                 for i, (cycle, mode) in enumerate([("monthly", "advance"), ("annual", "arrears"),
                                                    ("weekly", "arrears"), ("every 10 days", "advance")])]
    with workspace_with(contracts) as ws:
        assert ws.run("cycle", "--date", "2028-02-28").code == 0
        assert ws.query("SELECT count(*) FROM invoices") == [(0,)]
        r = ws.run("cycle", "--date", "2028-02-29")
        assert r.code == 0, r
        invoices, _ = cycle_docs(r)
        assert sorted((d["contract"], d["period"]["start"], d["period"]["end"]) for d in invoices) == \
            [(f"O{i}", "2028-02-29", "2028-02-29") for i in range(4)]
        assert ws.run("cycle", "--date", "2031-01-01").code == 0
        assert ws.query("SELECT count(*) FROM invoices") == [(4,)]


if __name__ == "__main__":
    main()
