"""Choosing the claimed bounds of a case: the least λ each λ-test accepts (docs/certificate.md §11.5.3).

The tests are the checker's own (tasks/induction/checker/cases.py), run on the same exact integer arrays, so a
bound chosen here is accepted there. For a linear test φ(λ) = Σ_j max_r max(W_hi·(g_r − λ), W_lo·(g_r − λ)), the
root is the largest average Σ_j W_j·g_j / Σ_j W_j over the choices (Dinkelbach's iteration from below finds it);
the claim is that root rounded up to the claims' grid, checked exactly and raised until the test holds.
"""

from __future__ import annotations

import numpy as np

from ..checker.casetables import FC, LB
from ..checker.cases import CaseRule, lambda_sum, least_integer
from ..checker.keys import KeyTerms

SHIFT = FC - LB
NEG = np.iinfo(np.int64).min


def _root(gf: np.ndarray, wl: np.ndarray, wh: np.ndarray, ok: np.ndarray, seg: np.ndarray, part: np.ndarray | None = None) -> np.ndarray:
    """The root of φ(λ) = Σ_j max_r max(wl·(g − λ), wh·(g − λ)) per row of g [B, R] (float, precision-FC units):
    φ is convex and decreasing, so Newton's (Dinkelbach's) iteration from below rises to it. `part` [B] (ascending)
    splits the rows into parts that stop iterating independently, each as if solved alone (all one part if None):
    so stacking several cases' rows gives every row the very float it gets on its own."""
    lam = np.where(ok, gf, np.inf).min(axis=1)
    lens = np.diff(np.append(seg, gf.shape[1]))
    part = np.zeros(len(gf), dtype=np.int64) if part is None else part
    idx = np.arange(len(gf))  # the rows still iterating (the parts not settled), and their arrays:
    G, L, H, O, P = gf, wl, wh, ok, part
    for _ in range(60):
        lm = lam[idx]
        x = G - lm[:, None]
        w = np.where(x >= 0, H, L)
        t = np.where(O, w * x, -np.inf)
        best = np.repeat(np.maximum.reduceat(t, seg, axis=1), lens, axis=1)
        tie = O & (t == best)
        cnt = np.add.reduceat(tie, seg, axis=1)
        sw = np.add.reduceat(np.where(tie, w, 0.0), seg, axis=1) / cnt
        swg = np.add.reduceat(np.where(tie, w * G, 0.0), seg, axis=1) / cnt
        new = swg.sum(axis=1) / np.maximum(sw.sum(axis=1), 1e-300)
        starts = np.flatnonzero(np.r_[True, P[1:] != P[:-1]])
        settled = np.logical_and.reduceat(new - lm <= 1e-9 * (1 + np.abs(lm)), starts)  # per part
        lam[idx] = np.maximum(lm, new)
        go = ~np.repeat(settled, np.diff(np.append(starts, len(P))))
        if not go.any():
            break
        if not go.all():  # each row's arithmetic is its own: dropping settled rows changes no other row's
            idx, G, L, H, O, P = idx[go], G[go], L[go], H[go], O[go], P[go]
    return lam


def key_roots(ts: list[KeyTerms]) -> list[np.ndarray]:
    """The float roots of the λ-tests of one key in several sibling cases (equal shapes), per window."""
    g = np.concatenate([t.g for t in ts])
    part = np.repeat(np.arange(len(ts)), [len(t.g) for t in ts])
    cat = lambda name: np.concatenate([getattr(t, name) for t in ts]).astype(np.float64)  # noqa: E731
    root = _root(g.astype(np.float64), cat("w_lo"), cat("w_hi"), np.concatenate([t.valid for t in ts]), ts[0].seg, part)
    return np.split(root, np.cumsum([len(t.g) for t in ts])[:-1])


def to_claim(root: np.ndarray) -> np.ndarray:
    """A claim (precision LB) at least the root (precision FC), with one unit to spare."""
    return np.floor(root / (1 << SHIFT)).astype(np.int64) + 2


def solve_linear(t: KeyTerms, root: np.ndarray | None = None) -> int:
    """The least claim λ (precision LB) for which every window passes the key's λ-test (`root`: the float roots per
    window when already known, key_roots)."""
    lam = int(to_claim(key_roots([t])[0] if root is None else root).max())
    step = 1
    while int(lambda_sum(t.g, lam << SHIFT, t.w_lo, t.w_hi, t.seg, t.valid).max()) > 0:
        lam += step
        step *= 2
    return lam


def solve_last(terms) -> int:  # noqa: ANN001
    """The least claim λ (precision LB) that passes the quadratic λ-test of the query position as a key."""
    def passes(lam: np.ndarray, _open: np.ndarray | None) -> np.ndarray:
        return np.array([CaseRule.last_key_sum(terms, int(x) << SHIFT) <= 0 for x in lam])

    bound = 1 << 25
    # the test is φ(λ) = Σ max(lo·c·(H/c − λ), hi·c·(H/c − λ)) over the pairs: its float root guides the search
    c = terms.c.astype(np.float64)
    root = _root((terms.H / c)[None, :], (terms.lo * c)[None, :], (terms.hi * c)[None, :], np.ones((1, len(c)), dtype=bool), terms.seg)
    guess = np.clip(np.floor(root / (1 << SHIFT)), -bound + 1, bound).astype(np.int64)
    return int(least_integer(passes, guess, np.array([-bound]), np.array([bound]))[0])
