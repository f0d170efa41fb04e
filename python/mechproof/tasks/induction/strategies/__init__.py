"""The induction task's proof strategies (docs/certificate.md §11.5–§11.6).

* `windows`: cases by (query q, match position i, answer a), each proven by the window bounds of §11.5, refined
  by the tokens at up to `depth` more positions where a case fails; polynomial in V and n for a fixed depth
  (O(V^(3+depth)·n) cases of O(V²·n²) work each). Inputs its cases leave out are not covered.
* `windows+residual`: the same cases, and every input they leave out decided one by one by the input rule
  (§11.4): right ones in `residual`, wrong ones in `wrong`. It certifies the exact accuracy (lower = upper).

`prove(w, name, depth, upper, workers)` returns a mechproof.strategies.ProofOutput for the certificate writer.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

from ....strategies import ProofOutput
from ....weights import ExactWeights
from ..checker import Context
from ..checker.inputs import InputRule
from ..fastmodel import FastModel
from ..space import index_of, n_inputs
from .groups import GroupProof, prove_group

VERSION = 3
NAMES = ("windows", "windows+residual")
DEFAULT_DEPTH = 1


@dataclass(frozen=True)
class StrategyInfo:
    name: str
    complexity: str


STRATEGIES = {
    "windows": StrategyInfo("windows", "O(V^(3+depth)·n) cases × O(V²·n²) each"),
    "windows+residual": StrategyInfo("windows+residual", "windows + every uncovered input by the input rule"),
}

_CTX: Context | None = None


def _init(w: ExactWeights) -> None:
    global _CTX
    _CTX = Context(w)


def _prove(args: tuple[int, int, int, int, float | None]) -> GroupProof:
    assert _CTX is not None
    return prove_group(_CTX.cases, *args)


def prove_groups(w: ExactWeights, depth: int, workers: int = 1, max_slack: float | None = None) -> list[GroupProof]:
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    jobs = [(q, i, a, depth, max_slack) for q in range(V) for i in range(n - 2) for a in range(V) if a != q]
    if workers <= 1:
        _init(w)
        return [_prove(j) for j in jobs]
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(w,)) as pool:
        return list(pool.map(_prove, jobs, chunksize=8))


CHUNK = 1 << 17
"""Inputs the producer decides at once: the float evaluation's arrays stay within a few hundred MB however many
inputs the cases leave out (tens of millions at n = 8, depth 1)."""


def uncovered_blocks(V: int, n: int, groups: Iterable[GroupProof]) -> Iterator[np.ndarray]:
    """The tokens [k, n] of the inputs of each case the groups left unproven, one block per case."""
    for g in groups:
        for prefix in g.failed:
            known = {g.i: g.q, g.i + 1: g.a, n - 1: g.q}
            known.update(zip(g.order, prefix))
            rest = [p for p in g.order if p not in known]
            tokens = [t for t in range(V) if t not in known.values()]
            base = np.zeros(n, dtype=np.int64)
            for p, t in known.items():
                base[p] = t
            perms = list(itertools.permutations(tokens, len(rest)))
            fill = np.array(perms, dtype=np.int64).reshape(len(perms), len(rest))
            block = np.repeat(base[None, :], len(fill), axis=0)
            block[:, rest] = fill
            yield block


def chunks(blocks: Iterable[np.ndarray], size: int | None = None) -> Iterator[np.ndarray]:
    """The rows of `blocks`, in order, regrouped into arrays of `size` rows (CHUNK by default; the last fewer)."""
    size = size or CHUNK
    pending: list[np.ndarray] = []
    held = 0
    for b in blocks:
        while len(b):
            take = b[: size - held]
            pending.append(take)
            held += len(take)
            b = b[len(take) :]
            if held == size:
                yield np.concatenate(pending)
                pending, held = [], 0
    if held:
        yield np.concatenate(pending)


def uncovered(V: int, n: int, groups: Iterable[GroupProof]) -> np.ndarray:
    """All the tokens [k, n] of uncovered_blocks in one array."""
    out = list(uncovered_blocks(V, n, groups))
    return np.concatenate(out) if out else np.zeros((0, n), dtype=np.int64)


def decide_inputs(w: ExactWeights, tokens: np.ndarray | Iterable[np.ndarray]) -> tuple[list[int], list[tuple[int, int]]]:
    """(right indices, [(wrong index, witness)]) of the inputs the input rule (§11.4) decides, ascending; the float
    evaluation (fastmodel.py, proven verdicts) first, the exact rule for what it leaves open. `tokens`: one [k, n]
    array or an iterable of them (decided CHUNK rows at a time)."""
    V = w.cfg.d_vocab
    fast = None
    rule = None
    right_parts: list[np.ndarray] = []
    wrong: dict[int, int] = {}
    for chunk in chunks([tokens] if isinstance(tokens, np.ndarray) else tokens):
        fast = fast or FastModel(w)
        right, bad, witness = fast.decide(chunk)
        idx = index_of(chunk, V)
        right_parts.append(idx[right])
        wrong.update(zip(idx[bad].tolist(), witness[bad].tolist()))
        for b in np.flatnonzero(~right & ~bad):
            rule = rule or InputRule(Context(w).tables)
            tk = tuple(int(t) for t in chunk[b])
            r, c = rule.right(tk)
            if r:
                right_parts.append(idx[b : b + 1])
            elif rule.wrong(tk, c):
                wrong[int(idx[b])] = c
    ok = np.unique(np.concatenate(right_parts)) if right_parts else np.zeros(0, dtype=np.int64)
    return ok.tolist(), sorted(wrong.items())


def deltas(xs: list[int]) -> list[int]:
    return [x - y for x, y in zip(xs, [0] + xs[:-1])]


def prove(w: ExactWeights, name: str = "windows", depth: int = DEFAULT_DEPTH, upper: bool = False, workers: int = 1,
          max_slack: float | None = None) -> ProofOutput:  # fmt: skip
    """The certificate's claims for strategy `name` (docs §11.5–§11.6); `upper` adds the `wrong` claim.
    `max_slack` (a producer choice, not part of the certificate): at the last refinement step, split only the
    failing cases whose logit test fails by at most this many logits (groups.prove_group)."""
    if name not in STRATEGIES:
        raise KeyError(f"unknown induction strategy {name!r}; known: {', '.join(STRATEGIES)}")
    start = time.perf_counter()
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    groups = prove_groups(w, depth, workers, max_slack)
    entries = [g.entry() for g in groups if g.cases]  # a group with no proven case is left out
    claims: dict = {"cases": {"rule": "induction-cases", "entries": entries}}
    correct = sum(g.covered for g in groups)
    residual = name == "windows+residual"
    up = None
    if residual or upper:
        right, wrong = decide_inputs(w, uncovered_blocks(V, n, groups))
        if residual:
            claims["residual"] = {"rule": "inputs-right", "inputs": deltas(right)}
            correct += len(right)
        claims["wrong"] = {"rule": "inputs-wrong", "inputs": deltas([x for x, _ in wrong]), "witness": [c for _, c in wrong]}
        up = n_inputs(V, n) - len(wrong)
    stem = name.replace("+", "-") + ("" if residual or not upper else "-upper")
    return ProofOutput(
        name, claims, correct, n_inputs(V, n), time.perf_counter() - start, {"depth": depth}, stem, VERSION, up
    )  # fmt: skip
