"""Checks the claims of a subcubic certificate (docs/certificate.md §7) with exact arithmetic.

Python integers and fractions.Fraction only. Nothing here comes from the producer but the parsed certificate:
every quantity of §7.2 is recomputed from the weights and the *choices* (data used without verification, for
which the argument is sound whatever their value). Every multiplication, addition, comparison and exp enclosure
is counted in `arith.OPS` (bulk counts for matrix products), because the count is the proof length; the code
never forms EQKE_tok or EUPU unless the variant says so, and never a V×d×V product in the QK chain except for the
`*_exact` variants.

The functions follow the order of the spec: chain factors, peels, Approx, ε_q per `qk` rule, EQKP_err, π,
OV/direct quantities, EUPU rule, case well-formedness, attention bounds, output bound, coverage.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from math import comb
from pathlib import Path
from typing import Any

from ..certificate import SUBCUBIC_QK
from ..errors import InputError
from ..jsonfile import short_int
from ..weights import ExactWeights
from .arith import Dy, count, dy_add, dy_lt, dy_max, dy_mul, dy_sign, dy_str, dy_sub, dy_sum, exp_bounds, memo
from .cubic import check_inv_sqrt
from .failures import ClaimFailure, require
from .inputs import InputRule, check_input_claims
from .matrices import Mat, Vec, add_row, mat_add, matmul, shape, tensor, transpose, vec_rescale, vecmat, zeros

Interval = tuple[Dy, Dy]
Peeled = tuple[Mat, Mat]  # (x, y) with F − x·yᵀ

QK_TWO = ("svd", "max_diff", "mean+max_diff", "max_diff_exact")
QK_FOUR = tuple(x for x in SUBCUBIC_QK if "subproduct" in x)
QK_EXACT = "exact_EQKE+max_diff_exact"
EUPU_MEAN = ("mean_query+max_diff", "svd_query+max_diff")
DROP_AVG = "drop_average_query_per_output_logit_reasoning"
PEELED_BITS = 384
"""docs §10: entries of a peeled factor F_i′ (at its exponent) stay below 2^384 (honest: 158 bits)."""


# ------------------------------------------------------------------------------------------ small exact helpers
def frac(x: Dy) -> Fraction:
    """The exact value of a dyadic."""
    m, e = x
    return Fraction(m << e) if e >= 0 else Fraction(m, 1 << -e)


def frac_str(x: Fraction) -> str:
    """Readable exact rational: 6 significant digits by integer arithmetic (and the fraction when short)."""
    num, den = x.numerator, x.denominator
    if num == 0:
        return "0"
    if max(abs(num).bit_length(), den.bit_length()) > 3000:  # str() refuses over 4300 digits: say how big it is
        return f"{short_int(num)}/{short_int(den)}"
    sign, num = ("-" if num < 0 else ""), abs(num)
    e10 = len(str(num)) - len(str(den))
    if num * 10 ** max(0, -e10) < den * 10 ** max(0, e10):
        e10 -= 1  # now 10^e10 ≤ |x| < 10^(e10+1)
    k = 5 - e10
    d = str((num * 10**k) // den if k >= 0 else num // (den * 10 ** (-k)))
    approx = f"{sign}{d[0]}.{d[1:]}e{e10:+d}"
    exact = f"{sign}{num}/{den}"
    return f"{exact} (≈{approx})" if len(exact) <= 40 else f"≈{approx}"


def rowrange(row: list[int]) -> int:
    """max − min of a row (of one exponent)."""
    count("cmp", 2 * max(0, len(row) - 1))
    count("add")
    return max(row) - min(row)


def centred_abs(a: Mat, c: Vec | None) -> Mat:
    """|a[i][t] − c[t]| (c = None: |a[i][t]|), at the smaller exponent."""
    rows, e = a
    if c is None:
        count("cmp", sum(len(r) for r in rows))
        return [[abs(x) for x in r] for r in rows], e
    ec = min(e, c[1])
    sa, sc = 1 << (e - ec), 1 << (c[1] - ec)
    cs = [x * sc for x in c[0]]
    count("add", sum(len(r) for r in rows))
    count("cmp", sum(len(r) for r in rows))
    return [[abs(x * sa - y) for x, y in zip(r, cs)] for r in rows], ec


def weighted(a: Mat, rho: Vec) -> Vec:
    """Σ_t a[i][t]·rho[t] for every row i."""
    rows, e = a
    count("mul", sum(len(r) for r in rows))
    count("add", sum(len(r) for r in rows))
    return [sum(x * y for x, y in zip(r, rho[0])) for r in rows], e + rho[1]


def plus_const(v: Vec, k: Dy) -> Vec:
    """v + k (k added to every entry), at the smaller exponent."""
    count("add", len(v[0]))
    e = min(v[1], k[1])
    sv, kk = 1 << (v[1] - e), k[0] << (k[1] - e)
    return [x * sv + kk for x in v[0]], e


def vec_min(a: Vec, b: Vec) -> Vec:
    """Entrywise minimum, at the smaller exponent."""
    count("cmp", len(a[0]))
    e = min(a[1], b[1])
    a2, b2 = vec_rescale(a, e)[0], vec_rescale(b, e)[0]
    return [min(x, y) for x, y in zip(a2, b2)], e


def min_dy(x: Dy, y: Dy) -> Dy:
    return x if dy_lt(x, y) else y


# ------------------------------------------------------------------------------------------ choices (§7.1)
def _bad(path: Path | None, fld: str, msg: str) -> InputError:
    return InputError(path, f"claims.choices.{fld}", msg)


def choice_vec(v: Any, length: int, fld: str, path: Path | None) -> Vec:  # v: certificate.DyVec
    if len(v.mant) != length:
        raise _bad(path, f"{fld}.mant", f"expected {length} entries, got {len(v.mant)}")
    return list(v.mant), v.exp


def choice_mat(a: Any, rows: int, cols: int | None, fld: str, path: Path | None) -> Mat:  # a: certificate.DyMat
    """A claimed matrix of `rows` rows and `cols` columns (cols None: any common width)."""
    if len(a.rows) != rows:
        raise _bad(path, f"{fld}.rows", f"expected {rows} rows, got {len(a.rows)}")
    width = len(a.rows[0]) if cols is None else cols
    for i, r in enumerate(a.rows):
        if len(r) != width:
            raise _bad(path, f"{fld}.rows[{i}]", f"expected {width} entries, got {len(r)}")
    return [list(r) for r in a.rows], a.exp


def n_factors(qk: str) -> int:
    return 2 if qk in QK_TWO else 4 if qk in QK_FOUR else 0


def centre(choices: Any, j: int, length: int, path: Path | None) -> Vec:
    """`centres[j]`, a vector of `length` entries, which the variant needs."""
    if j >= len(choices.centres) or choices.centres[j] is None:
        raise _bad(path, f"centres[{j}]", f"this qk variant needs a centre vector of {length} entries here")
    return choice_vec(choices.centres[j], length, f"centres[{j}]", path)


def avg_table(choices: Any, attention: str, V: int, n: int, path: Path | None) -> list[list[Dy]]:
    """`avg` (V×n dyadics); all [0, 0] for the drop-average attention rule (claim ids choices.avg[m,c])."""
    avg = choices.avg
    if len(avg) != V:
        raise _bad(path, "avg", f"expected {V} rows (one per max token), got {len(avg)}")
    for m, row in enumerate(avg):
        if len(row) != n:
            raise _bad(path, f"avg[{m}]", f"expected {n} entries (one per c = 0..n−1), got {len(row)}")
    if attention == DROP_AVG:
        for m, row in enumerate(avg):
            for c, v in enumerate(row):
                require(tuple(v) == (0, 0), f"choices.avg[{m},{c}]", f"must be [0, 0] for {DROP_AVG}", list(v), [0, 0])
    return [[(v[0], v[1]) for v in row] for row in avg]


# ------------------------------------------------------------------------------------------ 7.2 the QK chain
class Model:
    """The weights as exact matrices, plus Ẽ_q = W_E + W_pos[n−1] and Ẽ_k = W_E + κ."""

    def __init__(self, w: ExactWeights, kappa: Vec) -> None:
        self.V, self.n = w.cfg.d_vocab, w.cfg.n_ctx
        self.E, self.P, self.U = tensor(w, "W_E"), tensor(w, "W_pos"), tensor(w, "W_U")
        self.Q, self.K, self.Vw, self.O = (tensor(w, x) for x in ("W_Q", "W_K", "W_V", "W_O"))
        n = self.n
        self.Eq = add_row(self.E, self.P[0][n - 1], self.P[1])
        self.kappa = kappa
        self.Ek = add_row(self.E, kappa[0], kappa[1])


def chain_factors(md: Model, qk: str) -> list[Mat]:
    """F_1..F_k with F_1⋯F_k = Ẽ_q·W_Q·W_Kᵀ·Ẽ_kᵀ (k = 2 or 4; none for exact_EQKE)."""
    if qk in QK_TWO:
        return [matmul(md.Eq, md.Q), transpose(matmul(md.Ek, md.K))]
    if qk in QK_FOUR:
        return [md.Eq, md.Q, transpose(md.K), transpose(md.Ek)]
    return []


def peel_pieces(F: list[Mat], choices: Any, path: Path | None) -> list[Peeled | None]:
    """The peels as exact (x, y), one per factor, shape-checked (x: rows(F_i)×r, y: cols(F_i)×r).

    A peel of rank r = 0 is x·yᵀ = 0, i.e. exactly no peel."""
    if len(choices.peels) != len(F):
        raise _bad(path, "peels", f"expected one entry per chain factor ({len(F)}), got {len(choices.peels)}")
    out: list[Peeled | None] = []
    for i, (f, p) in enumerate(zip(F, choices.peels)):
        if p is None:
            out.append(None)
            continue
        rows, cols = shape(f)
        x = choice_mat(p.x, rows, None, f"peels[{i}].x", path)
        r = len(x[0][0])
        y = choice_mat(p.y, cols, r, f"peels[{i}].y", path)
        out.append(None if r == 0 else (x, y))
    return out


def peel(F: list[Mat], pieces: list[Peeled | None]) -> list[Mat]:
    """F_i′ = F_i − x·yᵀ (F_i when not peeled)."""
    return [f if p is None else mat_add(f, matmul(p[0], transpose(p[1])), -1) for f, p in zip(F, pieces)]


def approx_matrix(Fp: list[Mat], pieces: list[Peeled | None], rows: int, cols: int) -> Mat:
    """Approx = F_1⋯F_k − F_1′⋯F_k′ = Σ over non-empty sets S of peeled factors of the product with x·yᵀ at S
    and F_i′ elsewhere. Each product is (F′⋯F′·x)·(yᵀ·F′⋯F′·x)⋯(yᵀ·F′⋯F′): thin matrices and r×r middles,
    never a V×d×V product; only the last step is V×r·r×V."""
    k = len(Fp)
    idx = [i for i in range(k) if pieces[i] is not None]
    left: dict[int, Mat] = {}  # F_1′⋯F_{i−1}′·x_i   (rows × r_i)
    right: dict[int, Mat] = {}  # y_iᵀ·F_{i+1}′⋯F_k′   (r_i × cols)
    mid: dict[tuple[int, int], Mat] = {}  # y_aᵀ·F_{a+1}′⋯F_{b−1}′·x_b   (r_a × r_b)
    for i in idx:
        x, y = pieces[i]  # type: ignore[misc]
        z = x
        for j in range(i - 1, -1, -1):
            z = matmul(Fp[j], z)
        left[i] = z
        z = transpose(y)
        for j in range(i + 1, k):
            z = matmul(z, Fp[j])
        right[i] = z
    for a, b in combinations(idx, 2):
        z = pieces[b][0]  # type: ignore[index]
        for j in range(b - 1, a, -1):
            z = matmul(Fp[j], z)
        mid[(a, b)] = matmul(transpose(pieces[a][1]), z)  # type: ignore[index]
    total = zeros(rows, cols)
    for size in range(1, len(idx) + 1):
        for S in combinations(idx, size):
            z = left[S[0]]
            for a, b in zip(S, S[1:]):
                z = matmul(z, mid[(a, b)])
            total = mat_add(total, matmul(z, right[S[-1]]))
    return total


def product(mats: list[Mat]) -> Mat:
    z = mats[0]
    for f in mats[1:]:
        z = matmul(z, f)
    return z


# ------------------------------------------------------------------------------------------ 7.2 ε_q rules
def eps_max_diff_exact(Fp: list[Mat]) -> Vec:
    """`max_diff_exact`: Err formed exactly; ε_q = rowrange(Err[q,:])."""
    err, e = product(Fp)
    return [rowrange(r) for r in err], e


def eps_split(Fp: list[Mat], centres: list[Vec] | None) -> Vec:
    """`max_diff[_subproduct]` (centres None) and `mean+max_diff[_subproduct]` (c_s = centres[s−1]):
    ε_q = min over s of [rowrange(c_s·S_s)] + Σ_r |P_s[q,r] − c_s[r]|·rowrange(S_s[r,:])."""
    k = len(Fp)
    prefix = [Fp[0]]  # P_1..P_{k−1}
    for s in range(1, k - 1):
        prefix.append(matmul(prefix[-1], Fp[s]))
    suffix = [Fp[k - 1]]  # S_{k−1}..S_1
    for s in range(k - 2, 0, -1):
        suffix.append(matmul(Fp[s], suffix[-1]))
    suffix.reverse()  # suffix[s−1] = S_s
    best: Vec | None = None
    for s in range(1, k):
        P, S = prefix[s - 1], suffix[s - 1]
        rho = ([rowrange(r) for r in S[0]], S[1])
        c = None if centres is None else centres[s - 1]
        eps = weighted(centred_abs(P, c), rho)
        if c is not None:
            cs = vecmat(c, S)
            eps = plus_const(eps, (rowrange(cs[0]), cs[1]))
        best = eps if best is None else vec_min(best, eps)
    assert best is not None
    return best


def eps_recursive(Fp: list[Mat], centres: dict[int, Vec]) -> Vec:
    """The `*_recursive` rules: ρ_k[r] = rowrange(F_k′[r,:]); for i = k−1..1 (0-based j = i−1)
    ρ_i[r] = [rowrange(c·F_{i+1}′⋯F_k′)] + Σ_t |F_i′[r,t] − c[t]|·ρ_{i+1}[t], centred where `centres` has an
    entry for that factor; ε = ρ_1. Never forms a product of two factors: only vector-matrix chains."""
    k = len(Fp)
    rho: Vec = ([rowrange(r) for r in Fp[k - 1][0]], Fp[k - 1][1])
    for j in range(k - 2, -1, -1):
        c = centres.get(j)
        new = weighted(centred_abs(Fp[j], c), rho)
        if c is not None:
            v = c
            for f in Fp[j + 1 :]:
                v = vecmat(v, f)
            new = plus_const(new, (rowrange(v[0]), v[1]))
        rho = new
    return rho


def eps_svd(Fp: list[Mat], eps: tuple[int, int] | None, V: int, path: Path | None) -> Vec:
    """`svd`: G = F_1′ᵀF_1′, K = F_2′F_2′ᵀ, T = trace((G·K)^8); ε = spectral_eps needs ε ≥ 0, (ε²/2)^8 ≥ T."""
    if eps is None:
        raise _bad(path, "spectral_eps", "the svd qk variant needs spectral_eps = [m, e]")
    F1, F2 = Fp
    G = matmul(transpose(F1), F1)
    K = matmul(F2, transpose(F2))
    M = matmul(G, K)
    for _ in range(3):  # (G·K)^2, ^4, ^8
        M = matmul(M, M)
    count("add", len(M[0]))
    T: Dy = (sum(M[0][i][i] for i in range(len(M[0]))), M[1])
    m, e = eps
    cid = "choices.spectral_eps"
    require(m >= 0, cid, "ε must be ≥ 0", lambda: dy_str((m, e)), 0)
    count("mul", 4)
    lhs: Dy = (m**16, 16 * e - 8)  # (ε²/2)^8 = m^16·2^(16e−8)
    if dy_lt(lhs, T):
        raise ClaimFailure(cid, "(ε²/2)^8 ≥ trace((G·K)^8) fails", lambda: dy_str(lhs), lambda: dy_str(T))
    return [m] * V, e


def epsilon(qk: str, Fp: list[Mat], choices: Any, V: int, path: Path | None) -> Vec:
    """ε_q ≥ max_{i,j}(Err[q,i] − Err[q,j]) for every q, by the rule of the `qk` variant."""
    if qk == QK_EXACT:
        return [0] * V, 0
    if qk == "max_diff_exact":
        return eps_max_diff_exact(Fp)
    if qk == "svd":
        return eps_svd(Fp, choices.spectral_eps, V, path)
    cols = [shape(f)[1] for f in Fp]
    if qk in ("max_diff", "max_diff_subproduct"):
        return eps_split(Fp, None)
    if qk in ("mean+max_diff", "mean+max_diff_subproduct"):
        return eps_split(Fp, [centre(choices, s, cols[s], path) for s in range(len(Fp) - 1)])
    if qk == "max_diff_subproduct_recursive":
        return eps_recursive(Fp, {})
    if qk == "mean+max_diff_subproduct_recursive":
        return eps_recursive(Fp, {0: centre(choices, 0, cols[0], path)})
    if qk == "mean_recursive+max_diff_subproduct_recursive":
        return eps_recursive(Fp, {j: centre(choices, j, cols[j], path) for j in range(len(Fp) - 1)})
    raise AssertionError(qk)  # the schema admits only the names above


def exact_eqke_tok(md: Model) -> Mat:
    """`exact_EQKE+max_diff_exact`: Approx = EQKE_tok = (Ẽ_q·W_Q)·(Ẽ_k·W_K)ᵀ formed exactly."""
    return matmul(matmul(md.Eq, md.Q), transpose(matmul(md.Ek, md.K)))


# ------------------------------------------------------------------------------------------ 7.2 positions
def eqkp_err(md: Model) -> Mat:
    """EQKP_err[q,p] = Ẽ_q[q]·W_Q·W_Kᵀ·(W_pos[p] − κ)ᵀ, as Ẽ_q·(W_Q·((W_pos − κ)·W_K)ᵀ) (V×n)."""
    centred = add_row(md.P, [-x for x in md.kappa[0]], md.kappa[1])
    qkp = matmul(md.Q, transpose(matmul(centred, md.K)))  # d_model × n
    return matmul(md.Eq, qkp)


def pi_bounds(eqkp: Mat, r: Interval) -> list[list[Interval]]:
    """π[q,p] ∋ exp(EQKP_err[q,p]/√d) by the checker's own exp_bounds (as §4.2)."""
    rows, e = eqkp
    out = []
    for row in rows:
        out_row = []
        for a in row:
            x1, x2 = dy_mul((a, e), r[0]), dy_mul((a, e), r[1])
            count("cmp")
            x_lo, x_hi = (x1, x2) if a >= 0 else (x2, x1)
            out_row.append((exp_bounds(x_lo)[0], exp_bounds(x_hi)[1]))
        out.append(out_row)
    return out


def position_order(eqkp: Mat, n: int) -> list[list[int]]:
    """The non-query positions sorted ascending by (EQKP_err[q,p], p), per q."""
    rows, _ = eqkp
    count("cmp", len(rows) * (n - 1) * max(1, (n - 1).bit_length()))
    return [sorted(range(n - 1), key=lambda p, row=row: (row[p], p)) for row in rows]


# ------------------------------------------------------------------------------------------ 7.2 OV and direct path
class OV:
    """EVOU, PVOU, P*, R_m, R_max, R_min and D, exact (each family at one exponent)."""

    def __init__(self, md: Model) -> None:
        V, n = md.V, md.n
        ovu = matmul(matmul(md.Vw, md.O), md.U)  # W_V·W_O·W_U (d_model × V)
        (self.evou, self.e_ev) = matmul(md.E, ovu)
        (self.pvou, self.e_pv) = matmul(md.P, ovu)
        B, P = self.evou, self.pvou
        count("add", n * V * V)
        count("cmp", n * V * V)
        self.p_star = [[max(P[p][j] - P[p][m] for p in range(n)) for j in range(V)] for m in range(V)]
        count("add", V * V)
        self.R = [[B[m][j] - B[m][m] for j in range(V)] for m in range(V)]
        count("cmp", 2 * V * V)
        self.r_max = [max(self.R[m][j] for j in range(V) if j != m) for m in range(V)]
        self.r_min = [min(self.R[m][j] for j in range(V) if j != m) for m in range(V)]
        self.D = [rowrange(row) for row in B]


def eupu_terms(eupu: str, md: Model, choices: Any, path: Path | None) -> tuple[Vec, Vec]:
    """(EU, ΔEU) with EUPU[q,j] − EUPU[q,m] ≤ EU[j] − EU[m] + ΔEU[q] for all q, j, m."""
    V = md.V
    if eupu in EUPU_MEAN or eupu == "max_diff":
        dm = shape(md.Eq)[1]
        if eupu in EUPU_MEAN:
            if choices.eupu_mu is None:
                raise _bad(path, "eupu_mu", f"eupu {eupu} needs the vector eupu_mu")
            mu: Vec | None = choice_vec(choices.eupu_mu, dm, "eupu_mu", path)
            eu = vecmat(mu, md.U)  # type: ignore[arg-type]
        else:
            mu, eu = None, ([0] * V, 0)
        rr: Vec = ([rowrange(row) for row in md.U[0]], md.U[1])
        return eu, weighted(centred_abs(md.Eq, mu), rr)
    eupu_rows, e = matmul(md.Eq, md.U)  # max_diff_exact, global_max_diff_exact: EUPU formed
    d_eu = [rowrange(row) for row in eupu_rows]
    if eupu == "global_max_diff_exact":
        count("cmp", V - 1)
        d_eu = [max(d_eu)] * V
    return ([0] * V, 0), (d_eu, e)


def logit_l(ov: OV, eu: Vec) -> Mat:
    """L_m[j] = EU[j] − EU[m] + P*[m,j] (V×V, [m][j])."""
    V = len(ov.p_star)
    e = min(eu[1], ov.e_pv)
    s_eu, s_p = 1 << (eu[1] - e), 1 << (ov.e_pv - e)
    count("add", 2 * V * V)
    return [[(eu[0][j] - eu[0][m]) * s_eu + ov.p_star[m][j] * s_p for j in range(V)] for m in range(V)], e


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

    def covers(tokens: tuple[int, ...]) -> bool:  # docs §9: (q, m, c) listed and every token < m is ≤ m − g
        m, q = max(tokens), tokens[-1]
        low = [t for t in tokens if t < m]
        g = gaps.get((q, m, len(low)))
        return g is not None and all(t <= m - g for t in low)

    right, wrong = check_input_claims(claims, ck.rule(), covers)
    return covered + right, wrong
