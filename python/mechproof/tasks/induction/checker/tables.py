"""The checker's exact tables of an induction model (docs/certificate.md §11.3), from the weight mantissas.

Written independently of the producer's (tasks/induction/exact.py): plain lists of Python ints, every product
exact. A table is (rows, exp): a list of lists of ints and one power-of-two exponent. Token t at position p is
row `t·n + p` of every table indexed by a (token, position) pair.
"""

from __future__ import annotations

from functools import cached_property

from ....checker.matrices import Mat, matmul, tensor, transpose
from ....checker.arith import count
from ....weights import ExactWeights


def _layer(w: ExactWeights, layer: int, name: str) -> Mat:
    return tensor(w, f"blocks.{layer}.attn.W_{name}")


def _scale(a: Mat, k: int) -> Mat:
    """a·2^−k (exact: only the exponent changes)."""
    return a[0], a[1] - k


class Tables:
    """Exact tables of one model; each is formed on first use."""

    def __init__(self, w: ExactWeights) -> None:
        self.w = w
        cfg = w.cfg
        self.V, self.n, self.k = cfg.d_vocab, cfg.n_ctx, cfg.inv_sqrt_log2

    def tp(self, t: int, p: int) -> int:
        return t * self.n + p

    @cached_property
    def e(self) -> Mat:
        """r0 = W_E[t] + W_pos[p] for every (t, p) (V·n × d_model)."""
        E, P = tensor(self.w, "W_E"), tensor(self.w, "W_pos")
        ex = min(E[1], P[1])
        se, sp = 1 << (E[1] - ex), 1 << (P[1] - ex)
        rows = [[a * se + b * sp for a, b in zip(E[0][t], P[0][p])] for t in range(self.V) for p in range(self.n)]
        count("add", len(rows) * len(rows[0]))
        return rows, ex

    @cached_property
    def v(self) -> Mat:
        """Layer 1's value output for (t, p): e·W_V1·W_O1 (V·n × d_model)."""
        return matmul(matmul(self.e, _layer(self.w, 0, "V")), _layer(self.w, 0, "O"))

    @cached_property
    def S1(self) -> Mat:
        """Layer-1 scores: S1[(t,p),(t',l)] = e(t,p)·W_Q1·W_K1ᵀ·e(t',l)ᵀ / √d_head (exact, V·n × V·n)."""
        q = matmul(self.e, _layer(self.w, 0, "Q"))
        k = matmul(self.e, _layer(self.w, 0, "K"))
        return _scale(matmul(q, transpose(k)), self.k)

    # ------------------------------------------------------------------ layer-2 images (per-input rule)
    @cached_property
    def qe(self) -> Mat:
        """e(t,p)·W_Q2/√d_head (V·n × d_head); the query uses the rows of position n−1."""
        return _scale(matmul(self.e, _layer(self.w, 1, "Q")), self.k)

    @cached_property
    def qv(self) -> Mat:
        return _scale(matmul(self.v, _layer(self.w, 1, "Q")), self.k)

    @cached_property
    def ke(self) -> Mat:
        return matmul(self.e, _layer(self.w, 1, "K"))

    @cached_property
    def kv(self) -> Mat:
        return matmul(self.v, _layer(self.w, 1, "K"))

    @cached_property
    def OVU(self) -> Mat:
        """W_V2·W_O2·W_U (d_model × V)."""
        return matmul(matmul(_layer(self.w, 1, "V"), _layer(self.w, 1, "O")), tensor(self.w, "W_U"))

    @cached_property
    def ye(self) -> Mat:
        """e(t,p)·W_V2·W_O2·W_U (V·n × V)."""
        return matmul(self.e, self.OVU)

    @cached_property
    def yv(self) -> Mat:
        return matmul(self.v, self.OVU)

    @cached_property
    def ze(self) -> Mat:
        """e(t,p)·W_U (V·n × V): the direct path uses the rows of position n−1."""
        return matmul(self.e, tensor(self.w, "W_U"))

    @cached_property
    def zv(self) -> Mat:
        return matmul(self.v, tensor(self.w, "W_U"))

    # ------------------------------------------------------------------ bilinear layer-2 tables (cases)
    @cached_property
    def PE(self) -> tuple[Mat, Mat]:
        """(A, C): A[(q,n−1)... as rows of qe]·keᵀ and C = qv·keᵀ: the layer-2 score contribution of a query
        component (its own embedding, or layer 1's output of a position) against a key's own embedding."""
        keT = transpose(self.ke)
        return matmul(self.qe, keT), matmul(self.qv, keT)

    @cached_property
    def PV(self) -> tuple[Mat, Mat]:
        """(B, D) = (qe·kvᵀ, qv·kvᵀ): the same against layer 1's output at a key's position."""
        kvT = transpose(self.kv)
        return matmul(self.qe, kvT), matmul(self.qv, kvT)
