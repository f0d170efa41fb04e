"""`mechproof report`: statistics, the Pareto frontier, group matching, and the rendered files."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from mechproof.cli import app
from mechproof.report import (
    PAPER_FIGURES,
    best_per_seed,
    group_stats,
    mean_std,
    pareto_frontier,
    paper_key,
    DIFFERENCES_HEADING,
    render,
    strategy_stats,
)
from mechproof.report.fig_frontier import plot_bound_vs_length

TOTAL = 1000


def _row(seed: int, strategy: str, group: str, correct: int, brute: int, ops: int) -> dict:
    return {
        "seed": seed,
        "strategy": strategy,
        "group": group,
        "complexity": "",
        "correct": correct,
        "total": TOTAL,
        "bound": correct / TOTAL,
        "brute_correct": brute,
        "brute_accuracy": brute / TOTAL,
        "normalized": correct / brute,
        "prove_seconds": 0.1,
        "check_seconds": 0.2 if strategy != "brute-force" else None,
        "check_ops": ops,
        "ops": {"add": ops},
        "cert_bytes": 1000 if strategy != "brute-force" else None,
    }


def _synthetic() -> list[dict]:
    """Two seeds, brute force, cubic, two strategies in each of two paper groups (spelt differently from the
    paper), and one group the paper does not have."""
    rows = []
    for seed, brute in ((1, 1000), (2, 800)):
        rows.append(_row(seed, "brute-force", "brute-force", brute, brute, 10**10))
        rows.append(_row(seed, "cubic", "cubic", int(0.95 * brute), brute, 10**7))
    # subcubic: A wins on seed 2, B on seed 1 → best per seed 0.7 (seed 1) and 0.9 (seed 2)
    rows += [_row(1, "sub-A", "subcubic", 500, 1000, 2 * 10**6), _row(2, "sub-A", "subcubic", 720, 800, 2 * 10**6)]
    rows += [_row(1, "sub-B", "subcubic", 700, 1000, 3 * 10**6), _row(2, "sub-B", "subcubic", 480, 800, 3 * 10**6)]
    rows += [_row(s, "aq", "attention-quadratic+direct-quadratic", 300 * b // 1000, b, 10**6) for s, b in ((1, 1000), (2, 800))]
    rows += [_row(s, "odd", "my-new-group", 100 * b // 1000, b, 5 * 10**6) for s, b in ((1, 1000), (2, 800))]
    return rows


def test_mean_std_is_population() -> None:
    assert mean_std([1, 2, 3, 4]) == (2.5, math.sqrt(1.25))
    assert mean_std([0.5, None, 0.7])[0] == pytest.approx(0.6)
    assert all(math.isnan(x) for x in mean_std([]))


def test_pareto_frontier_hand_example() -> None:
    pts = [("a", 10, 0.5), ("b", 5, 0.6), ("c", 20, 0.55), ("d", 20, 0.9), ("e", 5, 0.4), ("f", 100, 0.9), ("g", 1, 0.1)]
    # g is shortest; b beats it; a and c are dominated by b; d is best at 20; f is no better than d but longer
    assert pareto_frontier(pts) == [("g", 1, 0.1), ("b", 5, 0.6), ("d", 20, 0.9)]
    assert pareto_frontier([]) == []
    assert pareto_frontier([("x", 3, 0.2), ("y", 3, 0.2)]) == [("x", 3, 0.2)]


def test_groups_take_the_best_strategy_per_seed() -> None:
    rows = _synthetic()
    best = best_per_seed(rows)
    assert {s: r["strategy"] for s, r in best["subcubic"].items()} == {1: "sub-B", 2: "sub-A"}
    stats = {g["group"]: g for g in group_stats(rows)}
    sub = stats["subcubic"]
    assert (sub["strategies"], sub["seeds"]) == (2, 2)
    assert sub["normalized_mean"] == pytest.approx(0.8) and sub["normalized_std"] == pytest.approx(0.1)
    assert sub["bound_mean"] == pytest.approx((0.7 + 0.72) / 2)
    # per strategy, by contrast: sub-A (0.5, 0.9) and sub-B (0.7, 0.6)
    per = {s["strategy"]: s for s in strategy_stats(rows)}
    assert per["sub-A"]["normalized_mean"] == pytest.approx(0.7) and per["sub-B"]["normalized_mean"] == pytest.approx(0.65)
    assert stats["attention-quadratic+direct-quadratic"]["paper_key"] == "attention-quadratic + direct-quadratic"
    assert stats["my-new-group"]["paper"] is None
    # the paper's groups not in the sweep are still listed, for comparison
    assert stats["attention-d_vocab·d_model²"]["seeds"] == 0


def test_paper_group_names_match_loosely() -> None:
    assert paper_key("attention-dvocab-dmodel2+direct-quadratic") == "attention-d_vocab·d_model² + direct-quadratic"
    assert paper_key("Direct-Quadratic + Attention-Quadratic") == "attention-quadratic + direct-quadratic"
    assert paper_key("attention-dvdm²") == "attention-d_vocab·d_model²"
    assert paper_key("brute force") == "brute-force"
    assert paper_key("attention-quadratic") == "attention-quadratic"
    assert paper_key("quadratic") is None and paper_key("my-new-group") is None


@pytest.mark.slow
def test_render_writes_images_and_paper_table(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "results.json").write_text(json.dumps({"rows": _synthetic(), "failures": []}))
    rep = render(sweep)
    out = sweep / "report"
    names = sorted(p.name for p in rep.files)
    assert names == sorted(
        ["bound_vs_length.png", "bound_vs_length.svg", "normalized_by_group.png", "normalized_by_group.svg",
         "per_seed.png", "per_seed.svg", "report.md"]
    )
    for stem in ("bound_vs_length", "normalized_by_group", "per_seed"):
        png = out / f"{stem}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(png) as im:
            im.verify()
        with Image.open(png) as im:
            assert im.width >= 800 and im.height >= 500
            lo, hi = im.convert("L").getextrema()
            assert hi - lo > 100  # something is drawn on the white background
        root = ET.parse(out / f"{stem}.svg").getroot()
        assert root.tag.endswith("svg")
        assert len(list(root.iter())) > 100
    md = (out / "report.md").read_text()
    for fig in PAPER_FIGURES.values():
        assert fig.text() in md
    for text in ("0.9992 ± 0.0015", "0.9539 ± 0.0080", "0.700 ± 0.036", "0.675 ± 0.035", "0.633 ± 0.062",
                 "0.610 ± 0.060", "0.316 ± 0.037", "0.283 ± 0.037"):
        assert text in md
    # our subcubic group (best per seed: 0.8 ± 0.1) sits beside the paper's 0.700 ± 0.036
    sub_line = next(line for line in md.splitlines() if line.startswith("| subcubic |"))
    assert "0.8000 ± 0.1000" in sub_line and "0.700 ± 0.036" in sub_line and "+0.100" in sub_line
    assert sub_line.rstrip(" |").endswith("1/2")  # seed 2 (0.9) beats the paper's 0.700; seed 1 (0.700) does not
    # time by stage: 2 brute-force passes of 0.1 s, 10 strategy rows proved in 0.1 s and checked in 0.2 s each
    timing = md[md.index("## Time by stage"):]
    assert "| brute force | 0.2 s |" in timing and "| proving | 1.0 s |" in timing and "| checking | 2.0 s |" in timing
    differences = md.split(DIFFERENCES_HEADING)[1].split("\n## ")[0]
    assert "Placeholder" not in differences and "count fix" in differences
    assert "Best subcubic group: ours 0.8000" in differences  # this sweep's own mean, beside the paper's
    # frontier over per-strategy means: aq (1e6, 0.27), sub-A (2e6, 0.61); sub-B (3e6, 0.59) and odd (5e6, 0.09)
    # are dominated; cubic (1e7, 0.855), brute force (1e10, 0.9)
    assert [name for name, _, _ in rep.frontier] == ["aq", "sub-A", "cubic", "brute-force"]

    # the command: same files, rich tables on stdout, a custom --out
    res = CliRunner().invoke(app, ["report", str(sweep), "--out", str(tmp_path / "elsewhere")])
    assert res.exit_code == 0, res.output
    assert "0.700±0.036" in res.output and (tmp_path / "elsewhere" / "bound_vs_length.svg").is_file()


def test_report_without_results_is_an_input_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert res.exit_code == 2 and "results.json" in res.output


def test_above_paper_counts_seeds_in_the_papers_metric() -> None:
    stats = {g["group"]: g for g in group_stats(_synthetic())}
    assert stats["brute-force"]["above_paper"] == 1  # accuracies 1.0 and 0.8 against the paper's 0.9992
    assert stats["cubic"]["above_paper"] == 0  # normalized 0.95 (both seeds) against 0.9539
    assert stats["my-new-group"]["above_paper"] is None


def test_zoom_panel_holds_the_subcubic_cluster_only() -> None:
    rows = _synthetic()
    fig = plot_bound_vs_length(rows, strategy_stats(rows))
    full, zoom, key = fig.axes
    x0, x1 = zoom.get_xlim()
    cluster = [r["check_ops"] for r in rows if r["group"] not in ("brute-force", "cubic")]
    assert x0 <= min(cluster) and max(cluster) <= x1 < 10**7  # cubic (10^7) and brute force (10^10) stay outside
    assert full.get_xlim()[1] > 10**10 and full.get_xscale() == "log"
    assert "aq" in "".join(t.get_text() for t in key.texts)  # the frontier's key names the shortest strategy
    only_cubic = [r for r in rows if r["group"] in ("brute-force", "cubic")]
    assert len(plot_bound_vs_length(only_cubic, strategy_stats(only_cubic)).axes) == 1  # no cluster: no zoom


@pytest.mark.slow
def test_report_reads_a_committed_csv_table(tmp_path: Path) -> None:
    """A folder with only results.csv (the committed study) gives the same statistics as its results.json."""
    from mechproof.sweep.rows import csv_columns, table_csv

    rows = _synthetic()
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "results.json").write_text(json.dumps({"rows": rows, "failures": []}))
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "results.csv").write_text(table_csv(rows, csv_columns(rows)))
    a, b = render(tmp_path / "json"), render(tmp_path / "csv")
    assert a.group_rows == b.group_rows and a.strategy_rows == b.strategy_rows and a.frontier == b.frontier


def _flat_lines(ax) -> list[float]:  # noqa: ANN001
    """The y of every horizontal line drawn on `ax`."""
    out = []
    for line in ax.get_lines():
        ys = list(line.get_ydata())
        if len(ys) >= 2 and all(y == ys[0] for y in ys):
            out.append(float(ys[0]))
    return out


def test_bound_vs_length_shows_the_papers_reference() -> None:
    """The paper's means are drawn in this figure's metric (the bound itself): brute force's accuracy and the
    cubic bound as published, each subcubic group's normalized mean times the paper's mean accuracy."""
    from mechproof.report.paper import PAPER_CUBIC_BOUND

    rows = _synthetic()
    fig = plot_bound_vs_length(rows, strategy_stats(rows))
    full, zoom, _ = fig.axes
    assert PAPER_FIGURES["brute-force"].mean in _flat_lines(full) and PAPER_CUBIC_BOUND.mean in _flat_lines(full)
    acc = PAPER_FIGURES["brute-force"].mean
    for key in ("subcubic", "attention-quadratic + direct-quadratic"):  # the synthetic rows' paper groups
        assert any(math.isclose(y, PAPER_FIGURES[key].mean * acc) for y in _flat_lines(zoom)), key
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert "paper" in legend
