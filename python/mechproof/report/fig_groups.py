"""Normalized bound by strategy group: per group and seed, the best normalized bound among the group's
strategies (the paper's convention), as a box plot with the seeds drawn over it and the paper's mean ± std."""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from .figures import PAPER_COLOR, wrap
from .paper import group_color, group_order
from .stats import best_per_seed, num


def plot_normalized_by_group(rows: Sequence[Mapping[str, Any]], gstats: Sequence[Mapping[str, Any]]) -> Any:
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    best = best_per_seed(rows)
    ran = sorted((s for s in gstats if s["seeds"]), key=lambda s: -num(s["normalized_mean"]))
    names = [s["group"] for s in ran]
    all_groups = group_order(best)
    fig = Figure(figsize=(max(7.0, 1.3 * len(names) + 3), 6.0), layout="constrained")
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # deterministic jitter
    data = [[r["normalized"] for r in best[g].values() if r["normalized"] is not None] for g in names]
    pos = np.arange(1, len(names) + 1)
    ax.boxplot(data, positions=pos, widths=0.5, showfliers=False, medianprops={"color": "black"},
               boxprops={"color": "#555555"}, whiskerprops={"color": "#555555"}, capprops={"color": "#555555"})
    for p, g, vals in zip(pos, names, data):
        jitter = rng.uniform(-0.17, 0.17, len(vals))
        ax.scatter(p + jitter, vals, s=12, alpha=0.55, color=group_color(g, all_groups), edgecolors="none", zorder=3)
    shown_paper = False
    for p, s in zip(pos, ran):
        f = s["paper"]
        if f is not None and f.metric == "normalized":
            ax.errorbar(p + 0.38, f.mean, yerr=f.std, fmt="D", ms=5, color=PAPER_COLOR, capsize=3, zorder=4)
            shown_paper = True
    ax.set_xticks(pos, [wrap(n) for n in names], fontsize=9)
    ax.set_xlim(0.4, len(names) + 0.8)
    lows = [v for vals in data for v in vals] + [s["paper"].mean - s["paper"].std for s in ran
                                                  if s["paper"] is not None and s["paper"].metric == "normalized"]
    ax.set_ylim(max(0.0, math.floor((min(lows, default=0) - 0.02) * 20) / 20), 1.02)
    ax.grid(True, axis="y", alpha=0.35)
    ax.set_ylabel("normalized bound = bound / brute-force accuracy\n(best strategy of the group, per seed)")
    seeds = len({r["seed"] for r in rows})
    ax.set_title(f"Normalized accuracy bound by strategy group ({seeds} seed{'s' if seeds != 1 else ''})")
    handles = [Line2D([], [], marker="o", ls="none", color="#777777", alpha=0.6, label="ours: one point per seed"),
               Line2D([], [], color="#555555", label="box: quartiles, median; whiskers 1.5 IQR")]
    if shown_paper:
        handles.append(Line2D([], [], marker="D", ls="-", color=PAPER_COLOR, ms=5, label="paper: mean ± std (151 seeds)"))
    ax.legend(handles=handles, loc="lower left", fontsize=8.5, framealpha=0.9)
    return fig
