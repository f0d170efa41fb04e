"""Where models live, for every task: a model reference is a name (models/<name>.json) or a path.

A name is a name and a path is a path (`is_path`): `seed7.json` or `models/seed7.json` is a file, and a missing
file is an error, never a reason to train. What a name means (its configuration and seed, and how it is trained)
is the task's (tasks/maxk/models.py, tasks/induction/models.py).
"""

from __future__ import annotations

import os
from pathlib import Path

MODELS_DIR = Path("models")


def model_name(ref: str) -> str:
    """A short name for a model reference: 'seed42' for 'seed42', 'models/seed42.json' or '/abs/seed42' (a path's
    file name without its suffix, so that <root>/<name>/ stays below <root>)."""
    return Path(ref).stem if is_path(ref) else ref


def is_path(ref: str) -> bool:
    """Whether a model reference is a path: it has a folder part or a suffix (models/seed42.json, seed42.json,
    ./m, .). Anything else is a name (seed42, k10-seed50, mine), looked up as models/<name>.json."""
    return "/" in ref or os.sep in ref or Path(ref).suffix != "" or ref in ("", ".", "..")


def model_path(ref: str, models_dir: Path = MODELS_DIR) -> Path:
    """A path as given; a name's file models/<name>.json."""
    return Path(ref) if is_path(ref) else models_dir / f"{ref}.json"
