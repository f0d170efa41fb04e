"""Max-of-K's proof strategies: each turns exact weights into the claims of a certificate that a checker verifies.

One module per proof family: `cubic` (docs/paper.md §4), `subcubic` (§5, 100 variants) and `cubic+residual` (cubic
plus every other input decided one by one: the exact accuracy, docs §9). A strategy is a function
(ExactWeights, paper_compatible) → ProofOutput, registered in STRATEGIES under its name. `with_upper` adds an
upper bound (the `wrong` claim of docs §9) to any strategy's proof.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from ....strategies import ProofOutput, StrategyInfo
from ....weights import ExactWeights
from .subcubic import VARIANTS, Variant


def _cubic(w: ExactWeights, paper_compatible: bool = False) -> ProofOutput:
    """The cubic proof; `paper_compatible` changes nothing (its counting has no off-by-one)."""
    from .cubic import cubic_claims, cubic_proof

    p = cubic_proof(w)
    return ProofOutput("cubic", cubic_claims(p), p.correct, p.total, p.seconds)


def _cubic_residual(w: ExactWeights, paper_compatible: bool = False) -> ProofOutput:
    """Cubic cases, then every input they leave out decided by the input rule: right ones in `residual`, wrong
    ones in `wrong`; the bound is the exact accuracy (docs §9). Needs d_vocab^n_ctx ≤ 2^28."""
    from .coverage import input_claims, require_enumerable
    from .cubic import cubic_claims, cubic_proof

    require_enumerable(w.cfg.d_vocab, w.cfg.n_ctx)
    start = time.perf_counter()
    p = cubic_proof(w)
    claims = cubic_claims(p)
    extra, n_right, n_wrong = input_claims(w, "cubic", claims, residual=True)
    claims.update(extra)
    return ProofOutput(
        "cubic+residual", claims, p.correct + n_right, p.total, time.perf_counter() - start,
        file_stem="cubic-residual", upper=p.total - n_wrong,
    )  # fmt: skip


def with_upper(w: ExactWeights, proof: ProofOutput) -> ProofOutput:
    """`proof` plus the `wrong` claim and `bound.upper`: every input its cases leave uncovered that the input
    rule proves wrong (docs §9). Unchanged if it has an upper bound already. Needs d_vocab^n_ctx ≤ 2^28."""
    from .coverage import input_claims

    if proof.upper is not None:
        return proof
    start = time.perf_counter()
    extra, _, n_wrong = input_claims(w, proof.strategy, proof.claims, residual=False)
    return replace(
        proof, claims={**proof.claims, **extra}, upper=proof.total - n_wrong,
        seconds=proof.seconds + time.perf_counter() - start, file_stem=proof.file_stem + "-upper",
    )  # fmt: skip


def _subcubic_runner(variant: "Variant") -> Callable[..., ProofOutput]:
    def run(w: ExactWeights, paper_compatible: bool = False) -> ProofOutput:
        from .subcubic import subcubic_proof

        p = subcubic_proof(w, variant, paper_compatible)
        stem = variant.key + ("-paper" if paper_compatible else "")
        return ProofOutput("subcubic", p.claims, p.correct, p.total, p.seconds, p.params, stem)

    return run


STRATEGIES: dict[str, StrategyInfo] = {
    "cubic": StrategyInfo("cubic", _cubic, "O(V³·n² + V²·d)", "cubic"),
}
STRATEGIES.update(
    {v.key: StrategyInfo(v.key, _subcubic_runner(v), v.complexity, v.group) for v in VARIANTS}
)
STRATEGIES["cubic+residual"] = StrategyInfo(
    "cubic+residual", _cubic_residual, "O(V³·n² + V^n·n·V), only for d_vocab^n_ctx ≤ 2^28", "cubic+residual"
)
