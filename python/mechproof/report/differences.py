"""The report's "where our bounds differ from the paper's and why": what is the same argument, what was fixed,
and what can only be attributed to the models, with this sweep's own numbers where it has them."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .paper import PAPER_FIGURES, paper_key


def differences_text(gstats: Sequence[Mapping[str, Any]]) -> list[str]:
    """Markdown paragraphs; `gstats` are the report's group statistics (mean of the best per seed)."""
    ours = {paper_key(g["group"]): g for g in gstats}

    def mean(key: str) -> str:
        g = ours.get(key)
        if g is None:
            return "—"
        m = g.get("normalized_mean") if PAPER_FIGURES[key].metric == "normalized" else g.get("bound_mean")
        return "—" if m is None or m != m else f"{m:.4f}"  # m != m: NaN (no seed in the group)

    return [
        "**The models.** Ours are retrained from the paper's 151 seeds with its recipe (AdamW, lr 10⁻³, weight decay "
        "0.01, 3000 steps of 128 uniform sequences), deterministically in plain torch with seeds derived by SHA-256; "
        "the paper's own weights (trained with TransformerLens/Lightning in 2024) are not reachable from here "
        "(docs/paper.md §2), so the same seed number is a different model. Every comparison is therefore between "
        f"distributions over seeds, not model for model. Brute force: ours {mean('brute-force')}, the paper's "
        f"{PAPER_FIGURES['brute-force'].text()}.",
        "",
        "**Cubic: the same argument, exact.** The case split, extreme attention, the E*/V* pessimisation and the "
        "counting are the paper's (docs/paper.md §4). Soundness costs it nothing measurable: every decision is taken on "
        "an outward-rounded upper bound of exact integers and exp enclosures, and the certified count equals the "
        "same algorithm in plain float64. The c = 0 cases (single inputs) are decided by an exact per-input rule "
        "(docs/certificate.md §8), at least as tight as the paper's joint maximum over the wrong logit: on seed 42 "
        f"the count is the paper's algorithm's own, 15,998,745. Normalized: ours {mean('cubic')}, the paper's "
        f"{PAPER_FIGURES['cubic'].text()}.",
        "",
        "**Subcubic: higher for three reasons (2–4), despite one that lowers it (1).** (1) Soundness (docs/paper.md §8.2): the "
        "mean+diff correction is sign-aware here; the paper's is not, which on its seed 123 overstated 97–101 cases "
        "per strategy; this lowers our bounds relative to the paper's code. (2) The count fix (docs/paper.md §8.1): a case with gap "
        "g admits m − g + 1 non-max tokens, the paper's code counted m − g (`--paper-compatible` restores the "
        "undercount). (3) Gap search: with the per-(m, c) average attention fixed, the gaps are searched again, and "
        "every case takes the smallest gap that the exact re-check accepts. On seed 42, `subcubic-mx-avg-exact` goes "
        "from 0.774 (the paper's counting and one-round search) to 0.826 (second search) to 0.867 (count fix); the "
        "c = 0 rule adds up to 56 inputs per strategy. (4) The models (above). Best subcubic group: ours "
        f"{mean('subcubic')}, the paper's {PAPER_FIGURES['subcubic'].text()}.",
        "",
        "**Proof length is counted differently.** The paper plots FLOPs of its float32 code counted by symbolic "
        "execution (cubic ≈ 3.5·10⁷, brute force ≈ 1.4·10¹⁴); here it is the number of exact operations the "
        "independent checker performs (multiplications, additions, comparisons, exp enclosures), and brute force is "
        "counted analytically for the factored model (~1.1·10³ per input). The order of the strategies along the "
        "axis is the paper's; absolute positions are not comparable.",
    ]
