"""Sound brute force over every input of the induction task, and estimates with exact intervals beyond.

Every input is decided by the float evaluation of fastmodel.py, whose verdicts are proven (its error bound); the
few it leaves open are decided by the exact input rule of docs/certificate.md §11.4 (the checker's own code), and
an input even that cannot decide (a tie within 2^−90) is counted wrong and reported as `unresolved`. Inputs are
enumerated by prefix (x_0 … x_{n−2} in rank order, the n−2 inputs of a prefix together), so layer 1 at the
positions before n−1 is computed once per prefix.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from ...estimate import AccuracyEstimate, clopper_pearson
from ...weights import ExactWeights
from .checker.inputs import InputRule
from .checker.tables import Tables
from .fastmodel import FastModel
from .space import n_inputs, tokens_of

CHUNK = 1 << 13  # prefixes per evaluation step
MAX_INPUTS = 1 << 30
"""Brute force refuses larger input spaces (n = 8 has 3.5·10^8 inputs; n = 10 has 3.3·10^10): estimate instead."""


@dataclass(frozen=True)
class BruteForceResult:
    correct: int
    total: int
    wrong: np.ndarray  # int64 indices of the wrong inputs, ascending
    settled: int  # inputs the float pass left to the exact rule
    unresolved: int  # of those, undecided by the exact rule too (counted wrong)
    seconds: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.total


def prefixes(ranks: np.ndarray, V: int, m: int) -> np.ndarray:
    """The prefixes (distinct tokens x_0 … x_{m−1}) of the given ranks (docs §11.1's mixed radix), int64 [k, m]."""
    ranks = np.asarray(ranks, dtype=np.int64)
    k = len(ranks)
    used = np.zeros((k, V), dtype=bool)
    out = np.empty((k, m), dtype=np.int64)
    rows = np.arange(k)
    for p in range(m):
        ranks, c = np.divmod(ranks, V - p)
        free_rank = np.cumsum(~used, axis=1) - 1
        t = ((~used) & (free_rank == c[:, None])).argmax(axis=1)
        out[:, p] = t
        used[rows, t] = True
    return out


class _Worker:
    """Decides the inputs of a range of prefix ranks (one per process)."""

    def __init__(self, w: ExactWeights) -> None:
        self.w = w
        self.fm = FastModel(w)
        self.rule: InputRule | None = None

    def settle(self, tokens: tuple[int, ...]) -> bool | None:
        if self.rule is None:
            self.rule = InputRule(Tables(self.w))
        ok, c = self.rule.right(tokens)
        if ok:
            return True
        return False if self.rule.wrong(tokens, c) else None

    def run(self, start: int, stop: int) -> tuple[list[int], int, int]:
        V, n = self.fm.V, self.fm.n
        wrong: list[int] = []
        settled = unresolved = 0
        for lo in range(start, stop, CHUNK):
            ranks = np.arange(lo, min(stop, lo + CHUNK), dtype=np.int64)
            pre = prefixes(ranks, V, n - 1)
            right, bad, _ = self.fm.decide_prefixes(pre)
            idx = (n - 2) * ranks[:, None] + np.arange(n - 2)[None, :]
            wrong += idx[bad].tolist()
            for b, i in zip(*np.nonzero(~right & ~bad)):
                settled += 1
                tokens = tuple(int(t) for t in pre[b]) + (int(pre[b, i]),)
                verdict = self.settle(tokens)
                if verdict is None:
                    unresolved += 1
                if not verdict:
                    wrong.append(int(idx[b, i]))
        return wrong, settled, unresolved


_WORKER: _Worker | None = None


def _init(w: ExactWeights) -> None:
    global _WORKER
    _WORKER = _Worker(w)


def _run(span: tuple[int, int]) -> tuple[list[int], int, int]:
    assert _WORKER is not None
    return _WORKER.run(*span)


def brute_force(w: ExactWeights, workers: int = 1) -> BruteForceResult:
    """The exact number of inputs the model gets right (docs §11.1), soundly; `workers` processes."""
    start = time.perf_counter()
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    total = n_inputs(V, n)
    if total > MAX_INPUTS:
        raise ValueError(f"{total} inputs is beyond brute force (limit {MAX_INPUTS}); estimate by sampling instead")
    n_pre = math.perm(V, n - 1)
    if workers <= 1:
        parts = [_Worker(w).run(0, n_pre)]
    else:
        step = -(-n_pre // (workers * 16))
        spans = [(lo, min(n_pre, lo + step)) for lo in range(0, n_pre, step)]
        with ProcessPoolExecutor(workers, initializer=_init, initargs=(w,)) as pool:
            parts = list(pool.map(_run, spans))
    wrong = np.sort(np.array([x for p in parts for x in p[0]], dtype=np.int64))
    return BruteForceResult(
        total - len(wrong), total, wrong, sum(p[1] for p in parts), sum(p[2] for p in parts), time.perf_counter() - start
    )


def estimate_accuracy(w: ExactWeights, samples: int, sample_seed: int = 0, confidence: float = 0.95) -> AccuracyEstimate:
    """An estimate from `samples` uniform inputs (uniform indices, numpy PCG64 with the sample seed), each decided
    exactly as brute force decides it, with the exact Clopper–Pearson interval (mechproof.estimate)."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    start = time.perf_counter()
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rng = np.random.Generator(np.random.PCG64(sample_seed))
    idx = rng.integers(0, n_inputs(V, n), size=samples)
    worker = _Worker(w)
    correct = settled = ties = 0
    for lo in range(0, samples, CHUNK):
        tok = tokens_of(idx[lo : lo + CHUNK], V, n)
        right, bad, _ = worker.fm.decide(tok)
        correct += int(right.sum())
        for b in np.flatnonzero(~right & ~bad):
            settled += 1
            verdict = worker.settle(tuple(int(t) for t in tok[b]))
            ties += verdict is None
            correct += bool(verdict)
    low, high = clopper_pearson(correct, samples, confidence)
    return AccuracyEstimate(samples, correct, low, high, confidence, sample_seed, settled, ties, time.perf_counter() - start)
