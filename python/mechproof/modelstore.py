"""Where models live and how a name becomes weights: `seed42` → models/seed42.json, trained on first use."""

from __future__ import annotations

import re
from pathlib import Path

from . import weights as weights_io
from .config import ModelConfig, TrainConfig
from .errors import InputError
from .weights import ExactWeights

MODELS_DIR = Path("models")
_SEED_NAME = re.compile(r"^seed(\d+)$")


def model_name(ref: str) -> str:
    """A short name for a model reference: 'seed42' for 'seed42' or 'models/seed42.json'."""
    p = Path(ref)
    return p.stem if p.suffix == ".json" else ref


def model_path(ref: str, models_dir: Path = MODELS_DIR) -> Path:
    """A path as given if it names a file (or ends in .json); otherwise models/<ref>.json."""
    p = Path(ref)
    if p.suffix == ".json" or p.exists():
        return p
    return models_dir / f"{ref}.json"


def seed_of(ref: str) -> int | None:
    m = _SEED_NAME.match(model_name(ref))
    return int(m.group(1)) if m else None


def train_and_save(
    seed: int,
    out: Path,
    cfg: ModelConfig | None = None,
    progress: bool = True,
    device: str = "cpu",
    tcfg: TrainConfig | None = None,
) -> tuple[ExactWeights, float]:
    """Train with the paper's recipe and write the exact weights file atomically; returns (weights, seconds).

    `tcfg` overrides the recipe (its seed is replaced by `seed`). `device` is where training runs: only "cpu" is
    byte-for-byte deterministic (mechproof.training); any other device is recorded in the provenance.
    """
    import torch

    from .training import train
    from .weights import from_torch

    cfg = cfg or ModelConfig()
    tcfg = TrainConfig(seed=seed) if tcfg is None else tcfg.model_copy(update={"seed": seed})
    res = train(cfg, tcfg, progress=progress, device=device)
    provenance = {
        "trainer": "mechproof.training",
        "torch": torch.__version__.split("+")[0],
        "train_config": tcfg.model_dump(),
        "final_batch_loss": f"{res.final_loss:.6g}",
    }
    if torch.device(device).type != "cpu":
        provenance["device"] = str(device)  # absent for CPU training, so CPU files are unchanged
    w = from_torch(cfg, res.model.named_tensors(), seed=seed, provenance=provenance)
    weights_io.save(w, out)
    return w, res.seconds


def load_or_train(
    ref: str,
    progress: bool = True,
    models_dir: Path = MODELS_DIR,
    device: str = "cpu",
    cfg: ModelConfig | None = None,
    tcfg: TrainConfig | None = None,
) -> tuple[ExactWeights, Path, bool]:
    """Load a model by name or path; a missing `seedN` is trained first. Returns (weights, path, trained?).

    `device`, `cfg` and `tcfg` only matter when it trains (see `train_and_save`)."""
    path = model_path(ref, models_dir)
    if path.is_file():
        return weights_io.load(path), path, False
    seed = seed_of(ref)
    if seed is None:
        raise InputError(path, None, "no such model file (names of the form seedN are trained on demand)")
    w, _ = train_and_save(seed, path, cfg=cfg, progress=progress, device=device, tcfg=tcfg)
    return w, path, True
