"""Import and export TransformerLens-style state dicts (`.pt`/`.pth` or `.safetensors`).

So that users can certify models trained elsewhere: a `HookedTransformer` with one layer, one head, no MLP, no
LayerNorm. The proofs assume every bias is zero, so a nonzero bias is refused rather than silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .config import ModelConfig
from .errors import InputError
from .weights import ExactWeights, from_torch

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


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            sd: Any = load_file(str(path))
        else:
            sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise InputError(path, None, f"cannot read state dict ({type(e).__name__}: {e})") from None
    if isinstance(sd, dict) and isinstance(sd.get("model"), dict):  # the paper's checkpoint wrapper
        sd = sd["model"]
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise InputError(path, None, "expected a dict of tensors (a state_dict)")
    return sd


def import_state_dict(path: str | Path, seed: int | None = None) -> ExactWeights:
    """TransformerLens (or bare `W_E`…) names → exact weights; the config is read off the shapes."""
    sd = read_state_dict(path)
    tensors: dict[str, torch.Tensor] = {}
    for short, long in TL_NAMES.items():
        t = sd.get(long, sd.get(short))
        if t is None:
            raise InputError(path, long, "tensor missing")
        tensors[short] = t.to(torch.float32) if t.dtype != torch.float32 else t
    for name in ZERO_BIASES:
        b = sd.get(name)
        if b is not None and bool((b != 0).any()):
            raise InputError(path, name, "nonzero bias: mechproof's proofs assume a bias-free model")
    known = set(TL_NAMES.values()) | set(TL_NAMES) | set(ZERO_BIASES) | set(IGNORED)
    unknown = sorted(set(sd) - known)
    if unknown:
        raise InputError(path, unknown[0], "unexpected parameter: only 1-layer, 1-head, attention-only models")
    for name in ("W_Q", "W_K", "W_V", "W_O"):
        if tensors[name].ndim != 3 or tensors[name].shape[0] != 1:
            raise InputError(path, TL_NAMES[name], f"expected shape [1, ...] (one head), got {list(tensors[name].shape)}")
    if tensors["W_E"].ndim != 2 or tensors["W_pos"].ndim != 2:
        raise InputError(path, TL_NAMES["W_E"], "expected 2-d W_E and W_pos")
    v, d = tensors["W_E"].shape
    cfg = ModelConfig(d_vocab=v, n_ctx=tensors["W_pos"].shape[0], d_model=d, d_head=tensors["W_Q"].shape[2])
    try:
        return from_torch(cfg, tensors, seed=seed, provenance={"imported_from": Path(path).name})
    except InputError as e:
        raise InputError(path, e.field, e.message) from None


def export_state_dict(w: ExactWeights, path: str | Path) -> None:
    """Write TransformerLens names (zero biases included) as `.safetensors` or a torch `.pt` file."""
    from .files import atomic_write

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
