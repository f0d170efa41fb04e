"""The gap search (untrusted, plain float64): the smallest gap g per case (q, m, c ≥ 1) whose bound is < −tol.

Cells are the pairs q ≤ m; a pair's gaps are 1..gmax with gmax = m − q (q < m: the query must be an allowed
token) or m (q = m). Two searches, as in the paper's code (docs/paper.md §5.4):

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


class Cells:
    """Cases (q, m) at one c ≥ 1, with everything that does not depend on the gap gathered once."""

    def __init__(self, at: AttnF, ms: Masses, out: OutF | None, c: int, q: np.ndarray, m: np.ndarray, v: np.ndarray | None = None) -> None:
        """`out` and the averages v[m, c] (as an array over m) are needed only for `bound`."""
        self.at, self.out, self.r = at, out, ms.r
        self.q, self.m = q, m
        s = (q == m).astype(np.int64)
        self.row = q * at.A.shape[0]  # flat offset of row q in A's running extrema
        Am, eps = at.A[q, m], at.eps[q]
        self.lo_base, self.hi_base = Am - eps, Am + eps
        self.Ylo, self.Zlo, self.Yhi, self.Zhi = (x[c, q, s] for x in (ms.Ylo, ms.Zlo, ms.Yhi, ms.Zhi))
        if out is not None and v is not None:
            self.Rmax, self.Rmin, self.dEU = out.Rmax[m], out.Rmin[m], out.dEU[q]
            self.v, self.base = v[m], h_of(out, np.arange(len(v)), v)[m] + self.dEU  # base = h + ΔEU[q]

    def subset(self, idx: np.ndarray) -> "Cells":
        new = object.__new__(Cells)
        new.__dict__.update({k: (v[idx] if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()})
        return new

    def attention(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(a_lo, a_hi) at gap g (docs §7.3 step 1, nearest floats)."""
        flat = self.row + self.m - g
        d_lo = self.lo_base - self.at.pmax.ravel()[flat]
        d_hi = self.hi_base - self.at.pmin.ravel()[flat]
        with np.errstate(over="ignore", invalid="ignore"):
            k_lo, k_hi = np.exp(-d_lo * self.r), np.exp(-d_hi * self.r)
            return self.Ylo / (self.Ylo + k_lo * self.Zlo), self.Yhi / (self.Yhi + k_hi * self.Zhi)

    def works(self, g: np.ndarray, tol: float) -> np.ndarray:
        """max(B(a_lo), B(a_hi)) < −tol at gap g (docs §7.3 step 2, nearest floats)."""
        assert self.out is not None
        return _bound(self.base, self.v, self.Rmax, self.Rmin, self.out.Dmax[self.m - g], *self.attention(g)) < -tol


def _bound(base: np.ndarray, v: np.ndarray, Rmax: np.ndarray, Rmin: np.ndarray, W: np.ndarray, a_lo: np.ndarray, a_hi: np.ndarray) -> np.ndarray:
    """max over α in {a_lo, a_hi} of base + (α − v)·(R_max if α ≥ v else R_min) + (1 − α)·W."""

    def at(a: np.ndarray) -> np.ndarray:
        return base + (a - v) * np.where(a >= v, Rmax, Rmin) + (1 - a) * W

    with np.errstate(invalid="ignore"):
        return np.maximum(at(a_lo), at(a_hi))


def h_of(out: OutF, m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """h = max_{j≠m} (L_m[j] + v·R_m[j]) for arrays m, v of one shape, in blocks."""
    m_flat, v_flat = m.reshape(-1), v.reshape(-1)
    res = np.empty(m_flat.shape)
    step = max(1, BLOCK // out.R.shape[0])
    for i in range(0, len(m_flat), step):
        mm, vv = m_flat[i : i + step], v_flat[i : i + step]
        res[i : i + step] = (out.L_off[mm] + vv[:, None] * out.R[mm]).max(axis=1)
    return res.reshape(m.shape)


def h_on_01(out: OutF, m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """h_of for v in [0, 1], from the envelope lines only (the same maximum, a fraction of the work)."""
    assert np.all((v >= 0) & (v <= 1))
    return (out.Lh[m] + v[..., None] * out.Rh[m]).max(axis=-1)


def pairs(V: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All cells (q, m) with q ≤ m and at least one gap, and their largest gap."""
    q, m = np.triu_indices(V)
    gmax = np.where(q < m, m - q, m)
    keep = gmax >= 1
    return q[keep], m[keep], gmax[keep]


def fixed_v(at: AttnF, ms: Masses, out: OutF, v: np.ndarray, n: int, tol: float) -> np.ndarray:
    """gaps[c, q, m]: the smallest g with bound < −tol at the averages v[m, c] (0: none), by bisection."""
    V = at.A.shape[0]
    q, m, gmax = pairs(V)
    gaps = np.zeros((n, V, V), dtype=np.int64)
    for c in range(1, n):
        cells = Cells(at, ms, out, c, q, m, v[:, c])
        idx = np.nonzero(cells.works(gmax, tol))[0]  # the cells where some gap works
        cells = cells.subset(idx)
        lo, hi = np.ones(len(idx), dtype=np.int64), gmax[idx]
        while (open_ := np.nonzero(lo < hi)[0]).size:
            mid = (lo[open_] + hi[open_]) // 2
            good = cells.subset(open_).works(mid, tol)
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
        a = Cells(at, ms, None, c, q, m).attention(g)
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
    (docs/paper.md §5.4's search); every triple is evaluated."""
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
        h_gm = h_on_01(out, np.broadcast_to(np.arange(V), (V, V)), vg)  # [g, m]
        best = np.zeros(len(q_all), dtype=np.int64)
        for b, blk in enumerate(cache.blocks()):
            q, m, g, pair = blk
            a_lo, a_hi = cache.attention(at, ms, c, b, blk)
            B = _bound(h_gm[g, m] + out.dEU[q], vg[g, m], out.Rmax[m], out.Rmin[m], out.Dmax[m - g], a_lo, a_hi)
            ok = np.nonzero(B < -tol)[0]
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
        a_lo, _ = Cells(at, ms, None, c, q, m).attention(gaps[c, q, m])
        num, cnt = np.bincount(m, weights=a_lo, minlength=V), np.bincount(m, minlength=V)
        avg[:, c] = np.where(cnt > 0, num / np.maximum(cnt, 1), 0.0)
    return avg
