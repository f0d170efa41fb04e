"""Tasks: each a package with its configuration, model, training, brute force, strategies and checker rules.

Max-of-K is the original task (its modules still live at the package's top level); `induction` is the two-layer
induction head (tasks/induction/). Files name their task (weights version 2, certificates version 3); version-1
weights and version-1/2 certificates are Max-of-K. This module maps a task name to its configuration class
without importing any task's heavy modules.
"""

from __future__ import annotations

from ..config import ModelConfig

MAXK = "maxk"
INDUCTION = "induction"
TASKS = (MAXK, INDUCTION)


def config_class(task: str) -> type[ModelConfig]:
    """The configuration class of a task (KeyError for an unknown task)."""
    if task == MAXK:
        return ModelConfig
    if task == INDUCTION:
        from .induction.config import InductionConfig

        return InductionConfig
    raise KeyError(task)
