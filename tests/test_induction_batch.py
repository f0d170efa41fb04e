"""Sibling cases evaluated together (checker/keys.py, cases.sibling_parts, strategies' prove_cases) give exactly what
they give one at a time: every array of the case rule, every operation count, every claimed bound and verdict.

Siblings share q, i, a and the positions their prefixes fix (docs/certificate.md §11.5.5); they differ in the
prefix tokens. The one-case evaluation is the reference: a batch of one is the code path every case had before
batching, and the committed certificates' proof lengths pin its counts (test_induction_committed.py).
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from induction_fixtures import model

from mechproof.checker.arith import OPS
from mechproof.tasks.induction.checker import model_context
from mechproof.tasks.induction.checker.cases import Case, case_parts, sibling_parts
from mechproof.tasks.induction.strategies.cases import prove_case, prove_cases


@functools.cache
def rule():  # noqa: ANN201
    return model_context(model("mid")).cases


def siblings(q: int, i: int, a: int, order: list[int], prefixes: list[tuple[int, ...]]) -> list[Case]:
    r = rule()
    n, V = r.n, r.V
    out = []
    for prefix in prefixes:
        known = {i: q, i + 1: a, n - 1: q}
        known.update(zip(order, prefix))
        out.append(Case(q, i, a, known, [p for p in range(n - 1) if p not in known], [t for t in range(V) if t not in known.values()]))
    return out


@st.composite
def groups(draw):  # noqa: ANN001, ANN201
    r = rule()
    n, V = r.n, r.V
    q, a = draw(st.permutations(range(V)))[:2]
    i = draw(st.integers(0, n - 3))
    free = [p for p in range(n - 1) if p not in (i, i + 1)]
    order = draw(st.permutations(free))
    d = draw(st.integers(0, len(free)))
    pool = list(itertools.permutations([t for t in range(V) if t not in (q, a)], d))
    prefixes = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5, unique=True))
    return siblings(q, i, a, list(order), prefixes)


def counted(f):  # noqa: ANN001, ANN201
    OPS.clear()
    out = f()
    return out, dict(OPS)


def same(x, y) -> bool:  # noqa: ANN001
    """Equal, arrays entry by entry (with equal dtype and shape), recursing into dicts, lists and dataclasses."""
    if isinstance(x, np.ndarray):
        return isinstance(y, np.ndarray) and x.dtype == y.dtype and x.shape == y.shape and bool((x == y).all())
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
    if isinstance(x, (list, tuple)):
        return len(x) == len(y) and all(same(u, v) for u, v in zip(x, y))
    if hasattr(x, "__dataclass_fields__"):
        return type(x) is type(y) and all(same(getattr(x, f), getattr(y, f)) for f in x.__dataclass_fields__)
    return x == y


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups())
def test_sibling_parts_equal_the_cases_one_by_one(cases):
    r = rule()
    batch, ops = counted(lambda: sibling_parts(r, cases))
    alone = []
    ops_alone: dict = {}
    for c in cases:
        p, o = counted(lambda c=c: case_parts(r, c))
        alone.append(p)
        for k, v in o.items():
            ops_alone[k] = ops_alone.get(k, 0) + v
    assert ops == ops_alone
    for p, s in zip(batch, alone):
        assert same(p.keys, s.keys) and same(p.q, s.q)
        assert same([p.z_bar, p.g_last, p.y_ans], [s.z_bar, s.g_last, s.y_ans]) and same(p.last, s.last)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups())
def test_proving_siblings_together_gives_the_same_proofs(cases):
    r = rule()
    assert prove_cases(r, cases) == [prove_case(r, c) for c in cases]


def test_a_batch_of_different_prefix_tokens_is_not_a_batch_of_copies():
    """The batch must read each case's own tokens: two siblings with different prefixes differ somewhere."""
    r = rule()
    n = r.n
    free = [p for p in range(n - 1) if p not in (0, 1)]
    a, b = sibling_parts(r, siblings(0, 0, 1, free, [(2,), (3,)]))
    assert not same(a.keys, b.keys)
