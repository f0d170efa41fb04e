"""Accuracy estimates: the Clopper–Pearson interval against exact binomial sums, exact verdicts per sample."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechproof.config import ModelConfig
from mechproof.estimate import clopper_pearson
from mechproof.tasks.maxk.bruteforce import brute_force, input_index
from mechproof.tasks.maxk.estimate import estimate_accuracy, input_verdicts, sample_inputs
from reference import small_model, verdicts


def tail_at_least(k: int, n: int, p: Fraction) -> Fraction:
    """P(X ≥ k), X ~ Bin(n, p), as an exact fraction."""
    return sum((math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)), Fraction(0))


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 30), data=st.data(), confidence=st.sampled_from([0.9, 0.95, 0.99]))
def test_clopper_pearson_ends_solve_the_binomial_tail_equations(n, data, confidence):
    """low: P(X ≥ k | low) = α/2; high: P(X ≤ k | high) = α/2 — checked with exact fractions just inside and
    just outside the returned ends (the ends are rounded outward, by at most ~2^-40 relative)."""
    k = data.draw(st.integers(0, n))
    half = (1 - Fraction(confidence)) / 2
    low, high = clopper_pearson(k, n, confidence)
    assert 0 <= low < high <= 1
    step = Fraction(1, 10**9)
    if k == 0:
        assert low == 0
    else:
        lo = Fraction(low)
        assert tail_at_least(k, n, lo) <= half < tail_at_least(k, n, lo + step)
    if k == n:
        assert high == 1
    else:
        hi = Fraction(high)
        assert 1 - tail_at_least(k + 1, n, hi) <= half < 1 - tail_at_least(k + 1, n, hi - step)


def test_clopper_pearson_closed_forms_and_textbook_value():
    # k = 0: high = 1 − (α/2)^(1/n); k = n: low = (α/2)^(1/n)
    for n in (1, 7, 1000):
        lo, hi = clopper_pearson(0, n)
        assert lo == 0 and hi == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-10)
        lo, hi = clopper_pearson(n, n)
        assert hi == 1 and lo == pytest.approx(0.025 ** (1 / n), rel=1e-10)
    lo, hi = clopper_pearson(3, 10)  # the usual textbook example: 3 successes in 10 trials
    assert (round(lo, 4), round(hi, 4)) == (0.0667, 0.6525)


@pytest.mark.slow
def test_clopper_pearson_large_n_brackets_the_proportion():
    lo, hi = clopper_pearson(999_000, 1_000_000)
    # normal approximation: 0.999 ± 1.96·sqrt(0.999·0.001/1e6) ≈ ± 6.2e-5; the exact interval is close to it
    assert 0.99893 < lo < 0.99894 and 0.99906 < hi < 0.99907


def test_clopper_pearson_rejects_bad_arguments():
    for k, n, c in ((3, 2, 0.95), (-1, 5, 0.95), (1, 0, 0.95), (1, 5, 1.0), (1, 5, 0.0)):
        with pytest.raises(ValueError):
            clopper_pearson(k, n, c)


def test_samples_are_uniform_deterministic_and_seeded():
    a = sample_inputs(64, 10, 10_000, seed=5)
    assert a.shape == (10_000, 10) and a.min() == 0 and a.max() == 63
    assert (a == sample_inputs(64, 10, 10_000, seed=5)).all()
    assert (a[:5000] == sample_inputs(64, 10, 5000, seed=5)).all()  # a prefix of the same stream
    assert not (a == sample_inputs(64, 10, 10_000, seed=6)).all()
    counts = np.bincount(a.reshape(-1), minlength=64)
    assert counts.min() > 1350 and counts.max() < 1780  # 1562.5 expected per token; ±5.5 sd


@pytest.mark.slow
def test_sample_verdicts_are_exact_on_a_small_model():
    cfg = ModelConfig(d_vocab=4, n_ctx=5, d_model=6, d_head=4)
    w = small_model(cfg, seed=11, steps=60, noise=0.3)
    ref = verdicts(w, prec=120)
    tokens = sample_inputs(4, 5, 300, seed=1)
    got, _, _ = input_verdicts(w, tokens)
    assert got.tolist() == [ref[tuple(int(t) for t in x)] for x in tokens]
    assert 0 < got.sum() < len(got)  # both kinds of verdict occur


@pytest.mark.slow
def test_estimate_on_seed42_agrees_with_brute_force(seed42):
    wrong = brute_force(seed42, progress=False, wrong_indices=True).wrong
    est = estimate_accuracy(seed42, 20_000, sample_seed=2)
    tokens = sample_inputs(64, 4, 20_000, seed=2)
    assert est.correct == int((~np.isin(input_index(tokens, 64), wrong)).sum())
    assert est.low <= 16_765_711 / 64**4 <= est.high  # the exact accuracy lies in this (fixed) sample's interval
    doc = est.to_json()
    assert doc["kind"] == "estimate" and doc["sample_correct"] == est.correct and "correct" not in doc
    json.dumps(doc)
