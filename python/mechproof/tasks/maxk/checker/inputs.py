"""The input rule (docs/certificate.md §8) and the claims built on it (§9): inputs proven right or wrong one by one.

An input is decided exactly from the weights: with w_p ∈ [w_lo, w_hi] the enclosure of exp(score_p/√d),
logit_j − logit_m = Σ_p w_p·N_{p,j} / Σ_p w_p, so Σ_p N_{p,j}·(w_hi if N ≥ 0 else w_lo) < 0 for every j ≠ m
proves the input right, and Σ_p N_{p,j}·(w_lo if N ≥ 0 else w_hi) ≥ 0 for one j proves it wrong.

Everything is recomputed here from the weights (never from a claim): EQKE and EQKP entries and their exp
enclosures (the checker's own `exp_bounds`), the rows of EUPU, EVOU and PVOU an input needs. Work is shared
between inputs with the same query and max token, and, where the cubic tables E*, V* are at hand, the cheaper
sufficient test Σ_p f_p(U[q,m,t_p]) < 0 of §8 is tried first; it never changes a verdict (§8), only the cost.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

from ....checker.arith import Dy, count, exp_bounds, memo
from ....checker.failures import ClaimFailure, require
from ....checker.inputs import decode, indices
from ....checker.matrices import Mat, add_row, matmul, tensor, transpose
from ....weights import ExactWeights

Interval = tuple[Dy, Dy]
Covers = Callable[[tuple[int, ...]], bool]
"""Whether the strategy's cases cover an input (its tokens t_0..t_{n-1})."""


def _align(values: list[int], e: int, target: int) -> list[int]:
    s = e - target
    return values if s == 0 else [v << s for v in values]


def _common(intervals: list[Interval]) -> tuple[list[int], list[int], int]:
    """Interval ends at one common exponent: (lo mantissas, hi mantissas, exponent)."""
    e = min(min(lo[1], hi[1]) for lo, hi in intervals)
    return [lo[0] << (lo[1] - e) for lo, _ in intervals], [hi[0] << (hi[1] - e) for _, hi in intervals], e


INPUTS_KEPT = 1 << 14
"""Verdicts `right_once` keeps per model (under 1 KB each): every c = 0 input of a Max-of-4 cubic certificate
(V(V+1)/2 = 2,080 at V = 64) several times over."""


class InputRule:
    """Decides inputs by docs §8 for one model: every quantity is computed on demand and kept for reuse.

    `mats` may give matrices the caller already formed (EUPU, EVOU, PVOU, EQKE, EQKP as exact (rows, exp));
    the rest are formed here from the weights, row by row as inputs need them."""

    def __init__(self, w: ExactWeights, r: Interval, mats: dict[str, Mat] | None = None) -> None:
        self.w, self.r = w, r
        self.V, self.n = w.cfg.d_vocab, w.cfg.n_ctx
        self.mats = dict(mats or {})
        if "EVOU" not in self.mats or "PVOU" not in self.mats:
            self.mats["EVOU"], self.mats["PVOU"] = memo((w.sha256, "inputs.OV"), self._ov)
        t = w.tensors
        e_eupu = self.mats["EUPU"][1] if "EUPU" in self.mats else min(t["W_E"].exponent, t["W_pos"].exponent) + t["W_U"].exponent
        self.e = min(e_eupu, self.mats["EVOU"][1], self.mats["PVOU"][1])
        self._tok: dict[int, tuple[list[int], list[int], int]] = {}
        self._pos: dict[int, tuple[list[int], list[int], int]] = {}
        self._eupu: dict[int, list[int]] = {}
        self._diff: dict[tuple[str, int, int], list[int]] = {}
        self._terms: dict[tuple[int, int, int, int], list[int]] = {}
        self._group: tuple[int, int] | None = None

    # ------------------------------------------------------------------------------ what inputs need
    def _ov(self) -> tuple[Mat, Mat]:
        E, P, U = (tensor(self.w, x) for x in ("W_E", "W_pos", "W_U"))
        ovu = matmul(matmul(tensor(self.w, "W_V"), tensor(self.w, "W_O")), U)
        return matmul(E, ovu), matmul(P, ovu)

    def _eq(self) -> Mat:
        """Ẽ = W_E + W_pos[n−1] (V×d)."""
        E, P = tensor(self.w, "W_E"), tensor(self.w, "W_pos")
        return add_row(E, P[0][self.n - 1], P[1])

    def _eqk(self) -> Mat:
        """Ẽ·W_Q·W_Kᵀ (V×d): one dot product with W_E[t] or W_pos[p] gives an EQKE or EQKP entry."""
        Q, K = tensor(self.w, "W_Q"), tensor(self.w, "W_K")
        return memo((self.w.sha256, "inputs.EtQK"), lambda: matmul(matmul(self._eq(), Q), transpose(K)))

    def eupu_row(self, q: int) -> list[int]:
        """EUPU[q, :] at exponent self.e (formed for this row only when the matrix is not at hand)."""
        row = self._eupu.get(q)
        if row is None:
            if "EUPU" in self.mats:
                rows, e = self.mats["EUPU"]
                row = rows[q]
            else:
                eq = memo((self.w.sha256, "inputs.Et"), self._eq)
                rows, e = matmul(([eq[0][q]], eq[1]), tensor(self.w, "W_U"))
                row = rows[0]
            row = self._eupu[q] = _align(row, e, self.e)
        return row

    def _row(self, name: str, q: int, cols: int) -> list[Dy]:
        """Row q of EQKE or EQKP, exact (from Ẽ·W_Q·W_Kᵀ when the matrix is not at hand)."""
        if name in self.mats:
            rows, e = self.mats[name]
            return [(x, e) for x in rows[q]]
        eqk = self._eqk()
        other = tensor(self.w, "W_E" if name == "EQKE" else "W_pos")
        row = eqk[0][q]
        count("mul", len(row) * cols)
        count("add", len(row) * cols)
        return [(sum(x * y for x, y in zip(row, other[0][k])), eqk[1] + other[1]) for k in range(cols)]

    def _enclose(self, a: Dy) -> Interval:
        """[exp_bounds(x_lo).lo, exp_bounds(x_hi).hi] for x = a·[r_lo, r_hi] (docs §8)."""
        x1 = (a[0] * self.r[0][0], a[1] + self.r[0][1])
        x2 = (a[0] * self.r[1][0], a[1] + self.r[1][1])
        count("mul", 2)
        x_lo, x_hi = (x1, x2) if a[0] >= 0 else (x2, x1)
        return exp_bounds(x_lo)[0], exp_bounds(x_hi)[1]

    def tok(self, q: int) -> tuple[list[int], list[int], int]:
        """tok[q, t] for every t, at one exponent: (lo mantissas, hi mantissas, exponent)."""
        hit = self._tok.get(q)
        if hit is None:
            hit = self._tok[q] = _common([self._enclose(a) for a in self._row("EQKE", q, self.V)])
        return hit

    def pos(self, q: int) -> tuple[list[int], list[int], int]:
        """pos[q, p] for every p, at one exponent."""
        hit = self._pos.get(q)
        if hit is None:
            hit = self._pos[q] = _common([self._enclose(a) for a in self._row("EQKP", q, self.n)])
        return hit

    def diff(self, name: str, row: int, m: int) -> list[int]:
        """EVOU[row, j] − EVOU[row, m] or PVOU[row, j] − PVOU[row, m] for every j, at exponent self.e."""
        key = (name, row, m)
        hit = self._diff.get(key)
        if hit is None:
            rows, e = self.mats[name]
            r = rows[row]
            count("add", len(r))
            hit = self._diff[key] = _align([x - r[m] for x in r], e, self.e)
        return hit

    def weights(self, tokens: tuple[int, ...]) -> tuple[list[int], list[int]]:
        """w_lo,p and w_hi,p (docs §8), at an exponent that depends only on q and on whether all tokens are
        equal (then the tok factor is 1)."""
        q = tokens[-1]
        plo, phi, _ = self.pos(q)
        if all(t == q for t in tokens):
            return plo, phi
        tlo, thi, _ = self.tok(q)
        count("mul", 2 * self.n)
        return [tlo[t] * b for t, b in zip(tokens, plo)], [thi[t] * b for t, b in zip(tokens, phi)]

    # ------------------------------------------------------------------------------ the rule itself
    def n_row(self, q: int, m: int, t: int, p: int) -> list[int]:
        """N_{p,j} for every j (0 at j = m) when token t sits at position p."""
        eupu = self.eupu_row(q)
        em = eupu[m]
        count("add", 3 * len(eupu))
        return [x - em + y + z for x, y, z in zip(eupu, self.diff("EVOU", t, m), self.diff("PVOU", p, m))]

    def _upper_terms(self, q: int, m: int, t: int, p: int, lo: int, hi: int, equal: bool) -> list[int]:
        """N_{p,j}·(w_hi if N ≥ 0 else w_lo) for every j, shared by the inputs of one (q, m) group."""
        key = (t, p, lo, hi) if equal else (t, p, -1, -1)
        if self._group != (q, m):
            self._group, self._terms = (q, m), {}
        hit = self._terms.get(key)
        if hit is None:
            row = self.n_row(q, m, t, p)
            count("mul", len(row))
            count("cmp", len(row))
            hit = self._terms[key] = [x * hi if x >= 0 else x * lo for x in row]
        return hit

    def right_once(self, tokens: tuple[int, ...]) -> tuple[bool, int]:
        """`right` kept per process for inputs that many certificates of one model ask about (the c = 0 cases)."""
        # keyed by what the rule was given too: its operation count depends on which matrices were at hand (a
        # cubic check has EUPU, a subcubic one forms the row), and a replayed count must be the one it would take
        key = (self.w.sha256, "input", tokens, self.r, tuple(sorted(self.mats)))
        return memo(key, lambda: self.right(tokens), keep=INPUTS_KEPT)

    def right(self, tokens: tuple[int, ...], U: Callable[[int, int, int], Dy] | None = None) -> tuple[bool, int]:
        """(proven right?, the first logit j with up_j ≥ 0, or −1)."""
        m, q = max(tokens), tokens[-1]
        wlo, whi = self.weights(tokens)
        if U is not None and self._filter(tokens, m, q, wlo, whi, U):
            return True, -1
        equal = all(t == q for t in tokens)
        vecs = [self._upper_terms(q, m, t, p, lo, hi, equal) for p, (t, lo, hi) in enumerate(zip(tokens, wlo, whi))]
        V = self.V
        count("add", V * (self.n - 1))
        count("cmp", V - 1)
        ups = list(map(sum, zip(*vecs)))
        for j, u in enumerate(ups):
            if j != m and u >= 0:
                return False, j
        return True, -1

    def _filter(self, tokens, m: int, q: int, wlo: list[int], whi: list[int], U) -> bool:  # noqa: ANN001
        """Σ_p f_p(U[q,m,t_p]) < 0 (docs §8): n terms instead of n·V; sufficient for `right`."""
        total = 0
        count("mul", self.n)
        count("add", self.n)
        count("cmp", self.n + 1)
        for t, lo, hi in zip(tokens, wlo, whi):
            u = U(q, m, t)[0]
            total += u * hi if u >= 0 else u * lo
        return total < 0

    def wrong(self, tokens: tuple[int, ...], j: int) -> bool:
        """lo_j ≥ 0 (docs §8): the input is proven wrong with witness j."""
        m, q = max(tokens), tokens[-1]
        wlo, whi = self.weights(tokens)
        eupu = self.eupu_row(q)
        a = eupu[j] - eupu[m]
        count("add", 1 + 4 * self.n)
        count("mul", self.n)
        count("cmp", self.n + 1)
        total = 0
        for p, (t, lo, hi) in enumerate(zip(tokens, wlo, whi)):
            x = a + self.diff("EVOU", t, m)[j] + self.diff("PVOU", p, m)[j]
            total += x * lo if x >= 0 else x * hi
        return total >= 0


def check_input_claims(claims, rule: InputRule, covers: Covers, U=None) -> tuple[int, int | None]:  # noqa: ANN001
    """docs §9: verify `residual` and `wrong` (either may be absent); returns (#residual, #wrong or None).

    Inputs are grouped by (query, max token) so that their shared rows are formed once."""
    V, n = rule.V, rule.n
    right_set: set[int] = set()
    residual = claims.residual
    if residual is not None:
        for x, tokens in _grouped(indices(residual.inputs, V, n, "residual"), V, n):
            require(not covers(tokens), f"residual[{x}]", "input already covered by the cases", list(tokens), "uncovered")
            ok, j = rule.right(tokens, U)
            if not ok:
                raise ClaimFailure(f"residual[{x}]", f"input {list(tokens)} is not proven right: logit {j} can reach the max token's", "up_j ≥ 0", "< 0")
            right_set.add(x)
    wrong = claims.wrong
    if wrong is None:
        return len(right_set), None
    require(len(wrong.witness) == len(wrong.inputs), "wrong", "one witness per input", len(wrong.witness), len(wrong.inputs))
    witness = dict(zip(indices(wrong.inputs, V, n, "wrong"), wrong.witness))
    for x, tokens in _grouped(witness, V, n):
        cid = f"wrong[{x}]"
        j, m = witness[x], max(tokens)
        require(0 <= j < V and j != m, cid, "witness must be a logit index other than the max token", j, m)
        require(not covers(tokens) and x not in right_set, cid, "input is also claimed right (by the cases or residual)", list(tokens), "wrong")
        if not rule.wrong(tokens, j):
            raise ClaimFailure(cid, f"input {list(tokens)} is not proven wrong with witness logit {j}", "lo_j < 0", "≥ 0")
    return len(right_set), len(witness)


def _grouped(xs: Iterable[int], V: int, n: int) -> list[tuple[int, tuple[int, ...]]]:
    """(index, tokens) sorted by (query, max token, index): inputs that share rows are checked together."""
    groups: dict[tuple[int, int], list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    for x in xs:
        tokens = decode(x, V, n)
        groups[(tokens[-1], max(tokens))].append((x, tokens))
    return [item for key in sorted(groups) for item in groups[key]]
