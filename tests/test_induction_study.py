"""The committed induction results (results/induction/): complete, every certified bound within its model's brute
force (or estimate) for the same weights, internally consistent, and reproducible (one n = 6 row recomputed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mechproof.tasks.induction import study

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "results" / "induction"


@pytest.fixture(scope="module")
def rows() -> dict[tuple[str, str, int], dict]:
    return study.read_rows(FOLDER)


def _ref(rows, r) -> dict:
    return rows[(r["model"], "bruteforce", 0)]


def _certs(rows) -> list[dict]:
    return [r for r in rows.values() if r["kind"] == "strategy"]


def test_the_study_holds_every_run(rows):
    """Every run of study.RUNS is committed, once, and nothing else."""
    assert set(rows) == {(m, *k) for m, _, keys in study.RUNS for k in keys}
    assert len(rows) == sum(1 for line in (FOLDER / study.ROWS).read_text().splitlines() if line)


def test_the_table_is_the_rows(rows):
    """table.csv is rebuilt from rows.jsonl (a stale or hand-edited table fails)."""
    assert (FOLDER / study.TABLE).read_text(encoding="utf-8") == study.table_csv(rows)


def test_every_certified_bound_is_within_brute_force_or_the_estimate(rows):
    """Soundness over the table: a certificate proves no more inputs right than brute force counts for the same
    weights (n ≤ 8), nor more than the estimate's upper 95% limit allows (n = 10); a certified upper bound is at
    least brute force's count."""
    for r in _certs(rows):
        ref = _ref(rows, r)
        assert r["weights_sha256"] == ref["weights_sha256"] and r["total"] == ref["total"], r["model"]
        assert r["bound"] == r["correct"] / r["total"]
        if "correct" in ref:
            assert r["correct"] <= ref["correct"], (r["model"], r["strategy"])
            assert r["upper"] is None or r["upper"] >= ref["correct"]
        else:
            assert r["n"] == 10 and r["bound"] <= ref["ci95"][1] and ref["ci95"][0] <= ref["estimate"] <= ref["ci95"][1]
        assert len(r["certificate_sha256"]) == 64 and r["certificate_bytes"] > 0 and r["proof_length"] > 0


def test_windows_residual_is_exact_and_brute_forces_count(rows):
    exact = [r for r in _certs(rows) if r["strategy"] == "windows+residual"]
    assert len(exact) == 8  # n = 6 seeds 0–6, and n = 8 seed 0 at depth 3
    for r in exact:
        assert r["correct"] == r["upper"] == _ref(rows, r)["correct"] and r["exact"], r["model"]


def test_one_weights_hash_per_model(rows):
    by_model: dict[str, set[str]] = {}
    for r in rows.values():
        by_model.setdefault(r["model"], set()).add(r["weights_sha256"])
    assert all(len(h) == 1 for h in by_model.values()), by_model
    assert len({h for hs in by_model.values() for h in hs}) == len(by_model)  # and different models differ


def test_proof_length_ratio_is_the_quotient(rows):
    """proof_length_vs_bruteforce (in the rows where present, and in the table) is the certificate's operation
    count over brute force's; brute force's is the input rule on every input, so each certificate is shorter."""
    table = {(x["model"], x["strategy"], int(x["depth"]), x["max_slack"]): x for x in study.table_rows(rows)}
    for r in _certs(rows):
        q = r["proof_length"] / _ref(rows, r)["proof_length"]
        assert r.get("proof_length_vs_bruteforce", q) == q
        slack = "" if r.get("max_slack") is None else r["max_slack"]
        assert table[(r["model"], r["strategy"], r["depth"], slack)]["proof_length_vs_bruteforce"] == q
        assert r["proof_length"] == sum(r["ops"].values()) and 0 < q < 1


def test_the_study_never_drops_a_committed_row(tmp_path):
    """A run over a copy of the committed files computes nothing for the committed runs and rebuilds table.csv byte
    for byte; a row that contradicts a committed one is refused (exit 2), not dropped."""
    for name in (study.ROWS, study.TABLE):
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    assert study.main(["--out", str(tmp_path), "--models", "ind6"]) == 0
    for name in (study.ROWS, study.TABLE):
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name
    first = json.loads((FOLDER / study.ROWS).read_text().splitlines()[0])
    first["weights_sha256"] = "0" * 64
    with (tmp_path / study.ROWS).open("a") as fh:
        fh.write(json.dumps(first) + "\n")
    assert study.main(["--out", str(tmp_path)]) == 2
    assert (tmp_path / study.TABLE).read_bytes() == (FOLDER / study.TABLE).read_bytes()


@pytest.mark.slow
def test_one_row_reproduces_its_committed_row(rows, tmp_path):
    """ind6-seed0 retrained from scratch and its `windows` certificate (with its upper bound) rebuilt. Where training
    gives the committed weights (a CPU of the study machine's kind), the row has the committed counts and
    certificate bytes (SHA-256); float training is deterministic per machine, not across CPU instruction sets, so
    elsewhere a second run gives the same weights and the same certificate bytes."""
    from mechproof.tasks.induction.models import load_or_train
    from mechproof.tasks.induction.results import strategy_row

    keep = ("weights_sha256", "correct", "upper", "proof_length", "ops", "certificate_sha256", "certificate_bytes")

    def recompute(where: Path) -> dict:
        w, _, trained = load_or_train("ind6-seed0", where / "models")
        assert trained
        row = strategy_row("ind6-seed0", w, where / "out", "windows", depth=1, upper=True, workers=1)
        return {k: row[k] for k in keep}

    got = recompute(tmp_path / "a")
    committed = rows[("ind6-seed0", "windows", 1)]
    if got["weights_sha256"] == committed["weights_sha256"]:
        assert got == {k: committed[k] for k in keep}
    else:
        assert recompute(tmp_path / "b") == got


@pytest.mark.slow
def test_make_induction_over_the_committed_rows_computes_nothing(tmp_path):
    from test_paper_study import make_on_copy

    for name in (study.ROWS, study.TABLE):
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    res = make_on_copy("induction", INDUCTION=str(tmp_path))
    assert res.returncode == 0, res.stderr[-2000:]
    assert "0 runs computed" in res.stdout
    for name in (study.ROWS, study.TABLE):
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name
