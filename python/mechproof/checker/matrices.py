"""The checker's own exact matrices (docs/certificate.md §2), from the weight mantissas with Python ints.

Written independently of mechproof.exact (the producer's numpy version): plain nested lists, so that a bug in one
cannot hide in the other. A matrix is (rows, exp): a list of lists of ints and one power-of-two exponent.
"""

from __future__ import annotations

from ..weights import ExactWeights
from .arith import count

Mat = tuple[list[list[int]], int]


def tensor(w: ExactWeights, name: str) -> Mat:
    """A weight tensor as a matrix; the single-head axis of W_Q/W_K/W_V/W_O is dropped."""
    t = w.tensors[name]
    rows, cols = t.shape[-2], t.shape[-1]
    m = list(t.mantissas)
    return [m[i * cols : (i + 1) * cols] for i in range(rows)], t.exponent


def transpose(a: Mat) -> Mat:
    return [list(col) for col in zip(*a[0])], a[1]


def matmul(a: Mat, b: Mat) -> Mat:
    cols = list(zip(*b[0]))
    count("mul", len(a[0]) * len(cols) * len(b[0]))
    count("add", len(a[0]) * len(cols) * len(b[0]))
    return [[sum(x * y for x, y in zip(row, col)) for col in cols] for row in a[0]], a[1] + b[1]


def add_row(a: Mat, row: list[int], row_exp: int) -> Mat:
    """a + row (broadcast over every row of a), at the smaller exponent."""
    count("add", len(a[0]) * len(row))
    e = min(a[1], row_exp)
    sa, sr = 1 << (a[1] - e), 1 << (row_exp - e)
    return [[x * sa + y * sr for x, y in zip(r, row)] for r in a[0]], e


def exact_matrices(w: ExactWeights) -> dict[str, Mat]:
    n = w.cfg.n_ctx
    E, P, U = tensor(w, "W_E"), tensor(w, "W_pos"), tensor(w, "W_U")
    Q, K, V, O = (tensor(w, x) for x in ("W_Q", "W_K", "W_V", "W_O"))
    Et = add_row(E, P[0][n - 1], P[1])  # Ẽ = W_E + W_pos[n-1]
    EtQK = matmul(matmul(Et, Q), transpose(K))
    OVU = matmul(matmul(V, O), U)
    return {
        "EUPU": matmul(Et, U),
        "EVOU": matmul(E, OVU),
        "PVOU": matmul(P, OVU),
        "EQKE": matmul(EtQK, transpose(E)),
        "EQKP": matmul(EtQK, transpose(P)),
    }


# ------------------------------------------------------------------ helpers of the subcubic checker (docs §7)
Vec = tuple[list[int], int]
"""An exact vector: (entries, exp), entry i = entries[i]·2^exp."""


def shape(a: Mat) -> tuple[int, int]:
    rows = a[0]
    return len(rows), (len(rows[0]) if rows else 0)


def mat_add(a: Mat, b: Mat, sign: int = 1) -> Mat:
    """a + sign·b (same shape), at the smaller exponent."""
    count("add", len(a[0]) * (len(a[0][0]) if a[0] else 0))
    e = min(a[1], b[1])
    sa, sb = 1 << (a[1] - e), sign << (b[1] - e)
    return [[x * sa + y * sb for x, y in zip(ra, rb)] for ra, rb in zip(a[0], b[0])], e


def zeros(rows: int, cols: int) -> Mat:
    return [[0] * cols for _ in range(rows)], 0


def vecmat(v: Vec, a: Mat) -> Vec:
    """Row vector times matrix: v·a."""
    rows = a[0]
    cols = len(rows[0]) if rows else 0
    count("mul", len(rows) * cols)
    count("add", len(rows) * cols)
    out = [0] * cols
    for x, row in zip(v[0], rows):
        if x:
            for j, y in enumerate(row):
                out[j] += x * y
    return out, v[1] + a[1]


def vec_rescale(v: Vec, e: int) -> Vec:
    s = 1 << (v[1] - e)
    return [x * s for x in v[0]], e
