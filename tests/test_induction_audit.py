"""`mechproof audit` on induction certificates (tasks/induction/audit.py): the values it shows against independent
computations (the literal model of tests/induction_reference.py, the inputs enumerated here, the producer's own
bound on a case), and its exit codes: 0 shows the claim, 2 a bad id or a malformed file, 1 a false certificate,
never 3."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from induction_fixtures import model, truth, undelta, write
from induction_reference import all_inputs
from typer.testing import CliRunner

from mechproof.certificate import load_certificate
from mechproof.cli import app
from mechproof.errors import InputError
from mechproof.tasks.induction.audit import Audit, audit_induction, parse
from mechproof.tasks.induction.caseview import case_view
from mechproof.tasks.induction.checker import model_context
from mechproof.tasks.induction.space import decode, encode, n_inputs

COMMITTED = Path(__file__).resolve().parent / "data" / "induction-ind6-seed3" / "windows-residual.json"


KINDS = ["tiny", pytest.param("mid", marks=pytest.mark.slow)]  # mid: 1,080 inputs, its literal verdicts take a while


@pytest.fixture(scope="module", params=KINDS)
def res(request, tmp_path_factory) -> Path:
    """A windows+residual certificate at depth 1 (cases, residual and wrong all occur)."""
    return write(tmp_path_factory.mktemp(request.param), request.param, "windows+residual", 1)


@pytest.fixture(scope="module", params=KINDS)
def win(request, tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp(request.param), request.param, "windows", 1, upper=True)


def _kind(path: Path) -> str:
    return "tiny" if path.parent.name.startswith("tiny") else "mid"


def _audit(path: Path) -> Audit:
    return Audit(path, *load_certificate(path))


def _verdict(lines: list[str]) -> str:
    return lines[-1].strip()


def test_the_input_rule_as_audited_agrees_with_the_literal_model(res):
    a = _audit(res)
    w = model(_kind(res))
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    decided = 0
    for x, right in truth(_kind(res)).items():
        if right and x % 3:  # every wrong input, a third of the right ones
            continue
        verdict = _verdict(a.input_claim_lines("input", [x]))
        if verdict == "verdict: proven right":
            assert right is True, x
        elif verdict.startswith("verdict: proven wrong"):
            assert right is False, x
        decided += verdict != "verdict: undecided"
    assert decided == sum(1 for x, r in truth(_kind(res)).items() if not r or x % 3 == 0)  # it decides every one
    # an input given by its tokens is the same input as by its index
    t = decode(17, V, n)
    assert a.input_claim_lines("input", list(t))[1:] == a.input_claim_lines("input", [17])[1:]


def test_each_logit_bound_of_an_input_has_the_sign_of_the_literal_gap(res):
    """up_c < 0 ⇒ logit_c < logit_a and lo_c ≥ 0 ⇒ logit_c ≥ logit_a, on the literal model's logits."""
    from induction_reference import logit_gaps

    a = _audit(res)
    w = model(_kind(res))
    V = w.cfg.d_vocab
    N = len(truth(_kind(res)))
    for x in (0, N // 3, N // 2, N - 1):
        tokens = decode(x, V, w.cfg.n_ctx)
        i = tokens.index(tokens[-1])
        others = [c for c in range(V) if c != tokens[i + 1]]
        gaps = dict(zip(others, logit_gaps(w, tokens)))
        lines = a.input_claim_lines("input", [x])
        for c in others:
            (line,) = [s for s in lines if s.strip().startswith(f"c = {c:>2}:")]
            if "up_c < 0" in line:
                assert gaps[c].b < 0
            if "lo_c ≥ 0" in line:
                assert gaps[c].a >= 0


def _inputs_of(doc: dict, q: int, i: int, a: int, prefix: tuple[int, ...], V: int, n: int) -> list[tuple[int, ...]]:
    order = next(e[3] for e in doc["claims"]["cases"]["entries"] if tuple(e[:3]) == (q, i, a))
    return [t for t in all_inputs(V, n) if t[-1] == q and t.index(q) == i and t[i + 1] == a
            and tuple(t[p] for p in order[: len(prefix)]) == prefix]  # fmt: skip


def test_every_listed_case_holds_at_its_claims_and_its_inputs_are_right(res):
    a = _audit(res)
    doc = json.loads(res.read_text())
    V, n = a.V, a.n
    right = truth(_kind(res))
    seen = 0
    for q, i, ans, order, cases in doc["claims"]["cases"]["entries"]:
        for prefix, lam in cases:
            lines = a.case_lines(q, i, ans, tuple(prefix), None)
            assert _verdict(lines) == "verdict: holds: every input of the case is proven right"
            least = json.loads(re.search(r"accept \(.*\): (\[.*\])", "\n".join(lines)).group(1))
            assert all(lo <= c for lo, c in zip(least, lam))  # the claims pass, so they are at least the least ones
            inputs = _inputs_of(doc, q, i, ans, tuple(prefix), V, n)
            assert f"inputs of the case: {len(inputs):,}" in "\n".join(lines)
            assert all(right[encode(t, V)] for t in inputs)
            seen += 1
    assert seen >= 5


def test_an_unlisted_case_is_shown_at_least_claims_no_better_than_the_producer(win):
    """The producer's claims pass the same λ-tests, so the least claims are at most them and the margin (max_c T_c)
    at most the producer's slack; a case the certificate leaves out does not hold."""
    from mechproof.tasks.induction.strategies.groups import prove_group

    a = _audit(win)
    rule = model_context(model(_kind(win))).cases
    checked = 0
    for q in range(a.V):
        for ans in range(a.V):
            if q == ans:
                continue
            g = prove_group(rule, q, 0, ans, 1)
            for prefix in g.failed:
                view = case_view(rule, q, 0, ans, g.order, prefix, None)
                from mechproof.tasks.induction.strategies.cases import prove_case
                from mechproof.tasks.induction.checker.groups import make_case

                proof = prove_case(rule, make_case(a.V, a.n, q, 0, ans, g.order, prefix))
                assert all(x is None or x <= y for x, y in zip(view.least, proof.lam))
                assert view.margin() is not None and view.margin() <= proof.slack
                assert view.margin() >= 0  # no claims make it hold (else the producer's search would have)
                checked += 1
    assert checked >= 1


def test_the_bound_as_audited_is_the_certificates_and_the_truth(res):
    lines = "\n".join(_audit(res).bound_lines())
    exact = sum(1 for v in truth(_kind(res)).values() if v)
    assert f"correct = {exact:,}   claimed: {exact:,}" in lines
    assert lines.endswith("verdict: holds (every case and input claim is checked separately)")


@pytest.mark.parametrize(
    "claim_id",
    ["group", "case[1,2]", "case[1,2,3/4/5]", "wrong", "input[]", "bound[0]", "residual[3]/logit[1]",
     "case[1,0,2/3]/lambda[]", "exp_eqke[1,2]", "case[1,0,2/3]/mu[1]", "input[٣]", "x" * 5000],
)  # fmt: skip
def test_bad_ids_are_refused_by_the_parser(claim_id):
    with pytest.raises(InputError):
        parse(claim_id)


def test_ids_parse():
    assert parse("case[1,0,2/3,4]/lambda[5]") == ("case", [1, 0, 2], (3, 4), ("lambda", 5))
    assert parse("case[1,0,2/]") == parse("case[1,0,2]") == ("case", [1, 0, 2], (), None)
    assert parse("input[3,7,1,9,4,7]") == ("input", [3, 7, 1, 9, 4, 7], None, None)
    assert parse("bound") == ("bound", [], None, None)


def _cli(*args: str):
    res = CliRunner().invoke(app, ["audit", *args])
    return res.exit_code, res.output


def test_exit_codes(res, tmp_path):
    doc = json.loads(res.read_text())
    q, i, a = doc["claims"]["cases"]["entries"][0][:3]
    listed = {x for x in undelta(doc["claims"]["wrong"]["inputs"])}
    cfg = model(_kind(res)).cfg
    V, n = cfg.d_vocab, cfg.n_ctx
    N = n_inputs(V, n)
    unlisted = next(x for x in range(N) if x not in listed)
    not_input = ",".join(map(str, [1, 1, *range(2, n - 1), 1]))
    for bad in (f"case[{q},{i},{q}/]", f"case[{q},{n - 2},{a}/]", f"case[{q},{i},{a}/{q}]", f"input[{N}]", f"input[{not_input}]",
                f"wrong[{unlisted}]", f"group[{q},{i},{a}]/lambda[2]", f"case[{q},{i},{a}/]/lambda[{i + 1}]",
                f"case[{q},{i},{a}/]/logit[{V}]", "case[0,0,1/2,3,4]", "nonsense"):  # fmt: skip
        code, text = _cli(str(res), "--claim", bad)
        assert code == 2, (bad, text)


@pytest.mark.slow
def test_exit_codes_on_the_committed_certificate(tmp_path):
    code, text = _cli(str(COMMITTED), "--claim", "case[0,0,1/]/logit[4]")
    assert code == 0 and "T_c = " in text and "→ < 0" in text
    # tampered: a claimed bound below what its λ-test accepts is rejected (exit 1) with the failing claim
    doc = json.loads(COMMITTED.read_text())
    doc["claims"]["cases"]["entries"][0][4][0][1][2] -= 1 << 16
    (tmp_path / "weights.json").write_bytes((COMMITTED.parent / "weights.json").read_bytes())
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(doc))
    code, text = _cli(str(bad), "--claim", "bound")
    assert code == 1 and "case[0,0,1/]/lambda[2]" in text
    # malformed: exit 2
    del doc["claims"]["cases"]
    bad.write_text(json.dumps(doc))
    assert _cli(str(bad), "--claim", "bound")[0] == 2


def test_every_kind_of_claim(res):
    doc = json.loads(res.read_text())
    q, i, ans, order, cases = doc["claims"]["cases"]["entries"][0]
    prefix = ",".join(map(str, cases[0][0]))
    wrong = doc["claims"]["wrong"]["inputs"][0]
    residual = doc["claims"]["residual"]["inputs"][0]
    for claim_id in (f"group[{q},{i},{ans}]", f"case[{q},{i},{ans}/{prefix}]", f"residual[{residual}]",
                     f"wrong[{wrong}]", "input[0]", "bound"):  # fmt: skip
        lines = audit_induction(res, claim_id)
        assert lines[0].startswith(f"claim {claim_id.split('[')[0]}"), lines[0]
    assert _verdict(audit_induction(res, f"wrong[{wrong}]")).startswith("verdict: proven wrong")
    assert _verdict(audit_induction(res, f"residual[{residual}]")) == "verdict: proven right"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="caseinputgroupwrongresidualbdlmk[]/,0123456789٣x", max_size=40))
def test_any_text_parses_or_is_refused_as_bad_input(text):
    try:
        name, nums, prefix, sub = parse(text)
    except InputError:
        return
    assert name in ("group", "case", "residual", "wrong", "input", "bound")
    assert all(isinstance(x, int) and x >= 0 for x in nums)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 5), st.integers(0, 2), st.integers(0, 5), st.lists(st.integers(0, 99), max_size=3),
       st.sampled_from([None, ("lambda", 3), ("logit", 7)]))  # fmt: skip
def test_case_ids_round_trip(q, i, a, prefix, sub):
    text = f"case[{q},{i},{a}/{','.join(map(str, prefix))}]" + (f"/{sub[0]}[{sub[1]}]" if sub else "")
    assert parse(text) == ("case", [q, i, a], tuple(prefix), sub)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["group", "case", "residual", "wrong", "input"]), st.data())
def test_any_numbers_show_a_claim_or_are_refused_as_bad_input(res, name, data):
    """After the checker accepted the certificate, no id reaches anything but its lines or InputError (exit 2)."""
    a = _audit_cached(res)
    small = st.integers(0, 6)  # V ≤ 6 and n ≤ 5: 6 is out of range as a token, 3 as a match position
    try:
        if name in ("group", "case"):
            q, i, ans = data.draw(small), data.draw(st.integers(0, 3)), data.draw(small)
            if name == "group":
                lines = a.group_lines(q, i, ans)
            else:
                prefix = tuple(data.draw(st.lists(small, max_size=3)))
                sub = data.draw(st.sampled_from([None, ("lambda", 0), ("lambda", 4), ("lambda", 5), ("logit", 5), ("logit", 6)]))
                lines = a.case_lines(q, i, ans, prefix, sub)
        else:
            lines = a.input_claim_lines(name, data.draw(st.lists(st.one_of(small, st.integers(0, 1200)), min_size=1, max_size=6)))
    except InputError:
        event("refused")
        return
    event(f"shown: {name}")
    assert lines[0].startswith(f"claim {name}")
    if name != "case":
        assert lines[-1].strip().startswith("verdict:")


_AUDITS: dict[Path, Audit] = {}


def _audit_cached(path: Path) -> Audit:
    if path not in _AUDITS:
        _AUDITS[path] = _audit(path)
    return _AUDITS[path]


def test_an_unlisted_case_says_where_its_inputs_are_proven(res):
    """The whole-group case of a refined group: its inputs are the listed cases' (their sizes) and the rest, which
    `residual` and `wrong` settle (every input of the model is right or wrong in a windows+residual certificate)."""
    doc = json.loads(res.read_text())
    a = _audit(res)
    q, i, ans, order, cases = next(e for e in doc["claims"]["cases"]["entries"] if len(e[4][0][0]) == 1)
    lines = a.case_lines(q, i, ans, (), None)
    (line,) = [s for s in lines if s.startswith("  its inputs in the certificate:")]
    counts = {k: int(v.replace(",", "")) for k, v in re.findall(r"(\w+) ([\d,]+)", line)}
    inputs = _inputs_of(doc, q, i, ans, (), a.V, a.n)
    in_cases = sum(len(_inputs_of(doc, q, i, ans, tuple(p), a.V, a.n)) for p, _ in cases)
    assert counts.get("cases", 0) == in_cases and sum(counts.values()) == len(inputs) and "none" not in counts
