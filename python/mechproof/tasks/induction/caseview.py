"""A case of the induction task as the checker sees it (docs/certificate.md §11.5), for reports: audit and explain.

Everything is computed by the checker's own code (tasks/induction/checker/): the case's test arrays
(`case_parts`), the λ-tests (`lambda_sum`, `CaseRule.last_key_sum`), Ḡ (`g_bars`) and the logit test (`totals`).
What is added here is only a search: the least claim L_k (precision LB) that every window of key k passes, by the
checker's exact test (so for a case the certificate does not list, the logit test is shown at the best bounds the
λ-tests allow; a listed case's claims are at least these).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checker.casetables import FC, LB
from .checker.cases import CaseRule, KeyTerms, Pairs, Parts, case_parts, g_bars, lambda_sum, least_integer, others, totals
from .checker.groups import make_case

SHIFT = FC - LB
LIMIT = 1 << 26
"""docs §11.7: |L_k| < 2^26."""


def phi_linear(t: KeyTerms, L: int) -> np.ndarray:
    """Φ(λ) of a key's λ-test per window (precision 2FC), at the claim L (precision LB)."""
    return lambda_sum(t.g, L << SHIFT, t.w_lo, t.w_hi, t.seg, t.valid)


def phi_last(terms: Pairs, L: int) -> int:
    """The quadratic λ-test's left side (precision 2FC) at the claim L."""
    return CaseRule.last_key_sum(terms, L << SHIFT)


def _least(passes) -> int | None:  # noqa: ANN001
    """The least integer L in (−2^26, 2^26) with passes(L), for a test monotone in L; None if none passes."""
    if not passes(LIMIT - 1):
        return None
    if passes(-LIMIT + 1):
        return -LIMIT + 1
    vec = lambda ls, _open: np.array([passes(int(x)) for x in ls])  # noqa: E731 - least_integer's (λ, open rows)
    return int(least_integer(vec, np.array([0]), np.array([-LIMIT + 1]), np.array([LIMIT - 1]))[0])


def least_claims(p: Parts, n: int) -> list[int | None]:
    """Per key position, the least claim L_k its λ-test accepts on every window (0 at the answer's key i+1)."""
    out: list[int | None] = [0] * n
    for k, t in p.keys.items():
        out[k] = _least(lambda L, t=t: int(phi_linear(t, L).max()) <= 0)
    out[n - 1] = _least(lambda L: phi_last(p.last, L) <= 0)
    return out


@dataclass
class CaseView:
    """One case with the checker's values: its parts, the claims used (the certificate's, or the least ones)."""

    parts: Parts
    order: list[int] | None  # the group's refinement order (None: the group is not listed)
    prefix: tuple[int, ...]
    claimed: list[int] | None  # the certificate's L when the case is listed
    least: list[int | None]

    @property
    def lam(self) -> list[int] | None:
        """The claims the logit test is evaluated at: the listed case's, else the least ones (None if a key has none)."""
        if self.claimed is not None:
            return self.claimed
        return None if any(x is None for x in self.least) else list(self.least)  # type: ignore[arg-type]

    def totals(self, terms: dict | None = None) -> list[int] | None:
        """T_c for every c ≠ a (precision 2FC), in the order of `others`; None without claims."""
        lam = self.lam
        return None if lam is None else totals(self.parts, lam, terms)

    def margin(self) -> float | None:
        """max_c T_c·2^−2FC: when positive, an upper bound (in logits) the case rule reaches on max_c logit_c −
        logit_a over the case (the denominator Σ_k e^{d_k} is at least e^{d_{i+1}} = 1); < 0 when it holds."""
        t = self.totals()
        return None if t is None else max(t) / float(1 << (2 * FC))

    def g_bar(self) -> dict[int, np.ndarray]:
        return g_bars(self.parts)

    def others(self) -> list[int]:
        return others(self.parts)


def case_view(rule: CaseRule, q: int, i: int, a: int, order: list[int] | None, prefix: tuple[int, ...],
              claimed: list[int] | None) -> CaseView:  # fmt: skip
    """The view of the case of group (q, i, a) with the given prefix at the order's first positions."""
    n, V = rule.n, rule.V
    case = make_case(V, n, q, i, a, order or [], prefix)
    p = case_parts(rule, case)
    return CaseView(p, order, tuple(prefix), claimed, least_claims(p, n))
