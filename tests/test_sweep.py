"""`mechproof sweep`: rows, resuming, tables, selection, failures, the pool.

Small models (V=8, n=3, d=8, 300 training steps) keep every sweep here to a second or two.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mechproof.tasks.maxk.bruteforce as bruteforce_mod
import mechproof.tasks.maxk.models as modelstore_mod
from mechproof import weights as weights_io
from mechproof.checker import check
from mechproof.checker.arith import OPS
from mechproof.checker.matrices import exact_matrices as checker_matrices
from mechproof.cli import app
from mechproof.config import ModelConfig, TrainConfig
from mechproof.errors import InputError
from mechproof.strategies import ProofOutput, StrategyInfo
from mechproof.sweep import (
    BRUTE,
    SweepSpec,
    differing_columns,
    brute_force_ops,
    failure_path,
    matrix_ops,
    parse_seeds,
    read_csv_table,
    row_key,
    row_path,
    run_sweep,
    select_strategies,
)
from mechproof.tasks.maxk.config import PAPER_SEEDS
from mechproof.tasks.maxk.strategies import STRATEGIES

from mechproof.sweep.rows import flat_row
from mechproof.sweep.timing import read_runs, stage_totals

SMALL = ModelConfig(d_vocab=8, n_ctx=3, d_model=8, d_head=8)
SHORT = TrainConfig(steps=300)
TIMING = {"prove_seconds", "check_seconds", "train_seconds"}
CERT_VERSION = json.loads((Path(__file__).resolve().parents[1] / "certificates/seed42/cubic.json").read_text())["version"]


def _spec(tmp_path: Path, out: str = "out", **kw) -> SweepSpec:
    base = dict(
        out=tmp_path / out,
        seeds=(1, 2),
        strategies=("cubic",),
        workers=1,
        device="cpu",
        models_dir=tmp_path / "models",
        model_cfg=SMALL,
        train_cfg=SHORT,
    )
    base.update(kw)
    return SweepSpec(**base)


class Counter:
    """Counts calls of the training, the brute force and the cubic strategy (in this process)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = {"train": 0, "brute": 0, "cubic": 0}
        real_train, real_brute, real_cubic = modelstore_mod.train_and_save, bruteforce_mod.brute_force, STRATEGIES["cubic"]

        def train(*a, **k):
            self.calls["train"] += 1
            return real_train(*a, **k)

        def brute(*a, **k):
            self.calls["brute"] += 1
            return real_brute(*a, **k)

        def cubic(w):
            self.calls["cubic"] += 1
            return real_cubic.run(w)

        monkeypatch.setattr(modelstore_mod, "train_and_save", train)
        monkeypatch.setattr(bruteforce_mod, "brute_force", brute)
        monkeypatch.setitem(STRATEGIES, "cubic", replace(real_cubic, run=cubic))

    def reset(self) -> None:
        self.calls = dict.fromkeys(self.calls, 0)


def _rows_without_timing(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in TIMING} for r in rows]


@pytest.mark.slow
def test_sweep_rows_tables_and_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = Counter(monkeypatch)
    spec = _spec(tmp_path)
    summary = run_sweep(spec, progress=False)
    assert (summary.done, summary.skipped, summary.failed, summary.interrupted) == (4, 0, [], False)
    assert counter.calls == {"train": 2, "brute": 2, "cubic": 2}
    out = spec.out
    files = {s: {n: row_path(out, s, n) for n in (BRUTE, "cubic")} for s in (1, 2)}
    assert all(p.is_file() for d in files.values() for p in d.values())
    assert not list((out / "rows").rglob(".*"))  # no temporary files left behind

    # results.json: sorted, and every number consistent with the certificate and an independent brute force
    doc = json.loads((out / "results.json").read_text())
    rows = doc["rows"]
    assert [(r["seed"], r["strategy"]) for r in rows] == [(1, BRUTE), (1, "cubic"), (2, BRUTE), (2, "cubic")]
    assert doc["failures"] == []
    for r in rows:
        w = weights_io.load(tmp_path / "models" / f"seed{r['seed']}.json")
        assert r["model_sha256"] == w.sha256 and w.cfg == SMALL
        assert r["total"] == 8**3
        assert r["bound"] == r["correct"] / r["total"]
        assert r["brute_accuracy"] == r["brute_correct"] / r["total"]
        assert r["normalized"] == pytest.approx(r["bound"] / r["brute_accuracy"], rel=1e-12)
        assert r["bound"] <= r["brute_accuracy"]
        assert r["check_ops"] == sum(r["ops"].values()) > 0
        if r["strategy"] == "cubic":
            cert = out / r["certificate"]
            assert cert.parent == out / "certificates" / f"seed{r['seed']}"
            assert r["cert_bytes"] == cert.stat().st_size
            assert r["cert_sha256"] == hashlib.sha256(cert.read_bytes()).hexdigest()
            assert r["cert_version"] == json.loads(cert.read_text())["version"] == CERT_VERSION
            res = check(cert)  # the kept certificate re-checks, with the recorded bound and proof length
            assert (res.correct, res.total, res.total_ops, res.ops) == (r["correct"], r["total"], r["check_ops"], r["ops"])
        else:
            assert r["bound"] == r["brute_accuracy"] and r["normalized"] == 1.0
            assert r["ops"] == brute_force_ops(SMALL) and r["trained"] is True
            assert r["cert_sha256"] is None and r["cert_version"] is None
        assert row_key(r) == (r["model_sha256"], r["strategy"], r["cert_version"])
    # the brute-force row is the exact accuracy (recomputed here independently of the sweep)
    for seed in (1, 2):
        w = weights_io.load(tmp_path / "models" / f"seed{seed}.json")
        brute_row = next(r for r in rows if r["seed"] == seed and r["strategy"] == BRUTE)
        counter.reset()
        assert brute_row["brute_correct"] == bruteforce_mod.brute_force(w, progress=False).correct

    # results.csv: the same rows and values
    with open(out / "results.csv", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert len(csv_rows) == len(rows)
    assert list(csv_rows[0]) == doc["columns"]
    for c, r in zip(csv_rows, rows):
        assert (int(c["seed"]), c["strategy"], c["group"]) == (r["seed"], r["strategy"], r["group"])
        assert (int(c["correct"]), int(c["total"]), int(c["brute_correct"])) == (r["correct"], r["total"], r["brute_correct"])
        assert (float(c["bound"]), float(c["normalized"])) == (r["bound"], r["normalized"])
        assert int(c["check_ops"]) == r["check_ops"]
        assert {k: int(c[f"ops_{k}"]) for k in r["ops"]} == r["ops"]
    # read back typed, every cell equals the row's value (an absent column reads as an empty cell)
    typed = read_csv_table(out / "results.csv")
    assert [differing_columns(t, flat_row(r), ignore=()) for t, r in zip(typed, rows)] == [[]] * len(rows)
    assert typed[1]["cert_version"] == CERT_VERSION and typed[0]["trained"] is True and typed[0]["cert_sha256"] is None

    # time by stage: per seed in stages.csv, and this run's totals and wall time in runs.jsonl
    with open(out / "stages.csv", newline="") as fh:
        stages = {int(s["seed"]): s for s in csv.DictReader(fh)}
    for seed in (1, 2):
        brute_row, cubic_row = (next(r for r in rows if r["seed"] == seed and r["strategy"] == n) for n in (BRUTE, "cubic"))
        got = {k: float(stages[seed][f"{k}_seconds"]) for k in ("train", "brute", "prove", "check")}
        assert got == pytest.approx({"train": brute_row["train_seconds"], "brute": brute_row["prove_seconds"],
                                     "prove": cubic_row["prove_seconds"], "check": cubic_row["check_seconds"]})
        assert got["train"] > 0 and got["brute"] > 0 and stages[seed]["strategies"] == "1"
    (run,) = read_runs(out)
    assert run["computed"] == 4 and run["wall_seconds"] >= sum(run["stages"].values()) > 0
    assert run["stages"] == summary.stages == stage_totals(rows)

    # rerun: nothing is recomputed, no row file is rewritten, the tables come out the same
    mtimes = {p: p.stat().st_mtime_ns for d in files.values() for p in d.values()}
    counter.reset()
    again = run_sweep(spec, progress=False)
    assert (again.done, again.skipped, again.failed) == (0, 4, [])
    assert counter.calls == {"train": 0, "brute": 0, "cubic": 0}
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert json.loads((out / "results.json").read_text()) == doc
    assert len(read_runs(out)) == 1  # a run with nothing to do is not recorded

    # a row that only the tables still hold is kept, not recomputed (the tables never lose a row)
    files[2]["cubic"].unlink()
    counter.reset()
    kept = run_sweep(spec, progress=False)
    assert (kept.done, kept.skipped, counter.calls["cubic"]) == (0, 4, 0)
    assert json.loads((out / "results.json").read_text()) == doc

    # a task that never finished (no row file, no table row: a run killed before its tables were rebuilt) is
    # computed, and only that one (brute force is read back from its row)
    for table in ("results.json", "results.csv"):
        (out / table).unlink()
    third = run_sweep(spec, progress=False)
    assert (third.done, third.skipped) == (1, 3)
    assert counter.calls == {"train": 0, "brute": 0, "cubic": 1}
    assert read_runs(out)[-1]["stages"] == stage_totals([r for r in third.rows if (r["seed"], r["strategy"]) == (2, "cubic")])
    assert _rows_without_timing(json.loads((out / "results.json").read_text())["rows"]) == _rows_without_timing(rows)


@pytest.mark.slow
def test_pool_matches_in_process(tmp_path: Path) -> None:
    """Two spawned workers give the same rows as one in-process run on the same models."""
    pooled = run_sweep(_spec(tmp_path, "pooled", workers=2), progress=False)
    assert (pooled.done, pooled.failed) == (4, [])
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["seed1.json", "seed2.json"]
    single = run_sweep(_spec(tmp_path, "single", workers=1), progress=False)
    assert single.failed == []
    strip = lambda rows: [{k: v for k, v in r.items() if k not in TIMING | {"trained", "train_device"}} for r in rows]  # noqa: E731
    assert strip(pooled.rows) == strip(single.rows)
    assert [r["trained"] for r in pooled.rows if r["strategy"] == BRUTE] == [True, True]
    assert [r["trained"] for r in single.rows if r["strategy"] == BRUTE] == [False, False]


def test_failures_are_recorded_and_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = STRATEGIES["cubic"]

    def inflated(w) -> ProofOutput:  # claims one input more than it proves: the checker must refuse it
        p = real.run(w)
        return replace(p, correct=p.correct + 1)

    def broken(w) -> ProofOutput:
        raise ValueError("strategy bug")

    monkeypatch.setitem(STRATEGIES, "inflated", StrategyInfo("inflated", inflated, "O(1)", "test"))
    monkeypatch.setitem(STRATEGIES, "broken", StrategyInfo("broken", broken, "O(1)", "test"))
    spec = _spec(tmp_path, seeds=(1,), strategies=("cubic", "inflated", "broken"))
    summary = run_sweep(spec, progress=False)
    assert summary.done == 2  # brute force and cubic
    assert sorted((f["strategy"], f["error"].split(":")[0]) for f in summary.failed) == [
        ("broken", "ValueError"),
        ("inflated", "ClaimFailure"),
    ]
    cert_dir = spec.out / "certificates" / "seed1"
    assert sorted(p.name for p in cert_dir.iterdir()) == ["cubic.json", "weights.json"]  # nothing unproven kept
    assert not row_path(spec.out, 1, "inflated").exists() and failure_path(spec.out, 1, "inflated").is_file()
    doc = json.loads((spec.out / "results.json").read_text())
    assert sorted(f["strategy"] for f in doc["failures"]) == ["broken", "inflated"]

    # failures are retried: once the strategy is fixed its row appears and the failure record goes
    monkeypatch.setitem(STRATEGIES, "broken", StrategyInfo("broken", real.run, "O(1)", "test"))
    again = run_sweep(spec, progress=False)
    assert again.done == 1 and [f["strategy"] for f in again.failed] == ["inflated"]
    assert row_path(spec.out, 1, "broken").is_file() and not failure_path(spec.out, 1, "broken").exists()


@pytest.mark.slow
def test_rows_of_another_model_are_not_mixed(tmp_path: Path) -> None:
    spec = _spec(tmp_path, seeds=(1,))
    run_sweep(spec, progress=False)
    cubic_row = row_path(spec.out, 1, "cubic")
    cubic_row.unlink()
    for table in ("results.json", "results.csv"):  # as a run killed before its tables were rebuilt leaves it
        (spec.out / table).unlink()
    (tmp_path / "models" / "seed1.json").unlink()  # retrained with a different recipe → different weights
    other = replace(spec, train_cfg=TrainConfig(steps=200))
    summary = run_sweep(other, progress=False)
    assert summary.done == 0
    assert [f["strategy"] for f in summary.failed] == ["cubic"]
    assert "computed for model" in summary.failed[0]["error"]
    assert not cubic_row.exists()


def test_rows_that_only_a_committed_table_holds_are_kept_and_bind_the_model(tmp_path: Path) -> None:
    """A folder holding only its results.csv (a committed study): a sweep over fewer seeds keeps every row, and
    a new task of a seed whose committed rows are of other weights is refused, naming the table."""
    spec = _spec(tmp_path, seeds=(1, 2))
    run_sweep(spec, progress=False)
    committed = (spec.out / "results.csv").read_bytes()
    import shutil

    for extra in ("rows", "certificates", "results.json"):
        shutil.rmtree(spec.out / extra) if (spec.out / extra).is_dir() else (spec.out / extra).unlink()
    again = run_sweep(replace(spec, seeds=(1,)), progress=False)
    assert (again.done, again.skipped, again.failed) == (0, 2, [])
    assert (spec.out / "results.csv").read_bytes() == committed  # byte for byte: seed 2 is still there

    (tmp_path / "models" / "seed1.json").unlink()
    other = replace(spec, seeds=(1,), strategies=("cubic", "subcubic-mx-avg-exact"), train_cfg=TrainConfig(steps=200))
    summary = run_sweep(other, progress=False)
    assert [f["strategy"] for f in summary.failed] == ["subcubic-mx-avg-exact"]
    assert f"{spec.out / 'results.'}" in summary.failed[0]["error"] and "computed for model" in summary.failed[0]["error"]
    assert (spec.out / "results.csv").read_bytes() == committed


def test_strategy_selection() -> None:
    fake = dict.fromkeys(["cubic", "subcubic-a", "subcubic-b", "other"])
    assert select_strategies("all", fake) == ["cubic", "subcubic-a", "subcubic-b", "other"]
    assert select_strategies("subcubic*", fake) == ["subcubic-a", "subcubic-b"]
    assert select_strategies("other,cubic,cubic", fake) == ["cubic", "other"]  # registry order, no repeats
    assert select_strategies("*-b, cub?c", fake) == ["cubic", "subcubic-b"]
    assert select_strategies(BRUTE, fake) == []
    assert select_strategies("cub*") == [k for k in STRATEGIES if k.startswith("cub")]
    with pytest.raises(InputError, match="unknown strategy 'cubc'.*did you mean cubic"):
        select_strategies("cubc", fake)
    with pytest.raises(InputError, match="matches no strategy"):
        select_strategies("quartic*", fake)
    with pytest.raises(InputError):
        select_strategies("cubic,", fake)


def test_seed_parsing() -> None:
    assert parse_seeds("paper") == list(PAPER_SEEDS) and len(parse_seeds("paper")) == 151
    assert parse_seeds("3..5") == [3, 4, 5]
    assert parse_seeds("7,3,7") == [7, 3]
    assert parse_seeds("1..2,42") == [1, 2, 42]
    for bad in ("5..3", "x", "1..", "-1", "", "1,,2"):
        with pytest.raises(InputError):
            parse_seeds(bad)


def test_cli_rejects_bad_arguments(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["sweep", "--seeds", "1", "--strategies", "nope", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "unknown strategy 'nope'" in res.output
    res = runner.invoke(app, ["sweep", "--seeds", "9..1", "--strategies", "cubic", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "N ≤ M" in res.output
    res = runner.invoke(app, ["sweep", "--seeds", "1", "--device", "tpu", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--device" in res.output
    assert not (tmp_path / "o").exists()


def test_brute_force_ops_precomputation_matches_the_checker() -> None:
    """The matrix part of the analytic brute-force count equals what the checker counts for the same matrices."""
    from mechproof.tasks.maxk.training import train
    from mechproof.weights import from_torch

    for cfg in (SMALL, ModelConfig(d_vocab=5, n_ctx=4, d_model=3, d_head=2)):
        w = from_torch(cfg, train(cfg, TrainConfig(steps=1), progress=False).model.named_tensors())
        OPS.clear()
        checker_matrices(w)
        assert dict(OPS) == matrix_ops(cfg)
        ops = brute_force_ops(cfg)
        assert ops["exp"] == cfg.d_vocab * (cfg.d_vocab + cfg.n_ctx)
        assert sum(ops.values()) > cfg.n_inputs * cfg.d_vocab * cfg.n_ctx  # every input touches every logit


@pytest.mark.slow
def test_cpu_training_default_is_unchanged(tmp_path: Path) -> None:
    """device="cpu" is the default path: same bytes as the default call, twice, and no device in the provenance."""
    a, _ = modelstore_mod.train_and_save(3, tmp_path / "a.json", cfg=SMALL, progress=False, tcfg=SHORT)
    b, _ = modelstore_mod.train_and_save(3, tmp_path / "b.json", cfg=SMALL, progress=False, tcfg=SHORT, device="cpu")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert "device" not in a.provenance and a.provenance["train_config"]["steps"] == 300


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_training_goes_to_the_sweep_folder(tmp_path: Path) -> None:
    spec = _spec(tmp_path, seeds=(5,), device="cuda")
    summary = run_sweep(spec, progress=False)
    assert summary.failed == [] and summary.done == 2
    assert (spec.out / "models" / "seed5.json").is_file() and not (tmp_path / "models" / "seed5.json").exists()
    w = weights_io.load(spec.out / "models" / "seed5.json")
    assert w.provenance["device"] == "cuda"
    brute = next(r for r in summary.rows if r["strategy"] == BRUTE)
    assert brute["train_device"] == "cuda" and brute["device"] == "cuda"


# ------------------------------------------------------------------------------------------------ never lose a row


COMMITTED = [p.parent for p in sorted((Path(__file__).resolve().parents[1] / "results").rglob("results.csv"))]


@pytest.mark.parametrize("study", COMMITTED, ids=lambda p: p.relative_to(p.parents[1]).as_posix())
def test_a_committed_table_is_rebuilt_byte_for_byte(study: Path, tmp_path: Path) -> None:
    """A folder holding only a committed results.csv and stages.csv rebuilds both unchanged: its rows are kept."""
    from mechproof.sweep import build_tables

    for name in ("results.csv", "stages.csv"):
        (tmp_path / name).write_bytes((study / name).read_bytes())
    rows = build_tables(tmp_path)
    assert len(rows) == len(read_csv_table(study / "results.csv")) > 0
    for name in ("results.csv", "stages.csv"):
        assert (tmp_path / name).read_bytes() == (study / name).read_bytes(), name


def test_rows_that_disagree_between_a_table_and_a_row_file_refuse_the_folder(tmp_path: Path) -> None:
    spec = _spec(tmp_path, seeds=(1,))
    run_sweep(spec, progress=False)
    f = row_path(spec.out, 1, "cubic")
    row = json.loads(f.read_text())
    row["correct"] += 1
    f.write_text(json.dumps(row))
    with pytest.raises(InputError) as e:
        run_sweep(spec, progress=False)
    assert e.value.path == str(f) and e.value.field == "correct" and "results.json" in e.value.message


def test_a_failure_that_a_row_has_answered_is_dropped(tmp_path: Path) -> None:
    """Another run's failure record of a task that has a row (two runs at once left it) does not outlive a rerun."""
    from mechproof.sweep.rows import store_failure

    spec = _spec(tmp_path, seeds=(1,))
    run_sweep(spec, progress=False)
    store_failure(spec.out, 1, "cubic", "FileNotFoundError: written by another run")
    summary = run_sweep(spec, progress=False)
    assert (summary.done, summary.failed) == (0, [])
    assert not failure_path(spec.out, 1, "cubic").exists()
    assert json.loads((spec.out / "results.json").read_text())["failures"] == []


def test_a_second_run_into_a_folder_in_use_is_refused_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mechproof.sweep.folder import folder_lock

    counter = Counter(monkeypatch)
    spec = _spec(tmp_path, seeds=(1,))
    with folder_lock(spec.out):
        with pytest.raises(InputError) as e:
            run_sweep(spec, progress=False)
    assert f"pid {__import__('os').getpid()}" in e.value.message and "in use by another run" in e.value.message
    assert counter.calls == {"train": 0, "brute": 0, "cubic": 0} and not (spec.out / "rows").exists()
    assert run_sweep(spec, progress=False).done == 2  # released when its holder is done


def test_sweep_out_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("not a folder\n")
    for out in (tmp_path / "README.md", tmp_path / "README.md" / "sub"):
        res = CliRunner().invoke(app, ["sweep", "--seeds", "1", "--strategies", "cubic", "--out", str(out)])
        assert res.exit_code == 2, res.output
        assert "README.md is a file" in " ".join(res.output.split())
    assert (tmp_path / "README.md").read_text() == "not a folder\n"


def test_an_unproven_certificate_has_a_temporary_name_of_its_own(tmp_path: Path) -> None:
    """Two runs writing the same certificate at once each check their own unproven file: neither removes nor
    replaces the other's (one of two `certify seed80` exited 3 with FileNotFoundError)."""
    import mechproof.certify as certify_mod
    from mechproof.certify import build_certificate, write_proven

    small = _small_weights(tmp_path)
    certify_mod.save_weights_copy(small, tmp_path / "c" / "weights.json")
    proof = STRATEGIES["cubic"].run(small)
    others = [tmp_path / "c" / ".cubic.unproven.json", tmp_path / "c" / ".cubic.other.unproven.json"]
    for p in others:  # what another run has in flight, under the old fixed name and under any other
        p.write_text("another run's certificate")
    res, _ = write_proven(build_certificate(small, proof), tmp_path / "c" / "cubic.json")
    assert res.correct == proof.correct and check(tmp_path / "c" / "cubic.json").correct == proof.correct
    assert [p.read_text() for p in others] == ["another run's certificate"] * 2
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == sorted(["cubic.json", "weights.json", *(p.name for p in others)])


def _small_weights(tmp_path: Path):
    w, _ = modelstore_mod.train_and_save(1, tmp_path / "m.json", cfg=SMALL, progress=False, tcfg=SHORT)
    return w
