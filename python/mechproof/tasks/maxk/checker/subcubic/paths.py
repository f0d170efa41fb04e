"""§7.2, positions and the OV/direct path: EQKP_err, the softmax weights π, the position order, the OV
quantities and the EUPU rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .....checker.arith import Dy, count, dy_mul, exp_bounds
from .....checker.matrices import Mat, Vec, add_row, matmul, shape, transpose, vecmat
from .exact import _bad, centred_abs, choice_vec, rowrange, weighted
from .qk import Model


Interval = tuple[Dy, Dy]
EUPU_MEAN = ("mean_query+max_diff", "svd_query+max_diff")


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


