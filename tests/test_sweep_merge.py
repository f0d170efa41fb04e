"""Shards of a sweep merge by row key; disagreeing rows refuse the merge; a recomputation is checked against a
committed table column by column."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechproof.checker import check
from mechproof.cli import app
from mechproof.config import ModelConfig, TrainConfig
from mechproof.errors import InputError
from mechproof.sweep import (
    BRUTE,
    VOLATILE,
    SweepSpec,
    load_rows,
    merge_shards,
    read_csv_table,
    row_path,
    run_sweep,
)
from mechproof.sweep.paper import compare_with_committed
from mechproof.sweep.timing import read_runs

SMALL = ModelConfig(d_vocab=8, n_ctx=3, d_model=8, d_head=8)


def _sweep(root: Path, name: str, seeds: tuple[int, ...], train_steps: int = 300) -> Path:
    spec = SweepSpec(out=root / name, seeds=seeds, strategies=("cubic",), device="cpu",
                     models_dir=root / f"models{train_steps}", model_cfg=SMALL, train_cfg=TrainConfig(steps=train_steps))
    summary = run_sweep(spec, progress=False)
    assert summary.failed == []
    return spec.out


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """full: seeds 1 and 2 in one run; a, b: seed 1 and seed 2 on their own (same models); other: seed 2 trained
    with another recipe (other weights)."""
    root = tmp_path_factory.mktemp("sweeps")
    _sweep(root, "full", (1, 2))
    _sweep(root, "a", (1,))
    _sweep(root, "b", (2,))
    _sweep(root, "other", (2,), train_steps=200)
    return root


def _strip(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in rows]


@pytest.mark.slow
def test_shards_merge_into_the_table_of_one_run(sweeps: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged"
    summary = merge_shards(out, [sweeps / "a", sweeps / "b"])
    assert (summary.rows, summary.added, summary.duplicates, summary.certificates) == (4, 4, 0, 2)
    assert _strip(load_rows(out)) == _strip(load_rows(sweeps / "full"))
    for seed in (1, 2):  # certificates came along, byte for byte, and still check
        cert = out / "certificates" / f"seed{seed}" / "cubic.json"
        assert cert.read_bytes() == (sweeps / "full" / "certificates" / f"seed{seed}" / "cubic.json").read_bytes()
        assert check(cert).correct == next(r["correct"] for r in load_rows(out) if r["seed"] == seed and r["strategy"] == "cubic")
    assert len(read_runs(out)) == 2 and {r["shard"] for r in read_runs(out)} == {str(sweeps / "a"), str(sweeps / "b")}
    # merging again, or a shard that overlaps, adds nothing: the same rows agree
    again = merge_shards(out, [sweeps / "a", sweeps / "full"])
    assert (again.rows, again.added, again.duplicates) == (4, 0, 6)
    assert len(read_runs(out)) == 3  # full's run record is new; a's is not repeated


def test_disagreeing_rows_refuse_the_merge(sweeps: Path, tmp_path: Path) -> None:
    import shutil

    shard = tmp_path / "tampered"
    shutil.copytree(sweeps / "b", shard)
    f = row_path(shard, 2, "cubic")
    row = json.loads(f.read_text())
    row["prove_seconds"] += 1  # a timing may differ
    row["host"] = "elsewhere"
    f.write_text(json.dumps(row))
    assert merge_shards(tmp_path / "ok", [sweeps / "full", shard]).rows == 4
    row["correct"] -= 1  # the bound may not
    f.write_text(json.dumps(row))
    out = tmp_path / "merged"
    with pytest.raises(InputError) as e:
        merge_shards(out, [sweeps / "full", shard])
    assert e.value.field == "correct" and e.value.path == str(f)
    assert str(row_path(sweeps / "full", 2, "cubic")) in e.value.message
    assert not (out / "rows").exists()  # nothing was written
    res = CliRunner().invoke(app, ["sweep-merge", str(out), str(sweeps / "full"), str(shard)])
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert str(f) in text and "correct" in text and str(row_path(sweeps / "full", 2, "cubic")) in text


def test_rows_of_other_weights_for_the_same_seed_refuse_the_merge(sweeps: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        merge_shards(tmp_path / "m", [sweeps / "full", sweeps / "other"])
    assert e.value.field == "model_sha256" and "one row per pair" in e.value.message


def test_a_certificate_that_does_not_match_its_row_refuses_the_merge(sweeps: Path, tmp_path: Path) -> None:
    import shutil

    shard = tmp_path / "shard"
    shutil.copytree(sweeps / "a", shard)
    cert = shard / "certificates" / "seed1" / "cubic.json"
    cert.write_bytes(cert.read_bytes().replace(b"\n", b" \n", 1))
    with pytest.raises(InputError) as e:
        merge_shards(tmp_path / "m", [shard])
    assert e.value.field == "cert_sha256" and e.value.path == str(cert)
    assert not (tmp_path / "m" / "rows").exists()


# ------------------------------------------------------------------------------------------------ paper check


def _committed() -> list[dict]:
    base = {"seed": 50, "strategy": "cubic", "group": "cubic", "correct": 900, "total": 1000, "bound": 0.9,
            "normalized": 0.95, "check_ops": 12345, "prove_seconds": 1.5, "check_seconds": 2.5, "host": "a",
            "model_sha256": "ab" * 32, "cert_sha256": "cd" * 32, "cert_version": 1}
    return [base, {**base, "strategy": BRUTE, "cert_sha256": None, "cert_version": None}]


def test_compare_with_committed_reports_the_differing_column() -> None:
    committed = _committed()
    same_but_timing = {**committed[0], "prove_seconds": 9.0, "check_seconds": 0.1, "host": "b"}
    assert [c.status for c in compare_with_committed(committed, [same_but_timing])] == ["match"]
    other_cert = {**committed[0], "prove_seconds": 9.0, "cert_sha256": "ef" * 32}
    (c,) = compare_with_committed(committed, [other_cert])
    assert (c.status, c.columns, c.ok) == ("mismatch", ("cert_sha256",), False)
    assert "cert_sha256: committed 'cdcd" in c.describe() and "recomputed 'efef" in c.describe()
    new_seed = {**committed[0], "seed": 104}
    assert [c.status for c in compare_with_committed(committed, [new_seed, committed[1]])] == ["match", "not committed"]


def test_paper_check_command(sweeps: Path, tmp_path: Path) -> None:
    """The recomputed seed 2 matches a committed table (here: the full sweep's) until one cell is changed."""
    committed = tmp_path / "committed"
    committed.mkdir()
    rows = read_csv_table(sweeps / "full" / "results.csv")
    text = (sweeps / "full" / "results.csv").read_text()
    (committed / "results.csv").write_text(text)
    runner = CliRunner()
    res = runner.invoke(app, ["paper-check", str(sweeps / "b"), "--against", str(committed)])
    assert res.exit_code == 0, res.output
    assert "2 of 2 rows match" in res.output
    cubic2 = next(r for r in rows if (r["seed"], r["strategy"]) == (2, "cubic"))
    with open(committed / "results.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(list(rows[0]))
        for r in rows:
            r = {**r, "check_ops": r["check_ops"] + 1} if r is cubic2 else r
            w.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in r.values()])
    res = runner.invoke(app, ["paper-check", str(sweeps / "b"), "--against", str(committed)])
    assert res.exit_code == 1
    out = " ".join(res.output.split())
    assert "check_ops: committed" in out and "1 of 2 rows match" in out
    res = runner.invoke(app, ["paper-check", str(sweeps / "b"), "--against", str(tmp_path / "nowhere")])
    assert res.exit_code == 2 and "results.csv" in res.output
