"""The numbers of a report: rows read from a sweep, per-strategy and per-group statistics (the paper's way: best
strategy per seed within a group, then mean ± population std over seeds), the Pareto frontier, the time split."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..errors import InputError
from .paper import PAPER_FIGURES, group_order, paper_key

NEEDED = ("seed", "strategy", "group", "bound", "normalized", "check_ops")


def load_results(path: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Path]:
    """Rows and failures of a sweep: `path` is the sweep folder, its results.json or its results.csv (a folder
    without results.json, like the committed study, is read from results.csv). Returns (rows, failures, file)."""
    path = Path(path)
    if path.is_dir():
        file = path / "results.json" if (path / "results.json").is_file() else path / "results.csv"
    else:
        file = path
    if not file.is_file():
        raise InputError(file, None, "no results.json or results.csv here (run `mechproof sweep --out <folder>` first)")
    if file.suffix == ".csv":
        from ..sweep.rows import read_csv_table

        rows, failures = read_csv_table(file), []
    else:
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except ValueError as e:
            raise InputError(file, None, f"not valid JSON ({e})") from None
        rows = doc.get("rows") if isinstance(doc, dict) else doc
        failures = doc.get("failures", []) if isinstance(doc, dict) else []
    if not isinstance(rows, list):
        raise InputError(file, "rows", "expected a list of rows")
    for i, r in enumerate(rows):
        missing = [k for k in NEEDED if not isinstance(r, dict) or k not in r]
        if missing:
            raise InputError(file, f"rows[{i}]", f"missing {', '.join(missing)}")
    return rows, failures, file


def mean_std(values: Iterable[Any]) -> tuple[float, float]:
    """Mean and population standard deviation (the paper's convention); NaN for no values."""
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not vals:
        return math.nan, math.nan
    m = sum(vals) / len(vals)
    return m, math.sqrt(sum((v - m) ** 2 for v in vals) / len(vals))


def num(x: Any) -> float:
    """x if it is a finite number, else -inf (for sorting)."""
    return x if isinstance(x, (int, float)) and math.isfinite(x) else -math.inf


def strategy_stats(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per strategy, over its seeds: mean ± std of bound and normalized bound, means of proof length and times."""
    by: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by[r["strategy"]].append(r)
    stats = []
    for name, rs in by.items():
        b = mean_std(r["bound"] for r in rs)
        nb = mean_std(r["normalized"] for r in rs)
        stats.append(
            {
                "strategy": name,
                "group": rs[0]["group"],
                "complexity": rs[0].get("complexity") or "",
                "seeds": len({r["seed"] for r in rs}),
                "bound_mean": b[0],
                "bound_std": b[1],
                "normalized_mean": nb[0],
                "normalized_std": nb[1],
                "check_ops_mean": mean_std(r["check_ops"] for r in rs)[0],
                "prove_seconds_mean": mean_std(r.get("prove_seconds") for r in rs)[0],
                "check_seconds_mean": mean_std(r.get("check_seconds") for r in rs)[0],
                "cert_bytes_mean": mean_std(r.get("cert_bytes") for r in rs)[0],
            }
        )
    order = {g: i for i, g in enumerate(group_order(s["group"] for s in stats))}
    return sorted(stats, key=lambda s: (order[s["group"]], -num(s["normalized_mean"]), s["strategy"]))


def best_per_seed(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[int, Mapping[str, Any]]]:
    """group → seed → the row of the group's best strategy on that seed (highest bound; ties: name order)."""
    best: dict[str, dict[int, Mapping[str, Any]]] = defaultdict(dict)
    for r in sorted(rows, key=lambda r: (r["group"], r["seed"], r["strategy"])):
        cur = best[r["group"]].get(r["seed"])
        if cur is None or r["bound"] > cur["bound"]:
            best[r["group"]][r["seed"]] = r
    return dict(best)


def group_stats(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per group: the best strategy per seed, then mean ± std over seeds (paper-style), with the paper's figure
    and how many seeds beat the paper's mean (in the paper's metric: accuracy for brute force, else normalized)."""
    best = best_per_seed(rows)
    n_strategies: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        n_strategies[r["group"]].add(r["strategy"])
    out = []
    for g in group_order(best):
        per_seed = list(best[g].values())
        b = mean_std(r["bound"] for r in per_seed)
        nb = mean_std(r["normalized"] for r in per_seed)
        key = paper_key(g)
        fig = PAPER_FIGURES[key] if key else None
        above = None
        if fig is not None:
            col = "bound" if fig.metric == "accuracy" else "normalized"
            above = sum(1 for r in per_seed if r[col] is not None and r[col] > fig.mean)
        out.append(
            {
                "group": g,
                "strategies": len(n_strategies[g]),
                "seeds": len(per_seed),
                "bound_mean": b[0],
                "bound_std": b[1],
                "normalized_mean": nb[0],
                "normalized_std": nb[1],
                "paper": fig,
                "paper_key": key,
                "above_paper": above,
            }
        )
    present = {s["paper_key"] for s in out}
    for key, fig in PAPER_FIGURES.items():  # the paper's groups that this sweep did not run, for comparison
        if key not in present:
            out.append({"group": key, "strategies": 0, "seeds": 0, "bound_mean": math.nan, "bound_std": math.nan,
                        "normalized_mean": math.nan, "normalized_std": math.nan, "paper": fig, "paper_key": key,
                        "above_paper": None})
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


def frontier_of(sstats: Sequence[Mapping[str, Any]]) -> list[tuple[str, float, float]]:
    """The Pareto frontier of the per-strategy means (mean proof length, mean bound)."""
    return pareto_frontier(
        (s["strategy"], s["check_ops_mean"], s["bound_mean"])
        for s in sstats
        if math.isfinite(num(s["check_ops_mean"])) and s["check_ops_mean"] > 0 and math.isfinite(num(s["bound_mean"]))
    )


def timing_summary(rows: Sequence[Mapping[str, Any]], runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Seconds per stage summed over the rows (mechproof.sweep.timing), with how many rows or seeds each stage
    covers, and the wall time of the recorded runs (runs.jsonl; absent for a table without its folder)."""
    from ..sweep.timing import row_stages

    totals = dict.fromkeys(("train", "brute", "prove", "check"), 0.0)
    counts = dict.fromkeys(totals, 0)
    for r in rows:
        for stage, secs in row_stages(r).items():
            totals[stage] += secs
            counts[stage] += 1 if secs else 0
    return {
        "stages": totals,
        "counts": counts,
        "cpu_seconds": sum(totals.values()),
        "wall_seconds": sum(float(r.get("wall_seconds") or 0) for r in runs) if runs else None,
        "runs": len(runs),
        "hosts": sorted({str(r.get("host")) for r in rows if r.get("host")}),
    }
