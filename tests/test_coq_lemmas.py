"""The generic lemmas of the Coq soundness proof (coq/RealSums.v, Softmax.v, BoxBound.v, Placement.v, NatCounts.v,
Counting.v) are proven: every lemma and theorem they state rests on no axiom beyond those of Coq's real numbers, so
none is admitted and none uses excluded middle; NatCounts.v and Counting.v, about natural numbers only, rest on no
axiom at all.

The sources are compiled afresh into a temporary directory, so the test never reads stale build products.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs commands end to end or compiles Coq

ROOT = Path(__file__).resolve().parents[1]
COQ_DIR = ROOT / "coq"
SOURCES = ("Dval.v", "RealSums.v", "Softmax.v", "BoxBound.v", "Placement.v", "NatCounts.v", "Counting.v")  # dependency order
LEMMA_FILES = SOURCES[1:]
REAL_AXIOMS = {
    "ClassicalDedekindReals.sig_not_dec",
    "ClassicalDedekindReals.sig_forall_dec",
    "FunctionalExtensionality.functional_extensionality_dep",
}  # what Coq's standard real numbers rest on
CLOSED = "Closed under the global context"


def statements(source: str) -> list[str]:
    """The names of the lemmas and theorems a Coq source states."""
    return re.findall(r"^(?:Lemma|Theorem)\s+([A-Za-z_][A-Za-z0-9_']*)", source, flags=re.M)


def assumption_blocks(output: str) -> list[set[str]]:
    """The answers of successive `Print Assumptions` commands, in order: each the set of axiom names it lists (an
    axiom starts an unindented line, its type follows on that line or on indented ones), empty when closed."""
    blocks: list[set[str]] = []
    for line in output.splitlines():
        if line.startswith(CLOSED):
            blocks.append(set())
        elif line == "Axioms:":
            blocks.append(set())
        elif line[:1].strip():
            blocks[-1].add(line.split()[0])
    return blocks


def test_assumption_blocks_reads_coq_output():
    sample = (
        "Axioms:\nClassicalDedekindReals.sig_forall_dec\n  : forall P : nat -> Prop,\n    P 0\n"
        "Closed under the global context\nAxioms:\nfoo : nat\n"
    )
    assert assumption_blocks(sample) == [{"ClassicalDedekindReals.sig_forall_dec"}, set(), {"foo"}]


@pytest.fixture(scope="module")
def axioms_of(tmp_path_factory) -> dict[str, set[str]]:
    """For each of LEMMA_FILES, the axioms `Print Assumptions` lists for the tuple of all its lemmas and theorems
    (one traversal per file: a command per lemma would take minutes)."""
    coqc = shutil.which("coqc")
    if coqc is None:
        pytest.skip("coqc is not on PATH: the Coq lemmas cannot be checked (install Coq 8.16)")
    root = tmp_path_factory.mktemp("coq")
    for name in SOURCES:
        shutil.copy(COQ_DIR / name, root / name)
        done = subprocess.run([coqc, "-R", ".", "MechProof", name], cwd=root, capture_output=True, text=True)
        assert done.returncode == 0, f"coqc {name}: {done.stderr}"
    modules = [Path(f).stem for f in LEMMA_FILES]
    probe = [f"From MechProof Require {' '.join(modules)}."]
    for f, module in zip(LEMMA_FILES, modules):
        names = statements((COQ_DIR / f).read_text(encoding="utf-8"))
        assert len(names) >= 8, f  # the statements were found
        probe.append(f"Definition all_{module} := ({', '.join(f'@{module}.{n}' for n in names)}).")
        probe.append(f"Print Assumptions all_{module}.")
    (root / "Probe.v").write_text("\n".join(probe) + "\n", encoding="utf-8")
    done = subprocess.run([coqc, "-R", ".", "MechProof", "Probe.v"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, f"coqc Probe.v: {done.stderr}"
    blocks = assumption_blocks(done.stdout)
    assert len(blocks) == len(modules)
    return dict(zip(modules, blocks))


def test_every_lemma_rests_on_real_axioms_only(axioms_of):
    assert {module: sorted(ax - REAL_AXIOMS) for module, ax in axioms_of.items() if ax - REAL_AXIOMS} == {}


def test_counting_is_closed(axioms_of):
    assert axioms_of["NatCounts"] == set()
    assert axioms_of["Counting"] == set()
