"""The producer's uncovered inputs in chunks (tasks/induction/strategies): the same rows, in the same order, and
the same decisions however they are cut."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from induction_fixtures import model

from mechproof.tasks.induction import strategies
from mechproof.tasks.induction.space import tokens_of


@given(st.lists(st.integers(0, 9), max_size=8), st.integers(1, 7))
def test_chunks_keep_every_row_in_order(sizes, size):
    blocks = []
    start = 0
    for k in sizes:
        blocks.append(np.arange(start, start + k, dtype=np.int64).reshape(k, 1))
        start += k
    out = list(strategies.chunks(blocks, size))
    assert all(len(c) == size for c in out[:-1]) and all(0 < len(c) <= size for c in out)
    got = np.concatenate(out).ravel().tolist() if out else []
    assert got == list(range(start))


def test_deciding_in_chunks_is_deciding_at_once(monkeypatch):
    w = model("mid")
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    tokens = tokens_of(np.arange(0, 1080, 7), V, n)
    whole = strategies.decide_inputs(w, tokens)
    assert whole[0] and whole[1], "not vacuous: both verdicts occur"
    monkeypatch.setattr(strategies, "CHUNK", 10)
    blocks = [tokens[: len(tokens) // 3], tokens[len(tokens) // 3 :]]
    assert strategies.decide_inputs(w, iter(blocks)) == whole
    assert strategies.decide_inputs(w, tokens[:0]) == ([], [])


@pytest.mark.parametrize("depth", [0, 1])
def test_uncovered_is_its_blocks(depth):
    w = model("mid")
    groups = strategies.prove_groups(w, depth)
    blocks = list(strategies.uncovered_blocks(w.cfg.d_vocab, w.cfg.n_ctx, groups))
    assert blocks, "not vacuous"
    assert (strategies.uncovered(w.cfg.d_vocab, w.cfg.n_ctx, groups) == np.concatenate(blocks)).all()
