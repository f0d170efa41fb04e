"""How a Max-of-K model name becomes weights: `seed42` → models/seed42.json, trained on first use.

Names carry the configuration so that models of different Max-of-K setups cannot be mistaken for each other:
`seedN` is the default Max-of-4 configuration (k4), every other named configuration is `<config>-seedN`
(`k10v128-seed50` → models/k10v128-seed50.json). A file found under such a name must hold that configuration
and seed; a mismatch is an error rather than a silent retrain or a wrong model.

A name is a name and a path is a path (mechproof.modelstore.is_path): `seed7.json` or `models/seed7.json` is a
file, and a missing file is an error, never a reason to train.
"""

from __future__ import annotations

import re
from pathlib import Path

from ... import weights as weights_io
from ...config import ModelConfig, TrainConfig
from ...errors import InputError
from ...jsonfile import require_file
from ...modelstore import MODELS_DIR, is_path, model_name, model_path
from ...weights import ExactWeights
from .config import CONFIGS, DEFAULT_CONFIG, UnknownConfig, config_name, named_config

_TRAINABLE = re.compile(r"^(?:([A-Za-z0-9]+)-)?seed(\d+)$")


def trainable_name(seed: int, config: str = DEFAULT_CONFIG) -> str:
    """The model name for a seed and a configuration name: seed42 (k4) or k10-seed42."""
    named_config(config)  # unknown names fail here, listing the known ones
    return f"seed{seed}" if config == DEFAULT_CONFIG else f"{config}-seed{seed}"


def parse_name(ref: str, strict: bool = True) -> tuple[str, int] | None:
    """(configuration name, seed) for a trainable name (seedN, <config>-seedN, or such a .json path), else None.

    With `strict`, `<prefix>-seedN` with an unknown prefix is an InputError listing the known ones, and so is
    `k4-seedN` (its one name is `seedN`); without, such names are just names (None)."""
    m = _TRAINABLE.match(model_name(ref))
    if not m:
        return None
    config, seed = m.group(1) or DEFAULT_CONFIG, int(m.group(2))
    try:
        if m.group(1) == DEFAULT_CONFIG:
            raise UnknownConfig(f"{DEFAULT_CONFIG} models are named seed{seed}, without a prefix")
        named_config(config)
    except UnknownConfig as e:
        if not strict:
            return None
        raise InputError(None, "model name", f"{ref!r}: {e}") from None
    return config, seed


def check_name(ref: str, w: ExactWeights, path: Path, cfg: ModelConfig | None = None) -> None:
    """A file reached by a trainable name must hold that name's seed and configuration (`cfg` if given)."""
    parsed = parse_name(ref, strict=False)
    if parsed is None:
        return
    config, seed = parsed
    expected = cfg or named_config(config)
    if w.cfg != expected:
        found = config_name(w.cfg) or "an unnamed configuration"
        raise InputError(
            path,
            "config",
            f"the name {model_name(ref)!r} means configuration {config_name(expected) or expected.model_dump()}, "
            f"but the file holds {found} {w.cfg.model_dump()}; rename or delete it",
        )
    if w.seed is not None and w.seed != seed:
        raise InputError(path, "seed", f"the name {model_name(ref)!r} means seed {seed}, but the file records {w.seed}")


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
    byte-for-byte deterministic (tasks/maxk/training.py); any other device is recorded in the provenance.
    """
    import torch

    from .training import train
    from ...weights import from_torch

    cfg = cfg or ModelConfig()
    tcfg = TrainConfig(seed=seed) if tcfg is None else tcfg.model_copy(update={"seed": seed})
    res = train(cfg, tcfg, progress=progress, device=device)
    provenance = {
        "trainer": "mechproof.training",  # the label every committed weights file carries
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
    """Load a model by name or path (`is_path`). A path is only ever loaded; a name whose file is missing is
    trained first if it is `seedN` or `<config>-seedN`, with that name's configuration. Returns (weights, path,
    trained?).

    `cfg` replaces the name's configuration (for custom experiments); a file found under a trainable name must
    hold the expected configuration and seed (`check_name`). `device` and `tcfg` only matter when it trains
    (see `train_and_save`)."""
    path = model_path(ref, models_dir)
    if path.is_file():
        from .statedict import SUFFIXES

        if path.suffix in SUFFIXES:
            convert = f"mechproof import-weights {path} --out models/{path.stem}.json"
            raise InputError(path, None, f"a state dict, not a weights file; convert it first: {convert}")
        w = weights_io.load(path)
        check_name(ref, w, path, cfg)
        return w, path, False
    if is_path(ref):  # never trained: a path names a file, which is missing or a folder
        name = model_name(ref)
        if not path.exists() and parse_name(name, strict=False):
            train = f"the name {name}, without .json or a folder, trains it into {models_dir / name}.json"
            raise InputError(path, None, f"no such weights file ({train})")
        require_file(path, "weights", lambda f: f.name == "weights.json")
    parsed = parse_name(ref)
    if parsed is None:
        known = ", ".join(CONFIGS)
        msg = f"no such model file (seedN and <config>-seedN are trained on demand; configs {known})"
        if Path(ref).exists():
            msg += f"; {ref!r} is a name: for the file or folder of that name write ./{ref}"
        raise InputError(path, None, msg)
    config, seed = parsed
    w, _ = train_and_save(seed, path, cfg=cfg or named_config(config), progress=progress, device=device, tcfg=tcfg)
    return w, path, True
