"""The Lean mirror of the induction checker against its Python original, by text: every checker function has its
Lean definition, every Lean file is built, the parser knows the task's rules, and the Lean lines that
tests/lean_induction.py transliterates are still there.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IND = ROOT / "lean" / "MechProof" / "Induction"


# ------------------------------------------------------------------------------ the Lean text
# Python checker functions of the induction task → their Lean definitions (None: not mirrored, with the reason).
LEAN_NAMES: dict[str, str | None] = {
    # fixed.py
    "down": "fixDown", "up": "fixUp", "shr_down": "shrDown", "shr_up": "shrUp", "div_down": "divDown",
    "div_up": "divUp", "mul_up": "mulUp", "mul_down": "mulDown",
    # tables.py
    "_layer": None,  # Lean reads w.wQ … and w.layer1 directly
    "_scale": "scaleMat", "Tables": "mkIndTables", "Tables.tp": "tp", "Tables.e": "embedTable",
    "Tables.v": "mkIndTables", "Tables.S1": "mkIndTables", "Tables.qe": "mkIndTables", "Tables.qv": "mkIndTables",
    "Tables.ke": "mkIndTables", "Tables.kv": "mkIndTables", "Tables.OVU": "mkIndTables", "Tables.ye": "mkIndTables",
    "Tables.yv": "mkIndTables", "Tables.ze": "mkIndTables", "Tables.zv": "mkIndTables", "Tables.PE": "mkIndTables",
    "Tables.PV": "mkIndTables",
    # inputs.py
    "n_inputs": "nInputs", "decode": "inductionDecode", "_fix": "fixTable",
    "_mix": "mixIv",  # its weight·entry products are Lean's scaledIv
    "InputRule": "mkIndInputRule", "InputRule.fixed": "mkIndInputRule",
    "InputRule._tables": "IndInputRule.pair",  # one letter's tables; Python lays several letters' side by side
    "InputRule.row1": "IndInputRule.row1", "InputRule.images": "IndInputRule.images",
    "InputRule.key_images": "IndInputRule.key",
    "InputRule.key": "IndInputRule.key",  # Python keeps the images by prefix; Lean forms them each time
    "InputRule.margins": "IndInputRule.margins",  # its interval products are Lean's productIv
    "InputRule.right": "IndInputRule.right", "InputRule.wrong": "IndInputRule.wrong",
    # claims.py
    "check_input_claims": "checkIndInputClaims",
    "_read": "checkIndInputClaims",  # inline: indicesPrefix, then the covered/witness checks per input
    "_decide": "checkIndInputClaims",  # inline: the first failure in list order, then the malformed entry
    "verdicts": None,  # an evaluation order / process split (token order, two processes); Lean decides input by input
    "_walk": None,  # an evaluation order: key images shared by prefix; Lean forms each input's own
    "_share": None,  # a process split
    "_costs": None,  # the operation count (docs §11.8), which Lean does not count
    "Ledger": None, "Ledger.add": None,  # the operation count (docs §11.8), which Lean does not count
    # groups.py
    "_perm": "permCount", "Groups": "checkGroups", "Groups._well_formed": "groupWellFormed", "Groups.check": "checkGroups",
    "Groups.check_range": "checkGroups",  # the groups start … end−1 in order; Lean's one range is all of them
    "Groups._case": "checkGroups",  # inline in checkGroups (a case's well-formedness)
    "Groups._verify": None,  # an evaluation order (sibling runs formed together); Lean verifies case by case
    "Groups.first_malformed": None,  # a process split (where the runs end); Lean verifies case by case
    "Groups.covers": "IndGroups.covers", "make_case": "checkGroups",  # inline in checkGroups
    "case_size": "checkGroups",  # inline in checkGroups (permCount)
    "Groups.index": None,  # the listed prefixes without verification, for audit and explain only
    # parallel.py
    "check_parallel": None, "runs": None, "_run": None,  # a process split; Lean verifies case by case
    # casetables.py
    "require_range": None,  # Python's numpy-array range check; every Lean table is formed by floorArray, which checks
    "_floor_array": "floorArray", "CaseTables": "mkIndCaseTables", "CaseTables.col": "caseCol", "CaseTables.W1": "caseW1",
    "CaseTables._pair_sum": "pairSum", "CaseTables.PE": "mkIndCaseTables", "CaseTables.PV": "mkIndCaseTables",
    "CaseTables._diff": "diffTable", "CaseTables.yv": "mkIndCaseTables", "CaseTables.ye": "mkIndCaseTables",
    "CaseTables.zv": "mkIndCaseTables", "CaseTables.ze": "mkIndCaseTables",
    # mixture.py
    "ceil_shift": "ceilShift", "Rows": "mkMixRow", "Rows.bounds": "MixRow.upper",
    # cases.py
    "Case": "IndCaseSpec", "Query": "IndQuery", "lambda_sum": "lambdaSum",
    "_estimate": None,  # a float guess that only steers Python's search; Lean bisects (the same least integer)
    "part_starts": None,  # where each case's rows start in a search over several cases; Lean searches case by case
    "least_integer": "leastBound", "least_bound": "leastBound", "CaseRule": "mkCaseRule", "CaseRule.xmax": "planeXmax",
    "CaseRule.query": "caseQuery", "CaseRule.direct": "caseDirect", "CaseRule.answer": "caseAnswer",
    "CaseRule._answer_cols": "caseAnswer",  # inline in caseAnswer
    "CaseRule.last_key": "caseLastKey", "CaseRule.last_key_sum": "lastKeySum",
    "Pairs": "PairTerm", "exp_up": "expUp", "Parts": "CaseParts", "case_parts": "caseParts",
    "sibling_parts": "caseParts",  # each sibling's parts are caseParts of that case (formed together in Python)
    "others": "caseTotals",  # inline in caseTotals
    "totals": "caseTotals", "g_bars": "caseTotals",  # inline in caseTotals
    "verify": "verifyCase",
    # keys.py
    "KeyTerms": "KeyTerms", "window_positions": "caseWindows", "key_terms": "caseKey",
    # __init__.py
    "Context": "checkInduction",  # the tables, formed before any claim (Lean: in checkInduction, in the same order)
    "model_context": None,  # a memo of the tables per weights
    "check_induction": "checkInduction",
}  # fmt: skip
PY_CHECKER = ROOT / "python" / "mechproof" / "tasks" / "induction" / "checker"


def python_functions(module: str) -> list[str]:
    """Top-level functions and classes (`Class`, then `Class.method` for each method) of a checker module."""
    out = []
    for node in ast.parse((PY_CHECKER / module).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            out.append(node.name)
        elif isinstance(node, ast.ClassDef):
            out.append(node.name)
            out += [f"{node.name}.{f.name}" for f in node.body if isinstance(f, ast.FunctionDef) and f.name != "__init__"]
    return out


def induction_lean_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(IND.glob("*.lean")))


MODULES = ["__init__.py", "fixed.py", "tables.py", "inputs.py", "claims.py", "casetables.py", "mixture.py", "cases.py", "keys.py",
           "groups.py", "parallel.py"]  # fmt: skip


def test_every_checker_module_is_listed():
    assert sorted(MODULES) == sorted(p.name for p in PY_CHECKER.glob("*.py"))


def test_lean_names_are_current():
    """Every entry of LEAN_NAMES names a function the checker still has."""
    names = {name for module in MODULES for name in python_functions(module)}
    assert [name for name in LEAN_NAMES if name not in names] == []


@pytest.mark.parametrize("module", MODULES)
def test_lean_mirrors_every_induction_checker_function(module):
    defs = set(re.findall(r"^(?:def|structure)\s+([A-Za-z_][\w.]*)", induction_lean_text(), re.M))
    for name in python_functions(module):
        assert name in LEAN_NAMES, f"checker/{module}: {name} has no entry in LEAN_NAMES"
        if LEAN_NAMES[name] is not None:
            assert LEAN_NAMES[name] in defs, f"checker/{module}: {name} → def {LEAN_NAMES[name]} is missing"


def test_induction_files_are_built():
    """Every file of lean/MechProof/Induction/ is imported by MechProof.lean (so `lake build` compiles it), and
    Check.lean dispatches induction certificates to checkInduction."""
    root = (ROOT / "lean" / "MechProof.lean").read_text(encoding="utf-8")
    for p in sorted(IND.glob("*.lean")):
        assert f"import MechProof.Induction.{p.stem}\n" in root, p.name
    check_text = (ROOT / "lean" / "MechProof" / "Check.lean").read_text(encoding="utf-8")
    assert "import MechProof.Induction.Check" in check_text


def test_induction_rule_sets_match():
    """The Lean parser knows the induction task's strategies and every rule their claims use."""
    from mechproof.tasks.induction.schema import CLAIM_SCHEMAS
    from test_lean_sources import _rules_of, all_lean_text, lean_rules

    text = all_lean_text()
    m = re.search(r"def parseInductionStrategyClaims\b(.*?)(?=\n(?:def|/--|theorem|structure|inductive|end)\b)", text, re.S)
    assert m, "parseInductionStrategyClaims not found"
    assert set(re.findall(r'\|\s*"([^"]+)"\s*=>', m.group(1))) == set(CLAIM_SCHEMAS)
    rules = set().union(*(_rules_of(s) for s in CLAIM_SCHEMAS.values()))
    assert rules == {"induction-cases", "inputs-right", "inputs-wrong"}
    assert rules <= lean_rules(text)


def test_induction_text_is_current():
    """The Lean lines the transliterations above follow are still there."""
    text = {p.stem: p.read_text(encoding="utf-8") for p in IND.glob("*.lean")}
    needles = {
        "Fixed": [
            "if 0 ≤ s then m * pow2 s.toNat else floorDiv m (pow2 (-s).toNat)",
            "if 0 ≤ s then m * pow2 s.toNat else ceilDiv m (pow2 (-s).toNat)",
            "def shrDown (x : Int) (k : Nat) : Int := floorDiv x (pow2 k)",
            "def shrUp (x : Int) (k : Nat) : Int := ceilDiv x (pow2 k)",
            "def divDown (a b : Int) (F : Nat) : Int := floorDiv (a * pow2 F) b",
            "def divUp (a b : Int) (F : Nat) : Int := ceilDiv (a * pow2 F) b",
            "def mulUp (wLo wHi x : Int) (F : Nat) : Int := shrUp (x * (if 0 ≤ x then wHi else wLo)) F",
            "def mulDown (wLo wHi x : Int) (F : Nat) : Int := shrDown (x * (if 0 ≤ x then wLo else wHi)) F",
        ],
        "Tables": [
            "def tp (n t p : Nat) : Nat := t * n + p",
            "row := row.push (a[j]! * se + b[j]! * sp)",
            "let k : Nat := (bitlen w.cfg.dHead - 1) / 2",
            "let q2 : Mat := tensor (w.layer1[0]!)",
            "let o2 : Mat := tensor (w.layer1[3]!)",
            "let v : Mat := matmul (matmul e v1) o1",
            "let s1 : Mat := scaleMat (matmul (matmul e q1) (transpose (matmul e k1))) k",
            "let qv : Mat := scaleMat (matmul v q2) k",
            "let ovu : Mat := matmul (matmul v2 o2) u",
            "kv := kv, OVU := ovu, ye := matmul e ovu, yv := matmul v ovu, ze := matmul e u, zv := matmul v u,",
            "PE := (matmul qe keT, matmul qv keT), PV := (matmul qe kvT, matmul qv kvT) }",
        ],
        "Inputs": [
            "def indF : Nat := 96",
            "total := total * (V - p)",
            "let c : Nat := rank % (V - p)",
            "free := dropAt free c",
            "return out.push (out[i]!)",
            "if found == n && tokens[p]! == q then",
            "(shrDown (x.1 * (if 0 ≤ x.1 then a.1 else a.2)) indF, shrUp (x.2 * (if 0 ≤ x.2 then a.2 else a.1)) indF)",
            "(shrDown (intMin (intMin p1 p2) (intMin p3 p4)) indF, shrUp (intMax (intMax p1 p2) (intMax p3 p4)) indF)",
            "let s : Iv := scaledIv a (row[c]!)",
            "let r : Array Int := rule.t.S1.rows[tp n (tokens[p]!) p]!",
            "let w ← expBoundsE (Dy.mk (s - c) rule.t.S1.e)",
            "out := out.push (divDown (lo[j]!) sHi indF, divUp (hi[j]!) sLo indF)",
            "rows := rows.push ((tabs.2)[tp n (tokens[l]!) l]!)",
            "out := out.push (mixIv ((tabs.1)[own]!) a rows)",
            'let last ← rule.images tokens (n - 1) #["q", "z", "k", "y"]',
            "let ref : Int := (scores[i + 1]!).1",
            "let el ← expBoundsE (Dy.mk (s.1 - ref) (-(Int.ofNat indF)))",
            "b := b.push (fixDown el.1.m el.1.e indF, fixUp eh.2.m eh.2.e indF)",
            "let gLo : Int := dz.1 + (y[c]!).1 - (y[a]!).2",
            "let gHi : Int := dz.2 + (y[c]!).2 - (y[a]!).1",
            "upC := upC + gHi * (if 0 ≤ gHi then bk.2 else bk.1)",
            "loC := loC + gLo * (if 0 ≤ gLo then bk.1 else bk.2)",
            "if c != a && decide (0 ≤ (m.1)[c]!) then",
            "return decide (0 ≤ (m.2)[c]!)",
            'let what : String := "input index out of range (must be < the number of inputs)"',
            "require (decide (0 ≤ c) && decide (c < Int.ofNat V) && c != Int.ofNat a) cid",
            "require (!(covers tokens) && !(memSorted res.1 x)) cid",
        ],
        "Groups": [
            "r := r * (m - j)",
            "return decide (x[j]! < y[j]!)",
            "return decide (x.size < y.size)",
            "if !placed && lexLt x y then",
            "require (decide (0 ≤ g.i) && decide (g.i ≤ Int.ofNat n - 3)) gid",
            "let slot : Nat := (g.q.toNat * n + g.i.toNat) * V + g.a.toNat",
            "if countInt g.order (Int.ofNat p) != 1 then",
            "require (decide (Int.ofNat d ≤ depth) && decide (d ≤ free.size)) cid",
            "if decide (x < 0) || decide (Int.ofNat V ≤ x) || x == g.q || x == g.a || countInt c.pre x != 1 then",
            "require (c.lam.size == n && c.lam[i + 1]! == 0) cid",
            "known := known.set! ((g.order[j]!).toNat) (some (pre[j]!))",
            "verifyCase rule { q := q, i := i, a := a, known := known, free := caseFree, tokens := tokens } c.lam cid",
            "covered := covered + permCount (V - 2 - d) (free.size - d)",
            "require (!(extendsPrefix x y)) s!\"case[{g.q},{g.i},{g.a}/{commaJoin (y.map Int.ofNat)}]\"",
            "match gs.slots[(q * n + i) * gs.V + tokens[i + 1]!]! with",
            "pre := pre.push (tokens[order[j]!]!)",
        ],
        "CaseTables": [
            "def caseFC : Nat := 20",
            "def caseLB : Nat := 16",
            "def valueBits : Nat := 10",
            "if c % n ≤ p then",
            "shift := intMax shift (row[c]!)",
            "let ab ← expBoundsE (Dy.mk (row[c]! - shift) t.S1.e)",
            "rlo := rlo.push (fixDown ab.1.m ab.1.e caseFC)",
            "rhi := rhi.push (fixUp ab.2.m ab.2.e caseFC)",
            "let limit : Int := pow2 (valueBits + caseFC)",
            "let r : Array Int := row.map (fun x => fixDown x e caseFC)",
            "if decide (limit ≤ x) || decide (x ≤ -limit) then",
            "let arow : Array Int := (a.rows[caseCol t.n q (t.n - 1)]!).map (fun x => x * sa)",
            "s := s.push (arow[c]! + brow[c]! * sb)",
            "let plane ← floorArray (m.rows.map (fun (row : Array Int) => row.map (fun (x : Int) => x - row[a]!))) m.e what",
            'let pe ← pairSum t t.PE.1 t.PE.2 "PE"',
            'let ze ← diffTable t.ze t.V "ze"',
        ],
        "Mixture": [
            "def ceilShift (x : Int) : Int := shrUp x caseFC",
            "let b : Int := floorDiv (wLo[j]! * one) sHi",
            "let bHi : Int := intMin (ceilDiv (wHi[j]! * one) (intMax sLo 1)) one",
            "width := width + (bHi - b)",
            "if 0 < wFree then intMin (ceilDiv (wFree * one) (intMax (sLo + wFree) 1)) one else 0",
            "s := s + row.beta[j]! * xs[j]!",
            "let hi : Int := s + (row.betaSum + width)",
            "let lo : Int := s - width",
            "let gap : Int := intMax ((rMax + 1) * pow2 caseFC - lo) 0",
            "return ceilShift (hi + row.theta * ceilShift gap)",
        ],
        "Cases": [
            "m := intMax m (intAbs x)",
            "let t : Int := intMax (wHi[j]! * x) (wLo[j]! * x)",
            "let mut bot : Int := lo - 1",
            "for _ in List.range (bitlen (top - bot).natAbs + 1) do",
            "let mid : Int := floorDiv (top + bot) 2",
            "if decide (lambdaSum xs mid wLo wHi seg valid ≤ 0) then",
            "let zrow : Array Int := q.r.map (fun x => at3 ct.zv a x k + 1)",
            "let grow : Array Int := q.r.map (fun x => at3 ct.zv a x k + 1 + at3 ct.yv a x k + 1)",
            "z := z.push (at3 ct.ze a own k + 1 + leastBound zrow q.wLo q.wHi q.seg valid)",
            "g := g.push (at3 ct.ze a own k + at3 ct.ye a own k + 2 + leastBound grow q.wLo q.wHi q.seg valid)",
            "let xs : Array Int := cols.map (fun x => -(at3 ct.PV c.q (q.r[e]!) x))",
            "!(x % n == q.pos[e]! && !(q.known[e]!)) || x / n == q.tok[e]!)",
            "let v : Int := -(at3 ct.PE c.q (q.r[e]!) row) + leastBound xs wLo wHi seg valid",
            "y := y.push (at3 ct.ye c.a row k + 1 + leastBound xs wLo wHi seg allValid)",
            "let cand : Array Nat := if k == 0 then #[0] else #[k - 1, k]",
            "if decide (l < k) && !(natMem wpos l) then",
            "wFree := wFree + maxOver c.tokens (fun t => at2 ct.W1hi row (caseCol n t l))",
            "valid := valid.push (!(natMem combo t))",
            "rMaxByCol := rMaxByCol.set! x (maxOver fc (fun col => at3 ct.PV c.q x col))",
            "let yMax : Array Int := (natRange rule.V).map (fun cc => maxOver fc (fun col => at3 ct.yv c.a col cc))",
            "let upper : Int := mix.upper xs xmaxPV (rMaxByCol[x]!)",
            "g := g.push (at3 ct.PE c.q x row + 1 + upper + q.ansByCol[x]!)",
            "y := y.push (at3 ct.ye c.a row cc + 1 + mix.upper ys xmaxYV (yMax[cc]!))",
            "let h : Nat → Nat → Int := fun e f => base[e]! + at3 ct.PV c.q (q.r[e]!) (q.r[f]!)",
            "{ H := hh, lo := shrDown (q.wLo[e]! * q.wLo[f]!) caseFC, hi := shrUp (q.wHi[e]! * q.wHi[f]!) caseFC, c := cc }",
            "if !(q.tok[e]! == q.tok[f]! && !(q.known[e]!) && !(q.known[f]!)) then",
            "grp := grp.push (mkTerm e f (h e f + h f e) 2)",
            "let x : Int := t.H - t.c * lam",
            "let v : Int := intMax (t.hi * x) (t.lo * x)",
            "let b ← expBoundsE (Dy.mk lam (-(Int.ofNat caseLB)))",
            "let mut t : Int := (p.zBar[cc]! + p.yAns[cc]!) * pow2 caseFC",
            "t := t + e[j]! * x",
            "let s : Int := pow2 (caseFC - caseLB)",
            "let v : Int := lambdaSum w.g (lam[k]! * s) w.wLo w.wHi kt.2.seg w.valid",
            "let total : Int := lastKeySum p.last (lam[n - 1]! * s)",
            "if 0 ≤ tc.2 then",
        ],
        "Check": [
            "if decide (depth < 0) then",
            "let ct ← mkIndCaseTables t",
            "let (covered, groups) ← checkGroups claims.entries (mkCaseRule ct) depth",
            "let r ← checkIndInputClaims claims.residual claims.wrong (mkIndInputRule t) groups.covers",
            "return (covered + r.1, r.2)",
        ],
    }
    for stem, lines in needles.items():
        for needle in lines:
            assert needle in text[stem], f"{stem}.lean: {needle}"
