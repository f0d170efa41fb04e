"""Proof strategies: each turns exact weights into the claims of a certificate that a checker verifies.

One module per proof family: `cubic` (paper-spec §4). A strategy is a function ExactWeights → ProofOutput.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..weights import ExactWeights


@dataclass(frozen=True)
class ProofOutput:
    strategy: str  # certificate `strategy.name`
    claims: dict[str, Any]
    correct: int
    total: int
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def file_stem(self) -> str:
        """Certificate file name (without .json) inside certificates/<model>/."""
        variant = self.params.get("variant")
        return f"{self.strategy}-{variant}" if variant else self.strategy


@dataclass(frozen=True)
class StrategyInfo:
    """A named proof strategy: how to run it, its asymptotic cost class and its group in reports."""

    name: str
    run: Callable[[ExactWeights], ProofOutput]
    complexity: str
    group: str


def _cubic(w: ExactWeights) -> ProofOutput:
    from .cubic import cubic_claims, cubic_proof

    p = cubic_proof(w)
    return ProofOutput("cubic", cubic_claims(p), p.correct, p.total, p.seconds)


STRATEGIES: dict[str, StrategyInfo] = {
    "cubic": StrategyInfo("cubic", _cubic, "O(V^3 n^2 + V^2 d)", "cubic"),
}
