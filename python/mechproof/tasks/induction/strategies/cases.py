"""Proving one case of the induction task (the producer side of docs/certificate.md §11.5).

For a case it forms the checker's exact test arrays once (tasks/induction/checker/cases.py: `sibling_parts`, for
sibling cases together), chooses
every claimed bound as the least one its λ-test accepts (solve.py, which runs the checker's test on it), and
evaluates the checker's logit test (`totals`). A case is
proven when that test holds for every logit; the returned slack (the largest left side, in logits) says by how
much it holds or fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checker.casetables import FC, LB
from ..checker.cases import Case, CaseRule, Parts, sibling_parts, totals
from .solve import key_roots, solve_last, solve_linear


@dataclass(frozen=True)
class CaseProof:
    proven: bool
    lam: list[int]
    slack: float  # max over c of the logit test's left side, divided by 2^(2FC): < 0 when proven
    worst_key: int  # the key whose term is largest in the worst logit's test (−1 if none is positive)


def prove_cases(rule: CaseRule, cases: list[Case]) -> list[CaseProof]:
    """Prove sibling cases (same q, i, a and known positions): their test arrays and their keys' float roots are
    formed together, the rest case by case; the same proofs as one case at a time."""
    parts = sibling_parts(rule, cases)
    roots = {k: key_roots([p.keys[k] for p in parts]) for k in parts[0].keys}
    return [_prove(rule, p, {k: r[b] for k, r in roots.items()}) for b, p in enumerate(parts)]


def prove_case(rule: CaseRule, case: Case) -> CaseProof:
    return prove_cases(rule, [case])[0]


def _prove(rule: CaseRule, p: Parts, roots: dict) -> CaseProof:
    V, n, a = rule.V, rule.n, p.case.a
    cs = [c for c in range(V) if c != a]
    lam = [0] * n
    for k, t in p.keys.items():
        lam[k] = solve_linear(t, roots[k])
    lam[n - 1] = solve_last(p.last)
    # every linear λ-test passes by construction (solve_linear runs the checker's test on its bound); the quadratic
    # one is run here (its search assumes a bound within ±2^25); then the case holds iff the logit test does
    terms: dict = {}
    t = totals(p, lam, terms)
    worst = max(t)
    proven = worst < 0 and CaseRule.last_key_sum(p.last, lam[n - 1] << (FC - LB)) <= 0
    c = cs[t.index(worst)]
    mine = {k: x for (cc, k), x in terms.items() if cc == c}
    key = max(mine, key=mine.get) if mine else -1
    return CaseProof(proven, lam, worst / float(1 << (2 * FC)), key)
