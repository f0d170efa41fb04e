"""`mechproof explain` on induction certificates (tasks/induction/explain.py): the lost inputs against the literal
model's verdicts and a coverage recomputed here from the group entries alone; they sum to exact − certified; the
coverage it reads is the checker's; exit codes 0/1/2, and a plain refusal beyond brute force."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from induction_fixtures import model, truth, undelta, write
from induction_reference import all_inputs
from typer.testing import CliRunner

from mechproof.certificate import load_certificate
from mechproof.checker import check
from mechproof.cli import app
from mechproof.errors import InputError
from mechproof.tasks.induction import explain as ex
from mechproof.tasks.induction.checker.groups import Groups
from mechproof.tasks.induction.space import encode, index_of

COMMITTED = Path(__file__).resolve().parent / "data" / "induction-ind6-seed3" / "windows-residual.json"


KINDS = ["tiny", pytest.param("mid", marks=pytest.mark.slow)]  # mid: 1,080 inputs, its literal verdicts take a while


@pytest.fixture(scope="module", params=KINDS)
def win(request, tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp(request.param), request.param, "windows", 1)


@pytest.fixture(scope="module", params=KINDS)
def res(request, tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp(request.param), request.param, "windows+residual", 1)


def _kind(path: Path) -> str:
    return "tiny" if path.parent.name.startswith("tiny") else "mid"


def _covered(doc: dict, V: int, n: int) -> set[int]:
    """Covered by the cases (a listed group, the tokens at its order's first positions a listed prefix) or residual."""
    groups = {(q, i, a): (order, {tuple(p) for p, _ in cases}) for q, i, a, order, cases in doc["claims"]["cases"]["entries"]}
    out = set(undelta(doc["claims"]["residual"]["inputs"])) if "residual" in doc["claims"] else set()
    for t in all_inputs(V, n):
        i = t.index(t[-1])
        hit = groups.get((t[-1], i, t[i + 1]))
        if hit and any(tuple(t[p] for p in hit[0][:d]) in hit[1] for d in range(len(hit[0]) + 1)):
            out.add(encode(t, V))
    return out


@pytest.mark.parametrize("strategy", ["windows", "windows+residual"])
def test_coverage_is_the_checkers_and_the_entries(win, strategy, tmp_path):
    path = win if strategy == "windows" else write(tmp_path / _kind(win), _kind(win), strategy, 1)
    cert, claims = load_certificate(path)
    w = model(_kind(path))
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    tok = np.array(list(all_inputs(V, n)), dtype=np.int64)
    index = index_of(tok, V)
    mask = ex.coverage(claims, V, n, tok, index)
    doc = json.loads(path.read_text())
    assert set(index[mask].tolist()) == _covered(doc, V, n)
    groups = Groups(claims.cases.entries, w.cfg, cert.typed_params(path).depth).index()
    residual = set(undelta(doc["claims"].get("residual", {}).get("inputs", [])))
    assert mask.tolist() == [groups.covers(tuple(t)) or x in residual for t, x in zip(tok.tolist(), index.tolist())]


def test_lost_inputs_are_the_right_ones_left_out_and_sum_to_the_slack(win):
    s = ex.explain(win, worst=10_000)
    w = model(_kind(win))
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    right = truth(_kind(win))
    exact = sum(1 for v in right.values() if v)
    certified = check(win).correct
    assert (s.correct, s.certified) == (exact, certified)
    assert s.lost == exact - certified > 0
    covered = _covered(json.loads(win.read_text()), V, n)
    lost = Counter()
    for t in all_inputs(V, n):
        x = encode(t, V)
        if right[x] and x not in covered:
            i = t.index(t[-1])
            lost[(i, t[-1], t[i + 1])] += 1
    assert {k: int(v) for k, v in zip(zip(*np.nonzero(s.heat)), s.heat[np.nonzero(s.heat)])} == dict(lost)
    doc = ex.to_json(s)
    assert sum(doc["by_match_position"]) == sum(doc["by_query"]) == sum(doc["by_answer"]) == s.lost
    assert sum(r[3] for r in doc["by_group"]) == s.lost
    # every lost input is in one of the cases listed (here all of them), and each failed: margin ≥ 0
    assert sum(c["lost"] for c in s.worst) == s.lost
    assert all(c["margin"] is None or c["margin"] >= 0 for c in s.worst)


def test_a_certificate_that_covers_every_correct_input_loses_none(res):
    s = ex.explain(res)
    assert s.lost == 0 and s.correct == s.certified and s.worst == []
    assert ex.heatmap(s, Path("unused")) == []


def test_beyond_brute_force_it_refuses_plainly(win, monkeypatch):
    monkeypatch.setattr(ex, "MAX_INPUTS", 100)  # the tiny model has 120 inputs, the mid one 1,080
    with pytest.raises(InputError, match="beyond its limit"):
        ex.explain(win)
    res = CliRunner().invoke(app, ["explain", str(win), "--out", str(win.parent / "out")])
    assert res.exit_code == 2 and "brute force" in res.output


def test_the_command_writes_its_files_and_exits_by_the_checker(win, tmp_path):
    out = tmp_path / "explain"
    res = CliRunner().invoke(app, ["explain", str(win), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["format"] == ex.FORMAT and doc["lost"] == doc["exact_correct"] - doc["certified_correct"]
    assert sorted(Path(f).name for f in doc["files"]) == ["windows.slack.json", "windows.slack.png", "windows.slack.svg"]
    assert json.loads((out / "windows.slack.json").read_text())["lost"] == doc["lost"]
    # a tampered certificate: exit 1; a malformed one: exit 2
    bad = json.loads(win.read_text())
    bad["bound"]["correct"] += 1
    (tmp_path / "weights.json").write_bytes((win.parent / "weights.json").read_bytes())
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    assert CliRunner().invoke(app, ["explain", str(tmp_path / "bad.json"), "--out", str(out)]).exit_code == 1
    del bad["claims"]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    assert CliRunner().invoke(app, ["explain", str(tmp_path / "bad.json"), "--out", str(out)]).exit_code == 2


@pytest.mark.slow
def test_the_committed_certificate_loses_nothing(tmp_path):
    s = ex.explain(COMMITTED)
    assert (s.correct, s.certified, s.lost) == (2_096_635, 2_096_635, 0)


@pytest.mark.slow
def test_a_windows_certificate_at_n6_loses_exactly_its_slack(tmp_path):
    """Seed 3's `windows` certificate (depth 1) beside the committed windows+residual one of the same weights: the
    lost inputs are the ones `residual` lists there (the cases are the same), 2,335 = exact − certified."""
    from mechproof import weights as weights_io
    from mechproof.certify import build_certificate, write_proven
    from mechproof.tasks.induction.strategies import prove

    (tmp_path / "weights.json").write_bytes((COMMITTED.parent / "weights.json").read_bytes())
    w = weights_io.load(tmp_path / "weights.json")
    path = tmp_path / "windows.json"
    write_proven(build_certificate(w, prove(w, "windows", 1)), path)
    s = ex.explain(path, worst=3)
    residual = json.loads(COMMITTED.read_text())["claims"]["residual"]["inputs"]
    assert s.lost == s.correct - s.certified == len(residual) == 2_335
    assert len(s.worst) == 3 and all(c["margin"] > 0 for c in s.worst)


def test_cases_only_loses_what_the_cases_leave_to_residual(win, tmp_path):
    """A windows+residual certificate's cases alone lose what the windows certificate of the same model loses (the
    producer proves the same cases for both), and exactly (exact − correct + residual inputs)."""
    res = write(tmp_path / _kind(win), _kind(win), "windows+residual", 1)
    alone, plain = ex.explain(res, cases_only=True), ex.explain(win)
    doc = json.loads(res.read_text())
    n_res = len(doc["claims"]["residual"]["inputs"])
    assert alone.certified == doc["bound"]["correct"] - n_res == plain.certified
    assert alone.lost == alone.correct - alone.certified == n_res > 0
    assert (alone.heat == plain.heat).all()
    assert [c["margin"] for c in alone.worst] == [c["margin"] for c in plain.worst]


def test_cases_only_is_refused_for_max_of_k(tiny_cert, tmp_path):
    res = CliRunner().invoke(app, ["explain", str(tiny_cert), "--cases-only", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "induction" in res.output
