"""The producer's input rule (docs §8) against independent oracles: the rule transliterated with the checker's
exp_bounds, the literal mpmath model, and brute force on seed 42."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechproof.config import ModelConfig
from mechproof.intervals import inv_sqrt_claim
from mechproof.tasks.maxk.bruteforce import input_index, input_tokens
from mechproof.tasks.maxk.strategies import inputs
from mechproof.tasks.maxk.strategies.inputs import context, decide_inputs, decide_tokens
from reference import index, input_rule, small_model, verdicts


def _all(V: int, n: int) -> np.ndarray:
    return np.arange(V**n, dtype=np.int64)


def _agrees_with_rule(w, right, witness) -> None:  # noqa: ANN001
    """Ours right ⟺ the rule's right; our witness is one the rule accepts; the rule's wrong inputs are ours."""
    V = w.cfg.d_vocab
    rule = input_rule(w, inv_sqrt_claim(w.cfg.d_head))
    for tokens, (r, wrong) in rule.items():
        x = index(tokens, V)
        assert right[x] == r, f"right? differs on {tokens}"
        if wrong:
            assert witness[x] in wrong, f"{tokens}: witness {witness[x]} not among {sorted(wrong)}"
            best = max(wrong.values())
            assert wrong[witness[x]] >= best - abs(best) * 1e-9, f"{tokens}: witness far from the best lo_j"
        else:
            assert witness[x] == -1, f"{tokens}: witness {witness[x]} but the rule finds no j with lo_j ≥ 0"


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    steps=st.sampled_from([1, 60, 400]),
    noise=st.sampled_from([0.0, 0.3]),
    shape=st.sampled_from([(6, 3, 8, 4), (5, 4, 6, 6), (8, 3, 8, 8), (4, 2, 4, 4)]),
)
@pytest.mark.slow
def test_matches_the_rule_and_the_model_on_small_models(seed, steps, noise, shape):
    V, n, d_model, d_head = shape
    w = small_model(ModelConfig(d_vocab=V, n_ctx=n, d_model=d_model, d_head=d_head), seed, steps, noise)
    right, witness = decide_inputs(w, _all(V, n))
    assert not np.any(right & (witness >= 0))
    assert np.all((witness == -1) | ((witness >= 0) & (witness < V)))
    _agrees_with_rule(w, right, witness)
    truth = verdicts(w)
    for tokens, v in truth.items():
        x = index(tokens, V)
        if right[x]:
            assert v is True, f"{tokens} proven right but the model is not"
        if witness[x] >= 0:
            assert v is False, f"{tokens} proven wrong but the model is right"
            assert witness[x] != max(tokens)


def test_exact_settlement_alone_gives_the_same_verdicts(monkeypatch):
    """With the float pass disabled every input is settled exactly; the verdicts must still be the rule's."""
    w = small_model(ModelConfig(d_vocab=5, n_ctx=3, d_model=6, d_head=6), seed=3, steps=300, noise=0.2)
    inputs._CACHE.clear()

    def undecided(fm, t, right_only=False):  # noqa: ANN001, ANN202
        return np.zeros(len(t), dtype=bool), np.full(len(t), -1, dtype=np.int64)

    monkeypatch.setattr(inputs, "decide_float", undecided)
    right, witness = decide_inputs(w, _all(5, 3))
    _agrees_with_rule(w, right, witness)


def test_a_constant_model_is_wrong_everywhere():
    """W_U = 0: every logit is equal, a tie on every input, which the rule calls wrong (lo_j = 0 ≥ 0)."""
    from dataclasses import replace

    w = small_model(ModelConfig(d_vocab=5, n_ctx=3, d_model=6, d_head=6), seed=1, steps=50)
    U = w.tensors["W_U"]
    w = replace(w, tensors={**w.tensors, "W_U": replace(U, mantissas=(0,) * len(U.mantissas))})
    right, witness = decide_inputs(w, _all(5, 3))
    assert not right.any()
    assert np.all(witness >= 0)


def test_tokens_and_indices_round_trip():
    x = np.array([0, 1, 63, 64, 64**4 - 1, 123456], dtype=np.int64)
    t = input_tokens(x, 64, 4)
    assert t[3].tolist() == [0, 1, 0, 0] and t[4].tolist() == [63] * 4
    assert input_index(t, 64).tolist() == x.tolist()


def test_rejects_bad_inputs(seed42):
    with pytest.raises(ValueError):
        decide_inputs(seed42, np.array([64**4]))
    with pytest.raises(ValueError):
        decide_tokens(seed42, np.array([[0, 1, 2]]))


def test_cached_by_weights(seed42):
    assert context(seed42) is context(seed42)


@pytest.mark.slow
def test_seed42_every_input_as_brute_force(seed42, seed42_right):
    right, witness = decide_inputs(seed42, _all(64, 4))
    assert int(right.sum()) == 16_765_711
    assert int((witness >= 0).sum()) == 11_505
    assert not np.any(~right & (witness < 0)), "undecided inputs"
    assert np.array_equal(right, seed42_right)
