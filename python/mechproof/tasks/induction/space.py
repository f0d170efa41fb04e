"""The input space of the induction task and its numbering (docs/certificate.md §11.1).

An input is a token sequence x_0 … x_{n−1} with x_0 … x_{n−2} distinct and x_{n−1} = x_i for a match position
i ≤ n−3; its answer is x_{i+1}. It is numbered by a bijection onto 0 … N−1, N = (n−2)·V!/(V−n+1)!:

    c_p   = #{t < x_p : t ∉ {x_0, …, x_{p−1}}}          (0 ≤ c_p < V − p; the Lehmer digit of the prefix)
    rank  = Σ_{p=0}^{n−2} c_p · Π_{p'<p} (V − p')       (mixed radix, position 0 least significant)
    index = i + (n − 2) · rank

`tokens_of` and `index_of` are the two directions, vectorized; `decode` and `encode` are the plain-int versions
the checker uses.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def n_inputs(V: int, n: int) -> int:
    return math.perm(V, n - 1) * (n - 2)


def decode(x: int, V: int, n: int) -> tuple[int, ...]:
    """Input index → (x_0, …, x_{n−1}), plain Python ints; x must lie in [0, N)."""
    i, rank = x % (n - 2), x // (n - 2)
    free = list(range(V))
    out = []
    for p in range(n - 1):
        rank, c = divmod(rank, V - p)
        out.append(free.pop(c))
    out.append(out[i])
    return tuple(out)


def encode(tokens: tuple[int, ...] | list[int], V: int) -> int:
    """(x_0, …, x_{n−1}) → input index; the tokens must be an input of the task."""
    n = len(tokens)
    rank, radix = 0, 1
    for p in range(n - 1):
        c = tokens[p] - sum(1 for t in tokens[:p] if t < tokens[p])
        rank += c * radix
        radix *= V - p
    return tokens[: n - 2].index(tokens[-1]) + (n - 2) * rank


def match_position(tokens: tuple[int, ...] | list[int]) -> int:
    """i with x_i = x_{n−1}, i ≤ n−3."""
    return list(tokens[:-2]).index(tokens[-1])


def is_input(tokens: tuple[int, ...] | list[int], V: int) -> bool:
    """Is this token sequence an input of the task?"""
    n = len(tokens)
    prefix = list(tokens[:-1])
    return (
        n >= 3
        and all(0 <= t < V for t in tokens)
        and len(set(prefix)) == n - 1
        and tokens[-1] in prefix[: n - 2]
    )


# ------------------------------------------------------------------------------------------------ vectorized
def tokens_of(index: np.ndarray, V: int, n: int) -> np.ndarray:
    """int64 [k, n] tokens of the given indices (int64 [k])."""
    index = np.asarray(index, dtype=np.int64)
    i, rank = index % (n - 2), index // (n - 2)
    k = len(index)
    used = np.zeros((k, V), dtype=bool)
    out = np.empty((k, n), dtype=np.int64)
    rows = np.arange(k)
    for p in range(n - 1):
        rank, c = np.divmod(rank, V - p)
        free_rank = np.cumsum(~used, axis=1) - 1  # among the free tokens, how many come before
        hit = (~used) & (free_rank == c[:, None])
        t = hit.argmax(axis=1)
        out[:, p] = t
        used[rows, t] = True
    out[:, n - 1] = out[rows, i]
    return out


def index_of(tokens: np.ndarray, V: int) -> np.ndarray:
    """int64 [k] indices of inputs given as int64 [k, n] tokens."""
    tokens = np.asarray(tokens, dtype=np.int64)
    n = tokens.shape[1]
    rank = np.zeros(len(tokens), dtype=np.int64)
    radix = 1
    for p in range(n - 1):
        c = tokens[:, p] - (tokens[:, :p] < tokens[:, p : p + 1]).sum(axis=1)
        rank += c * radix
        radix *= V - p
    i = (tokens[:, : n - 2] == tokens[:, n - 1 : n]).argmax(axis=1)
    return i + (n - 2) * rank


def answers(tokens: np.ndarray | torch.Tensor) -> np.ndarray | torch.Tensor:
    """x_{i+1} of each input [k, n] (numpy or torch)."""
    n = tokens.shape[1]
    if isinstance(tokens, torch.Tensor):
        i = (tokens[:, : n - 2] == tokens[:, n - 1 :]).int().argmax(dim=1)
        return tokens.gather(1, (i + 1)[:, None])[:, 0]
    i = (tokens[:, : n - 2] == tokens[:, n - 1 :]).argmax(axis=1)
    return tokens[np.arange(len(tokens)), i + 1]


def sample_batch(V: int, n: int, batch: int, generator: torch.Generator) -> torch.Tensor:
    """`batch` uniform inputs [batch, n] (int64): a uniform distinct prefix (the first n−1 of a random order of the
    V tokens) and a uniform match position i ≤ n−3."""
    order = torch.rand(batch, V, generator=generator).argsort(dim=1, stable=True)[:, : n - 1]
    i = torch.randint(0, n - 2, (batch,), generator=generator)
    return torch.cat([order, order.gather(1, i[:, None])], dim=1)
