"""The command line on the induction task: train, accuracy, certify, strategies, check and sweep.

The quick tests run the commands in process on the tiny and mid fixture models (weights files); the slow one
trains ind6-seed0 and compares certify's certificate with the results entry point's."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from induction_fixtures import model, truth, write
from typer.testing import CliRunner

from mechproof import weights as weights_io
from mechproof.checker import check
from mechproof.cli import app
from mechproof.tasks.induction import study
from mechproof.tasks.induction.results import strategy_row
from mechproof.tasks.induction.strategies import STRATEGIES

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A scratch working directory holding tiny.json (induction weights)."""
    monkeypatch.chdir(tmp_path)
    weights_io.save(model("tiny"), tmp_path / "tiny.json")
    return tmp_path


def test_accuracy_is_the_literal_models_count_or_a_labelled_estimate(here):
    res = cli("accuracy", "tiny.json", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert (doc["kind"], doc["correct"], doc["total"]) == ("exact", sum(truth("tiny").values()), len(truth("tiny")))
    res = cli("accuracy", "tiny.json", "--samples", "200", "--json")
    est = json.loads(res.stdout)
    assert est["kind"] == "estimate" and est["samples"] == 200
    assert est["ci_low"] <= doc["accuracy"] <= est["ci_high"]
    assert "ESTIMATE, not certified" in cli("accuracy", "tiny.json", "--samples", "50").stdout
    shown = cli("accuracy", "tiny.json")  # with its progress bar
    assert shown.exit_code == 0 and f"{doc['correct']}/{doc['total']} correct" in shown.stdout
    assert "brute force" in shown.stderr


def test_beyond_brute_force_accuracy_asks_for_samples_and_estimates(here):
    import torch

    from mechproof.tasks.induction.config import InductionConfig
    from mechproof.weights import from_torch

    cfg = InductionConfig(d_vocab=16, n_ctx=10, d_model=4, d_head=4)  # 3.3·10^10 inputs, as ind10
    g = torch.Generator().manual_seed(0)
    tensors = {k: 0.1 * torch.randn(shape, generator=g) for k, shape in cfg.tensor_shapes().items()}
    weights_io.save(from_torch(cfg, tensors, seed=0), here / "big.json")
    res = cli("accuracy", "big.json")
    assert res.exit_code == 2 and "error: big.json: --samples:" in res.stderr and "beyond brute force" in res.stderr
    est = json.loads(cli("accuracy", "big.json", "--samples", "100", "--json").stdout)
    assert est["kind"] == "estimate" and est["samples"] == 100 and 0 <= est["ci_low"] <= est["ci_high"] <= 1


@pytest.mark.parametrize("strategy, upper, name", [("windows", True, "windows-upper.json"),
                                                   ("windows+residual", False, "windows-residual.json")])
def test_certify_writes_the_certificate_the_results_rows_are_made_of(here, strategy, upper, name):
    args = ["certify", "tiny.json", "--strategy", strategy, "--depth", "1", "--json"] + ["--upper"] * upper
    res = cli(*args)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    cert = here / "out" / "certificates" / "tiny" / name
    assert doc["certificate"] == str(cert.relative_to(here)) and not list(cert.parent.glob(".*"))
    result = check(cert)
    assert (doc["correct"], doc["upper"], doc["proof_length"]) == (result.correct, result.upper, sum(result.ops.values()))
    assert doc["brute_force"]["correct"] == sum(truth("tiny").values()) and doc["lean"]["status"] == "not run"
    assert "is in no Lean project" in doc["lean"]["detail"]  # a scratch folder: no lakefile.lean above it
    row = strategy_row("tiny", model("tiny"), here / "elsewhere", strategy, 1, upper, 1)  # as results.py does
    assert Path(row["certificate"]).name == name
    assert cert.read_bytes() == Path(row["certificate"]).read_bytes()


@pytest.mark.parametrize("sha, code, verdict", [(None, 0, "reproduced byte for byte"), ("0" * 64, 1, "NOT REPRODUCED")])
def test_certify_compares_with_the_committed_rows_certificate_hash(here, sha, code, verdict):
    row = strategy_row("tiny", model("tiny"), here / "elsewhere", "windows", 1, True, 1)
    committed = here / study.FOLDER
    committed.mkdir(parents=True)
    study.append_rows(committed, [row | ({} if sha is None else {"certificate_sha256": sha})])
    res = cli("certify", "tiny.json", "--strategy", "windows", "--upper", "--no-brute")
    assert res.exit_code == code, res.output
    assert verdict in res.stdout and str(study.FOLDER / study.ROWS) in res.stdout
    other = cli("certify", "tiny.json", "--strategy", "windows", "--no-brute")  # windows.json: no committed row
    assert other.exit_code == 0 and "committed row" not in other.stdout


def test_certify_at_another_depth_names_the_file_by_it(here):
    res = cli("certify", "tiny.json", "--strategy", "windows", "--depth", "0", "--no-brute")
    assert res.exit_code == 0, res.output
    assert "proof length" in res.stdout and "Lean" in res.stdout
    assert check(here / "out" / "certificates" / "tiny" / "windows-depth0.json").correct > 0


def test_check_reports_each_file_of_a_folder_of_both_tasks(here, tiny_cert):
    shutil.copytree(tiny_cert.parent, here / "certs" / "maxk")
    good = write(here / "certs" / "induction", "tiny", "windows", upper=True)
    broken = here / "certs" / "induction-broken"
    shutil.copytree(good.parent, broken)
    doc = json.loads(good.read_text())
    doc["bound"]["correct"] += 1
    (broken / good.name).write_text(json.dumps(doc))
    res = cli("check", "certs", "--json")
    assert res.exit_code == 1, res.output
    files = {Path(f["path"]).relative_to("certs").as_posix(): f for f in json.loads(res.stdout)["files"]}
    assert files[f"maxk/{tiny_cert.name}"]["status"] == "ok"
    assert files[f"induction/{good.name}"]["status"] == "ok" and files[f"induction/{good.name}"]["strategy"] == "windows"
    assert files[f"induction-broken/{good.name}"]["status"] == "fail"
    res = cli("check", "certs")
    assert f"induction/{good.name}: OK" in res.stdout and f"maxk/{tiny_cert.name}: OK" in res.stdout
    assert f"induction-broken/{good.name}: FAIL bound" in res.stderr


def test_strategies_lists_both_tasks():
    doc = json.loads(cli("strategies", "--json").stdout)
    assert "cubic" in [r["name"] for r in doc["strategies"]]
    assert [r["name"] for r in doc["induction"]] == list(STRATEGIES)
    only = json.loads(cli("strategies", "--json", "--task", "induction").stdout)
    assert list(only) == ["induction"]
    text = cli("strategies").stdout
    assert "windows+residual" in text and "subcubic-" in text


@pytest.mark.parametrize("args, field", [
    (["train", "--task", "induction", "--n", "7"], "--n"),
    (["train", "--n", "6"], "--n"),
    (["train", "ind6-seed0", "--seed", "1"], "MODEL"),
    (["train", "ind7-seed0"], "model name"),
    (["train", "--task", "maxk", "ind6-seed0"], "--task"),
    (["train", "--task", "neither"], "--task"),
    (["train", "--config", "ind6", "--n", "8"], "--n"),
    (["accuracy", "tiny.json", "--device", "cpu"], "--device"),
    (["certify", "tiny.json", "--strategy", "cubic"], "--strategy"),
    (["certify", "tiny.json", "--paper-compatible"], "--paper-compatible"),
    (["certify", "seed42", "--depth", "1"], "--depth"),
    (["sweep", "--task", "induction"], "--seeds"),
    (["sweep", "--task", "induction", "--seeds", "0", "--ray", "auto"], "--ray"),
    (["sweep", "--task", "induction", "--models", "seed42"], "--models"),
    (["sweep", "--task", "induction", "--models", "tiny.json,x/tiny.json"], "--models"),
    (["sweep", "--task", "induction", "--models", "tiny.json", "--depths", "one"], "--depths"),
    (["sweep", "--task", "induction", "--models", "tiny.json", "--strategies", "cubic"], "--strategies"),
    (["sweep", "--seeds", "0", "--depths", "1"], "--depths"),
    (["sweep", "--task", "maxk", "--config", "ind6", "--seeds", "0"], "--task"),
    (["sweep", "--task", "maxk", "--models", "tiny.json"], "--models"),
    (["strategies", "--task", "k4"], "--task"),
])  # fmt: skip
def test_bad_input_exits_2_naming_the_option(here, args, field):
    res = cli(*args)
    assert res.exit_code == 2, res.output
    assert f"error: {field}" in res.stderr
    assert not (here / "models").exists() and not (here / "out").exists()  # refused before any work


def test_help_speaks_of_both_tasks():
    assert "induction" in cli("--help").stdout
    for command in ("train", "accuracy", "certify", "strategies", "sweep"):
        assert "nduction" in cli(command, "--help").stdout, command


# ------------------------------------------------------------------------------------------------ sweep


def _sweep(*args: str):
    return cli("sweep", "--out", "sw", "--quiet", *args)  # --models implies --task induction


def test_sweep_resumes_and_keeps_every_row(here):
    res = _sweep("--models", "tiny.json", "--strategies", "windows", "--upper")
    assert res.exit_code == 0, res.output
    first = (here / "sw" / study.ROWS).read_text()
    rows = study.read_rows(here / "sw")
    assert set(rows) == {("tiny", "bruteforce", 0), ("tiny", "windows", 1)}
    assert rows[("tiny", "bruteforce", 0)]["correct"] == sum(truth("tiny").values())
    windows = rows[("tiny", "windows", 1)]
    assert check(here / windows["certificate"]).correct == windows["correct"] and windows["upper"] is not None
    res = _sweep("--models", "tiny.json", "--depths", "0,1")
    assert res.exit_code == 0, res.output
    assert "3 computed, 2 already present, 0 failed" in res.stdout
    assert (here / "sw" / study.ROWS).read_text().startswith(first)  # earlier rows kept, byte for byte
    rows = study.read_rows(here / "sw")
    assert len(rows) == 5 and rows[("tiny", "windows", 1)] == windows
    assert (here / "sw" / study.TABLE).read_text() == study.table_csv(rows)
    committed = study.read_rows(ROOT / study.FOLDER)[("ind6-seed0", "windows", 1)]
    assert set(rows[("tiny", "windows", 0)]) == set(committed)  # the columns of the committed study's rows
    again = _sweep("--models", "tiny.json", "--depths", "0,1")
    assert "0 computed, 5 already present" in again.stdout
    assert len(study.read_rows(here / "sw")) == 5


def test_sweep_records_a_failure_keeps_the_others_and_retries_it(here):
    (here / "bad.json").write_text("{}")
    res = _sweep("--models", "tiny.json,bad.json", "--strategies", "windows")
    assert res.exit_code == 1, res.output
    assert "FAILED bad windows depth 1" in res.stderr
    assert len(study.read_rows(here / "sw")) == 2
    failure = here / "sw" / "failures" / "bad" / "windows-depth1.json"
    assert "InputError" in json.loads(failure.read_text())["error"]
    weights_io.save(model("tiny"), here / "bad.json")
    res = _sweep("--models", "tiny.json,bad.json", "--strategies", "windows")
    assert res.exit_code == 0, res.output
    assert not failure.exists() and len(study.read_rows(here / "sw")) == 4


def test_sweep_refuses_rows_of_other_weights(here):
    assert _sweep("--models", "tiny.json", "--strategies", "windows").exit_code == 0
    weights_io.save(model("mid"), here / "tiny.json")
    res = _sweep("--models", "tiny.json")
    assert res.exit_code == 1, res.output
    assert "rows of tiny are of weights" in res.stderr
    assert len(study.read_rows(here / "sw")) == 2


def test_sweep_refuses_a_second_run_on_one_folder(here):
    from mechproof.sweep.folder import folder_lock

    with folder_lock(here / "sw"):
        res = _sweep("--models", "tiny.json")
    assert res.exit_code == 2 and "in use by another run" in res.stderr
    assert not (here / "sw" / study.ROWS).exists()


def test_the_results_entry_point_waits_for_no_sweep(here):
    """The results entry point rewrites rows.jsonl too: while a sweep holds the folder it is refused, before it
    trains or proves anything."""
    from mechproof.errors import InputError
    from mechproof.sweep.folder import folder_lock
    from mechproof.tasks.induction import results

    with folder_lock(here / "sw"), pytest.raises(InputError, match="in use by another run"):
        results.main(["ind6-seed0", "--out", "sw"])
    assert not (here / "models").exists() and not (here / "sw" / study.ROWS).exists()


def test_an_interrupted_sweep_keeps_its_finished_rows(here, monkeypatch):
    import mechproof.tasks.induction.results as results

    real = results.strategy_row
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(args[3])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(results, "strategy_row", interrupted)
    res = _sweep("--models", "tiny.json")
    assert res.exit_code == 130, res.output
    assert set(study.read_rows(here / "sw")) == {("tiny", "bruteforce", 0), ("tiny", "windows", 1)}
    assert (here / "sw" / study.TABLE).read_text() == study.table_csv(study.read_rows(here / "sw"))
    monkeypatch.setattr(results, "strategy_row", real)
    res = _sweep("--models", "tiny.json")
    assert res.exit_code == 0 and "1 computed, 2 already present" in res.stdout


# ------------------------------------------------------------------------------------------------ ind6, end to end


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.mark.slow
def test_ind6_trains_the_same_by_either_form_and_certify_reproduces_the_results_entry_point(tmp_path):
    (tmp_path / study.FOLDER).mkdir(parents=True)
    shutil.copy(ROOT / study.FOLDER / study.ROWS, tmp_path / study.FOLDER / study.ROWS)  # the committed rows
    named = _run(tmp_path, "-m", "mechproof.cli", "train", "ind6-seed0")
    assert named.returncode == 0, named.stderr
    assert "train seed 0" in named.stderr  # the progress bar
    by_options = _run(tmp_path, "-m", "mechproof.cli", "train", "--task", "induction", "--seed", "0", "--n", "6",
                      "--out", "again.json", "--quiet")
    assert by_options.returncode == 0 and not by_options.stderr
    path = tmp_path / "models" / "ind6-seed0.json"
    assert path.read_bytes() == (tmp_path / "again.json").read_bytes()
    cert = _run(tmp_path, "-m", "mechproof.cli", "certify", "ind6-seed0", "--strategy", "windows", "--upper",
                "--no-brute", "--json")
    assert cert.returncode == 0, cert.stderr
    doc = json.loads(cert.stdout)
    entry = _run(tmp_path, "-m", "mechproof.tasks.induction.results", "ind6-seed0", "--strategy", "windows", "--upper",
                 "--no-bruteforce", "--workers", "1", "--out", "res")
    assert entry.returncode == 0, entry.stderr
    ours = tmp_path / doc["certificate"]
    assert ours.read_bytes() == (tmp_path / "res" / "ind6-seed0" / ours.name).read_bytes()
    assert check(ours).correct == doc["correct"]
    swept = _run(tmp_path, "-m", "mechproof.cli", "sweep", "--task", "induction", "--seeds", "0", "--strategies",
                 "windows", "--upper", "--out", "sw", "--quiet")
    assert swept.returncode == 0, swept.stderr
    rows = study.read_rows(tmp_path / "sw")
    assert rows[("ind6-seed0", "windows", 1)]["certificate_sha256"] == hashlib.sha256(ours.read_bytes()).hexdigest()
    committed = study.read_rows(ROOT / study.FOLDER)
    if committed[("ind6-seed0", "windows", 1)]["weights_sha256"] == weights_io.load(path).sha256:  # per machine
        assert doc["committed_row"]["match"] == "identical"
        for key, row in rows.items():  # the sweep's rows are the committed study's, but for the times
            assert {k: v for k, v in row.items() if k not in study.VOLATILE} == {
                k: v for k, v in committed[key].items() if k not in study.VOLATILE}


def test_max_slack_is_induction_only_and_names_the_certificate(here):
    res = cli("certify", "seed42", "--max-slack", "5", "--json")
    assert res.exit_code == 2 and "--max-slack" in res.output
    res = cli("certify", "tiny.json", "--strategy", "windows", "--depth", "1", "--max-slack", "1000", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["max_slack"] == 1000 and doc["certificate"].endswith("windows-slack1000.json")
    assert check(here / doc["certificate"]).correct == doc["correct"]


def test_check_workers_give_the_same_record(here):
    res = cli("certify", "tiny.json", "--strategy", "windows", "--depth", "1", "--json")
    cert = json.loads(res.stdout)["certificate"]
    one, two = (json.loads(cli("check", cert, "--json", "--workers", w).stdout)["files"][0] for w in ("1", "2"))
    assert {k: v for k, v in one.items() if k != "seconds"} == {k: v for k, v in two.items() if k != "seconds"}
    assert one["status"] == "ok"
