"""billrun approve: with invoicing.approval: required, cycle creates drafts without numbers;
approve KEY... and approve --all issue them with the next gapless numbers of their series."""
from harness import Workspace, cpf_digits, cycle_docs, edit_config, import_records, main, test


def approval_workspace():
    ws = Workspace()
    edit_config(ws, "approval: none", "approval: required")
    import_records(ws, "customers", [{"id": "C1", "name": "Um", "tax_id": cpf_digits(111444777)},
                                     {"id": "C2", "name": "Dois", "tax_id": cpf_digits(529982247)}])
    import_records(ws, "services", [{"id": "SUP", "description": "Suporte", "unit_price": "850.00"}])
    import_records(ws, "contracts", [
        {"id": "K1", "customer": "C1", "items": [{"service": "SUP", "quantity": "1"}], "start": "2026-01-10",
         "cycle": "monthly", "billing": "advance", "due_days": 5},
        {"id": "K2", "customer": "C2", "items": [{"service": "SUP", "quantity": "2"}], "start": "2026-01-20",
         "cycle": "monthly", "billing": "advance", "series": "B"},
        {"id": "K3", "customer": "C2", "items": [{"service": "SUP", "quantity": "3"}], "start": "2026-01-01",
         "cycle": "monthly", "billing": "arrears"},
    ])
    return ws


def drafts_of(ws):
    return ws.query("SELECT id, series, number, status, contract, period_start FROM invoices ORDER BY id")


def issued_events(ws, key):
    """The "issued" events that name invoice `key`, one by one or in a bulk range."""
    return ws.query("SELECT action, detail FROM events WHERE entity = 'invoice' AND action = 'issued' AND "
                    "(entity_id = ? OR (key_from IS NOT NULL AND key_from <= ? AND key_to >= ?))",
                    str(key), key, key)


def check_gapless(ws):
    for series, in ws.query("SELECT DISTINCT series FROM invoices WHERE number IS NOT NULL"):
        numbers = [n for n, in ws.query("SELECT number FROM invoices WHERE series = ? AND number IS NOT NULL "
                                        "ORDER BY number", series)]
        assert numbers == list(range(1, len(numbers) + 1)), (series, numbers)
        assert ws.query("SELECT last_number FROM series_numbers WHERE series = ?", series) == [(len(numbers),)]


@test
def cycle_creates_drafts_without_numbers():
    with approval_workspace() as ws:
        r = ws.run("cycle", "--date", "2026-02-28")
        assert r.code == 0, r
        drafts, run = cycle_docs(r)
        # K1: 10 Jan, 10 Feb; K2: 20 Jan, 20 Feb; K3 (arrears): January, February.
        assert len(drafts) == 6 and run["counts"]["drafts"] == 6 and run["counts"]["invoices"] == 6, run
        for d in drafts:
            assert d["status"] == "draft" and d["id"] is None and d["number"] is None, d
            assert isinstance(d["key"], int) and d["series"] in ("A", "B")
            assert d["issue_date"] == "2026-02-28"
        assert len({d["key"] for d in drafts}) == 6
        assert all(status == "draft" and number is None for _, _, number, status, _, _ in drafts_of(ws))
        assert ws.query("SELECT count(*) FROM series_numbers") == [(0,)]
        assert ws.query("SELECT count(*) FROM events WHERE entity = 'invoice' AND action = 'issued'") == [(0,)]
        # Drafts count as billed: the same run again drafts nothing new.
        r = ws.run("cycle", "--date", "2026-02-28")
        assert r.code == 0 and cycle_docs(r)[0] == [], r
        assert len(drafts_of(ws)) == 6


@test
def approve_one_key_then_all_numbers_gaplessly_in_key_order():
    with approval_workspace() as ws:
        r = ws.run("cycle", "--date", "2026-02-28")
        drafts, _ = cycle_docs(r)
        by_key = {d["key"]: d for d in drafts}
        keys = sorted(by_key)
        a_keys = [k for k in keys if by_key[k]["series"] == "A"]
        b_keys = [k for k in keys if by_key[k]["series"] == "B"]
        assert len(a_keys) == 4 and len(b_keys) == 2
        # Approve the last series-A draft first: it takes number 1.
        chosen = a_keys[-1]
        r = ws.run("approve", str(chosen), "--date", "2026-03-01")
        assert r.code == 0, r
        [doc], _ = cycle_docs(r)
        assert doc["key"] == chosen and doc["status"] == "issued" and doc["number"] == 1 and doc["id"] == "A-000001"
        same = {k: v for k, v in doc.items() if k not in ("status", "number", "id")}
        assert same == {k: v for k, v in by_key[chosen].items() if k not in ("status", "number", "id")}
        assert ws.query("SELECT number, status FROM invoices WHERE id = ?", chosen) == [(1, "issued")]
        assert len(issued_events(ws, chosen)) == 1
        assert ws.query("SELECT count(*) FROM invoices WHERE status = 'draft'") == [(5,)]
        check_gapless(ws)
        # --all issues the rest in key order: A 2, 3, 4 and B 1, 2.
        r = ws.run("approve", "--all", "--date", "2026-03-01")
        assert r.code == 0, r
        docs, _ = cycle_docs(r)
        assert [d["key"] for d in docs] == [k for k in keys if k != chosen]
        numbered = {d["key"]: d["id"] for d in docs}
        assert [numbered[k] for k in a_keys[:-1]] == ["A-000002", "A-000003", "A-000004"]
        assert [numbered[k] for k in b_keys] == ["B-000001", "B-000002"]
        assert all(d["status"] == "issued" for d in docs)
        assert ws.query("SELECT count(*) FROM invoices WHERE status = 'draft' OR number IS NULL") == [(0,)]
        for k in keys:
            assert len(issued_events(ws, k)) == 1, (k, issued_events(ws, k))
        check_gapless(ws)
        # Nothing left: --all issues nothing.
        r = ws.run("approve", "--all")
        assert r.code == 0 and cycle_docs(r)[0] == [], r
        # The next cycle's drafts continue the series after approval.
        r = ws.run("cycle", "--date", "2026-03-20")
        assert r.code == 0, r
        new, _ = cycle_docs(r)
        assert sorted((d["contract"], d["status"]) for d in new) == [("K1", "draft"), ("K2", "draft")]
        r = ws.run("approve", "--all")
        assert r.code == 0, r
        assert sorted(d["id"] for d in cycle_docs(r)[0]) == ["A-000005", "B-000003"]
        check_gapless(ws)


@test
def approving_a_non_draft_fails_and_changes_nothing():
    with approval_workspace() as ws:
        drafts, _ = cycle_docs(ws.run("cycle", "--date", "2026-02-28"))
        keys = sorted(d["key"] for d in drafts)
        assert ws.run("approve", str(keys[0])).code == 0
        before = ws.dump()
        for args in ([str(keys[0])], [str(keys[1]), str(keys[0])], ["999999"]):
            r = ws.run("approve", *args)
            assert r.code == 65, (args, r)
            assert r.stdout.strip() == "", r
            assert r.stderr.startswith("billrun: error:"), r
            assert ws.dump() == before, args
        assert "not a draft" in ws.run("approve", str(keys[0])).stderr
        # Usage errors: neither keys nor --all, both, or a key that is no number.
        for args in ([], ["--all", str(keys[1])], ["A-000001"]):
            r = ws.run("approve", *args)
            assert r.code == 64, (args, r)
        assert ws.dump() == before


@test
def approve_dry_run_shows_the_numbers_and_changes_nothing():
    with approval_workspace() as ws:
        cycle_docs(ws.run("cycle", "--date", "2026-02-28"))
        before = ws.dump()
        r = ws.run("approve", "--all", "--dry-run")
        assert r.code == 0, r
        docs, _ = cycle_docs(r)
        assert len(docs) == 6 and all(d.get("provisional") is True for d in docs), docs
        assert sorted(d["id"] for d in docs if d["series"] == "A") == ["A-000001", "A-000002", "A-000003",
                                                                      "A-000004"]
        assert ws.dump() == before


@test
def approve_on_a_locked_ledger_gives_exit_75():
    import sqlite3
    with approval_workspace() as ws:
        cycle_docs(ws.run("cycle", "--date", "2026-02-28"))
        before = ws.dump()
        con = sqlite3.connect(ws.path("billrun.db"), isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            r = ws.run("approve", "--all", env={"BILLRUN_BUSY_TIMEOUT_MS": "200"})
            assert r.code == 75, r
            assert r.stdout.strip() == "", r
            con.execute("ROLLBACK")
        finally:
            con.close()
        assert ws.dump() == before


@test
def show_invoice_by_its_number_when_implemented():
    with approval_workspace() as ws:
        drafts, _ = cycle_docs(ws.run("cycle", "--date", "2026-01-31"))
        r = ws.run("approve", "--all")
        assert r.code == 0, r
        issued, _ = cycle_docs(r)
        first = next(d for d in issued if d["id"] == "A-000001")
        r = ws.run("show", "invoice", "A-000001")
        if r.code == 64:
            print("     (show invoice is not implemented yet: skipped)")
            return
        assert r.code == 0, r
        [doc] = r.docs()
        assert doc["kind"] == "invoice" and doc["id"] == "A-000001" and doc["status"] == "issued"
        for key in ("series", "number", "customer", "contract", "period", "issue_date", "due_date", "lines",
                    "totals"):
            assert doc[key] == first[key], (key, doc[key], first[key])


if __name__ == "__main__":
    main()
