"""README.md's tutorial, run as it is written: every command of the fenced sh blocks of its
"Tutorial" section, in order, in one shell, from a checkout whose examples/ is the project's
and whose build/apps/billrun/billrun is the binary under test. Each command must succeed,
and the key outputs must be those the text describes."""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import BIN, SOURCE, main, test

MARK = "@@billrun-tutorial@@"


def tutorial_commands():
    text = (SOURCE / "README.md").read_text()
    section = re.search(r"^## Tutorial.*?(?=^## )", text, re.S | re.M)
    assert section, "README.md has no Tutorial section"
    blocks = re.findall(r"^```sh\n(.*?)^```", section[0], re.S | re.M)
    commands = [line for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) >= 15, commands
    return commands


def run_tutorial(commands):
    """{command: (exit status, stdout)} of each command, run in order in one bash."""
    root = Path(tempfile.mkdtemp(prefix="billrun-readme-"))
    try:
        checkout = root / "checkout"
        (checkout / "build" / "apps" / "billrun").mkdir(parents=True)
        (checkout / "examples").symlink_to(SOURCE / "examples")
        (checkout / "build" / "apps" / "billrun" / "billrun").symlink_to(Path(BIN).resolve())
        script = "".join(f"{c}\nprintf '\\n{MARK} %s\\n' $?\n" for c in commands)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "TMPDIR": str(root), "TZ": "UTC", "LC_ALL": "C.UTF-8"}
        r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=checkout, capture_output=True,
                           text=True, env=env, timeout=300)
        assert r.returncode == 0, r
        # Each command's output, then the marker and its exit status.
        parts = r.stdout.split(f"\n{MARK} ")
        statuses = [int(p.split("\n", 1)[0]) for p in parts[1:]]
        outputs = [parts[0]] + [p.split("\n", 1)[1] if "\n" in p else "" for p in parts[1:-1]]
        assert len(statuses) == len(commands), (statuses, r.stderr)
        return {c: (s, o) for c, s, o in zip(commands, statuses, outputs)}, r.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)


def output_of(results, prefix):
    [out] = [o for c, (s, o) in results.items() if c.startswith(prefix)]
    return out


@test
def the_tutorial_runs_as_written():
    commands = tutorial_commands()
    assert commands[0].startswith("export PATH=") and any(c == "billrun init" for c in commands)
    assert commands[-2].startswith("billrun report aging")
    results, stderr = run_tutorial(commands)
    failed = [(c, s) for c, (s, _) in results.items() if s != 0]
    assert not failed, (failed, stderr)

    assert "created: 8" in output_of(results, "billrun import customers")
    assert "created: 7" in output_of(results, "billrun import contracts")
    assert "K001" in output_of(results, "billrun show contract K001")
    invoices = int(output_of(results, "grep -c '^kind: invoice'"))
    assert invoices > 10, invoices
    assert output_of(results, "billrun cycle --date 2026-11-23 | grep").strip() == "invoices: 0"
    listing = output_of(results, "billrun report invoices")
    assert "A-000001" in listing and f"A-{invoices:06d}" in listing, listing
    assert int(output_of(results, "grep -c '^kind: boleto'")) > 0
    assert output_of(results, "ls out/remessa").strip()
    payments = output_of(results, "grep -E '^(invoice|status):'")
    assert "invoice: A-000001\nstatus: applied" in payments, payments
    assert re.search(r"(?m)^status\s+partly-paid$", output_of(results, "billrun show invoice A-000002")), results
    assert int(output_of(results, "grep -c '^kind: reminder'")) > 0
    assert output_of(results, "ls out/outbox").strip().endswith(".eml")
    aging = output_of(results, "billrun report aging")
    assert "TOTAL" in aging and "C002" in aging and "90+" in aging, aging
    statement = output_of(results, "billrun report statement C002")
    assert "A-0000" in statement, statement


if __name__ == "__main__":
    main()
