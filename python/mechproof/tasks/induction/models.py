"""Where the induction models live: `ind6-seed0` → models/ind6-seed0.json, trained on first use.

A name is `<config>-seed<N>` with a configuration of config.CONFIGS (ind6, ind8, ind10). A file found under such a
name must hold that configuration and seed, else it is an error rather than a silent retrain.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from ... import weights as weights_io
from ...errors import InputError
from ...weights import ExactWeights, from_torch
from .config import CONFIGS, TASK, InductionConfig, induction_train_config
from .training import train

MODELS_DIR = Path("models")
_NAME = re.compile(r"^(ind\d+)-seed(\d+)$")


def model_name(config: str, seed: int) -> str:
    if config not in CONFIGS:
        raise InputError(None, "config", f"unknown induction configuration {config!r}; known: {', '.join(CONFIGS)}")
    return f"{config}-seed{seed}"


def parse_name(name: str) -> tuple[str, int]:
    m = _NAME.match(name)
    if not m or m.group(1) not in CONFIGS:
        raise InputError(None, "model name", f"{name!r} is not <config>-seed<N> with a config of {', '.join(CONFIGS)}")
    return m.group(1), int(m.group(2))


def train_and_save(config: str, seed: int, out: Path, progress: bool = False) -> tuple[ExactWeights, float]:
    """Train with the recipe (config.induction_train_config) and write the exact weights atomically."""
    cfg: InductionConfig = CONFIGS[config]
    tcfg = induction_train_config(seed)
    res = train(cfg, tcfg, progress)
    provenance = {
        "trainer": "mechproof.tasks.induction.training",
        "torch": torch.__version__.split("+")[0],
        "train_config": tcfg.model_dump(),
        "final_batch_loss": f"{res.final_loss:.6g}",
    }
    w = from_torch(cfg, res.model.named_tensors(), seed=seed, provenance=provenance)
    weights_io.save(w, out)
    return w, res.seconds


def load_or_train(name: str, models_dir: Path = MODELS_DIR, progress: bool = False) -> tuple[ExactWeights, Path, bool]:
    """(weights, path, trained?) for a model name; a missing file is trained first."""
    config, seed = parse_name(name)
    path = models_dir / f"{name}.json"
    if path.is_file():
        w = weights_io.load(path)
        if w.cfg != CONFIGS[config] or w.seed != seed:
            raise InputError(path, "config", f"the name {name!r} means {config} seed {seed}, but the file holds another model")
        return w, path, False
    w, _ = train_and_save(config, seed, path, progress)
    return w, path, True


def load_ref(ref: str, models_dir: Path = MODELS_DIR, progress: bool = False) -> tuple[ExactWeights, Path, str, bool]:
    """(weights, path, name, trained?) for a model name (load_or_train) or a weights file of the task (its name is
    the file's stem; a missing file is an error, never a reason to train)."""
    from ...modelstore import is_path

    if not is_path(ref):
        w, path, trained = load_or_train(ref, models_dir, progress)
        return w, path, ref, trained
    path = Path(ref)
    w = weights_io.load(path)
    if w.task != TASK:
        raise InputError(path, "task", f"expected an induction weights file, got the {w.task} task's")
    return w, path, path.stem, False
