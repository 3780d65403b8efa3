"""billrun cycle bills each contract period exactly once: missed runs catch up, re-runs
create nothing, two runs at once serialise, a run killed at any moment leaves a consistent
ledger that the next run completes, and a locked ledger gives exit 75."""
import datetime
import os
import random
import re
import signal
import sqlite3
import subprocess
import time

from harness import (BIN, Workspace, cpf_digits, cycle_docs, expected_periods, import_records, json_docs, main,
                     test, to_date, validate_sample)


def small_workspace():
    ws = Workspace()
    import_records(ws, "customers", [{"id": "C1", "name": "Um", "tax_id": cpf_digits(111444777)},
                                     {"id": "C2", "name": "Dois", "tax_id": cpf_digits(529982247)}])
    import_records(ws, "services", [{"id": "SUP", "description": "Suporte", "unit_price": "100.00"},
                                    {"id": "LIC", "description": "Licença", "unit_price": "39.90"}])
    import_records(ws, "contracts", [
        {"id": "M1", "customer": "C1", "items": [{"service": "SUP", "quantity": "1"}], "start": "2026-01-15",
         "cycle": "monthly", "billing": "advance"},
        {"id": "M2", "customer": "C2", "items": [{"service": "LIC", "quantity": "3"}], "start": "2026-01-31",
         "cycle": "monthly", "billing": "advance", "series": "B"},
        {"id": "M3", "customer": "C2", "items": [{"service": "SUP", "quantity": "2"}], "start": "2026-01-01",
         "cycle": "monthly", "billing": "arrears"},
    ])
    return ws


def check_gapless(ws):
    """Numbers 1..N in every series, series_numbers at N, no (contract, period) twice."""
    series_seen = set()
    for series, in ws.query("SELECT DISTINCT series FROM invoices"):
        series_seen.add(series)
        numbers = [n for n, in ws.query("SELECT number FROM invoices WHERE series = ? ORDER BY number", series)]
        assert numbers == list(range(1, len(numbers) + 1)), (series, numbers[:20])
        assert ws.query("SELECT last_number FROM series_numbers WHERE series = ?", series) == [(len(numbers),)], \
            (series, len(numbers), ws.query("SELECT * FROM series_numbers"))
    assert {s for s, in ws.query("SELECT series FROM series_numbers")} == series_seen
    dup = ws.query("SELECT contract, period_start, count(*) FROM invoices GROUP BY contract, period_start "
                   "HAVING count(*) > 1 LIMIT 5")
    assert dup == [], dup


def check_issued_events(ws):
    """Every invoice has exactly one "issued" event, of the run that created it: an event of its
    own (entity_id = its key) or a bulk one whose key range [key_from, key_to] covers it; no
    "issued" event covers a key that is not an invoice."""
    run_of = dict(ws.query("SELECT id, run FROM invoices"))
    covered = {}
    for entity_id, run, key_from, key_to in ws.query(
            "SELECT entity_id, run, key_from, key_to FROM events WHERE entity = 'invoice' AND action = 'issued'"):
        keys = range(key_from, key_to + 1) if key_from is not None else [int(entity_id)]
        for key in keys:
            assert key in run_of, f"an issued event for key {key}, which is no invoice"
            assert run_of[key] == run, (key, run_of[key], run)
            covered[key] = covered.get(key, 0) + 1
    without = [k for k in run_of if covered.get(k) != 1][:10]
    assert without == [], f"invoices without exactly one issued event: {without}"


def periods_of(ws, contract):
    return ws.query("SELECT period_start, period_end, issue_date FROM invoices WHERE contract = ? "
                    "ORDER BY period_start", contract)


@test
def a_run_missed_for_three_months_bills_each_period_once():
    with small_workspace() as ws:
        r = ws.run("cycle", "--date", "2026-01-31")
        assert r.code == 0, r
        assert r.stderr == "", r  # quiet for cron when all went well
        invoices, run = cycle_docs(r)
        assert [(i["contract"], i["period"]["start"]) for i in invoices] == \
            [("M1", "2026-01-15"), ("M2", "2026-01-31"), ("M3", "2026-01-01")]
        assert run["counts"]["invoices"] == 3
        # No run in February, March, April: the run of 20 April bills the missed months.
        r = ws.run("cycle", "--date", "2026-04-20")
        assert r.code == 0, r
        invoices, run = cycle_docs(r)
        assert run["counts"]["invoices"] == len(invoices) == 7, run
        assert periods_of(ws, "M1") == [("2026-01-15", "2026-02-14", "2026-01-31"),
                                        ("2026-02-15", "2026-03-14", "2026-04-20"),
                                        ("2026-03-15", "2026-04-14", "2026-04-20"),
                                        ("2026-04-15", "2026-05-14", "2026-04-20")]
        assert periods_of(ws, "M2") == [("2026-01-31", "2026-02-27", "2026-01-31"),
                                        ("2026-02-28", "2026-03-30", "2026-04-20"),
                                        ("2026-03-31", "2026-04-29", "2026-04-20")]
        # In arrears: January, February and March have ended; April has not.
        assert periods_of(ws, "M3") == [("2026-01-01", "2026-01-31", "2026-01-31"),
                                        ("2026-02-01", "2026-02-28", "2026-04-20"),
                                        ("2026-03-01", "2026-03-31", "2026-04-20")]
        # Each period on its own invoice, with its own number.
        assert all(len(i["lines"]) == 1 for i in invoices)
        assert sorted(i["number"] for i in invoices if i["series"] == "A") == [3, 4, 5, 6, 7]
        assert sorted(i["number"] for i in invoices if i["series"] == "B") == [2, 3]
        check_gapless(ws)


@test
def running_the_same_cycle_twice_creates_nothing_the_second_time():
    with small_workspace() as ws:
        r = ws.run("cycle", "--date", "2026-06-30")
        assert r.code == 0, r
        first, _ = cycle_docs(r)
        assert len(first) == 6 + 6 + 6
        before = ws.dump()
        r = ws.run("cycle", "--date", "2026-06-30")
        assert r.code == 0, r
        invoices, run = cycle_docs(r)
        assert invoices == [] and run["counts"]["invoices"] == 0, r
        after = ws.dump()
        # Only the new run's row (and no event, no invoice, no number) differs.
        assert {t for t in before if before[t] != after[t]} <= {"runs"}, [t for t in before if before[t] != after[t]]
        assert len(after["runs"]) == len(before["runs"]) + 1
        # An earlier business date bills nothing either.
        r = ws.run("cycle", "--date", "2026-03-01")
        assert r.code == 0, r
        assert cycle_docs(r)[0] == []
        assert ws.query("SELECT count(*) FROM invoices") == [(18,)]
        check_gapless(ws)


def many_contracts_workspace(n, start_days=28):
    """n monthly contracts (two items each) of 50 customers, imported from CSV."""
    ws = Workspace()
    lines = ["id;name;tax_id"] + [f"C{i:03d};Cliente {i};{cpf_digits(200000000 + i)}" for i in range(50)]
    ws.write("c.csv", "\n".join(lines) + "\n")
    ws.write("s.csv", "id;description;unit_price\nSUP;Suporte;100,00\nLIC;Licença;39,90\n")
    rows = ["id;customer;service;quantity;start;cycle;billing;series"]
    contracts = {}
    for i in range(n):
        start = datetime.date(2026, 1, 1 + i % start_days)
        billing = "arrears" if i % 3 == 0 else "advance"
        series = "B" if i % 4 == 0 else ""
        cid = f"K{i:05d}"
        contracts[cid] = (start, billing)
        rows.append(f"{cid};C{i % 50:03d};SUP;1;{start.isoformat()};monthly;{billing};{series}")
        rows.append(f"{cid};C{i % 50:03d};LIC;2;{start.isoformat()};monthly;{billing};{series}")
    ws.write("k.csv", "\n".join(rows) + "\n")
    for kind, name in (("customers", "c.csv"), ("services", "s.csv"), ("contracts", "k.csv")):
        r = ws.run("import", kind, name)
        assert r.code == 0, r
    return ws, contracts


def expected_set(contracts, as_of):
    out = set()
    for cid, (start, billing) in contracts.items():
        for _, s, e, _ in expected_periods(start, "monthly", billing, None, as_of):
            out.add((cid, s.isoformat(), e.isoformat()))
    return out


def ledger_set(ws):
    rows = ws.query("SELECT contract, period_start, period_end FROM invoices")
    got = set(rows)
    assert len(got) == len(rows), "a period billed twice"
    return got


def popen_cycle(ws, date, out_name):
    """Starts `billrun cycle --format json` in the background, its stdout and stderr in files."""
    env = dict(os.environ)
    env.pop("BILLRUN_LEDGER", None)
    env.pop("BILLRUN_CONFIG", None)
    env["TZ"] = "UTC"
    # The second run waits for the first, however slow the machine (a sanitizer build under
    # a parallel ctest): this test is about serialising, the timeout has its own.
    env["BILLRUN_BUSY_TIMEOUT_MS"] = "120000"
    with open(ws.path(out_name), "wb") as out, open(ws.path(out_name + ".err"), "wb") as err:
        return subprocess.Popen([BIN, "cycle", "--date", date, "--format", "json"], cwd=ws.dir, env=env,
                                stdout=out, stderr=err)


@test
def two_runs_started_at_the_same_moment_bill_like_one():
    as_of = "2026-03-31"
    ws_one, contracts = many_contracts_workspace(3000)
    with ws_one:
        r = ws_one.run("cycle", "--date", as_of)
        assert r.code == 0, r
        reference = ledger_set(ws_one)
    assert reference == expected_set(contracts, to_date(as_of))
    ws, _ = many_contracts_workspace(3000)
    with ws:
        procs = [popen_cycle(ws, as_of, f"out{i}.json") for i in range(2)]
        for i, p in enumerate(procs):
            assert p.wait(timeout=120) == 0, (p.returncode, ws.path(f"out{i}.json.err").read_text())
        assert ledger_set(ws) == reference
        check_gapless(ws)
        # Each invoice was printed by the run that created it, and by that run only.
        printed = []
        for i in range(2):
            docs = json_docs(ws.path(f"out{i}.json").read_text())
            validate_sample(docs, seed=i)
            invoices = [d for d in docs if d["kind"] == "invoice"]
            [run] = [d for d in docs if d["kind"] == "run"]
            assert docs[-1] is run and run["counts"]["invoices"] == len(invoices), run
            printed += [(d["contract"], d["period"]["start"], d["period"]["end"]) for d in invoices]
        assert len(printed) == len(set(printed)) and set(printed) == reference
        # The two runs are recorded, both finished.
        assert ws.query("SELECT count(*) FROM runs WHERE command = 'cycle' AND finished IS NOT NULL") == [(2,)]


@test
def runs_killed_at_random_moments_leave_a_ledger_the_next_run_completes():
    rnd = random.Random(75)
    ws, contracts = many_contracts_workspace(4000)
    with ws:
        kills = 0
        # An uninterrupted run of a new year bills 48,000 invoices in two batches (over 1 s here).
        dates = ["2026-12-31", "2027-12-31", "2028-12-31"]
        upper = 0.5  # halved whenever a run finishes before its kill, so a faster billrun is still hit
        for date in dates:
            for _ in range(4):
                p = popen_cycle(ws, date, "out.json")
                time.sleep(rnd.uniform(0.01, upper))
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    kills += 1
                else:
                    upper = max(0.02, upper / 2)
                p.wait(timeout=60)
        assert kills >= 4, kills  # the runs must take long enough to be interrupted
        r = ws.run("cycle", "--date", dates[-1])
        assert r.code == 0, r
        con = sqlite3.connect(ws.path("billrun.db"))
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            con.close()
        assert ledger_set(ws) == expected_set(contracts, to_date(dates[-1]))
        check_gapless(ws)
        assert ws.query("SELECT count(*) FROM invoices i WHERE NOT EXISTS "
                        "(SELECT 1 FROM invoice_lines l WHERE l.invoice = i.id)") == [(0,)]
        assert ws.query("SELECT count(*) FROM invoice_lines l WHERE NOT EXISTS "
                        "(SELECT 1 FROM invoices i WHERE i.id = l.invoice)") == [(0,)]
        assert ws.query("SELECT min(n), max(n) FROM (SELECT count(*) AS n FROM invoice_lines GROUP BY invoice)") \
            == [(2, 2)]
        check_issued_events(ws)
        # Totals agree with the lines (2 x 39.90 + 100.00) on every invoice.
        assert ws.query("SELECT DISTINCT gross FROM invoices") == [(17980,)]


@test
def a_locked_ledger_gives_exit_75_and_changes_nothing():
    with small_workspace() as ws:
        before = ws.dump()
        con = sqlite3.connect(ws.path("billrun.db"), isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            r = ws.run("cycle", "--date", "2026-06-30", env={"BILLRUN_BUSY_TIMEOUT_MS": "200"})
            elapsed = time.monotonic() - started
            assert r.code == 75, r
            assert "busy" in r.stderr and r.stderr.startswith("billrun: error:"), r
            assert cycle_docs(r)[0] == []
            assert elapsed < 5, elapsed  # it waited about the 200 ms asked, not the default 5 s
            con.execute("ROLLBACK")
        finally:
            con.close()
        assert ws.dump() == before
        r = ws.run("cycle", "--date", "2026-06-30")
        assert r.code == 0, r
        assert ws.query("SELECT count(*) FROM invoices") == [(18,)]


@test
def a_ledger_with_in_list_checks_gets_equal_checks_that_still_refuse():
    """Migration v14 rewrites the status CHECKs from IN lists (a temporary b-tree per row
    written) to chains of equalities: every row kept, the ledger intact, an unknown status
    still refused, and billing goes on where it was."""
    with small_workspace() as ws:
        assert ws.run("cycle", "--date", "2026-03-31").code == 0
        [(latest,)] = ws.query("PRAGMA user_version")
        check_tables = ("invoices", "payments", "reminders", "collection_stages", "deliveries", "nfse",
                        "nfse_events", "boleto_registrations", "bank_requests")
        new_sql = dict(ws.query("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        three_or_more = re.compile(r" IN \('[^']*'(, *\s*'[^']*'){2,}\)")
        for table in check_tables:
            assert not three_or_more.search(new_sql[table]), (table, new_sql[table])
        # The ledger as the version before wrote it: each CHECK as its CREATE TABLE spelled it (two broke the
        # list over two lines).
        wrapped = {"collection_stages": ("'overdue', 'reminded-again'", "'overdue',\n" + " " * 41 + "'reminded-again'"),
                   "nfse": ("'cancelled', 'authorized-after-cancel'",
                            "'cancelled',\n" + " " * 43 + "'authorized-after-cancel'")}
        with ws.db() as con:
            con.execute("PRAGMA writable_schema = ON")
            for table in check_tables:
                def as_in_list(m):
                    values = ", ".join(re.findall(r"'[^']*'", m.group(0)))
                    if table in wrapped:
                        values = values.replace(*wrapped[table])
                    return "{} IN ({})".format(m.group(1), values)
                old = re.sub(r"(\w+) = '[^']*'(?: OR \1 = '[^']*')+", as_in_list, new_sql[table])
                assert old != new_sql[table], table
                con.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (old, table))
            con.execute("PRAGMA writable_schema = OFF")
            # Back to v13: v14 runs again, and v15 (the lines inside their invoice), already there, is
            # not made twice.
            con.execute("PRAGMA user_version = 13")
        before = ws.dump()
        assert ws.run("report", "runs").code == 0  # any command migrates
        assert ws.query("PRAGMA user_version") == [(latest,)]
        assert ws.query("PRAGMA integrity_check") == [("ok",)]
        migrated = dict(ws.query("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        for table in check_tables:
            assert migrated[table] == new_sql[table], table
        after = ws.dump()
        assert {t for t in before if before[t] != after[t]} <= {"runs", "events"}
        with ws.db() as con:
            try:
                con.execute("UPDATE invoices SET status = 'lost' WHERE id = 1")
                raise AssertionError("an unknown status was taken")
            except sqlite3.IntegrityError as e:
                assert "CHECK constraint failed" in str(e), e
        r = ws.run("cycle", "--date", "2026-04-30")
        assert r.code == 0, r
        assert len(cycle_docs(r)[0]) == 3
        check_gapless(ws)


if __name__ == "__main__":
    main()
