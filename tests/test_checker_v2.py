"""The checker on format version 2 (docs/certificate.md §4.4, §8, §9): boundary-token cases, inputs proven one by
one, and the certified upper bound, against an independent oracle (tests/reference.py: the literal transformer
in mpmath interval arithmetic, over every input of a tiny model)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from reference import literal

from mechproof.certificate import load_certificate
from mechproof.checker import ClaimFailure, check
from mechproof.checker.audit import cubic_case_sets
from mechproof.checker.matrices import exact_matrices
from mechproof.errors import InputError
from mechproof.tasks.maxk.checker.cubic import CaseTables, CubicDerived, check_exp_enclosure, check_inv_sqrt
from mechproof.weights import load as load_weights


def _index(tokens: tuple[int, ...], V: int) -> int:
    return sum(t * V**p for p, t in enumerate(tokens))


def _deltas(xs: list[int]) -> list[int]:
    return [x - (xs[i - 1] if i else 0) for i, x in enumerate(xs)]


def _v2_cases(path: Path) -> tuple[list[list[int]], dict]:
    """The v1 cases of a cubic certificate re-encoded as `cubic-prefix` (the boundary of G in each class), and the
    token sets the checker derives from those boundaries."""
    cert, claims = load_certificate(path)
    w = load_weights(path.parent / cert.model.weights)
    mats = exact_matrices(w)
    r = check_inv_sqrt(claims.inv_sqrt_d_head, w.cfg.d_head)
    tok = check_exp_enclosure("exp_eqke", claims.exp_eqke, mats["EQKE"], r)
    pos = check_exp_enclosure("exp_eqkp", claims.exp_eqkp, mats["EQKP"], r)
    tables = CaseTables(CubicDerived(mats, w.cfg.n_ctx), tok, pos)
    out, sets = [], {}
    for q, m, c, G in claims.cases.entries:
        if c == 0:
            out.append([q, m, 0, -1, -1])
            continue
        plus, minus, _ = tables.order(q, m)
        kp = max((k for k in G if k in plus), key=plus.get, default=-1)
        kn = max((k for k in G if k in minus), key=minus.get, default=-1)
        out.append([q, m, c, kp, kn])
        sets[(q, m, c)] = {k for k, r_ in plus.items() if kp != -1 and r_ <= plus[kp]} | {
            k for k, r_ in minus.items() if kn != -1 and r_ <= minus[kn]
        }
    return out, sets


@pytest.fixture(scope="module")
def tiny_v2(tiny_cert, tmp_path_factory):
    """A version-2 cubic+residual certificate of the tiny model: its cubic cases, and every other input listed
    right or wrong by the oracle (witness: the oracle's most clearly winning wrong logit)."""
    cert_doc = json.loads(tiny_cert.read_text())
    assert cert_doc["version"] == 2
    w = load_weights(tiny_cert.parent / "weights.json")
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    sets = cubic_case_sets(tiny_cert)
    oracle, witness = {}, {}
    for tokens, _, diffs in literal(w):
        m = max(tokens)
        js = [j for j in range(V) if j != m]
        oracle[tokens] = all(d.b < 0 for d in diffs)
        if any(d.a >= 0 for d in diffs):
            witness[tokens] = max(zip(js, diffs), key=lambda jd: jd[1].a)[0]
        else:
            assert oracle[tokens], f"the oracle cannot decide {tokens}"

    def covered(tokens: tuple[int, ...]) -> bool:
        m, q = max(tokens), tokens[-1]
        low = [t for t in tokens[:-1] if t < m]
        key = (q, m, len(low))
        return key in sets and all(t in sets[key] for t in low)

    right = sorted(_index(t, V) for t, ok in oracle.items() if ok and not covered(t))
    wrong = sorted((_index(t, V), j) for t, j in witness.items())
    doc = copy.deepcopy(cert_doc)
    doc["strategy"]["name"] = "cubic+residual"
    doc["claims"]["residual"] = {"rule": "inputs-right", "inputs": _deltas(right)}
    doc["claims"]["wrong"] = {"rule": "inputs-wrong", "inputs": _deltas([x for x, _ in wrong]), "witness": [j for _, j in wrong]}
    truth = sum(oracle.values())
    doc["bound"] = {"correct": truth, "total": V**n, "upper": truth}
    out = tmp_path_factory.mktemp("v2")
    (out / "weights.json").write_bytes((tiny_cert.parent / "weights.json").read_bytes())
    path = out / "cubic+residual.json"
    path.write_text(json.dumps(doc))
    return path, doc, truth


def _write(tmp_path: Path, src: Path, doc: dict) -> Path:
    (tmp_path / "weights.json").write_bytes((src.parent / "weights.json").read_bytes())
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.slow
def test_boundary_encoding_certifies_what_the_token_lists_did(tiny_cert_v1, tmp_path):
    """The same cases as `cubic-prefix` (docs §4.4) are accepted with at least the v1 count, and equal when every
    G is exactly a prefix of its classes."""
    tiny_cert = tiny_cert_v1
    v1 = check(tiny_cert)
    doc = json.loads(tiny_cert.read_text())
    entries, sets = _v2_cases(tiny_cert)
    doc["version"] = 2
    doc["claims"]["cases"] = {"rule": "cubic-prefix", "entries": entries}
    n = doc["config"]["n_ctx"]
    from math import comb

    doc["bound"]["correct"] = sum(comb(n - 1, c) * (len(sets[(q, m, c)]) ** c if c else 1) for q, m, c, *_ in entries)
    res = check(_write(tmp_path, tiny_cert, doc))
    assert res.correct >= v1.correct
    listed = {(e[0], e[1], e[2]): set(e[3]) for e in json.loads(tiny_cert.read_text())["claims"]["cases"]["entries"] if e[2]}
    if all(sets[k] == G for k, G in listed.items()):
        assert res.correct == v1.correct


@pytest.mark.slow
def test_residual_and_wrong_certify_the_exact_accuracy(tiny_v2):
    path, _, truth = tiny_v2
    res = check(path)
    assert (res.correct, res.upper) == (truth, truth)


@pytest.mark.parametrize(
    "edit, kind",
    [
        (lambda d: d["claims"]["wrong"]["inputs"].pop() and d["claims"]["wrong"]["witness"].pop(), "bound"),
        (lambda d: d["claims"]["wrong"]["inputs"].insert(1, 0) or d["claims"]["wrong"]["witness"].insert(1, 0), "wrong["),
        (lambda d: d["claims"]["residual"]["inputs"].append(0), "residual["),
        (lambda d: d["claims"]["residual"]["inputs"].append(10**6), "residual["),
        (lambda d: d["claims"]["wrong"]["witness"].__setitem__(0, _max_token(d, d["claims"]["wrong"]["inputs"][0])), "wrong["),
        (lambda d: d["bound"].__setitem__("upper", d["bound"]["upper"] + 1), "bound"),
        (lambda d: d["bound"].__setitem__("correct", d["bound"]["correct"] + 1), "bound"),
    ],
    ids=["remove-wrong", "duplicate-wrong", "duplicate-residual", "out-of-range", "bad-witness", "upper+1", "correct+1"],
)
def test_tampered_input_claims_are_rejected(tiny_v2, tmp_path, edit, kind):
    path, doc, _ = tiny_v2
    bad = copy.deepcopy(doc)
    edit(bad)
    with pytest.raises(ClaimFailure) as ei:
        check(_write(tmp_path, path, bad))
    assert ei.value.claim_id.startswith(kind), str(ei.value)


def test_a_right_input_listed_as_wrong_is_rejected(tiny_v2, tmp_path):
    """Adding a correct input (from the residual list) to the wrong list: proven right cannot be proven wrong."""
    path, doc, _ = tiny_v2
    bad = copy.deepcopy(doc)
    V = doc["config"]["d_vocab"]
    rights = list(_cumsum(doc["claims"]["residual"]["inputs"]))
    wrongs = dict(zip(_cumsum(doc["claims"]["wrong"]["inputs"]), doc["claims"]["wrong"]["witness"]))
    x = rights[0]
    wrongs[x] = (_max_token(doc, x) + 1) % V
    xs = sorted(wrongs)
    bad["claims"]["wrong"] = {"rule": "inputs-wrong", "inputs": _deltas(xs), "witness": [wrongs[k] for k in xs]}
    bad["bound"]["upper"] -= 1
    with pytest.raises(ClaimFailure) as ei:
        check(_write(tmp_path, path, bad))
    assert ei.value.claim_id == f"wrong[{x}]", str(ei.value)


def _max_token(doc: dict, x: int) -> int:
    V, n = doc["config"]["d_vocab"], doc["config"]["n_ctx"]
    return max((x // V**p) % V for p in range(n))


def _cumsum(ds: list[int]):  # noqa: ANN202
    x = 0
    for i, d in enumerate(ds):
        x = d if i == 0 else x + d
        yield x


@pytest.mark.parametrize(
    "edit, field",
    [
        (lambda d: d.__setitem__("version", 1), "strategy.name"),
        (lambda d: d.__setitem__("version", 1) or d["strategy"].__setitem__("name", "cubic"), "bound.upper"),
        (lambda d: d["bound"].pop("upper"), "bound.upper"),
        (lambda d: d["claims"]["cases"].__setitem__("rule", "cubic-case"), "claims.cases"),
        (lambda d: d["claims"].pop("residual"), "claims.residual"),
        (lambda d: d["claims"]["wrong"]["inputs"].__setitem__(0, True), "claims.wrong.inputs"),
        (lambda d: d["bound"].__setitem__("upper", None), "bound"),
    ],
    ids=["v1-residual-strategy", "v1-with-upper", "wrong-without-upper", "v2-with-v1-rule", "residual-missing", "bool-input", "null-upper"],
)
def test_version_features_are_enforced(tiny_v2, tmp_path, edit, field):
    path, doc, _ = tiny_v2
    bad = copy.deepcopy(doc)
    edit(bad)
    with pytest.raises(InputError) as ei:
        check(_write(tmp_path, path, bad))
    assert (ei.value.field or "").startswith(field), str(ei.value)


def _case_with_both_classes(doc: dict) -> list[int]:
    for entry in doc["claims"]["cases"]["entries"]:
        if entry[2] >= 1 and entry[3] != -1:
            return entry
    raise AssertionError("no case with a class-+ boundary")


@pytest.mark.parametrize(
    "edit, claim",
    [
        (lambda d, e, r: e.__setitem__(3, e[1]), "case["),  # a boundary token not < m
        (lambda d, e, r: e.__setitem__(3, -1) or e.__setitem__(4, -1), "case["),  # an empty token set
        (lambda d, e, r: e.__setitem__(3, r["other_class"]), "case["),  # a token of the other class
        (lambda d, e, r: e.__setitem__(3, r["next"]), "case["),  # one token further than proven: fails or miscounts
    ],
    ids=["not-below-m", "empty", "wrong-class", "one-too-far"],
)
def test_tampered_boundary_tokens_are_rejected(tiny_cert, tmp_path, edit, claim):
    """docs §4.4: a boundary outside its class or beyond what the sign test proves is a false claim."""
    doc = json.loads(tiny_cert.read_text())
    entry = _case_with_both_classes(doc)
    q, m, c, kp, kn = entry
    cert, claims = load_certificate(tiny_cert)
    w = load_weights(tiny_cert.parent / "weights.json")
    mats = exact_matrices(w)
    r = check_inv_sqrt(claims.inv_sqrt_d_head, w.cfg.d_head)
    tok = check_exp_enclosure("exp_eqke", claims.exp_eqke, mats["EQKE"], r)
    pos = check_exp_enclosure("exp_eqkp", claims.exp_eqkp, mats["EQKP"], r)
    plus, minus, _ = CaseTables(CubicDerived(mats, w.cfg.n_ctx), tok, pos).order(q, m)
    after = [k for k, rank in plus.items() if rank == plus[kp] + 1]
    # without a further token of the class, "next" is m itself (not below m): still a false claim
    refs = {"other_class": next(iter(minus), m), "next": after[0] if after else m}
    edit(doc, entry, refs)
    with pytest.raises(ClaimFailure) as ei:
        check(_write(tmp_path, tiny_cert, doc))
    assert ei.value.claim_id.startswith(claim) or ei.value.claim_id == "bound", str(ei.value)
