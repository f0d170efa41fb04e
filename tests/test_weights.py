"""Exact weights: round trips, canonical form, determinism of bytes, and clear rejection of bad files."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mechproof import weights as weights_io
from mechproof.config import ModelConfig
from mechproof.errors import InputError
from mechproof.weights import exact_tensor, from_torch

finite_f32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@given(arrays(np.float32, st.integers(1, 40), elements=finite_f32))
def test_exact_tensor_round_trips_every_float32_bit(values):
    t = torch.from_numpy(values.copy())
    ex = exact_tensor(t)
    back = ex.to_float32()
    assert torch.equal(back.view(torch.int32), t.view(torch.int32)) or torch.equal(back, t)
    # exact rational value of each entry
    for m, x in zip(ex.mantissas, values.tolist()):
        assert m * 2.0**ex.exponent == x or (m == 0 and x == 0)
    # canonical: some mantissa is odd unless everything is zero
    if any(ex.mantissas):
        assert any(m % 2 for m in ex.mantissas)


def test_subnormals_and_extremes_survive():
    vals = torch.tensor([1e-45, -1e-45, 3.4028235e38, -3.4028235e38, 0.0, 1.0], dtype=torch.float32)
    assert torch.equal(exact_tensor(vals).to_float32(), vals)


def _cfg() -> ModelConfig:
    return ModelConfig(d_vocab=5, n_ctx=3, d_model=4, d_head=2)


def _random(cfg: ModelConfig, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return from_torch(cfg, {k: torch.randn(s, generator=g) for k, s in cfg.tensor_shapes().items()}, seed=seed)


def test_save_load_is_exact_and_canonical(tmp_path):
    w = _random(_cfg())
    p = tmp_path / "w.json"
    weights_io.save(w, p)
    w2 = weights_io.load(p)
    assert w2.tensors == w.tensors and w2.cfg == w.cfg and w2.seed == w.seed
    assert weights_io.dumps(w2) == p.read_text()  # same weights → same bytes


def test_no_decimal_floats_in_file(tmp_path):
    w = _random(_cfg())
    text = weights_io.dumps(w)
    tensors = json.loads(text)["tensors"]
    for t in tensors.values():
        assert all(isinstance(m, int) for m in t["mantissas"])
        assert isinstance(t["exponent"], int)


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mechproof.cli", *args], capture_output=True, text=True, cwd=cwd)


def _corrupt(tmp_path: Path, mutate) -> Path:  # noqa: ANN001
    w = _random(_cfg())
    doc = json.loads(weights_io.dumps(w))
    mutate(doc)
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc))
    return p


BAD = {
    "nan": (lambda d: d["tensors"]["W_E"]["mantissas"].__setitem__(3, float("nan")), "tensors.W_E.mantissas[3]"),
    "float": (lambda d: d["tensors"]["W_U"]["mantissas"].__setitem__(0, 0.5), "tensors.W_U.mantissas[0]"),
    "shape": (lambda d: d["tensors"]["W_Q"].__setitem__("shape", [1, 4, 3]), "tensors.W_Q.shape"),
    "count": (lambda d: d["tensors"]["W_K"]["mantissas"].pop(), "tensors.W_K.mantissas"),
    "version": (lambda d: d.__setitem__("version", 3), "version"),
    "task-less v2": (lambda d: d.__setitem__("version", 2), "task"),
    "task in v1": (lambda d: d.__setitem__("task", "maxk"), "'task'"),
    "format": (lambda d: d.__setitem__("format", "other"), "format"),
    "dtype": (lambda d: d["tensors"]["W_V"].__setitem__("dtype", "float16"), "tensors.W_V.dtype"),
    "not-f32": (lambda d: d["tensors"]["W_O"]["mantissas"].__setitem__(0, (1 << 30) + 1), "tensors.W_O.mantissas[0]"),
    "missing": (lambda d: d["tensors"].pop("W_pos"), "tensors.W_pos"),
    "hash": (lambda d: d["tensors"]["W_E"]["mantissas"].__setitem__(0, 0), "payload_sha256"),
    "config": (lambda d: d["config"].__setitem__("d_vocab", 1), "config"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_malformed_weights_are_rejected_with_field(tmp_path, kind):
    mutate, field = BAD[kind]
    p = _corrupt(tmp_path, mutate)
    with pytest.raises(InputError) as ei:
        weights_io.load(p)
    assert ei.value.field is not None and ei.value.field.startswith(field), str(ei.value)
    assert str(p) in str(ei.value)


def test_truncated_file_names_line(tmp_path):
    w = _random(_cfg())
    p = tmp_path / "t.json"
    text = weights_io.dumps(w)
    p.write_text(text[: len(text) // 2])
    with pytest.raises(InputError) as ei:
        weights_io.load(p)
    assert "line" in (ei.value.field or "") and "truncated" in ei.value.message


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["nan", "shape", "version"])
def test_cli_exits_2_on_malformed_weights(tmp_path, kind):
    p = _corrupt(tmp_path, BAD[kind][0])
    proc = _cli("accuracy", str(p), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert BAD[kind][1] in proc.stderr and str(p) in proc.stderr


@pytest.mark.slow
def test_cli_exits_2_on_truncated_weights(tmp_path):
    p = tmp_path / "t.json"
    text = weights_io.dumps(_random(_cfg()))
    p.write_text(text[:100])
    proc = _cli("accuracy", str(p), "--quiet")
    assert proc.returncode == 2 and "truncated" in proc.stderr


def test_from_torch_rejects_nan_and_shape():
    cfg = _cfg()
    tensors = {k: torch.zeros(s) for k, s in cfg.tensor_shapes().items()}
    tensors["W_U"][0, 0] = math.inf
    with pytest.raises(InputError, match="W_U"):
        from_torch(cfg, tensors)
    tensors["W_U"] = torch.zeros(3, 3)
    with pytest.raises(InputError, match="shape"):
        from_torch(cfg, tensors)


def test_payload_hash_ignores_provenance_but_not_values():
    w = _random(_cfg())
    w2 = weights_io.ExactWeights(w.cfg, w.tensors, seed=99, provenance={"x": 1})
    assert w.sha256 == w2.sha256
    assert _random(_cfg(), seed=1).sha256 != w.sha256


@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1))
def test_payload_hash_detects_any_single_mantissa_change(seed):
    w = _random(_cfg())
    t = w.tensors["W_E"]
    i = seed % len(t.mantissas)
    mant = list(t.mantissas)
    mant[i] += 1
    tensors = dict(w.tensors)
    tensors["W_E"] = weights_io.ExactTensor(t.shape, t.exponent, tuple(mant))
    assert weights_io.payload_sha256(tensors) != w.sha256
