"""Proving one case of the induction task (the producer side of docs/certificate.md §11.5).

For a case it forms the checker's exact test arrays once (tasks/induction/checker/cases.py: `case_parts`), chooses
every claimed bound as the least one its λ-test accepts (solve.py), and evaluates the logit test. A case is
proven when that test holds for every logit; the returned slack (the largest left side, in logits) says by how
much it holds or fails.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..checker.casetables import FC
from ..checker.cases import Case, CaseRule, case_parts, totals
from .solve import solve_last, solve_linear, solve_rows


@dataclass(frozen=True)
class CaseProof:
    proven: bool
    lam: list[int]
    mu: list[int]
    nu: list[int]
    slack: float  # max over c of the logit test's left side, divided by 2^(2FC): < 0 when proven


def prove_case(rule: CaseRule, case: Case) -> CaseProof:
    V, n, a = rule.V, rule.n, case.a
    p = case_parts(rule, case)
    cs = [c for c in range(V) if c != a]
    mu = np.zeros(V, dtype=np.int64)
    nu = np.zeros(V, dtype=np.int64)
    mu[cs] = solve_rows(p.direct[0][cs], p.q)
    nu[cs] = solve_rows(p.direct[1][cs], p.q)
    lam = [0] * n
    for k, (g, valid, _) in p.keys.items():
        lam[k] = solve_linear(g, p.q, valid)
    lam[n - 1] = solve_last(p.last)
    t = totals(p, lam, mu.tolist(), nu.tolist())
    worst = max(t)
    return CaseProof(worst < 0, lam, mu.tolist(), nu.tolist(), worst / float(1 << (2 * FC)))
