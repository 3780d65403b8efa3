"""The command line itself: help, version, usage errors and their exit codes."""
from harness import Workspace, main, test


@test
def version_and_help_do_not_touch_the_ledger():
    with Workspace(init=False, config=False) as ws:
        r = ws.run("--version")
        assert r.code == 0 and r.stdout.startswith("billrun "), r
        r = ws.run("--help")
        assert r.code == 0 and "import" in r.stdout, r
        r = ws.run("import", "--help")
        assert r.code == 0 and "--skip-invalid" in r.stdout, r
        assert not ws.path("billrun.db").exists()


@test
def mistyped_command_suggests_the_nearest():
    with Workspace(init=False, config=False) as ws:
        r = ws.run("improt", "customers", "x.csv")
        assert r.code == 64, r
        assert "did you mean 'import'?" in r.stderr, r


@test
def usage_errors_exit_64():
    with Workspace() as ws:
        assert ws.run().code == 64
        assert ws.run("import").code == 64
        assert ws.run("import", "customers", "--no-such-flag", "x.csv").code == 64
        r = ws.run("import", "widgets", "x.csv")
        assert r.code == 64 and "widgets" in r.stderr, r
        r = ws.run("--date", "2026-02-30", "import", "customers", "-")
        assert r.code == 64 and "2026-02-30" in r.stderr, r


@test
def global_options_before_or_after_the_command():
    with Workspace() as ws:
        ws.write("c.csv", "id,name,tax_id\nX1,Fulano,111.444.777-35\n")
        r1 = ws.run("--date", "2026-12-01", "--dry-run", "import", "customers", "c.csv")
        r2 = ws.run("import", "customers", "c.csv", "--date", "2026-12-01", "--dry-run")
        assert r1.code == 0 and r2.code == 0, (r1, r2)
        assert r1.stdout == r2.stdout


@test
def missing_ledger_and_config():
    with Workspace(init=False) as ws:
        ws.write("c.csv", "id,name,tax_id\nX1,Fulano,111.444.777-35\n")
        r = ws.run("import", "customers", "c.csv")
        assert r.code == 66 and "billrun init" in r.stderr, r
    with Workspace(init=False, config=False) as ws:
        r = ws.run("import", "customers", "c.csv")
        assert r.code == 78 and "billrun.yaml" in r.stderr, r


if __name__ == "__main__":
    main()
