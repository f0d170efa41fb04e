"""The exact matrices of one model that every subcubic variant uses (docs/certificate.md §7.2), each formed once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .....exact import Dyadic, weight
from .....weights import ExactWeights
from .qk import Chains, mean_rows


class Pieces:
    """Weights as dyadics plus the derived exact matrices, formed on first use."""

    def __init__(self, w: ExactWeights) -> None:
        cfg = w.cfg
        self.V, self.n, self.d_head = cfg.d_vocab, cfg.n_ctx, cfg.d_head
        t = w.tensors
        self.E, self.P, self.U = weight(t["W_E"]), weight(t["W_pos"]), weight(t["W_U"])
        self.Q, self.K = weight(t["W_Q"], head=True), weight(t["W_K"], head=True)
        self.Vw, self.O = weight(t["W_V"], head=True), weight(t["W_O"], head=True)
        self.kappa = mean_rows(self.P)  # the key-side positional centre (a choice: the mean of W_pos's rows)
        n = self.n
        self.Eq = self.E + Dyadic(self.P.mant[n - 1 : n], self.P.exp)
        self.Ek = self.E + self.kappa.row()
        self.chains = Chains(self.Eq, self.Ek, self.Q, self.K)

    @cached_property
    def _ovu(self) -> Dyadic:
        return self.Vw @ self.O @ self.U

    @cached_property
    def EVOU(self) -> Dyadic:
        return self.E @ self._ovu

    @cached_property
    def PVOU(self) -> Dyadic:
        return self.P @ self._ovu

    @cached_property
    def EUPU(self) -> Dyadic:
        return self.Eq @ self.U

    @cached_property
    def eqkp_err(self) -> Dyadic:
        """EQKP_err[q,p] = Ẽ_q[q]·W_Q·W_Kᵀ·(W_pos[p] − κ)ᵀ (V×n)."""
        return self.Eq @ self.Q @ self.K.T @ (self.P - self.kappa.row()).T

    @cached_property
    def order(self) -> np.ndarray:
        """order[q] = the non-query positions sorted ascending by (EQKP_err[q,p], p) (exact), V×(n−1)."""
        rows = self.eqkp_err.mant
        return np.array([sorted(range(self.n - 1), key=lambda p, r=r: (int(r[p]), p)) for r in rows], dtype=np.int64).reshape(
            self.V, self.n - 1
        )


@dataclass
class OutputSide:
    """Exact OV and direct-path quantities (docs §7.2), all V or V×V, at their own exponents."""

    L: Dyadic  # L_m[j] = EU[j] − EU[m] + P*[m,j], [m, j]
    R: Dyadic  # R_m[j] = EVOU[m,j] − EVOU[m,m], [m, j]
    D: Dyadic  # rowrange(EVOU[t,:]), [t]
    dEU: Dyadic  # ΔEU[q]
    mu: Dyadic | None  # the EUPU centre (a choice), when the rule has one


def output_side(eupu: str, pc: Pieces) -> OutputSide:
    """The `eupu` rule's EU, ΔEU and the OV terms L, R, D."""
    U, V = pc.U, pc.V
    mu: Dyadic | None = None
    if eupu in ("mean_query+max_diff", "svd_query+max_diff", "max_diff"):
        if eupu == "mean_query+max_diff":
            mu = mean_rows(pc.Eq)
        elif eupu == "svd_query+max_diff":  # the paper's direction, subtracted as a vector (spec §9.3)
            Ebar = pc.E + mean_rows(pc.P).row()
            u0 = np.linalg.svd((Ebar @ U).to_float64())[0][:, 0]
            u0 = u0 if u0.sum() >= 0 else -u0
            mu = Dyadic.from_float(u0 @ Ebar.to_float64())
        if mu is None:  # max_diff: μ = 0
            EU = Dyadic(np.zeros(V, dtype=object), 0)
            dEU = (pc.Eq.abs() @ U.rowrange().col()).flat()
        else:
            EU = (mu.row() @ U).flat()
            dEU = ((pc.Eq - mu.row()).abs() @ U.rowrange().col()).flat()
    else:
        EU = Dyadic(np.zeros(V, dtype=object), 0)
        ranges = pc.EUPU.rowrange()
        dEU = ranges if eupu == "max_diff_exact" else broadcast_max(ranges, V)
    Pstar = Dyadic(p_star(pc.PVOU.mant), pc.PVOU.exp)
    EUc = Dyadic(EU.mant[None, :] - EU.mant[:, None], EU.exp)  # [m, j] = EU[j] − EU[m]
    EV = pc.EVOU
    R = Dyadic(EV.mant - np.diag(EV.mant)[:, None], EV.exp)
    return OutputSide(EUc + Pstar, R, EV.rowrange(), dEU, mu)


def p_star(PV: np.ndarray) -> np.ndarray:
    """P*[m, j] = max_p (PV[p,j] − PV[p,m]), one position at a time (V×V memory)."""
    out = PV[0][None, :] - PV[0][:, None]
    for row in PV[1:]:
        out = np.maximum(out, row[None, :] - row[:, None])
    return out


def broadcast_max(x: Dyadic, n: int) -> Dyadic:
    """max of x, repeated n times."""
    return Dyadic(np.full(n, x.mant.max(), dtype=object), x.exp)
