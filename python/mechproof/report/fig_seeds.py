"""Per seed: the exact brute-force accuracy, the cubic bound and the cubic normalized bound, each sorted over
the seeds beside the paper's mean ± std, so the spread of the models (and where ours sit relative to the paper's
retrained-from-the-same-recipe models) is visible seed by seed."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .figures import paper_band
from .paper import BRUTE, PAPER_CUBIC_BOUND, PAPER_FIGURES, PaperFigure, paper_key
from .stats import mean_std


def plot_per_seed(rows: Sequence[Mapping[str, Any]]) -> Any | None:
    """None when the rows have neither brute-force nor cubic rows."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    brute = [r for r in rows if r["strategy"] == BRUTE]
    cubic = [r for r in rows if paper_key(r["group"]) == "cubic"]
    panels: list[tuple[str, list[float], PaperFigure, str]] = []
    if brute:
        panels.append(("brute-force accuracy (exact)", [r["bound"] for r in brute], PAPER_FIGURES["brute-force"],
                       "#222222"))
    if cubic:
        panels.append(("cubic bound", [r["bound"] for r in cubic], PAPER_CUBIC_BOUND, "#1f77b4"))
        panels.append(("cubic bound / brute-force accuracy", [r["normalized"] for r in cubic if r["normalized"] is not None],
                       PAPER_FIGURES["cubic"], "#1f77b4"))
    if not panels:
        return None
    fig = Figure(figsize=(5.0 * len(panels), 5.2), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, values, paper, color) in zip(axes, panels):
        values = sorted(values)
        m, s = mean_std(values)
        paper_band(ax, paper, "paper")
        ax.axhline(m, color=color, ls="--", lw=1.2, zorder=2, label=f"ours: {m:.4f} ± {s:.4f} ({len(values)} seeds)")
        ax.scatter(range(1, len(values) + 1), values, s=14, color=color, zorder=3, edgecolors="none")
        lo = min(min(values), paper.mean - 1.5 * paper.std)
        hi = min(1.0, max(max(values), paper.mean + 1.5 * paper.std))  # a fraction of inputs: never above 1
        pad = 0.06 * (hi - lo or 0.01)
        ax.set_ylim(lo - 2 * pad, hi + pad / 2)
        ax.set_xlim(0, len(values) + 1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("seeds, sorted by the value")
        ax.set_title(title, fontsize=11)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8.5, frameon=False)  # hides no seed
    fig.suptitle("Per seed: our models beside the paper's means", fontsize=12)
    return fig
