"""The induction results beside the published anchors: `python -m mechproof.tasks.induction.report`.

Draws results/induction/anchors.{png,svg} from results/induction/rows.jsonl alone (study.read_rows): per seed at
n = 6, brute force's exact accuracy, the certified lower bound of each strategy and depth, and the anchor; at
n = 8 (seed 0), brute force and `windows` per depth with its prove + check time, and the anchor with its time.

The anchors are the best published compact proofs for this model family (v3 per seed at n = 6; v4, rigorous, at
seed 0 and at n = 8). They are of their own models, computed in floating point and checked by nothing: they are
drawn apart (hollow, dashed) and labelled so, never as certified numbers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ...errors import InputError
from .study import FOLDER, read_rows

ANCHORS_V3_N6 = {0: 0.9375, 1: 0.8458, 2: 0.9667, 3: 0.8458, 4: 0.9917, 5: 0.9271, 6: 0.9375}
"""Published v3 anchors per seed at n = 6 (their models, floating point, unchecked)."""
ANCHOR_V4_N6 = {0: 0.9990}
"""The published v4 anchor (rigorous) at n = 6, seed 0 (its model, floating point, unchecked)."""
ANCHOR_V4_N8 = (0.9368, 174.5)
"""The published v4 anchor at n = 8: its bound and its seconds (its model, floating point, unchecked)."""
ANCHOR_LABEL = "published anchor (its own model, floating point, unchecked)"
FIGURE = "anchors"


def figure_data(rows: dict[tuple, dict]) -> dict[str, Any]:
    """What the figure draws, from the rows only: per n = 6 seed the brute-force accuracy and every certified bound
    (series "<strategy> depth <d>"), and the n = 8 seed-0 rows."""
    n6: dict[str, dict[int, float]] = {"brute force (exact accuracy)": {}}
    n8: list[dict[str, Any]] = []
    for (model, strategy, depth, *slack), r in sorted(rows.items(), key=lambda kv: (kv[1]["n"], kv[1]["seed"], kv[0][1:])):
        name = f"{strategy} depth {depth}" + "".join(f" max-slack {x:g}" for x in slack)
        if r["n"] == 6:
            if strategy == "bruteforce":
                n6["brute force (exact accuracy)"][r["seed"]] = r["accuracy"]
            else:
                n6.setdefault(f"{name} (certified)", {})[r["seed"]] = r["bound"]
        elif r["n"] == 8 and r["seed"] == 0:
            if strategy == "bruteforce":
                n8.append({"label": "brute force", "value": r["accuracy"], "seconds": None})
            else:
                n8.append({"label": name, "value": r["bound"], "seconds": r["prove_s"] + r["check_s"]})
    if not n6["brute force (exact accuracy)"]:
        raise InputError(None, "rows", "no n = 6 rows to draw")
    return {"n6": n6, "n8": n8}


def draw(data: dict[str, Any]) -> Any:
    """The figure (a matplotlib Figure): left, n = 6 per seed; right, n = 8 seed 0. Each series is one Line2D
    whose label is the series' name (the tests read them back)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.4), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(2.0, 1.3))
    markers = iter("osD^v<>")
    for name, by_seed in data["n6"].items():
        seeds = sorted(by_seed)
        left.plot(seeds, [by_seed[s] for s in seeds], marker=next(markers), ls="-", lw=0.8, label=name)
    v3 = sorted(ANCHORS_V3_N6)
    left.plot(v3, [ANCHORS_V3_N6[s] for s in v3], marker="o", mfc="none", ls="none", color="crimson",
              label=f"v3 {ANCHOR_LABEL}")  # fmt: skip
    v4 = sorted(ANCHOR_V4_N6)
    left.plot(v4, [ANCHOR_V4_N6[s] for s in v4], marker="*", mfc="none", ms=11, ls="none", color="crimson",
              label=f"v4 (rigorous) {ANCHOR_LABEL}")  # fmt: skip
    left.set(xlabel="seed (n = 6, V = 16: 2,096,640 inputs)", ylabel="fraction of all inputs", ylim=(0.8, 1.005),
             title="n = 6: certified lower bounds per seed, beside the anchors")  # fmt: skip
    lows = "\n".join(f"{name.split(' (')[0]}: {min(v.values()):.7f}" for name, v in data["n6"].items())
    left.text(0.98, 0.45, f"lowest over the seeds\n{lows}", transform=left.transAxes, ha="right", fontsize=7)
    left.legend(fontsize=7, loc="lower left")
    for j, r in enumerate(data["n8"]):
        time = "" if r["seconds"] is None else f"\n{r['seconds']:.0f} s"
        right.plot([j], [r["value"]], marker="s", ls="none", color="C0", label=f"n8 {r['label']}")
        right.annotate(f"{r['value']:.4f}{time}", (j, r["value"]), textcoords="offset points", xytext=(0, -22),
                       ha="center", fontsize=7)  # fmt: skip
    k = len(data["n8"])
    value, seconds = ANCHOR_V4_N8
    right.plot([k], [value], marker="*", mfc="none", ms=11, ls="none", color="crimson", label=f"n8 v4 {ANCHOR_LABEL}")
    right.annotate(f"{value:.4f}\n{seconds} s\nunchecked", (k, value), textcoords="offset points", xytext=(0, -30),
                   ha="center", fontsize=7, color="crimson")  # fmt: skip
    ticks = [r["label"].replace("+", "+\n").replace(" depth ", "\ndepth ").replace(" max-slack ", "\nmax-slack ") for r in data["n8"]]
    right.set_xticks(range(k + 1), ticks + ["v4 anchor"], fontsize=6.5)
    right.set(ylim=(0.8, 1.005), xlim=(-0.5, k + 0.5), title="n = 8, seed 0 (s: prove + check)")
    return fig


def build(folder: Path = FOLDER) -> list[Path]:
    """`folder`/anchors.png and .svg from `folder`/rows.jsonl (nothing while it holds no n = 6 row)."""
    from .figures import save

    rows = read_rows(folder)
    if not any(r["n"] == 6 for r in rows.values()):
        return []
    return save(draw(figure_data(rows)), folder / FIGURE)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mechproof.tasks.induction.report", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=FOLDER, help="the results folder (its rows.jsonl is read)")
    args = ap.parse_args(argv)
    try:
        for p in build(args.out):
            print(f"wrote {p}")
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
