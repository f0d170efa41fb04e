"""Issue 11, "no crash on any file": the reports filed with the issue and every defect the fuzz suite
(tests/test_fuzz.py) found, each as the smallest input that shows it (docs/certificate.md §5, §10).

Exit 2 (InputError naming the file and field) for malformed input and exceeded limits, exit 1 (ClaimFailure naming
the claim, with a message that formats) for false claims, never any other exception.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutants import count_formatting
from test_checker_v2 import tiny_v2  # noqa: F401 - a fixture used here
from test_fuzz import SUB_A, SUB_B, _repin, _subcubic_v2

from mechproof.checker import ClaimFailure, check
from mechproof.checker.arith import clear_memo
from mechproof.errors import InputError
from mechproof.weights import ExactTensor

ROOT = Path(__file__).resolve().parents[1]
SEED42 = ROOT / "certificates" / "seed42"
CUBIC, SUBCUBIC = SEED42 / "cubic.json", SEED42 / "subcubic-mx-avg-exact.json"
Edit = Callable[[dict], Any]


def _hostile(tmp_path: Path, cert: Path, edit: Edit | None = None, edit_weights: Edit | None = None, repin: bool = False) -> Path:
    """A copy of `cert` and its weights in tmp_path with the edits applied; `repin` points both hashes at the
    edited tensors, as an attacker who edits both files would."""
    doc, wdoc = json.loads(cert.read_text()), json.loads((cert.parent / "weights.json").read_text())
    if edit:
        edit(doc)
    if edit_weights:
        edit_weights(wdoc)
    if repin:
        wdoc, doc = _repin(wdoc, doc)
    (tmp_path / "weights.json").write_text(json.dumps(wdoc))
    path = tmp_path / cert.name
    path.write_text(json.dumps(doc))
    return path


def _malformed(path: Path, field: str | None) -> InputError:
    with pytest.raises(InputError) as ei:
        check(path)
    assert ei.value.path is not None, str(ei.value)
    if field is not None:
        assert (ei.value.field or "").startswith(field), str(ei.value)
    return ei.value


def _false(path: Path, claim: str) -> ClaimFailure:
    with pytest.raises(ClaimFailure) as ei:
        check(path)
    assert ei.value.claim_id.startswith(claim), str(ei.value)
    assert str(ei.value)  # the message formats
    return ei.value


def _set(*path: Any, value: Any) -> Edit:
    def edit(doc: dict) -> None:
        for k in path[:-1]:
            doc = doc[k]
        doc[path[-1]] = value

    return edit


# ------------------------------------------------------------------------------------- reports filed with issue 11
@pytest.mark.parametrize(
    "path, value",
    [
        (("inv_sqrt_d_head", "exp"), -(2**34)),
        (("inv_sqrt_d_head", "exp"), 10**30),
        (("inv_sqrt_d_head", "exp"), -(10**30)),
        (("exp_eqke", "exp", 0, 0), 2**34),
        (("exp_eqke", "exp", 0, 0), 10**30),
        (("exp_eqke", "exp", 0, 0), -(10**30)),
        (("exp_eqkp", "lo", 3, 1), 2**128),
    ],
)
def test_cubic_claims_beyond_the_limits_are_malformed(tmp_path, path, value):
    field = "claims." + ".".join(str(k) for k in path[:2])
    _malformed(_hostile(tmp_path, CUBIC, _set("claims", *path, value=value)), field)


def test_a_zero_tensor_with_a_huge_negative_exponent_is_malformed(tmp_path):
    def zero(w: dict) -> None:
        t = w["tensors"]["W_E"]
        t["mantissas"], t["exponent"] = [0] * len(t["mantissas"]), -(2**33)

    _malformed(_hostile(tmp_path, SUBCUBIC, edit_weights=zero, repin=True), "tensors.W_E.exponent")


@pytest.mark.parametrize("exp", [2048, 4096, 65536])
def test_a_peel_with_a_huge_exponent_is_malformed_and_fast(tmp_path, exp):
    """A rank-1 peel of the first QK factor with x.exp beyond the choice limit (4096, 65536), or within it but
    making the peeled factor exceed 384 bits (2048): exit 2, within the work budget of docs §10 (twice the honest
    certificate's time plus 0.5 s; without the limits this took 28 CPU-s at 4096 and minutes beyond)."""

    def peel(doc: dict) -> None:
        p = doc["strategy"]["params"]
        p["qk"], p["variant"] = "max_diff", f"{p['eupu']};{p['attention']};max_diff"
        V, d = doc["config"]["d_vocab"], doc["config"]["d_head"]
        doc["claims"]["choices"]["peels"] = [{"x": {"exp": exp, "rows": [[1]] * V}, "y": {"exp": 0, "rows": [[1]] * d}}, None]

    clear_memo()
    start = time.process_time()
    check(SUBCUBIC)
    honest = time.process_time() - start
    path = _hostile(tmp_path, SUBCUBIC, peel)
    clear_memo()
    start = time.process_time()
    _malformed(path, "claims.choices.peels")
    assert time.process_time() - start < 2 * honest + 0.5


@pytest.mark.parametrize("value", [2**14000, -(2**14000), 10**4299])
def test_a_false_claim_about_a_huge_value_prints_fail(tmp_path, value):
    fail = _false(_hostile(tmp_path, SUBCUBIC, _set("bound", "correct", value=value)), "bound")
    assert "digit integer" in str(fail)


@pytest.mark.slow
def test_a_false_claim_about_a_huge_value_exits_1_through_the_cli(tmp_path):
    path = _hostile(tmp_path, SUBCUBIC, _set("bound", "correct", value=2**14000))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    proc = subprocess.run([sys.executable, "-m", "mechproof.cli", "check", str(path)], capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "FAIL bound" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["claims"]["exp_eqke"]["hi"].pop(),
        lambda d: d["claims"]["exp_eqke"]["exp"].pop(),
        lambda d: d["claims"]["exp_eqke"]["exp"][5].pop(),
        lambda d: d["claims"]["exp_eqkp"]["hi"][0].pop(),
        lambda d: d["claims"]["exp_eqke"]["lo"].append(d["claims"]["exp_eqke"]["lo"][0]),
    ],
    ids=["hi-rows", "exp-rows", "exp-columns", "eqkp-hi-columns", "lo-extra-row"],
)
def test_enclosure_arrays_of_the_wrong_shape_name_the_claim(tmp_path, edit):
    path = _hostile(tmp_path, CUBIC, edit)
    try:
        check(path)
    except ClaimFailure as e:
        assert e.claim_id.startswith(("exp_eqke", "exp_eqkp")), str(e)
    except InputError as e:
        assert (e.field or "").startswith(("claims.exp_eqke", "claims.exp_eqkp")), str(e)
    else:
        pytest.fail("accepted enclosure arrays of the wrong shape")


def _nest(depth: int) -> Any:
    x: Any = 1
    for _ in range(depth):
        x = [x]
    return x


def test_deeply_nested_json_is_malformed(tmp_path):
    path = _hostile(tmp_path, SUBCUBIC)
    text = path.read_text()
    assert '"version": 2' in text
    path.write_text(text.replace('"version": 2', '"version": ' + "[" * 100_000 + "2" + "]" * 100_000, 1))
    _malformed(path, None)
    _malformed(_hostile(tmp_path, SUBCUBIC, _set("claims", "cases", "entries", 0, value=_nest(40))), "claims.cases")
    _malformed(_hostile(tmp_path, SUBCUBIC, edit_weights=_set("provenance", "x", value=_nest(40))), "provenance")


# ------------------------------------------------------------------------------------- strict parsing (docs §10)
HEADER_EDITS = {  # the version and config fields that weights and certificates share
    "version true": (_set("version", value=True), "version"),
    "version 1.0": (_set("version", value=1.0), "version"),
    "d_vocab string": (_set("config", "d_vocab", value="64"), "config.d_vocab"),
    "d_vocab 64.0": (_set("config", "d_vocab", value=64.0), "config.d_vocab"),
    "config missing": (lambda doc: doc.pop("config"), "config"),
    "config empty": (_set("config", value={}), "config"),
}
WEIGHTS_EDITS = {
    **HEADER_EDITS,
    "provenance 5": (_set("provenance", value=5), "provenance"),
    "shape bool": (_set("tensors", "W_Q", "shape", value=[True, 32, 32]), "tensors.W_Q.shape"),
    "unknown top key": (_set("extra", value=1), "'extra'"),
    "unknown config key": (_set("config", "d_mlp", value=1), "config"),
    "unknown tensor key": (_set("tensors", "W_K", "scale", value=1), "tensors.W_K.'scale'"),
    "unknown tensor": (_set("tensors", "b_U", value={}), "tensors.'b_U'"),
}


@pytest.mark.parametrize("name", sorted(WEIGHTS_EDITS))
def test_weights_are_parsed_strictly(tmp_path, name):
    edit, field = WEIGHTS_EDITS[name]
    _malformed(_hostile(tmp_path, SUBCUBIC, edit_weights=edit), field)


CERT_EDITS = {
    **HEADER_EDITS,
    "weights absolute": (_set("model", "weights", value=str(SEED42 / "weights.json")), "model.weights"),
    "weights ../": (_set("model", "weights", value="../seed42/weights.json"), "model.weights"),
    "weights a/../": (_set("model", "weights", value="a/../weights.json"), "model.weights"),
    "weights name too long": (_set("model", "weights", value="w" * 300), "model.weights"),
    "weights path too long": (_set("model", "weights", value="/".join(["w" * 200] * 30)), "model.weights"),
}


@pytest.mark.parametrize("name", sorted(CERT_EDITS))
def test_certificates_are_parsed_strictly(tmp_path, name):
    edit, field = CERT_EDITS[name]
    _malformed(_hostile(tmp_path, SUBCUBIC, edit), field)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e3", "1E-5", "2.5e0"])
def test_numbers_that_are_not_json_or_exponent_forms_are_malformed_anywhere(tmp_path, number):
    """Python's json module reads NaN and ±Infinity, which are not JSON, and exponent forms, which the Lean
    checker refuses before parsing (docs §10): both checkers must reject the same files, so also in the free-form
    `provenance` (which may hold plain decimals such as 0.001)."""
    path = _hostile(tmp_path, SUBCUBIC)
    w = path.parent / "weights.json"
    w.write_text(w.read_text().replace('"provenance": {', f'"provenance": {{"x": {number}, ', 1))
    _malformed(path, None)
    _hostile(tmp_path, SUBCUBIC)  # a decimal in the provenance is fine
    w.write_text(w.read_text().replace('"provenance": {', '"provenance": {"x": 0.001, ', 1))
    assert check(path).correct > 0
    text = path.read_text()
    assert '"version": 2' in text
    path.write_text(text.replace('"version": 2', f'"version": {number}', 1))
    _malformed(path, None)


# ------------------------------------------------------------------------------------- found by the fuzz suite and its review
@pytest.mark.slow
def test_an_out_of_range_input_index_with_a_4300_digit_delta_is_a_false_claim(tiny_v2, tmp_path):  # noqa: F811
    """A residual delta of 4300 nines added to the previous index has 4301 digits: naming the index in the claim
    id used to raise ValueError (Python converts at most 4300 digits to text)."""
    src, _, _ = tiny_v2
    fail = _false(_hostile(tmp_path, src, lambda d: d["claims"]["residual"]["inputs"].append(10**4300 - 1)), "residual[")
    assert "digit integer" in fail.claim_id
    fail = _false(_hostile(tmp_path, src, _set("claims", "residual", "inputs", 0, value=-(10**4299))), "residual[")
    assert "digit integer" in fail.claim_id


@pytest.mark.slow
def test_an_overlong_certificate_name_on_the_command_line_is_malformed(tmp_path):
    """`mechproof check NAME` with a name too long for the file system: exit 2, not an OSError (exit 3)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    proc = subprocess.run([sys.executable, "-m", "mechproof.cli", "check", "c" * 300 + ".json"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 2 and "internal error" not in proc.stderr, proc.stderr


def test_a_passing_check_formats_nothing(tiny_v2, tmp_path, monkeypatch):  # noqa: F811
    """docs §5: values are formatted only when a check fails. The svd rule formatted its ε eagerly."""
    path = _subcubic_v2(tiny_v2[0].parent / "weights.json", SUB_B, tmp_path)
    formatted = count_formatting(monkeypatch)
    clear_memo()  # nothing derived earlier may hide a formatting
    for cert in (path, tiny_v2[0], SUBCUBIC):
        check(cert)
    assert not formatted, dict(formatted)


@pytest.mark.slow
def test_a_file_name_that_looks_like_markup_is_reported_as_it_is(tiny_cert, tmp_path):
    """The OK line printed file names as rich markup: `a[/b]/cubic.json` crashed the CLI (exit 3, MarkupError)
    and `x[bold].json` was reported as `x.json`."""
    folder = tmp_path / "a[" / "b]"
    folder.mkdir(parents=True)
    (folder / "weights.json").write_bytes((tiny_cert.parent / "weights.json").read_bytes())
    (folder / "x[bold].json").write_bytes(tiny_cert.read_bytes())
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    proc = subprocess.run([sys.executable, "-m", "mechproof.cli", "check", str(tmp_path)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and f"{folder / 'x[bold].json'}: OK" in proc.stdout, proc.stdout + proc.stderr


def test_a_small_cubic_file_claiming_a_large_vocabulary_is_rejected_before_any_vocab_matrix(tmp_path, monkeypatch):
    """A 30 KB weights file with d_vocab = 4096, d_model = 1 and a certificate whose enclosure arrays have one
    entry: the checker formed the five V×V exact matrices (16M entries each, gigabytes, minutes) before it
    compared the arrays' shapes with the config. Shapes are now checked first."""
    import random

    import mechproof.tasks.maxk.checker.cubic as cubic
    from mechproof import weights as weights_io
    from mechproof.config import ModelConfig
    from mechproof.weights import ExactWeights

    rng = random.Random(0)
    cfg = ModelConfig(d_vocab=4096, n_ctx=2, d_model=1, d_head=1)
    tensors = {k: ExactTensor(s, -4, tuple(rng.randint(-8, 8) for _ in range(math.prod(s)))) for k, s in cfg.tensor_shapes().items()}
    w = ExactWeights(cfg, tensors)
    weights_io.save(w, tmp_path / "weights.json")
    enclosure = {"rule": "exp-enclosure", "exp": [[0]], "lo": [[1]], "hi": [[1]]}
    doc = {
        "format": "mechproof-certificate",
        "version": 1,
        "model": {"weights": "weights.json", "sha256": w.sha256},
        "config": cfg.model_dump(),
        "strategy": {"name": "cubic", "params": {}},
        "claims": {
            "inv_sqrt_d_head": {"rule": "inv-sqrt", "lo": 1, "hi": 1, "exp": 0},
            "exp_eqke": {**enclosure, "of": "EQKE"},
            "exp_eqkp": {**enclosure, "of": "EQKP"},
            "cases": {"rule": "cubic-case", "entries": []},
        },
        "bound": {"correct": 0, "total": 4096**2},
    }
    (tmp_path / "c.json").write_text(json.dumps(doc))

    def forbidden(*args: Any) -> None:
        raise AssertionError("formed the V×V matrices before checking the claims' shapes")

    clear_memo()
    monkeypatch.setattr(cubic, "exact_matrices", forbidden)
    _false(tmp_path / "c.json", "exp_eqke")


@pytest.mark.slow
def test_control_characters_from_a_file_cannot_rewrite_the_report(tmp_path):
    """A key or name holding a newline or an escape sequence reached the terminal raw: a hostile certificate
    could print a fake `OK` line or clear the screen. Each report is now one line with such characters escaped."""
    fake = "\r\x1b[2Kcubic.json: OK 16777216/16777216\n"
    path = _hostile(tmp_path, SUBCUBIC, _set("bound", fake, value=1))
    (tmp_path / "b.json").write_text(path.read_text().replace('"mean_query+diff",', '"mean_query+diff\\u001b[2J",', 1))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    proc = subprocess.run([sys.executable, "-m", "mechproof.cli", "check", str(tmp_path)], capture_output=True, text=True, env=env)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 2 and all(x.startswith(f"error: {tmp_path}/") for x in lines), proc.stderr
    assert "\x1b" not in proc.stderr + proc.stdout and "\r" not in proc.stderr


@pytest.mark.parametrize("shift", [1024, -1024])
@pytest.mark.parametrize("choice", ["centres", "key_pos_centre", "eupu_mu"])
def test_a_free_choice_shifted_by_2_to_the_10_is_decided_without_formatting(tiny_v2, tmp_path, monkeypatch, choice, shift):  # noqa: F811
    """Choices are unverified data (docs §7.1): shifting one's exponent by ±2^10 (within the limits) may make
    cases fail or an exp argument exceed its limit, but the check must decide it, and if it passes it must not
    have formatted anything (a passing check with such a choice used to crash formatting a huge value)."""
    path = _subcubic_v2(tiny_v2[0].parent / "weights.json", SUB_A, tmp_path / "honest")

    def shifted(doc: dict) -> None:
        ch = doc["claims"]["choices"]
        vec = ch["centres"][0] if choice == "centres" else ch[choice]
        vec["exp"] += shift

    hostile = _hostile(tmp_path, path, shifted)
    formatted = count_formatting(monkeypatch)
    clear_memo()
    try:
        check(hostile)
    except (ClaimFailure, InputError) as e:
        assert str(e)
    else:
        assert not formatted, dict(formatted)


# ------------------------------------------------------------------------------------- audit and explain: the checker first
RESIDUAL = SEED42 / "cubic-residual.json"


def _cli(*args: Any) -> Any:
    from typer.testing import CliRunner

    from mechproof.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def _entry(i: int, pos: int, value: Any) -> Edit:
    return lambda d: d["claims"]["cases"]["entries"][i].__setitem__(pos, value)


def _weights_of_another_model(doc: dict) -> dict:
    """The weights with one mantissa negated and their own payload hash pinned to it, as an attacker who edits the
    weights file (but not the certificate's model.sha256) would."""
    doc["tensors"]["W_E"]["mantissas"][0] *= -1
    return _repin(doc, {"model": {}})[0]


AUDIT_HOSTILE = {  # name: (certificate, edit of the certificate, edit of the weights, claim id)
    "case entry out of range": (CUBIC, _entry(1, 1, 10**6), None, "bound"),
    "short exp_eqke row": (CUBIC, lambda d: d["claims"]["exp_eqke"]["lo"][3].pop(), None, "exp_eqke[3,5]"),
    "c = -1": (CUBIC, _entry(1, 2, -1), None, "bound"),
    "witness 10^6": (RESIDUAL, lambda d: d["claims"]["wrong"]["witness"].__setitem__(0, 10**6), None, "wrong[0]"),
    "witness list short": (RESIDUAL, lambda d: d["claims"]["wrong"]["witness"].pop(), None, "wrong[0]"),
    "subcubic m > V": (SUBCUBIC, _entry(-1, 1, 64), None, "bound"),
    "weights of another model": (CUBIC, None, lambda w: w.update(_weights_of_another_model(w)), "case[20,40,2]/10"),
    "config of another model": (CUBIC, _set("config", "d_head", value=16), None, "inv_sqrt_d_head"),
}


@pytest.mark.parametrize("name", sorted(AUDIT_HOSTILE))
def test_audit_runs_the_checker_first(tmp_path, name):
    """`audit` read the claims without the checker's shape, range, hash and config checks: these crashed it (exit 3)
    or, for weights that are not the certificate's, reported "proven correct". The checker now runs first, and
    a certificate it rejects is exit 1, said as such."""
    cert, edit, edit_weights, claim = AUDIT_HOSTILE[name]
    res = _cli("audit", _hostile(tmp_path, cert, edit, edit_weights), "--claim", claim)
    assert res.exit_code == 1, res.output
    assert "the checker rejects this certificate: FAIL" in res.output and "proven correct" not in res.output


@pytest.mark.parametrize(
    "args",
    [("--case", "²,1,1,1"), ("--claim", "case[²,1,1]/1"), ("--claim", "case[٣,5,1]"),
     ("--claim", "exp_eqke[" + "9" * 5000 + ",1]"), ("--claim", "wrong[" + "1" * 500 + "]")],
    ids=["--case superscript", "superscript", "arabic-indic digit", "5000 digits", "500 digits"],
)
def test_audit_claim_ids_take_ascii_numbers_in_range(args):
    """`--case '²,1,1,1'` raised ValueError ('²'.isdigit() is true, int('²') fails) and a 5000-digit index
    failed int() (Python's 4300-digit limit): both exit 3. `--case` is gone (one way to name a case:
    `--claim 'case[q,m,c]/k'`, in the order of the claim ids), and an id with other digits or a number out of
    range is bad input, refused before the certificate is checked."""
    res = _cli("audit", CUBIC, *args)
    assert res.exit_code == 2 and "internal error" not in res.output, res.output


_ID_PARTS = st.sampled_from(["case", "exp_eqke", "wrong", "input", "bound", "[", "]", ",", "/", "0", "7", "99", "²", "٣", "-", " ", "\n"])


@given(st.lists(_ID_PARTS, max_size=12).map("".join) | st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_every_claim_id_parses_or_is_bad_input(claim_id):
    """Any text given as --claim is either an id of the documented forms, with ASCII numbers, or bad input."""
    from mechproof.checker.audit import _parse

    try:
        form, numbers = _parse(claim_id)
    except InputError as e:
        assert e.field == "--claim"
        return
    arity = {"inv_sqrt_d_head": 0, "bound": 0, "exp_eqke": 2, "exp_eqkp": 2, "case": 3, "case/k": 4, "residual": 1, "wrong": 1, "input": 1}
    assert len(numbers) == arity[form] and all(n >= 0 for n in numbers)
    assert claim_id.isascii() and [int(x) for x in re.findall("[0-9]+", claim_id)] == list(numbers)


EXPLAIN_HOSTILE = {
    "off-by-one bound": (CUBIC, _set("bound", "correct", value=15998746)),
    "a covered input in residual": (RESIDUAL, lambda d: d["claims"]["residual"]["inputs"].__setitem__(1, d["claims"]["residual"]["inputs"][1] + 1)),
    "residual index 2^70": (RESIDUAL, lambda d: d["claims"]["residual"]["inputs"].append(2**70)),
}


@pytest.mark.parametrize("name", sorted(EXPLAIN_HOSTILE))
def test_explain_runs_the_checker_first(tmp_path, name):
    """`explain` never ran the checker: an off-by-one bound and a covered input in `residual` ended in an
    AssertionError (the second calling itself "a soundness bug"), an index of 2^70 in an OverflowError, all exit 3."""
    cert, edit = EXPLAIN_HOSTILE[name]
    res = _cli("explain", _hostile(tmp_path, cert, edit), "--out", tmp_path / "report", "--quiet")
    assert res.exit_code == 1, res.output
    assert "the checker rejects this certificate: FAIL" in res.output and "soundness bug" not in res.output
    assert not (tmp_path / "report").exists()
