"""The checker's `residual`/`wrong` path (tasks/induction/checker/claims.py) against the plain input rule: every
listed input decided on its own, in list order, by one InputRule. The verdicts, the witnesses and the operation
count (the proof length) must be the same, whatever the order of the list, its prefixes and the rule's store size."""

from __future__ import annotations

import functools
from collections import Counter
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from induction_fixtures import model, write
from induction_reference import tiny_model

from mechproof.checker import check
from mechproof.checker.arith import OPS
from mechproof.checker.failures import ClaimFailure
from mechproof.tasks.induction.checker import Context
from mechproof.tasks.induction.checker.claims import Ledger, verdicts
from mechproof.tasks.induction.checker.inputs import InputRule, decode, n_inputs


@functools.cache
def eight():
    """A tiny n = 8 model (V = 8: 241,920 inputs), trained briefly so that verdicts of both kinds occur."""
    return tiny_model(seed=2, steps=60, V=8, n=8)


def _plain(rule: InputRule, items) -> list[tuple[bool, int]]:
    out = []
    for _, tokens, c in items:
        out.append(rule.right(tokens) if c < 0 else (rule.wrong(tokens, c), c))
    return out


def _compare(w, xs: list[int], witnesses: list[int], kept: int) -> None:
    """`xs` split into a `residual` part and a `wrong` part (with the given witnesses), both paths."""
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(InputRule, "KEPT", kept)
        _compare_kept(w, xs, witnesses)


def _compare_kept(w, xs: list[int], witnesses: list[int]) -> None:
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    tables = Context(w).tables
    half = len(xs) // 2
    right = [(x, decode(x, V, n), -1) for x in xs[:half]]
    bad = [(x, decode(x, V, n), c) for x, c in zip(xs[half:], witnesses)]
    OPS.clear()
    plain = _plain(InputRule(tables), right + bad)
    plain_ops = OPS.copy()
    OPS.clear()
    rule = InputRule(tables)
    ledger = Ledger(rule)
    ledger.add(right)
    ledger.add(bad)
    fast = verdicts(rule, right) + verdicts(rule, bad)
    assert fast == plain
    assert OPS == plain_ops


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_fast_path_is_the_plain_rule_at_n8(data):
    w = eight()
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    xs = sorted(data.draw(st.sets(st.integers(0, n_inputs(V, n) - 1), min_size=1, max_size=40)))
    # near neighbours share long prefixes: add a run of consecutive indices
    start = data.draw(st.integers(0, n_inputs(V, n) - 60))
    xs = sorted(set(xs) | set(range(start, start + data.draw(st.integers(0, 50)))))
    witnesses = data.draw(st.lists(st.integers(0, V - 1), min_size=len(xs), max_size=len(xs)))
    _compare(w, xs, witnesses, data.draw(st.integers(1, 40)))


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_the_fast_path_is_the_plain_rule_on_the_fixture_models(data):
    w = model(data.draw(st.sampled_from(["tiny", "mid"])))
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    xs = sorted(data.draw(st.sets(st.integers(0, n_inputs(V, n) - 1), min_size=1, max_size=60)))
    witnesses = data.draw(st.lists(st.integers(0, V - 1), min_size=len(xs), max_size=len(xs)))
    _compare(w, xs, witnesses, data.draw(st.integers(1, 20)))


@pytest.mark.parametrize("kind", ["tiny", "mid"])
def test_a_certificate_checks_to_the_plain_count(tmp_path, kind):
    """The check's count is the cases' count plus the plain rule's over `residual` then `wrong`."""
    path = write(tmp_path, kind, "windows+residual")
    res = check(path)
    doc = json.loads(path.read_text())
    w = model(kind)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx

    def undelta(ds):
        out, x = [], 0
        for j, d in enumerate(ds):
            x = d if j == 0 else x + d
            out.append(x)
        return out

    claims = doc["claims"]
    items = [(x, decode(x, V, n), -1) for x in undelta(claims["residual"]["inputs"])]
    items += [(x, decode(x, V, n), c) for x, c in zip(undelta(claims["wrong"]["inputs"]), claims["wrong"]["witness"])]
    assert items, "not vacuous"
    tables = Context(w).tables
    OPS.clear()
    assert all(ok for ok, _ in _plain(InputRule(tables), items))
    inputs_ops = OPS.copy()
    n_residual = len(claims["residual"]["inputs"])
    claims["residual"]["inputs"] = []
    doc["claims"]["wrong"] = {"rule": "inputs-wrong", "inputs": [], "witness": []}
    doc["bound"]["correct"] = res.correct - n_residual
    doc["bound"]["upper"] = res.total
    cases_only = tmp_path / "cases-only.json"
    cases_only.write_text(json.dumps(doc))
    assert Counter(check(cases_only).ops) + inputs_ops == Counter(res.ops)


def test_the_first_failure_in_list_order_is_reported(tmp_path):
    """A residual input that is not proven right, listed before a malformed later entry, is what fails."""
    path = write(tmp_path, "mid", "windows+residual")
    doc = json.loads(path.read_text())
    V, n = 6, 5
    wrong = doc["claims"]["wrong"]["inputs"]
    first_wrong = wrong[0]
    res = [first_wrong]  # a wrong input claimed right, then an index out of range
    res.append(n_inputs(V, n))
    doc["claims"]["residual"]["inputs"] = res
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ClaimFailure) as e:
        check(bad)
    assert e.value.claim_id == f"residual[{first_wrong}]" and "not proven right" in e.value.what


def test_the_verdicts_do_not_depend_on_the_processes():
    w = eight()
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rule = InputRule(Context(w).tables)
    items = [(x, decode(x, V, n), -1 if x % 3 else x % V) for x in range(5000, 5400)]
    alone = verdicts(rule, items, processes=1)
    assert verdicts(rule, items, processes=2, shared_from=1) == alone
    assert {ok for ok, _ in alone} == {True, False}, "not vacuous"


def test_a_limit_met_in_a_forked_process_is_reported(monkeypatch):
    from mechproof.errors import InputError
    from mechproof.tasks.induction.checker import inputs

    def refuse(x):
        raise InputError(None, "exp argument", "outside the limit")

    w = eight()
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rule = InputRule(Context(w).tables)
    monkeypatch.setattr(inputs, "exp_bounds", refuse)
    items = [(x, decode(x, V, n), -1) for x in range(10)]
    for processes in (1, 2):
        with pytest.raises(InputError) as e:
            verdicts(rule, items, processes=processes, shared_from=1)
        assert (e.value.field, e.value.message) == ("exp argument", "outside the limit")
