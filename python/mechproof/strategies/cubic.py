"""The cubic proof (paper-spec §4), made sound.

Cases. An input is classified by its max token m, its query (last) token q ≤ m, and the number c of non-query
positions holding a token < m. For fixed (q, m, c) and a non-max token k < m, the "pure" input puts k in all c
of those positions. The proof shows, for every k in a set G(q, m, c), that every pure input is classified
correctly; then every input of the case whose non-max tokens all lie in G is too (mixtures, below), which covers
C(n−1, c)·|G|^c inputs.

Why a sign test suffices. With w_p = exp(score_p/√d) > 0 and U(t) = E*[q,m] + V*[m,t] (E*, V*, P* as in
docs/certificate.md), logit_j − logit_m ≤ Σ_p w_p U(t_p) / Σ_p w_p for every j ≠ m, so the input is right
if F = Σ_p w_p U(t_p) < 0. Writing w_p = tok[q,t_p]·pos[q,p], F is linear in Y = Σ_{p∈max slots} pos[q,p] for a
fixed multiset of tokens, so its maximum over the orderings is at one of the two sorted placements: the max
tokens on the lowest or on the highest positional scores. For a mixed input, the non-max part
Σ_p pos[q,p]·tok[q,k_p]·U(k_p) is at most the pure input's for the worst k_p, so the pure bounds cover mixtures.

Soundness. Every quantity is an interval: exp enclosures from mpmath (claimed in the certificate), exact
matrices rounded outward to float64, and every float operation rounded outward (intervals.py). A case is admitted
only when the upper bound of F is < 0. The same algorithm in plain float64 (no rounding control) is kept for the
"cost of soundness" comparison.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..exact import ExactMatrices, exact_matrices
from ..intervals import (
    add_down,
    add_up,
    claims_to_f64,
    enclose,
    exp_claims,
    inv_sqrt_claim,
    mul_up,
    sub_up,
)
from ..weights import ExactWeights

Claim3 = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class CubicProof:
    inv_sqrt: tuple[int, int, int]
    exp_eqke: Claim3  # (lo, hi, exp) arrays [q, t]
    exp_eqkp: Claim3  # (lo, hi, exp) arrays [q, p]
    cases: list[tuple[int, int, int, list[int]]]  # (q, m, c, G); G = [m] when c = 0
    correct: int
    total: int
    seconds: float


def position_order(mats: ExactMatrices, n: int) -> list[list[int]]:
    """Per query: the non-query positions 0..n-2 sorted by exact EQKP score (ties by position)."""
    return [sorted(range(n - 1), key=lambda p: (int(mats.EQKP.mant[q, p]), p)) for q in range(mats.EQKP.mant.shape[0])]


def cubic_proof(w: ExactWeights) -> CubicProof:
    """Compute the sound cubic certificate content for one model."""
    start = time.perf_counter()
    mats = exact_matrices(w)
    r = inv_sqrt_claim(w.cfg.d_head)
    tok = exp_claims(mats.EQKE, r)
    pos = exp_claims(mats.EQKP, r)
    ok = _case_table(mats, w.cfg.n_ctx, claims_to_f64(*tok), claims_to_f64(*pos), sound=True)
    cases, correct = _collect(ok, w.cfg.n_ctx)
    return CubicProof(r, tok, pos, cases, correct, w.cfg.n_inputs, time.perf_counter() - start)


def cubic_float64_count(w: ExactWeights) -> int:
    """The same algorithm in plain float64 (np.exp, no outward rounding): what the paper's code would claim."""
    mats = exact_matrices(w)
    scale = 1 / math.sqrt(w.cfg.d_head)
    tok = np.exp(mats.EQKE.to_float64() * scale)
    pos = np.exp(mats.EQKP.to_float64() * scale)
    ok = _case_table(mats, w.cfg.n_ctx, (tok, tok), (pos, pos), sound=False)
    return _collect(ok, w.cfg.n_ctx)[1]


def _case_table(
    mats: ExactMatrices,
    n: int,
    tok: tuple[np.ndarray, np.ndarray],
    pos: tuple[np.ndarray, np.ndarray],
    sound: bool,
) -> np.ndarray:
    """ok[q, m, k, c]: the upper bound of F is < 0 for both placements (k = m stands for c = 0)."""
    if sound:
        a_up, a_dn, s_up, m_up = add_up, add_down, sub_up, mul_up
        EU, EV, PV = enclose(mats.EUPU), enclose(mats.EVOU), enclose(mats.PVOU)
    else:
        a_up = a_dn = np.add
        s_up, m_up = np.subtract, np.multiply
        EU, EV, PV = ((x, x) for x in (mats.EUPU.to_float64(), mats.EVOU.to_float64(), mats.PVOU.to_float64()))
    (EU_lo, EU_hi), (EV_lo, EV_hi), (PV_lo, PV_hi) = EU, EV, PV
    tok_lo, tok_hi = tok
    pos_lo, pos_hi = pos
    V = EU_lo.shape[0]
    not_m = ~np.eye(V, dtype=bool)[None]  # [1, m, j]: j ≠ m

    # U[q, m, t] ≥ E*[q,m] + V*[m,t], rounded up.
    E_star = np.where(not_m, s_up(EU_hi[:, None, :], EU_lo[:, :, None]), -np.inf).max(axis=2)  # [q, m]
    P_star = s_up(PV_hi[:, None, :], PV_lo[:, :, None]).max(axis=0)  # [m, j]
    V_star = np.where(not_m, a_up(s_up(EV_hi[:, None, :], EV_lo[:, :, None]), P_star[None]), -np.inf).max(axis=2)
    U = a_up(E_star[:, :, None], V_star.T[None, :, :])  # [q, m, t] (V_star is [t, m])

    # Positional sums per (q, c, placement): max slots and non-max slots among the non-query positions.
    order = position_order(mats, n)
    shape = (V, n, 2)
    Smax_lo, Smax_hi, Snmx_lo, Snmx_hi = (np.zeros(shape) for _ in range(4))
    for q in range(V):
        for c in range(n):
            n_max = n - 1 - c
            for rho, slots in enumerate((order[q][:n_max], order[q][c:])):
                others = [p for p in range(n - 1) if p not in slots]
                Smax_lo[q, c, rho], Smax_hi[q, c, rho] = _sum(pos_lo[q, slots], a_dn), _sum(pos_hi[q, slots], a_up)
                Snmx_lo[q, c, rho], Snmx_hi[q, c, rho] = _sum(pos_lo[q, others], a_dn), _sum(pos_hi[q, others], a_up)

    diag = np.arange(V)
    q_is_m = np.eye(V, dtype=bool)[:, :, None, None]  # [q, m, 1, 1]
    # Max group: token m on the max slots, plus the query position when q = m.
    Smax_lo_qm = np.where(q_is_m, a_dn(Smax_lo[:, None], pos_lo[:, None, None, None, n - 1]), Smax_lo[:, None])
    Smax_hi_qm = np.where(q_is_m, a_up(Smax_hi[:, None], pos_hi[:, None, None, None, n - 1]), Smax_hi[:, None])
    U_mm = U[:, diag, diag]  # [q, m]
    t_m = (tok_lo[:, :], tok_hi[:, :])  # [q, m]
    T_max = _term(U_mm[:, :, None, None], t_m[0][:, :, None, None], t_m[1][:, :, None, None], Smax_lo_qm, Smax_hi_qm, m_up)
    # Query group (q ≠ m only): token q at position n-1.
    U_qq = U[diag, :, diag]  # [q, m] = U[q, m, q]
    T_q = _term(U_qq, tok_lo[diag, diag][:, None], tok_hi[diag, diag][:, None], pos_lo[:, n - 1, None], pos_hi[:, n - 1, None], m_up)
    T_q = np.where(np.eye(V, dtype=bool), 0.0, T_q)  # [q, m]
    # Non-max group: token k on the other slots.
    T_nmx = _term(
        U[:, :, :, None, None],
        tok_lo[:, None, :, None, None],
        tok_hi[:, None, :, None, None],
        Snmx_lo[:, None, None],
        Snmx_hi[:, None, None],
        m_up,
    )  # [q, m, k, c, rho]
    T_nmx[:, :, :, 0, :] = 0.0  # c = 0: no non-max slots
    ub = a_up(a_up(T_max[:, :, None], T_nmx), T_q[:, :, None, None, None])
    return (ub < 0).all(axis=4)


def _sum(values: np.ndarray, add) -> float:  # noqa: ANN001
    total = 0.0
    for v in values:
        total = add(total, v)
    return float(total)


def _term(U, t_lo, t_hi, S_lo, S_hi, mul):  # noqa: ANN001, ANN202 - broadcasting arrays
    """Upper bound of U·tok·S for tok ∈ [t_lo, t_hi], S ∈ [S_lo, S_hi] (both positive), U given as an upper
    bound: monotone in U, so an upper bound of U gives an upper bound of the term."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(U >= 0, mul(mul(U, t_hi), S_hi), mul(mul(U, t_lo), S_lo))


def _collect(ok: np.ndarray, n: int) -> tuple[list[tuple[int, int, int, list[int]]], int]:
    """The proven cases as (q, m, c, G) and the number of inputs they cover."""
    V = ok.shape[0]
    cases: list[tuple[int, int, int, list[int]]] = []
    correct = 0
    for m in range(V):
        for q in range(m + 1):
            for c in range(n if q == m else n - 1):
                if c == 0:
                    G = [m] if ok[q, m, m, 0] else []
                else:
                    G = [int(k) for k in np.nonzero(ok[q, m, :m, c])[0]]
                if G:
                    cases.append((q, m, c, G))
                    correct += math.comb(n - 1, c) * len(G) ** c
    return cases, correct


def cubic_claims(proof: CubicProof) -> dict:
    """The certificate's `claims` object (docs/certificate.md §4)."""

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
        "cases": {"rule": "cubic-case", "entries": [[q, m, c, G] for q, m, c, G in proof.cases]},
    }
