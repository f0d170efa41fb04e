"""The induction task's input rule (docs/certificate.md §11.4) and its `residual`/`wrong` claims (§11.6).

An input is decided exactly from the weights: every attention weight of both layers is enclosed (layer 1 from the
checker's own exp enclosures of exact scores, layer 2 from enclosures of interval scores), every vector the
model forms is enclosed coordinate by coordinate, and the logit differences are signed through
logit_c − logit_a = Σ_k b_k·G_{k,c} / Σ_k b_k with b_k > 0 the layer-2 weights. Fixed point at F = 96 bits.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cached_property
from typing import Callable

from ....checker.arith import count, exp_bounds
from ....checker.failures import ClaimFailure, require
from ....checker.inputs import indices
from .fixed import div_down, div_up, down, shr_down, shr_up, up
from .tables import Tables

F = 96
"""Fixed-point precision of the input rule."""

Iv = tuple[int, int]  # an interval [lo, hi] of fixed-point numbers at precision F
Covers = Callable[[tuple[int, ...]], bool]


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
def _fix(table: tuple[list[list[int]], int]) -> list[list[Iv]]:
    rows, e = table
    count("add", 2 * len(rows) * (len(rows[0]) if rows else 0))
    return [[(down(x, e, F), up(x, e, F)) for x in row] for row in rows]


def _scaled(a: Iv, x: Iv) -> Iv:
    """a·x for a weight a = [al, ah] ≥ 0 and any interval x (precision F)."""
    al, ah = a
    xl, xh = x
    return shr_down(xl * (al if xl >= 0 else ah), F), shr_up(xh * (ah if xh >= 0 else al), F)


def _product(x: Iv, y: Iv) -> Iv:
    ps = (x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1])
    return shr_down(min(ps), F), shr_up(max(ps), F)


def _mix(base: list[Iv], weights: list[Iv], rows: list[list[Iv]]) -> list[Iv]:
    """base + Σ_l weights[l]·rows[l], coordinatewise."""
    lo = [b[0] for b in base]
    hi = [b[1] for b in base]
    for a, row in zip(weights, rows):
        for c, x in enumerate(row):
            s = _scaled(a, x)
            lo[c] += s[0]
            hi[c] += s[1]
    count("mul", 2 * len(base) * len(rows))
    count("add", 2 * len(base) * len(rows))
    return list(zip(lo, hi))


class InputRule:
    """Decides single inputs of one model by docs §11.4; rows shared by inputs with a common prefix are kept."""

    def __init__(self, tables: Tables) -> None:
        self.t = tables
        self.V, self.n = tables.V, tables.n
        self._rows: OrderedDict[tuple[int, ...], tuple[list[Iv], list[Iv]]] = OrderedDict()

    @cached_property
    def fixed(self) -> dict[str, list[list[Iv]]]:
        t = self.t
        return {name: _fix(getattr(t, name)) for name in ("qe", "qv", "ke", "kv", "ye", "yv", "ze", "zv")}

    def row1(self, tokens: tuple[int, ...], p: int) -> list[Iv]:
        """Layer-1 attention of position p over l ≤ p: [lo, hi] of a_{p,l} (docs §11.4)."""
        S, e = self.t.S1
        r = S[self.t.tp(tokens[p], p)]
        scores = [r[self.t.tp(tokens[l], l)] for l in range(p + 1)]
        c = max(scores)
        count("cmp", p + 1)
        ws = [exp_bounds((s - c, e)) for s in scores]
        lo = [down(w[0][0], w[0][1], F) for w in ws]
        hi = [up(w[1][0], w[1][1], F) for w in ws]
        s_lo, s_hi = sum(lo), sum(hi)
        count("add", 2 * (p + 1))
        count("mul", 2 * (p + 1))
        return [(div_down(a, s_hi, F), div_up(b, s_lo, F)) for a, b in zip(lo, hi)]

    def _images(self, tokens: tuple[int, ...], p: int, names: str) -> list[list[Iv]]:
        """Linear images of r1[p] = r0[p] + Σ_l a_{p,l}·v(x_l, l), one per letter of `names`: 'q' (W_Q2/√d),
        'k' (W_K2), 'y' (W_V2·W_O2·W_U), 'z' (W_U); each from its tables '<letter>e' and '<letter>v'."""
        fx = self.fixed
        a = self.row1(tokens, p)
        idx = [self.t.tp(tokens[l], l) for l in range(p + 1)]
        own = self.t.tp(tokens[p], p)
        return [_mix(fx[x + "e"][own], a, [fx[x + "v"][j] for j in idx]) for x in names]

    def key(self, tokens: tuple[int, ...], k: int) -> tuple[list[Iv], list[Iv]]:
        """(κ_k, y_k): the key image r1[k]·W_K2 and the value image r1[k]·W_V2·W_O2·W_U (kept by prefix)."""
        prefix = tokens[: k + 1]
        hit = self._rows.get(prefix)
        if hit is None:
            kappa, y = self._images(tokens, k, "ky")
            hit = (kappa, y)
            self._rows[prefix] = hit
            if len(self._rows) > 1 << 14:
                self._rows.popitem(last=False)
        return hit

    def margins(self, tokens: tuple[int, ...]) -> tuple[list[int], list[int]]:
        """For every logit c: (upper, lower) bounds of Σ_k b_k·G_{k,c} (0 at c = a, the answer)."""
        n, V = self.n, self.V
        i = tokens[: n - 2].index(tokens[-1])
        a = tokens[i + 1]
        keys = [self.key(tokens, k) for k in range(n - 1)]
        rho, z, kappa_last, y_last = self._images(tokens, n - 1, "qzky")
        keys.append((kappa_last, y_last))
        scores = []
        for kappa, _ in keys:
            ps = [_product(x, y) for x, y in zip(rho, kappa)]
            scores.append((sum(x[0] for x in ps), sum(x[1] for x in ps)))
        count("mul", 4 * len(rho) * n)
        count("add", 2 * len(rho) * n)
        ref = scores[i + 1][0]
        b = []
        for lo, hi in scores:
            el, _ = exp_bounds((lo - ref, -F))
            _, eh = exp_bounds((hi - ref, -F))
            b.append((down(el[0], el[1], F), up(eh[0], eh[1], F)))
        uppers, lowers = [0] * V, [0] * V
        za = z[a]
        for c in range(V):
            if c == a:
                continue
            dz = (z[c][0] - za[1], z[c][1] - za[0])
            up_c = lo_c = 0
            for (bl, bh), (_, y) in zip(b, keys):
                g_lo = dz[0] + y[c][0] - y[a][1]
                g_hi = dz[1] + y[c][1] - y[a][0]
                up_c += g_hi * (bh if g_hi >= 0 else bl)
                lo_c += g_lo * (bl if g_lo >= 0 else bh)
            uppers[c], lowers[c] = up_c, lo_c
        count("mul", 2 * V * n)
        count("add", 6 * V * n)
        count("cmp", 2 * V * n)
        return uppers, lowers

    def right(self, tokens: tuple[int, ...]) -> tuple[bool, int]:
        """(proven right?, the first logit c whose bound is not below the answer's, or −1)."""
        uppers, _ = self.margins(tokens)
        a = tokens[tokens[: self.n - 2].index(tokens[-1]) + 1]
        for c, u in enumerate(uppers):
            if c != a and u >= 0:
                return False, c
        return True, -1

    def wrong(self, tokens: tuple[int, ...], c: int) -> bool:
        """Proven wrong with witness logit c: the lower bound of Σ_k b_k·G_{k,c} is ≥ 0 (a tie is wrong)."""
        _, lowers = self.margins(tokens)
        return lowers[c] >= 0


def check_input_claims(claims, rule: InputRule, covers: Covers) -> tuple[int, int | None]:  # noqa: ANN001
    """docs §11.6 (as §9): verify `residual` and `wrong` (either may be absent); returns (#residual, #wrong)."""
    V, n = rule.V, rule.n
    total = n_inputs(V, n)
    right_set: set[int] = set()
    if claims.residual is not None:
        for x in indices(claims.residual.inputs, V, n, "residual", total):
            tokens = decode(x, V, n)
            require(not covers(tokens), f"residual[{x}]", "input already covered by the cases", list(tokens), "uncovered")
            ok, c = rule.right(tokens)
            if not ok:
                raise ClaimFailure(f"residual[{x}]", f"input {list(tokens)} is not proven right: logit {c} can reach the answer's", "upper ≥ 0", "< 0")
            right_set.add(x)
    wrong = claims.wrong
    if wrong is None:
        return len(right_set), None
    require(len(wrong.witness) == len(wrong.inputs), "wrong", "one witness per input", len(wrong.witness), len(wrong.inputs))
    seen = 0
    for x, c in zip(indices(wrong.inputs, V, n, "wrong", total), wrong.witness):
        tokens = decode(x, V, n)
        a = tokens[tokens[: n - 2].index(tokens[-1]) + 1]
        cid = f"wrong[{x}]"
        require(0 <= c < V and c != a, cid, "witness must be a logit index other than the answer", c, a)
        require(not covers(tokens) and x not in right_set, cid, "input is also claimed right (by the cases or residual)", list(tokens), "wrong")
        if not rule.wrong(tokens, c):
            raise ClaimFailure(cid, f"input {list(tokens)} is not proven wrong with witness logit {c}", "lower < 0", "≥ 0")
        seen += 1
    return len(right_set), seen
