"""`mechproof explain` (the slack map): its breakdown accounts for exactly the correct inputs a certificate does
not cover, checked against independent counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reference import covered_inputs, verdicts
from test_checker_v2 import tiny_v2  # noqa: F401 - a fixture used here

from mechproof.certificate import load_certificate
from mechproof.checker.audit import cubic_case_sets
from mechproof.tasks.maxk.explain import explain
from mechproof.weights import load

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_slack_of_a_tiny_model_matches_an_enumeration(tiny_cert):
    """Lost inputs = right by the literal model and not in a listed case, enumerated input by input from the case
    token sets (reference.covered_inputs for listed sets, the checker's sets for boundary-token cases)."""
    w = load(tiny_cert.parent / "weights.json")
    _, claims = load_certificate(tiny_cert)
    right = {t for t, ok in verdicts(w).items() if ok}
    sets = cubic_case_sets(tiny_cert)
    entries = [(q, m, c, sorted(G) if c else [m]) for (q, m, c), G in sets.items()]
    if claims.cases.rule == "cubic-case":
        assert sorted(entries) == sorted((q, m, c, list(G)) for q, m, c, G in claims.cases.entries)
    covered = set(covered_inputs(entries, w.cfg.n_ctx))
    lost = right - covered
    slack = explain(tiny_cert)
    assert slack.lost == len(lost) == slack.correct - slack.certified
    V = w.cfg.d_vocab
    by_m = [0] * V
    for t in lost:
        by_m[max(t)] += 1
    assert slack.by_m.tolist() == by_m
    assert slack.by_gap.sum() == slack.by_copies.sum() == slack.by_query.sum() == slack.heat.sum() == slack.lost
    assert sum(case["lost"] for case in slack.worst) <= slack.lost


@pytest.mark.slow
def test_explain_cli_on_the_committed_cubic_certificate(tmp_path):
    """The issue's acceptance test: the breakdown of seed 42's cubic certificate sums to exact − certified, and
    the heatmap is written."""
    cert = ROOT / "certificates" / "seed42" / "cubic.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    run = subprocess.run(
        [sys.executable, "-m", "mechproof.cli", "explain", str(cert), "--out", str(tmp_path), "--json", "--quiet"],
        capture_output=True, text=True, env=env,
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    acc = subprocess.run(
        [sys.executable, "-m", "mechproof.cli", "accuracy", str(cert.parent / "weights.json"), "--json", "--quiet"],
        capture_output=True, text=True, env=env,
    )
    exact = json.loads(acc.stdout)["correct"]
    certified = json.loads(cert.read_text())["bound"]["correct"]
    assert doc["lost"] == exact - certified
    for key in ("by_max_token", "by_gap", "by_copies_of_max", "by_query"):
        assert sum(doc[key]) == exact - certified, key
    assert (tmp_path / "cubic.slack.png").stat().st_size > 10_000
    assert doc["worst_cases"] and all(case["margin"] is None or case["margin"] > 0 for case in doc["worst_cases"])


def _copy(cert: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "weights.json").write_bytes((cert.parent / "weights.json").read_bytes())
    (folder / cert.name).write_bytes(cert.read_bytes())
    return folder / cert.name


def test_explain_writes_under_a_folder_of_its_own(tiny_cert, tmp_path, monkeypatch):
    """`explain` wrote `cubic.slack.json` (and the heatmaps) beside the certificate, after which `check` of that
    folder failed on the report. It now writes under out/explain/<the certificate's folder>/ by default, and the
    report's JSON names its format, so that `check DIR` skips it wherever it is put."""
    from typer.testing import CliRunner

    from mechproof.cli import app

    cert = _copy(tiny_cert, tmp_path / "certificates" / "tiny")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["explain", str(cert), "--quiet"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in cert.parent.iterdir()) == ["cubic.json", "weights.json"]
    report = tmp_path / "out" / "explain" / "tiny"
    assert sorted(p.name for p in report.iterdir()) == ["cubic.slack.json", "cubic.slack.png", "cubic.slack.svg"]
    assert json.loads((report / "cubic.slack.json").read_text())["format"] == "mechproof-slack"
    res = CliRunner().invoke(app, ["explain", str(cert), "--quiet", "--out", str(cert.parent)])  # asked for
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["check", str(cert.parent)])
    assert res.exit_code == 0 and "skipped 1 file" in res.output, res.output


def test_explain_of_an_exact_certificate_draws_nothing(tiny_v2, tmp_path):  # noqa: F811
    """A certificate that covers every correct input (cubic+residual) got an empty heatmap with a y-axis from
    −0.4 to 0.4; explain now says there is nothing to draw and writes the JSON breakdown only."""
    from typer.testing import CliRunner

    from mechproof.cli import app

    res = CliRunner().invoke(app, ["explain", str(tiny_v2[0]), "--quiet", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "nothing to draw: the certificate covers every correct input" in res.output
    assert [p.name for p in tmp_path.iterdir()] == ["cubic+residual.slack.json"]
