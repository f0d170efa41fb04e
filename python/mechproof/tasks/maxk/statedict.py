"""Import and export TransformerLens-style state dicts (`.pt`/`.pth` or `.safetensors`).

So that users can certify models trained elsewhere: a `HookedTransformer` with one layer, one head, no MLP, no
LayerNorm. The proofs assume every bias is zero, so a nonzero bias is refused rather than silently dropped.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import ValidationError

from ...config import ModelConfig
from ...errors import InputError
from ...jsonfile import require_file
from ...weights import ExactWeights, from_torch

TL_NAMES = {
    "W_E": "embed.W_E",
    "W_pos": "pos_embed.W_pos",
    "W_Q": "blocks.0.attn.W_Q",
    "W_K": "blocks.0.attn.W_K",
    "W_V": "blocks.0.attn.W_V",
    "W_O": "blocks.0.attn.W_O",
    "W_U": "unembed.W_U",
}
ZERO_BIASES = ("blocks.0.attn.b_Q", "blocks.0.attn.b_K", "blocks.0.attn.b_V", "blocks.0.attn.b_O", "unembed.b_U")
IGNORED = ("blocks.0.attn.mask", "blocks.0.attn.IGNORE")


SUFFIXES = (".pt", ".pth", ".safetensors")
"""The state dict files mechproof reads and writes: torch.save's format (.pt, .pth) or safetensors."""

_ZIP, _PICKLE = b"PK\x03\x04", b"\x80"  # how torch.save's files begin: its zip archive, or a legacy pickle
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # terminal colour codes, which torch puts into some messages


def _first_sentence(text: str, limit: int = 160) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    first = re.split(r"(?<=\.)\s", line, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _unreadable(path: Path, head: bytes, e: Exception) -> InputError:
    """Why a state dict file could not be read, in one line (the library's message runs over several, with
    colour codes and advice about trusting the file)."""
    text = _ANSI.sub("", str(e))
    why = _first_sentence(text) or type(e).__name__
    if path.suffix == ".safetensors":
        return InputError(path, None, f"not a safetensors file ({why})")
    if not (head.startswith(_ZIP) or head.startswith(_PICKLE)):
        return InputError(path, None, "not a torch.save file (expected the zip archive or pickle that torch.save writes)")
    refused = re.search(r"WeightsUnpickler error: *(.*)", text)
    if refused:  # weights_only=True: torch builds nothing but tensors and plain containers
        why = _first_sentence(refused.group(1))
        return InputError(path, None, f"holds objects other than tensors, which mechproof does not load ({why})")
    return InputError(path, None, f"a damaged torch.save file ({why})")


def require_state_dict_name(path: str | Path, field: str | None = None) -> None:
    """A state dict's file name must say its format: any other suffix is refused rather than, say, a torch file
    written under `.npz`."""
    suffix = Path(path).suffix
    if suffix not in SUFFIXES:
        found = f"the suffix {suffix!r} names no state dict format" if suffix else "no suffix names its format"
        raise InputError(path, field, f"{found}; expected one of {', '.join(SUFFIXES)}")


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    path = Path(path)
    require_file(path, "state dict", lambda f: f.suffix in SUFFIXES)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as e:
        raise InputError(path, None, f"unreadable ({e.strerror})") from None
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            sd: Any = load_file(str(path))
        else:
            with warnings.catch_warnings():  # a damaged pickle can make torch warn (on stderr) before it fails
                warnings.simplefilter("ignore")
                sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise _unreadable(path, head, e) from None
    if isinstance(sd, dict) and isinstance(sd.get("model"), dict):  # the paper's checkpoint wrapper
        sd = sd["model"]
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise InputError(path, None, "expected a dict of tensors (a state_dict)")
    return sd


def import_state_dict(path: str | Path, seed: int | None = None, round_to_float32: bool = False) -> ExactWeights:
    """TransformerLens (or bare `W_E`…) names → exact weights; the config is read off the shapes."""
    return import_with_conversions(path, seed, round_to_float32)[0]


def import_with_conversions(
    path: str | Path, seed: int | None = None, round_to_float32: bool = False
) -> tuple[ExactWeights, list[Conversion]]:
    """Like `import_state_dict`, also returning how each non-float32 tensor was converted.

    A value that is not exactly a float32 would silently change the model that gets certified, so it is refused
    unless `round_to_float32`; then the rounding is recorded in the weights' provenance.
    """
    sd = read_state_dict(path)
    tensors: dict[str, torch.Tensor] = {}
    for short, long in TL_NAMES.items():
        t = sd.get(long, sd.get(short))
        if t is None:
            raise InputError(path, long, "tensor missing")
        tensors[short] = t
    for name in ZERO_BIASES:
        b = sd.get(name)
        if b is not None and bool((b != 0).any()):
            raise InputError(path, name, "nonzero bias: mechproof's proofs assume a bias-free model")
    known = set(TL_NAMES.values()) | set(TL_NAMES) | set(ZERO_BIASES) | set(IGNORED)
    unknown = sorted(set(sd) - known)
    if unknown:
        raise InputError(path, unknown[0], "unexpected parameter: only 1-layer, 1-head, attention-only models")
    cfg = _infer_config(path, tensors)
    conversions = []
    for short in TL_NAMES:
        tensors[short], conv = _to_float32(path, TL_NAMES[short], tensors[short], round_to_float32)
        if conv is not None:
            conversions.append(conv)
    provenance: dict[str, Any] = {"imported_from": Path(path).name}
    rounded = {c.name: c.describe() for c in conversions if c.rounded}
    if rounded:
        provenance["rounded_to_float32"] = rounded
    try:
        return from_torch(cfg, tensors, seed=seed, provenance=provenance), conversions
    except InputError as e:
        raise InputError(path, e.field, e.message) from None


def _axis_names() -> dict[str, tuple[str, ...]]:
    """The config field behind each axis of each tensor ("heads" for the single head), read off
    ModelConfig.tensor_shapes (the one source of the layout) by giving every field a distinct size."""
    probe = {"d_vocab": 11, "n_ctx": 3, "d_model": 5, "d_head": 7}
    by_size = {size: dim for dim, size in probe.items()} | {1: "heads"}
    return {name: tuple(by_size[s] for s in shape) for name, shape in ModelConfig(**probe).tensor_shapes().items()}


def _infer_config(path: str | Path, tensors: dict[str, torch.Tensor]) -> ModelConfig:
    """The config on which most tensors agree, so that a shape error names the tensor that disagrees (W_Q, not
    the W_K that happens to be compared against it) with its expected and actual shapes."""
    axes = _axis_names()
    for short, dims in axes.items():
        shape = list(tensors[short].shape)
        if len(shape) != len(dims) or any(n != 1 for n, d in zip(shape, dims) if d == "heads"):
            expected = ", ".join("1" if d == "heads" else d for d in dims)
            heads = " (one head)" if "heads" in dims else ""
            raise InputError(path, TL_NAMES[short], f"expected shape [{expected}]{heads}, got {shape}")
    votes: dict[str, Counter[int]] = {}
    for short, dims in axes.items():
        for n, dim in zip(tensors[short].shape, dims):
            votes.setdefault(dim, Counter())[n] += 1
    sizes: dict[str, int] = {}
    for dim, counts in votes.items():
        (size, n), *others = counts.most_common()
        if others and others[0][1] == n:  # as many tensors say one size as another: no way to tell which is wrong
            holders = [s for s, dims in axes.items() if dim in dims]
            said = "; ".join(f"{TL_NAMES[s]} has shape {list(tensors[s].shape)}" for s in holders)
            raise InputError(path, "/".join(TL_NAMES[s] for s in holders), f"tensors disagree on {dim}: {said}")
        sizes[dim] = size
    for short, dims in axes.items():
        shape = list(tensors[short].shape)
        expected = [sizes[d] for d in dims]
        if shape != expected:
            why = ", ".join(f"{d} is {sizes[d]}" for n, d in zip(shape, dims) if n != sizes[d])
            raise InputError(
                path, TL_NAMES[short], f"expected shape {expected}, got {shape} (in the other tensors {why})"
            )
    try:
        return ModelConfig(**{d: n for d, n in sizes.items() if d != "heads"})
    except ValidationError as e:
        first = e.errors()[0]
        dim = str(first["loc"][0])
        short = next(s for s, dims in axes.items() if dim in dims)
        shape = list(tensors[short].shape)
        raise InputError(path, TL_NAMES[short], f"shape {shape} gives {dim} = {sizes[dim]}: {first['msg']}") from None


@dataclass(frozen=True)
class Conversion:
    """How one tensor became float32: from which dtype, how many values changed, and the largest change."""

    name: str
    dtype: str
    size: int
    rounded: int
    max_error: float  # exact (Sterbenz: a float and its float32 rounding are within a factor of 2)
    where: tuple[int, ...]

    def describe(self) -> str:
        if not self.rounded:
            return f"{self.dtype} → float32 exactly"
        return (
            f"{self.rounded} of {self.size} {self.dtype} values rounded to float32, "
            f"largest error {self.max_error:.3g} at {list(self.where)}"
        )


def _to_float32(
    path: str | Path, name: str, t: torch.Tensor, round_ok: bool
) -> tuple[torch.Tensor, Conversion | None]:
    """`t` as float32, refusing NaN/Inf, values beyond float32's range, and (unless `round_ok`) any value that
    float32 cannot hold exactly; None for a tensor that already was float32."""
    t = t.detach()
    if t.dtype.is_complex or t.dtype == torch.bool or t.is_quantized:
        expected = "real numbers (float32, or a dtype that converts exactly)"
        raise InputError(path, name, f"expected {expected}, got {t.dtype}")
    x = t.to(torch.float64)  # exact for every floating dtype; errors below are exact for integers too
    bad = (~torch.isfinite(x)).nonzero()
    if len(bad):
        raise InputError(path, name, f"contains NaN or Inf (first at {bad[0].tolist()})")
    if t.dtype == torch.float32:
        return t, None
    y = x.to(torch.float32)
    huge = (~torch.isfinite(y)).nonzero()
    if len(huge):
        i = tuple(huge[0].tolist())
        raise InputError(path, name, f"value {t[i].item()!r} at {list(i)} is beyond the float32 range")
    if t.dtype.is_floating_point:
        errors = (x - y.to(torch.float64)).abs().reshape(-1).tolist()
    else:  # in Python integers: float64 itself rounds int64 values beyond 2^53
        errors = [abs(a - int(b)) for a, b in zip(t.reshape(-1).tolist(), y.reshape(-1).tolist())]
    flat = max(range(len(errors)), key=errors.__getitem__)  # not empty: _infer_config admits no zero size
    where = tuple(int(i) for i in np.unravel_index(flat, tuple(t.shape)))
    dtype = str(t.dtype).removeprefix("torch.")
    conv = Conversion(name, dtype, len(errors), sum(e != 0 for e in errors), float(errors[flat]), where)
    if conv.rounded and not round_ok:
        raise InputError(
            path,
            name,
            f"{conv.rounded} of {conv.size} {conv.dtype} values are not float32 values (largest rounding error "
            f"{conv.max_error:.3g} at {list(where)}: {t[where].item()!r} → {y[where].item()!r}); pass "
            "--round-to-float32 to round them, which changes the model that gets certified",
        )
    return y, conv


def export_state_dict(w: ExactWeights, path: str | Path) -> None:
    """Write TransformerLens names (zero biases included) as `.safetensors`, or torch.save's `.pt`/`.pth`."""
    from ...files import atomic_write

    require_state_dict_name(path)
    tensors = w.to_torch()
    sd = {TL_NAMES[k]: v.contiguous() for k, v in tensors.items()}
    h, d, v = w.cfg.d_head, w.cfg.d_model, w.cfg.d_vocab
    sd.update(
        {
            "blocks.0.attn.b_Q": torch.zeros(1, h),
            "blocks.0.attn.b_K": torch.zeros(1, h),
            "blocks.0.attn.b_V": torch.zeros(1, h),
            "blocks.0.attn.b_O": torch.zeros(d),
            "unembed.b_U": torch.zeros(v),
        }
    )
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import save

        atomic_write(path, save(sd))
    else:
        import io

        buf = io.BytesIO()
        torch.save(sd, buf)
        atomic_write(path, buf.getvalue())
