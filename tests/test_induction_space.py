"""The induction task's input space and numbering (docs/certificate.md §11.1), the config and the model."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from induction_reference import all_inputs

from mechproof.tasks.induction.checker.inputs import decode as checker_decode
from mechproof.tasks.induction.checker.inputs import n_inputs as checker_n_inputs
from mechproof.tasks.induction.config import CONFIGS, InductionConfig
from mechproof.tasks.induction.model import InductionTransformer
from mechproof.tasks.induction.space import answers, decode, encode, index_of, is_input, n_inputs, sample_batch, tokens_of


def test_the_published_input_counts():
    assert [CONFIGS[c].n_inputs for c in ("ind6", "ind8")] == [2_096_640, 345_945_600]
    assert CONFIGS["ind10"].n_inputs == 16 * 15 * 14 * 13 * 12 * 11 * 10 * 9 * 8 * 8
    assert n_inputs(16, 6) == checker_n_inputs(16, 6) == 2_096_640


@pytest.mark.parametrize("V,n", [(3, 3), (5, 4), (6, 5), (7, 6)])
def test_numbering_is_a_bijection_onto_the_inputs(V, n):
    inputs = list(all_inputs(V, n))
    assert len(inputs) == len(set(inputs)) == n_inputs(V, n)
    idx = sorted(encode(x, V) for x in inputs)
    assert idx == list(range(n_inputs(V, n)))
    tok = tokens_of(np.arange(n_inputs(V, n)), V, n)
    assert [tuple(t) for t in tok.tolist()] == [decode(x, V, n) for x in range(n_inputs(V, n))]
    assert (index_of(tok, V) == np.arange(n_inputs(V, n))).all()
    assert all(is_input(tuple(t), V) for t in tok.tolist())


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_numbering_round_trips_at_n_10(data):
    V, n = 16, 10
    x = data.draw(st.integers(0, n_inputs(V, n) - 1))
    t = decode(x, V, n)
    assert is_input(t, V) and encode(t, V) == x and checker_decode(x, V, n) == t
    assert index_of(np.array([t]), V)[0] == x


def test_the_answer_follows_the_earlier_copy_of_the_query():
    t = np.array([[3, 1, 4, 0, 2, 4]])  # x_5 = x_2 = 4: the answer is x_3 = 0
    assert answers(t)[0] == 0 and answers(torch.tensor(t))[0].item() == 0


def test_training_batches_are_inputs_of_the_task():
    g = torch.Generator().manual_seed(0)
    batch = sample_batch(16, 8, 512, g)
    assert all(is_input(tuple(row), 16) for row in batch.tolist())
    i = (batch[:, :6] == batch[:, 7:]).int().argmax(1)
    assert set(i.tolist()) == set(range(6))  # every match position occurs


def test_config_limits():
    with pytest.raises(ValueError, match="power of 4"):
        InductionConfig(d_head=8)
    with pytest.raises(ValueError, match="n_ctx − 1"):
        InductionConfig(d_vocab=4, n_ctx=6)
    assert InductionConfig().inv_sqrt_log2 == 2 and math.isclose(2.0**-2, 1 / math.sqrt(16))
    assert list(CONFIGS["ind6"].tensor_shapes())[2:6] == [f"blocks.0.attn.W_{x}" for x in "QKVO"]


def test_the_model_matches_a_direct_transcription():
    cfg = InductionConfig(d_vocab=6, n_ctx=5, d_model=8, d_head=4)
    g = torch.Generator().manual_seed(0)
    m = InductionTransformer(cfg)
    m.init_weights(g)
    tok = tokens_of(np.arange(n_inputs(6, 5)), 6, 5)
    with torch.no_grad():
        got = m(torch.tensor(tok))
        T = m.named_tensors()
        for row, t in zip(got[:50], tok[:50]):
            r0 = T["W_E"][t] + T["W_pos"]
            Q, K, V, O = (T[f"blocks.0.attn.W_{x}"][0] for x in "QKVO")
            r1 = []
            for p in range(5):
                s = torch.stack([(r0[p] @ Q) @ (r0[l] @ K) / 2 for l in range(p + 1)])
                a = torch.softmax(s, 0)
                r1.append(r0[p] + sum(a[l] * (r0[l] @ V) for l in range(p + 1)) @ O)
            Q, K, V, O = (T[f"blocks.1.attn.W_{x}"][0] for x in "QKVO")
            s = torch.stack([(r1[4] @ Q) @ (x @ K) / 2 for x in r1])
            a = torch.softmax(s, 0)
            want = (r1[4] + sum(a[k] * (r1[k] @ V) for k in range(5)) @ O) @ T["W_U"]
            assert torch.allclose(row, want, atol=1e-5)


def test_training_is_deterministic():
    """The same seed gives byte-identical weights; another seed other weights."""
    from induction_reference import tiny_model

    a, b = tiny_model(seed=5, steps=40), tiny_model(seed=5, steps=40)
    assert a.sha256 == b.sha256 and tiny_model(seed=6, steps=40).sha256 != a.sha256
