"""No proof in coq/ is left open or assumed: no `Admitted`, `admit`, `Abort`, `Axiom`, `Conjecture` or `Parameter`
outside a module type (where a `Parameter` is a field of the interface, not an assumption), and every source file
is listed in coq/_CoqProject, so that `make coq` builds it. What the proven theorems rest on is checked by `Print
Assumptions` in the tests of each proof (tests/test_coq_lemmas.py, tests/test_coq_exp.py, …); this test needs no
Coq and runs everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COQ_DIR = ROOT / "coq"
FORBIDDEN = ("Admitted", "admit", "Abort", "Axiom", "Axioms", "Conjecture", "Conjectures")


def strip_comments(source: str) -> str:
    """The source without its (nested) comments and string literals."""
    out, depth, i, in_string = [], 0, 0, False
    while i < len(source):
        if in_string:
            if source[i] == '"':
                in_string = source[i + 1 : i + 2] == '"'  # "" inside a string is a quote
                i += 2 if in_string else 1
                continue
            i += 1
        elif source.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif depth and source.startswith("*)", i):
            depth, i = depth - 1, i + 2
        elif depth:
            i += 1
        elif source[i] == '"':
            in_string, i = True, i + 1
        else:
            out.append(source[i])
            i += 1
    return "".join(out)


def unproven(source: str) -> list[str]:
    """Every forbidden vernacular word of a source, and every Parameter outside `Module Type … End`."""
    code = strip_comments(source)
    found = [w for w in re.findall(r"\b[A-Za-z]+\b", code) if w in FORBIDDEN]
    depth = 0  # nesting of module types: `Module Type X … End X.`
    type_names: list[str] = []
    for m in re.finditer(r"\b(Module\s+Type\s+(\w+)|End\s+(\w+)|Parameters?)\b", code):
        if m.group(2):
            type_names.append(m.group(2))
        elif m.group(3):
            if type_names and type_names[-1] == m.group(3):
                type_names.pop()
        elif not type_names:
            found.append(m.group(1))
    return found


def sources() -> list[Path]:
    return sorted(p for p in COQ_DIR.rglob("*.v") if "extraction" not in p.parts)


def test_the_scanner_sees_what_it_must():
    assert unproven("Lemma a : True. Proof. admit. Admitted.") == ["admit", "Admitted"]
    assert unproven("(* Admitted (* nested *) Axiom *) Lemma a : True. Proof. exact I. Qed.") == []
    assert unproven('Definition s := "Axiom". Axiom x : False.') == ["Axiom"]
    assert unproven("Module Type INT. Parameter t : Type. End INT. Parameter u : nat.") == ["Parameter"]
    assert unproven("Module Type A. Module Type B. End B. Parameter t : Type. End A.") == []


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(COQ_DIR)))
def test_no_proof_is_left_open_or_assumed(path):
    assert unproven(path.read_text(encoding="utf-8")) == [], path


def test_every_source_is_built_by_make_coq():
    listed = {line.strip() for line in (COQ_DIR / "_CoqProject").read_text().splitlines()}
    unlisted = [str(p.relative_to(COQ_DIR)) for p in sources() if str(p.relative_to(COQ_DIR)) not in listed]
    assert unlisted == [], unlisted


def test_every_coq_name_the_spec_cites_exists():
    """docs/certificate.md cites, beside each rule, the Coq file and the lemmas that prove it: each cited file exists
    and each name cited after it (up to the next file) is declared there."""
    spec = (ROOT / "docs" / "certificate.md").read_text(encoding="utf-8")
    cited: list[tuple[str, str]] = []
    for line in (x for x in spec.splitlines() if x.startswith("*Coq:")):
        current = None
        for m in re.finditer(r"coq/([A-Za-z/]+\.v)|`([A-Za-z_][A-Za-z0-9_.']*)`", line):
            if m.group(1):
                current = m.group(1)
            elif current is not None:
                cited.append((current, m.group(2).split(".")[-1]))
    assert len(cited) >= 20
    for file, name in cited:
        source = strip_comments((COQ_DIR / file).read_text(encoding="utf-8"))
        declared = r"(Lemma|Theorem|Definition|Fixpoint|Record|Inductive|Module|Corollary|Parameter)\s+"
        assert re.search(declared + re.escape(name) + r"\b", source), (file, name)
