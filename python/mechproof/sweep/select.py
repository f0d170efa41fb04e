"""What a sweep runs: the seeds, the strategies and the torch device, parsed from the command line's words."""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Mapping

from ..errors import InputError, did_you_mean
from ..tasks.maxk.config import PAPER_SEEDS
from .rows import BRUTE


def parse_seeds(spec: str) -> list[int]:
    """`paper` (the paper's 151 seeds), `N..M` (inclusive), `N,M,...`, or a comma-separated mix of these.

    Order is kept and repeats are dropped."""
    seeds: list[int] = []
    parts = [p.strip() for p in spec.split(",")]
    if not spec.strip() or any(not p for p in parts):
        raise InputError(None, "--seeds", f"expected paper, N..M or N,M,...; got {spec!r}")
    for part in parts:
        if part == "paper":
            seeds.extend(PAPER_SEEDS)
        elif ".." in part:
            lo, _, hi = part.partition("..")
            if not (lo.strip().isdigit() and hi.strip().isdigit()):
                raise InputError(None, "--seeds", f"a range is N..M with non-negative integers; got {part!r}")
            a, b = int(lo), int(hi)
            if a > b:
                raise InputError(None, "--seeds", f"empty range {part!r} (N..M needs N ≤ M)")
            seeds.extend(range(a, b + 1))
        elif part.isdigit():
            seeds.append(int(part))
        else:
            raise InputError(None, "--seeds", f"expected paper, N..M or a non-negative integer; got {part!r}")
    return list(dict.fromkeys(seeds))


def select_strategies(spec: str, registry: Mapping[str, Any] | None = None) -> list[str]:
    """`all`, or comma-separated names and shell-style globs (fnmatch) over the registry keys.

    Returns registry keys in registry order. `brute-force` is accepted (its row is always produced) and is not
    returned. An unknown name, or a glob that matches nothing, is an InputError."""
    if registry is None:
        from ..tasks.maxk.strategies import STRATEGIES as registry
    keys = list(registry)
    parts = [p.strip() for p in spec.split(",")]
    if not spec.strip() or any(not p for p in parts):
        raise InputError(None, "--strategies", f"expected all, names or globs separated by commas; got {spec!r}")
    chosen: set[str] = set()
    for part in parts:
        if part == "all":
            chosen.update(keys)
        elif part == BRUTE:
            continue
        elif any(ch in part for ch in "*?["):
            hits = fnmatch.filter(keys, part)
            if not hits:
                raise InputError(None, "--strategies", f"pattern {part!r} matches no strategy; {_known(keys)}")
            chosen.update(hits)
        elif part in registry:
            chosen.add(part)
        else:
            raise InputError(None, "--strategies", f"unknown strategy {part!r}; {did_you_mean(part, keys)}{_known(keys)}")
    return [k for k in keys if k in chosen]


def _known(keys: list[str]) -> str:
    if len(keys) <= 12:
        return f"known: {', '.join(keys)}"
    return f"{len(keys)} known, e.g. {', '.join(keys[:6])}, … (globs like 'subcubic*' select several)"


def resolve_device(device: str) -> str:
    """auto → cuda if torch sees a GPU, else cpu; cpu; cuda or cuda:N (which must exist)."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        return "cpu"
    if re.fullmatch(r"cuda(:\d+)?", device):
        if not torch.cuda.is_available():
            raise InputError(None, "--device", f"{device!r} requested but torch sees no CUDA device")
        return device
    raise InputError(None, "--device", f"expected auto, cpu or cuda[:N]; got {device!r}")
