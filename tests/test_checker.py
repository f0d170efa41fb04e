"""The independent checker accepts good certificates and rejects every tampering, naming the claim."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechproof import weights as weights_io
from mechproof.checker import ClaimFailure, check
from mechproof.errors import InputError
from mechproof.weights import from_torch


def _copy(cert: Path, tmp: Path) -> Path:
    dst = tmp / "c"
    shutil.copytree(cert.parent, dst)
    return dst / cert.name


def _edit(path: Path, fn) -> None:  # noqa: ANN001
    doc = json.loads(path.read_text())
    fn(doc)
    path.write_text(json.dumps(doc))


def _fails(path: Path) -> ClaimFailure:
    with pytest.raises(ClaimFailure) as ei:
        check(path)
    return ei.value


@pytest.mark.slow
def test_good_certificates_pass(tiny_cert, tiny_cert_v1, seed42_cert):
    for cert in (tiny_cert, tiny_cert_v1, seed42_cert):
        res = check(cert)
        doc = json.loads(cert.read_text())
        assert (res.correct, res.total) == (doc["bound"]["correct"], doc["bound"]["total"])
        assert res.ops["exp"] > 0 and res.total_ops > res.ops["exp"]


def _first_case(doc, min_missing: int = 1):  # noqa: ANN001
    for entry in doc["claims"]["cases"]["entries"]:
        q, m, c, G = entry
        if c >= 1 and len(G) <= m - min_missing:
            return entry
    raise AssertionError("no case with a missing token")


TAMPERS = {
    "exp_eqke lo +1": (lambda d: d["claims"]["exp_eqke"]["lo"][2].__setitem__(1, d["claims"]["exp_eqke"]["lo"][2][1] + 1), "exp_eqke[2,1]"),
    "exp_eqke hi -1": (lambda d: d["claims"]["exp_eqke"]["hi"][3].__setitem__(0, d["claims"]["exp_eqke"]["hi"][3][0] - 1), "exp_eqke[3,0]"),
    "exp_eqkp lo +1": (lambda d: d["claims"]["exp_eqkp"]["lo"][5].__setitem__(1, d["claims"]["exp_eqkp"]["lo"][5][1] + 1), "exp_eqkp[5,1]"),
    "exp_eqkp exp -1": (lambda d: d["claims"]["exp_eqkp"]["exp"][4].__setitem__(0, d["claims"]["exp_eqkp"]["exp"][4][0] - 1), "exp_eqkp[4,0]"),
    "inv_sqrt lo +1": (lambda d: d["claims"]["inv_sqrt_d_head"].__setitem__("lo", d["claims"]["inv_sqrt_d_head"]["lo"] + 1), "inv_sqrt_d_head"),
    "inv_sqrt hi -1": (lambda d: d["claims"]["inv_sqrt_d_head"].__setitem__("hi", d["claims"]["inv_sqrt_d_head"]["hi"] - 1), "inv_sqrt_d_head"),
    "count +1": (lambda d: d["bound"].__setitem__("correct", d["bound"]["correct"] + 1), "bound"),
    "count -1": (lambda d: d["bound"].__setitem__("correct", d["bound"]["correct"] - 1), "bound"),
    "total": (lambda d: d["bound"].__setitem__("total", d["bound"]["total"] * 2), "bound"),
    "hash": (lambda d: d["model"].__setitem__("sha256", "0" * 64), "model.sha256"),
    "config": (lambda d: d["config"].__setitem__("d_model", d["config"]["d_model"] + 1), "config"),
    "duplicate case": (lambda d: d["claims"]["cases"]["entries"].append(d["claims"]["cases"]["entries"][-1]), "case["),
    "drop a token": (lambda d: _first_case(d, 0)[3].pop(), "bound"),
    "c=0 wrong G": (lambda d: d["claims"]["cases"]["entries"].append([0, 7, 0, [3]]), "case[0,7,0]"),
    "token out of range": (lambda d: _first_case(d)[3].append(_first_case(d)[1]), "case["),
    "unsorted tokens": (lambda d: _first_case(d, 0)[3].reverse() if len(_first_case(d, 0)[3]) > 1 else None, "case["),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_tampered_claim_is_rejected_and_named(tmp_path, tiny_cert_v1, name):
    """On a version-1 certificate (token sets listed); boundary tokens: tests/test_checker_v2.py."""
    mutate, claim = TAMPERS[name]
    path = _copy(tiny_cert_v1, tmp_path)
    _edit(path, mutate)
    fail = _fails(path)
    assert fail.claim_id.startswith(claim), (fail.claim_id, str(fail))


def test_adding_an_unproven_token_is_rejected(tmp_path, tiny_cert_v1):
    path = _copy(tiny_cert_v1, tmp_path)
    doc = json.loads(path.read_text())
    q, m, c, G = _first_case(doc)
    missing = min(set(range(m)) - set(G))
    G.append(missing)
    G.sort()
    path.write_text(json.dumps(doc))
    fail = _fails(path)
    assert fail.claim_id in (f"case[{q},{m},{c}]/{missing}", "bound")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_exp_claim_moved_by_one_unit_is_rejected(tmp_path_factory, tiny_cert, data):
    path = _copy(tiny_cert, tmp_path_factory.mktemp("h"))
    doc = json.loads(path.read_text())
    field = data.draw(st.sampled_from(["exp_eqke", "exp_eqkp"]))
    end = data.draw(st.sampled_from(["lo", "hi"]))
    rows = doc["claims"][field][end]
    i = data.draw(st.integers(0, len(rows) - 1))
    j = data.draw(st.integers(0, len(rows[i]) - 1))
    rows[i][j] += 1 if end == "lo" else -1
    path.write_text(json.dumps(doc))
    assert _fails(path).claim_id == f"{field}[{i},{j}]"


def _flip_weight_bit(path: Path, tensor: str, index: int, bit: int, rehash: bool) -> None:
    """Flip one bit of one float32 weight and write a consistent weights file (optionally re-pinning the
    certificate's hash to it, as an attacker who edits both would)."""
    wpath = path.parent / "weights.json"
    w = weights_io.load(wpath)
    tensors = w.to_torch()
    flat = tensors[tensor].reshape(-1).clone()
    as_int = flat.view(torch.int32)
    as_int[index] ^= 1 << bit
    tensors[tensor] = as_int.view(torch.float32).reshape(tensors[tensor].shape)
    w2 = from_torch(w.cfg, tensors, w.seed, w.provenance)
    weights_io.save(w2, wpath)
    if rehash:
        _edit(path, lambda d: d["model"].__setitem__("sha256", w2.sha256))


def test_one_weight_bit_breaks_the_hash_link(tmp_path, tiny_cert):
    path = _copy(tiny_cert, tmp_path)
    _flip_weight_bit(path, "W_U", 3, 0, rehash=False)
    assert _fails(path).claim_id == "model.sha256"


@pytest.mark.parametrize("tensor", ["W_E", "W_Q", "W_K", "W_pos"])
def test_one_weight_bit_breaks_a_claim_even_with_the_hash_repinned(tmp_path, tiny_cert, tensor):
    path = _copy(tiny_cert, tmp_path)
    _flip_weight_bit(path, tensor, 5, 3, rehash=True)
    assert _fails(path).claim_id.startswith(("exp_eqke[", "exp_eqkp["))


def test_a_corrupted_weights_file_is_malformed_input(tmp_path, tiny_cert):
    path = _copy(tiny_cert, tmp_path)
    _edit(path.parent / "weights.json", lambda d: d["tensors"]["W_E"]["mantissas"].__setitem__(0, 0))
    with pytest.raises(InputError, match="payload_sha256"):
        check(path)


MALFORMED = {
    "truncated": (lambda p: p.write_text(p.read_text()[:500]), "line"),
    "no bound": (lambda p: _edit(p, lambda d: d.pop("bound")), "bound"),
    "string int": (lambda p: _edit(p, lambda d: d["claims"]["exp_eqke"]["lo"][0].__setitem__(0, "12")), "claims.exp_eqke.lo.0.0"),
    "float int": (lambda p: _edit(p, lambda d: d["bound"].__setitem__("correct", 1.5)), "bound.correct"),
    "version": (lambda p: _edit(p, lambda d: d.__setitem__("version", 4)), "version"),
    "task-less v3": (lambda p: _edit(p, lambda d: d.__setitem__("version", 3)), "task"),
    "task in v2": (lambda p: _edit(p, lambda d: d.__setitem__("task", "maxk")), "task"),
    "format": (lambda p: _edit(p, lambda d: d.__setitem__("format", "x")), "format"),
    "strategy": (lambda p: _edit(p, lambda d: d["strategy"].__setitem__("name", "magic")), "strategy.name"),
    "rule": (lambda p: _edit(p, lambda d: d["claims"]["cases"].__setitem__("rule", "trust-me")), "claims.cases.rule"),
    "extra field": (lambda p: _edit(p, lambda d: d.__setitem__("extra", 1)), "extra"),
    "weights gone": (lambda p: (p.parent / "weights.json").unlink(), "model.weights"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_certificate_is_input_error_naming_the_field(tmp_path, tiny_cert, name):
    mutate, field = MALFORMED[name]
    path = _copy(tiny_cert, tmp_path)
    mutate(path)
    with pytest.raises(InputError) as ei:
        check(path)
    assert (ei.value.field or "").startswith(field), str(ei.value)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mechproof.cli", *args], capture_output=True, text=True)


@pytest.mark.slow
def test_cli_exit_codes(tmp_path, tiny_cert):
    good = _cli("check", str(tiny_cert))
    assert good.returncode == 0 and "OK" in good.stdout
    bad = _copy(tiny_cert, tmp_path)
    _edit(bad, TAMPERS["count +1"][0])
    proc = _cli("check", str(bad))
    assert proc.returncode == 1 and "FAIL bound" in proc.stderr
    # both compared values are printed
    doc = json.loads(bad.read_text())
    assert str(doc["bound"]["correct"]) in proc.stderr and str(doc["bound"]["correct"] - 1) in proc.stderr
    bad.write_text("{")
    proc = _cli("check", str(bad))
    assert proc.returncode == 2 and "truncated" in proc.stderr


def test_checker_uses_no_floats_or_numpy():
    """The checker's own modules and Max-of-K's checker rules may not import numpy/torch/mpmath (the parsers are
    shared by design)."""
    package = Path(__file__).resolve().parents[1] / "python" / "mechproof"
    files = [f for root in (package / "checker", package / "tasks" / "maxk" / "checker") for f in root.rglob("*.py")]
    assert any(f.name == "cubic.py" for f in files)
    for f in files:
        text = f.read_text()
        for banned in ("import numpy", "import torch", "from mpmath", "import mpmath", "float("):
            assert banned not in text, f"{f.relative_to(package)}: {banned}"


@pytest.mark.slow
def test_proof_length_does_not_depend_on_what_was_checked_before():
    """The checker reuses what it derived from the same weights (per process), and replays the operation counts of
    what it reuses: a certificate's proof length is the same checked alone or after the model's other ones."""
    from mechproof.checker.arith import clear_memo

    root = Path(__file__).resolve().parents[1] / "certificates" / "seed42"
    sub = root / "subcubic-mx-avg-exact.json"
    clear_memo()
    alone = check(sub).ops
    check(root / "cubic.json")
    after = check(sub).ops
    clear_memo()
    assert alone == after and sum(alone.values()) > 0


def test_the_memo_keeps_at_most_memo_keep_values_of_a_kind():
    """Values of one kind and model beyond MEMO_KEEP are dropped, least recently used first (they were all kept:
    memory grew with every certificate of distinct choices), and a dropped value is computed again."""
    from mechproof.checker.arith import MEMO_KEEP, clear_memo, memo

    computed: list[int] = []

    def get(i: int) -> int:
        return memo(("model", "kind", i), lambda: computed.append(i) or i)

    clear_memo()
    for i in range(3 * MEMO_KEEP):
        get(i)
    computed.clear()
    assert [get(i) for i in range(2 * MEMO_KEEP, 3 * MEMO_KEEP)] == list(range(2 * MEMO_KEEP, 3 * MEMO_KEEP))
    assert computed == []  # the most recent MEMO_KEEP are kept
    get(0)
    assert computed == [0]  # an older one was dropped
    memo(("model", "other kind"), lambda: computed.append(-1))
    get(3 * MEMO_KEEP - 1)
    assert computed == [0, -1]  # kinds are bounded separately
    clear_memo()


def test_exact_values_in_messages_never_fail_to_format():
    """Messages and audit lines show huge exact values by their size (str() of an int fails above 4300 digits)."""
    from fractions import Fraction

    from mechproof.checker.arith import dy_str
    from mechproof.tasks.maxk.checker.subcubic import frac_str

    assert "2^20000" in frac_str(Fraction(2**20000 + 1, 3)) and frac_str(Fraction(3, 7)).startswith("3/7")
    assert "2^20000" in dy_str((2**20000, 5)) and dy_str((3, -1)).startswith("3·2^-1")
