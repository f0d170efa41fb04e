"""The gap search (untrusted, plain float64): the smallest gap g per case (q, m, c ≥ 1) whose bound is < −tol.

Cells are the pairs q ≤ m; a pair's gaps are 1..gmax with gmax = m − q (q < m: the query must be an allowed
token) or m (q = m). Two searches, as in the paper's code (paper-spec §5.4):

* with a fixed average v[m, c] (`fixed_v`; v = 0 for the drop rule): the bound is non-increasing in g (a larger
  gap shrinks [a_lo, a_hi] and W, and the bound is convex in α), so a vectorized bisection over all cells finds
  the smallest working gap in log2(V) rounds;
* with the paper's per-gap average (`per_gap_v`, to choose the averages): v_g[m] = mean over q of a_lo at the
  uniform gap g, which is not monotone in g, so every (q, m, g) triple is evaluated, block by block. The
  attentions of the triples depend only on the qk rule; `TripleCache` keeps them for the rule's other variants.
"""

from __future__ import annotations

from collections.abc import Iterator
import numpy as np

from .floats import AttnF, Masses, OutF

BLOCK = 1 << 20  # triples (or h-rows × V) per vectorized block: bounds the memory at any V


def attention(at: AttnF, ms: Masses, q: np.ndarray, m: np.ndarray, c: int, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a_lo, a_hi) at gap g for cells (q, m) and a fixed c ≥ 1 (docs §7.3 step 1, nearest floats)."""
    s = (q == m).astype(np.int64)
    M = m - g
    Am = at.A[q, m]
    d_lo = Am - at.pmax[q, M] - at.eps[q]
    d_hi = Am - at.pmin[q, M] + at.eps[q]
    with np.errstate(over="ignore", invalid="ignore"):
        k_lo, k_hi = np.exp(-d_lo * ms.r), np.exp(-d_hi * ms.r)
        Ylo, Yhi = ms.Ylo[c, q, s], ms.Yhi[c, q, s]
        return Ylo / (Ylo + k_lo * ms.Zlo[c, q, s]), Yhi / (Yhi + k_hi * ms.Zhi[c, q, s])


def h_of(out: OutF, m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """h = max_{j≠m} (L_m[j] + v·R_m[j]) for arrays m, v of one shape, in blocks."""
    m_flat, v_flat = m.reshape(-1), v.reshape(-1)
    res = np.empty(m_flat.shape)
    step = max(1, BLOCK // out.R.shape[0])
    for i in range(0, len(m_flat), step):
        mm, vv = m_flat[i : i + step], v_flat[i : i + step]
        res[i : i + step] = (out.L_off[mm] + vv[:, None] * out.R[mm]).max(axis=1)
    return res.reshape(m.shape)


def bound(out: OutF, q: np.ndarray, m: np.ndarray, g: np.ndarray, v: np.ndarray, h: np.ndarray, a_lo: np.ndarray, a_hi: np.ndarray) -> np.ndarray:
    """max(B(a_lo), B(a_hi)) of docs §7.3 step 2 (nearest floats)."""
    W = out.Dmax[m - g]

    def at(a: np.ndarray) -> np.ndarray:
        side = np.where(a >= v, out.Rmax[m], out.Rmin[m])
        return h + (a - v) * side + (1 - a) * W + out.dEU[q]

    with np.errstate(invalid="ignore"):
        return np.maximum(at(a_lo), at(a_hi))


def pairs(V: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All cells (q, m) with q ≤ m and at least one gap, and their largest gap."""
    q, m = np.triu_indices(V)
    gmax = np.where(q < m, m - q, m)
    keep = gmax >= 1
    return q[keep], m[keep], gmax[keep]


def _works(at: AttnF, ms: Masses, out: OutF, c: int, cells: tuple[np.ndarray, ...], g: np.ndarray, tol: float) -> np.ndarray:
    """bound < −tol at gap g for cells (q, m, v, h)."""
    q, m, v, h = cells
    a_lo, a_hi = attention(at, ms, q, m, c, g)
    return bound(out, q, m, g, v, h, a_lo, a_hi) < -tol


def fixed_v(at: AttnF, ms: Masses, out: OutF, v: np.ndarray, n: int, tol: float) -> np.ndarray:
    """gaps[c, q, m]: the smallest g with bound < −tol at the averages v[m, c] (0: none), by bisection."""
    V = at.A.shape[0]
    q, m, gmax = pairs(V)
    gaps = np.zeros((n, V, V), dtype=np.int64)
    for c in range(1, n):
        cells = (q, m, v[m, c], h_of(out, np.arange(V), v[:, c])[m])
        idx = np.nonzero(_works(at, ms, out, c, cells, gmax, tol))[0]  # the cells where some gap works
        cells = tuple(x[idx] for x in cells)
        lo, hi = np.ones(len(idx), dtype=np.int64), gmax[idx]
        while (open_ := np.nonzero(lo < hi)[0]).size:
            mid = (lo[open_] + hi[open_]) // 2
            good = _works(at, ms, out, c, tuple(x[open_] for x in cells), mid, tol)
            hi[open_] = np.where(good, mid, hi[open_])
            lo[open_] = np.where(good, lo[open_], mid + 1)
        gaps[c, q[idx], m[idx]] = lo
    return gaps


class TripleCache:
    """Per qk rule: the triple blocks, their attentions (a_lo, a_hi) per c and the per-gap averages v_g, kept
    while they fit in `cap` bytes (beyond it they are recomputed on every use)."""

    def __init__(self, V: int, cap: int = 48 << 20) -> None:
        self.V, self.cap, self.used = V, cap, 0
        self._index: list[tuple[np.ndarray, ...]] | None = None
        self._att: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self.v_first: dict[int, np.ndarray] = {}

    def _keep(self, arrays: tuple[np.ndarray, ...]) -> bool:
        size = sum(x.nbytes for x in arrays)
        if self.used + size > self.cap:
            return False
        self.used += size
        return True

    def blocks(self) -> list[tuple[np.ndarray, ...]] | Iterator[tuple[np.ndarray, ...]]:
        if self._index is None:
            size = int(pairs(self.V)[2].sum()) * 4 * 8  # four int64 arrays per triple
            if self.used + size > self.cap:
                return _blocks(self.V)
            self._index, self.used = list(_blocks(self.V)), self.used + size
        return self._index

    def attention(self, at: AttnF, ms: Masses, c: int, b: int, blk: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        if (c, b) in self._att:
            return self._att[(c, b)]
        q, m, g, _ = blk
        a = attention(at, ms, q, m, c, g)
        if self._keep(a):
            self._att[(c, b)] = a
        return a


def _blocks(V: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Triples (q, m, g, pair index) of all cells, whole m groups per block of about BLOCK triples, ordered by
    pair then g ascending."""
    q_all, m_all, gmax_all = pairs(V)
    ends = np.cumsum(gmax_all)
    start = 0
    while start < len(q_all):
        base = ends[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, base + BLOCK, side="right")))
        while stop < len(q_all) and m_all[stop] == m_all[stop - 1]:
            stop += 1
        gm = gmax_all[start:stop]
        pair = np.repeat(np.arange(start, stop), gm)
        g = np.arange(len(pair)) - np.repeat(np.cumsum(gm) - gm, gm) + 1
        yield q_all[pair], m_all[pair], g, pair
        start = stop


def per_gap_v(at: AttnF, ms: Masses, out: OutF, cache: TripleCache, n: int, tol: float) -> np.ndarray:
    """gaps[c, q, m]: the smallest g with bound < −tol when v = v_g[m] = mean over q of a_lo at the uniform gap g
    (paper-spec §5.4's search); every triple is evaluated."""
    V = at.A.shape[0]
    q_all, m_all, _ = pairs(V)
    gaps = np.zeros((n, V, V), dtype=np.int64)
    for c in range(1, n):
        if c not in cache.v_first:
            num, cnt = np.zeros(V * V), np.zeros(V * V)
            for b, blk in enumerate(cache.blocks()):
                q, m, g, _ = blk
                a_lo, _ = cache.attention(at, ms, c, b, blk)
                num += np.bincount(g * V + m, weights=a_lo, minlength=V * V)
                cnt += np.bincount(g * V + m, minlength=V * V)
            cache.v_first[c] = np.where(cnt > 0, num / np.maximum(cnt, 1), 0.0).reshape(V, V)  # [g, m]
        vg = cache.v_first[c]
        h_gm = h_of(out, np.broadcast_to(np.arange(V), (V, V)), vg)  # [g, m]
        best = np.zeros(len(q_all), dtype=np.int64)
        for b, blk in enumerate(cache.blocks()):
            q, m, g, pair = blk
            a_lo, a_hi = cache.attention(at, ms, c, b, blk)
            ok = np.nonzero(bound(out, q, m, g, vg[g, m], h_gm[g, m], a_lo, a_hi) < -tol)[0]
            first_pair, first = np.unique(pair[ok], return_index=True)
            best[first_pair] = g[ok[first]]
        gaps[c, q_all, m_all] = best
    return gaps


def averages(at: AttnF, ms: Masses, gaps: np.ndarray) -> np.ndarray:
    """avg[m, c]: mean over q of a_lo at the chosen gaps (the paper's mean+diff average); 1 for c = 0 and 0 where
    no case of (m, c) has a gap."""
    n, V, _ = gaps.shape
    avg = np.zeros((V, n))
    avg[:, 0] = 1.0
    for c in range(1, n):
        q, m = np.nonzero(gaps[c])
        a_lo, _ = attention(at, ms, q, m, c, gaps[c, q, m])
        num, cnt = np.bincount(m, weights=a_lo, minlength=V), np.bincount(m, minlength=V)
        avg[:, c] = np.where(cnt > 0, num / np.maximum(cnt, 1), 0.0)
    return avg
