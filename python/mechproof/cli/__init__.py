"""The `mechproof` command line: train, measure, certify, check and audit Max-of-K models.

One module per kind of work (models, proofs, studies), each registering its commands on the shared `app`."""

from __future__ import annotations

from . import models, proofs, studies  # noqa: F401  (registers the commands, in this order in --help)
from .common import app

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover - console entry
    app()
