"""Shared helpers for the end-to-end tests: each test runs the real billrun binary in a
fresh temporary directory with its own ledger and configuration."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

BIN = os.environ.get("BILLRUN_BIN", "billrun")
SOURCE = Path(os.environ.get("BILLRUN_SOURCE_DIR", Path(__file__).resolve().parents[2]))
EXAMPLES = SOURCE / "examples"
SCHEMAS = SOURCE / "schemas"
REFERENCE = SOURCE.parent / "shared" / "reference"


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def docs(self):
        """The YAML documents on stdout."""
        return [d for d in yaml.safe_load_all(self.stdout) if d is not None]

    def __repr__(self):
        return f"<exit {self.code}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}>"


class Workspace:
    """A temp dir holding billrun.yaml (copied from examples/), templates and a ledger."""

    def __init__(self, init=True, config=True):
        self.dir = Path(tempfile.mkdtemp(prefix="billrun-e2e-"))
        if config:
            shutil.copy(EXAMPLES / "billrun.yaml", self.dir / "billrun.yaml")
            shutil.copytree(EXAMPLES / "templates", self.dir / "templates")
        if init:
            r = self.run("init")
            assert r.code == 0, r

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return self.dir / name

    def write(self, name, data, encoding="utf-8"):
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_bytes(data.encode(encoding))
        return p

    def run(self, *args, stdin=None, env=None, timeout=300):
        full_env = dict(os.environ)
        full_env.pop("BILLRUN_LEDGER", None)
        full_env.pop("BILLRUN_CONFIG", None)
        full_env["TZ"] = "UTC"
        if env:
            full_env.update(env)
        proc = subprocess.run([BIN, *map(str, args)], cwd=self.dir, input=stdin, capture_output=True,
                              text=True, env=full_env, timeout=timeout)
        return Result(proc)

    def db(self):
        return sqlite3.connect(self.dir / "billrun.db")

    def query(self, sql, *params):
        with self.db() as con:
            return con.execute(sql, params).fetchall()

    def dump(self):
        """Every table's rows, for 'nothing changed' comparisons."""
        with self.db() as con:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


def validate(doc):
    """Checks a document against schemas/<kind>.schema.json."""
    import jsonschema
    schema = json.loads((SCHEMAS / f"{doc['kind']}.schema.json").read_text())
    jsonschema.validate(doc, schema)


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def main():
    failed = 0
    for fn in TESTS:
        began = time.monotonic()
        try:
            fn()
            print(f"ok   {fn.__name__} ({time.monotonic() - began:.1f} s)")
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print(f"FAIL {fn.__name__} ({time.monotonic() - began:.1f} s): {type(e).__name__}: {e}")
    print(f"{len(TESTS) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def cpf_digits(base):
    """A valid CPF (11 digits) whose first nine digits are `base` (an int below 10**9)."""
    digits = [int(c) for c in f"{base:09d}"]
    for _ in range(2):
        total = sum(d * w for d, w in zip(digits, range(len(digits) + 1, 1, -1)))
        rest = total % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))


def import_reports(result):
    """The import-report documents on stdout, each checked against its schema."""
    docs = result.docs()
    for doc in docs:
        assert doc["kind"] == "import-report", doc
        validate(doc)
    return docs


# --- Helpers for the billing-cycle tests (tests/e2e/test_cycle_*.py) ---------------------
# Computed independently of the C++ code: calendar arithmetic from Python's calendar and
# datetime, money with fractions.Fraction.

import calendar as _calendar
import datetime as _datetime
from fractions import Fraction as _Fraction


def cnpj_digits(base):
    """A valid numeric CNPJ (14 digits) whose first twelve digits are `base` (an int below 10**12)."""
    digits = [int(c) for c in f"{base:012d}"]
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        rest = sum(d * w for d, w in zip(digits, weights)) % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))


def fast_docs(text):
    """The YAML documents of a (possibly long) stream, parsed with libyaml when available."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [d for d in yaml.load_all(text, Loader=loader) if d is not None]


def import_records(ws, kind, records, name=None):
    """Writes `records` (a list of dicts) as one YAML document holding a list and imports them."""
    name = name or f"{kind}.yaml"
    ws.write(name, yaml.safe_dump(records, allow_unicode=True, sort_keys=False))
    r = ws.run("import", kind, name)
    assert r.code == 0, r
    return r


def edit_config(ws, old, new):
    """Replaces the text `old` (which must be present) by `new` in the workspace's billrun.yaml."""
    path = ws.path("billrun.yaml")
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in billrun.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def cycle_docs(result):
    """(invoice documents, run document or None) of a `cycle` or `approve` output, each
    document checked against its schema."""
    docs = fast_docs(result.stdout)
    invoices = [d for d in docs if d.get("kind") == "invoice"]
    runs = [d for d in docs if d.get("kind") == "run"]
    assert len(invoices) + len(runs) == len(docs), result
    assert len(runs) <= 1 and (not runs or docs[-1] is runs[0]), result  # the run document comes last
    validate_all(docs)
    return invoices, (runs[0] if runs else None)


def to_date(text):
    return _datetime.date.fromisoformat(text)


def add_months_anchored(anchor, months):
    """anchor + months, keeping anchor's day, clamped to the target month's length."""
    total = anchor.year * 12 + (anchor.month - 1) + months
    year, month0 = divmod(total, 12)
    last = _calendar.monthrange(year, month0 + 1)[1]
    return _datetime.date(year, month0 + 1, min(anchor.day, last))


CYCLES = {"weekly": ("days", 7), "monthly": ("months", 1), "quarterly": ("months", 3),
          "semiannual": ("months", 6), "annual": ("months", 12)}


def cycle_unit(cycle):
    if cycle in CYCLES:
        return CYCLES[cycle]
    words = cycle.split()
    assert len(words) == 3 and words[0] == "every" and words[2] == "days", cycle
    return ("days", int(words[1]))


def nth_period_start(start, cycle, k):
    unit, count = cycle_unit(cycle)
    if unit == "days":
        return start + _datetime.timedelta(days=count * k)
    return add_months_anchored(start, count * k)


def expected_periods(start, cycle, billing, end, as_of):
    """[(k, period_start, period_end, full_end)] billed for a contract by business date `as_of`:
    periods [S + kC, S + (k+1)C), the end clamped to the contract's end, none starting after
    it; billed when the billing date (start in advance, clamped end in arrears) <= as_of."""
    out = []
    k = 0
    while True:
        s = nth_period_start(start, cycle, k)
        if s > as_of or (end is not None and s > end):
            return out
        full_end = nth_period_start(start, cycle, k + 1) - _datetime.timedelta(days=1)
        e = min(full_end, end) if end is not None else full_end
        billing_day = s if billing == "advance" else e
        if billing_day > as_of:
            return out
        out.append((k, s, e, full_end))
        k += 1


def billing_day(period, billing):
    return period[1] if billing == "advance" else period[2]


def cents(text):
    """'1234.50' -> 123450."""
    frac = _Fraction(text) * 100
    assert frac.denominator == 1, text
    return int(frac)


def money(value):
    """123450 -> '1234.50'."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def half_even(fraction):
    """Rounds a Fraction to an int, half to even (Python's round on a Fraction does exactly that)."""
    return round(_Fraction(fraction))


_VALIDATORS = {}


def validate_all(docs):
    """Checks every document against schemas/<kind>.schema.json, as validate() does, with one
    validator per schema (validate() re-checks the schema itself on each call: slow on long streams)."""
    import jsonschema
    for doc in docs:
        kind = doc["kind"]
        if kind not in _VALIDATORS:
            schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text())
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            _VALIDATORS[kind] = cls(schema)
        _VALIDATORS[kind].validate(doc)


def json_docs(text):
    """The documents of a `--format json` stream (one JSON document per line)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def validate_sample(docs, sample=300, seed=0):
    """Schema-checks every document of a short stream; of a long one (tens of thousands of
    invoices, where jsonschema takes a millisecond a document) the first, the last, every run
    document and `sample` others chosen at random (seeded)."""
    import random as _random
    if len(docs) <= sample + 2:
        validate_all(docs)
        return
    rnd = _random.Random(seed)
    chosen = {0, len(docs) - 1} | set(rnd.sample(range(len(docs)), sample))
    chosen |= {i for i, d in enumerate(docs) if d.get("kind") != "invoice"}
    validate_all([docs[i] for i in sorted(chosen)])
