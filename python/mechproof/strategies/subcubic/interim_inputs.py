"""TEMPORARY — to be replaced by `decide_inputs` of python/mechproof/strategies/inputs.py (branch `cubicprod`)
once it is merged; same signature. It implements the input rule of docs §8 only for inputs whose tokens are all
equal (the subcubic c = 0 cases), in sound float64: a verdict here implies the checker's.

For an all-equal input (m, …, m) the token factor cancels, so w_p ∈ pos[m, p] (exp of EQKP[m, p]/√d), and
N_{p,j} = (EUPU[m,j] − EUPU[m,m]) + (EVOU[m,j] − EVOU[m,m]) + (PVOU[p,j] − PVOU[p,m]). With float bounds
N_lo ≤ N ≤ N_hi and w_d ≤ the checker's w_lo ≤ w_hi ≤ w_u (floats.exp_down/exp_up, outward rounding):
each term of up_j is ≤ N_hi·(w_u if N_hi ≥ 0 else w_d), and each term of lo_j is ≥ N_lo·(w_d if N_lo ≥ 0 else w_u).
"""

from __future__ import annotations

import numpy as np

from ...intervals import add_down, add_up, mul_down, mul_up, sub_down, sub_up
from ...weights import ExactWeights
from .floats import enclose, exp_down, exp_up, scaled_bounds


def decide_inputs(w: ExactWeights, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(right, witness) per input index x = Σ_p t_p·V^p: right[i] when proven right, witness[i] = j ≥ 0 when
    proven wrong with witness logit j (else −1). Only all-equal inputs (NotImplementedError otherwise)."""
    from .shared import shared

    sh = shared(w)
    pc = sh.pieces
    V, n = pc.V, pc.n
    ones = sum(V**p for p in range(n))
    xs = [int(x) for x in np.asarray(inputs).reshape(-1)]
    if any(x % ones or not 0 <= x // ones < V for x in xs):
        raise NotImplementedError("the interim input rule decides only inputs whose tokens are all equal")
    m = np.array([x // ones for x in xs], dtype=np.int64)
    r_lo, r_hi = sh.masses.r_lo, sh.masses.r_hi
    x_lo, x_hi = scaled_bounds(*enclose(pc.eqkp), r_lo, r_hi)
    w_d, w_u = exp_down(x_lo)[m], exp_up(x_hi)[m]  # [i, p]
    (eu_lo, eu_hi), (ev_lo, ev_hi), (pv_lo, pv_hi) = enclose(pc.EUPU), enclose(pc.EVOU), enclose(pc.PVOU)
    rows = np.arange(len(m))
    # [i, p, j]: N_{p,j} for the input's max token m_i
    fixed_hi = add_up(sub_up(eu_hi[m], eu_lo[m, m][:, None]), sub_up(ev_hi[m], ev_lo[m, m][:, None]))[:, None, :]
    fixed_lo = add_down(sub_down(eu_lo[m], eu_hi[m, m][:, None]), sub_down(ev_lo[m], ev_hi[m, m][:, None]))[:, None, :]
    N_hi = add_up(fixed_hi, sub_up(pv_hi[None, :, :], pv_lo[:, m].T[:, :, None]))
    N_lo = add_down(fixed_lo, sub_down(pv_lo[None, :, :], pv_hi[:, m].T[:, :, None]))
    up_terms = mul_up(N_hi, np.where(N_hi >= 0, w_u[:, :, None], w_d[:, :, None]))
    lo_terms = mul_down(N_lo, np.where(N_lo >= 0, w_d[:, :, None], w_u[:, :, None]))
    up_j, lo_j = up_terms[:, 0], lo_terms[:, 0]
    for p in range(1, n):
        up_j, lo_j = add_up(up_j, up_terms[:, p]), add_down(lo_j, lo_terms[:, p])
    up_j[rows, m], lo_j[rows, m] = -np.inf, -np.inf  # j = m is no wrong logit
    in_range = (np.maximum(-x_lo, x_hi) < 2.0**11)[m].all(axis=1)  # else the checker rejects the exp argument
    right = (up_j < 0).all(axis=1) & in_range
    wrong = lo_j >= 0
    witness = np.where(wrong.any(axis=1) & in_range, wrong.argmax(axis=1), -1)
    return right, witness
