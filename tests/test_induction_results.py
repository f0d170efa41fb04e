"""The induction task's brute force and estimate against the literal model, and the results rows
(tasks/induction/bruteforce.py, tasks/induction/results.py)."""

from __future__ import annotations

import json

import pytest
from induction_fixtures import model, truth

from mechproof.checker import check
from mechproof.tasks.induction.bruteforce import brute_force, estimate_accuracy
from mechproof.tasks.induction.results import brute_force_ops, bruteforce_row, strategy_row
from mechproof.tasks.induction.space import n_inputs


@pytest.mark.parametrize("kind", ["tiny", pytest.param("mid", marks=pytest.mark.slow)])
def test_brute_force_is_the_literal_models_count(kind):
    verdicts = truth(kind)
    bf = brute_force(model(kind))
    assert bf.total == len(verdicts) and bf.unresolved == 0
    assert bf.correct == sum(verdicts.values())
    assert bf.wrong.tolist() == sorted(x for x, v in verdicts.items() if not v)


def test_the_estimates_interval_holds_the_accuracy():
    w = model("tiny")
    est = estimate_accuracy(w, 400, sample_seed=3)
    acc = sum(truth("tiny").values()) / n_inputs(w.cfg.d_vocab, w.cfg.n_ctx)
    assert est.samples == 400 and est.low <= acc <= est.high and est.low < est.high


def test_rows_report_the_checked_certificates(tmp_path):
    w = model("tiny")
    bf = bruteforce_row("tiny", w, workers=1, samples=0)
    assert bf["correct"] == sum(truth("tiny").values()) and bf["total"] == n_inputs(w.cfg.d_vocab, w.cfg.n_ctx)
    assert bf["proof_length"] == brute_force_ops(w) > bf["total"]
    row = strategy_row("tiny", w, tmp_path, "windows+residual", depth=1, upper=False, workers=1)
    res = check(tmp_path / "windows-residual.json")
    assert (row["correct"], row["upper"], row["proof_length"]) == (res.correct, res.upper, sum(res.ops.values()))
    assert row["exact"] and row["correct"] == bf["correct"]
    assert json.loads(json.dumps(row)) == row
