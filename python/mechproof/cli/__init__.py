"""The `mechproof` command line: train, measure, certify, check and audit models of both tasks (Max-of-K, induction).

One module per kind of work (models, proofs, checks, studies), each registering its commands on the shared `app`;
cli/induction.py is the induction task behind them."""

from __future__ import annotations

from . import models, proofs  # noqa: F401, I001  (registers the commands, in this order in --help)
from . import checks, studies  # noqa: F401, I001
from .common import app

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover - console entry
    app()
