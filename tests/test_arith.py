"""The exp enclosures: the checker's own algorithm (docs §6) and the producer's mpmath claims."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf

from mechproof.checker.arith import dy_add, dy_lt, dy_mul, exp_bounds, exp_in_range
from mechproof.exact import Dyadic
from mechproof.intervals import exp_claims, inv_sqrt_claim

import numpy as np


def _val(x):
    return mpf(x[0]) * mpf(2) ** x[1]


@settings(max_examples=300)
@given(st.integers(-(2**70), 2**70), st.integers(-80, 2))
def test_exp_bounds_enclose_and_are_tight(a, f):
    mp.prec = 400
    x = mpf(a) * mpf(2) ** f
    if not exp_in_range((a, f)):  # docs §10: |x| < 2^12; beyond is a limit (malformed), tested elsewhere
        assert abs(x) >= 2**11
        return
    lo, hi = exp_bounds((a, f))
    t = mp.exp(x)
    assert _val(lo) <= t <= _val(hi)
    assert (_val(hi) - _val(lo)) / t < mpf(2) ** -78


@given(st.tuples(st.integers(-(10**30), 10**30), st.integers(-100, 100)), st.tuples(st.integers(-(10**30), 10**30), st.integers(-100, 100)))
def test_dyadic_ops_are_exact(x, y):
    mp.prec = 1000
    assert _val(dy_add(x, y)) == _val(x) + _val(y)
    assert _val(dy_mul(x, y)) == _val(x) * _val(y)
    assert dy_lt(x, y) == (_val(x) < _val(y))


@settings(max_examples=50)
@given(st.lists(st.integers(-(2**90), 2**90), min_size=1, max_size=8), st.integers(-120, -60), st.sampled_from([2, 3, 8, 32, 50]))
def test_producer_exp_claims_contain_and_are_floor_ceil(mants, e, d):
    mp.prec = 500
    r = inv_sqrt_claim(d)
    r_lo, r_hi = mpf(r[0]) * mpf(2) ** r[2], mpf(r[1]) * mpf(2) ** r[2]
    assert r_lo <= 1 / mp.sqrt(d) <= r_hi
    arr = np.empty(len(mants), dtype=object)
    arr[:] = mants
    lo, hi, ex = exp_claims(Dyadic(arr.reshape(1, -1), e), r)
    for a, l, h, x in zip(mants, lo[0], hi[0], ex[0]):
        s = mpf(a) * mpf(2) ** e
        if abs(s) > 4000:
            continue
        v_lo, v_hi = mp.exp(min(s * r_lo, s * r_hi)), mp.exp(max(s * r_lo, s * r_hi))
        scale = mpf(2) ** x
        assert l * scale <= v_lo and v_hi <= h * scale
        assert (l + 2) * scale > v_lo and (h - 2) * scale < v_hi  # tight up to the near-grid guard
