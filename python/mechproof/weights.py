"""Exact weights: the one canonical file per model that every certificate refers to and both checkers read.

Every float32 weight is a dyadic rational. A tensor is stored as integer mantissas m_i with one power-of-two
exponent e, value m_i · 2^e, chosen so that at least one mantissa is odd (canonical). No decimal floats are ever
written. The file also records the config, the seed and a SHA-256 of the tensor payload (`payload_sha256`), which
certificates cite. The format is specified in docs/certificate.md §1.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .config import ModelConfig, config_from_file
from .errors import InputError
from .files import atomic_write
from .jsonfile import MAX_DEPTH, depth, read_json, short
from .tasks import MAXK, TASKS, config_class

FORMAT = "mechproof-weights"
VERSION = 1
"""The version written for Max-of-K (unchanged bytes); other tasks are written as VERSION_TASK."""
VERSION_TASK = 2
VERSIONS = (1, 2)
TENSOR_ORDER = ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U")
"""Max-of-K's tensors in payload order; a task's order is that of its config's `tensor_shapes()`."""


@dataclass(frozen=True)
class ExactTensor:
    """value[i] = mantissas[i] * 2**exponent, row-major over `shape`."""

    shape: tuple[int, ...]
    exponent: int
    mantissas: tuple[int, ...]

    def as_object_array(self) -> np.ndarray:
        """Mantissas as a numpy array of Python ints (exact under matmul), in `shape`."""
        arr = np.empty(len(self.mantissas), dtype=object)
        arr[:] = list(self.mantissas)
        return arr.reshape(self.shape)

    def to_float32(self) -> torch.Tensor:
        values = [float(m) * 2.0**self.exponent for m in self.mantissas]  # exact: checked float32-representable
        return torch.tensor(values, dtype=torch.float32).reshape(self.shape)


@dataclass(frozen=True)
class ExactWeights:
    cfg: ModelConfig
    tensors: dict[str, ExactTensor]
    seed: int | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def sha256(self) -> str:
        """payload_sha256 of the tensors (computed once: checkers key their caches by it)."""
        return payload_sha256(self.tensors, tuple(self.cfg.tensor_shapes()))

    @property
    def task(self) -> str:
        return self.cfg.task

    def to_torch(self) -> dict[str, torch.Tensor]:
        return {name: t.to_float32() for name, t in self.tensors.items()}


def payload_sha256(tensors: dict[str, ExactTensor], order: tuple[str, ...] = TENSOR_ORDER) -> str:
    """SHA-256 of `name:shape:exponent:mantissas;` for each tensor in payload order (docs §1)."""
    h = hashlib.sha256()
    for name in order:
        t = tensors[name]
        shape = ",".join(str(s) for s in t.shape)
        mant = ",".join(str(m) for m in t.mantissas)
        h.update(f"{name}:{shape}:{t.exponent}:{mant};".encode())
    return h.hexdigest()


def exact_tensor(values: torch.Tensor) -> ExactTensor:
    """A float32 tensor as canonical integer mantissas with one shared power-of-two exponent."""
    flat = values.detach().to(torch.float32).reshape(-1).tolist()
    ratios = [float(x).as_integer_ratio() for x in flat]  # (n, 2^a): exact for any finite float
    nonzero = [(n, d) for n, d in ratios if n != 0]
    if not nonzero:
        return ExactTensor(tuple(values.shape), 0, tuple(0 for _ in flat))
    # value = n / d = n * 2^(-log2 d); the common exponent is the smallest 2-adic valuation.
    exponent = min(_valuation(n) - (d.bit_length() - 1) for n, d in nonzero)
    mantissas = tuple(_scale(n, d, exponent) for n, d in ratios)
    return ExactTensor(tuple(values.shape), exponent, mantissas)


def _valuation(n: int) -> int:
    return (n & -n).bit_length() - 1


def _scale(n: int, d: int, exponent: int) -> int:
    """n / d / 2^exponent, which is an integer by the choice of exponent."""
    shift = -exponent - (d.bit_length() - 1)
    return n << shift if shift >= 0 else n >> -shift


def from_torch(
    cfg: ModelConfig, tensors: dict[str, torch.Tensor], seed: int | None = None, provenance: dict[str, Any] | None = None
) -> ExactWeights:
    for name, shape in cfg.tensor_shapes().items():
        if name not in tensors:
            raise InputError(None, name, "tensor missing")
        if tuple(tensors[name].shape) != shape:
            raise InputError(None, name, f"expected shape {list(shape)}, got {list(tensors[name].shape)}")
        if not torch.isfinite(tensors[name]).all():
            raise InputError(None, name, "contains NaN or Inf")
    exact = {name: exact_tensor(tensors[name]) for name in cfg.tensor_shapes()}
    return ExactWeights(cfg, exact, seed, dict(provenance or {}))


# ---------------------------------------------------------------------------------------------------- file I/O


def dumps(w: ExactWeights) -> str:
    """Canonical text: fixed key order, one line per tensor, so the same weights give the same bytes."""
    head: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if w.task != MAXK:
        head.update(version=VERSION_TASK, task=w.task)
    head.update({
        "config": w.cfg.model_dump(),
        "seed": w.seed,
        "provenance": w.provenance,
        "payload_sha256": w.sha256,
    })  # fmt: skip
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)},")
    lines.append('  "tensors": {')
    order = tuple(w.cfg.tensor_shapes())
    for i, name in enumerate(order):
        t = w.tensors[name]
        body = {"shape": list(t.shape), "dtype": "float32", "exponent": t.exponent, "mantissas": list(t.mantissas)}
        comma = "," if i + 1 < len(order) else ""
        lines.append(f"    {json.dumps(name)}: {json.dumps(body, separators=(',', ':'))}{comma}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def save(w: ExactWeights, path: str | Path) -> None:
    atomic_write(path, dumps(w))


def load(path: str | Path) -> ExactWeights:
    """Read and validate a weights file; every problem is an InputError naming the file and the field."""
    return parse(read_json(path, "weights"), path)


TOP_KEYS = ("format", "version", "config", "seed", "provenance", "payload_sha256", "tensors")
TOP_KEYS_TASK = ("format", "version", "task", "config", "seed", "provenance", "payload_sha256", "tensors")
"""Version 1 (Max-of-K) has no `task`; version 2 requires it."""
TENSOR_KEYS = ("shape", "dtype", "exponent", "mantissas")
EXPONENT_RANGE = (-149, 127)
"""docs §10: a tensor's exponent (canonical: the smallest 2-adic valuation of its values) lies in this range."""


def parse(doc: Any, path: str | Path | None = None) -> ExactWeights:
    """Validate a parsed weights document strictly (docs/certificate.md §1, §10)."""

    def fail(fld: str, msg: str) -> InputError:
        return InputError(path, fld, msg)

    if not isinstance(doc, dict):
        raise fail("(top level)", "expected a JSON object")
    version = doc.get("version")
    _exact_keys(doc, TOP_KEYS_TASK if version == VERSION_TASK and type(version) is int else TOP_KEYS, "(top level)", fail)
    if doc["format"] != FORMAT:
        raise fail("format", f"expected {FORMAT!r}, got {short(doc['format'])}")
    if not (type(version) is int and version in VERSIONS):
        raise fail("version", f"expected the integer 1 or 2 (this mechproof reads versions {list(VERSIONS)}), got {short(version)}")
    task = doc.get("task", MAXK)
    if not (isinstance(task, str) and task in TASKS):
        raise fail("task", f"expected one of {list(TASKS)}, got {short(task)}")
    cfg = config_from_file(doc["config"], path, cls=config_class(task))
    seed = doc["seed"]
    if seed is not None and not _is_int(seed):
        raise fail("seed", f"expected an integer or null, got {short(seed)}")
    if not isinstance(doc["provenance"], dict):
        raise fail("provenance", f"expected a JSON object, got {type(doc['provenance']).__name__}")
    if depth(doc["provenance"]) > MAX_DEPTH - 1:  # the only free-form JSON of either format (docs §10)
        raise fail("provenance", f"JSON nested deeper than {MAX_DEPTH} levels")
    tensors_doc = doc["tensors"]
    if not isinstance(tensors_doc, dict):
        raise fail("tensors", "expected an object of tensors")
    _exact_keys(tensors_doc, tuple(cfg.tensor_shapes()), "tensors", fail)
    tensors = {}
    for name, shape in cfg.tensor_shapes().items():
        tensors[name] = _parse_tensor(tensors_doc[name], shape, f"tensors.{name}", fail)
    w = ExactWeights(cfg, tensors, seed, dict(doc["provenance"]))
    claimed = doc["payload_sha256"]
    if claimed != w.sha256:
        raise fail("payload_sha256", f"tensor payload hashes to {w.sha256}, file says {short(claimed)} (corrupted?)")
    return w


def _exact_keys(doc: dict, keys: tuple[str, ...], where: str, fail: Any) -> None:
    """Exactly `keys`; the error names the first missing or unknown key as the field."""
    prefix = "" if where == "(top level)" else f"{where}."
    for k in keys:
        if k not in doc:
            raise fail(f"{prefix}{k}", f"missing (expected exactly the keys {list(keys)})")
    for k in doc:
        if k not in keys:
            raise fail(f"{prefix}{short(k)}", f"unknown key (expected exactly the keys {list(keys)})")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _parse_tensor(doc: Any, shape: tuple[int, ...], where: str, fail: Any) -> ExactTensor:
    if not isinstance(doc, dict):
        raise fail(where, "tensor missing or not an object")
    _exact_keys(doc, TENSOR_KEYS, where, fail)
    if doc["dtype"] != "float32":
        raise fail(f"{where}.dtype", f"expected 'float32', got {short(doc['dtype'])}")
    got_shape = doc["shape"]
    if not (isinstance(got_shape, list) and all(_is_int(x) for x in got_shape) and tuple(got_shape) == shape):
        raise fail(f"{where}.shape", f"expected {list(shape)} for this config, got {short(got_shape)}")
    exponent = doc["exponent"]
    if not _is_int(exponent):
        raise fail(f"{where}.exponent", f"expected an integer, got {short(exponent)}")
    if not EXPONENT_RANGE[0] <= exponent <= EXPONENT_RANGE[1]:
        raise fail(f"{where}.exponent", f"{short(exponent)} out of range (limit: {EXPONENT_RANGE[0]} ≤ exponent ≤ {EXPONENT_RANGE[1]})")
    mant = doc["mantissas"]
    size = int(np.prod(shape))
    if not isinstance(mant, list) or len(mant) != size:
        n = len(mant) if isinstance(mant, list) else type(mant).__name__
        raise fail(f"{where}.mantissas", f"expected a list of {size} integers, got {n}")
    for i, m in enumerate(mant):
        if not _is_int(m):
            raise fail(f"{where}.mantissas[{i}]", f"expected an integer mantissa, got {short(m)}")
        if not _fits_float32(m, exponent):
            raise fail(f"{where}.mantissas[{i}]", f"{short(m)}·2^{exponent} is not a finite float32 value")
    return ExactTensor(shape, exponent, tuple(mant))


def _fits_float32(m: int, e: int) -> bool:
    """Is m·2^e exactly a finite float32? (24-bit significand, exponents down to the subnormal 2^-149.)"""
    if m == 0:
        return True
    v = _valuation(m)
    odd, e = abs(m) >> v, e + v
    return odd.bit_length() <= 24 and e >= -149 and e + odd.bit_length() <= 128
