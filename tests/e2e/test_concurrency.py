"""Two runs at once serialise on the ledger and the second does no duplicate work (SPEC §10),
for the stages after cycle (test_cycle_once.py covers cycle): two and four issue-boleto,
reconcile of the same files, and remind (SMTP and outbox) started at the same moment, with
BILLRUN_BUSY_TIMEOUT_MS large; and with a tiny one, while another connection holds the write
lock, each stage exits 75 with a clear message and changes nothing."""
import sqlite3
import time

import harness
from harness import fast_docs, main, test, validate_all
from smtp_server import start_smtp_server, stop_smtp_server
from test_crash import (CUSTOMERS, ISSUE, RECONCILE, REMIND_DATES, REMINDER_ID, REMINDERS, SMTP_SECRET, STAGES,
                        billed_base, certs, check_boleto_pdfs, check_boletos, check_issued_events,
                        check_out_files, check_payments, check_sqlite, cleanup, clone, issued_base, popen, run_to_end,
                        smtp_counts, step_tag, use_smtp, write_bank_files)

harness.TESTS.clear()  # test_crash's own tests run in their own file


def at_once(ws, args, n):
    """Starts n runs of billrun ARGS at the same moment; returns [(exit code, stdout, stderr)]."""
    procs = [popen(ws, args, f"out{i}") for i in range(n)]
    results = []
    for i, p in enumerate(procs):
        code = p.wait(timeout=300)
        results.append((code, ws.path(f"out{i}").read_text(encoding="utf-8"),
                        ws.path(f"out{i}.err").read_text(encoding="utf-8")))
    return results


@test
def issue_boleto_started_two_and_four_times_at_once_issues_each_boleto_once():
    base = billed_base()
    with clone(base) as ref:
        run_to_end(ref, ("issue-boleto", "--date", ISSUE))
        checked = []
        for n, pdf in ((2, True), (4, False)):
            with clone(base) as ws:
                results = at_once(ws, ("issue-boleto", "--date", ISSUE, *([] if pdf else ["--no-pdf"])), n)
                assert all(code == 0 for code, _, _ in results), [(c, e[-2000:]) for c, _, e in results]
                check_sqlite(ws)
                boletos, remessas = check_boletos(ws, ref)
                if pdf:
                    check_boleto_pdfs(ws)
                check_issued_events(ws)
                check_out_files(ws)
                # Each boleto printed by the run that issued it, and by that run only.
                printed = []
                for _, out, _ in results:
                    docs = fast_docs(out)
                    validate_all(docs)
                    printed += [d["invoice"] for d in docs if d["kind"] == "boleto"]
                assert len(printed) == len(set(printed)) == boletos == CUSTOMERS, (len(printed), boletos)
                # Auto-send to the outbox: each document once.
                assert ws.query("SELECT status, count(*) FROM deliveries GROUP BY status") == \
                    ref.query("SELECT status, count(*) FROM deliveries GROUP BY status") == \
                    [("sent", ref.query("SELECT count(*) FROM deliveries")[0][0])]
                mails = sorted(p.name for p in ws.path("out/outbox").glob("*-boleto.eml"))
                assert mails == sorted(p.name for p in ref.path("out/outbox").glob("*-boleto.eml"))
                checked.append(f"{n} runs{'' if pdf else ' (--no-pdf)'}: {boletos} boletos, {remessas} remessas, "
                               f"{len(mails)} e-mails")
    print(f"summary issue-boleto at once: {'; '.join(checked)}; each time one boleto per invoice, the nosso "
          f"numeros and remessas of a single run, every boleto printed once")


@test
def reconcile_of_the_same_files_at_once_applies_each_record_once():
    issued, boletos = issued_base()
    with clone(issued) as base:
        files = write_bank_files(base, boletos)
        args = ("reconcile", *files, "--date", RECONCILE)
        with clone(base) as ref:
            code, out, _, _ = run_to_end(ref, args, expect=(1,))
            ref_applied = sum(1 for d in fast_docs(out) if d["kind"] == "payment" and d["status"] == "applied")
            checked = []
            for n in (2, 4):
                with clone(base) as ws:
                    results = at_once(ws, args, n)
                    # One run applies the files (exit 1: some records are unmatched); the others
                    # find them already reconciled and skip them whole.
                    codes = sorted(code for code, _, _ in results)
                    assert codes == [0] * (n - 1) + [1], [(c, e[-2000:]) for c, _, e in results]
                    for code, out, err in results:
                        docs = fast_docs(out)
                        validate_all(docs)
                        if code == 0:
                            assert err.count("already reconciled") == len(files), err
                            assert [d for d in docs if d["kind"] == "payment"] == [], docs[:3]
                        else:
                            assert sum(1 for d in docs if d.get("status") == "applied") == ref_applied
                    check_sqlite(ws)
                    invoices, applied, payments = check_payments(ws, ref)
                    checked.append(f"{n} runs")
    print(f"summary reconcile at once: {' and '.join(checked)} of 3 files ({payments} records); each time the "
          f"records applied once ({applied}), {invoices} balances as one run leaves them, the other runs skipped "
          f"the files as already reconciled")


@test
def remind_started_two_and_four_times_at_once_sends_each_step_once():
    base = issued_base()[0]
    # The references: one run a date, after the first date and after both.
    refs = [clone(base)]
    for date in REMIND_DATES:
        refs.append(clone(refs[-1]))
        run_to_end(refs[-1], ("remind", "--date", date))
    checked = []
    try:
        # Two runs a date to the outbox, over both dates; four over SMTP, the e-mail date.
        for n, smtp, dates in ((2, False, REMIND_DATES), (4, True, REMIND_DATES[:1])):
            ref = refs[len(dates)]
            with clone(base) as ws:
                folder = ws.path("smtp")
                proc = None
                try:
                    if smtp:
                        proc, port = start_smtp_server(folder, auth=f"cobranca:{SMTP_SECRET}")
                        use_smtp(ws, port)
                    for date in dates:
                        results = at_once(ws, ("remind", "--date", date), n)
                        assert all(code == 0 for code, _, _ in results), [(c, e[-2000:]) for c, _, e in results]
                        printed = []
                        for _, out, _ in results:
                            docs = fast_docs(out)
                            validate_all(docs)
                            printed += [(d["invoice"], d["step"]) for d in docs if d["kind"] == "reminder"]
                        assert len(printed) == len(set(printed)), "a step reported by two runs"
                finally:
                    if proc:
                        stop_smtp_server(proc)
                check_sqlite(ws)
                # The references wrote to the outbox: over SMTP an e-mail's message is "smtp".
                got, want = ws.query(REMINDERS), ref.query(REMINDERS)
                if smtp:
                    want = [r[:9] + ("smtp" if r[3] == "email" else r[9],) for r in want]
                assert got == want, (len(got), len(want), [(a, b) for a, b in zip(got, want) if a != b][:5])
                assert ws.query(STAGES) == ref.query(STAGES)
                emails = [(inv, step_tag(step)) for inv, step, _, channel, status, *_ in got
                          if channel == "email" and status == "sent"]
                if smtp:
                    counts = smtp_counts(folder, REMINDER_ID)
                    assert counts == {k: 1 for k in emails}, "each e-mail received once"
                else:
                    names = {p.name for p in ws.path("out/outbox").glob("*-before-3.eml")}
                    assert names == {f"{inv}-{tag}.eml" for inv, tag in emails}
                check_out_files(ws)
                checked.append(f"{n} runs ({'SMTP' if smtp else 'outbox'}) on {len(dates)} date(s): "
                               f"{len(got)} steps, {len(emails)} e-mails")
    finally:
        for ref in refs:
            ref.__exit__()
    print(f"summary remind at once: {'; '.join(checked)}; each step once, ledger equal to one run's, each e-mail "
          f"received (or written) once")


def hold_write_lock(ws):
    """A connection holding the ledger's write lock, as another run in its transaction does."""
    con = sqlite3.connect(ws.path("billrun.db"), isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    return con


def files_under(ws):
    return sorted((str(p.relative_to(ws.dir)), p.stat().st_size) for p in ws.path("out").rglob("*")
                  if p.is_file()) if ws.path("out").exists() else []


@test
def a_stage_that_finds_the_ledger_locked_exits_75_and_changes_nothing():
    issued, boletos = issued_base()
    with clone(billed_base()) as billed, clone(issued) as ws:
        files = write_bank_files(ws, boletos)
        billed.path("certs").mkdir(exist_ok=True)
        billed.path("certs/a1.pfx").write_bytes(certs()["a1.pfx"].read_bytes())
        cases = [(billed, ("issue-boleto", "--date", ISSUE, "--no-pdf")), (billed, ("emit-nfse", "--date", ISSUE)),
                 (billed, ("cycle", "--date", "2026-12-01")),
                 (ws, ("reconcile", *files, "--date", RECONCILE)), (ws, ("remind", "--date", REMIND_DATES[0]))]
        for where, args in cases:
            before, before_files = where.dump(), files_under(where)
            con = hold_write_lock(where)
            try:
                started = time.monotonic()
                code, out, err, _ = run_to_end(where, args, expect=(75,), env={"BILLRUN_BUSY_TIMEOUT_MS": "200"},
                                               name="busy.out")
                elapsed = time.monotonic() - started
                assert err.startswith("billrun: error: the ledger is busy") and "try again later" in err, (args, err)
                assert out == "", (args, out[:500])
                assert elapsed < 5, (args, elapsed)  # about the 200 ms asked, not the default
            finally:
                con.execute("ROLLBACK")
                con.close()
            assert where.dump() == before, f"{args[0]} changed the ledger"
            assert files_under(where) == before_files, f"{args[0]} wrote files"
            # Once the lock is gone, the same command works.
            run_to_end(where, args, expect=(0, 1), name="after.out")
    print(f"summary busy ledger: {len(cases)} stages ({', '.join(a[0] for _, a in cases)}) with the write lock "
          f"held and BILLRUN_BUSY_TIMEOUT_MS=200: each exit 75 within 5 s, a 'busy' message, ledger and files "
          f"unchanged, then run fine")


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
