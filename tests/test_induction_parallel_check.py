"""The induction checker with several processes (checker/parallel.py) says exactly what it says with one: the same
inputs proven, the same operation counts (the proof length), and for a certificate with several faults the same
first failure, the one a sequential pass meets first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from induction_fixtures import write

from mechproof.checker import ClaimFailure, check
from mechproof.tasks.induction.checker.parallel import runs


@pytest.fixture(scope="module")
def cert(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("par"), "mid", depth=2, upper=True)


def edited(cert: Path, tmp_path: Path, edit) -> Path:  # noqa: ANN001
    doc = json.loads(cert.read_text())
    edit(doc["claims"]["cases"]["entries"])
    (tmp_path / "weights.json").write_bytes((cert.parent / "weights.json").read_bytes())
    out = tmp_path / cert.name
    out.write_text(json.dumps(doc))
    return out


def first_failure(path: Path, workers: int) -> str:
    with pytest.raises(ClaimFailure) as ei:
        check(path, workers)
    return ei.value.claim_id


def test_any_number_of_workers_gives_the_same_result_and_proof_length(cert):
    one = check(cert, 1)
    assert len(json.loads(cert.read_text())["claims"]["cases"]["entries"]) > 8  # several runs per worker
    for workers in (2, 3):
        r = check(cert, workers)
        assert (r.correct, r.total, r.upper, dict(r.ops)) == (one.correct, one.total, one.upper, dict(one.ops))


def spoil(entry: list) -> None:
    """Make the first case's bound of a key other than the answer's false."""
    i, cases = entry[1], entry[4]
    k = 0 if i + 1 != 0 else 2
    cases[0][1][k] = -(1 << 25)


def test_the_first_false_claim_in_order_is_reported(cert, tmp_path):
    def edit(entries: list) -> None:
        spoil(entries[len(entries) // 2])
        spoil(entries[-1])

    path = edited(cert, tmp_path, edit)
    first = first_failure(path, 1)
    assert first.startswith("case[") and "/lambda[" in first
    assert first_failure(path, 2) == first_failure(path, 3) == first


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_malformed_group_is_reported_in_its_place(cert, tmp_path, where):
    """A repeated group (malformed) and a false bound: whichever comes first in the certificate is reported."""
    def edit(entries: list) -> None:
        spoil(entries[len(entries) // 2])
        entries.insert(len(entries) // 4 if where == "before" else len(entries), list(entries[0]))

    path = edited(cert, tmp_path, edit)
    first = first_failure(path, 1)
    assert first.startswith("group[") == (where == "before")
    assert first_failure(path, 2) == first


def test_runs_cover_every_group_once_in_order():
    sizes = [3, 1, 4, 1, 5, 9, 2, 6]
    for parts in (1, 2, 3, 8, 20):
        r = runs(sizes, parts)
        assert r[0][0] == 0 and r[-1][1] == len(sizes) and len(r) <= parts
        assert all(a < b for a, b in r) and all(x[1] == y[0] for x, y in zip(r, r[1:]))
