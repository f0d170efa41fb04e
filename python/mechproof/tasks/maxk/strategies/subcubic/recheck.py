"""The sound re-check of the chosen cases (c ≥ 1), vectorized in float64: a case kept here passes the checker.

The checker (docs §7.3) computes, exactly: Δ_lo, Δ_hi from Approx and ε; κ_hi = exp_bounds(x).hi and
κ_lo = exp_bounds(x′).lo with its own enclosure (relative error < 2^-80, §6); a_lo = Y/(Y + κ_hi·Z) and
a_hi = Y′/(Y′ + κ_lo·Z′) from its π enclosures; then B(a_lo) < 0 and B(a_hi) < 0, where
B(α) = h + (α − v)·(R_max if α ≥ v else R_min) + (1 − α)·W + ΔEU[q]. Why passing here implies passing there:

* Every exact input (Approx, ε, L, R, D, ΔEU, EQKP_err, 1/√d) is enclosed by its float64 floor and ceiling
  (intervals.enclose); every later operation rounds outward (intervals.up/down), so each float below bounds
  the checker's rational from the stated side.
* exp: for x ≤ 700, up(np.exp(x)·(1 + 2^-40)) ≥ exp(x)·(1 + 2^-80) ≥ exp_bounds(x).hi, because numpy's exp is
  within 2^-45 of exp (tested at first use, `floats.exp_up`), and symmetrically for lower ends; beyond ±700 the
  bound is inf or 0. So K_hi ≥ κ_hi, K_lo ≤ κ_lo and the π sums enclose the checker's Y, Z, Y′, Z′.
* Y/(Y + κZ) increases with Y and decreases with κZ, so L = Y_d/(Y_d + K_hi·Z_u) rounded down is ≤ a_lo and
  U = Y′_u/(Y′_u + K_lo·Z′_d) rounded up is ≥ a_hi. And a_lo ≤ a_hi in the checker (Y ≤ Y′ slot by slot, since
  the high slots have the larger scores; Z ≥ Z′ likewise; κ_hi ≥ κ_lo as Δ_lo ≤ Δ_hi).
* B is convex in α: (α − v)·R_side = max((α − v)·R_max, (α − v)·R_min) because R_max ≥ R_min, which also covers
  the side choice when α ≥ v is undecided in floats. So max(B(a_lo), B(a_hi)) ≤ max(B(L), B(U)), and each B(·)
  is bounded above by taking the largest corner product of the intervals of α − v and R_max/R_min, h from L_hi
  and the corners of v·R, W from the running max of D_hi, and ΔEU_hi, all summed rounding up.

Hence B_up(L) < 0 and B_up(U) < 0 imply the checker's B(a_lo) < 0 and B(a_hi) < 0. A case whose exp
arguments could reach 2^11 is refused (the checker rejects arguments of 2^12 or more as malformed, §6 step 0).
"""

from __future__ import annotations

import numpy as np

from .....intervals import add_down, add_up, down, mul_down, mul_up, sub_down, sub_up, up
from .floats import AttnF, Masses, OutF, exp_down, exp_up, scaled_bounds


def _prod_hi(a_lo: np.ndarray, a_hi: np.ndarray, b_lo: np.ndarray, b_hi: np.ndarray) -> np.ndarray:
    """An upper bound on x·y for x in [a_lo, a_hi], y in [b_lo, b_hi]."""
    return np.maximum.reduce([mul_up(a, b) for a in (a_lo, a_hi) for b in (b_lo, b_hi)])


def h_upper(out: OutF, v: np.ndarray) -> np.ndarray:
    """h_up[m, c] ≥ max_{j≠m} (L_m[j] + v[m,c]·R_m[j]) (v exact floats)."""
    V, n = v.shape
    h = np.empty((V, n))
    for c in range(n):
        vc = v[:, c][:, None]
        h[:, c] = add_up(out.Lhi_off, np.maximum(mul_up(vc, out.R_lo), mul_up(vc, out.R_hi))).max(axis=1)
    return h


def recheck(at: AttnF, ms: Masses, out: OutF, v: np.ndarray, q: np.ndarray, m: np.ndarray, c: np.ndarray, g: np.ndarray) -> np.ndarray:
    """For cases (q, m, c ≥ 1, g) and averages v[m, c] (exact floats): True where the case provably passes."""
    s = (q == m).astype(np.int64)
    M = m - g
    d_lo = sub_down(sub_down(at.A_lo[q, m], at.pmax_hi[q, M]), at.eps_hi[q])  # ≤ Δ_lo
    d_hi = add_up(sub_up(at.A_hi[q, m], at.pmin_lo[q, M]), at.eps_hi[q])  # ≥ Δ_hi (≥ Δ_lo)
    x_lo, x_hi = scaled_bounds(-d_hi, -d_lo, ms.r_lo, ms.r_hi)  # −Δ·r for Δ in [d_lo, d_hi], r in [r_lo, r_hi]
    in_range = np.maximum(-x_lo, x_hi) < 2.0**11
    k_hi, k_lo = exp_up(x_hi), exp_down(x_lo)  # ≥ κ_hi, ≤ κ_lo
    Y, Z = ms.Ylo_d[c, q, s], ms.Zlo_u[c, q, s]
    with np.errstate(invalid="ignore", over="ignore"):
        a_lo = np.maximum(0.0, down(Y / add_up(Y, mul_up(k_hi, Z))))
        Y, Z = ms.Yhi_u[c, q, s], ms.Zhi_d[c, q, s]
        a_hi = np.minimum(1.0, up(Y / add_down(Y, mul_down(k_lo, Z))))
    h = h_upper(out, v)[m, c]
    vv = v[m, c]
    W = out.Dmax_hi[M]
    keep = in_range & (ms.Ylo_d[c, q, s] > 0)  # the checker requires positive mass on the max slots
    for a in (a_lo, a_hi):
        slope = np.maximum(
            _prod_hi(sub_down(a, vv), sub_up(a, vv), out.Rmax_lo[m], out.Rmax_hi[m]),
            _prod_hi(sub_down(a, vv), sub_up(a, vv), out.Rmin_lo[m], out.Rmin_hi[m]),
        )
        B = add_up(add_up(add_up(h, slope), mul_up(sub_up(1.0, a), W)), out.dEU_hi[q])
        keep &= B < 0
    return keep & np.isfinite(a_lo) & np.isfinite(a_hi)

