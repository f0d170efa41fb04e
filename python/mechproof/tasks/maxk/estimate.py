"""Max-of-K accuracy *estimates* by uniform sampling, for configurations whose V^K inputs are beyond brute force.

Nothing here is certified. Each sampled input's verdict is exact (the brute force's sound float pass, with
undecided inputs settled by interval arithmetic and exact ties counted wrong), so the number of correct samples
is an exact Binomial(N, accuracy) draw; the interval is the exact two-sided Clopper–Pearson interval for it,
rounded outward (mechproof.estimate). A statement like "the accuracy lies in [low, high]" holds with the stated
confidence over the choice of sample, not with certainty: keep it apart from certified bounds (`kind = "estimate"`).

The sample is N i.i.d. uniform inputs (with replacement) from numpy's PCG64 seeded with the sample seed, drawn in
fixed-size blocks, so the same seed and N give the same inputs on any machine with the same numpy stream.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from tqdm import tqdm

from ...estimate import AccuracyEstimate, clopper_pearson
from ...weights import ExactWeights
from .bruteforce import FloatModel

_BLOCK = 1 << 12  # inputs drawn per step (fixed: it is part of what makes a sample reproducible)
_ROWS = 1 << 21  # float64 values per evaluation step (16 MiB)


def sample_inputs(d_vocab: int, n_ctx: int, samples: int, seed: int) -> np.ndarray:
    """`samples` uniform inputs [samples, n_ctx] (int64), deterministic in (seed, samples, block size)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    blocks = [rng.integers(0, d_vocab, size=(min(_BLOCK, samples - lo), n_ctx)) for lo in range(0, samples, _BLOCK)]
    return np.concatenate(blocks) if blocks else np.zeros((0, n_ctx), dtype=np.int64)


def input_verdicts(
    w: ExactWeights, tokens: np.ndarray, device: str | None = None, progress: bool = False
) -> tuple[np.ndarray, int, int]:
    """Exact verdicts (right?) for the given inputs [k, n_ctx]; returns (verdicts, settled, ties)."""
    fm = FloatModel(w, device)
    out = np.zeros(len(tokens), dtype=bool)
    settled = ties = 0
    block = max(1, _ROWS // (w.cfg.n_ctx * w.cfg.d_vocab))  # the float pass holds block·n·V float64 values
    for lo in tqdm(range(0, len(tokens), block), desc="sample", disable=not progress, unit="block"):
        chunk = np.asarray(tokens[lo : lo + block], dtype=np.int64)
        ok, bad = fm.decide_inputs(torch.tensor(chunk, device=fm.dev))
        ok, bad = ok.cpu().numpy(), bad.cpu().numpy()
        open_ = np.flatnonzero(~(ok | bad))
        ok[open_], n_settled, n_ties = fm.settle_all(chunk[open_])
        settled += n_settled
        ties += n_ties
        out[lo : lo + len(chunk)] = ok
    return out, settled, ties


def estimate_accuracy(
    w: ExactWeights,
    samples: int,
    sample_seed: int = 0,
    confidence: float = 0.95,
    device: str | None = None,
    progress: bool = False,
) -> AccuracyEstimate:
    """Estimate the accuracy from `samples` uniform inputs, with an exact Clopper–Pearson interval."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    start = time.perf_counter()
    tokens = sample_inputs(w.cfg.d_vocab, w.cfg.n_ctx, samples, sample_seed)
    verdicts, settled, ties = input_verdicts(w, tokens, device, progress)
    correct = int(verdicts.sum())
    low, high = clopper_pearson(correct, samples, confidence)
    return AccuracyEstimate(
        samples, correct, low, high, confidence, sample_seed, settled, ties, time.perf_counter() - start
    )
