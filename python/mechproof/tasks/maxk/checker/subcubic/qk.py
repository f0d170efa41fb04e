"""§7.2, the QK side: the chain factors of EQKE, the peels, Approx and the ε_q bound of each `qk` rule."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

from .....checker.arith import Dy, count, dy_lt, dy_str
from .....checker.failures import ClaimFailure, require
from .....checker.matrices import Mat, Vec, add_row, mat_add, matmul, shape, tensor, transpose, vecmat, zeros
from .....weights import ExactWeights
from .exact import QK_FOUR, QK_TWO, _bad, centre, centred_abs, choice_mat, plus_const, rowrange, vec_min, weighted


Peeled = tuple[Mat, Mat]  # (x, y) with F − x·yᵀ
QK_EXACT = "exact_EQKE+max_diff_exact"


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


