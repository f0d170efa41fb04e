"""The subcubic proofs (docs/paper.md §5), made sound: 100 variants of one gap-based argument.

Cases are (q, m, c) with c counting every position that holds a token < m (the query's included when q < m),
and a gap g: the case covers the inputs whose non-max tokens are all ≤ m − g. The token dimension of the cubic
proof is gone; token dependence is bounded by worst cases over the range [0, m − g], which is what makes the
argument cheaper than cubic. docs/certificate.md §7 states the argument and why it is sound.

Three options make the 100 variants (5 × 2 × 10, docs/paper.md §5.4): how the direct path EUPU is bounded
(`eupu`), whether a per-(m, c) average attention is used (`attention`), and how the attention scores EQKE are
approximated and how the approximation error is bounded (`qk`).

Nothing here is trusted. Modules, in the order a proof uses them:
  variants   the 100 option triples and the paper's groups
  qk         exact Approx/ε per qk rule and its choices, sharing EQKE_tok and the peeled chains
  pieces     the other exact matrices (EVOU, PVOU, EUPU, EQKP_err, …) and the output side per eupu rule
  floats     nearest float64 images for the search, outward enclosures and exp bounds for the re-check
  shared     the per-model cache (by the weights' SHA-256) that lets the 100 variants share all of the above
  search     the float64 gap search (bisection with a fixed average; the paper's per-gap average)
  recheck    the sound vectorized float64 re-check: a case it keeps passes the checker's exact test
  choices    the `choices` claim as JSON, checked against the format's limits
  proof      one variant end to end; c = 0 cases are decided by the input rule (docs §8, strategies/inputs.py)
Two fixes over the paper's code: the count uses m − g + 1 allowed tokens (§9.1; `paper_compatible` restores the
undercount m − g), and the mean+diff correction is sign-aware (§9.2), always.
"""

from .pieces import OutputSide, output_side
from .proof import SubcubicProof, subcubic_proof
from .qk import QKBound, qk_bound
from .variants import ATTENTION_OPTIONS, EUPU_OPTIONS, QK_OPTIONS, VARIANTS, Variant

__all__ = [
    "ATTENTION_OPTIONS",
    "EUPU_OPTIONS",
    "QK_OPTIONS",
    "VARIANTS",
    "OutputSide",
    "QKBound",
    "SubcubicProof",
    "Variant",
    "output_side",
    "qk_bound",
    "subcubic_proof",
]
