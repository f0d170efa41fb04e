"""Bound against proof length: every (seed, strategy) point, the Pareto frontier of the per-strategy means, and
a second panel zoomed on the subcubic strategies, which sit within a factor of ~3 of each other in proof length
(a sliver of the full log axis, which has to reach brute force's 10¹⁰ operations)."""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from .figures import label_box
from .paper import BRUTE, PAPER_CUBIC_BOUND, PAPER_FIGURES, group_color, group_order, paper_key
from .stats import frontier_of

OUTSIDE_CLUSTER = {"brute-force", "cubic"}
"""Groups drawn in the full panel only; every other group belongs to the subcubic cluster of the zoom panel."""

PAPER_LINE = (0, (4, 3))
"""How the paper's means are drawn: dashed, in their group's colour."""


def _in_cluster(group: str) -> bool:
    return (paper_key(group) or group) not in OUTSIDE_CLUSTER


def plot_bound_vs_length(rows: Sequence[Mapping[str, Any]], sstats: Sequence[Mapping[str, Any]]) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import EngFormatter

    groups = group_order(r["group"] for r in rows)
    measured = [r for r in rows if r["check_ops"]]
    cluster = [r for r in measured if _in_cluster(r["group"])]
    zoom = bool(cluster) and len(cluster) < len(measured)
    fig = Figure(figsize=(18, 7.4) if zoom else (11, 6.6), layout="constrained")
    if zoom:
        full, near, key = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.3, 0.42]})
        key.axis("off")
    else:
        full, near, key = fig.add_subplot(), None, None
    front = frontier_of(sstats)
    seeds = len({r["seed"] for r in rows})
    points = f"{len(measured):,} points: {seeds} seed{'s' * (seeds != 1)} × {len({r['strategy'] for r in rows})} strategies"

    box = _cluster_box(cluster) if zoom else None
    _scatter(full, measured, groups, size=9 if len(measured) > 2000 else 16)
    _frontier(full, front, box)
    _paper_means(full, groups, [g for g in groups if not zoom or not _in_cluster(g)])
    full.set_xscale("log")
    lo, hi = min(r["check_ops"] for r in measured), max(r["check_ops"] for r in measured)
    full.set_xlim(lo / 3, hi * 3)
    ylo = max(0.0, math.floor((min(r["bound"] for r in measured) - 0.02) * 20) / 20)
    full.set_ylim(ylo, 1 + 0.03 * (1 - ylo))
    full.grid(True, which="major", alpha=0.35)
    full.set_xlabel("proof length: operations performed by the checker (log scale)")
    full.set_ylabel("certified accuracy bound (fraction of all inputs)")
    full.set_title(f"All proofs ({points})", fontsize=11)
    if box is not None and near is not None:
        x0, x1, y0, y1 = box
        full.add_patch(_rect(full, x0, x1, y0, y1))
        full.annotate("zoomed\nat right", (x1, (y0 + y1) / 2), xytext=(6, 0), textcoords="offset points",
                      fontsize=8.5, color="0.25", va="center")
        _scatter(near, cluster, groups, size=7 if len(cluster) > 2000 else 18, alpha=0.22 if len(cluster) > 2000 else 0.6)
        _strategy_means(near, [s for s in sstats if _in_cluster(s["group"])], groups)
        _frontier(near, [p for p in front if x0 <= p[1] <= x1], None, key=key)
        _paper_means(near, groups, [g for g in groups if _in_cluster(g)])
        near.set_xlim(x0, x1)
        near.set_ylim(y0, y1)
        near.grid(True, alpha=0.35)
        near.xaxis.set_major_formatter(EngFormatter(sep=" "))
        near.set_xlabel("proof length: operations performed by the checker (linear scale; M = 10⁶)")
        near.set_ylabel("certified accuracy bound")
        near.set_title("The subcubic strategies, zoomed: circles are per-strategy means over seeds", fontsize=11)
    handles, labels = _legend_entries(full, rows, groups)
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)), fontsize=8.5, frameon=False)
    fig.suptitle("Certified accuracy bound vs proof length (every bound accepted by the exact checker)", fontsize=12.5)
    return fig


def paper_mean_bound(group: str) -> float | None:
    """The paper's mean for `group` in this figure's metric, the bound itself (docs/paper.md §6.1–§6.2): brute
    force's accuracy and the cubic bound as published; a subcubic group's published mean is normalized, so it is
    multiplied by the paper's mean accuracy (None for a group the paper does not have)."""
    key = paper_key(group)
    if key is None:
        return None
    if key == "cubic":
        return PAPER_CUBIC_BOUND.mean
    fig = PAPER_FIGURES[key]
    return fig.mean if fig.metric == "accuracy" else fig.mean * PAPER_FIGURES[BRUTE].mean


def _paper_means(ax: Any, groups: Sequence[str], drawn: Sequence[str]) -> None:
    """A dashed line at the paper's mean of each group in `drawn`, with its value at the panel's left edge."""
    from matplotlib.transforms import blended_transform_factory

    at_left = blended_transform_factory(ax.transAxes, ax.transData)
    for g in drawn:
        y = paper_mean_bound(g)
        if y is not None:
            color = group_color(g, groups)
            ax.axhline(y, color=color, ls=PAPER_LINE, lw=1.1, alpha=0.9, zorder=3)
            ax.text(0.004, y, f"paper {y:.3f}", transform=at_left, fontsize=7, color=color, ha="left", va="center",
                    zorder=7, bbox={**label_box(), "pad": 0.08, "ec": "none"})


def _cluster_box(cluster: Sequence[Mapping[str, Any]]) -> tuple[float, float, float, float]:
    xs = [r["check_ops"] for r in cluster]
    ys = [r["bound"] for r in cluster]
    pad = 0.06 * (max(xs) - min(xs)) or 0.05 * max(xs)
    y0 = max(0.0, math.floor((min(ys) - 0.02) * 20) / 20)
    y1 = min(1.02, math.ceil((max(ys) + 0.02) * 20) / 20)
    return min(xs) - pad, max(xs) + pad, y0, y1


def _rect(ax: Any, x0: float, x1: float, y0: float, y1: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ls="--", lw=1.0, ec="0.3", zorder=6)


def _scatter(ax: Any, rows: Sequence[Mapping[str, Any]], groups: Sequence[str], size: float, alpha: float = 0.45) -> None:
    for g in groups:
        pts = [(r["check_ops"], r["bound"]) for r in rows if r["group"] == g]
        if pts:
            big = g == BRUTE or paper_key(g) == "cubic"  # one point per seed: make them visible
            ax.scatter(*zip(*pts), s=size * (2.5 if big else 1), alpha=min(1, alpha * (1.6 if big else 1)),
                       color=group_color(g, groups), edgecolors="none", zorder=2, rasterized=len(pts) > 500)


def _strategy_means(ax: Any, sstats: Sequence[Mapping[str, Any]], groups: Sequence[str]) -> None:
    for s in sstats:
        if math.isfinite(s["check_ops_mean"]) and math.isfinite(s["bound_mean"]):
            ax.scatter([s["check_ops_mean"]], [s["bound_mean"]], s=26, color=group_color(s["group"], groups),
                       edgecolors="black", linewidths=0.6, zorder=4)


def _frontier(ax: Any, front: Sequence[tuple[str, float, float]], box: tuple[float, float, float, float] | None,
              key: Any = None) -> None:
    """The frontier as a step line with diamonds and labels for its points: in the full panel, names of those
    outside the zoom box; in the zoom panel (`key` given), numbers, and their key in the `key` axes."""
    import matplotlib.patheffects as pe

    if not front:
        return
    xs = [p[1] for p in front]
    ys = [p[2] for p in front]
    label_all = key is not None
    xmax = ax.get_xlim()[1] if label_all else xs[-1] * 3
    ax.step([*xs, xmax], [*ys, ys[-1]], where="post", color="black", lw=1.3, zorder=5,
            path_effects=[pe.withStroke(linewidth=3.2, foreground="white")])
    ax.scatter(xs, ys, marker="D", s=70, facecolors="none", edgecolors="black", linewidths=1.2, zorder=6)
    shown = [p for p in front if label_all or box is None or not (box[0] <= p[1] <= box[1])]
    if not shown:
        return
    if label_all:
        _numbered(ax, key, shown)
        return
    for name, x, y in shown:
        ax.annotate(name, (x, y), xytext=(-10, -16), textcoords="offset points", ha="right", va="top", fontsize=8,
                    zorder=7, bbox=label_box(),
                    arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "0.35", "shrinkA": 0, "shrinkB": 5})


def _numbered(ax: Any, key: Any, front: Sequence[tuple[str, float, float]]) -> None:
    """Frontier points numbered in order of length (points closer than 3 % of the axes share a label), and the
    key of the numbers beside the panel, where it hides no point."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    clusters: list[list[int]] = []
    for i, (_, x, y) in enumerate(front):
        last = clusters[-1][-1] if clusters else None
        if last is not None and abs(x - front[last][1]) < 0.03 * (x1 - x0) and abs(y - front[last][2]) < 0.03 * (y1 - y0):
            clusters[-1].append(i)
        else:
            clusters.append([i])
    for members in clusters:
        _, x, y = front[members[0]]
        text = ",".join(str(i + 1) for i in members)
        ax.annotate(text, (x, y), xytext=(-7, 7), textcoords="offset points", ha="right", va="bottom", fontsize=8.5,
                    fontweight="bold", zorder=7, bbox={**label_box(), "pad": 0.12})
    lines = [f"{i + 1:>2} {name}\n   {x:,.0f} ops, bound {y:.3f}" for i, (name, x, y) in enumerate(front)]
    key.text(0.0, 1.0, "Pareto frontier\n(per-strategy means)\n\n" + "\n".join(lines), transform=key.transAxes,
             ha="left", va="top", fontsize=7.8, family="monospace")


def _legend_entries(ax: Any, rows: Sequence[Mapping[str, Any]], groups: Sequence[str]) -> tuple[list, list[str]]:
    from matplotlib.lines import Line2D

    handles, labels = [], []
    for g in groups:
        n = len({r["strategy"] for r in rows if r["group"] == g})
        handles.append(Line2D([], [], marker="o", ls="none", color=group_color(g, groups), ms=7))
        labels.append(f"{g} ({n} strateg{'y' if n == 1 else 'ies'})")
    handles.append(Line2D([], [], color="black", marker="D", mfc="none", lw=1.3))
    labels.append("Pareto frontier of the per-strategy means")
    if any(paper_mean_bound(g) is not None for g in groups):
        handles.append(Line2D([], [], color="0.35", ls=PAPER_LINE, lw=1.1))
        labels.append(f"the paper's means (subcubic groups: normalized × its mean accuracy {PAPER_FIGURES[BRUTE].mean})")
    return handles, labels
