"""Proof strategies: each turns exact weights into the claims of a certificate that a checker verifies.

One module per proof family: `cubic` (paper-spec §4) and `subcubic` (§5, 100 variants). A strategy is a
function (ExactWeights, paper_compatible) → ProofOutput, registered in STRATEGIES under its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..weights import ExactWeights
from .subcubic import VARIANTS, Variant


@dataclass(frozen=True)
class ProofOutput:
    strategy: str  # certificate `strategy.name`
    claims: dict[str, Any]
    correct: int
    total: int
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)
    file_stem: str = "cubic"  # certificate file name (without .json) inside certificates/<model>/
    version: int = 1  # certificate format version the claims are written for (docs/certificate.md)


@dataclass(frozen=True)
class StrategyInfo:
    """A named proof strategy: how to run it, its asymptotic cost class and its group in reports."""

    name: str
    run: Callable[..., ProofOutput]  # (weights, paper_compatible=False) → ProofOutput
    complexity: str
    group: str


def _cubic(w: ExactWeights, paper_compatible: bool = False) -> ProofOutput:
    """The cubic proof; `paper_compatible` changes nothing (its counting has no off-by-one)."""
    from .cubic import cubic_claims, cubic_proof

    p = cubic_proof(w)
    return ProofOutput("cubic", cubic_claims(p), p.correct, p.total, p.seconds)


def _subcubic_runner(variant: "Variant") -> Callable[..., ProofOutput]:
    def run(w: ExactWeights, paper_compatible: bool = False) -> ProofOutput:
        from ..certificate import VERSION
        from .subcubic import subcubic_proof

        p = subcubic_proof(w, variant, paper_compatible)
        stem = variant.key + ("-paper" if paper_compatible else "")
        return ProofOutput("subcubic", p.claims, p.correct, p.total, p.seconds, p.params, stem, VERSION)

    return run


STRATEGIES: dict[str, StrategyInfo] = {
    "cubic": StrategyInfo("cubic", _cubic, "O(V³·n² + V²·d)", "cubic"),
}
STRATEGIES.update(
    {v.key: StrategyInfo(v.key, _subcubic_runner(v), v.complexity, v.group) for v in VARIANTS}
)
