"""The exact V×V and V×n matrices of the proofs, computed with integer arithmetic on the weight mantissas.

Every weight is m·2^e with one exponent per tensor, so a product of tensors is an integer matrix times one power
of two: numpy object arrays of Python ints do the matmuls exactly. These are the producer's matrices; the
independent checker recomputes them with its own code (mechproof.checker.exact_matrices).

Names follow docs/paper.md §4.1 (rows: query/key token or position; columns: output logit or key):
  EUPU = (W_E + W_pos[n-1]) W_U        EVOU = W_E W_V W_O W_U        PVOU = W_pos W_V W_O W_U
  EQKE = (W_E + W_pos[n-1]) W_Q W_K^T W_E^T                           EQKP = (W_E + W_pos[n-1]) W_Q W_K^T W_pos^T
EQKE and EQKP are raw scores: the model divides them by √d_head.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .weights import ExactTensor, ExactWeights


@dataclass(frozen=True)
class Dyadic:
    """An exact matrix: integer entries (numpy object array of Python ints) times 2**exp."""

    mant: np.ndarray
    exp: int

    def __matmul__(self, other: "Dyadic") -> "Dyadic":
        return Dyadic(self.mant.dot(other.mant), self.exp + other.exp)

    @property
    def T(self) -> "Dyadic":
        return Dyadic(self.mant.T, self.exp)

    def __add__(self, other: "Dyadic") -> "Dyadic":
        e = min(self.exp, other.exp)
        return Dyadic(self.mant * (1 << (self.exp - e)) + other.mant * (1 << (other.exp - e)), e)

    def __neg__(self) -> "Dyadic":
        return Dyadic(-self.mant, self.exp)

    def __sub__(self, other: "Dyadic") -> "Dyadic":
        return self + (-other)

    def rowrange(self) -> "Dyadic":
        """max − min of every row (exact)."""
        return Dyadic(self.mant.max(axis=1) - self.mant.min(axis=1), self.exp)

    def abs(self) -> "Dyadic":
        return Dyadic(np.abs(self.mant), self.exp)

    def flat(self) -> "Dyadic":
        return Dyadic(self.mant.reshape(-1), self.exp)

    def row(self) -> "Dyadic":
        """A vector as a 1×k matrix."""
        return Dyadic(self.mant.reshape(1, -1), self.exp)

    def col(self) -> "Dyadic":
        """A vector as a k×1 matrix."""
        return Dyadic(self.mant.reshape(-1, 1), self.exp)

    @staticmethod
    def from_float(x: np.ndarray, bits: int = 40) -> "Dyadic":
        """A dyadic near a float array: entries rounded to multiples of 2^(e) with |max| ≈ 2^bits units.
        For choices (approximation directions, centres), where any value is sound."""
        x = np.asarray(x, dtype=np.float64)
        top = float(np.max(np.abs(x))) if x.size else 0.0
        e = (int(np.floor(np.log2(top))) - bits) if top > 0 else 0
        mant = np.empty(x.shape, dtype=object)
        mant.reshape(-1)[:] = [int(round(v * 2.0 ** (-e))) for v in x.reshape(-1)]
        return Dyadic(mant, e)

    def rescaled(self, exp: int) -> np.ndarray:
        """Integer entries at a smaller exponent `exp` (exact)."""
        assert exp <= self.exp
        return self.mant * (1 << (self.exp - exp))

    def to_float64(self) -> np.ndarray:
        """Nearest float64 of every entry (not an enclosure; see intervals.enclose_dyadic)."""
        return np.array([float(x) for x in self.mant.reshape(-1)], dtype=np.float64).reshape(self.mant.shape) * (
            2.0**self.exp
        )


def weight(t: ExactTensor, head: bool = False) -> Dyadic:
    """A weight tensor as a Dyadic; `head=True` drops the leading n_heads = 1 axis of W_Q/W_K/W_V/W_O."""
    mant = t.as_object_array()
    return Dyadic(mant[0] if head else mant, t.exponent)


@dataclass(frozen=True)
class ExactMatrices:
    EUPU: Dyadic
    EVOU: Dyadic
    PVOU: Dyadic
    EQKE: Dyadic
    EQKP: Dyadic


def exact_matrices(w: ExactWeights) -> ExactMatrices:
    t = w.tensors
    E, P, U = weight(t["W_E"]), weight(t["W_pos"]), weight(t["W_U"])
    Q, K, V, O = (weight(t[name], head=True) for name in ("W_Q", "W_K", "W_V", "W_O"))
    n = w.cfg.n_ctx
    last = Dyadic(P.mant[n - 1 : n, :], P.exp)
    Eq = E + last  # broadcasts the last position's embedding over every query token
    QK = Q @ K.T
    OVU = V @ O @ U
    EqQK = Eq @ QK
    return ExactMatrices(
        EUPU=Eq @ U,
        EVOU=E @ OVU,
        PVOU=P @ OVU,
        EQKE=EqQK @ E.T,
        EQKP=EqQK @ P.T,
    )

