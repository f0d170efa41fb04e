"""The Makefile's setup and Lean targets, and what the README promises first."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(*args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=path or os.environ["PATH"])
    return subprocess.run(["make", "-s", *args], capture_output=True, text=True, cwd=ROOT, env=env)


def _torch_install_line(dry_run: str) -> str:
    [line] = [ln for ln in dry_run.splitlines() if "pip install" in ln and "torch==" in ln]
    return line


@needs_make
def test_setup_uses_torch_index_only_when_given(tmp_path):
    venv = f"VENV={tmp_path / 'venv'}"  # absent, so that -n shows the whole install recipe
    plain = _make("-n", "setup", venv)
    assert plain.returncode == 0, plain.stderr
    assert "index-url" not in _torch_install_line(plain.stdout)  # pip's own configuration decides, as before
    assert "torch.version.cuda" in plain.stdout  # it says which build it installed
    url = "https://download.pytorch.org/whl/cpu"
    cpu = _make("-n", "setup", venv, f"TORCH_INDEX={url}")
    assert re.search(rf"--index-url {re.escape(url)} torch==2\.13\.0", _torch_install_line(cpu.stdout))


@needs_make
def test_lean_without_lake_says_how_to_install_it(tmp_path):
    path = "/usr/bin:/bin"
    if shutil.which("lake", path=path):
        pytest.skip("lake is installed in /usr/bin or /bin")
    proc = _make("lean", path=path)
    assert proc.returncode != 0
    assert "elan" in proc.stderr and "mechproof check" in proc.stderr
    assert "No such file" not in proc.stderr


def test_readme_opens_with_the_commands_then_the_trust_boundary():
    text = (ROOT / "README.md").read_text()
    commands = text.index("make certify MODEL=seed42"), text.index("make test ")
    first_paragraph = text.split("```", 2)[2].strip().split("\n\n")[0]
    assert max(commands) < text.index(first_paragraph)
    assert "[TRUST.md](TRUST.md)" in first_paragraph and "docs/certificate.md" in first_paragraph
    assert "not a Lean theorem" in first_paragraph


@needs_make
def test_quick_tests_leave_out_only_the_slow_ones_and_ci_runs_them_all():
    quick = _make("-n", "test-quick", "VENV=.venv")
    assert quick.returncode == 0, quick.stderr
    [line] = [ln for ln in quick.stdout.splitlines() if "pytest" in ln]
    assert "-m 'not slow'" in line or '-m "not slow"' in line
    full = _make("-n", "test", "VENV=.venv")
    [line] = [ln for ln in full.stdout.splitlines() if "pytest" in ln]
    args = line.split("pytest", 1)[1]
    assert " -m " not in args and " -k " not in args  # the whole suite
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^make test +#.*\d+ min", readme, re.M) and re.search(r"^make test-quick +#", readme, re.M)

