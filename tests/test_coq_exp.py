"""The Coq exp enclosure (coq/Exp.v) computes what the Python checker computes (docs §6), output for output, and its
soundness proof (coq/ExpSound.v) rests on no axiom beyond those of Coq's real numbers.

One generated `.v` file evaluates `exp_in_range` and `exp_bounds` of the `BigInt` instance under `vm_compute` on a
few hundred arguments; its printed integers are compared with `mechproof.checker.arith`. The Coq sources are
compiled afresh into a temporary directory, so the tests never read stale build products.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mechproof.checker import arith

pytestmark = pytest.mark.slow  # runs commands end to end or compiles Coq

ROOT = Path(__file__).resolve().parents[1]
COQ_DIR = ROOT / "coq"
SOURCES = ("Int.v", "Dval.v", "Exp.v", "ExpSeries.v", "ExpSound.v")  # in dependency order
COQC_TIMEOUT_S = 900  # far above any file here: a runaway conversion fails instead of hanging
REAL_AXIOMS = {
    "ClassicalDedekindReals.sig_not_dec",
    "ClassicalDedekindReals.sig_forall_dec",
    "FunctionalExtensionality.functional_extensionality_dep",
}  # what Coq's standard real numbers rest on

Dy = tuple[int, int]


def arguments() -> list[Dy]:
    """Dyadics a·2^f of both signs: zero, the §6 limit bitlen(|a|) + f = 12 and just past it, exact (h ≥ 0) and
    rounded (h < 0) fixed-point arguments, arguments below one fixed-point unit, and random ones."""
    xs: list[Dy] = [(0, 0), (0, 7), (0, -1000), (0, 10**6), (1, 0), (-1, 0), (1, -1), (3, -1), (-3, -1),
                    (1, 11), (-1, 11), (1, 12), (-1, 12), (4095, 0), (-4095, 0), (4096, 0), (-4096, 0),
                    (1, -200), (-1, -200), (5, -1000), (-5, -1000), (2**70 + 1, -64), (-(2**70) - 1, -64),
                    (123456789012345, -45), (-123456789012345, -45), (2**400 - 1, -400),
                    (-(2**400) + 1, -395)]  # fmt: skip
    rng = random.Random(20240607)
    for _ in range(320):
        a = rng.getrandbits(rng.randint(1, 400)) * rng.choice((-1, 1))
        kind = rng.random()
        if kind < 0.25:  # near the limit, either side of it
            f = rng.randint(9, 13) - abs(a).bit_length()
        elif kind < 0.5:  # small fixed-point arguments, often exact
            f = rng.randint(-160, 0)
        else:
            f = rng.randint(-300, 12) - abs(a).bit_length()
        xs.append((a, f))
    return xs


def coq_z(n: int) -> str:
    return f"({n})%Z"


def coq_source(in_range: list[Dy], everything: list[Dy]) -> str:
    """A file that prints `exp_in_range` of every argument, then the four integers of every `exp_bounds` in
    range, each as one flat list of Z."""
    pairs = lambda xs: "[" + "; ".join(f"({coq_z(a)}, {coq_z(f)})" for a, f in xs) + "]"  # noqa: E731
    return f"""From Coq Require Import ZArith List.
From Bignums Require Import BigZ.
From MechProof Require Import Int Exp.
Import ListNotations.
Module E := Exp BigInt.
Definition ranges (xs : list (Z * Z)) : list Z :=
  map (fun '(a, f) => if E.exp_in_range (BigZ.of_Z a) f then 1%Z else 0%Z) xs.
Definition bounds (xs : list (Z * Z)) : list Z :=
  flat_map (fun '(a, f) =>
    let '((lm, le), (hm, he)) := E.exp_bounds (BigZ.of_Z a) f in [BigZ.to_Z lm; le; BigZ.to_Z hm; he]) xs.
Eval vm_compute in ranges {pairs(everything)}.
Eval vm_compute in bounds {pairs(in_range)}.
"""


def printed_lists(output: str) -> list[list[int]]:
    """The integers of each `= [...] : list Z` answer in coqc's output."""
    answers = re.findall(r"=\s*\[(.*?)\]\s*:\s*list Z", output, flags=re.S)
    return [[int(n) for n in re.findall(r"-?\d+", body)] for body in answers]


class CoqBuild:
    """The sources up to a given one, compiled once per test module into one temporary directory."""

    def __init__(self, root: Path):
        self.coqc = shutil.which("coqc")
        self.root = root
        self.built: set[str] = set()

    def run(self, name: str, source: str, needs: str) -> str:
        """coqc's output on `source` (written as `name`), after compiling SOURCES up to `needs`."""
        if self.coqc is None:
            pytest.skip("coqc is not on PATH: the Coq exp enclosure cannot be run (install Coq 8.16 with Bignums)")
        for dep in SOURCES[: SOURCES.index(needs) + 1]:
            if dep not in self.built:
                shutil.copy(COQ_DIR / dep, self.root / dep)
                self._coqc(dep)
                self.built.add(dep)
        (self.root / name).write_text(source, encoding="utf-8")
        return self._coqc(name)

    def _coqc(self, name: str) -> str:
        cmd = [self.coqc, "-R", ".", "MechProof", name]
        done = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=COQC_TIMEOUT_S)
        assert done.returncode == 0, f"coqc {name}: {done.stderr}"
        return done.stdout


@pytest.fixture(scope="module")
def coq(tmp_path_factory) -> CoqBuild:
    return CoqBuild(tmp_path_factory.mktemp("coq"))


def test_coq_exp_bounds_match_python(coq):
    xs = arguments()
    in_range = [x for x in xs if arith.exp_in_range(x)]
    assert 250 <= len(in_range) < len(xs)  # the sample reaches both sides of the §6 limit
    ranges, bounds = printed_lists(coq.run("Agree.v", coq_source(in_range, xs), needs="Exp.v"))
    assert ranges == [int(arith.exp_in_range(x)) for x in xs]
    assert len(bounds) == 4 * len(in_range)
    for k, x in enumerate(in_range):
        lm, le, hm, he = bounds[4 * k : 4 * k + 4]
        assert ((lm, le), (hm, he)) == arith.exp_bounds(x), x


def test_printed_lists_reads_coq_output():
    sample = "     = [1%Z; (-94)%Z; 0%Z]\n     : list Z\n     = [-7; 12345678901234567890]\n     : list Z\n"
    assert printed_lists(sample) == [[1, -94, 0], [-7, 12345678901234567890]]


def axioms(output: str) -> set[str]:
    """The names `Print Assumptions` lists: each starts an unindented line, its type follows on that line or on
    indented ones."""
    return {line.split()[0] for line in output.splitlines() if line[:1].strip() and line != "Axioms:"}


def test_exp_soundness_rests_on_real_axioms_only(coq):
    """Also: the theorems of `ExpSoundOf` name the given instance's own `exp_bounds` (a checker applies them to
    its instance; comparing two instances would make Coq unfold the Taylor loop)."""
    source = """From Coq Require Import ZArith Reals.
From MechProof Require Import Int Dval Exp ExpSound.
Module ES := ExpSound ZInt.
Print Assumptions ES.exp_bounds_sound.
Print Assumptions ES.exp_bounds_lo_pos.
Module C := Exp ZInt.
Module CS := ExpSoundOf ZInt C.
Definition sound : forall a f, let '((lm, le), (hm, he)) := C.exp_bounds a f in
  (dval lm le <= exp (dval a f) <= dval hm he)%R := CS.exp_bounds_sound.
Definition lo_pos : forall a f, let '((lm, le), _) := C.exp_bounds a f in
  (0 < lm)%Z /\\ (0 < dval lm le)%R := CS.exp_bounds_lo_pos.
Print Assumptions CS.exp_bounds_sound.
"""
    output = coq.run("Assumptions.v", source, needs="ExpSound.v")
    assert output.count("Axioms:") == 3, output
    assert axioms(output) == REAL_AXIOMS, output


def test_axioms_reads_print_assumptions():
    sample = ("Axioms:\nClassicalDedekindReals.sig_not_dec : forall P : Prop, {~ ~ P} + {~ P}\n"
              "M.ES.exp_bounds_sound\n  : forall a f, True\nfoo : nat\n")
    assert axioms(sample) == {"ClassicalDedekindReals.sig_not_dec", "M.ES.exp_bounds_sound", "foo"}
