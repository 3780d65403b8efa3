"""completion/billrun.bash: sourced in bash, COMPREPLY for a few command lines, and the
script's commands and options kept in step with what `billrun --help` lists."""
import re
import subprocess

from harness import BIN, SOURCE, main, test

SCRIPT = SOURCE / "completion" / "billrun.bash"


def complete(line):
    """COMPREPLY for the command line `line` (the cursor at its end), sorted."""
    words = line.split(" ")
    program = f"""
source {str(SCRIPT)!r}
COMP_WORDS=({' '.join(repr(w) if w else "''" for w in words)})
COMP_CWORD={len(words) - 1}
COMP_LINE={line!r}
COMP_POINT={len(line)}
_billrun
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                       cwd=SOURCE / "examples")
    assert r.returncode == 0 and r.stderr == "", r
    return sorted(w for w in r.stdout.splitlines() if w)


@test
def commands_report_names_and_values():
    assert complete("billrun re") == ["reconcile", "remind", "report"]
    assert complete("billrun report ") == ["aging", "invoices", "runs", "stages", "statement"]
    assert complete("billrun report st") == ["stages", "statement"]
    assert complete("billrun --ledger x.db report a") == ["aging"]
    assert complete("billrun report aging --format ") == ["csv", "json", "table", "yaml"]
    assert complete("billrun report invoices --status p") == ["paid", "partly-paid"]
    assert complete("billrun report runs --status d") == ["dry-run"]
    assert complete("billrun import ") == ["charges", "contracts", "customers", "payments", "services"]
    assert complete("billrun show i") == ["invoice"]
    assert complete("billrun help re") == ["reconcile", "remind", "report"]
    assert complete("billrun help bill") == ["billrun.yaml"]
    assert complete("billrun cancel A-000001 --code ") == ["1", "2", "9"]
    assert "clientes.csv" in complete("billrun import customers cl")


@test
def options_per_command_and_report():
    assert complete("billrun report aging --c") == ["--config", "--customer"]
    assert complete("billrun report statement C001 --f") == ["--format", "--from"]
    assert "--series" in complete("billrun report invoices --")
    assert "--series" not in complete("billrun report aging --")
    assert complete("billrun issue-boleto --no") == ["--no-pdf"]
    assert complete("billrun --dr") == ["--dry-run"]


def help_options(*command):
    text = subprocess.run([BIN, *command, "--help"], capture_output=True, text=True).stdout
    return set(re.findall(r"(?m)^\s+(?:-\w,)?(--[a-z-]+)", text)) - {"--help"}


@test
def the_script_knows_every_command_and_option_of_the_binary():
    text = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
    commands = set(re.findall(r"(?m)^\s{2}([a-z-]+)\s{2,}", text.split("Subcommands:")[-1]))
    assert "report" in commands and "show" in commands, text
    assert set(complete("billrun ")) == commands
    assert help_options() <= set(complete("billrun -"))
    for command in commands:
        offered = set(complete(f"billrun {command} -"))
        if command == "report":
            for name in ("aging", "statement", "stages", "invoices", "runs"):
                offered |= set(complete(f"billrun report {name} -"))
        missing = help_options(command) - offered
        assert not missing, (command, missing)


if __name__ == "__main__":
    main()
