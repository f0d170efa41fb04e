"""`mechproof report`: plots and tables from a sweep's results.json, beside the paper's published figures.

Outputs (PNG and SVG for each figure, drawn with matplotlib's Agg canvas, no display needed):

* bound_vs_length: certified accuracy bound against proof length (the checker's operation count, log axis), one
  point per seed × strategy coloured by group, and the Pareto frontier over the per-strategy means (the best mean
  bound reachable with at most a given mean proof length);
* normalized_by_group: per group and seed, the best normalized bound (bound / brute-force accuracy) among the
  group's strategies, as a box plot with the seeds drawn over it and the paper's mean ± std beside it;
* report.md: the group table (paper-style: best strategy per seed within the group, then mean ± population std over
  seeds) next to the paper's numbers (paper-spec §7.1), the per-strategy table and the frontier. The same tables
  are printed with rich.

Groups are whatever StrategyInfo.group says. `PAPER_FIGURES` holds the published numbers under the paper's group
names and `PAPER_GROUP_ALIASES` maps other spellings onto them; names are also matched loosely (case, punctuation,
'²' vs '2' and the order of '+'-joined tags do not matter), so e.g. "attention-dvocab-dmodel2+direct-quadratic"
finds "attention-d_vocab·d_model² + direct-quadratic". Extend either dict for new names.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .errors import InputError
from .files import atomic_write

BRUTE = "brute-force"


@dataclass(frozen=True)
class PaperFigure:
    label: str
    mean: float
    std: float
    metric: str  # "accuracy" (the bound itself) or "normalized" (bound / brute-force accuracy)
    digits: int  # decimals as published

    def text(self) -> str:
        return f"{self.mean:.{self.digits}f} ± {self.std:.{self.digits}f}"


PAPER_FIGURES: dict[str, PaperFigure] = {
    "brute-force": PaperFigure("brute force (true accuracy)", 0.9992, 0.0015, "accuracy", 4),
    "cubic": PaperFigure("cubic", 0.9539, 0.0080, "normalized", 4),
    "subcubic": PaperFigure("subcubic (exact-EUPU and exact-error strategies)", 0.700, 0.036, "normalized", 3),
    "attention-d_vocab·d_model²": PaperFigure("attention-d_vocab·d_model²", 0.675, 0.035, "normalized", 3),
    "direct-quadratic": PaperFigure("direct-quadratic", 0.633, 0.062, "normalized", 3),
    "attention-d_vocab·d_model² + direct-quadratic": PaperFigure(
        "attention-d_vocab·d_model² + direct-quadratic", 0.610, 0.060, "normalized", 3
    ),
    "attention-quadratic": PaperFigure("attention-quadratic", 0.316, 0.037, "normalized", 3),
    "attention-quadratic + direct-quadratic": PaperFigure(
        "attention-quadratic + direct-quadratic", 0.283, 0.037, "normalized", 3
    ),
}
"""Published mean ± std over the 151 seeds (paper-spec §7.1), best strategy per seed within each group."""

PAPER_GROUP_ALIASES: dict[str, str] = {
    "brute force": "brute-force",
    "bruteforce": "brute-force",
    "attention-dvdm²": "attention-d_vocab·d_model²",
    "attention-dvdm2": "attention-d_vocab·d_model²",
    "attention-dvdm² + direct-quadratic": "attention-d_vocab·d_model² + direct-quadratic",
    "attention-dvdm2 + direct-quadratic": "attention-d_vocab·d_model² + direct-quadratic",
    "subcubic-exact": "subcubic",
}
"""Other names of the paper's groups (matched loosely, like the PAPER_FIGURES keys)."""

_TAG_ALIASES = {"attentiondvdm2": "attentiondvocabdmodel2", "attndvocabdmodel2": "attentiondvocabdmodel2"}

GROUP_COLORS: dict[str, str] = {
    "brute-force": "#222222",
    "cubic": "#1f77b4",
    "subcubic": "#2ca02c",
    "attention-d_vocab·d_model²": "#ff7f0e",
    "direct-quadratic": "#9467bd",
    "attention-d_vocab·d_model² + direct-quadratic": "#8c564b",
    "attention-quadratic": "#d62728",
    "attention-quadratic + direct-quadratic": "#e377c2",
}
_SPARE_COLORS = ("#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#f7b6d2")


# ------------------------------------------------------------------------------------------------ data


def load_results(path: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Path]:
    """Rows and failures of a sweep: `path` is the sweep folder or its results.json. Returns (rows, failures,
    the results.json path)."""
    path = Path(path)
    file = path / "results.json" if path.is_dir() else path
    if not file.is_file():
        raise InputError(file, None, "no results.json here (run `mechproof sweep --out <folder>` first)")
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as e:
        raise InputError(file, None, f"not valid JSON ({e})") from None
    rows = doc.get("rows") if isinstance(doc, dict) else doc
    failures = doc.get("failures", []) if isinstance(doc, dict) else []
    if not isinstance(rows, list):
        raise InputError(file, "rows", "expected a list of rows")
    need = ("seed", "strategy", "group", "bound", "normalized", "check_ops")
    for i, r in enumerate(rows):
        missing = [k for k in need if not isinstance(r, dict) or k not in r]
        if missing:
            raise InputError(file, f"rows[{i}]", f"missing {', '.join(missing)}")
    return rows, failures, file


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation (the paper's convention); NaN for no values."""
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not vals:
        return math.nan, math.nan
    m = sum(vals) / len(vals)
    return m, math.sqrt(sum((v - m) ** 2 for v in vals) / len(vals))


def paper_key(group: str) -> str | None:
    """The PAPER_FIGURES key that `group` names, if any (see the module docstring for the loose matching)."""
    if group in PAPER_FIGURES:
        return group
    if group in PAPER_GROUP_ALIASES:
        return PAPER_GROUP_ALIASES[group]
    c = _canon(group)
    for key in PAPER_FIGURES:
        if _canon(key) == c:
            return key
    for alias, key in PAPER_GROUP_ALIASES.items():
        if _canon(alias) == c:
            return key
    return None


def _canon(name: str) -> frozenset[str]:
    text = unicodedata.normalize("NFKC", name).lower()
    tags = (re.sub(r"[^a-z0-9]", "", part) for part in text.split("+"))
    return frozenset(_TAG_ALIASES.get(t, t) for t in tags if t)


def group_order(groups: Iterable[str]) -> list[str]:
    """Brute force, then the paper's groups in the paper's order, then the rest by name."""
    rank = {key: i for i, key in enumerate(PAPER_FIGURES)}

    def key(g: str) -> tuple:
        k = paper_key(g)
        return (0, rank[k], g) if k is not None else (1, 0, g)

    return sorted(set(groups), key=key)


def group_color(group: str, groups: Sequence[str]) -> str:
    k = paper_key(group)
    if k is not None:
        return GROUP_COLORS[k]
    others = [g for g in groups if paper_key(g) is None]
    return _SPARE_COLORS[others.index(group) % len(_SPARE_COLORS)] if group in others else _SPARE_COLORS[0]


def strategy_stats(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per strategy, over its seeds: mean ± std of bound and normalized bound, means of proof length and times."""
    by: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by[r["strategy"]].append(r)
    stats = []
    for name, rs in by.items():
        b = mean_std([r["bound"] for r in rs])
        nb = mean_std([r["normalized"] for r in rs])
        stats.append(
            {
                "strategy": name,
                "group": rs[0]["group"],
                "complexity": rs[0].get("complexity", ""),
                "seeds": len({r["seed"] for r in rs}),
                "bound_mean": b[0],
                "bound_std": b[1],
                "normalized_mean": nb[0],
                "normalized_std": nb[1],
                "check_ops_mean": mean_std([r["check_ops"] for r in rs])[0],
                "prove_seconds_mean": mean_std([r.get("prove_seconds") for r in rs])[0],
                "check_seconds_mean": mean_std([r.get("check_seconds") for r in rs])[0],
                "cert_bytes_mean": mean_std([r.get("cert_bytes") for r in rs])[0],
            }
        )
    order = {g: i for i, g in enumerate(group_order(s["group"] for s in stats))}
    return sorted(stats, key=lambda s: (order[s["group"]], -_num(s["normalized_mean"]), s["strategy"]))


def best_per_seed(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[int, Mapping[str, Any]]]:
    """group → seed → the row of the group's best strategy on that seed (highest bound; ties: name order)."""
    best: dict[str, dict[int, Mapping[str, Any]]] = defaultdict(dict)
    for r in sorted(rows, key=lambda r: (r["group"], r["seed"], r["strategy"])):
        cur = best[r["group"]].get(r["seed"])
        if cur is None or r["bound"] > cur["bound"]:
            best[r["group"]][r["seed"]] = r
    return dict(best)


def group_stats(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per group: the best strategy per seed, then mean ± std over seeds (paper-style); with the paper's figure."""
    best = best_per_seed(rows)
    n_strategies: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        n_strategies[r["group"]].add(r["strategy"])
    out = []
    for g in group_order(best):
        per_seed = list(best[g].values())
        b = mean_std([r["bound"] for r in per_seed])
        nb = mean_std([r["normalized"] for r in per_seed])
        key = paper_key(g)
        out.append(
            {
                "group": g,
                "strategies": len(n_strategies[g]),
                "seeds": len(per_seed),
                "bound_mean": b[0],
                "bound_std": b[1],
                "normalized_mean": nb[0],
                "normalized_std": nb[1],
                "paper": PAPER_FIGURES[key] if key else None,
                "paper_key": key,
            }
        )
    present = {s["paper_key"] for s in out}
    for key, fig in PAPER_FIGURES.items():  # the paper's groups that this sweep did not run, for comparison
        if key not in present:
            out.append({"group": key, "strategies": 0, "seeds": 0, "bound_mean": math.nan, "bound_std": math.nan,
                        "normalized_mean": math.nan, "normalized_std": math.nan, "paper": fig, "paper_key": key})
    return out


def pareto_frontier(points: Iterable[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """The points (label, proof length, bound) not beaten by a point that is no longer and at least as good:
    scanning by increasing length, a point is kept when its bound exceeds every bound seen so far (at equal
    lengths the better bound comes first). Returned in increasing length (and so increasing bound)."""
    pts = sorted(points, key=lambda p: (p[1], -p[2], p[0]))
    frontier: list[tuple[str, float, float]] = []
    best = -math.inf
    for p in pts:
        if p[2] > best:
            frontier.append(p)
            best = p[2]
    return frontier


def _num(x: float) -> float:
    return x if isinstance(x, (int, float)) and math.isfinite(x) else -math.inf


# ------------------------------------------------------------------------------------------------ formatting


def _pm(m: float, s: float, digits: int = 4) -> str:
    return "—" if not math.isfinite(m) else f"{m:.{digits}f} ± {s:.{digits}f}"


def _g(x: float, fmt: str = ".3g") -> str:
    return "—" if x is None or not math.isfinite(x) else format(x, fmt)


def group_table(gstats: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    header = ["group", "strategies", "seeds", "bound (best/seed)", "normalized (best/seed)", "paper", "paper metric",
              "ours − paper"]
    rows = []
    for s in gstats:
        fig: PaperFigure | None = s["paper"]
        ours = s["bound_mean"] if fig and fig.metric == "accuracy" else s["normalized_mean"]
        diff = f"{ours - fig.mean:+.{fig.digits}f}" if fig and math.isfinite(ours) else "—"
        rows.append([
            s["group"] if s["seeds"] else f"{s['group']} (not run)",
            str(s["strategies"]),
            str(s["seeds"]),
            _pm(s["bound_mean"], s["bound_std"]),
            _pm(s["normalized_mean"], s["normalized_std"]),
            fig.text() if fig else "—",
            fig.metric if fig else "—",
            diff,
        ])
    return header, rows


def strategy_table(sstats: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    header = ["strategy", "group", "complexity", "seeds", "bound", "normalized", "proof length (ops)", "prove s",
              "check s", "cert KiB"]
    rows = [
        [
            s["strategy"],
            s["group"],
            s["complexity"],
            str(s["seeds"]),
            _pm(s["bound_mean"], s["bound_std"]),
            _pm(s["normalized_mean"], s["normalized_std"]),
            _g(s["check_ops_mean"]),
            _g(s["prove_seconds_mean"], ".2f"),
            _g(s["check_seconds_mean"], ".2f"),
            _g(s["cert_bytes_mean"] / 1024 if s["cert_bytes_mean"] is not None else math.nan, ".1f"),
        ]
        for s in sstats
    ]
    return header, rows


def frontier_of(sstats: Sequence[Mapping[str, Any]]) -> list[tuple[str, float, float]]:
    return pareto_frontier(
        (s["strategy"], s["check_ops_mean"], s["bound_mean"])
        for s in sstats
        if math.isfinite(_num(s["check_ops_mean"])) and s["check_ops_mean"] > 0 and math.isfinite(_num(s["bound_mean"]))
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def esc(x: str) -> str:
        return x.replace("|", "\\|")

    lines = ["| " + " | ".join(map(esc, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(esc, r)) + " |" for r in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ figures


def _wrap(label: str, width: int = 16) -> str:
    label = re.sub(r"\s*\+\s*", " + ", label)
    return "\n".join(textwrap.wrap(label, width, break_on_hyphens=True, break_long_words=False)) or label


def plot_bound_vs_length(rows: Sequence[Mapping[str, Any]], sstats: Sequence[Mapping[str, Any]]) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import LogLocator

    groups = group_order(r["group"] for r in rows)
    fig = Figure(figsize=(11, 6.2), layout="constrained")
    ax = fig.add_subplot()
    measured = [r for r in rows if r["check_ops"]]
    lo = min(r["check_ops"] for r in measured)
    hi = max(r["check_ops"] for r in measured)
    xlim = (lo / 3, hi * 3)
    ylo = max(0.0, math.floor((min(r["bound"] for r in rows) - 0.02) * 20) / 20)
    ylim = (ylo, 1 + 0.025 * (1 - ylo))
    for g in groups:
        pts = [(r["check_ops"], r["bound"]) for r in measured if r["group"] == g]
        if not pts:
            continue
        n_strat = len({r["strategy"] for r in rows if r["group"] == g})
        label = f"{g} ({n_strat} strateg{'y' if n_strat == 1 else 'ies'})"
        ax.scatter(*zip(*pts), s=16, alpha=0.55, color=group_color(g, groups), edgecolors="none", label=label, zorder=2,
                   clip_on=False)
    front = frontier_of(sstats)
    if front:
        import matplotlib.patheffects as pe

        xs = [p[1] for p in front]
        ys = [p[2] for p in front]
        ax.step([*xs, xlim[1]], [*ys, ys[-1]], where="post", color="black", lw=1.3, zorder=4,
                path_effects=[pe.withStroke(linewidth=3.2, foreground="white")],
                label="Pareto frontier of per-strategy means")
        ax.scatter(xs, ys, marker="D", s=90, facecolors="none", edgecolors="black", linewidths=1.2, zorder=5,
                   clip_on=False)
        label_y = _spread([y for _, _, y in front], gap=0.045 * (ylim[1] - ylim[0]), top=ylim[1] - 0.03 * (ylim[1] - ylim[0]))
        split = math.log10(xlim[0]) + 0.8 * (math.log10(xlim[1]) - math.log10(xlim[0]))
        for (name, x, y), ty in zip(front, label_y):
            right = math.log10(x) < split
            ax.annotate(name, (x, y), xytext=(28 if right else -28, ty), textcoords=("offset points", "data"),
                        ha="left" if right else "right", va="center", fontsize=8, zorder=6,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.6", "lw": 0.5, "alpha": 0.9},
                        arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "0.3", "shrinkA": 0, "shrinkB": 6})
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(LogLocator(base=10, subs=(2, 5)))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", axis="x", alpha=0.12)
    ax.set_xlabel("proof length: operations performed by the checker (log scale)")
    ax.set_ylabel("certified accuracy bound (fraction of all inputs)")
    seeds = len({r["seed"] for r in rows})
    ax.set_title(f"Accuracy bound vs proof length: {seeds} seed{'s' if seeds != 1 else ''}, "
                 f"{len({r['strategy'] for r in rows})} strategies incl. brute force")
    ax.legend(loc="lower right", fontsize=8.5, framealpha=0.92, title="group (points: one per seed)", title_fontsize=8.5)
    return fig


def _spread(ys: Sequence[float], gap: float, top: float) -> list[float]:
    """Label heights near `ys` (same order) at least `gap` apart and at most `top`: pushed up from the lowest,
    then down from the top if they ran over it."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    prev = -math.inf
    for i in order:
        out[i] = max(ys[i], prev + gap)
        prev = out[i]
    nxt = math.inf
    for i in reversed(order):
        out[i] = min(out[i], top, nxt - gap)
        nxt = out[i]
    return out


def plot_normalized_by_group(rows: Sequence[Mapping[str, Any]], gstats: Sequence[Mapping[str, Any]]) -> Any:
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    best = best_per_seed(rows)
    ran = [s for s in gstats if s["seeds"]]
    ran.sort(key=lambda s: -_num(s["normalized_mean"]))
    names = [s["group"] for s in ran]
    all_groups = group_order(best)
    fig = Figure(figsize=(max(7.0, 1.25 * len(names) + 3), 5.8), layout="constrained")
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # deterministic jitter
    data = [[r["normalized"] for r in best[g].values() if r["normalized"] is not None] for g in names]
    pos = np.arange(1, len(names) + 1)
    ax.boxplot(data, positions=pos, widths=0.5, showfliers=False, medianprops={"color": "black"},
               boxprops={"color": "#555555"}, whiskerprops={"color": "#555555"}, capprops={"color": "#555555"})
    for p, g, vals in zip(pos, names, data):
        jitter = rng.uniform(-0.15, 0.15, len(vals))
        ax.scatter(p + jitter, vals, s=14, alpha=0.6, color=group_color(g, all_groups), edgecolors="none", zorder=3)
    shown_paper = False
    for p, s in zip(pos, ran):
        fig_ = s["paper"]
        if fig_ is not None and fig_.metric == "normalized":
            ax.errorbar(p + 0.36, fig_.mean, yerr=fig_.std, fmt="D", ms=5, color="crimson", capsize=3, zorder=4)
            shown_paper = True
    ax.set_xticks(pos, [_wrap(n) for n in names], fontsize=9)
    ax.set_xlim(0.4, len(names) + 0.8)
    lows = [v for vals in data for v in vals] + [s["paper"].mean - s["paper"].std for s in ran
                                                  if s["paper"] is not None and s["paper"].metric == "normalized"]
    ax.set_ylim(max(0.0, math.floor((min(lows, default=0) - 0.02) * 20) / 20), 1.02)
    ax.grid(True, axis="y", alpha=0.35)
    ax.set_ylabel("normalized bound = bound / brute-force accuracy\n(best strategy of the group, per seed)")
    seeds = len({r["seed"] for r in rows})
    ax.set_title(f"Normalized accuracy bound by strategy group ({seeds} seed{'s' if seeds != 1 else ''})")
    handles = [Line2D([], [], marker="o", ls="none", color="#777777", alpha=0.6, label="this sweep: one point per seed"),
               Line2D([], [], color="#555555", label="box: quartiles, median; whiskers 1.5 IQR")]
    if shown_paper:
        handles.append(Line2D([], [], marker="D", ls="-", color="crimson", ms=5, label="paper: mean ± std (151 seeds)"))
    ax.legend(handles=handles, loc="lower left", fontsize=8.5, framealpha=0.9)
    return fig


def _save(fig: Any, base: Path) -> list[Path]:
    import matplotlib

    paths = []
    with matplotlib.rc_context({"svg.hashsalt": "mechproof", "svg.fonttype": "path"}):
        for ext, kw in (("png", {"dpi": 150}), ("svg", {"metadata": {"Date": None}})):
            p = base.with_suffix(f".{ext}")
            fig.savefig(p, format=ext, facecolor="white", **kw)
            paths.append(p)
    return paths


# ------------------------------------------------------------------------------------------------ the report


@dataclass(frozen=True)
class Report:
    files: list[Path]
    markdown: str
    group_header: list[str]
    group_rows: list[list[str]]
    strategy_header: list[str]
    strategy_rows: list[list[str]]
    frontier: list[tuple[str, float, float]]
    failures: list[dict[str, Any]]
    group_stats: list[dict[str, Any]]
    strategy_stats: list[dict[str, Any]]


def render(results: str | Path, out_dir: str | Path | None = None) -> Report:
    """Read a sweep's results and write the figures (PNG + SVG) and report.md into `out_dir`
    (default <sweep folder>/report)."""
    rows, failures, file = load_results(results)
    if not rows:
        raise InputError(file, "rows", "no rows to report on")
    out = Path(out_dir) if out_dir is not None else file.parent / "report"
    out.mkdir(parents=True, exist_ok=True)
    sstats = strategy_stats(rows)
    gstats = group_stats(rows)
    files = _save(plot_bound_vs_length(rows, sstats), out / "bound_vs_length")
    files += _save(plot_normalized_by_group(rows, gstats), out / "normalized_by_group")
    gh, gr = group_table(gstats)
    sh, sr = strategy_table(sstats)
    front = frontier_of(sstats)
    seeds = sorted({r["seed"] for r in rows})
    md = [
        "# mechproof sweep report",
        "",
        f"Source: `{file}`: {len(rows)} rows, {len(seeds)} seeds ({_seed_text(seeds)}), "
        f"{len({r['strategy'] for r in rows})} strategies incl. brute force"
        + (f", **{len(failures)} failed tasks** (listed below)." if failures else "."),
        "",
        "Every bound below was accepted by the independent exact checker; *proof length* is the number of "
        "operations the checker performed (for brute force: the analytic count of `mechproof.sweep.brute_force_ops`). "
        "*normalized* = bound / exact brute-force accuracy of the same seed. Mean ± population std over seeds.",
        "",
        "![bound vs proof length](bound_vs_length.png)",
        "",
        "![normalized bound by group](normalized_by_group.png)",
        "",
        "## Groups (best strategy per seed within each group) vs the paper",
        "",
        "Paper: Gross et al. 2024, camera-ready figure legends, 151 seeds (paper-spec §7.1). The paper's brute-force "
        "figure is the true accuracy; the others are normalized bounds. The paper's bounds were computed in float32 "
        "without a checker; these are exact and checked.",
        "",
        markdown_table(gh, gr),
        "",
        "## Strategies",
        "",
        markdown_table(sh, sr),
        "",
        "## Pareto frontier (per-strategy means)",
        "",
        markdown_table(["strategy", "proof length (ops)", "bound"], [[n, f"{x:.3g}", f"{y:.4f}"] for n, x, y in front]),
        "",
    ]
    if failures:
        md += ["## Failed tasks", "", markdown_table(["seed", "strategy", "error"],
               [[str(f.get("seed")), str(f.get("strategy")), str(f.get("error"))] for f in failures]), ""]
    text = "\n".join(md)
    atomic_write(out / "report.md", text)
    files.append(out / "report.md")
    return Report(files, text, gh, gr, sh, sr, front, failures, gstats, sstats)


def _seed_text(seeds: Sequence[int]) -> str:
    if len(seeds) <= 8:
        return ", ".join(map(str, seeds))
    return f"{seeds[0]} … {seeds[-1]}"


def _pm_short(m: float, s: float, digits: int = 4) -> str:
    return "—" if not math.isfinite(m) else f"{m:.{digits}f}±{s:.{digits}f}"


def _rich_table(title: str) -> Any:
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, padding=(0, 1))


def rich_strategy_table(sstats: Sequence[Mapping[str, Any]], title: str = "Strategies: means over seeds (± population std)") -> Any:
    """A terminal-sized strategy table (report.md has every column)."""
    t = _rich_table(title)
    width = max((len(s["strategy"]) for s in sstats), default=8)
    t.add_column("strategy", overflow="fold", min_width=min(width, 30))
    for h in ("seeds", "bound", "normalized", "ops", "prove s", "check s"):
        t.add_column(h, justify="right", no_wrap=True)
    for s in sstats:
        t.add_row(
            s["strategy"],
            str(s["seeds"]),
            _g(s["bound_mean"], ".4f"),
            _pm_short(s["normalized_mean"], s["normalized_std"]),
            _g(s["check_ops_mean"], ".3g"),
            _g(s["prove_seconds_mean"], ".2f"),
            _g(s["check_seconds_mean"], ".2f"),
        )
    return t


def rich_group_table(gstats: Sequence[Mapping[str, Any]]) -> Any:
    t = _rich_table(
        "Groups vs the paper (151 seeds): best strategy per seed, mean ± std over seeds;\n"
        "brute force: accuracy, others: normalized bound"
    )
    t.add_column("group", min_width=14)
    for h in ("seeds", "ours", "paper", "ours−paper"):
        t.add_column(h, justify="right", no_wrap=True)
    for s in gstats:
        fig: PaperFigure | None = s["paper"]
        metric = fig.metric if fig else "normalized"
        m, sd = (s["bound_mean"], s["bound_std"]) if metric == "accuracy" else (s["normalized_mean"], s["normalized_std"])
        diff = f"{m - fig.mean:+.{fig.digits}f}" if fig and math.isfinite(m) else "—"
        t.add_row(
            s["group"],
            str(s["seeds"]) if s["seeds"] else "not run",
            _pm_short(m, sd),
            f"{fig.mean:.{fig.digits}f}±{fig.std:.{fig.digits}f}" if fig else "—",
            diff,
            style=None if s["seeds"] else "dim",
        )
    return t


def rich_tables(rep: Report) -> list[Any]:
    front = _rich_table("Pareto frontier (per-strategy means)")
    front.add_column("strategy", overflow="fold")
    front.add_column("proof length (ops)", justify="right")
    front.add_column("bound", justify="right")
    for n, x, y in rep.frontier:
        front.add_row(n, f"{x:.3g}", f"{y:.4f}")
    return [rich_group_table(rep.group_stats), rich_strategy_table(rep.strategy_stats), front]
