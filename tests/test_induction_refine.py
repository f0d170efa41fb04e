"""The producer's max_slack (strategies/groups.py): at the last refinement step only the failing cases that fail by
at most max_slack logits are split. Without it the groups are what they always were; with it, every certificate
still checks, and it covers no more than the full refinement."""

from __future__ import annotations

import math

import pytest
from induction_fixtures import model

from mechproof import weights as weights_io
from mechproof.certify import build_certificate, write_proven
from mechproof.tasks.induction.checker import model_context
from mechproof.tasks.induction.strategies import prove
from mechproof.tasks.induction.strategies.groups import prove_group


def groups(rule, depth, max_slack=None):  # noqa: ANN001, ANN201
    V, n = rule.V, rule.n
    return [prove_group(rule, q, i, a, depth, max_slack) for q in range(V) for i in range(n - 2) for a in range(V) if a != q]


def test_no_split_at_the_last_step_is_one_depth_less():
    rule = model_context(model("mid")).cases
    assert groups(rule, 1, -math.inf) == groups(rule, 0)


def test_a_threshold_splits_only_the_nearly_proven_cases():
    rule = model_context(model("mid")).cases
    full, cut = groups(rule, 2), groups(rule, 2, 0.5)
    assert sum(g.covered for g in cut) < sum(g.covered for g in full)
    assert sum(g.tried for g in cut) < sum(g.tried for g in full)
    assert groups(rule, 2, math.inf) == full
    for f, c in zip(full, cut):  # the steps before the last split as before
        assert f.order[:1] == c.order[:1] and [x for x in f.cases if len(x[0]) < 2] == [x for x in c.cases if len(x[0]) < 2]


@pytest.mark.parametrize("max_slack", [0.5, 3.0])
def test_its_certificates_check(tmp_path, max_slack):
    w = model("mid")
    weights_io.save(w, tmp_path / "weights.json")
    proof = prove(w, "windows+residual", 2, max_slack=max_slack)
    result, _ = write_proven(build_certificate(w, proof), tmp_path / "c.json")
    assert result.correct == proof.correct and result.upper == result.correct
