"""Bounds on layer-1 mixtures over what a case leaves free (docs/certificate.md §11.5.2), vectorized over rows.

Layer 1 at position p forms Σ_{l≤p} β_l·X(x_l, l) for a linear image X of its output, β the row's softmax. A case
knows the tokens at some positions (the known columns) and leaves the others free (any token of a set). With the
known positions' weights normalized among themselves, the mixture is X̄_Kn + θ·(X̄_R − X̄_Kn) where
θ = W_R/(W_Kn + W_R) ∈ [0, θ̄] and X̄_R lies between the least and largest free entry, so it lies in
[L − θ̄·max(0, U − m_R), U + θ̄·max(0, M_R − L)] for any enclosure [L, U] of X̄_Kn. Integers at precision FC.
"""

from __future__ import annotations

import numpy as np

from ....checker.arith import count
from .casetables import FC


def ceil_shift(x: np.ndarray) -> np.ndarray:
    """⌈x/2^FC⌉."""
    return -((-x) >> FC)


class Rows:
    """The scalars of k layer-1 rows (one per window), each restricted to m known columns and some free positions.

    w_lo, w_hi: int64 [k, m] the known columns' weight enclosures; w_free: int64 [k] Σ over free positions of the
    largest weight any allowed token can have there (W̄_R). β_lo = ⌊w_lo·2^FC/Σw_hi⌋, β_hi = ⌈w_hi·2^FC/Σw_lo⌉
    enclose the normalized known weights; θ̄ = ⌈W̄_R·2^FC/(Σw_lo + W̄_R)⌉ (θ̄ = 0 without free positions). β_hi and
    θ̄ are capped at 2^FC (both true values are at most 1), which also covers Σw_lo = 0."""

    def __init__(self, w_lo: np.ndarray, w_hi: np.ndarray, w_free: np.ndarray) -> None:
        s_lo = w_lo.sum(axis=1, keepdims=True)
        s_hi = w_hi.sum(axis=1, keepdims=True)
        self.beta = (w_lo << FC) // s_hi
        one = 1 << FC
        beta_hi = np.minimum(-((-(w_hi << FC)) // np.maximum(s_lo, 1)), one)
        self.width = (beta_hi - self.beta).sum(axis=1)  # Σ (β_hi − β_lo)
        self.beta_sum = self.beta.sum(axis=1)
        s_lo = s_lo[:, 0]
        self.theta = np.where(w_free > 0, np.minimum(-((-(w_free << FC)) // np.maximum(s_lo + w_free, 1)), one), 0)
        count("mul", 4 * w_lo.size + 2 * len(w_free))
        count("add", 4 * w_lo.size + 2 * len(w_free))

    def bounds(self, X: np.ndarray, xmax: int, r_max: np.ndarray | None, r_min: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Upper (with r_max) and lower (with r_min) bounds at precision FC of the mixture of entries X̂:
        X int64 [k, m, ...] (the known columns' X̂ per row), r_max/r_min int64 [...] the largest/least X̂ over the
        free positions' allowed tokens (broadcast against X[:, 0]); xmax ≥ every |X̂| + 1."""
        s = np.einsum("km,km...->k...", self.beta, X)  # Σ_m β_lo·X̂ per row (exact int64)
        ext = (1,) * (X.ndim - 2)
        width = (self.width * xmax).reshape((-1,) + ext)
        hi = s + (self.beta_sum.reshape((-1,) + ext) + width)  # β_lo·1 covers the floors, width the β intervals
        lo = s - width
        theta = self.theta.reshape((-1,) + ext)
        count("mul", 2 * X.size)
        count("add", 2 * X.size)
        upper = lower = None
        if r_max is not None:
            gap = np.maximum(((r_max + 1) << FC) - lo, 0)
            upper = ceil_shift(hi + theta * ceil_shift(gap))
            count("mul", upper.size)
            count("add", 4 * upper.size)
        if r_min is not None:
            gap = np.maximum(hi - (r_min << FC), 0)
            lower = (lo - theta * ceil_shift(gap)) >> FC
            count("mul", lower.size)
            count("add", 4 * lower.size)
        return upper, lower
