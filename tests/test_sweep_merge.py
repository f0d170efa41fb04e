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
    failure_path,
    load_rows,
    merge_shards,
    read_csv_table,
    row_path,
    run_sweep,
)
from mechproof.sweep.paper import compare_with_committed
from mechproof.sweep.verify import Refusal
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
    for table in ("results.json", "results.csv"):  # the shard's rows are its row files alone
        (shard / table).unlink()
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
    assert e.value.field == "model_sha256" and "one row per seed and strategy" in e.value.message


def test_a_certificate_that_does_not_match_its_row_refuses_the_merge(sweeps: Path, tmp_path: Path) -> None:
    import shutil

    shard = tmp_path / "shard"
    shutil.copytree(sweeps / "a", shard)
    cert = shard / "certificates" / "seed1" / "cubic.json"
    cert.write_bytes(cert.read_bytes().replace(b"\n", b" \n", 1))
    with pytest.raises(Refusal) as e:
        merge_shards(tmp_path / "m", [shard])
    ((where, why),) = e.value.problems
    assert where == str(row_path(shard, 1, "cubic")) and str(cert) in why and "cert_sha256" in why
    assert not (tmp_path / "m").exists()  # nothing was written


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


# ------------------------------------------------------------------------------------------------ nothing trusted


def _shard(sweeps: Path, tmp_path: Path, name: str = "b", bare: bool = True) -> Path:
    """A copy of a sweep folder; `bare`: its rows are its row files alone (its tables removed)."""
    import shutil

    shard = tmp_path / f"shard-{name}"
    shutil.copytree(sweeps / name, shard)
    if bare:
        for table in ("results.json", "results.csv"):
            (shard / table).unlink()
    return shard


def _edit_row(shard: Path, seed: int, strategy: str, **changes) -> Path:
    f = row_path(shard, seed, strategy)
    row = json.loads(f.read_text())
    row.update(changes)
    f.write_text(json.dumps(row))
    return f


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _merge_cli(out: Path, *shards: Path):
    return CliRunner().invoke(app, ["sweep-merge", str(out), *map(str, shards)])


def test_a_certificate_path_outside_the_shard_is_refused_and_nothing_is_written(sweeps: Path, tmp_path: Path) -> None:
    shard = _shard(sweeps, tmp_path)
    (tmp_path / "outside-target").mkdir()
    (tmp_path / "outside-target" / "PWNED.txt").write_bytes((shard / "certificates/seed2/cubic.json").read_bytes())
    f = _edit_row(shard, 2, "cubic", certificate="../outside-target/PWNED.txt")
    before = _files(tmp_path)
    out = tmp_path / "target" / "merged"
    with pytest.raises(InputError) as e:
        merge_shards(out, [shard])
    assert (e.value.path, e.value.field) == (str(f), "certificate") and "certificates/seed2/cubic.json" in e.value.message
    res = _merge_cli(out, shard)
    assert res.exit_code == 2 and "certificate" in res.output
    assert _files(tmp_path) == before and not (tmp_path / "target").exists()


def test_a_certificate_folder_that_links_out_of_the_shard_is_refused(sweeps: Path, tmp_path: Path) -> None:
    import shutil

    shard = _shard(sweeps, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(shard / "certificates", elsewhere)
    (shard / "certificates").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError) as e:
        merge_shards(tmp_path / "m", [shard])
    assert e.value.field == "certificate" and "leads outside" in e.value.message
    assert not (tmp_path / "m").exists()


def test_a_row_claiming_more_than_its_certificate_proves_is_refused(sweeps: Path, tmp_path: Path) -> None:
    """The merge compared only the certificate's hash with the row's: a row claiming every input was stored."""
    shard = _shard(sweeps, tmp_path)
    honest = json.loads(row_path(shard, 2, "cubic").read_text())
    f = _edit_row(shard, 2, "cubic", correct=honest["total"], bound=1.0)
    out = tmp_path / "m"
    with pytest.raises(Refusal) as e:
        merge_shards(out, [shard])
    problems = dict(e.value.problems)
    assert f"correct is {honest['total']}, but its certificate" in problems[str(f)]
    assert f"proves {honest['correct']}" in problems[str(f)]
    res = _merge_cli(out, shard)
    assert res.exit_code == 1, res.output
    assert "REFUSED" in res.output and "nothing was written" in res.output
    assert not out.exists()


def test_a_forged_certificate_is_refused_by_the_checker(sweeps: Path, tmp_path: Path) -> None:
    """The certificate itself claims more, and the row carries the forged file's hash: the checker says no."""
    import hashlib

    shard = _shard(sweeps, tmp_path)
    cert = shard / "certificates/seed2/cubic.json"
    doc = json.loads(cert.read_text())
    doc["bound"]["correct"] += 1
    cert.write_text(json.dumps(doc))
    data = cert.read_bytes()
    f = _edit_row(shard, 2, "cubic", correct=doc["bound"]["correct"], bound=doc["bound"]["correct"] / doc["bound"]["total"],
                  cert_sha256=hashlib.sha256(data).hexdigest(), cert_bytes=len(data))
    with pytest.raises(Refusal) as e:
        merge_shards(tmp_path / "m", [shard])
    assert "the checker rejects its certificate" in dict(e.value.problems)[str(f)]
    assert not (tmp_path / "m").exists()


def test_a_row_without_its_certificate_is_refused(sweeps: Path, tmp_path: Path) -> None:
    shard = _shard(sweeps, tmp_path)
    (shard / "certificates/seed2/cubic.json").unlink()
    with pytest.raises(Refusal) as e:
        merge_shards(tmp_path / "m", [shard])
    assert "is missing" in dict(e.value.problems)[str(row_path(shard, 2, "cubic"))]


def test_a_brute_force_row_below_a_certified_count_is_refused(sweeps: Path, tmp_path: Path) -> None:
    """No certified bound above brute force for the same weights: the certified count is proven (checked again
    here) and the brute-force count only claimed, so the brute-force row is the one refused."""
    shard = _shard(sweeps, tmp_path)
    cubic = json.loads(row_path(shard, 2, "cubic").read_text())
    low = cubic["correct"] - 1
    f = _edit_row(shard, 2, BRUTE, correct=low, brute_correct=low, bound=low / cubic["total"],
                  brute_accuracy=low / cubic["total"])
    _edit_row(shard, 2, "cubic", brute_correct=low, brute_accuracy=low / cubic["total"], normalized=cubic["correct"] / low)
    with pytest.raises(Refusal) as e:
        merge_shards(tmp_path / "m", [shard])
    (why,) = [why for where, why in e.value.problems if where == str(f)]
    assert f"certified count {cubic['correct']} of {row_path(shard, 2, 'cubic')} is above the brute-force count {low}" in why
    assert [where for where, _ in e.value.problems] == [str(f)]


def test_a_row_above_the_targets_brute_force_row_is_refused(sweeps: Path, tmp_path: Path) -> None:
    """A shard row whose brute_correct is not the target's brute-force count for the same weights."""
    import shutil

    out = tmp_path / "m"
    shutil.copytree(sweeps / "b", out)
    (row_path(out, 2, "cubic")).unlink()
    for table in ("results.json", "results.csv"):
        (out / table).unlink()
    shard = _shard(sweeps, tmp_path)
    brute = json.loads(row_path(shard, 2, BRUTE).read_text())
    f = _edit_row(shard, 2, "cubic", brute_correct=brute["correct"] - 1)
    before = _files(out)
    with pytest.raises(Refusal) as e:
        merge_shards(out, [shard])
    assert "brute_correct is" in dict(e.value.problems)[str(f)]
    assert _files(out) == before


BAD_ROWS = {
    "a JSON list": ("[1, 2, 3]", "(top level)"),
    "a seed that is not a number": (lambda row: {**row, "seed": "abc"}, "seed"),
    "a seed that climbs out": (lambda row: {**row, "seed": "../../x"}, "seed"),
    "a negative seed": (lambda row: {**row, "seed": -1}, "seed"),
    "a strategy that is not a string": (lambda row: {**row, "strategy": ["cubic"]}, "strategy"),
    "a model hash that is not one": (lambda row: {**row, "model_sha256": 7}, "model_sha256"),
    "a count that is text": (lambda row: {**row, "correct": "16777216"}, "correct"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, None),
    "not JSON": ("{'seed': 2", "line 1 column 2"),
}


@pytest.mark.parametrize("name", sorted(BAD_ROWS))
def test_a_malformed_row_file_is_bad_input_naming_file_and_field(sweeps: Path, tmp_path: Path, name: str) -> None:
    shard = _shard(sweeps, tmp_path)
    f = row_path(shard, 2, "cubic")
    bad, field = BAD_ROWS[name]
    f.write_text(bad if isinstance(bad, str) else json.dumps(bad(json.loads(f.read_text()))))
    with pytest.raises(InputError) as e:
        merge_shards(tmp_path / "m", [shard])
    assert e.value.path == str(f) and e.value.field == field
    res = _merge_cli(tmp_path / "m", shard)
    assert res.exit_code == 2 and str(f) in res.output.replace("\n", "")
    assert not (tmp_path / "m").exists()


def test_malformed_failure_and_run_records_are_bad_input(sweeps: Path, tmp_path: Path) -> None:
    from mechproof.sweep.rows import store_failure

    shard = _shard(sweeps, tmp_path)
    store_failure(shard, 3, "cubic", "an error")
    failure_path(shard, 3, "cubic").write_text(json.dumps({"seed": "../3", "strategy": "cubic", "error": "x"}))
    with pytest.raises(InputError) as e:
        merge_shards(tmp_path / "m", [shard])
    assert e.value.path == str(failure_path(shard, 3, "cubic")) and e.value.field == "seed"
    failure_path(shard, 3, "cubic").unlink()
    (shard / "runs.jsonl").write_text('{"computed": 1}\n[1, 2]\n')
    with pytest.raises(InputError) as e:
        merge_shards(tmp_path / "m", [shard])
    assert e.value.path == str(shard / "runs.jsonl") and e.value.field == "line 2"
    assert not (tmp_path / "m").exists()


def test_a_committed_tables_rows_survive_a_merge_into_its_folder(sweeps: Path, tmp_path: Path) -> None:
    """The target holds only its results.csv (as a committed study does): the merge adds to it."""
    target = tmp_path / "committed"
    target.mkdir()
    (target / "results.csv").write_bytes((sweeps / "a" / "results.csv").read_bytes())
    summary = merge_shards(target, [sweeps / "b"])
    assert (summary.rows, summary.added) == (4, 2)
    tables = [read_csv_table(folder / "results.csv") for folder in (target, sweeps / "full")]
    assert _strip(tables[0]) == _strip(tables[1])


def test_paper_check_on_a_malformed_table_is_bad_input(sweeps: Path, tmp_path: Path) -> None:
    text = (sweeps / "b" / "results.csv").read_text()
    (tmp_path / "results.csv").write_text(text.replace("\n2,", "\nabc,", 1))
    res = CliRunner().invoke(app, ["paper-check", str(sweeps / "b"), "--against", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert "line 2: seed" in " ".join(res.output.split())
