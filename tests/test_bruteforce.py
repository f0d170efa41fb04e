"""Sound brute force: agrees with an independent exact reference, and near-ties are settled exactly."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechproof.bruteforce import brute_force, settle
from mechproof.config import ModelConfig
from mechproof.exact import exact_matrices
from mechproof.model import MaxOfKTransformer
from mechproof.weights import from_torch
from reference import small_model, verdicts

TINY = ModelConfig(d_vocab=5, n_ctx=3, d_model=6, d_head=4)


def test_seed42_accuracy_is_high_and_matches_float64_forward(seed42):
    res = brute_force(seed42, progress=False)
    assert res.total == 64**4
    assert res.accuracy >= 0.99
    # A plain float64 forward pass of the torch model on a random sample agrees with the exact verdicts
    # everywhere the margin is not tiny; here: the counts on a sample of 2^16 inputs agree exactly.
    model = MaxOfKTransformer.from_tensors(seed42.cfg, seed42.to_torch()).double()
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 64, (1 << 16, 4), generator=g)
    with torch.no_grad():
        float_ok = (model(x).argmax(1) == x.max(1).values).sum().item()
    assert float_ok / len(x) >= 0.99


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), steps=st.sampled_from([0, 40, 150]), noise=st.sampled_from([0.0, 0.3]))
def test_brute_force_equals_reference_on_tiny_models(seed, steps, noise):
    w = small_model(TINY, seed, steps, noise) if steps else small_model(TINY, seed, 1, 1.0)
    ref = verdicts(w)
    assert None not in ref.values()
    res = brute_force(w, progress=False)
    assert res.correct == sum(ref.values())
    assert res.total == len(ref)


def _direct_path_model(delta: float):
    """W_V = 0, so logits = (W_E[q] + W_pos[last]) W_U. Token 3 as query gives logit_3 = 1 and
    logit_2 = 1 + delta: a near-tie that float32 cannot resolve when |delta| is tiny."""
    cfg = ModelConfig(d_vocab=4, n_ctx=2, d_model=4, d_head=2)
    g = torch.Generator().manual_seed(0)
    t = {k: torch.randn(s, generator=g) * 0.5 for k, s in cfg.tensor_shapes().items()}
    t["W_V"] = torch.zeros(cfg.tensor_shapes()["W_V"])
    t["W_pos"] = torch.zeros(cfg.tensor_shapes()["W_pos"])
    t["W_E"] = torch.eye(4)
    U = torch.eye(4) * 4.0  # token t → logit t is 4, others 0
    U[3, 3] = 1.0
    U[3, 2] = 1.0 + delta
    t["W_U"] = U
    return from_torch(cfg, t)


@pytest.mark.parametrize(
    "delta, expect_right",
    [(2.0**-22, False), (-(2.0**-22), True), (0.0, False)],
    ids=["wrong-by-2^-22", "right-by-2^-22", "exact-tie"],
)
def test_near_tie_is_settled_exactly(delta, expect_right):
    w = _direct_path_model(delta)
    mats = exact_matrices(w)
    # the inputs with query token 3 and max 3 are (t0, 3); for t0 = 3 the only competitor is logit 2
    verdict = settle(mats, w.cfg.d_head, (3, 3))
    assert verdict is expect_right  # an exact tie is proven a tie: wrong
    res = brute_force(w, progress=False, dtype=torch.float32)
    ref = verdicts(w)
    assert res.correct == sum(v is True for v in ref.values())
    assert res.undecided_by_float >= 1  # the soundness path was exercised, not just present
    assert ref[(3, 3)] is expect_right
    assert res.unresolved == 0
