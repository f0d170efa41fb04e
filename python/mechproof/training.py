"""What makes training deterministic, for every task: seeds derived by SHA-256, deterministic torch algorithms.

Each task's `training.train` (tasks/maxk/training.py, tasks/induction/training.py) draws its initial weights and
its data stream from two `torch.Generator`s seeded by `derived_seed`, and runs inside `_deterministic`.
"""

from __future__ import annotations

import hashlib

import torch


def derived_seed(seed: int, label: str) -> int:
    """A 63-bit seed for one purpose ("model", "data"), so the two streams are unrelated."""
    digest = hashlib.sha256(f"mechproof:{seed}:{label}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


class _deterministic:
    """Context manager: deterministic torch algorithms while training, restored afterwards."""

    def __init__(self, warn_only: bool = False) -> None:
        self._warn_only = warn_only

    def __enter__(self) -> None:
        self._was = torch.are_deterministic_algorithms_enabled()
        self._was_warn = torch.is_deterministic_algorithms_warn_only_enabled()
        if self._warn_only:
            torch.use_deterministic_algorithms(True, warn_only=True)
        else:
            torch.use_deterministic_algorithms(True)

    def __exit__(self, *exc: object) -> None:
        torch.use_deterministic_algorithms(self._was, warn_only=self._was_warn)
