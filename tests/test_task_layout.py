"""The task packages over the shared core: every module imports first, in a fresh interpreter, so no import
cycle between the core (mechproof.checker, mechproof.certificate) and a task (tasks/maxk/, tasks/induction/)
depends on which module a program happens to import first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FIRST_IMPORTS = """
import importlib, pkgutil, sys
import mechproof
names = [m.name for m in pkgutil.walk_packages(mechproof.__path__, "mechproof.")
         if not m.name.endswith("__main__") and not m.name.endswith(".engines.ray")]
failed = []
for name in names:
    for key in [k for k in sys.modules if k == "mechproof" or k.startswith("mechproof.")]:
        del sys.modules[key]
    try:
        importlib.import_module(name)
    except Exception as e:
        failed.append(f"{name}: {e!r}")
print(len(names), "modules")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


@pytest.mark.slow
def test_every_module_imports_first():
    proc = subprocess.run([sys.executable, "-c", FIRST_IMPORTS], capture_output=True, text=True, cwd=ROOT / "python")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert int(proc.stdout.split()[0]) > 50  # the walk found the package


def test_max_of_k_is_a_task_package():
    """Max-of-K's modules live in tasks/maxk/ only: none is left at its old place at the top level."""
    package = ROOT / "python" / "mechproof"
    for name in ("model.py", "bruteforce.py", "explain.py", "statedict.py", "checker/cubic.py", "checker/subcubic", "strategies"):
        assert not (package / name).exists(), name
    for name in ("model.py", "training.py", "bruteforce.py", "estimate.py", "models.py", "statedict.py", "explain.py", "schema.py", "checker/cubic.py", "checker/subcubic", "checker/inputs.py", "strategies/cubic.py"):
        assert (package / "tasks" / "maxk" / name).exists(), name
