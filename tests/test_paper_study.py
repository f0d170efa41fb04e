"""The committed paper study (results/paper-max4/results.csv): complete, every bound below its seed's brute force,
internally consistent, and reproducible (one seed retrained and two of its rows recomputed byte for byte)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mechproof.tasks.maxk.config import PAPER_SEEDS

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "results" / "paper-max4"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with (STUDY / "results.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_seed_has_brute_force_cubic_and_the_100_subcubic_strategies(rows):
    from mechproof.tasks.maxk.strategies import STRATEGIES

    paper = {"brute-force", "cubic"} | {n for n in STRATEGIES if n.startswith("subcubic-")}
    assert len(paper) == 102
    by_seed: dict[int, set[str]] = {}
    for r in rows:
        by_seed.setdefault(int(r["seed"]), set()).add(r["strategy"])
    assert sorted(by_seed) == sorted(PAPER_SEEDS)
    assert all(strategies == paper for strategies in by_seed.values())
    assert len(rows) == 151 * 102


def test_every_certified_bound_is_at_most_its_seeds_exact_accuracy(rows):
    """Soundness over the whole table: no certificate of a seed covers more inputs than brute force finds right."""
    brute = {r["seed"]: r for r in rows if r["strategy"] == "brute-force"}
    total = 64**4
    for r in rows:
        b = brute[r["seed"]]
        assert r["model_sha256"] == b["model_sha256"]  # the same model
        assert int(r["total"]) == total and int(r["brute_correct"]) == int(b["correct"])
        assert int(r["correct"]) <= int(b["correct"]), (r["seed"], r["strategy"])
        assert float(r["bound"]) == int(r["correct"]) / total
        if r["strategy"] != "brute-force":
            assert float(r["normalized"]) == pytest.approx(int(r["correct"]) / int(b["correct"]), rel=1e-12)
            assert len(r["cert_sha256"]) == 64 and int(r["check_ops"]) > 0 and r["cert_version"] == "2"


def test_the_report_states_the_tables_means(rows):
    """report.md's cubic line is the mean normalized cubic bound of the table (population std)."""
    vals = [float(r["normalized"]) for r in rows if r["strategy"] == "cubic"]
    mean = sum(vals) / len(vals)
    std = (sum((v - mean) ** 2 for v in vals) / len(vals)) ** 0.5
    report = (STUDY / "report" / "report.md").read_text(encoding="utf-8")
    line = next(x for x in report.splitlines() if x.startswith("| cubic |"))
    assert f"{mean:.4f} ± {std:.4f}" in line
    assert (STUDY / "report" / "bound_vs_length.png").stat().st_size > 50_000


@pytest.mark.slow
def test_one_seed_reproduces_its_committed_rows(rows, tmp_path):
    """Seed 50 retrained from scratch, with its cubic and best-subcubic certificates. Where training gives the
    committed weights (a CPU of the study machine's kind), the certificates have the committed bytes (SHA-256) and
    counts. Float training is deterministic per machine, not across CPU instruction sets; elsewhere a second run
    gives the same weights and the same certificate bytes."""
    from mechproof.sweep import SweepSpec, run_sweep

    def sweep(where: Path) -> dict[str, tuple[str, str, str, str]]:
        spec = SweepSpec(out=where / "s", seeds=(50,), strategies=("cubic", "subcubic-mx-avg-exact"), workers=1,
                         models_dir=where / "models")
        summary = run_sweep(spec, progress=False)
        assert not summary.failed
        return {r["strategy"]: tuple(str(r.get(k, "")) for k in ("model_sha256", "correct", "cert_sha256", "check_ops"))
                for r in summary.rows}

    committed = {r["strategy"]: tuple(r[k] for k in ("model_sha256", "correct", "cert_sha256", "check_ops"))
                 for r in rows if r["seed"] == "50"}
    got = sweep(tmp_path / "a")
    assert set(got) >= {"cubic", "subcubic-mx-avg-exact"}
    if got["cubic"][0] == committed["cubic"][0]:
        for strategy, values in got.items():
            want = committed[strategy]
            assert values[:2] == want[:2] and (strategy == "brute-force" or values == want), strategy
    else:
        assert sweep(tmp_path / "b") == got
    assert json.loads((STUDY / "runs.jsonl").read_text().splitlines()[-1])["wall_seconds"] < 20 * 60


def test_cubic_residual_certifies_every_seeds_exact_accuracy():
    """results/paper-max4-exact: `cubic+residual` on the 151 paper seeds. Each certificate's checked lower and upper
    bounds are equal, and equal to brute force's count for the same weights (and to the main study's)."""
    with (ROOT / "results" / "paper-max4-exact" / "results.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (STUDY / "results.csv").open(newline="", encoding="utf-8") as fh:
        main = {r["seed"]: r for r in csv.DictReader(fh) if r["strategy"] == "brute-force"}
    exact = [r for r in rows if r["strategy"] == "cubic+residual"]
    assert sorted(int(r["seed"]) for r in exact) == sorted(PAPER_SEEDS)
    for r in exact:
        assert r["correct"] == r["upper"] == r["brute_correct"] == main[r["seed"]]["correct"], r["seed"]
        assert r["model_sha256"] == main[r["seed"]]["model_sha256"]


def make_on_copy(target: str, **variables: str):
    """`make TARGET VAR=value…` run for real with this interpreter's environment as the venv and the setup step
    skipped (-o setup), as a user would run it after `make setup`."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    ours = {"SEEDS", "STRATEGIES", "SWEEP", "PAPER", "PAPER_CHECK", "PAPER_STRATEGIES", "SCALING", "SCALING_SEEDS",
            "SCALING_CONFIGS", "RAY", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}  # the Makefile's defaults, not the caller's
    env = {k: v for k, v in os.environ.items() if k not in ours}
    args = ["make", "-s", "-o", "setup", target, f"BIN={Path(sys.executable).parent}", *(f"{k}={v}" for k, v in variables.items())]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.slow
def test_make_paper_never_shrinks_the_committed_table(tmp_path):
    """`make paper` over the committed study (here a copy of its committed files) adds nothing to compute and
    rebuilds results.csv and stages.csv byte for byte; it used to rebuild the table from row files alone."""
    for name in ("results.csv", "stages.csv", "runs.jsonl"):
        (tmp_path / name).write_bytes((STUDY / name).read_bytes())
    res = make_on_copy("paper", PAPER=str(tmp_path))
    assert res.returncode == 0, res.stderr[-2000:]
    for name in ("results.csv", "stages.csv", "runs.jsonl"):
        assert (tmp_path / name).read_bytes() == (STUDY / name).read_bytes(), name
    assert "0 computed, 15402 already present" in " ".join(res.stdout.split())
