"""cmake --install puts the binary, every man page and the bash completion under the prefix,
and man finds the installed pages there."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import SOURCE, main, test

BUILD = Path(os.environ.get("BILLRUN_BUILD_DIR", SOURCE / "build"))


@test
def install_under_a_prefix():
    prefix = Path(tempfile.mkdtemp(prefix="billrun-install-"))
    try:
        r = subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(prefix)], capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stderr
        binary = prefix / "bin" / "billrun"
        assert os.access(binary, os.X_OK), binary
        r = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.startswith("billrun "), r
        for page in (SOURCE / "man").glob("*.[15]"):
            assert (prefix / "share" / "man" / f"man{page.suffix[1:]}" / page.name).is_file(), page
        completion = prefix / "share" / "bash-completion" / "completions" / "billrun"
        assert completion.read_text() == (SOURCE / "completion" / "billrun.bash").read_text()
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        r = subprocess.run(["man", "-M", str(prefix / "share" / "man"), "-P", "cat", "billrun-report"],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
        text = " ".join(r.stdout.split())  # man justifies lines: compare words
        assert "billrun-report - aging, customer statement" in text and "FORMATS" in text, r.stdout[:500]
        r = subprocess.run(["man", "-M", str(prefix / "share" / "man"), "-P", "cat", "5", "billrun.yaml"],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 0 and "billrun.yaml" in r.stdout, r.stderr
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    main()
