"""Shared helpers for the end-to-end tests: each test runs the real billrun binary in a
fresh temporary directory with its own ledger and configuration."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
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
        try:
            fn()
            print(f"ok   {fn.__name__}")
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print(f"FAIL {fn.__name__}: {type(e).__name__}: {e}")
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
