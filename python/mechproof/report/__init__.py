"""`mechproof report`: figures and tables from a sweep's results, beside the paper's published numbers.

Modules: paper (the published numbers, group names and colours), stats (rows → statistics, frontier, time
split), tables (markdown and rich), one module per figure (fig_frontier: bound vs proof length with a zoom on
the subcubic strategies; fig_groups: normalized bound by group; fig_seeds: brute-force accuracy and cubic bound
per seed) on shared helpers (figures), and render (report.md and the files).
"""

from __future__ import annotations

from .paper import PAPER_FIGURES, PAPER_GROUP_ALIASES, PaperFigure, group_order, paper_key
from .render import DIFFERENCES_HEADING, Report, render, rich_tables
from .stats import best_per_seed, group_stats, load_results, mean_std, pareto_frontier, strategy_stats, timing_summary
from .tables import rich_strategy_table

__all__ = [
    "DIFFERENCES_HEADING",
    "PAPER_FIGURES",
    "PAPER_GROUP_ALIASES",
    "PaperFigure",
    "Report",
    "best_per_seed",
    "group_order",
    "group_stats",
    "load_results",
    "mean_std",
    "paper_key",
    "pareto_frontier",
    "render",
    "rich_strategy_table",
    "rich_tables",
    "strategy_stats",
    "timing_summary",
]
