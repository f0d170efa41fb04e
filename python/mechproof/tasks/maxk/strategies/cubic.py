"""The cubic proof (docs/paper.md §4), made sound, in the version-2 encoding (docs/certificate.md §4.4).

Cases. An input is classified by its max token m, its query (last) token q ≤ m, and the number c of non-query
positions holding a token < m. For fixed (q, m, c) and a non-max token k < m, the "pure" input puts k in all c
of those positions. The proof shows, for every k in a set G(q, m, c), that every pure input is classified
correctly; then every input of the case whose non-max tokens all lie in G is too (mixtures, below), which covers
C(n−1, c)·|G|^c inputs. The c = 0 case is the single input (m, …, m, q), decided by the exact input rule (§8,
strategies/inputs.py), which is at least as tight as the group-term test.

Why a sign test suffices. With w_p = exp(score_p/√d) > 0 and U(t) = E*[q,m] + V*[m,t] (E*, V*, P* as in
docs/certificate.md), logit_j − logit_m ≤ Σ_p w_p U(t_p) / Σ_p w_p for every j ≠ m, so the input is right
if F = Σ_p w_p U(t_p) < 0. Write w_p = tok[q,t_p]·pos[q,p] with the true factors, and take the steps in this order
(the order of the Coq proof, coq/CubicCase.v). (i) Mixtures first: each non-max term pos[q,p]·tok[q,k_p]·U(k_p)
is at most A*·pos[q,p] with the true pos ≥ 0 and A* the largest A_k over the allowed tokens (the worst token), so
F ≤ α·Y + A*·(P − Y) + γ, where Y = Σ_{p∈max slots} pos[q,p] (true), P the mass of all non-query positions, and
α·Y + γ the true max- and query-group terms. (ii) This bound is affine in Y, and Y lies between its values at the
two sorted placements (true pos is monotone in the exact EQKP score), so its maximum is at one of them: the max
tokens on the lowest or on the highest positional scores. (iii) Only then bound each placement with the claimed
enclosures (T_max, T_q, and A*·Σ pos_hi or Σ pos_lo by the sign of A*). The claimed intervals need not be
monotone in the score, so the placement argument must use the true values; and it is about Y alone only after (i)
has replaced every non-max token by the worst one.

Prefixes. The test for k is T_max + T_q + A_k·S < 0 (both placements), with A_k = U·tok_hi and S = Σ pos_hi
for U ≥ 0 (class +), A_k = U·tok_lo and S = Σ pos_lo otherwise (class −), and S ≥ 0: monotone in A_k, so the
tokens that pass form a prefix of each class in the order of key(k) = (A_k, k). A case is written as the last
token of each prefix (kp, kn); the checker tests only those two, and derives G from the exact order.

Soundness and exactness. The checker derives G from exact keys, so the G we count must be exactly the checker's:
the order is computed from float enclosures and verified (adjacent keys separated) or else recomputed exactly,
and a prefix is extended exactly wherever the float test cannot decide a token. Every float quantity is an
interval: the claimed exp enclosures rounded outward, exact matrices in fixed point (strategies/inputs.py), and
every product, sum and quotient rounded outward. The same algorithm in plain float64 (no rounding control) is
kept for the "cost of soundness" comparison (`cubic_float64_count`).

Scale. One query q at a time: O(V²·n) memory, O(V³·n) time in vectorized steps.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ....exact import ExactMatrices
from ....weights import ExactWeights
from .inputs import PLAIN, SOUND, Arith, Claim3, InputContext, Pair, context, decide_float, decide_tokens, plain_exp, plain_model

INF = np.inf


@dataclass(frozen=True)
class CubicProof:
    inv_sqrt: tuple[int, int, int]
    exp_eqke: Claim3  # (lo, hi, exp) arrays [q, t]
    exp_eqkp: Claim3  # (lo, hi, exp) arrays [q, p]
    entries: np.ndarray  # int64 [E, 5]: (q, m, c, kp, kn), ordered by (m, q, c)
    sizes: np.ndarray  # int64 [E]: |G| (0 for c = 0)
    correct: int
    total: int
    seconds: float


def position_order(mats: ExactMatrices, n: int) -> np.ndarray:
    """[q, i]: the non-query positions 0..n-2 sorted by exact EQKP score (ties by position)."""
    return np.array(
        [sorted(range(n - 1), key=lambda p: (int(mats.EQKP.mant[q, p]), p)) for q in range(mats.EQKP.mant.shape[0])],
        dtype=np.int64,
    ).reshape(mats.EQKP.mant.shape[0], n - 1)


def cubic_proof(w: ExactWeights) -> CubicProof:
    """Compute the sound cubic certificate content for one model."""
    start = time.perf_counter()
    ctx = context(w)
    fl = _sound_floats(ctx)
    exact = _Exact(ctx, ctx.tok)
    parts = [_query_pass(q, fl, exact) for q in range(ctx.V)]
    entries, sizes = _assemble(parts, _c0_entries(ctx, lambda t: decide_tokens(w, t, right_only=True)[0]))
    correct = coverage_count(entries, sizes, ctx.n)
    return CubicProof(ctx.r, ctx.tok, ctx.pos, entries, sizes, correct, w.cfg.n_inputs, time.perf_counter() - start)


def cubic_float64_count(w: ExactWeights) -> int:
    """The same algorithm in plain float64 (np.exp, nearest-float matrices, no outward rounding, no exact
    checks): what unsound float code would claim."""
    ctx = context(w)
    fm = plain_model(ctx, w.cfg.d_head)
    tok, pos = plain_exp(ctx, w.cfg.d_head)
    fl = _Floats.build(
        ctx, ((tok, tok), (tok, tok)), ((pos, pos), (pos, pos)),
        (fm.E_star_hi, fm.E_star_hi), (fm.V_star_hi, fm.V_star_hi), PLAIN,
    )  # fmt: skip
    parts = [_query_pass(q, fl, None) for q in range(ctx.V)]
    entries, sizes = _assemble(parts, _c0_entries(ctx, lambda t: decide_float(fm, t)[0]))
    return coverage_count(entries, sizes, ctx.n)


def coverage_count(entries: np.ndarray, sizes: np.ndarray, n: int) -> int:
    """Σ C(n−1, c)·|G|^c over the entries (1 for c = 0), with Python integers (the terms exceed int64)."""
    total = 0
    for c in range(n):
        hist = np.bincount(sizes[entries[:, 2] == c]) if len(entries) else np.zeros(0, np.int64)
        total += math.comb(n - 1, c) * sum(int(h) * (g**c if c else 1) for g, h in enumerate(hist) if h)
    return total


# ------------------------------------------------------------------------------------------ float data
@dataclass(frozen=True)
class _Floats:
    """Float bounds of everything the case test uses, in fixed-point units for U (signs are scale-free)."""

    V: int
    n: int
    ops: Arith
    E_star: Pair  # [q, m]
    V_star: Pair  # [m, t]
    tokL: Pair  # float (lo, hi) of the claimed lower ends tok_lo[q, t]
    tokH: Pair  # ... of the claimed upper ends tok_hi[q, t]
    posL_query: Pair  # pos_lo[q, n−1]
    posH_query: Pair  # pos_hi[q, n−1]
    # Σ over the slots of case (q, c, placement), [q, c, ρ]: of pos_lo ("L") or pos_hi ("H"), bounds (lo, hi)
    maxL: Pair
    maxH: Pair
    nmxL: Pair
    nmxH: Pair

    @staticmethod
    def build(ctx: InputContext, tok: tuple[Pair, Pair], pos: tuple[Pair, Pair], E_star: Pair, V_star: Pair, ops: Arith) -> "_Floats":  # noqa: E501
        """tok, pos: (bounds of the claimed lower ends, bounds of the claimed upper ends)."""
        n = ctx.n
        order = position_order(ctx.mats, n)
        posL, posH = pos
        maxL, nmxL = _slot_sums(posL, order, ops)
        maxH, nmxH = _slot_sums(posH, order, ops)
        last = lambda P: (P[0][:, n - 1], P[1][:, n - 1])  # noqa: E731
        return _Floats(ctx.V, n, ops, E_star, V_star, tok[0], tok[1], last(posL), last(posH), maxL, maxH, nmxL, nmxH)


def _sound_floats(ctx: InputContext) -> _Floats:
    return _Floats.build(ctx, (ctx.tok_lo, ctx.tok_hi), (ctx.pos_lo, ctx.pos_hi), ctx.E_star, ctx.V_star, SOUND)


def _slot_sums(P: Pair, order: np.ndarray, ops: Arith) -> tuple[Pair, Pair]:
    """For every (q, c, placement): bounds of Σ P over the max slots and over the non-max slots (docs §4.3):
    low puts the n−1−c max tokens on the lowest-ordered positions, high on the highest."""
    V, k = order.shape  # k = n − 1 non-query positions
    lo_s = np.take_along_axis(P[0][:, :k], order, axis=1)
    hi_s = np.take_along_axis(P[1][:, :k], order, axis=1)
    pre = np.zeros((2, V, k + 1))
    suf = np.zeros((2, V, k + 1))
    for i in range(k):
        pre[0, :, i + 1] = ops.add_dn(pre[0, :, i], lo_s[:, i])
        pre[1, :, i + 1] = ops.add_up(pre[1, :, i], hi_s[:, i])
        j = k - 1 - i
        suf[0, :, j] = ops.add_dn(suf[0, :, j + 1], lo_s[:, j])
        suf[1, :, j] = ops.add_up(suf[1, :, j + 1], hi_s[:, j])
    c = np.arange(k + 1)  # c = 0..n−1
    mx = np.stack([pre[:, :, k - c], suf[:, :, c]], axis=-1)  # [2, q, c, ρ]: low = prefix, high = suffix
    nm = np.stack([suf[:, :, k - c], pre[:, :, c]], axis=-1)
    return (mx[0], mx[1]), (nm[0], nm[1])


# ------------------------------------------------------------------------------------------ one query
@dataclass
class _QueryResult:
    q: int
    m: np.ndarray  # [E] int64
    c: np.ndarray
    kp: np.ndarray
    kn: np.ndarray
    size: np.ndarray


def _term(ops: Arith, u: Pair, tokL: Pair, tokH: Pair, SL: Pair, SH: Pair) -> Pair:
    """Bounds of the group term u·tok_hi·ΣH (u ≥ 0) or u·tok_lo·ΣL (u < 0) for u in [u_lo, u_hi] (docs §4.3).
    Upper: the sign of u_hi picks the end (when u_hi ≥ 0 > u the true term is negative, below the ≥ 0 bound);
    lower likewise from u_lo. All arguments broadcast."""
    u_lo, u_hi = u
    with np.errstate(invalid="ignore", over="ignore"):
        hi = np.where(u_hi >= 0, ops.mul_up(ops.mul_up(u_hi, tokH[1]), SH[1]), ops.mul_up(ops.mul_up(u_hi, tokL[0]), SL[0]))
        lo = np.where(u_lo >= 0, ops.mul_dn(ops.mul_dn(u_lo, tokH[0]), SH[0]), ops.mul_dn(ops.mul_dn(u_lo, tokL[1]), SL[1]))
    return lo, hi


def _u_bounds(q: int, f: _Floats) -> Pair:
    """U[q, m, k] for m = q..V−1 and every k: [M, V] (exact float sums of fixed-point integers)."""
    ms = np.arange(q, f.V)
    return f.E_star[0][q, ms][:, None] + f.V_star[0][ms], f.E_star[1][q, ms][:, None] + f.V_star[1][ms]


ClassOrder = list  # [perm [M, V], H [M, V], L [M, V], count [M]]: one class's tokens by key, then the rest


def class_orders(q: int, f: _Floats, exact: "_Exact | None", U: Pair | None = None) -> tuple[ClassOrder, ClassOrder]:
    """For every m = q..V−1 (row m − q), the tokens k < m of class + and of class − in key order (docs §4.4),
    with float bounds H ≥ A_k ≥ L along that order (+inf after the class). With `exact`, the order is the exact
    one: rows whose float keys do not separate, or whose classes the floats cannot tell, are sorted exactly."""
    V = f.V
    ms = np.arange(q, V)
    U = _u_bounds(q, f) if U is None else U
    valid = np.arange(V)[None, :] < ms[:, None]
    plus, minus = valid & (U[0] >= 0), valid & (U[1] < 0)
    ambiguous = valid & ~plus & ~minus
    ops = f.ops
    (tL_lo, tL_hi), (tH_lo, tH_hi) = ((P[0][q][None, :], P[1][q][None, :]) for P in (f.tokL, f.tokH))
    Ap = (np.maximum(ops.mul_dn(U[0], tH_lo), 0.0), ops.mul_up(U[1], tH_hi))  # A = U·tok_hi ≥ 0
    Am = (ops.mul_dn(U[0], tL_hi), np.minimum(ops.mul_up(U[1], tL_lo), 0.0))  # A = U·tok_lo < 0
    classes = []
    for mask, A in ((plus, Ap), (minus, Am)):
        perm = np.argsort(np.where(mask, A[1], INF), axis=1, kind="stable")
        H = np.take_along_axis(np.where(mask, A[1], INF), perm, axis=1)
        L = np.take_along_axis(np.where(mask, A[0], INF), perm, axis=1)
        classes.append([perm, H, L, mask.sum(axis=1)])
    if exact is not None:
        unsure_rows = ambiguous.any(axis=1)
        for perm, H, L, cnt in classes:
            idx = np.arange(V - 1)[None, :]
            unsure_rows |= ((idx < cnt[:, None] - 1) & ~(H[:, :-1] < L[:, 1:])).any(axis=1)
        for i in np.nonzero(unsure_rows)[0]:
            exact.fix_row(q, int(ms[i]), i, classes, Ap, Am, ambiguous[i])
    return classes[0], classes[1]


def _query_pass(q: int, f: _Floats, exact: "_Exact | None") -> _QueryResult:
    """All cases (q, m ≥ q, c ≥ 1): the largest proven prefix of each class. `exact` is None for plain floats
    (no order checks, no exact fallbacks: counts only)."""
    V, n, ops = f.V, f.n, f.ops
    ms = np.arange(q, V)
    M = len(ms)
    U = _u_bounds(q, f)
    diag = (U[0][np.arange(M), ms], U[1][np.arange(M), ms])  # U[q, m, m]
    # Max group: token m on the max slots (plus the query position when q = m). [M, c, ρ]
    SL = tuple(np.broadcast_to(x[q], (M, n, 2)).copy() for x in f.maxL)
    SH = tuple(np.broadcast_to(x[q], (M, n, 2)).copy() for x in f.maxH)
    SL[0][0], SL[1][0] = ops.add_dn(SL[0][0], f.posL_query[0][q]), ops.add_up(SL[1][0], f.posL_query[1][q])
    SH[0][0], SH[1][0] = ops.add_dn(SH[0][0], f.posH_query[0][q]), ops.add_up(SH[1][0], f.posH_query[1][q])
    at = lambda P, *idx: (P[0][idx], P[1][idx])  # noqa: E731 - one entry (or slice) of both bounds
    x3 = lambda P: (P[0][:, None, None], P[1][:, None, None])  # noqa: E731
    T_max = _term(ops, x3(diag), x3(at(f.tokL, q, ms)), x3(at(f.tokH, q, ms)), SL, SH)
    # Query group (q ≠ m): token q at position n−1. [M]
    uq = (U[0][:, q], U[1][:, q])
    T_q = _term(ops, uq, at(f.tokL, q, q), at(f.tokH, q, q), at(f.posL_query, q), at(f.posH_query, q))
    T_q = (np.where(ms == q, 0.0, T_q[0]), np.where(ms == q, 0.0, T_q[1]))
    Tb = (ops.add_dn(T_max[0], T_q[0][:, None, None]), ops.add_up(T_max[1], T_q[1][:, None, None]))  # [M, c, ρ]
    # Thresholds on A_k per class: sure pass if A_hi < τ_sure; a token with A_lo ≥ τ_poss cannot pass.
    Sp = (f.nmxH[0][q], f.nmxH[1][q])  # [c, ρ]: Σ pos_hi over the non-max slots
    Sm = (f.nmxL[0][q], f.nmxL[1][q])
    with np.errstate(divide="ignore", invalid="ignore"):
        tp_sure = ops.div_dn(-Tb[1], Sp[1][None]).min(axis=2)  # [M, c]
        tp_poss = ops.div_up(-Tb[0], Sp[0][None]).min(axis=2)
        tm_sure = ops.div_dn(-Tb[1], Sm[0][None]).min(axis=2)
        tm_poss = ops.div_up(-Tb[0], Sm[1][None]).min(axis=2)
    classes = class_orders(q, f, exact, U)
    results = []
    for (perm, H, L, cnt), t_sure, t_poss, cls in zip(classes, (tp_sure, tm_sure), (tp_poss, tm_poss), (1, -1)):
        M = len(ms)
        s = _leading_below(H, t_sure)  # [M, c]: leading tokens that surely pass
        if exact is not None:
            Lx = np.concatenate([L, np.full((M, 1), INF)], axis=1)
            open_ = (s < cnt[:, None]) & (np.take_along_axis(Lx, s, axis=1) < t_poss)
            for i, c in zip(*np.nonzero(open_)):
                if c >= 1 and (c <= n - 2 or ms[i] == q):
                    s[i, c] = exact.extend(q, int(ms[i]), int(c), cls, perm[i], int(s[i, c]), int(cnt[i]))
        last = np.take_along_axis(np.concatenate([perm, np.full((M, 1), -1)], axis=1), np.maximum(s - 1, 0), axis=1)
        results.append((s, np.where(s > 0, last, -1)))
    (sp, kp), (sm, kn) = results
    size = sp + sm
    cs = np.arange(n)[None, :]
    ok = (cs >= 1) & ((cs <= n - 2) | (ms[:, None] == q)) & (size > 0)
    i, c = np.nonzero(ok)
    return _QueryResult(q, ms[i], c, kp[i, c], kn[i, c], size[i, c])


def _leading_below(H: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """s[i, c] = the length of the leading run of row i of H below tau[i, c]. The run is the count of the
    running maximum below tau; one searchsorted over all rows, with complex keys (row, value) that numpy orders
    lexicographically."""
    M, V = H.shape

    def pairs(values: np.ndarray) -> np.ndarray:  # (row, value) as complex, built without inf·0 = nan
        z = np.empty(values.shape, dtype=np.complex128)
        z.real, z.imag = np.arange(M)[:, None], values
        return z.reshape(-1)

    keys = pairs(np.maximum.accumulate(H, axis=1))
    queries = pairs(np.where(np.isnan(tau), -INF, tau))
    return np.searchsorted(keys, queries, side="left").reshape(tau.shape) - V * np.arange(M)[:, None]


# ------------------------------------------------------------------------------------------ exact fallbacks
class _Exact:
    """Exact classes, keys and case tests (Fractions), for the rare places the floats cannot decide."""

    def __init__(self, ctx: InputContext, tok: Claim3) -> None:
        self.ctx = ctx
        self.tok, self.pos = tok, ctx.pos
        self.EU, self.EV, self.PV = ctx.exact_ints()
        self.scale = Fraction(2) ** min(d.exp for d in (ctx.mats.EUPU, ctx.mats.EVOU, ctx.mats.PVOU))
        self.order = position_order(ctx.mats, ctx.n)
        self._v_star: dict[int, np.ndarray] = {}
        self._placements: dict[tuple[int, int, int], tuple] = {}

    def v_star(self, m: int) -> np.ndarray:
        """V*[m, t] for every t (Python ints at the common exponent)."""
        if m not in self._v_star:
            P_star = (self.PV - self.PV[:, m : m + 1]).max(axis=0)  # [j]
            X = np.delete(self.EV - self.EV[:, m : m + 1] + P_star[None, :], m, axis=1)  # [t, j ≠ m]
            self._v_star[m] = X.max(axis=1)
        return self._v_star[m]

    def U(self, q: int, m: int, t: int) -> Fraction:
        e_star = np.delete(self.EU[q] - self.EU[q, m], m).max()
        return int(e_star + self.v_star(m)[t]) * self.scale

    def claim(self, which: str, end: int, q: int, i: int) -> Fraction:
        lo, hi, e = getattr(self, which)
        return Fraction(int((lo, hi)[end][q, i])) * Fraction(2) ** int(e[q, i])

    def key(self, q: int, m: int, k: int) -> tuple[int, Fraction]:
        """(class, A_k): class +1 with A = U·tok_hi if U ≥ 0, else −1 with A = U·tok_lo (docs §4.4)."""
        u = self.U(q, m, k)
        return (1, u * self.claim("tok", 1, q, k)) if u >= 0 else (-1, u * self.claim("tok", 0, q, k))

    def group(self, q: int, m: int, t: int, slots: list[int]) -> Fraction:
        if not slots:
            return Fraction(0)
        u = self.U(q, m, t)
        end = 1 if u >= 0 else 0
        return u * self.claim("tok", end, q, t) * sum(self.claim("pos", end, q, p) for p in slots)

    def placements(self, q: int, m: int, c: int) -> tuple[tuple[Fraction, Fraction, Fraction], ...]:
        """Per placement: (T_max + T_q, S⁺, S⁻) exactly."""
        if (q, m, c) not in self._placements:
            self._placements[q, m, c] = self._compute_placements(q, m, c)
        return self._placements[q, m, c]

    def _compute_placements(self, q: int, m: int, c: int) -> tuple[tuple[Fraction, Fraction, Fraction], ...]:
        n = self.ctx.n
        order = [int(p) for p in self.order[q]]
        out = []
        for max_slots in (order[: n - 1 - c], order[c:]):
            others = [p for p in range(n - 1) if p not in max_slots]
            tb = self.group(q, m, m, max_slots + ([n - 1] if q == m else []))
            if q != m:
                tb += self.group(q, m, q, [n - 1])
            sp = sum(self.claim("pos", 1, q, p) for p in others)
            sm = sum(self.claim("pos", 0, q, p) for p in others)
            out.append((tb, sp, sm))
        return tuple(out)

    def passes(self, q: int, m: int, c: int, k: int) -> bool:
        cls, A = self.key(q, m, k)
        return all(tb + A * (sp if cls > 0 else sm) < 0 for tb, sp, sm in self.placements(q, m, c))

    def extend(self, q: int, m: int, c: int, cls: int, perm: np.ndarray, s: int, cnt: int) -> int:
        """Grow the prefix past the tokens that surely pass, testing exactly (the passing set is a prefix)."""
        while s < cnt and self.passes(q, m, c, int(perm[s])):
            s += 1
        return s

    def fix_row(self, q: int, m: int, i: int, classes: list, Ap: Pair, Am: Pair, ambiguous: np.ndarray) -> None:
        """Replace row i (max token m) of both class orders by the exact order; float bounds of tokens whose class
        the floats could not tell become [−inf, inf] (so they are always tested exactly)."""
        keys = {k: self.key(q, m, k) for k in range(m)}
        for idx, (cls, A) in enumerate(((1, Ap), (-1, Am))):
            perm, H, L, cnt = classes[idx]
            toks = sorted((k for k in range(m) if keys[k][0] == cls), key=lambda k: (keys[k][1], k))
            rest = [k for k in perm[i] if k not in set(toks)]
            perm[i] = toks + rest
            h = np.array([A[1][i, k] for k in toks] + [INF] * len(rest))
            l_ = np.array([A[0][i, k] for k in toks] + [INF] * len(rest))
            for j, k in enumerate(toks):
                if ambiguous[k]:
                    h[j], l_[j] = INF, -INF
            H[i], L[i], cnt[i] = h, l_, len(toks)


# ------------------------------------------------------------------------------------------ assembly
def _c0_entries(ctx: InputContext, right_of) -> np.ndarray:  # noqa: ANN001 - tokens → bool array
    """[E, 2] (q, m) of the c = 0 cases whose input (m, …, m, q) is right."""
    V, n = ctx.V, ctx.n
    q, m = np.nonzero(np.triu(np.ones((V, V), dtype=bool)))  # q ≤ m
    tokens = np.concatenate([np.repeat(m[:, None], n - 1, axis=1), q[:, None]], axis=1)
    ok = right_of(tokens)
    return np.stack([q[ok], m[ok]], axis=1)


def _assemble(parts: list[_QueryResult], c0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All entries as rows (q, m, c, kp, kn) ordered by (m, q, c), and their |G|."""
    rows = [np.stack([np.full(len(p.m), p.q), p.m, p.c, p.kp, p.kn, p.size], axis=1) for p in parts]
    none = -np.ones(len(c0), dtype=np.int64)
    rows.append(np.stack([c0[:, 0], c0[:, 1], none + 1, none, none, none + 1], axis=1))
    table = np.concatenate(rows).astype(np.int64)
    table = table[np.lexsort((table[:, 2], table[:, 0], table[:, 1]))]
    return table[:, :5].copy(), table[:, 5].copy()


def cubic_claims(proof: CubicProof) -> dict:
    """The certificate's `claims` object (docs/certificate.md §4, version 2)."""

    def grid(a: np.ndarray) -> list[list[int]]:
        return [[int(x) for x in row] for row in a]

    def exp_claim(of: str, c: Claim3) -> dict:
        lo, hi, e = c
        return {"rule": "exp-enclosure", "of": of, "exp": grid(e), "lo": grid(lo), "hi": grid(hi)}

    lo, hi, e = proof.inv_sqrt
    return {
        "inv_sqrt_d_head": {"rule": "inv-sqrt", "lo": lo, "hi": hi, "exp": e},
        "exp_eqke": exp_claim("EQKE", proof.exp_eqke),
        "exp_eqkp": exp_claim("EQKP", proof.exp_eqkp),
        "cases": {"rule": "cubic-prefix", "entries": proof.entries.tolist()},
    }
