"""The committed n = 6 induction certificate (tests/data/induction-ind6-seed3/: seed 3, the published recipe,
windows+residual at depth 1, 96 KB, beside its 61 KB weights) against sound brute force on the same weights:
the bound is exact, every input its cases or `residual` cover is right, and every input brute force finds wrong
is in its `wrong` list. Seed 3 is the n = 6 model with the most wrong inputs (5 of 2,096,640)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mechproof import weights as weights_io
from mechproof.checker import check
from mechproof.tasks.induction.bruteforce import brute_force
from mechproof.tasks.induction.space import decode
from induction_fixtures import undelta

DATA = Path(__file__).resolve().parent / "data" / "induction-ind6-seed3"
CERT = DATA / "windows-residual.json"


def _covered_by_cases(doc: dict, tokens: tuple[int, ...]) -> bool:
    q = tokens[-1]
    i = tokens.index(q)
    for g_q, g_i, g_a, order, cases in doc["claims"]["cases"]["entries"]:
        if (g_q, g_i, g_a) == (q, i, tokens[i + 1]):
            return any(tuple(tokens[p] for p in order[: len(pre)]) == tuple(pre) for pre, _ in cases)
    return False


def test_the_committed_certificate_checks():
    res = check(CERT)
    assert (res.correct, res.upper, res.total) == (2_096_635, 2_096_635, 2_096_640)
    assert res.strategy == "windows+residual" and res.params == {"depth": 1}


@pytest.mark.slow
def test_it_agrees_with_brute_force():
    doc = json.loads(CERT.read_text())
    bf = brute_force(weights_io.load(DATA / "weights.json"), workers=2)
    assert bf.unresolved == 0 and bf.correct == doc["bound"]["correct"] == doc["bound"]["upper"]
    wrong = bf.wrong.tolist()
    assert wrong == undelta(doc["claims"]["wrong"]["inputs"])
    assert not set(wrong) & set(undelta(doc["claims"]["residual"]["inputs"]))
    assert not any(_covered_by_cases(doc, decode(x, 16, 6)) for x in wrong)


@pytest.mark.slow
def test_it_reproduces_byte_for_byte():
    from mechproof.certificate import dumps_certificate
    from mechproof.certify import build_certificate
    from mechproof.tasks.induction.strategies import prove

    w = weights_io.load(DATA / "weights.json")
    assert weights_io.dumps(w) == (DATA / "weights.json").read_text()
    proof = prove(w, "windows+residual", depth=1, workers=2)
    assert dumps_certificate(build_certificate(w, proof)) == CERT.read_text()
