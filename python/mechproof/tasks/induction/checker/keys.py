"""The λ-test terms of a key k ∉ {i+1, n−1} (docs/certificate.md §11.5.3), for several sibling cases at once.

Sibling cases share q, i, a and the positions their prefixes fix; they differ only in the prefix tokens (so in the
allowed tokens, equally many). Their arrays have equal shapes, so they are formed on a leading case axis B in one
pass of numpy calls instead of B passes. Every entry is the same integer the one-case evaluation gives, and the
operation counts are sums of per-case sizes, so evaluating a batch counts exactly what evaluating its cases one by
one counts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ....checker.arith import count
from .mixture import Rows


@dataclass
class KeyTerms:
    """A key's λ-test per window: g, valid, w_lo, w_hi [nw, R'] over the query components, grouped by position
    (segments starting at seg); Y [nw, V] the value bounds."""

    g: np.ndarray
    valid: np.ndarray
    w_lo: np.ndarray
    w_hi: np.ndarray
    seg: np.ndarray
    Y: np.ndarray


def window_positions(case, k: int) -> list[int]:  # noqa: ANN001
    """The free positions among k−1 and k (the key's window)."""
    return [p for p in (k - 1, k) if p >= 0 and p not in case.known]


def key_terms(rule, cases: list, queries: list, k: int) -> list[KeyTerms]:  # noqa: ANN001
    """The λ-test of key k (not the answer's, not n−1) per window for each of the sibling `cases` (docs §11.5.3):
    the query components an input of the window can have, grouped by position (a known or window position: its one
    token; another free position: every allowed token but the window's), their weights, and g, upper bounds of
    each component's score against r1[k] − r1[i+1]; and Y [nw, V], upper bounds of r1[k]'s value difference c − a.
    The window enumerates every assignment of distinct allowed tokens to the window positions (one empty
    assignment when both are known)."""
    ct, n = rule.ct, rule.n
    c0 = cases[0]
    B = len(cases)
    lo, hi = ct.W1
    A = np.array([c.tokens for c in cases], dtype=np.int64)  # [B, T] the allowed tokens
    T = A.shape[1]
    wpos = window_positions(c0, k)
    perms = list(itertools.permutations(range(T), len(wpos)))
    picks = np.array(perms, dtype=np.int64).reshape(len(perms), len(wpos))
    nw = len(picks)
    combos = A[:, picks]  # [B, nw, len(wpos)]: the tokens of every window assignment
    tok_at = {p: np.broadcast_to(np.array([c.known[p] for c in cases])[:, None], (B, nw)) for p in c0.known}
    for m, p in enumerate(wpos):
        tok_at[p] = combos[:, :, m]
    kpos = [l for l in range(k + 1) if l in tok_at]
    kn = np.stack([tok_at[l] * n + l for l in kpos], axis=2)  # [B, nw, m]
    free = [l for l in c0.free if l < k and l not in wpos]
    row = tok_at[k] * n + k  # [B, nw]
    # the key rows' mixture scalars (docs §11.5.2): known columns, and the largest weight at each free position
    w_free = np.zeros((B, nw), dtype=np.int64)
    for l in free:
        w_free += hi[row[:, :, None], (A * n + l)[:, None, :]].max(axis=2)
    count("cmp", B * nw * len(free) * T)
    rows = Rows(lo[row[:, :, None], kn].reshape(B * nw, -1), hi[row[:, :, None], kn].reshape(B * nw, -1), w_free.reshape(-1))
    fc = (A[:, None, :] * n + np.array(free, dtype=np.int64)[None, :, None]).reshape(B, -1)  # [B, F·T] free columns
    # the query components per window: r [B, nw, R'], grouped by position
    comps, seg, rest = [], [], []
    width = 0
    for j in range(n):
        seg.append(width)
        if j in tok_at:
            comps.append((tok_at[j] * n + j)[:, :, None])
            rest.append(np.zeros((B, nw, 1), dtype=bool))
        else:
            comps.append(np.broadcast_to((A * n + j)[:, None, :], (B, nw, T)))
            rest.append(np.ones((B, nw, T), dtype=bool))
        width += comps[-1].shape[2]
    r = np.concatenate(comps, axis=2)
    valid = ~np.concatenate(rest, axis=2)
    tok = r // n
    others = np.concatenate(rest, axis=2)
    for m in range(len(wpos)):
        others &= tok != combos[:, :, m : m + 1]
    valid |= others
    PV = ct.PV[c0.q]
    X = PV[r[:, :, None, :], kn[:, :, :, None]]  # [B, nw, m, R']
    qr = np.stack([qq.r for qq in queries])  # [B, R] the query rows' components
    bidx = np.arange(B)[:, None, None]
    if fc.shape[1]:  # the largest entry over the free columns, per component (a window only picks components)
        by_col = np.zeros((B, ct.N), dtype=np.int64)
        by_col[np.arange(B)[:, None], qr] = PV[qr[:, :, None], fc[:, None, :]].max(axis=2)
        count("cmp", B * qr.shape[1] * fc.shape[1])
        r_max = by_col[bidx, r]
    else:
        r_max = np.zeros(r.shape, dtype=np.int64)
    upper, _ = rows.bounds(X.reshape((B * nw,) + X.shape[2:]), rule.xmax("PV", c0.q), r_max.reshape(B * nw, -1), None)
    ans = np.stack([qq.ans_by_col for qq in queries])  # [B, N]
    g = ct.PE[c0.q][r, row[:, :, None]] + 1 + upper.reshape(r.shape) + ans[bidx, r]
    count("add", 3 * g.size)
    qrow = ct.col(c0.q, n - 1)
    yv = ct.yv[c0.a]
    Y = yv[kn]  # [B, nw, m, V]
    y_max = yv[fc].max(axis=1) if fc.shape[1] else np.zeros((B, rule.V), dtype=np.int64)  # [B, V]
    yup, _ = rows.bounds(Y.reshape((B * nw,) + Y.shape[2:]), rule.xmax("yv", c0.a), np.repeat(y_max, nw, axis=0), None)
    Yb = ct.ye[c0.a][row] + 1 + yup.reshape(B, nw, -1)
    seg_ = np.array(seg)
    w_lo, w_hi = lo[qrow][r], hi[qrow][r]
    return [KeyTerms(g[b], valid[b], w_lo[b], w_hi[b], seg_, Yb[b]) for b in range(B)]
