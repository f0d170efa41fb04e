"""What a proof strategy of any task returns: the claims of one certificate and the bound they prove.

Each task registers its strategies by name (tasks/maxk/strategies/, tasks/induction/strategies/); a strategy
turns exact weights into a `ProofOutput`, which mechproof.certify writes as a certificate once the checker has
verified it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .certificate import VERSION


@dataclass(frozen=True)
class ProofOutput:
    strategy: str  # certificate `strategy.name`
    claims: dict[str, Any]
    correct: int
    total: int
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)
    file_stem: str = "cubic"  # certificate file name (without .json) inside certificates/<model>/
    version: int = VERSION  # certificate format version the claims are written for (docs/certificate.md)
    upper: int | None = None  # certificate `bound.upper` (with a `wrong` claim), docs §3 and §9


@dataclass(frozen=True)
class StrategyInfo:
    """A named proof strategy: how to run it, its asymptotic cost class and its group in reports."""

    name: str
    run: Callable[..., ProofOutput]  # (weights, paper_compatible=False) → ProofOutput
    complexity: str
    group: str
