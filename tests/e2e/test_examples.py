"""examples/crontab and examples/pipeline.sh run as they are written, against a company folder
made from examples/: the crontab's jobs in the order of their times, by /bin/sh as cron runs
them, for two nights; the pipeline by bash. `billrun` on their PATH is the built binary,
given --date so the nights fall on the examples' dates."""
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import BIN, EXAMPLES, fast_docs, main, test

PASSWORD = "senha-do-exemplo"


class Company:
    """A temp dir holding a company folder (examples/ imported), a HOME, and a bin/ whose
    `billrun` runs the built binary as of self.date."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="billrun-examples-"))
        self.dir = self.root / "company"
        self.home = self.root / "home"
        self.bin = self.root / "bin"
        for d in (self.dir, self.home, self.bin):
            d.mkdir()
        shutil.copy(EXAMPLES / "billrun.yaml", self.dir)
        shutil.copytree(EXAMPLES / "templates", self.dir / "templates")
        self.date = "2026-11-23"
        wrapper = self.bin / "billrun"
        wrapper.write_text(f'#!/bin/sh\nexec {str(Path(BIN).resolve())!r} ${{BILLRUN_TEST_DATE:+--date "$BILLRUN_TEST_DATE"}} "$@"\n')
        wrapper.chmod(0o755)
        self.a1_certificate()
        for args in (["init"], ["import", "customers", EXAMPLES / "clientes.csv"],
                     ["import", "services", EXAMPLES / "servicos.csv"],
                     ["import", "contracts", EXAMPLES / "contratos.yaml"],
                     ["import", "charges", EXAMPLES / "avulsos.csv"]):
            r = self.sh(" ".join(["billrun", *map(str, args)]))
            assert r.returncode == 0, r

    def a1_certificate(self):
        certs = self.dir / "certs"
        certs.mkdir()
        run = lambda *a: subprocess.run(["openssl", *a], cwd=certs, check=True, capture_output=True)  # noqa: E731
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "a1.key", "-out", "a1.pem", "-days", "30",
            "-subj", "/CN=EXEMPLO SERVICOS DIGITAIS LTDA:11222333000181")
        run("pkcs12", "-export", "-inkey", "a1.key", "-in", "a1.pem", "-out", "a1.pfx", "-passout", f"pass:{PASSWORD}")

    def env(self, extra=None):
        env = {"PATH": f"{self.bin}:/usr/bin:/bin", "HOME": str(self.home), "TZ": "UTC", "LC_ALL": "C.UTF-8",
               "BILLRUN_TEST_DATE": self.date}
        env.update(extra or {})
        return env

    def sh(self, command, shell="/bin/sh", env=None):
        return subprocess.run([shell, "-c", command], cwd=self.dir, capture_output=True, text=True,
                              env=self.env(env), timeout=300)

    def query(self, sql, *params):
        import sqlite3
        with sqlite3.connect(self.dir / "billrun.db") as con:
            return con.execute(sql, params).fetchall()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.root, ignore_errors=True)


def crontab():
    """The variables and the jobs ((hour, minute), command) of examples/crontab, in time order."""
    variables, jobs = {}, []
    for line in (EXAMPLES / "crontab").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if m := re.fullmatch(r"([A-Z_]+)=(.*)", line):
            variables[m[1]] = m[2]
            continue
        minute, hour, dom, month, dow, command = line.split(None, 5)
        assert (dom, month, dow) == ("*", "*", "*"), line  # every night
        # crontab(5): an unescaped % would end the command; \% is a %.
        assert not re.search(r"(?<!\\)%", command), command
        jobs.append(((int(hour), int(minute)), command.replace("\\%", "%")))
    return variables, [command for _, command in sorted(jobs)]


def night(company, variables, jobs):
    """Runs every job as cron would, with the crontab's variables; their results in order."""
    env = {k: v for k, v in variables.items() if k not in ("PATH", "SHELL", "MAILTO")}
    env["BILLING"] = str(company.dir)
    return [company.sh(job, shell=variables["SHELL"], env=env) for job in jobs]


def stage_of(job):
    return re.search(r"billrun ([a-z-]+)", job)[1]


@test
def the_crontab_runs_the_nightly_chain():
    variables, jobs = crontab()
    assert variables["SHELL"] == "/bin/sh" and "BILLING" in variables
    assert [stage_of(j) for j in jobs] == ["reconcile", "cycle", "emit-nfse", "issue-boleto", "remind"], jobs
    with Company() as company:
        (company.dir / "runs").mkdir()
        (company.dir / "retornos" / "lidos").mkdir(parents=True)
        secret = company.home / ".config" / "billrun" / "cert-password"
        secret.parent.mkdir(parents=True)
        secret.write_text(PASSWORD + "\n")

        # Night one: no retorno yet; bills, signs, issues boletos, sends what is due.
        company.date = "2026-11-23"
        results = dict(zip(map(stage_of, jobs), night(company, variables, jobs)))
        assert results["reconcile"].stdout == results["reconcile"].stderr == "", results["reconcile"]
        for stage in ("cycle", "issue-boleto", "remind"):
            r = results[stage]
            assert r.returncode == 0 and r.stdout == r.stderr == "", (stage, r)
        # The customer with an alphanumeric CNPJ cannot be a DPS 1.01 taker: exit 1, said on stderr.
        assert results["emit-nfse"].returncode == 1 and results["emit-nfse"].stdout == "", results["emit-nfse"]
        runs = company.dir / "runs"
        invoices = [d for f in runs.glob("cycle-*.yaml") for d in fast_docs(f.read_text()) if d["kind"] == "invoice"]
        assert len(invoices) == company.query("SELECT count(*) FROM invoices")[0][0] > 10, invoices
        nfse = [d for f in runs.glob("nfse-*.yaml") for d in fast_docs(f.read_text()) if d["kind"] == "nfse"]
        assert sum(d["status"] == "signed" for d in nfse) == company.query(
            "SELECT count(*) FROM nfse WHERE status = 'signed'")[0][0] > 0
        boletos = [d for f in runs.glob("boletos-*.yaml") for d in fast_docs(f.read_text()) if d["kind"] == "boleto"]
        assert len(boletos) == company.query(
            "SELECT count(*) FROM invoices WHERE payment_method = 'boleto' AND status = 'issued'")[0][0] > 0
        assert list((company.dir / "out" / "remessa").iterdir()), "no remessa for the bank"
        assert all(Path(company.dir, b["pdf"]).is_file() for b in boletos)

        # Night two: the bank's retorno has arrived; it is applied first, then moved aside.
        shutil.copy(EXAMPLES / "retorno-bb.ret", company.dir / "retornos")
        company.date = "2026-12-05"
        results = dict(zip(map(stage_of, jobs), night(company, variables, jobs)))
        r = results["reconcile"]
        assert r.returncode == 0 and r.stdout == r.stderr == "", r
        assert not list((company.dir / "retornos").glob("*.ret"))
        assert (company.dir / "retornos" / "lidos" / "retorno-bb.ret").is_file()
        payments = [d for d in fast_docs(next(runs.glob("reconcile-*.yaml")).read_text()) if d["kind"] == "payment"]
        assert {(p["invoice"], p["status"]) for p in payments} >= {("A-000001", "applied"), ("A-000002", "applied")}
        status = dict(company.query("SELECT series || '-' || printf('%06d', number), status FROM invoices"))
        # A-000001 also bills K001's extra hours, so the retorno pays it only in part.
        assert status["A-000001"] == status["A-000002"] == "partly-paid" and status["A-000011"] == "paid", status
        for stage in ("cycle", "issue-boleto", "remind"):
            assert results[stage].returncode == 0 and results[stage].stderr == "", (stage, results[stage])
        reminders = [d for f in runs.glob("remind-*.yaml") for d in fast_docs(f.read_text()) if d["kind"] == "reminder"]
        assert reminders and "A-000011" not in {d["invoice"] for d in reminders}, reminders  # paid: no reminder
        # Every invoice paid by boleto has its boleto, every stage ran once a night.
        assert company.query("SELECT count(*) FROM invoices i WHERE payment_method = 'boleto' AND status <> 'draft' "
                             "AND NOT EXISTS (SELECT 1 FROM boletos b WHERE b.invoice = i.id)") == [(0,)]
        ran = dict(company.query("SELECT command, count(*) FROM runs GROUP BY command"))
        assert {c: ran.get(c) for c in ("reconcile", "cycle", "emit-nfse", "issue-boleto", "remind")} == {
            "reconcile": 1, "cycle": 2, "emit-nfse": 2, "issue-boleto": 2, "remind": 2}, ran


@test
def the_pipeline_carries_one_cycles_invoices_through():
    with Company() as company:
        # Invoices of an earlier cycle that the pipeline must leave alone.
        company.date = "2026-10-01"
        assert company.sh("billrun cycle > /dev/null").returncode == 0
        earlier = company.query("SELECT id FROM invoices")
        assert earlier

        script = EXAMPLES / "pipeline.sh"
        r = company.sh(f"{script} --date 2026-11-23", shell="/bin/bash",
                       env={"BILLRUN_CERT_PASSWORD": PASSWORD, "BILLRUN_TEST_DATE": ""})
        # The alphanumeric-CNPJ customer's NFS-e is refused by the DPS schema: exit 1.
        assert r.returncode == 1 and r.stdout == "", r
        runs = company.dir / "runs"
        [invoices_file] = runs.glob("invoices-*.yaml")
        [nfse_file] = runs.glob("nfse-*.yaml")
        [boletos_file] = runs.glob("boletos-*.yaml")
        invoices = {d["id"] for d in fast_docs(invoices_file.read_text()) if d["kind"] == "invoice"}
        nfse = [d for d in fast_docs(nfse_file.read_text()) if d["kind"] == "nfse"]
        boletos = [d for d in fast_docs(boletos_file.read_text()) if d["kind"] == "boleto"]
        assert invoices and {d["invoice"] for d in nfse} <= invoices
        assert {d["invoice"] for d in nfse if d["status"] == "signed"}
        # Boletos for exactly the invoices the NFS-e stage passed on that are paid by boleto.
        by_boleto = {i for (i,) in company.query(
            "SELECT series || '-' || printf('%06d', number) FROM invoices WHERE payment_method = 'boleto'")}
        assert boletos and {b["invoice"] for b in boletos} == {d["invoice"] for d in nfse} & by_boleto, (boletos, nfse)
        # The earlier cycle's invoices got neither an NFS-e nor a boleto.
        keys = ",".join(str(k) for (k,) in earlier)
        assert company.query(f"SELECT count(*) FROM boletos WHERE invoice IN ({keys})") == [(0,)]
        assert company.query(f"SELECT count(*) FROM nfse WHERE invoice IN ({keys})") == [(0,)]


if __name__ == "__main__":
    main()
