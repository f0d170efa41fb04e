"""The induction task's input rule (docs/certificate.md §11.4); its claims `residual`/`wrong` are in claims.py.

An input is decided exactly from the weights: every attention weight of both layers is enclosed (layer 1 from the
checker's own exp enclosures of exact scores, layer 2 from enclosures of interval scores), every vector the
model forms is enclosed coordinate by coordinate, and the logit differences are signed through
logit_c − logit_a = Σ_k b_k·G_{k,c} / Σ_k b_k with b_k > 0 the layer-2 weights. Fixed point at F = 96 bits.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cached_property

from ....checker.arith import count, exp_bounds
from .fixed import div_down, div_up, down, up
from .tables import Tables

F = 96
"""Fixed-point precision of the input rule."""

Iv = tuple[int, int]  # an interval [lo, hi] of fixed-point numbers at precision F


# ---------------------------------------------------------------------------------------- the numbering
def n_inputs(V: int, n: int) -> int:
    total = n - 2
    for p in range(n - 1):
        total *= V - p
    return total


def decode(x: int, V: int, n: int) -> tuple[int, ...]:
    """Input index (docs §11.1) → tokens (x_0, …, x_{n−1})."""
    i, rank = x % (n - 2), x // (n - 2)
    free = list(range(V))
    out = []
    for p in range(n - 1):
        rank, c = divmod(rank, V - p)
        out.append(free.pop(c))
    out.append(out[i])
    return tuple(out)


# ---------------------------------------------------------------------------------------- interval helpers
Rows = tuple[list[list[int]], list[list[int]]]  # (lower ends, upper ends) of a table's rows
Image = tuple[list[int], list[int]]  # (lower ends, upper ends) of an interval vector


def _fix(table: tuple[list[list[int]], int]) -> Rows:
    rows, e = table
    count("add", 2 * len(rows) * (len(rows[0]) if rows else 0))
    return [[down(x, e, F) for x in row] for row in rows], [[up(x, e, F) for x in row] for row in rows]


def _mix(base: Image, weights: list[Iv], rows_lo: list[list[int]], rows_hi: list[list[int]]) -> Image:
    """base + Σ_l weights[l]·rows[l], coordinatewise: a weight [al, ah] ≥ 0 times an entry [xl, xh] is
    [⌊xl·(al if xl ≥ 0 else ah)⌋, ⌈xh·(ah if xh ≥ 0 else al)⌉] at precision F (⌈y/2^F⌉ = −((−y) >> F))."""
    lo, hi = base
    for (al, ah), xs_lo, xs_hi in zip(weights, rows_lo, rows_hi):
        lo = [s + ((x * al if x >= 0 else x * ah) >> F) for s, x in zip(lo, xs_lo)]
        hi = [s - ((-(x * ah if x >= 0 else x * al)) >> F) for s, x in zip(hi, xs_hi)]
    count("mul", 2 * len(lo) * len(rows_lo))
    count("add", 2 * len(lo) * len(rows_lo))
    return lo, hi


KeyImages = tuple[list[int], list[int], list[int], list[int]]  # κ_k's lower, upper ends, then y_k's


class InputRule:
    """Decides single inputs of one model by docs §11.4; rows shared by inputs with a common prefix are kept."""

    KEPT = 1 << 14
    """Key images kept (first in, first out): which are recomputed is part of the operation count."""

    def __init__(self, tables: Tables) -> None:
        self.t = tables
        self.V, self.n = tables.V, tables.n
        self._rows: OrderedDict[tuple[int, ...], KeyImages] = OrderedDict()
        self._cat: dict[str, tuple[Rows, Rows, list[int]]] = {}

    @cached_property
    def fixed(self) -> dict[str, Rows]:
        t = self.t
        return {name: _fix(getattr(t, name)) for name in ("qe", "qv", "ke", "kv", "ye", "yv", "ze", "zv")}

    def _tables(self, names: str) -> tuple[Rows, Rows, list[int]]:
        """The tables of the letters of `names` side by side ('<letter>e' rows, '<letter>v' rows) and the widths."""
        hit = self._cat.get(names)
        if hit is None:
            fx = self.fixed

            def side(suffix: str) -> Rows:
                parts = [fx[x + suffix] for x in names]
                return tuple([sum((p[end][j] for p in parts), []) for j in range(len(parts[0][0]))] for end in (0, 1))  # type: ignore[return-value]

            hit = self._cat[names] = (side("e"), side("v"), [len(fx[x + "e"][0][0]) for x in names])
        return hit

    def row1(self, tokens: tuple[int, ...], p: int) -> list[Iv]:
        """Layer-1 attention of position p over l ≤ p: [lo, hi] of a_{p,l} (docs §11.4)."""
        S, e = self.t.S1
        n = self.n
        r = S[tokens[p] * n + p]
        scores = [r[tokens[l] * n + l] for l in range(p + 1)]
        c = max(scores)
        count("cmp", p + 1)
        ws = [exp_bounds((s - c, e)) for s in scores]
        lo = [down(w[0][0], w[0][1], F) for w in ws]
        hi = [up(w[1][0], w[1][1], F) for w in ws]
        s_lo, s_hi = sum(lo), sum(hi)
        count("add", 2 * (p + 1))
        count("mul", 2 * (p + 1))
        return [(div_down(a, s_hi, F), div_up(b, s_lo, F)) for a, b in zip(lo, hi)]

    def images(self, tokens: tuple[int, ...], p: int, names: str) -> list[Image]:
        """Linear images of r1[p] = r0[p] + Σ_l a_{p,l}·v(x_l, l), one per letter of `names`: 'q' (W_Q2/√d),
        'k' (W_K2), 'y' (W_V2·W_O2·W_U), 'z' (W_U); each from its tables '<letter>e' and '<letter>v'."""
        (e_lo, e_hi), (v_lo, v_hi), widths = self._tables(names)
        n = self.n
        a = self.row1(tokens, p)
        idx = [tokens[l] * n + l for l in range(p + 1)]
        own = tokens[p] * n + p
        lo, hi = _mix((e_lo[own], e_hi[own]), a, [v_lo[j] for j in idx], [v_hi[j] for j in idx])
        out, start = [], 0
        for wd in widths:
            out.append((lo[start : start + wd], hi[start : start + wd]))
            start += wd
        return out

    def key_images(self, tokens: tuple[int, ...], k: int) -> KeyImages:
        """(κ_k, y_k) of a key position k ≤ n−2, a function of the prefix x_0 … x_k; not kept."""
        (kl, kh), (yl, yh) = self.images(tokens, k, "ky")
        return kl, kh, yl, yh

    def key(self, tokens: tuple[int, ...], k: int) -> KeyImages:
        """(κ_k, y_k): the key image r1[k]·W_K2 and the value image r1[k]·W_V2·W_O2·W_U (kept by prefix)."""
        prefix = tokens[: k + 1]
        hit = self._rows.get(prefix)
        if hit is None:
            hit = self._rows[prefix] = self.key_images(tokens, k)
            if len(self._rows) > self.KEPT:
                self._rows.popitem(last=False)
        return hit

    def margins(self, tokens: tuple[int, ...], keys: list[KeyImages] | None = None, lowers: bool = True,
                trace: dict | None = None) -> tuple[list[int], list[int]]:
        """For every logit c: (upper, lower) bounds of Σ_k b_k·G_{k,c} (0 at c = a, the answer). `keys`: the
        key images of positions 0 … n−2 when the caller has them (else from `key`); `lowers`: whether to
        form the lower bounds (else left 0; the count is that of both). `trace`, when given, receives the layer-2
        scores s_k and weights b_k (intervals) and the reference score (for audit)."""
        n, V = self.n, self.V
        i = tokens[: n - 2].index(tokens[-1])
        a = tokens[i + 1]
        if keys is None:
            keys = [self.key(tokens, k) for k in range(n - 1)]
        (rl, rh), (zl, zh), kappa_last, y_last = self.images(tokens, n - 1, "qzky")
        keys = [*keys, (*kappa_last, *y_last)]
        b_ends = []
        for kl, kh, _, _ in keys:
            s_lo = s_hi = 0
            for xl, xh, yl, yh in zip(rl, rh, kl, kh):
                p1, p2, p3, p4 = xl * yl, xl * yh, xh * yl, xh * yh
                s_lo += min(p1, p2, p3, p4) >> F
                s_hi -= (-max(p1, p2, p3, p4)) >> F
            b_ends.append((s_lo, s_hi))
        count("mul", 4 * len(rl) * n)
        count("add", 2 * len(rl) * n)
        ref = b_ends[i + 1][0]
        b = []
        for lo, hi in b_ends:
            el, _ = exp_bounds((lo - ref, -F))
            _, eh = exp_bounds((hi - ref, -F))
            b.append((down(el[0], el[1], F), up(eh[0], eh[1], F)))
        terms = [(bl, bh, yl, yh, yl[a], yh[a]) for (bl, bh), (_, _, yl, yh) in zip(b, keys)]
        uppers, lows = [0] * V, [0] * V
        za_lo, za_hi = zl[a], zh[a]
        for c in range(V):
            if c == a:
                continue
            dz_hi = zh[c] - za_lo
            up_c = 0
            for bl, bh, yl, yh, yla, _ in terms:
                g = dz_hi + yh[c] - yla
                up_c += g * (bh if g >= 0 else bl)
            uppers[c] = up_c
            if lowers:
                dz_lo = zl[c] - za_hi
                lo_c = 0
                for bl, bh, yl, _, _, yha in terms:
                    g = dz_lo + yl[c] - yha
                    lo_c += g * (bl if g >= 0 else bh)
                lows[c] = lo_c
        if trace is not None:
            trace.update(scores=b_ends, b=b, ref=ref)
        count("mul", 2 * V * n)
        count("add", 6 * V * n)
        count("cmp", 2 * V * n)
        return uppers, lows

    def right(self, tokens: tuple[int, ...], keys: list[KeyImages] | None = None) -> tuple[bool, int]:
        """(proven right?, the first logit c whose bound is not below the answer's, or −1)."""
        uppers, _ = self.margins(tokens, keys, lowers=False)
        a = tokens[tokens[: self.n - 2].index(tokens[-1]) + 1]
        for c, u in enumerate(uppers):
            if c != a and u >= 0:
                return False, c
        return True, -1

    def wrong(self, tokens: tuple[int, ...], c: int, keys: list[KeyImages] | None = None) -> bool:
        """Proven wrong with witness logit c: the lower bound of Σ_k b_k·G_{k,c} is ≥ 0 (a tie is wrong)."""
        _, lowers = self.margins(tokens, keys)
        return lowers[c] >= 0
