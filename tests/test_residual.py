"""Inputs proven one by one (docs §9): the `cubic+residual` strategy and upper bounds for any strategy, against
the input rule transliterated with the checker's arithmetic, the literal model and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechproof.certificate import dumps_certificate, load_certificate
from mechproof.certify import build_certificate
from mechproof.config import ModelConfig
from mechproof.errors import InputError
from mechproof.tasks.maxk.bruteforce import brute_force
from mechproof.tasks.maxk.strategies import STRATEGIES, with_upper
from mechproof.tasks.maxk.strategies import inputs as inputs_mod
from mechproof.tasks.maxk.strategies.coverage import covered_inputs
from mechproof.tasks.maxk.strategies.subcubic import VARIANTS
from reference import check_cubic_prefix, cover_counts, index, input_rule, small_model


def _listed(claim: dict) -> np.ndarray:
    """Decode a delta-coded `inputs` list, checking docs §9's form: d_0 ≥ 0, later d_i ≥ 1."""
    d = np.array(claim["inputs"], dtype=np.int64)
    assert d.size == 0 or (d[0] >= 0 and np.all(d[1:] >= 1)), "not strictly increasing"
    return np.cumsum(d)


def _rule(w):  # noqa: ANN001, ANN202
    claims = STRATEGIES["cubic"].run(w).claims
    r = claims["inv_sqrt_d_head"]
    return input_rule(w, (r["lo"], r["hi"], r["exp"]))


def _check_lists(w, out, covered: np.ndarray, rule: dict) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """The residual/wrong claims of a proof: in range, sorted, disjoint from each other and from the cases,
    each input proven as claimed by the rule (witness included), and the bounds they imply."""
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    total = V**n
    residual = _listed(out.claims["residual"]) if "residual" in out.claims else np.zeros(0, np.int64)
    wrong = _listed(out.claims["wrong"])
    witness = out.claims["wrong"]["witness"]
    assert len(witness) == len(wrong)
    for xs in (residual, wrong):
        assert xs.size == 0 or (xs[0] >= 0 and xs[-1] < total)
        assert not covered[xs].any(), "a listed input is covered by the cases"
    assert not np.intersect1d(residual, wrong).size
    by_index = {index(t, V): v for t, v in rule.items()}
    assert all(by_index[x][0] for x in residual.tolist()), "a residual input is not right by the rule"
    for x, j in zip(wrong.tolist(), witness):
        assert j in by_index[x][1], f"input {x}: witness {j} does not prove it wrong"
    assert out.upper == total - len(wrong)
    assert out.correct == int(covered.sum()) + len(residual)
    return residual, wrong


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    steps=st.sampled_from([30, 300]),
    noise=st.sampled_from([0.0, 0.2]),
    shape=st.sampled_from([(6, 3, 8, 4), (5, 4, 6, 6), (7, 2, 8, 8), (4, 5, 8, 8)]),
)
@pytest.mark.slow
def test_cubic_residual_is_the_exact_accuracy(seed, steps, noise, shape):
    V, n, d_model, d_head = shape
    w = small_model(ModelConfig(d_vocab=V, n_ctx=n, d_model=d_model, d_head=d_head), seed, steps, noise)
    out = STRATEGIES["cubic+residual"].run(w)
    assert out.strategy == "cubic+residual" and out.params == {}
    cases = check_cubic_prefix(w, out.claims)
    covered = cover_counts(cases, V, n, "cubic").transpose(tuple(reversed(range(n)))).reshape(-1) > 0
    rule = _rule(w)
    residual, wrong = _check_lists(w, out, covered, rule)
    assert len(residual) + len(wrong) + covered.sum() == V**n  # no ties in these models: every input decided
    assert out.correct == out.upper == brute_force(w, progress=False).correct


@pytest.mark.parametrize("strategy", ["cubic", VARIANTS[0].key, VARIANTS[-1].key])
def test_upper_bound_lists_every_wrong_input(strategy):
    w = small_model(ModelConfig(d_vocab=6, n_ctx=3, d_model=8, d_head=8), seed=4, steps=150, noise=0.1)
    plain = STRATEGIES[strategy].run(w)
    out = with_upper(w, plain)
    assert out.correct == plain.correct and out.file_stem == plain.file_stem + "-upper"
    assert "residual" not in out.claims
    covered = covered_inputs(w, out.strategy, out.claims)
    if out.strategy == "subcubic":  # the coverage function against the reference's block assignment
        ref = cover_counts(out.claims["cases"]["entries"], 6, 3, "subcubic")
        assert np.array_equal(covered, ref.transpose(2, 1, 0).reshape(-1) > 0)
    rule = _rule(w)
    _, wrong = _check_lists(w, out, covered, rule)
    assert sorted(wrong.tolist()) == sorted(index(t, 6) for t, (_, js) in rule.items() if js)
    assert out.upper == brute_force(w, progress=False).correct  # every input is right or proven wrong here
    assert with_upper(w, out) is out


def test_certificates_are_version_2_and_deterministic():
    w = small_model(ModelConfig(d_vocab=6, n_ctx=3, d_model=8, d_head=8), seed=9, steps=200)
    texts = []
    for _ in range(2):
        inputs_mod._CACHE.clear()
        texts.append(dumps_certificate(build_certificate(w, STRATEGIES["cubic+residual"].run(w))))
    assert texts[0] == texts[1]


def test_certificates_parse(tmp_path):
    """The v2 schema accepts what we write: cubic without an upper bound, cubic+residual and --upper with one."""
    w = small_model(ModelConfig(d_vocab=6, n_ctx=3, d_model=8, d_head=8), seed=9, steps=200)
    for name, upper in (("cubic", False), ("cubic+residual", False), (VARIANTS[0].key, True)):
        out = STRATEGIES[name].run(w)
        out = with_upper(w, out) if upper else out
        path = tmp_path / f"{out.file_stem}.json"
        path.write_text(dumps_certificate(build_certificate(w, out)))
        cert, claims = load_certificate(path)
        assert cert.version == 2 and cert.bound.upper == out.upper
        assert (cert.bound.upper is None) == (name == "cubic")


def test_refuses_when_inputs_cannot_be_listed():
    w = small_model(ModelConfig(d_vocab=8, n_ctx=10, d_model=8, d_head=8), seed=1, steps=1)  # 2^30 inputs
    with pytest.raises(InputError, match="2\\^28"):
        STRATEGIES["cubic+residual"].run(w)
    with pytest.raises(InputError, match="2\\^28"):
        with_upper(w, STRATEGIES["cubic"].run(w))


def test_registry_groups():
    names = list(STRATEGIES)
    assert names[0] == "cubic" and names[-1] == "cubic+residual" and len(names) == 102
    assert STRATEGIES["cubic+residual"].group == "cubic+residual"


@pytest.mark.slow
def test_seed42_exact_accuracy(seed42, seed42_right):
    out = STRATEGIES["cubic+residual"].run(seed42)
    assert out.correct == out.upper == 16_765_711
    covered = covered_inputs(seed42, "cubic", out.claims)
    residual, wrong = _listed(out.claims["residual"]), _listed(out.claims["wrong"])
    assert len(wrong) == 11_505 and len(residual) == 16_765_711 - int(covered.sum())
    listed_right = covered.copy()
    listed_right[residual] = True
    assert np.array_equal(listed_right, seed42_right), "residual ∪ cases is not brute force's right set"
    assert not seed42_right[wrong].any()
    assert len(dumps_certificate(build_certificate(seed42, out)).encode()) <= 50_000_000
