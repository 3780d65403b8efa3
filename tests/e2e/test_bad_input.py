"""Bad input anywhere gives its documented exit code, a message naming the file and the place,
never a crash or a signal, and changes nothing (SPEC §1 exit codes, §10).

The corpus is tests/bad-input/ (one folder per input format: import/<kind>/, config/,
stream/ for the artifact streams emit-nfse and issue-boleto read, reconcile/<format>/), and
CASES below says where each file's message must point; the fuzzers' regression inputs
(fuzz/README.md) go there too. What is too big to commit (YAML nested 100,000 deep, a YAML
stream of 20,000 documents, a CNAB line of 10 MB, a CSV field of 2 MB) is made at test time.
Every input runs against one ledger holding customers, contracts, invoices and boletos; after
each run every table holds the same rows and the workspace the same files as before."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import EXAMPLES, SOURCE, Workspace, main, test

CORPUS = SOURCE / "tests" / "bad-input"
DATE = "2026-12-01"
SANITIZED = os.environ.get("BILLRUN_E2E_SANITIZED") == "1"

# path under tests/bad-input -> "LINE" or "LINE:COLUMN" the message must name after the file.
CASES = {
    "config/binary-nul.yaml": "4:50",
    "config/huge-money.yaml": "25:14",
    "config/invalid-utf8.yaml": "7:22",
    "config/junk.yaml": "1:1",
    "config/negative-fine.yaml": "41:17",
    "config/stray-comma.yaml": "2:1",
    "config/traversal-account.yaml": "40:20",
    "config/truncated.yaml": "9:31",
    "import/charges/feb-31.csv": "2:3",
    "import/charges/huge-quantity.yaml": "4:13",
    "import/charges/invalid-utf8.csv": "3:7",
    "import/charges/negative-price.csv": "2:6",
    "import/contracts/feb-31.csv": "3:5",
    "import/contracts/feb-31.yaml": "6:8",
    "import/contracts/huge-price.csv": "2:5",
    "import/contracts/junk.yaml": "1:1",
    "import/contracts/negative-quantity.yaml": "5:15",
    "import/contracts/traversal-names.yaml": "9:11",
    "import/customers/bad-tax-id.csv": "3:3",
    "import/customers/header-only-junk.csv": "1:1",
    "import/customers/invalid-utf8.csv": "3:3",
    "import/customers/invalid-utf8.yaml": "5:9",
    "import/customers/junk.csv": "1:2",
    "import/customers/junk.yaml": "1:1",
    "import/customers/nul-byte.csv": "2:2",
    "import/customers/stray-comma.yaml": "2:1",
    "import/customers/terminal-escape.csv": "2:3",
    "import/customers/truncated.csv": "3:2",
    "import/customers/truncated.yaml": "5:21",
    "import/payments/feb-31.yaml": "2:9",
    "import/payments/huge-amount.csv": "2:3",
    "import/payments/junk.csv": "1:2",
    "import/payments/negative-amount.csv": "2:3",
    "import/payments/traversal-invoice.csv": "2:1",
    "import/services/bad-rate.yaml": "5:13",
    "import/services/huge-price.csv": "2:3",
    "import/services/huge-price.yaml": "3:15",
    "import/services/negative-price.csv": "3:3",
    "import/services/truncated.csv": "2:4",
    "reconcile/cnab240/feb-31.ret": "4",
    "reconcile/cnab240/junk-after-header.ret": "3",
    "reconcile/cnab240/letters-in-amount.ret": "4",
    "reconcile/cnab240/truncated.ret": "4",
    "reconcile/cnab240/unknown-bank.ret": "1",
    "reconcile/cnab400/feb-31.ret": "2",
    "reconcile/cnab400/letters-in-amount.ret": "2",
    "reconcile/cnab400/remessa-given.ret": "1",
    "reconcile/cnab400/truncated.ret": "3",
    "reconcile/csv/feb-31.csv": "3:1",
    "reconcile/csv/huge-amount.csv": "2:2",
    "reconcile/csv/invalid-utf8.csv": "3:3",
    "reconcile/csv/junk.csv": "1:2",
    "reconcile/csv/missing-column.csv": "1:1",
    "reconcile/csv/truncated.csv": "2:3",
    "reconcile/ofx/external-entity.ofx": "3:1",
    "reconcile/ofx/feb-31.ofx": "49:11",
    "reconcile/ofx/huge-amount.ofx": "42:9",
    "reconcile/ofx/junk-after-header.ofx": "5:142",
    "reconcile/ofx/letters-in-amount.ofx": "16:21",
    "reconcile/ofx/truncated.ofx": "58:13",
    "stream/bad-key.yaml": "4",
    "stream/csv-given.yaml": "1",
    "stream/junk.yaml": "1",
    "stream/no-kind.yaml": "6",
    "stream/traversal-id.yaml": "2",
    "stream/truncated.yaml": "6",
    "stream/unknown-invoice.yaml": "2",
}


def commands(rel, path):
    """The billrun command lines that read `path` (a file of the corpus at `rel`)."""
    parts = Path(rel).parts
    if parts[0] == "import":
        return [("import", parts[1], path)]
    if parts[0] == "config":
        return [("--config", path, "cycle", "--date", DATE)]
    if parts[0] == "stream":
        return [("emit-nfse", path), ("issue-boleto", "--date", DATE, path)]
    return [("reconcile", "--date", DATE, path)]


def expected_code(rel):
    return 78 if rel.startswith("config/") else 65


_BASE = []


def base():
    """A workspace whose ledger holds the examples imported, billed and with boletos issued."""
    if not _BASE:
        ws = Workspace()
        for kind, name in (("customers", "clientes.csv"), ("services", "servicos.csv"),
                           ("contracts", "contratos.yaml"), ("charges", "avulsos.csv")):
            r = ws.run("import", kind, EXAMPLES / name)
            assert r.code == 0, r
        for stage in ("cycle", "issue-boleto"):
            r = ws.run(stage, "--date", DATE)
            assert r.code == 0, r
        assert ws.query("SELECT count(*) FROM boletos")[0][0] > 0
        _BASE.append(ws)
    return _BASE[0]


def snapshot(ws):
    """Every table's rows and every file of the workspace (the ledger's own files aside)."""
    files = sorted(str(p.relative_to(ws.dir)) for p in ws.dir.rglob("*")
                   if p.is_file() and not p.name.startswith("billrun.db"))
    return ws.dump(), files


def run_raw(ws, args):
    """billrun with bytes for stdout and stderr: bad input may be echoed back as it is."""
    env = dict(os.environ, TZ="UTC")
    env.pop("BILLRUN_LEDGER", None)
    env.pop("BILLRUN_CONFIG", None)
    proc = subprocess.run([os.environ.get("BILLRUN_BIN", "billrun"), *map(str, args)], cwd=ws.dir,
                          capture_output=True, env=env, timeout=300)
    return proc.returncode, proc.stderr


def terminal_safe(err):
    """Messages echo the input, but never a control character or a byte that is not UTF-8."""
    unsafe = [b for b in err if (b < 0x20 and b not in b"\n\t") or b == 0x7f]
    assert not unsafe, f"control bytes {sorted(set(unsafe))} reached stderr:\n{err!r}"
    text = err.decode("utf-8")  # raises on bytes that are not UTF-8
    assert not any(0x80 <= ord(c) <= 0x9f for c in text), f"C1 controls reached stderr:\n{err!r}"
    return text


def check_refused(ws, args, code, name, place):
    """Runs billrun; checks the exit code, the message (file:place) and that nothing changed."""
    before = snapshot(ws)
    got, raw = run_raw(ws, args)
    err = terminal_safe(raw)
    where = f"{name}:{place}"
    assert got >= 0, f"{args}: killed by signal {-got}\n{err}"
    assert got == code, f"{args}: exit {got}, expected {code}\n{err}"
    assert "billrun: error:" in err or err.startswith(str(name)), f"{args}: no error message\n{err}"
    if place:
        assert where + ":" in err, f"{args}: the message does not name {where}\n{err}"
    else:
        assert f"{name}:" in err, f"{args}: the message does not name {name}\n{err}"
    after = snapshot(ws)
    assert after[1] == before[1], f"{args}: files changed: {set(after[1]) ^ set(before[1])}"
    for table, rows in before[0].items():
        assert after[0][table] == rows, f"{args}: table {table} changed"
    assert after[0].keys() == before[0].keys(), args


@test
def every_file_of_the_corpus_is_refused_where_it_is_wrong():
    files = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md")
    assert files == sorted(CASES), f"tests/bad-input and CASES differ: {set(files) ^ set(CASES)}"
    ws = base()
    failures = []
    for rel, place in CASES.items():
        path = CORPUS / rel
        if rel.startswith("config/"):
            # next to the template files its paths name, as billrun.yaml would be
            path = ws.path(Path(rel).name)
            shutil.copy(CORPUS / rel, path)
        for args in commands(rel, path):
            try:
                check_refused(ws, args, expected_code(rel), path.name if rel.startswith("config/") else path, place)
            except AssertionError as e:
                failures.append(f"{rel}: {e}")
        if rel.startswith("config/"):
            path.unlink()
    assert not failures, "\n".join(failures)


@test
def inputs_too_big_to_commit():
    ws = base()
    tmp = Path(tempfile.mkdtemp(prefix="billrun-bad-input-"))
    try:
        deep = tmp / "deep.yaml"
        deep.write_text("- " + "[" * 100000 + "\n")
        check_refused(ws, ("import", "customers", deep), 65, deep, "2:1")  # where yaml-cpp stopped

        nested = ws.path("nested.yaml")  # a config: next to its templates
        nested.write_text("company:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(3000)))
        check_refused(ws, ("--config", "nested.yaml", "report", "aging"), 78, "nested.yaml", "499:1002")
        nested.unlink()

        # A long stream whose last record is wrong: the place is still exact.
        count = 5000 if SANITIZED else 20000
        many = tmp / "many.yaml"
        with many.open("w") as out:
            for i in range(count):
                out.write(f"---\nid: N{i}\nname: Cliente {i}\ntax_id: 529.982.247-25\n")
            out.write("---\nid: BAD\nname: Cliente mau\ntax_id: 529.982.247-26\n")
        check_refused(ws, ("import", "customers", many), 65, many, f"{4 * count + 4}:9")

        # A CNAB 240 retorno with a 10 MB line among good ones.
        lines = (EXAMPLES / "retorno-bb.ret").read_text().splitlines()
        ret = tmp / "long-line.ret"
        with ret.open("w") as out:
            out.write("\n".join(lines[:3]) + "\n")
            out.write(lines[3][:14] + "9" * (10 << 20) + "\n")
            out.write("\n".join(lines[4:]) + "\n")
        check_refused(ws, ("reconcile", "--date", DATE, ret), 65, ret, "4")

        # An import CSV with a 2 MB field.
        big = tmp / "big-field.csv"
        big.write_text("id;name;tax_id\nC1;" + "x" * (2 << 20) + ";529.982.247-25\n")
        check_refused(ws, ("import", "customers", big), 65, big, "2:2")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@test
def missing_or_unreadable_inputs_exit_66_and_a_missing_config_78():
    ws = base()
    missing = ws.path("nao-existe.csv")
    check_refused(ws, ("import", "customers", missing), 66, missing, "")
    check_refused(ws, ("reconcile", "--date", DATE, missing), 66, missing, "")
    check_refused(ws, ("emit-nfse", missing), 66, missing, "")
    folder = ws.path("out")
    check_refused(ws, ("import", "customers", folder), 66, folder, "")
    check_refused(ws, ("--config", "nao-existe.yaml", "cycle"), 78, "nao-existe.yaml", "")


if __name__ == "__main__":
    try:
        main()
    finally:
        for made in _BASE:
            shutil.rmtree(made.dir, ignore_errors=True)
