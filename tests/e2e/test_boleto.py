"""billrun issue-boleto: boletos for issued invoices, exactly once, with barcode, linha
digitável, PDF and CNAB remessa, checked by independent computations and real tools."""
import datetime
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from cnab_files import retorno_240
from febraban import factor, mod10, mod11_barcode
from harness import EXAMPLES, Workspace, edit_config, fast_docs, import_records, main, test, validate_all

# Under the sanitizers the binary runs several times slower: fewer boletos keep a run long
# enough to be killed mid-way.
SANITIZED = os.environ.get("BILLRUN_E2E_SANITIZED") == "1"


def check_barcode(doc):
    bc, linha = doc["barcode"], doc["linha_digitavel"]
    assert len(bc) == 44 and bc.isdigit(), doc
    assert bc[:3] == doc["bank"] and bc[3] == "9", doc
    assert int(bc[4]) == mod11_barcode(bc[:4] + bc[5:]), doc
    assert int(bc[5:9]) == factor(datetime.date.fromisoformat(doc["due_date"])), doc
    assert int(bc[9:19]) == round(float(doc["amount"]) * 100), doc
    # The linha digitável is the barcode rearranged, with a mod 10 DV per field.
    campo = bc[19:]
    f1, f2, f3 = bc[:4] + campo[:5], campo[5:15], campo[15:25]
    expected = f1 + str(mod10(f1)) + f2 + str(mod10(f2)) + f3 + str(mod10(f3)) + bc[4] + bc[5:19]
    assert linha == expected, (linha, expected)


def pipeline_workspace():
    ws = Workspace()
    for kind, name in (("customers", "clientes.csv"), ("services", "servicos.csv"),
                       ("contracts", "contratos.yaml")):
        assert ws.run("import", kind, EXAMPLES / name).code == 0
    r = ws.run("cycle", "--date", "2026-11-23")
    assert r.code == 0, r
    return ws


def boleto_docs(r):
    docs = fast_docs(r.stdout)
    validate_all(docs)
    boletos = [d for d in docs if d["kind"] == "boleto"]
    # The issue-boleto run, then (when auto-send e-mailed something) the deliver run.
    runs = [d for d in docs if d["kind"] == "run"]
    assert runs and runs[0]["command"] == "issue-boleto", r
    assert docs[-1] is runs[-1] and all(d["command"] == "deliver" for d in runs[1:]) and len(runs) <= 2, r
    return boletos, runs[0]


def remessa_lines(path, width):
    data = Path(path).read_bytes()
    assert data.endswith(b"\r\n"), path
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) == width for line in lines), {len(line) for line in lines}
    assert all(line.isascii() for line in lines)
    return [line.decode("ascii") for line in lines]


@test
def example_pipeline_issues_each_boleto_once():
    with pipeline_workspace() as ws:
        expected = ws.query("SELECT count(*) FROM invoices WHERE payment_method = 'boleto'")[0][0]
        assert expected > 0
        r = ws.run("issue-boleto", "--date", "2026-11-23")
        assert r.code == 0, r
        boletos, run = boleto_docs(r)
        assert len(boletos) == expected == run["counts"]["boletos"], (len(boletos), expected)
        for doc in boletos:
            check_barcode(doc)
            assert doc["pdf"] and Path(ws.path(doc["pdf"])).stat().st_size > 1000, doc
            assert doc["remessa"] == boletos[0]["remessa"]
            net = ws.query("SELECT net FROM invoices WHERE series || '-' || printf('%06d', number) = ?",
                           doc["invoice"])[0][0]
            assert round(float(doc["amount"]) * 100) == net
        # Nosso números are the account's sequence, consecutive from the configured start, unique.
        seqs = [row[0] for row in ws.query("SELECT sequence FROM boletos ORDER BY id")]
        assert seqs == list(range(1, len(seqs) + 1)), seqs
        assert len({d["nosso_numero"] for d in boletos}) == len(boletos)
        # One CNAB 240 remessa: header, lote header, P+Q(+R) per title, trailers.
        lines = remessa_lines(ws.path(boletos[0]["remessa"]), 240)
        assert lines[0][7] == "0" and lines[1][7] == "1" and lines[-2][7] == "5" and lines[-1][7] == "9"
        segments = [line[13] for line in lines if line[7] == "3"]
        assert segments.count("P") == len(boletos) and segments.count("Q") == len(boletos), segments
        assert int(lines[-1][23:29]) == len(lines), lines[-1]  # file trailer: record count
        assert run["remessas"] == [boletos[0]["remessa"]]
        # A second run issues nothing and writes no new remessa.
        r = ws.run("issue-boleto", "--date", "2026-11-24")
        assert r.code == 0, r
        again, run2 = boleto_docs(r)
        assert again == [] and run2["remessas"] == [], r
        assert ws.query("SELECT count(*) FROM boletos") == [(expected,)]
        # show boleto by invoice id and by nosso número.
        r = ws.run("show", "boleto", boletos[0]["invoice"])
        assert r.code == 0 and r.docs()[0]["barcode"] == boletos[0]["barcode"], r


@test
def pdf_barcode_and_qr_decode_with_real_tools():
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        raise AssertionError("pdftoppm and zbarimg are needed (scripts/install-deps installs them)")
    with pipeline_workspace() as ws:
        edit_config(ws, 'pix_key: ""', 'pix_key: "cobranca@exemplo.com.br"')
        r = ws.run("issue-boleto", "--date", "2026-11-23")
        assert r.code == 0, r
        boletos, _ = boleto_docs(r)
        doc = boletos[0]
        assert doc["pix"].startswith("000201") and "br.gov.bcb.pix" in doc["pix"], doc
        png = ws.path("page")
        subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", ws.path(doc["pdf"]), png], check=True)
        out = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Si25.enable", "-Si25.min-length=44",
                              "-Sqrcode.enable", str(png) + ".png"], capture_output=True, text=True)
        decoded = set(out.stdout.split("\n"))
        assert doc["barcode"] in decoded, (doc["barcode"], out.stdout, out.stderr)
        assert doc["pix"] in decoded, (doc["pix"], out.stdout)


@test
def due_dates_across_the_2025_factor_reset():
    with Workspace() as ws:
        import_records(ws, "customers", [{"id": "C1", "name": "Um", "tax_id": "111.444.777-35"}])
        import_records(ws, "services", [{"id": "S", "description": "Serviço", "unit_price": "100,00"}])
        import_records(ws, "contracts", [
            {"id": "K1", "customer": "C1", "items": ["S"], "start": "2025-02-11", "due_days": 10},
            {"id": "K2", "customer": "C1", "items": ["S"], "start": "2025-02-12", "due_days": 10}])
        # Issued on the 11th and on the 12th, due ten days later: either side of the reset.
        assert ws.run("cycle", "--date", "2025-02-11").code == 0
        assert ws.run("cycle", "--date", "2025-02-12").code == 0
        r = ws.run("issue-boleto", "--date", "2025-02-12", "--no-pdf")
        assert r.code == 0, r
        boletos, _ = boleto_docs(r)
        by_due = {d["due_date"]: d for d in boletos}
        assert by_due["2025-02-21"]["barcode"][5:9] == "9999"
        assert by_due["2025-02-22"]["barcode"][5:9] == "1000"
        for doc in boletos:
            check_barcode(doc)
            assert doc["pdf"] is None


@test
def dry_run_changes_nothing_on_disk_or_in_the_ledger():
    with pipeline_workspace() as ws:
        before = ws.dump()
        r = ws.run("issue-boleto", "--date", "2026-11-23", "--dry-run")
        assert r.code == 0, r
        boletos, _ = boleto_docs(r)
        assert boletos and all(d["pdf"] is None and d["remessa"] is None for d in boletos)
        assert ws.dump() == before
        assert not ws.path("out").exists()


@test
def a_stream_of_invoices_limits_the_run_to_them():
    with pipeline_workspace() as ws:
        first = ws.query("SELECT id FROM invoices WHERE payment_method = 'boleto' ORDER BY id LIMIT 2")
        stream = "".join(f"---\nkind: invoice\nversion: 1\nkey: {k}\n" for (k,) in first)
        r = ws.run("issue-boleto", "-", "--no-pdf", "--date", "2026-11-23", stdin=stream)
        assert r.code == 0, r
        boletos, _ = boleto_docs(r)
        assert len(boletos) == 2
        assert ws.query("SELECT invoice FROM boletos ORDER BY invoice") == first
        r = ws.run("issue-boleto", "-", "--date", "2026-11-23", stdin="not: [yaml\n")
        assert r.code == 65 and "<stdin>:1" in r.stderr, r


@test
def cnab400_remessa_for_a_bradesco_account():
    with pipeline_workspace() as ws:
        edit_config(ws, 'bank: "001"', 'bank: "237"')
        edit_config(ws, 'convenio: "1234567"', 'convenio: "1234567"')
        edit_config(ws, "remessa: cnab240", "remessa: cnab400")
        edit_config(ws, 'carteira: "17"', 'carteira: "09"')
        r = ws.run("issue-boleto", "--date", "2026-11-23", "--no-pdf")
        assert r.code == 0, r
        boletos, run = boleto_docs(r)
        for doc in boletos:
            assert doc["bank"] == "237"
            check_barcode(doc)
        lines = remessa_lines(ws.path(run["remessas"][0]), 400)
        assert lines[0].startswith("01REMESSA01COBRANCA"), lines[0]
        assert lines[-1][0] == "9" and int(lines[-1][394:400]) == len(lines)
        assert sum(1 for line in lines if line[0] == "1") == len(boletos)


@test
def account_ids_cannot_move_files_out_of_the_output_folder():
    with pipeline_workspace() as ws:
        edit_config(ws, "- id: main", '- id: "../../fora"')
        edit_config(ws, "default_account: main", 'default_account: "../../fora"')
        ws.query("UPDATE invoices SET bank_account = '../../fora'")
        r = ws.run("issue-boleto", "--date", "2026-11-23", "--no-pdf")
        assert r.code == 0, r
        _, run = boleto_docs(r)
        [path] = run["remessas"]
        out = ws.path("out").resolve()
        assert out in ws.path(path).resolve().parents, path
        assert not (ws.dir.parent / "fora-000001.rem").exists()


@test
def an_account_its_remessa_layout_cannot_use_fails_before_any_boleto():
    with pipeline_workspace() as ws:
        edit_config(ws, 'bank: "001"', 'bank: "237"')
        edit_config(ws, 'convenio: "1234567"', 'convenio: ""')
        edit_config(ws, "remessa: cnab240", "remessa: cnab400")
        edit_config(ws, 'carteira: "17"', 'carteira: "09"')
        before = ws.dump()
        r = ws.run("issue-boleto", "--date", "2026-11-23", "--no-pdf")
        assert r.code == 78 and "boleto account 'main'" in r.stderr, r
        assert ws.dump()["boletos"] == before["boletos"] == []


@test
def killed_runs_never_issue_twice_nor_leave_half_files():
    rnd = random.Random(4)
    count = 500 if SANITIZED else 1500
    with Workspace() as ws:
        import_records(ws, "customers", [{"id": f"C{i}", "name": f"Cliente {i}", "tax_id": "111.444.777-35"}
                                         for i in range(count)])
        import_records(ws, "services", [{"id": "S", "description": "Serviço", "unit_price": "100,00"}])
        import_records(ws, "contracts", [{"id": f"K{i:04d}", "customer": f"C{i}", "items": ["S"],
                                          "start": "2026-01-01"} for i in range(count)])
        assert ws.run("cycle", "--date", "2026-06-30").code == 0
        invoices = ws.query("SELECT count(*) FROM invoices")[0][0]
        env = dict(os.environ, TZ="UTC")
        kills = 0
        for _ in range(6):
            p = subprocess.Popen([os.environ.get("BILLRUN_BIN", "billrun"), "issue-boleto", "--date", "2026-06-30"],
                                 cwd=ws.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            time.sleep(rnd.uniform(0.05, 0.6))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait()
        r = ws.run("issue-boleto", "--date", "2026-06-30")
        assert r.code == 0, r
        assert kills >= 2, kills
        assert ws.query("PRAGMA integrity_check") == [("ok",)]
        assert ws.query("SELECT count(*), count(DISTINCT invoice), count(DISTINCT nosso_numero) FROM boletos") \
            == [(invoices, invoices, invoices)]
        seqs = [row[0] for row in ws.query("SELECT sequence FROM boletos ORDER BY sequence")]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "nosso números skipped or reused"
        assert ws.query("SELECT count(*) FROM boletos WHERE remessa IS NULL OR pdf IS NULL") == [(0,)]
        assert ws.query("SELECT count(*) FROM remessas WHERE status != 'written'") == [(0,)]
        # Every remessa file is whole (its trailer counts its records) and lists each title once.
        titles = 0
        for path, count in ws.query("SELECT path, titles FROM remessas"):
            lines = remessa_lines(ws.path(path), 240)
            assert int(lines[-1][23:29]) == len(lines)
            assert sum(1 for line in lines if line[7] == "3" and line[13] == "P") == count
            titles += count
        assert titles == invoices
        # Files under their final names are whole (a kill may leave a temporary file, never a
        # half remessa or PDF under its real name).
        for rem in ws.path("out").rglob("*.rem"):
            lines = remessa_lines(rem, 240)
            assert int(lines[-1][23:29]) == len(lines), rem
        for pdf in ws.path("out").rglob("*.pdf"):
            assert pdf.read_bytes().rstrip().endswith(b"%%EOF"), pdf


def p_segment_of(lines, nosso):
    """The segment P of the title with this nosso número (BB: 38-57), with the next two records."""
    for i, line in enumerate(lines):
        if line[7] == "3" and line[13] == "P" and line[37:57].strip() == nosso:
            return lines[i:i + 3]
    raise AssertionError(f"no title {nosso}")


def retorno_of(doc, occurrence, date):
    """A CNAB 240 retorno with one record for this boleto document (nothing paid)."""
    return retorno_240(doc["bank"], [{"nosso": doc["nosso_numero"], "occurrence": occurrence,
                                      "due": datetime.date.fromisoformat(doc["due_date"]).strftime("%d%m%Y"),
                                      "amount": round(float(doc["amount"]) * 100), "paid": 0, "date": date}])


@test
def a_cancelled_invoice_s_boleto_is_written_off_by_the_next_remessa_once():
    with pipeline_workspace() as ws:
        r = ws.run("issue-boleto", "--date", "2026-11-23", "--no-pdf")
        assert r.code == 0, r
        boletos, _ = boleto_docs(r)
        victim = boletos[1]
        first = ws.path(victim["remessa"])
        registered = p_segment_of(remessa_lines(first, 240), victim["nosso_numero"])
        cancel = ("--reason", "Contrato desfeito por acordo", "--code", "2", "--date", "2026-11-24")
        r = ws.run("cancel", victim["invoice"], *cancel)
        assert r.code == 0, r
        assert "pedido de baixa" in r.stderr and "issue-boleto" in r.stderr and "warning" not in r.stderr, r
        key = ws.query("SELECT b.id FROM boletos b JOIN invoices i ON i.id = b.invoice "
                       "WHERE i.series || '-' || printf('%06d', i.number) = ?", victim["invoice"])[0][0]
        status = lambda: ws.query("SELECT status FROM boletos WHERE id = ?", key)[0][0]  # noqa: E731
        assert status() == "write-off"
        assert ws.query("SELECT boleto, remessa FROM remessa_write_offs") == [(key, None)], "waiting"

        # An entry the bank rejected (retorno 03) was never registered: its cancel asks no baixa, and says so.
        rejected = boletos[2]
        ws.write("rejeicao.ret", retorno_of(rejected, "03", "24112026"))
        r = ws.run("reconcile", "rejeicao.ret", "--date", "2026-11-24")
        assert r.code in (0, 1), r
        assert ws.query("SELECT status FROM boletos WHERE nosso_numero || nosso_numero_dv = ?",
                        rejected["nosso_numero"]) == [("rejected",)]
        r = ws.run("cancel", rejected["invoice"], *cancel)
        assert r.code == 0 and "nothing to send the bank" in r.stderr, r
        assert ws.query("SELECT boleto, remessa FROM remessa_write_offs") == [(key, None)], "only the registered one"

        # A ledger cancelled under schema v15 (no such table): the migration makes the registered one wait too.
        with ws.db() as con:
            con.execute("DROP TABLE remessa_write_offs")
            con.execute("PRAGMA user_version = 15")
        assert ws.run("report", "runs").code == 0  # any command migrates
        assert ws.query("SELECT boleto, remessa FROM remessa_write_offs") == [(key, None)]

        # The bank confirms the entry after the cancel: the boleto still waits for its baixa.
        ws.write("confirmacao.ret", retorno_of(victim, "02", "25112026"))
        r = ws.run("reconcile", "confirmacao.ret", "--date", "2026-11-25")
        assert r.code == 0, r
        assert status() == "write-off"

        # A dry run counts it and writes nothing.
        r = ws.run("issue-boleto", "--date", "2026-11-25", "--no-pdf", "--dry-run")
        assert r.code == 0, r
        _, run = boleto_docs(r)
        assert run["counts"]["write_offs"] == 1 and run["remessas"] == [], run
        assert ws.query("SELECT boleto, remessa FROM remessa_write_offs") == [(key, None)]

        # The next run, with next month's boletos: one remessa (NSA 2), the baixa first (P, Q and R at
        # movimento 02, the title otherwise as registered), then the new boletos' entries (01).
        assert ws.run("cycle", "--date", "2026-12-23").code == 0
        r = ws.run("issue-boleto", "--date", "2026-12-23", "--no-pdf")
        assert r.code == 0, r
        issued, run = boleto_docs(r)
        assert issued and run["counts"]["write_offs"] == 1 and len(run["remessas"]) == 1, run
        second = ws.path(run["remessas"][0])
        assert second != first and all(ws.path(d["remessa"]) == second for d in issued)
        lines = remessa_lines(second, 240)
        assert int(lines[0][157:163]) == 2, "the account's next NSA"
        details = [line for line in lines if line[7] == "3"]
        baixa, entries = details[:3], details[3:]
        assert [line[13] for line in baixa] == ["P", "Q", "R"] and [line[15:17] for line in baixa] == ["02"] * 3
        assert sum(1 for line in entries if line[13] == "P") == len(issued)
        assert all(line[15:17] == "01" for line in entries)
        for was, now in zip(registered, baixa):  # only the record's sequence (9-13) and the movement differ
            assert was[15:17] == "01" and now[:8] == was[:8] and now[13:15] == was[13:15]
            assert now[17:] == was[17:], (was, now)
        assert int(lines[-1][23:29]) == len(lines)
        assert ws.query("SELECT r.sequence FROM remessa_write_offs w JOIN remessas r ON r.id = w.remessa "
                        "WHERE w.boleto = ?", key) == [(2,)]
        assert status() == "write-off", "written off only when the bank says so"

        # Once: the run after writes no remessa at all.
        r = ws.run("issue-boleto", "--date", "2026-12-24", "--no-pdf")
        assert r.code == 0, r
        _, run = boleto_docs(r)
        assert run["counts"]["write_offs"] == 0 and run["remessas"] == [], run

        # A remessa a killed run left unwritten is written again from the ledger, the same bytes.
        data = second.read_bytes()
        second.unlink()
        with ws.db() as con:
            con.execute("UPDATE remessas SET status = 'writing' WHERE sequence = 2")
        r = ws.run("issue-boleto", "--date", "2026-12-24", "--no-pdf")
        assert r.code == 0, r
        assert second.read_bytes() == data

        # The bank's retorno reports the baixa (09): the boleto is written off.
        ws.write("baixa.ret", retorno_of(victim, "09", "27122026"))
        r = ws.run("reconcile", "baixa.ret", "--date", "2026-12-27")
        assert r.code == 0, r
        assert status() == "written-off"
        actions = [a for (a,) in ws.query("SELECT action FROM events WHERE entity = 'boleto' AND entity_id = ? "
                                          "ORDER BY run, seq", str(key))]
        assert actions == ["write-off-requested", "confirmed", "write-off-in-remessa", "written-off"], actions


# The boletos table as schema v12 left it: two unique constraints on the account that v13
# folds into one index.
V12_BOLETOS_CONSTRAINTS = ",\n    UNIQUE (account, sequence),\n    UNIQUE (account, nosso_numero)\n)"


@test
def migration_v13_keeps_boletos_their_references_and_one_nosso_numero_each():
    with pipeline_workspace() as ws:
        r = ws.run("issue-boleto", "--date", "2026-11-23", "--no-pdf")
        assert r.code == 0, r
        boletos, _ = boleto_docs(r)
        paid = boletos[0]
        cents = round(float(paid["amount"]) * 100)
        ws.write("ret.ret", retorno_240(paid["bank"], [{"nosso": paid["nosso_numero"], "occurrence": "06",
                                                        "due": "03122026", "amount": cents, "paid": cents,
                                                        "date": "02122026"}]))
        assert ws.run("reconcile", "ret.ret", "--date", "2026-12-02").code == 0
        before = ws.query("SELECT * FROM boletos ORDER BY id")
        payments = ws.query("SELECT id, boleto FROM payments WHERE boleto IS NOT NULL")
        assert payments, "the payment should reference its boleto"
        with ws.db() as con:  # the ledger as v12 wrote it (foreign keys are off in this connection)
            sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'boletos'").fetchone()[0]
            columns = ", ".join(row[1] for row in con.execute("PRAGMA table_info(boletos)"))
            sql = sql.replace("CREATE TABLE boletos", "CREATE TABLE boletos_old")
            con.execute(sql[:sql.rindex(")")] + "\n" + V12_BOLETOS_CONSTRAINTS)
            con.execute(f"INSERT INTO boletos_old ({columns}) SELECT {columns} FROM boletos")
            con.execute("DROP TABLE boletos")
            con.execute("ALTER TABLE boletos_old RENAME TO boletos")
            con.execute("CREATE INDEX boletos_by_nosso_key ON boletos(bank, nosso_key)")
            con.execute("CREATE INDEX boletos_pending_remessa ON boletos(account) WHERE remessa IS NULL")
            con.execute("CREATE INDEX boletos_pending_pdf ON boletos(id) WHERE pdf IS NULL")
            con.execute("PRAGMA user_version = 12")
        assert ws.query("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_boletos%'") == [(3,)]
        assert ws.run("report", "runs").code == 0  # any command migrates
        assert ws.query("SELECT * FROM boletos ORDER BY id") == before
        assert ws.query("SELECT id, boleto FROM payments WHERE boleto IS NOT NULL") == payments
        assert ws.query("PRAGMA foreign_key_check") == []
        assert ws.query("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_boletos%'") == [(1,)]
        assert ws.query("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v13' OR name LIKE '%_v12_rows'") \
            == [(0,)]
        # A nosso número already used in the account is refused; the next boleto is issued.
        with ws.db() as con:
            con.execute("PRAGMA foreign_keys = ON")
            try:
                con.execute("INSERT INTO boletos (invoice, account, bank, sequence, nosso_numero, nosso_numero_dv, "
                            "nosso_numero_display, issue_date, due_date, amount, fine_percent, interest_per_day, "
                            "barcode, linha_digitavel, run, nosso_key) SELECT invoice, account, bank, sequence + 1000, "
                            "nosso_numero, nosso_numero_dv, nosso_numero_display, issue_date, due_date, amount, "
                            "fine_percent, interest_per_day, barcode, linha_digitavel, run, nosso_key "
                            "FROM boletos WHERE id = 1")
                raise AssertionError("a nosso número was used twice")
            except sqlite3.IntegrityError as e:
                assert "UNIQUE" in str(e), e
        # reconcile still finds a boleto by its nosso número after the migration.
        other = boletos[1]
        cents = round(float(other["amount"]) * 100)
        ws.write("ret2.ret", retorno_240(other["bank"], [{"nosso": other["nosso_numero"], "occurrence": "06",
                                                          "due": "03122026", "amount": cents, "paid": cents,
                                                          "date": "03122026"}], nsa=2))
        assert ws.run("reconcile", "ret2.ret", "--date", "2026-12-03").code == 0
        assert ws.query("SELECT count(*) FROM payments p JOIN boletos b ON b.id = p.boleto "
                        "WHERE b.nosso_numero || b.nosso_numero_dv = ?", other["nosso_numero"]) == [(1,)]
        assert ws.run("show", "boleto", paid["invoice"]).code == 0


@test
def batches_read_ahead_issue_each_invoice_once():
    """More invoices than a batch (5,000): each batch after the first is read on a second
    connection while the one before is issued. Ineligible invoices are scattered among them."""
    n = 11003
    with Workspace() as ws:
        with ws.db() as con:
            con.executescript(f"""
INSERT INTO runs (id, command, business_date, started, status) VALUES (900, 'setup', '2026-11-01', '2026-11-01T00:00:00-03:00', 'ok');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
INSERT INTO customers (id, name, tax_id, street, number, district, city, state, zip, content_hash, run)
  SELECT printf('C%07d', i), printf('Cliente %d', i), '11144477735', 'Rua A', i, 'Centro', 'São Paulo', 'SP',
         '01310100', 0, 900 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
INSERT INTO invoices (id, series, number, status, customer, issue_date, due_date, gross, iss, iss_withheld, pis,
                      cofins, csll, irrf, inss, withheld, net, balance, payment_method, bank_account, run)
  SELECT i, 'A', i, CASE WHEN i % 1000 = 7 THEN 'paid' ELSE 'issued' END, printf('C%07d', i), '2026-11-30',
         '2026-12-10', 10000 + i, 0, 0, 0, 0, 0, 0, 0, 0, 10000 + i, 10000 + i,
         CASE WHEN i % 1000 = 500 THEN 'pix' ELSE 'boleto' END, 'main', 900 FROM n;
INSERT INTO series_numbers VALUES ('A', {n});
""")
        eligible = [k for (k,) in ws.query("SELECT id FROM invoices WHERE status = 'issued' AND "
                                           "payment_method = 'boleto' ORDER BY id")]
        assert len(eligible) == n - 22
        r = ws.run("issue-boleto", "--date", "2026-11-30", "--no-pdf")
        assert r.code == 0, r
        docs = fast_docs(r.stdout)
        boletos = [d for d in docs if d["kind"] == "boleto"]
        assert [d["invoice"] for d in boletos] == [f"A-{k:06d}" for k in eligible]
        assert [d["key"] for d in boletos] == list(range(1, len(eligible) + 1))
        assert ws.query("SELECT invoice FROM boletos ORDER BY id") == [(k,) for k in eligible]
        assert docs[-1]["counts"]["boletos"] == len(eligible)
        lines = remessa_lines(ws.path("out/remessa/main-000001.rem"), 240)
        assert sum(1 for line in lines if line[7] == "3" and line[13] == "P") == len(eligible)
        again = ws.run("issue-boleto", "--date", "2026-11-30", "--no-pdf")
        assert again.code == 0, again
        assert fast_docs(again.stdout)[-1]["counts"]["boletos"] == 0
        assert ws.query("SELECT count(*) FROM boletos") == [(len(eligible),)]


if __name__ == "__main__":
    main()
