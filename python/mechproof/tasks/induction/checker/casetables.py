"""Fixed-point tables of the case rule (docs/certificate.md §11.5.1), at precision FC, formed once per model.

Every bilinear or value entry is X̂ = ⌊X·2^FC⌋ of an exact table value X, so X̂ ≤ X·2^FC < X̂ + 1. Layer-1 weights
are the checker's own exp enclosures: W1[r, c] = [⌊lo·2^FC⌋, ⌈hi·2^FC⌉] ∋ exp(S1[r, c] − shift[r]) for a query
row r = (t, p) and a key column c = (t', l) with l ≤ p (0 for l > p); shift[r] is the largest S1[r, c] of the row
(a per-row constant leaves the row's attention unchanged).

The case rule evaluates its sums with numpy int64 arrays. That is exact integer arithmetic as long as nothing
exceeds 2^63; `require_range` enforces the limits of docs §11.7 on every table (|X| < 2^10, weights ≤ 1), under
which every intermediate of §11.5 stays below 2^62. A model beyond them is refused as malformed input.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ....checker.arith import count, exp_bounds
from ....errors import InputError
from .fixed import down, up
from .tables import Tables

FC = 20
"""Fixed-point precision of the case rule."""
LB = 16
"""Claimed bounds (λ, μ, ν) are integers L meaning L·2^−LB."""
VALUE_BITS = 10
"""docs §11.7: every bilinear and value table entry has |X| < 2^VALUE_BITS (honest models: below 2^7)."""
LIMIT = 1 << (VALUE_BITS + FC)


def require_range(arr: np.ndarray, what: str) -> np.ndarray:
    if arr.size and int(np.abs(arr).max()) >= LIMIT:
        raise InputError(None, what, f"a table entry is beyond the case rule's range |x| < 2^{VALUE_BITS} (docs §11.7)")
    return arr


def _floor_array(values: list[list[int]], e: int, what: str) -> np.ndarray:
    """⌊x·2^(e+FC)⌋ of exact integers x (a list of lists), range-checked before it becomes int64."""
    s = e + FC
    limit = LIMIT
    out = []
    for row in values:
        r = [x << s if s >= 0 else x >> -s for x in row]
        if r and (max(r) >= limit or min(r) <= -limit):
            raise InputError(None, what, f"a table entry is beyond the case rule's range |x| < 2^{VALUE_BITS} (docs §11.7)")
        out.append(r)
    return np.array(out, dtype=np.int64)


class CaseTables:
    def __init__(self, t: Tables) -> None:
        self.t = t
        self.V, self.n = t.V, t.n
        self.N = t.V * t.n

    def col(self, tok: int, pos: int) -> int:
        return tok * self.n + pos

    @cached_property
    def W1(self) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) int64 [V·n, V·n]: layer-1 weight enclosures at precision FC (0 where l > p)."""
        S, e = self.t.S1
        n = self.n
        lo = np.zeros((self.N, self.N), dtype=np.int64)
        hi = np.zeros((self.N, self.N), dtype=np.int64)
        for r, row in enumerate(S):
            p = r % n
            cols = [c for c in range(self.N) if c % n <= p]
            shift = max(row[c] for c in cols)
            for c in cols:
                a, b = exp_bounds((row[c] - shift, e))
                lo[r, c] = down(a[0], a[1], FC)
                hi[r, c] = up(b[0], b[1], FC)
            count("cmp", len(cols))
        return lo, hi

    def _pair_sum(self, a: tuple[list[list[int]], int], b: tuple[list[list[int]], int], what: str) -> np.ndarray:
        """[V, V·n, V·n]: ⌊(a[(q, n−1)][c] + b[r][c])·2^FC⌋ for every query token q, row r and column c."""
        (A, ea), (B, eb) = a, b
        ex = min(ea, eb)
        sa, sb = 1 << (ea - ex), 1 << (eb - ex)
        Bs = [[y * sb for y in row] for row in B]
        planes = []
        for q in range(self.V):
            arow = [x * sa for x in A[self.col(q, self.n - 1)]]
            planes.append(_floor_array([[x + y for x, y in zip(arow, brow)] for brow in Bs], ex, what))
        count("add", self.V * self.N * self.N)
        return np.stack(planes)

    @cached_property
    def PE(self) -> np.ndarray:
        """PE[q, r, c]: the layer-2 score of query component r (layer 1's output v(r), with the query token q's
        own embedding at n−1 added) against a key's own embedding e(c): exact value A[(q,n−1), c] + C[r, c]."""
        A, C = self.t.PE
        return self._pair_sum(A, C, "PE")

    @cached_property
    def PV(self) -> np.ndarray:
        """PV[q, r, c]: the same against layer 1's output v(c) at the key: B[(q,n−1), c] + D[r, c]."""
        B, D = self.t.PV
        return self._pair_sum(B, D, "PV")

    def _diff(self, name: str) -> np.ndarray:
        """[V (a), V·n (r), V (c)]: ⌊(X[r, c] − X[r, a])·2^FC⌋ for the value table X = `name`."""
        rows, e = getattr(self.t, name)
        planes = [_floor_array([[x - row[a] for x in row] for row in rows], e, name) for a in range(self.V)]
        count("add", self.V * len(rows) * self.V)
        return np.stack(planes)

    @cached_property
    def yv(self) -> np.ndarray:
        return self._diff("yv")

    @cached_property
    def ye(self) -> np.ndarray:
        return self._diff("ye")

    @cached_property
    def zv(self) -> np.ndarray:
        return self._diff("zv")

    @cached_property
    def ze(self) -> np.ndarray:
        return self._diff("ze")
