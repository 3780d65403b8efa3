"""Progress on long runs: a line on stderr only when stderr is a terminal (run under
script(1), which gives the command a pseudo-terminal), none under cron conditions (no
terminal: stderr stays empty on success), none with -q."""
import os
import re
import subprocess

from harness import BIN, Workspace, main, test

CONTRACTS = 40000


def many_contracts(ws, n=CONTRACTS):
    """n customers with one monthly contract each, straight through SQL (the test is about the
    cycle's output, not import)."""
    with ws.db() as con:
        con.executescript(f"""
BEGIN;
INSERT INTO runs (id, command, business_date, started, status) VALUES (1000000, 'setup', '2026-11-01', '2026-11-01T00:00:00-03:00', 'ok');
INSERT INTO services (id, description, unit_price, service_code, iss_rate, content_hash, run) VALUES
  ('SUP', 'Suporte técnico mensal', 85000, '010701', 290, 0, 1000000);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {n})
INSERT INTO customers (id, name, tax_id, content_hash, run)
  SELECT printf('C%07d', i), printf('Cliente %d Ltda', i), '11144477735', 0, 1000000 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {n})
INSERT INTO contracts (id, customer, start, cycle, billing, due_days, payment_method, content_hash, run)
  SELECT printf('K%07d', i), printf('C%07d', i), '2026-11-01', 'monthly', 'advance', 10, 'boleto', 0, 1000000 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {n})
INSERT INTO contract_items (contract, position, service, quantity, price)
  SELECT printf('K%07d', i), 1, 'SUP', 1000, NULL FROM n;
COMMIT;
""")


def in_terminal(ws, *args):
    """Runs billrun under script(1): its stdin/stdout/stderr are a pseudo-terminal; what the
    terminal showed comes back (artifacts go to --out so only stderr's text is on it)."""
    command = " ".join([str(BIN), *args])
    env = dict(os.environ, TZ="UTC", TERM="xterm")
    proc = subprocess.run(["script", "-qefc", command, "/dev/null"], cwd=ws.dir, capture_output=True, env=env,
                          timeout=600)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")  # bytes: keep every \r as it came


@test
def a_long_cycle_shows_its_progress_at_a_terminal_and_erases_it():
    with Workspace() as ws:
        many_contracts(ws)
        code, screen = in_terminal(ws, "cycle", "--date", "2026-11-23", "--out", "invoices.yaml")
        assert code == 0, screen
        # Each redraw starts with a carriage return and ends by erasing the rest of the line.
        draws = re.findall(r"\r(contracts [0-9.]+(?: [0-9.]+/s)?)\x1b\[K", screen)
        assert draws, repr(screen[:500])
        counts = [int(d.split()[1].replace(".", "")) for d in draws]
        assert counts == sorted(counts) and all(0 < c <= CONTRACTS for c in counts), counts
        assert all(len(d) <= 79 for d in draws)
        # The line is erased at the end: the terminal is left with nothing of it.
        assert screen.endswith("\r\x1b[K"), repr(screen[-80:])
        assert ws.path("invoices.yaml").read_text().count("kind: invoice") == CONTRACTS


@test
def no_terminal_or_quiet_means_no_progress():
    with Workspace() as ws:
        many_contracts(ws)
        # As under cron: no terminal, so stderr stays empty on success.
        r = ws.run("cycle", "--date", "2026-11-23", "--out", "invoices.yaml")
        assert r.code == 0 and r.stderr == "", r
    with Workspace() as ws:
        many_contracts(ws)
        code, screen = in_terminal(ws, "-q", "cycle", "--date", "2026-11-23", "--out", "invoices.yaml")
        assert code == 0 and "\x1b[K" not in screen and "contracts" not in screen, repr(screen[:300])


if __name__ == "__main__":
    main()
