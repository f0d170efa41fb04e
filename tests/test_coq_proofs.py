"""The Coq soundness proof (coq/, everything `make coq` builds but the certificates) rests on the axioms of Coq's real
numbers only: `Print Assumptions` of its top theorems, instantiated at the axiom-free integers `ZInt` and the checker
`CheckZ`, lists no other axiom, and that of the theorem of Statement.v lists exactly those axioms (that no proof is
left open or assumed is tests/test_coq_tree.py).

The sources are compiled afresh into a temporary directory, so the test never reads stale build products.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from test_coq_lemmas import REAL_AXIOMS, assumption_blocks

ROOT = Path(__file__).resolve().parents[1]
COQ_DIR = ROOT / "coq"

# The top theorems: (functor applied to ZInt and CheckZ, its theorems).
TOP = {
    "Accepted": ("check_accepted", "tok_sound", "pos_sound"),
    "RuleSound": ("proven_right_sound", "proven_wrong_sound"),
    "ListsSound": ("decode_tokens", "indices_spec", "wrong_ok_sound", "proven_right_list"),
    "UpperSound": ("upper",),
    "ResidualSound": ("residual_facts", "residual_sound"),
}


def build_sources() -> list[str]:
    """The sources `make coq` builds, in dependency order, without the generated certificates."""
    lines = (COQ_DIR / "_CoqProject").read_text(encoding="utf-8").splitlines()
    sources = []
    for line in lines:
        if line.startswith("#"):
            break  # the certificates follow
        if line.endswith(".v"):
            sources.append(line.strip())
    return sources


@pytest.fixture(scope="module")
def top_axioms(tmp_path_factory) -> dict[str, set[str]]:
    """For each functor of TOP, the axioms `Print Assumptions` lists for the tuple of its top theorems at ZInt."""
    coqc = shutil.which("coqc")
    if coqc is None:
        pytest.skip("coqc is not on PATH: the Coq proof cannot be checked (install Coq 8.16)")
    root = tmp_path_factory.mktemp("coq")
    for name in build_sources():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(COQ_DIR / name, root / name)
        done = subprocess.run([coqc, "-R", ".", "MechProof", "-w", "-notation-overridden", name], cwd=root,
                              capture_output=True, text=True)
        assert done.returncode == 0, f"coqc {name}: {done.stderr}"
    probe = [f"From MechProof Require Import Int Check Statement Soundness {' '.join(TOP)}."]
    for functor, names in TOP.items():
        probe.append(f"Module {functor}Z := {functor}.{functor} ZInt CheckZ.")
        probe.append(f"Definition all_{functor} := ({', '.join(f'@{functor}Z.{n}' for n in names)}).")
        probe.append(f"Print Assumptions all_{functor}.")
    # the theorem of Statement.v itself, at the instance it is about
    probe.append("Definition theorem : sound_lower CheckZ.check * sound_upper CheckZ.check := (SoundZ.lower, SoundZ.upper).")
    probe.append("Print Assumptions theorem.")
    (root / "Probe.v").write_text("\n".join(probe) + "\n", encoding="utf-8")
    done = subprocess.run([coqc, "-R", ".", "MechProof", "Probe.v"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, f"coqc Probe.v: {done.stderr}"
    blocks = assumption_blocks(done.stdout)
    assert len(blocks) == len(TOP) + 1
    return dict(zip([*TOP, "Soundness"], blocks))


def test_top_theorems_rest_on_the_real_axioms_only(top_axioms):
    assert {functor: sorted(ax - REAL_AXIOMS) for functor, ax in top_axioms.items() if ax - REAL_AXIOMS} == {}


def test_the_soundness_theorem_rests_on_exactly_the_real_axioms(top_axioms):
    assert top_axioms["Soundness"] == REAL_AXIOMS
