"""An independent, slow reference for the induction task's tests: the model evaluated literally, input by input.

It follows the transformer's definition (embeddings, both attention layers with softmax, unembedding) in mpmath
interval arithmetic from the weight mantissas, sharing no code with mechproof's tables, float evaluation, rules or
strategies. It enumerates the input space itself. Only for tiny configurations.
"""

from __future__ import annotations

import itertools

import torch
from mpmath import iv

from mechproof.config import TrainConfig
from mechproof.tasks.induction.config import InductionConfig
from mechproof.tasks.induction.training import train
from mechproof.weights import ExactWeights, from_torch


def all_inputs(V: int, n: int):  # noqa: ANN201 - generator of token tuples
    """Every input of the task: distinct x_0 … x_{n−2}, and x_{n−1} = x_i for each i ≤ n−3."""
    for prefix in itertools.permutations(range(V), n - 1):
        for i in range(n - 2):
            yield prefix + (prefix[i],)


def _matrix(w: ExactWeights, name: str) -> list[list]:
    t = w.tensors[name]
    rows, cols = t.shape[-2], t.shape[-1]
    vals = [iv.ldexp(iv.mpf(m), t.exponent) for m in t.mantissas]
    return [vals[r * cols : (r + 1) * cols] for r in range(rows)]


def _vm(v: list, M: list) -> list:
    return [sum((v[i] * M[i][j] for i in range(len(v))), iv.mpf(0)) for j in range(len(M[0]))]


def _dot(a: list, b: list):  # noqa: ANN202
    return sum((x * y for x, y in zip(a, b)), iv.mpf(0))


def logit_gaps(w: ExactWeights, tokens: tuple[int, ...], prec: int = 160) -> list:
    """[logit_c − logit_a for every c ≠ a] as mpmath intervals (a the answer x_{i+1})."""
    old = iv.prec
    iv.prec = prec
    try:
        cfg = w.cfg
        n = len(tokens)
        E, P, U = _matrix(w, "W_E"), _matrix(w, "W_pos"), _matrix(w, "W_U")
        L = [{x: _matrix(w, f"blocks.{k}.attn.W_{x}") for x in "QKVO"} for k in (0, 1)]
        scale = 1 / iv.sqrt(iv.mpf(cfg.d_head))
        r0 = [[E[t][d] + P[p][d] for d in range(cfg.d_model)] for p, t in enumerate(tokens)]
        q1 = [_vm(x, L[0]["Q"]) for x in r0]
        k1 = [_vm(x, L[0]["K"]) for x in r0]
        v1 = [_vm(_vm(x, L[0]["V"]), L[0]["O"]) for x in r0]
        r1 = []
        for p in range(n):
            s = [_dot(q1[p], k1[l]) * scale for l in range(p + 1)]
            top = max(float(x.mid) for x in s)
            e = [iv.exp(x - top) for x in s]
            tot = sum(e, iv.mpf(0))
            r1.append([r0[p][d] + sum((e[l] * v1[l][d] for l in range(p + 1)), iv.mpf(0)) / tot for d in range(cfg.d_model)])
        q2 = _vm(r1[-1], L[1]["Q"])
        s2 = [_dot(q2, _vm(x, L[1]["K"])) * scale for x in r1]
        top = max(float(x.mid) for x in s2)
        e2 = [iv.exp(x - top) for x in s2]
        tot = sum(e2, iv.mpf(0))
        out2 = [sum((e2[k] * y[d] for k, y in enumerate(_vm(x, L[1]["V"]) for x in r1)), iv.mpf(0)) / tot for d in range(cfg.d_head)]
        final = [a + b for a, b in zip(r1[-1], _vm(out2, L[1]["O"]))]
        logits = _vm(final, U)
        i = tokens[: n - 2].index(tokens[-1])
        a = tokens[i + 1]
        return [logits[c] - logits[a] for c in range(cfg.d_vocab) if c != a]
    finally:
        iv.prec = old


def verdict(w: ExactWeights, tokens: tuple[int, ...]) -> bool | None:
    """True if the answer's logit is strictly largest, False if not, None if undecided at this precision."""
    gaps = logit_gaps(w, tokens)
    if any(g.a >= 0 for g in gaps):
        return False
    if all(g.b < 0 for g in gaps):
        return True
    return None


def tiny_model(seed: int = 1, steps: int = 300, V: int = 5, n: int = 4, noise: float = 0.0) -> ExactWeights:
    """A quickly trained tiny induction model (d_model 8, d_head 4), optionally with noise on every weight."""
    cfg = InductionConfig(d_vocab=V, n_ctx=n, d_model=8, d_head=4)
    tcfg = TrainConfig(seed=seed, steps=steps, batch_size=64, lr=3e-3, weight_decay=1e-4, beta1=0.9, beta2=0.98)
    tensors = train(cfg, tcfg).model.named_tensors()
    if noise:
        g = torch.Generator().manual_seed(seed + 7)
        tensors = {k: v + noise * torch.randn(v.shape, generator=g) for k, v in tensors.items()}
    return from_torch(cfg, tensors, seed=seed)
