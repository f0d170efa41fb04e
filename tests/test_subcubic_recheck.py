"""The producer's sound float64 decisions against exact arithmetic: the re-check of c ≥ 1 cases against the
independent checker's exact test (docs §7.3), and the c = 0 decisions against an exact evaluation of the input
rule (docs §8) with the checker's own exp enclosure. A case the producer keeps must pass the exact test."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import numpy as np
import pytest

from mechproof.checker import ClaimFailure
from mechproof.checker.arith import dy_mul, exp_bounds
from mechproof.config import ModelConfig
from mechproof.exact import exact_matrices
from mechproof.tasks.maxk.checker import subcubic as sc
from mechproof.tasks.maxk.checker.cubic import check_inv_sqrt
from mechproof.tasks.maxk.schema import InvSqrtClaim, SubcubicClaims, SubcubicParams
from mechproof.tasks.maxk.strategies.inputs import decide_inputs
from mechproof.tasks.maxk.strategies.subcubic import VARIANTS, Variant, subcubic_proof
from mechproof.tasks.maxk.strategies.subcubic.recheck import recheck
from mechproof.tasks.maxk.strategies.subcubic.shared import clear, shared
from reference import small_model


def _checker(w, proof) -> sc.SubcubicChecker:  # noqa: ANN001
    return sc.SubcubicChecker(w, SubcubicParams.model_validate(proof.params), SubcubicClaims.model_validate(proof.claims))


def _passes(ck: sc.SubcubicChecker, cell: tuple[int, int, int, int]) -> bool:
    try:
        ck.check_entry(cell, set())
    except ClaimFailure:
        return False
    return True


def _cells(V: int, n: int) -> list[tuple[int, int, int, int]]:
    """Every well-formed case with c ≥ 1."""
    return [(q, m, c, g) for m in range(V) for q in range(m + 1) for c in range(1, n) for g in range(1, m + 1) if q == m or q <= m - g]


def _recheck(w, proof, cells) -> np.ndarray:  # noqa: ANN001
    """The producer's re-check of arbitrary cases, with the variant's averages."""
    sh = shared(w)
    eupu, _, qk = proof.variant.names
    avg = np.array(proof.claims["choices"]["avg"], dtype=np.int64)
    v = np.ldexp(avg[..., 0].astype(np.float64), avg[..., 1])
    q, m, c, g = (np.array(x, dtype=np.int64) for x in zip(*cells))
    return recheck(sh.qk(qk).floats, sh.masses, sh.out(eupu).floats, v, q, m, c, g)


@pytest.fixture(scope="module")
def tiny():
    """A clean and a noisy tiny model (the noisy one gets inputs wrong, so many cases fail)."""
    return [
        small_model(ModelConfig(d_vocab=7, n_ctx=3, d_model=8, d_head=8), seed=11, steps=1500),
        small_model(ModelConfig(d_vocab=6, n_ctx=4, d_model=8, d_head=4), seed=3, steps=800, noise=0.15),
    ]


@pytest.mark.slow
def test_recheck_implies_the_exact_test_on_every_case_of_tiny_models(tiny):
    """Every well-formed c ≥ 1 case of every variant: kept by the re-check ⇒ passes the checker; and the re-check
    refuses almost nothing the checker passes (it is sound, not loose)."""
    kept_total = agree = 0
    for w in tiny:
        cells = _cells(w.cfg.d_vocab, w.cfg.n_ctx)
        for variant in VARIANTS:
            proof = subcubic_proof(w, variant)
            ck = _checker(w, proof)
            kept = _recheck(w, proof, cells)
            exact = np.array([_passes(ck, cell) for cell in cells])
            assert not np.any(kept & ~exact), (variant.key, [cells[i] for i in np.nonzero(kept & ~exact)[0][:5]])
            kept_total += int(kept.sum())
            agree += int((kept == exact).sum())
            assert int((exact & ~kept).sum()) <= max(1, exact.sum() // 100), variant.key
    assert kept_total > 2000  # not vacuous


@pytest.mark.slow
@pytest.mark.parametrize("key", ["subcubic-mx-avg-exact", "subcubic-mq-drop-sp", "subcubic-gx-avg-svd"])
def test_recheck_implies_the_exact_test_on_seed42(seed42, key):
    """All the certificate's c ≥ 1 cases pass the checker's exact test, and so does every case of a random sample
    the re-check keeps (most of them near the smallest working gap)."""
    variant = next(v for v in VARIANTS if v.key == key)
    proof = subcubic_proof(seed42, variant)
    ck = _checker(seed42, proof)
    entries = [tuple(e) for e in proof.claims["cases"]["entries"] if e[2] >= 1]
    assert all(_passes(ck, e) for e in entries)
    rng = random.Random(0)
    near = [(q, m, c, g - d) for q, m, c, g in rng.sample(entries, 300) for d in (1, 2) if g - d >= 1]
    sample = near + rng.sample(_cells(64, 4), 300)
    kept = _recheck(seed42, proof, sample)
    exact = np.array([_passes(ck, cell) for cell in sample])
    assert not np.any(kept & ~exact)
    assert np.array_equal(kept, exact)  # the float margins never matter on this model
    assert proof.dropped_by_recheck == 0


# ------------------------------------------------------------------------------------------ c = 0: the input rule
def _frac(x) -> Fraction:  # noqa: ANN001 - a checker dyadic (m, e)
    return Fraction(x[0]) * Fraction(2) ** x[1]


def _all_equal_right_exactly(w) -> tuple[list[bool], list[int]]:  # noqa: ANN001
    """docs §8 for the inputs (m, …, m), in Fractions with the checker's exp_bounds: (right, witness or −1)."""
    from mechproof.intervals import inv_sqrt_claim

    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    lo, hi, e = inv_sqrt_claim(w.cfg.d_head)
    r = check_inv_sqrt(InvSqrtClaim(rule="inv-sqrt", lo=lo, hi=hi, exp=e), w.cfg.d_head)
    mats = exact_matrices(w)

    def F(d, i, j) -> Fraction:  # noqa: ANN001
        return Fraction(int(d.mant[i, j])) * Fraction(2) ** d.exp

    right, witness = [], []
    for m in range(V):
        pos = []
        for p in range(n):
            a = (int(mats.EQKP.mant[m, p]), mats.EQKP.exp)
            x1, x2 = dy_mul(a, r[0]), dy_mul(a, r[1])
            x_lo, x_hi = (x1, x2) if a[0] >= 0 else (x2, x1)
            pos.append((_frac(exp_bounds(x_lo)[0]), _frac(exp_bounds(x_hi)[1])))
        up_all, wit = True, -1
        for j in range(V):
            if j == m:
                continue
            N = [F(mats.EUPU, m, j) - F(mats.EUPU, m, m) + F(mats.EVOU, m, j) - F(mats.EVOU, m, m) + F(mats.PVOU, p, j) - F(mats.PVOU, p, m) for p in range(n)]
            up = sum(x * (pos[p][1] if x >= 0 else pos[p][0]) for p, x in enumerate(N))
            low = sum(x * (pos[p][0] if x >= 0 else pos[p][1]) for p, x in enumerate(N))
            up_all &= up < 0
            if low >= 0 and wit < 0:
                wit = j
        right.append(up_all)
        witness.append(wit)
    return right, witness


@pytest.mark.slow
def test_c0_decisions_match_the_exact_input_rule(seed42, tiny):
    """The producer's c = 0 decisions (strategies.inputs on all-equal inputs) against §8 evaluated exactly."""
    for w in [seed42, *tiny]:
        V, n = w.cfg.d_vocab, w.cfg.n_ctx
        right = shared(w).c0_right
        _, witness = decide_inputs(w, np.arange(V, dtype=np.int64) * sum(V**p for p in range(n)))
        exact_right, exact_witness = _all_equal_right_exactly(w)
        assert not np.any(right & ~np.array(exact_right)), "the producer proves an input the exact rule does not"
        assert all(wt < 0 or ew >= 0 for wt, ew in zip(witness, exact_witness))
        assert list(right) == exact_right  # and loses none of them (the float margins are tiny)
    assert sum(_all_equal_right_exactly(seed42)[0]) == 56


@pytest.mark.slow
def test_every_variant_has_the_c0_cases_the_input_rule_proves(seed42):
    right = shared(seed42).c0_right
    for variant in VARIANTS[::7]:
        entries = subcubic_proof(seed42, variant).claims["cases"]["entries"]
        assert sorted(e[1] for e in entries if e[2] == 0) == list(np.nonzero(right)[0])
        assert all(e[0] == e[1] and e[3] == 1 for e in entries if e[2] == 0)


# ------------------------------------------------------------------------------------------ the cache
@pytest.mark.slow
def test_the_cache_is_transparent(seed42):
    """A variant's claims are the same bytes whether it runs first on cold weights or after other variants."""
    v = Variant("mq", "avg", "msp")
    clear()
    cold = subcubic_proof(seed42, v)
    for other in VARIANTS[:30]:
        subcubic_proof(seed42, other)
    warm = subcubic_proof(seed42, v)
    assert json.dumps(cold.claims) == json.dumps(warm.claims) and cold.correct == warm.correct


def test_choices_beyond_the_format_limits_are_refused_at_the_source(seed42):
    from mechproof.exact import Dyadic
    from mechproof.tasks.maxk.strategies.subcubic.choices import check_avg_limits, check_limits

    sh = shared(seed42)
    b = sh.qk("mean+max_diff").bound
    check_limits(sh.pieces.kappa, None, b)  # the honest choices pass
    wide = Dyadic(np.array([1 << 1100], dtype=object), 0)
    with pytest.raises(ValueError):
        check_limits(sh.pieces.kappa, None, type(b)(b.approx, b.eps, b.peels, [wide], None))
    with pytest.raises(ValueError):
        check_limits(sh.pieces.kappa, Dyadic(np.array([1], dtype=object), -3000), None)
    with pytest.raises(ValueError):
        check_avg_limits(np.array([[1]]), np.array([[-2049]]))


@pytest.mark.parametrize("key", ["subcubic-mx-avg-exact", "subcubic-gx-drop-mrspr", "subcubic-mq-avg-svd"])
def test_the_certificate_passes_the_checker_end_to_end(seed42, tmp_path, key):
    """Written, loaded and checked as a file (choices, count, every c ≥ 1 case). The c = 0 cases are left out
    until the checker decides them by the input rule (docs §8); test_c0_decisions_match_the_exact_input_rule
    covers them."""
    from mechproof import weights as weights_io
    from mechproof.certificate import dumps_certificate
    from mechproof.certify import build_certificate
    from mechproof.checker import check
    from mechproof.tasks.maxk.checker.subcubic import coverage
    from mechproof.tasks.maxk.strategies import STRATEGIES

    out = STRATEGIES[key].run(seed42)
    cert = build_certificate(seed42, out)
    doc = json.loads(dumps_certificate(cert))
    entries = [e for e in doc["claims"]["cases"]["entries"] if e[2] >= 1]
    doc["claims"]["cases"]["entries"] = entries
    doc["bound"]["correct"] = sum(coverage(4, *e, "fixed") for e in entries)
    assert doc["bound"]["correct"] == out.correct - sum(1 for e in out.claims["cases"]["entries"] if e[2] == 0)
    weights_io.save(seed42, tmp_path / "weights.json")
    (tmp_path / "c.json").write_text(json.dumps(doc))
    assert check(tmp_path / "c.json").correct == doc["bound"]["correct"]
