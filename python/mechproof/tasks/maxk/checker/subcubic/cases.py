"""§7.3, the cases: coverage, well-formedness, and `SubcubicChecker`, which recomputes §7.2 once and then checks
every case entry."""

from __future__ import annotations

from fractions import Fraction
from math import comb
from pathlib import Path
from typing import Any, Mapping

from .....checker.arith import Dy, count, dy_add, dy_max, dy_mul, dy_sign, dy_str, dy_sub, dy_sum, exp_bounds, memo
from .....checker.failures import ClaimFailure, require
from .....checker.matrices import Mat, Vec, add_row, matmul, tensor, transpose, vec_rescale
from .....weights import ExactWeights
from ..cubic import check_inv_sqrt
from ..inputs import InputRule, check_input_claims
from .exact import _bad, avg_table, choice_vec, frac, min_dy
from .paths import OV, Interval, eqkp_err, eupu_terms, logit_l, pi_bounds, position_order
from .qk import QK_EXACT, Model, approx_matrix, chain_factors, epsilon, exact_eqke_tok, peel, peel_pieces


PEELED_BITS = 384
"""docs §10: entries of a peeled factor F_i′ (at its exponent) stay below 2^384 (honest: 158 bits)."""


# ------------------------------------------------------------------------------------------ 7.3 cases
def coverage(n: int, q: int, m: int, c: int, g: int, mode: str) -> int:
    """C(n−1, c′)·N^{c′}: c′ = c (q = m) or c − 1, N = m − g + 1 (fixed) or m − g (paper)."""
    cp = c if q == m else c - 1
    N = m - g + 1 if mode == "fixed" else m - g
    count("mul", cp + 1)
    return comb(n - 1, cp) * N**cp if cp > 0 else 1


def check_well_formed(entry: tuple[int, int, int, int], V: int, n: int, seen: set) -> None:
    """docs §7.3: 0 ≤ q ≤ m < V, unique (q,m,c), c range, q ≤ m − g when q < m, 1 ≤ g ≤ m (g = 1 if c = 0)."""
    q, m, c, g = entry
    key = (q, m, c)
    count("cmp", 6)
    if (
        0 <= q <= m < V
        and key not in seen
        and (0 <= c <= n - 1 if q == m else 1 <= c <= n - 1 and q <= m - g)
        and (1 <= g <= m if c >= 1 else g == 1)
    ):
        seen.add(key)
        return
    _explain_ill_formed(entry, V, n, seen)


def _explain_ill_formed(entry: tuple[int, int, int, int], V: int, n: int, seen: set) -> None:
    """The first well-formedness rule an entry breaks, as a ClaimFailure."""
    q, m, c, g = entry
    cid = f"case[{q},{m},{c}]"
    require(0 <= q <= m < V, cid, "need 0 ≤ q ≤ m < d_vocab", (q, m), V)
    require((q, m, c) not in seen, cid, "case listed twice", (q, m, c), "unique")
    seen.add((q, m, c))
    if q == m:
        require(0 <= c <= n - 1, cid, "need 0 ≤ c ≤ n_ctx − 1 when q = m", c, n - 1)
    else:
        require(1 <= c <= n - 1, cid, "need 1 ≤ c ≤ n_ctx − 1 when q < m", c, n - 1)
        require(q <= m - g, cid, "the query must be an allowed non-max token (q ≤ m − g)", q, m - g)
    if c >= 1:
        require(1 <= g <= m, cid, "need 1 ≤ g ≤ m when c ≥ 1", g, m)
    else:
        require(g == 1, cid, "g must be 1 when c = 0", g, 1)
    raise AssertionError(f"{cid}: the fast and the detailed well-formedness tests disagree")


def _json(items: list[Any]) -> tuple:
    """A hashable key for a list of optional choice objects."""
    return tuple(None if x is None else x.model_dump_json() for x in items)


def _qk_side(md: Model, qk: str, ch: Any, V: int, path: Path | None) -> tuple[Mat, Vec, int, list[list[int]], list[list[int]]]:
    """(Approx, ε, e0, running max, running min) with Approx and ε also as integers at one exponent e0."""
    if qk == QK_EXACT:
        if len(ch.peels) != 0:
            raise _bad(path, "peels", f"{QK_EXACT} has no chain: peels must be [], got {len(ch.peels)} entries")
        A = exact_eqke_tok(md)
        Fp: list[Mat] = []
    else:
        F = chain_factors(md, qk)
        pieces = peel_pieces(F, ch, path)
        Fp = peel(F, pieces)
        for i, f in enumerate(Fp):
            if max((abs(x).bit_length() for row in f[0] for x in row), default=0) > PEELED_BITS:
                raise _bad(path, f"peels[{i}]", f"the peeled factor F_{i + 1}′ (formed from the weights, key_pos_centre and this peel) needs integers of more than {PEELED_BITS} bits (limit, docs §10)")
        A = approx_matrix(Fp, pieces, V, V)
    eps = epsilon(qk, Fp, ch, V, path)
    e0 = min(A[1], eps[1])
    rows = [[x << (A[1] - e0) for x in row] for row in A[0]]
    count("cmp", 2 * V * V)
    return (rows, e0), (vec_rescale(eps, e0)[0], e0), e0, [_running(r, max) for r in rows], [_running(r, min) for r in rows]


def _positions(md: Model, r: Interval, n: int) -> tuple[list[list[Interval]], list[list[int]], dict]:
    """π, the position order, and the masses of both placements for every (q, c, q = m?) (docs §7.3 step 1):
    (Y, Z) low = (Σ_max π_lo, Σ_others π_hi), high = (Σ_max π_hi, Σ_others π_lo)."""
    eqkp = eqkp_err(md)
    pi = pi_bounds(eqkp, r)
    order = position_order(eqkp, n)
    masses: dict[tuple[int, int, bool], tuple[tuple[Dy, Dy], tuple[Dy, Dy]]] = {}
    for q, (row, srt) in enumerate(zip(pi, order)):
        for same in (True, False):
            for c in range(1, n):
                k = n - 1 - c if same else n - c  # non-query max slots
                if not 0 <= k <= n - 1:
                    continue
                out = []
                for low in (True, False):
                    chosen = srt[:k] if low else srt[len(srt) - k :]
                    others = [p for p in srt if p not in chosen]
                    mx, rest = (chosen + [n - 1], others) if same else (chosen, others + [n - 1])
                    y_end, z_end = (0, 1) if low else (1, 0)
                    out.append((dy_sum([row[p][y_end] for p in mx]), dy_sum([row[p][z_end] for p in rest])))
                masses[(q, c, same)] = (out[0], out[1])
    return pi, order, masses


def _eupu_side(eupu: str, md: Model, ov: OV, ch: Any, path: Path | None) -> tuple[Vec, Vec, Mat]:
    eu, d_eu = eupu_terms(eupu, md, ch, path)
    return eu, d_eu, logit_l(ov, eu)


def eqkp_exact(w: ExactWeights) -> Mat:
    """EQKP = Ẽ_q·W_Q·W_Kᵀ·W_posᵀ (V×n), formed as Ẽ_q·(W_Q·(W_pos·W_K)ᵀ): the input rule's positions (§8)."""
    n = w.cfg.n_ctx
    E, P = tensor(w, "W_E"), tensor(w, "W_pos")
    Eq = add_row(E, P[0][n - 1], P[1])
    return matmul(Eq, matmul(tensor(w, "W_Q"), transpose(matmul(P, tensor(w, "W_K")))))


class SubcubicChecker:
    """Everything of §7.2 recomputed once; `check_entry` then verifies one case of §7.3.

    Quantities that depend only on the weights and on some of the choices (the QK bound on `qk`, the peels and
    centres; the output side on `eupu`; positions on κ) are kept per process by `memo`, keyed by the weights'
    SHA-256 and those choices, so the 100 variants of one model each pay for what is specific to them."""

    def __init__(self, w: ExactWeights, params: Any, claims: Any, path: Path | None = None) -> None:
        cfg = w.cfg
        self.w = w
        self.V, self.n = V, n = cfg.d_vocab, cfg.n_ctx
        self.params = params
        ch = claims.choices
        sha = w.sha256
        self.r = check_inv_sqrt(claims.inv_sqrt_d_head, cfg.d_head)
        kappa = choice_vec(ch.key_pos_centre, cfg.d_model, "key_pos_centre", path)
        self.avg = avg_table(ch, params.attention, V, n, path)
        kkey = ch.key_pos_centre.model_dump_json()
        md = memo((sha, "sub.model", kkey), lambda: Model(w, kappa))
        # QK: Approx and ε_q, with the running extrema the cases use
        qkey = (sha, "sub.qk", params.qk, kkey, _json(ch.peels), _json(ch.centres), ch.spectral_eps)
        self.A, self.eps, self.e0, self.a_max, self.a_min = memo(qkey, lambda: _qk_side(md, params.qk, ch, V, path))
        # positions
        self.pi, self.order, self.slot_mass = memo((sha, "sub.pos", kkey, self.r), lambda: _positions(md, self.r, n))
        # OV and direct path
        self.ov = memo((sha, "sub.ov"), lambda: OV(md))
        mukey = None if ch.eupu_mu is None else ch.eupu_mu.model_dump_json()
        self.eu, self.d_eu, self.L = memo((sha, "sub.eupu", params.eupu, mukey), lambda: _eupu_side(params.eupu, md, self.ov, ch, path))
        count("cmp", V)
        self.w_max = memo((sha, "sub.wmax"), lambda: _running(self.ov.D, max))
        self._h: dict[tuple[int, int], Dy] = {}
        self._rule: InputRule | None = None
        self.n_tested = 0  # cases tested by `holds` (their operations are counted in bulk)

    def rule(self) -> InputRule:
        """The input rule (docs §8) for c = 0 cases and per-input claims, with the matrices formed here."""
        if self._rule is None:
            sha = self.w.sha256
            eqkp = memo((sha, "sub.eqkp"), lambda: eqkp_exact(self.w))
            mats = {"EVOU": (self.ov.evou, self.ov.e_ev), "PVOU": (self.ov.pvou, self.ov.e_pv), "EQKP": eqkp}
            self._rule = InputRule(self.w, self.r, mats)
        return self._rule

    # -------------------------------------------------------------------- 1. attention to the max
    def gaps(self, q: int, m: int, g: int) -> tuple[Dy, Dy]:
        """Δ_lo = A[q,m] − max_{t≤M} A[q,t] − ε_q and Δ_hi = A[q,m] − min_{t≤M} A[q,t] + ε_q."""
        rows, e = self.A
        M = m - g
        eps: Dy = (self.eps[0][q], self.eps[1])
        d_lo = dy_sub(dy_sub((rows[q][m], e), (self.a_max[q][M], e)), eps)
        d_hi = dy_add(dy_sub((rows[q][m], e), (self.a_min[q][M], e)), eps)
        return d_lo, d_hi

    def slots(self, q: int, m: int, c: int, placement: str) -> tuple[list[int], list[int]]:
        """(max slots, non-max slots) of the low or high placement."""
        n, order = self.n, self.order[q]
        k = n - 1 - c if q == m else n - c  # non-query max slots
        chosen = order[:k] if placement == "low" else order[len(order) - k :]
        others = [p for p in order if p not in chosen]
        return (chosen + [n - 1], others) if q == m else (chosen, others + [n - 1])

    def attention_bounds(self, q: int, m: int, c: int, g: int) -> tuple[Fraction, Fraction]:
        """a_lo ≤ α ≤ a_hi for the attention α on the max positions of every input of the case."""
        if c == 0:
            return Fraction(1), Fraction(1)
        cid = f"case[{q},{m},{c}]"
        d_lo, d_hi = self.gaps(q, m, g)
        pi, (r_lo, r_hi) = self.pi[q], self.r
        out = []
        for placement, d, y_end, z_end in (("low", d_lo, 0, 1), ("high", d_hi, 1, 0)):
            mx, others = self.slots(q, m, c, placement)
            Y = dy_sum([pi[p][y_end] for p in mx])
            Z = dy_sum([pi[p][z_end] for p in others])
            neg: Dy = (-d[0], d[1])
            x1, x2 = dy_mul(neg, r_lo), dy_mul(neg, r_hi)
            kappa = exp_bounds(dy_max(x1, x2))[1] if placement == "low" else exp_bounds(min_dy(x1, x2))[0]
            require(dy_sign(Y) > 0, cid, f"positional mass of the max slots must be > 0 ({placement})", lambda Y=Y: dy_str(Y), 0)
            count("mul", 2)
            count("add", 1)
            fy = frac(Y)
            out.append(fy / (fy + frac(kappa) * frac(Z)))
        return out[0], out[1]

    # -------------------------------------------------------------------- 2. output
    def h(self, m: int, c: int) -> Dy:
        """h = max_{j≠m} (L_m[j] + v·R_m[j]) with v = avg[m][c]; once per (m, c)."""
        key = (m, c)
        if key not in self._h:
            vm, ve = self.avg[m][c]
            (L, eL), R, eR = self.L, self.ov.R, self.ov.e_ev
            e = min(eL, ve + eR)
            sl, sr = 1 << (eL - e), vm << (ve + eR - e)
            V = self.V
            count("mul", V - 1)
            count("add", V - 1)
            count("cmp", V - 2)
            self._h[key] = (max(L[m][j] * sl + R[m][j] * sr for j in range(V) if j != m), e)
        return self._h[key]

    def output_bound(self, q: int, m: int, c: int, g: int, alpha: Fraction) -> Fraction:
        """B(α) = h + (α − v)·(R_max if α ≥ v else R_min) + (1 − α)·W + ΔEU[q]."""
        ov = self.ov
        v = frac(self.avg[m][c])
        W = frac((self.w_max[m - g], ov.e_ev)) if c >= 1 else Fraction(0)
        count("cmp")
        R = frac((ov.r_max[m] if alpha >= v else ov.r_min[m], ov.e_ev))
        count("mul", 2)
        count("add", 5)
        return frac(self.h(m, c)) + (alpha - v) * R + (1 - alpha) * W + frac((self.d_eu[0][q], self.d_eu[1]))

    # -------------------------------------------------------------------- one entry, cross-multiplied
    def holds(self, q: int, m: int, c: int, g: int) -> tuple[bool, str, Dy]:
        """B(a_lo) < 0 and B(a_hi) < 0 (c ≥ 1) without fractions: with a = Y/D, D = Y + κ·Z > 0,
        D·B(a) = D·h + (Y − v·D)·R_side + (D − Y)·W + D·ΔEU[q], and a ≥ v ⇔ Y − v·D ≥ 0 (lean/MechProof/
        Subcubic.lean does the same). Returns (holds, failing end, D·B there)."""
        rows, e0 = self.A
        M = m - g
        a = rows[q][m]
        eps = self.eps[0][q]
        d_lo, d_hi = a - self.a_max[q][M] - eps, a - self.a_min[q][M] + eps
        (r_lo, re), (r_hi, _) = self.r
        k_hi = exp_bounds((-d_lo * (r_hi if d_lo <= 0 else r_lo), e0 + re))[1]  # max of −Δ_lo·r
        k_lo = exp_bounds((-d_hi * (r_lo if d_hi <= 0 else r_hi), e0 + re))[0]  # min of −Δ_hi·r
        low, high = self.slot_mass[(q, c, q == m)]
        ov = self.ov
        hm, he = self.h(m, c)
        vm, ve = self.avg[m][c]
        W, eR = self.w_max[M], ov.e_ev
        E, eE = self.d_eu[0][q], self.d_eu[1]
        self.n_tested += 1  # counted in bulk by check_subcubic: 14 mul, 16 add, 6 cmp per case
        for name, (Y, Z), kappa in (("a_lo", low, k_hi), ("a_hi", high, k_lo)):
            y, ey = Y
            if y <= 0:
                raise ClaimFailure(f"case[{q},{m},{c}]", "positional mass of the max slots must be > 0", lambda Y=Y: dy_str(Y), 0)
            kz, ekz = kappa[0] * Z[0], kappa[1] + Z[1]
            if ey <= ekz:  # Y and D = Y + κZ at one exponent eD
                eD, D = ey, y + (kz << (ekz - ey))
            else:
                eD, D, y = ekz, (y << (ey - ekz)) + kz, y << (ey - ekz)
            if ve >= 0:  # Y − v·D at exponent en
                nmv, en = y - ((vm * D) << ve), eD
            else:
                nmv, en = (y << -ve) - vm * D, eD + ve
            R = ov.r_max[m] if nmv >= 0 else ov.r_min[m]
            e1, e2, e3, e4 = eD + he, en + eR, eD + eR, eD + eE  # D·h + (Y − vD)·R + (D − Y)·W + D·ΔEU
            e = min(e1, e2, e3, e4)
            total = ((D * hm) << (e1 - e)) + ((nmv * R) << (e2 - e)) + (((D - y) * W) << (e3 - e)) + ((D * E) << (e4 - e))
            if total >= 0:
                return False, name, (total, e)
        return True, "", (0, 0)

    def check_entry(self, entry: tuple[int, int, int, int], seen: set) -> int:
        """Well-formedness, then the input rule (c = 0) or B(a_lo) < 0 and B(a_hi) < 0; returns the coverage."""
        check_well_formed(entry, self.V, self.n, seen)
        q, m, c, g = entry
        cid = f"case[{q},{m},{c}]"
        if c == 0:
            tokens = (m,) * self.n
            ok, j = self.rule().right_once(tokens)
            if not ok:
                raise ClaimFailure(cid, f"the input {list(tokens)} is not proven right (input rule, logit {j})", "up_j ≥ 0", "< 0")
        else:
            ok, name, total = self.holds(q, m, c, g)
            if not ok:
                raise ClaimFailure(cid, f"output bound B({name}) must be < 0 (shown: D·B({name}) with D > 0)", lambda t=total: dy_str(t), "0")
        return coverage(self.n, q, m, c, g, self.params.count)


def _running(row: list[int], fn) -> list[int]:  # noqa: ANN001 - max or min
    out, acc = [], row[0]
    for x in row:
        acc = fn(acc, x)
        out.append(acc)
    return out


def subcubic_covers(gaps: Mapping[tuple[int, int, int], int], tokens: tuple[int, ...]) -> bool:
    """docs §9: the input's case (q, m, c), c counting every position below m, is listed with gap g, and every
    token below m is ≤ m − g."""
    m, q = max(tokens), tokens[-1]
    low = [t for t in tokens if t < m]
    g = gaps.get((q, m, len(low)))
    return g is not None and all(t <= m - g for t in low)


def check_subcubic(params: Any, claims: Any, w: ExactWeights, path: Path | None = None) -> tuple[int, int | None]:
    """All subcubic claims (`residual`/`wrong` too); returns (inputs proven right, inputs proven wrong or None)."""
    ck = SubcubicChecker(w, params, claims, path)
    seen: set[tuple[int, int, int]] = set()
    covered = 0
    gaps: dict[tuple[int, int, int], int] = {}
    for e in claims.cases.entries:
        covered += ck.check_entry(tuple(e), seen)  # type: ignore[arg-type]
        gaps[(e[0], e[1], e[2])] = e[3]
    count("mul", 14 * ck.n_tested)  # `holds`: Δ_lo, Δ_hi, both κ arguments and both cross-multiplied bounds
    count("add", 16 * ck.n_tested)
    count("cmp", 6 * ck.n_tested)
    if claims.residual is None and claims.wrong is None:
        return covered, None
    right, wrong = check_input_claims(claims, ck.rule(), lambda tokens: subcubic_covers(gaps, tokens))
    return covered + right, wrong
