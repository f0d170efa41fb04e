"""Soundness of the induction certificates (docs/certificate.md §11), judged by the literal model.

The verdict of every input comes from tests/induction_reference.py (mpmath intervals, input by input, no code
shared with the tables, rules or strategies); which inputs a certificate's cases cover is recomputed here from the
group entries alone. Every covered or `residual` input must be right, every `wrong` one wrong, and the certified
counts must bracket the true one. Tampering with a weight, a bound, a case, a list or a count must be rejected.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from induction_fixtures import model, truth, undelta, write
from induction_reference import all_inputs

from mechproof import weights as weights_io
from mechproof.checker import ClaimFailure, check
from mechproof.errors import InputError
from mechproof.tasks.induction.space import encode


def _covered(doc: dict, V: int, n: int) -> set[int]:
    """The inputs the certificate's cases cover: those of group (q, i, a) whose tokens at the first positions of
    the group's order are some case's prefix."""
    groups = {(q, i, a): (order, [tuple(pre) for pre, _ in cases]) for q, i, a, order, cases in doc["claims"]["cases"]["entries"]}
    out = set()
    for t in all_inputs(V, n):
        i = t.index(t[-1])
        hit = groups.get((t[-1], i, t[i + 1]))
        if hit and any(tuple(t[p] for p in hit[0][: len(pre)]) == pre for pre in hit[1]):
            out.add(encode(t, V))
    return out


@pytest.mark.parametrize("kind", ["tiny", pytest.param("mid", marks=pytest.mark.slow)])
@pytest.mark.parametrize("strategy,upper", [("windows", True), ("windows+residual", False)])
def test_every_claim_holds_on_the_literal_model(tmp_path, kind, strategy, upper):
    path = write(tmp_path, kind, strategy, depth=1, upper=upper)
    res = check(path)
    doc = json.loads(path.read_text())
    w = model(kind)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    verdicts = truth(kind)
    assert None not in verdicts.values()  # the reference decides every input of these models
    n_right = sum(verdicts.values())
    covered = _covered(doc, V, n)
    residual = set(undelta(doc["claims"].get("residual", {}).get("inputs", [])))
    wrong = set(undelta(doc["claims"]["wrong"]["inputs"]))
    assert covered and wrong, "not vacuous: the cases cover inputs and some inputs are proven wrong"
    assert all(verdicts[x] for x in covered | residual)
    assert not any(verdicts[x] for x in wrong)
    assert res.correct == len(covered) + len(residual) <= n_right <= res.upper == res.total - len(wrong)
    if strategy == "windows+residual":
        assert res.correct == res.upper == n_right  # the exact accuracy


# ------------------------------------------------------------------------------------------------ tampering
@pytest.fixture(scope="module")
def honest(tmp_path_factory) -> Path:
    """A checked windows+residual certificate of the mid model: cases, residual and wrong claims all occur."""
    path = write(tmp_path_factory.mktemp("honest"), "mid", "windows+residual", depth=1)
    doc = json.loads(path.read_text())
    claims = doc["claims"]
    assert claims["residual"]["inputs"] and claims["wrong"]["inputs"]
    assert any(len(pre) == 1 for g in claims["cases"]["entries"] for pre, _ in g[4]), "some case is refined"
    return path


def _first_refined(doc: dict) -> list:
    return next(g for g in doc["claims"]["cases"]["entries"] if any(len(pre) == 1 for pre, _ in g[4]))


def _lower_lambda(doc: dict) -> None:
    q, i, a, order, cases = doc["claims"]["cases"]["entries"][0]
    k = 0 if i + 1 != 0 else 1
    cases[0][1][k] = -(1 << 25)


def _answer_lambda(doc: dict) -> None:
    q, i, a, order, cases = doc["claims"]["cases"]["entries"][0]
    cases[0][1][i + 1] = 1


def _overlap(doc: dict) -> None:
    g = _first_refined(doc)
    pre, lam = next(c for c in g[4] if len(c[0]) == 1)
    g[4].append([[], lam])


def _other_group(doc: dict) -> None:
    """Move the first group to a (q, i, a) the certificate does not prove, keeping its cases and bounds."""
    entries = doc["claims"]["cases"]["entries"]
    proven = {tuple(g[:3]) for g in entries}
    V, n = doc["config"]["d_vocab"], doc["config"]["n_ctx"]
    q, i, a = next((q, i, a) for q in range(V) for i in range(n - 2) for a in range(V) if a != q and (q, i, a) not in proven)
    entries[0][:3] = [q, i, a]


def _move(doc: dict, src: str, dst: str) -> None:
    """Move the first input of list `src` into list `dst` (kept sorted, delta-coded)."""
    a, b = undelta(doc["claims"][src]["inputs"]), undelta(doc["claims"][dst]["inputs"])
    x = a.pop(0)
    if src == "wrong":
        doc["claims"]["wrong"]["witness"].pop(0)
    b = sorted(b + [x])
    if dst == "wrong":
        doc["claims"]["wrong"]["witness"].insert(b.index(x), 0 if x % 2 else 1)
    for name, xs in ((src, a), (dst, b)):
        doc["claims"][name]["inputs"] = [y - z for y, z in zip(xs, [0] + xs[:-1])]


def _covered_into_residual(doc: dict) -> None:
    V, n = doc["config"]["d_vocab"], doc["config"]["n_ctx"]
    x = min(_covered(doc, V, n))
    xs = sorted(undelta(doc["claims"]["residual"]["inputs"]) + [x])
    doc["claims"]["residual"]["inputs"] = [y - z for y, z in zip(xs, [0] + xs[:-1])]
    doc["bound"]["correct"] += 1


def _witness_is_answer(doc: dict) -> None:
    from mechproof.tasks.induction.space import decode

    V, n = doc["config"]["d_vocab"], doc["config"]["n_ctx"]
    t = decode(undelta(doc["claims"]["wrong"]["inputs"])[0], V, n)
    doc["claims"]["wrong"]["witness"][0] = t[t.index(t[-1]) + 1]


def _drop_wrong(doc: dict) -> None:
    doc["claims"]["wrong"]["inputs"] = doc["claims"]["wrong"]["inputs"][:-1]
    doc["claims"]["wrong"]["witness"].pop()


TAMPER = {
    "λ of a key lowered": _lower_lambda,
    "λ of the answer's key": _answer_lambda,
    "overlapping cases": _overlap,
    "cases moved to another group": _other_group,
    "group listed twice": lambda d: d["claims"]["cases"]["entries"].append(d["claims"]["cases"]["entries"][0]),
    "depth below a case's": lambda d: d["strategy"]["params"].__setitem__("depth", 0),
    "wrong input claimed right": lambda d: (_move(d, "wrong", "residual"), d["bound"].__setitem__("correct", d["bound"]["correct"] + 1)),
    "right input claimed wrong": lambda d: (_move(d, "residual", "wrong"), d["bound"].__setitem__("correct", d["bound"]["correct"] - 1)),
    "covered input in residual": _covered_into_residual,
    "witness is the answer": _witness_is_answer,
    "a wrong input dropped": _drop_wrong,
    "correct + 1": lambda d: d["bound"].__setitem__("correct", d["bound"]["correct"] + 1),
    "upper + 1": lambda d: d["bound"].__setitem__("upper", d["bound"]["upper"] + 1),
    "total + 1": lambda d: d["bound"].__setitem__("total", d["bound"]["total"] + 1),
}


@pytest.mark.parametrize("kind", sorted(TAMPER))
def test_tampered_certificates_are_rejected(honest, tmp_path, kind):
    doc = json.loads(honest.read_text())
    TAMPER[kind](doc)
    (tmp_path / "weights.json").write_bytes((honest.parent / "weights.json").read_bytes())
    path = tmp_path / honest.name
    path.write_text(json.dumps(doc))
    with pytest.raises((ClaimFailure, InputError)):
        check(path)


def _with_weights(honest: Path, tmp_path: Path, name: str, edit, rehash: bool) -> Path:  # noqa: ANN001
    """The honest certificate beside weights whose tensor `name` has mantissas edit(mantissas) (a valid weights
    file); with `rehash`, the certificate names the new weights' hash."""
    w = weights_io.load(honest.parent / "weights.json")
    t = w.tensors[name]
    tensors = {**w.tensors, name: dataclasses.replace(t, mantissas=tuple(edit(list(t.mantissas))))}
    new = dataclasses.replace(w, tensors=tensors)
    weights_io.save(new, tmp_path / "weights.json")
    cert = json.loads(honest.read_text())
    if rehash:
        cert["model"]["sha256"] = new.sha256
    path = tmp_path / honest.name
    path.write_text(json.dumps(cert))
    return path


def test_a_changed_weight_is_rejected_by_its_hash(honest, tmp_path):
    path = _with_weights(honest, tmp_path, "blocks.1.attn.W_K", lambda m: [m[0] + (1 << 10)] + m[1:], rehash=False)
    with pytest.raises(ClaimFailure) as ei:
        check(path)
    assert ei.value.claim_id == "model.sha256"


@pytest.mark.parametrize("name", ["W_U", "blocks.1.attn.W_O", "blocks.0.attn.W_Q"])
def test_claims_do_not_transfer_to_other_weights(honest, tmp_path, name):
    """The same claims with a tensor negated and the hash updated: the claims are checked against the new weights."""
    with pytest.raises(ClaimFailure):
        check(_with_weights(honest, tmp_path, name, lambda m: [-x for x in m], rehash=True))


def test_the_proof_length_does_not_depend_on_what_was_checked_before(tmp_path):
    """A certificate's operation count is what checking it alone costs: the same after a cold start, after
    checking it once already, and after checking another certificate of the same weights."""
    from mechproof.checker.arith import clear_memo

    exact = write(tmp_path / "a", "tiny", "windows+residual", depth=1)
    other = write(tmp_path / "b", "tiny", "windows", depth=1, upper=True)
    clear_memo()
    cold = check(exact).ops
    again = check(exact).ops
    check(other)
    clear_memo()
    check(other)
    after_other = check(exact).ops
    assert cold == again == after_other
