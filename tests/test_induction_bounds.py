"""The least bounds of the case rule's λ-test (docs/certificate.md §11.5.3), against their definition.

least_bound returns, per row, the least integer λ with Σ_g max_{e in g, valid} max(w_lo·(X − λ), w_hi·(X − λ)) ≤ 0;
the checker searches several row sets at once (rows stacked), so each row's answer must not depend on the others.
The producer's search for the quadratic test's bound (solve_last) must find the least passing integer too.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mechproof.checker.arith import OPS
from mechproof.tasks.induction.checker.cases import CaseRule, Pairs, least_bound
from mechproof.tasks.induction.checker.casetables import FC, LB
from mechproof.tasks.induction.strategies.solve import solve_last


def phi(x: list[int], lo: list[int], hi: list[int], ok: list[bool], seg: list[int], lam: int) -> int:
    ends = seg[1:] + [len(x)]
    total = 0
    for s, e in zip(seg, ends):
        total += max(max(lo[c] * (x[c] - lam), hi[c] * (x[c] - lam)) for c in range(s, e) if ok[c])
    return total


def least_by_scan(x, lo, hi, ok, seg) -> int:  # noqa: ANN001
    lam = min(v for v, k in zip(x, ok) if k) - 1
    while phi(x, lo, hi, ok, seg, lam) > 0:
        lam += 1
    return lam


@st.composite
def problems(draw):  # noqa: ANN001, ANN201
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=4))
    width = sum(sizes)
    seg = list(np.cumsum([0] + sizes[:-1]))
    rows = draw(st.integers(1, 4))
    lo = draw(st.lists(st.integers(0, 50), min_size=width, max_size=width))
    hi = [a + draw(st.integers(1, 50)) for a in lo]  # upper weight ends are ≥ 1, as the checker's are
    X = [draw(st.lists(st.integers(-60, 60), min_size=width, max_size=width)) for _ in range(rows)]
    ok = []
    for _ in range(rows):
        row = draw(st.lists(st.booleans(), min_size=width, max_size=width))
        for s, n in zip(seg, sizes):  # every group keeps one valid entry
            if not any(row[s : s + n]):
                row[s] = True
        ok.append(row)
    return np.array(X, dtype=np.int64), np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64), np.array(ok), np.array(seg)


@settings(max_examples=150, deadline=None)
@given(problems(), problems())
def test_least_bound_is_the_least_passing_integer_row_by_row_and_stacked(p, other):
    X, lo, hi, ok, seg = p
    want = [least_by_scan(X[b].tolist(), lo.tolist(), hi.tolist(), ok[b].tolist(), seg.tolist()) for b in range(len(X))]
    assert least_bound(X, lo, hi, seg, ok).tolist() == want
    # stacked with rows of another problem on the same columns: each row's answer is unchanged
    X2 = other[0][:, : X.shape[1]] if other[0].shape[1] >= X.shape[1] else np.zeros((1, X.shape[1]), dtype=np.int64)
    stacked = least_bound(np.concatenate([X, X2]), lo, hi, seg, np.concatenate([ok, np.ones(X2.shape, dtype=bool)]))
    assert stacked[: len(X)].tolist() == want


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_solve_last_is_the_least_integer_that_passes_the_quadratic_test(data):
    m = data.draw(st.integers(1, 6))
    H = np.array(data.draw(st.lists(st.integers(-(1 << 26), 1 << 26), min_size=m, max_size=m)), dtype=np.int64)
    lo = np.array(data.draw(st.lists(st.integers(0, 1 << FC), min_size=m, max_size=m)), dtype=np.int64)
    hi = lo + np.array(data.draw(st.lists(st.integers(1, 1 << 10), min_size=m, max_size=m)), dtype=np.int64)
    c = np.array(data.draw(st.lists(st.sampled_from([1, 2]), min_size=m, max_size=m)), dtype=np.int64)
    cuts = sorted(set(data.draw(st.lists(st.integers(1, m - 1), max_size=m - 1)) if m > 1 else []))
    terms = Pairs(H, lo, hi, c, np.array([0] + cuts))
    lam = solve_last(terms)
    s = FC - LB
    assert CaseRule.last_key_sum(terms, lam << s) <= 0
    assert CaseRule.last_key_sum(terms, (lam - 1) << s) > 0


@settings(max_examples=150, deadline=None)
@given(st.lists(problems(), min_size=2, max_size=4))
def test_least_bound_of_several_cases_at_once_counts_as_each_alone(ps):
    """Cases' rows searched together (part = the case of each row, weights per row) give every row its own answer
    and count, per case, the operations of that case's own search (the checker's proof length)."""
    P = min(p[0].shape[1] for p in ps)
    ps = [(X[:, :P], lo[:P], hi[:P], ok[:, :P], seg[seg < P]) for X, lo, hi, ok, seg in ps]
    seg = ps[0][4]
    for X, lo, hi, ok, _ in ps:  # every group keeps one valid entry on the shared segments
        for s in seg:
            ok[~ok[:, s:].any(axis=1), s] = True
    want, ops_alone = [], Counter()
    for X, lo, hi, ok, _ in ps:
        OPS.clear()
        want += least_bound(X, lo, hi, seg, ok).tolist()
        ops_alone += OPS
    OPS.clear()
    X = np.concatenate([p[0] for p in ps])
    w_lo, w_hi = (np.concatenate([np.repeat(p[k][None, :], len(p[0]), axis=0) for p in ps]) for k in (1, 2))
    part = np.repeat(np.arange(len(ps)), [len(p[0]) for p in ps])
    assert least_bound(X, w_lo, w_hi, seg, np.concatenate([p[3] for p in ps]), part).tolist() == want
    assert OPS == ops_alone
