"""The report's tables, as rows of strings for report.md and as rich tables for the terminal."""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from .paper import PaperFigure


def pm(m: float, s: float, digits: int = 4, sep: str = " ± ") -> str:
    return "—" if not math.isfinite(m) else f"{m:.{digits}f}{sep}{s:.{digits}f}"


def fmt(x: float | None, spec: str = ".3g") -> str:
    return "—" if x is None or not math.isfinite(x) else format(x, spec)


def _ours(s: Mapping[str, Any]) -> tuple[float, float]:
    """Our mean ± std in the paper's metric for the group (accuracy for brute force, else normalized)."""
    fig: PaperFigure | None = s["paper"]
    if fig is not None and fig.metric == "accuracy":
        return s["bound_mean"], s["bound_std"]
    return s["normalized_mean"], s["normalized_std"]


def _above(s: Mapping[str, Any]) -> str:
    return "—" if s["above_paper"] is None or not s["seeds"] else f"{s['above_paper']}/{s['seeds']}"


def group_table(gstats: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    header = ["group", "strategies", "seeds", "bound (best/seed)", "normalized (best/seed)", "paper", "paper metric",
              "ours − paper", "seeds above paper mean"]
    rows = []
    for s in gstats:
        fig: PaperFigure | None = s["paper"]
        ours = _ours(s)[0]
        rows.append([
            s["group"] if s["seeds"] else f"{s['group']} (not run)",
            str(s["strategies"]),
            str(s["seeds"]),
            pm(s["bound_mean"], s["bound_std"]),
            pm(s["normalized_mean"], s["normalized_std"]),
            fig.text() if fig else "—",
            fig.metric if fig else "—",
            f"{ours - fig.mean:+.{fig.digits}f}" if fig and math.isfinite(ours) else "—",
            _above(s),
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
            pm(s["bound_mean"], s["bound_std"]),
            pm(s["normalized_mean"], s["normalized_std"]),
            fmt(s["check_ops_mean"]),
            fmt(s["prove_seconds_mean"], ".2f"),
            fmt(s["check_seconds_mean"], ".2f"),
            fmt(s["cert_bytes_mean"] / 1024 if s["cert_bytes_mean"] is not None else math.nan, ".1f"),
        ]
        for s in sstats
    ]
    return header, rows


def frontier_table(front: Sequence[tuple[str, float, float]]) -> tuple[list[str], list[list[str]]]:
    """Numbered in order of length, as the zoom panel of the bound-vs-length figure numbers them."""
    return ["#", "strategy", "proof length (ops)", "bound"], [[str(i), n, f"{x:.3g}", f"{y:.4f}"]
                                                              for i, (n, x, y) in enumerate(front, start=1)]


STAGE_NAMES = {"train": "training", "brute": "brute force", "prove": "proving", "check": "checking"}
_STAGE_UNITS = {"train": "model trained", "brute": "seed", "prove": "strategy row", "check": "strategy row"}


def timing_table(t: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Per stage: total seconds, share of the total, how many items and seconds per item."""
    header = ["stage", "total", "share", "items", "per item"]
    rows = []
    total = t["cpu_seconds"]
    for stage, secs in t["stages"].items():
        n = t["counts"][stage]
        rows.append([STAGE_NAMES[stage], duration(secs), f"{secs / total:.1%}" if total else "—",
                     f"{n} × {_STAGE_UNITS[stage]}", f"{secs / n:.2f} s" if n else "—"])
    rows.append(["all stages (summed over workers)", duration(total), "100%" if total else "—", "", ""])
    if t["wall_seconds"] is not None:
        rows.append([f"wall time ({t['runs']} run{'s' * (t['runs'] != 1)})", duration(t["wall_seconds"]), "", "", ""])
    return header, rows


def duration(seconds: float) -> str:
    """'12.3 s', '4 min 05 s', '3 h 07 min'."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def esc(x: str) -> str:
        return x.replace("|", "\\|")

    lines = ["| " + " | ".join(map(esc, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(esc, r)) + " |" for r in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ terminal


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
            fmt(s["bound_mean"], ".4f"),
            pm(s["normalized_mean"], s["normalized_std"], sep="±"),
            fmt(s["check_ops_mean"], ".3g"),
            fmt(s["prove_seconds_mean"], ".2f"),
            fmt(s["check_seconds_mean"], ".2f"),
        )
    return t


def rich_group_table(gstats: Sequence[Mapping[str, Any]]) -> Any:
    t = _rich_table(
        "Groups vs the paper (151 seeds): best strategy per seed, mean ± std over seeds;\n"
        "brute force: accuracy, others: normalized bound"
    )
    t.add_column("group", min_width=14)
    for h in ("seeds", "ours", "paper", "ours−paper", "> paper"):
        t.add_column(h, justify="right", no_wrap=True)
    for s in gstats:
        fig: PaperFigure | None = s["paper"]
        m, sd = _ours(s)
        t.add_row(
            s["group"],
            str(s["seeds"]) if s["seeds"] else "not run",
            pm(m, sd, sep="±"),
            f"{fig.mean:.{fig.digits}f}±{fig.std:.{fig.digits}f}" if fig else "—",
            f"{m - fig.mean:+.{fig.digits}f}" if fig and math.isfinite(m) else "—",
            _above(s),
            style=None if s["seeds"] else "dim",
        )
    return t


def rich_rows(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Any:
    t = _rich_table(title)
    for i, h in enumerate(header):
        t.add_column(h, justify="left" if i == 0 else "right", overflow="fold")
    for r in rows:
        t.add_row(*r)
    return t
