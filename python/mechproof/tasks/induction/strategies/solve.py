"""Choosing the claimed bounds of a case: the least λ each λ-test accepts (docs/certificate.md §11.5.3).

The tests are the checker's own (tasks/induction/checker/cases.py), run on the same exact integer arrays, so a
bound chosen here is accepted there. For a linear test φ(λ) = Σ_j max_r max(W_hi·(g_r − λ), W_lo·(g_r − λ)), the
root is the largest average Σ_j W_j·g_j / Σ_j W_j over the choices (Dinkelbach's iteration from below finds it);
the claim is that root rounded up to the claims' grid, checked exactly and raised until the test holds.
"""

from __future__ import annotations

import numpy as np

from ..checker.casetables import FC, LB
from ..checker.cases import CaseRule, KeyTerms, lambda_sum, least_integer

SHIFT = FC - LB
NEG = np.iinfo(np.int64).min


def _root(gf: np.ndarray, wl: np.ndarray, wh: np.ndarray, ok: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """The root of φ(λ) = Σ_j max_r max(wl·(g − λ), wh·(g − λ)) per row of g [B, R] (float, precision-FC units):
    φ is convex and decreasing, so Newton's (Dinkelbach's) iteration from below rises to it."""
    lam = np.where(ok, gf, np.inf).min(axis=1)
    lens = np.diff(np.append(seg, gf.shape[1]))
    for _ in range(60):
        x = gf - lam[:, None]
        w = np.where(x >= 0, wh, wl)
        t = np.where(ok, w * x, -np.inf)
        best = np.repeat(np.maximum.reduceat(t, seg, axis=1), lens, axis=1)
        tie = ok & (t == best)
        cnt = np.add.reduceat(tie, seg, axis=1)
        sw = np.add.reduceat(np.where(tie, w, 0.0), seg, axis=1) / cnt
        swg = np.add.reduceat(np.where(tie, w * gf, 0.0), seg, axis=1) / cnt
        new = swg.sum(axis=1) / np.maximum(sw.sum(axis=1), 1e-300)
        if np.all(new - lam <= 1e-9 * (1 + np.abs(lam))):
            lam = np.maximum(lam, new)
            break
        lam = np.maximum(lam, new)
    return lam


def _key_root(t: KeyTerms) -> np.ndarray:
    return _root(t.g.astype(np.float64), t.w_lo.astype(np.float64), t.w_hi.astype(np.float64), t.valid, t.seg)


def to_claim(root: np.ndarray) -> np.ndarray:
    """A claim (precision LB) at least the root (precision FC), with one unit to spare."""
    return np.floor(root / (1 << SHIFT)).astype(np.int64) + 2


def solve_linear(t: KeyTerms) -> int:
    """The least claim λ (precision LB) for which every window passes the key's λ-test."""
    lam = int(to_claim(_key_root(t)).max())
    step = 1
    while int(lambda_sum(t.g, lam << SHIFT, t.w_lo, t.w_hi, t.seg, t.valid).max()) > 0:
        lam += step
        step *= 2
    return lam


def solve_last(terms) -> int:  # noqa: ANN001
    """The least claim λ (precision LB) that passes the quadratic λ-test of the query position as a key."""
    def passes(lam: np.ndarray) -> np.ndarray:
        return np.array([CaseRule.last_key_sum(terms, int(x) << SHIFT) <= 0 for x in lam])

    bound = 1 << 25
    # the test is φ(λ) = Σ max(lo·c·(H/c − λ), hi·c·(H/c − λ)) over the pairs: its float root guides the search
    c = terms.c.astype(np.float64)
    root = _root((terms.H / c)[None, :], (terms.lo * c)[None, :], (terms.hi * c)[None, :], np.ones((1, len(c)), dtype=bool), terms.seg)
    guess = np.clip(np.floor(root / (1 << SHIFT)), -bound + 1, bound).astype(np.int64)
    return int(least_integer(passes, guess, np.array([-bound]), np.array([bound]))[0])
