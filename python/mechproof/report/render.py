"""`render`: a sweep's figures and report.md, the document a researcher reads first (groups against the paper,
then the figures, the time split, the differences from the paper, and every strategy as an appendix)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..errors import InputError
from ..files import atomic_write
from .differences import differences_text
from .fig_frontier import plot_bound_vs_length
from .fig_groups import plot_normalized_by_group
from .fig_seeds import plot_per_seed
from .figures import save
from .stats import frontier_of, group_stats, load_results, strategy_stats, timing_summary
from .tables import (
    frontier_table,
    group_table,
    markdown_table,
    rich_group_table,
    rich_rows,
    rich_strategy_table,
    strategy_table,
    timing_table,
)

DIFFERENCES_HEADING = "Where our bounds differ from the paper's and why"


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
    timing: dict[str, Any]


def render(results: str | Path, out_dir: str | Path | None = None) -> Report:
    """Read a sweep's results (folder, results.json or results.csv) and write the figures (PNG + SVG) and
    report.md into `out_dir` (default <sweep folder>/report)."""
    from ..sweep.timing import read_runs

    rows, failures, file = load_results(results)
    if not rows:
        raise InputError(file, "rows", "no rows to report on")
    out = Path(out_dir) if out_dir is not None else file.parent / "report"
    out.mkdir(parents=True, exist_ok=True)
    sstats = strategy_stats(rows)
    gstats = group_stats(rows)
    timing = timing_summary(rows, read_runs(file.parent))
    files = save(plot_bound_vs_length(rows, sstats), out / "bound_vs_length")
    files += save(plot_normalized_by_group(rows, gstats), out / "normalized_by_group")
    per_seed = plot_per_seed(rows)
    if per_seed is not None:
        files += save(per_seed, out / "per_seed")
    gh, gr = group_table(gstats)
    sh, sr = strategy_table(sstats)
    front = frontier_of(sstats)
    seeds = sorted({r["seed"] for r in rows})
    md = [
        "# mechproof: certified accuracy bounds of Max-of-4 transformers",
        "",
        f"Source: `{file}`: {len(rows)} rows, {len(seeds)} seeds ({_seed_text(seeds)}), "
        f"{len({r['strategy'] for r in rows})} strategies incl. brute force"
        + (f", **{len(failures)} failed tasks** (listed below)." if failures else "."),
        "",
        "Every bound below was accepted by the independent exact checker; *proof length* is the number of "
        "operations the checker performed (for brute force: the analytic count of `mechproof.sweep.brute_force_ops`). "
        "*normalized* = bound / exact brute-force accuracy of the same seed. Mean ± population std over seeds.",
        "",
        "## Groups (best strategy per seed within each group) vs the paper",
        "",
        "Paper: Gross et al. 2024, camera-ready figure legends, 151 seeds (docs/paper.md §6.1). The paper's brute-force "
        "figure is the true accuracy; the others are normalized bounds. The paper's bounds were computed in float32 "
        "without a checker; these are exact and checked. *Seeds above paper mean*: how many of our seeds' best "
        "bounds in the group exceed the paper's mean (in the paper's metric).",
        "",
        markdown_table(gh, gr),
        "",
        "## Bound vs proof length",
        "",
        "Left: every proof. Right: the subcubic strategies (the dashed box at left), with each strategy's mean over "
        "seeds. The frontier links the per-strategy means that no shorter strategy beats on average. Dashed: the "
        "paper's means (docs/paper.md §6.1–§6.2) in this figure's metric, the bound itself: its brute-force accuracy, "
        "its cubic bound, and each subcubic group's normalized mean times its mean accuracy. Its x-axis counts FLOPs "
        "of its float32 code (docs/paper.md §6.3), so only the heights compare.",
        "",
        "![bound vs proof length](bound_vs_length.png)",
        "",
        markdown_table(*frontier_table(front)),
        "",
    ]
    if per_seed is not None:
        md += [
            "## Per seed: brute-force accuracy and the cubic bound",
            "",
            "The paper's cubic *bound* (not normalized) is the mean over its per-seed table (docs/paper.md §6.2).",
            "",
            "![per seed](per_seed.png)",
            "",
        ]
    md += [
        "## Normalized bound by group",
        "",
        "![normalized bound by group](normalized_by_group.png)",
        "",
        "## Time by stage",
        "",
        "Seconds summed over the rows (over all workers and machines); *wall time* is the sum of the recorded runs' "
        "wall times (runs.jsonl), so runs on machines in parallel each count in full. Training is counted only for "
        "models this sweep trained.",
        "",
        markdown_table(*timing_table(timing)),
        "",
        f"## {DIFFERENCES_HEADING}",
        "",
        *differences_text(gstats),
        "",
        "## Strategies",
        "",
        markdown_table(sh, sr),
        "",
    ]
    if failures:
        md += ["## Failed tasks", "", markdown_table(["seed", "strategy", "error"],
               [[str(f.get("seed")), str(f.get("strategy")), str(f.get("error"))] for f in failures]), ""]
    text = "\n".join(md)
    atomic_write(out / "report.md", text)
    files.append(out / "report.md")
    return Report(files, text, gh, gr, sh, sr, front, failures, gstats, sstats, timing)


def _seed_text(seeds: Sequence[int]) -> str:
    if len(seeds) <= 8:
        return ", ".join(map(str, seeds))
    return f"{seeds[0]} … {seeds[-1]}"


def rich_tables(rep: Report) -> list[Any]:
    """The terminal's view of a report: groups vs the paper, strategies, the frontier, time by stage."""
    return [
        rich_group_table(rep.group_stats),
        rich_strategy_table(rep.strategy_stats),
        rich_rows("Pareto frontier (per-strategy means)", *frontier_table(rep.frontier)),
        rich_rows("Time by stage", *timing_table(rep.timing)),
    ]
