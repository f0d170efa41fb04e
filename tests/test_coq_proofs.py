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

pytestmark = pytest.mark.slow  # compiles the whole proof (1–2 min)

ROOT = Path(__file__).resolve().parents[1]
COQ_DIR = ROOT / "coq"

# The top theorems: (functor applied to ZInt and CheckZ, its theorems).
TOP = {
    "Accepted": ("check_accepted", "tok_sound", "pos_sound"),
    "RuleSound": ("proven_right_sound", "proven_wrong_sound"),
    "ListsSound": ("decode_tokens", "indices_spec", "wrong_ok_sound", "proven_right_list"),
    "UpperSound": ("upper",),
    "ResidualSound": ("residual_facts", "residual_sound"),
    "UBound": ("N_le_U",),
    "Prefix": ("A_le_worst", "worst_part_le"),
    "Coverage": ("covered_spec",),
    "CubicCase": ("case_right",),
    "CasesSound": ("cases_lower",),
    "CubicSound": ("case_pos_acc", "lower_acc"),
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
def built(tmp_path_factory) -> tuple[str, Path]:
    """coqc and a fresh directory in which every source of the proof is compiled."""
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
    return coqc, root


@pytest.fixture(scope="module")
def top_axioms(built) -> dict[str, set[str]]:
    """For each functor of TOP, the axioms `Print Assumptions` lists for the tuple of its top theorems at ZInt."""
    coqc, root = built
    probe = [f"From MechProof Require Import Int Check Statement Soundness {' '.join(TOP)}."]
    for functor, names in TOP.items():
        probe.append(f"Module {functor}Z := {functor}.{functor} ZInt CheckZ.")
        probe.append(f"Definition all_{functor} := ({', '.join(f'@{functor}Z.{n}' for n in names)}).")
        probe.append(f"Print Assumptions all_{functor}.")
    # the theorem of Statement.v itself, at the instance it is about, as Soundness.v states it outside module types
    probe.append("Definition theorem : sound_lower CheckZ.check * sound_upper CheckZ.check := (check_sound_lower, check_sound_upper).")
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


# What BigInt's specification rests on: the primitive 63-bit integers of Coq's kernel and their axioms.
PRIMITIVE_INT_AXIOMS = {f"PrimInt63.{op}" for op in (
    "add", "addc", "addcarryc", "addmuldiv", "compare", "div", "diveucl", "diveucl_21", "eqb", "head0", "int", "land",
    "leb", "lor", "lsl", "lsr", "ltb", "lxor", "mod", "mul", "mulc", "sub", "subc", "subcarryc", "tail0")} | {
    f"Uint63.{spec}" for spec in (
        "add_spec", "addc_def_spec", "addcarryc_def_spec", "addmuldiv_def_spec", "compare_def_spec", "div_spec",
        "diveucl_21_spec", "diveucl_def_spec", "eqb_correct", "eqb_refl", "head0_spec", "land_spec", "leb_spec",
        "lor_spec", "lsl_spec", "lsr_spec", "ltb_spec", "lxor_spec", "mod_spec", "mul_spec", "mulc_spec", "of_to_Z",
        "sub_spec", "subc_def_spec", "subcarryc_def_spec", "tail0_spec")}


def test_seed42_cubic_bound_rests_on_the_real_and_primitive_integer_axioms(built):
    """The seed-42 cubic certificate's file proves `lower_bound` (its bound.correct <= correct_count W) from the
    checker's kernel run; the theorem rests on the real numbers' axioms and those of the primitive integers."""
    coqc, root = built
    name = "Certificates/Seed42Cubic.v"
    text = (COQ_DIR / name).read_text(encoding="utf-8")
    assert "Theorem lower_bound : (15998745 <= Z.of_nat (correct_count W))%Z." in text
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(COQ_DIR / name, root / name)
    done = subprocess.run([coqc, "-R", ".", "MechProof", name], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, f"coqc {name}: {done.stderr}"
    (root / "ProbeSeed42.v").write_text(
        "From MechProof.Certificates Require Import Seed42Cubic.\nPrint Assumptions lower_bound.\n", encoding="utf-8")
    done = subprocess.run([coqc, "-R", ".", "MechProof", "ProbeSeed42.v"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, f"coqc ProbeSeed42.v: {done.stderr}"
    (axioms,) = assumption_blocks(done.stdout)
    assert axioms == REAL_AXIOMS | PRIMITIVE_INT_AXIOMS
