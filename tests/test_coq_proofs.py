"""The Coq soundness proof (coq/, everything `make coq` builds but the certificates) is complete and rests on the axioms
of Coq's real numbers only: the sources state nothing admitted or assumed, and `Print Assumptions` of the top
theorems, instantiated at the axiom-free integers `ZInt` and the checker `CheckZ`, lists exactly those axioms.

The sources are compiled afresh into a temporary directory, so the test never reads stale build products.
"""

from __future__ import annotations

import re
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

# What no proof of ours may contain (outside comments): an admitted or aborted goal, an axiom; and a parameter outside
# a module type.
FORBIDDEN = re.compile(r"\b(Admitted|admit|Abort|Axiom|Axioms|Conjecture)\b")
MODULE_TYPE = re.compile(r"\bModule\s+Type\s+(\w+).*?\bEnd\s+\1\s*\.", flags=re.S)


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


def strip_comments(source: str) -> str:
    """A Coq source without its (possibly nested) comments."""
    out, depth, i = [], 0, 0
    while i < len(source):
        if source.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif depth and source.startswith("*)", i):
            depth, i = depth - 1, i + 2
        else:
            if not depth:
                out.append(source[i])
            i += 1
    return "".join(out)


def test_strip_comments_and_forbidden_words():
    assert FORBIDDEN.search(strip_comments("Lemma a : True. (* not Admitted. (* nested *) *) Proof. exact I. Qed."))\
        is None
    assert FORBIDDEN.search(strip_comments("Lemma a : False. Proof. Admitted.")) is not None
    assert FORBIDDEN.search(strip_comments("Axiom ax : False.")) is not None
    assert MODULE_TYPE.sub("", "Module Type T. Parameter p : nat. End T. Parameter q : nat.") == " Parameter q : nat."


def test_no_admitted_or_axiom_in_the_proof():
    found = {}
    for name in build_sources():
        text = strip_comments((COQ_DIR / name).read_text(encoding="utf-8"))
        hits = sorted(set(FORBIDDEN.findall(text)))
        if hits:
            found[name] = hits
        if re.search(r"\bParameters?\b", MODULE_TYPE.sub("", text)):
            found.setdefault(name, []).append("Parameter")
    assert found == {}


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
