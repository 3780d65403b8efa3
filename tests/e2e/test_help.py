"""billrun help [COMMAND]: the text of the man page, from the pages compiled into the binary,
word for word what groff makes of man/*.1 and man/*.5 (ignoring spacing and hyphenation)."""
import re
import subprocess

from harness import SOURCE, Workspace, main, test

MAN = SOURCE / "man"


def topic_of(page):
    """The `billrun help` argument that shows a page: none for billrun.1."""
    name = page.name
    if name == "billrun.1":
        return []
    if name == "billrun.yaml.5":
        return ["billrun.yaml"]
    return [name.removeprefix("billrun-").removesuffix(".1")]


def groff_text(page):
    r = subprocess.run(["groff", "-man", "-Tutf8", "-P-cbou", str(page)], capture_output=True, text=True,
                       env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    return r.stdout


def letters(text):
    """The text without spacing and without hyphens, so line breaks and hyphenation do not count."""
    return re.sub(r"[\s\-\u2010\u2011\u2212]", "", text)


def first_difference(a, b):
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"billrun: ...{a[max(0, i - 60):i + 60]!r}\ngroff:   ...{b[max(0, i - 60):i + 60]!r}"


@test
def every_page_matches_groff():
    pages = sorted(MAN.glob("billrun*.[15]"))
    assert len(pages) >= 13, pages
    with Workspace(init=False, config=False) as ws:
        for page in pages:
            r = ws.run("help", *topic_of(page))
            assert r.code == 0 and r.stderr == "", (page.name, r)
            ours, theirs = letters(r.stdout), letters(groff_text(page))
            assert ours == theirs, (page.name, first_difference(ours, theirs))
            # Laid out as man does: the headings at the margin, the body indented.
            lines = r.stdout.splitlines()
            assert "NAME" in lines and lines[lines.index("NAME") + 1].startswith("       billrun"), lines[:6]
        # Nothing was created: help needs no ledger and no configuration.
        assert list(ws.dir.iterdir()) == []


@test
def help_of_billrun_and_aliases():
    with Workspace(init=False, config=False) as ws:
        plain = ws.run("help")
        assert plain.code == 0 and plain.stdout.startswith("BILLRUN(1)"), plain
        assert "COMMANDS" in plain.stdout and "help" in plain.stdout
        assert ws.run("help", "help").stdout == plain.stdout
        config = ws.run("help", "billrun.yaml")
        assert config.stdout.startswith("BILLRUN.YAML(5)"), config
        assert ws.run("help", "config").stdout == config.stdout
        report = ws.run("help", "report")
        assert report.code == 0 and report.stdout.startswith("BILLRUN-REPORT(1)"), report
        # Global options may come first, as for every command.
        assert ws.run("--quiet", "help", "report").stdout == report.stdout


@test
def unknown_topic_is_a_usage_error():
    with Workspace(init=False, config=False) as ws:
        r = ws.run("help", "reprot")
        assert r.code == 64 and r.stdout == "", r
        assert "billrun: error:" in r.stderr and "'reprot'" in r.stderr and "'report'" in r.stderr, r
        r = ws.run("help", "frobnicate")
        assert r.code == 64 and "'frobnicate'" in r.stderr and "billrun.yaml" in r.stderr, r
        assert ws.run("help", "report", "extra").code == 64


if __name__ == "__main__":
    main()
