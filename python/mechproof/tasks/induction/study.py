"""The committed induction results (results/induction/): `python -m mechproof.tasks.induction.study`.

The folder holds rows.jsonl (every row the results entry point, tasks/induction/results.py, printed: one
brute-force or estimate row per model, one row per certificate) and table.csv, rebuilt from rows.jsonl: one line
per model, strategy and depth, beside the model's brute force (or estimate) for the same weights; and the figure
anchors.{png,svg} (report.py), also rebuilt from rows.jsonl.

A run of the study computes only the runs of RUNS whose rows the folder does not hold yet, appends their rows, and
rebuilds the table from every row, so it never drops a committed row. Two rows for the same model, kind, strategy
and depth (and max_slack, the producer's choice, where a run set it) must agree in every column but the times and
the certificate's path (else the folder is refused).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from ...errors import InputError
from ...files import atomic_write

FOLDER = Path("results") / "induction"
ROWS = "rows.jsonl"
TABLE = "table.csv"

# (model, extra arguments of the results entry point, the row keys the run writes); ind6 first: the cheap part
_N6 = [(f"ind6-seed{s}", ["--upper"], {("bruteforce", 0), ("windows", 1), ("windows+residual", 1)}) for s in range(7)]
RUNS: list[tuple[str, list[str], set[tuple[str, int]]]] = _N6 + [
    ("ind8-seed0", ["--bruteforce-only"], {("bruteforce", 0)}),
    ("ind8-seed0", ["--no-bruteforce", "--strategy", "windows", "--depth", "1"], {("windows", 1)}),
    ("ind8-seed0", ["--no-bruteforce", "--strategy", "windows", "--depth", "2"], {("windows", 2)}),
    ("ind8-seed0", ["--no-bruteforce", "--strategy", "windows", "--depth", "2", "--max-slack", "90"], {("windows", 2, 90.0)}),
    ("ind8-seed0", ["--no-bruteforce", "--strategy", "windows+residual", "--depth", "3"], {("windows+residual", 3)}),
    ("ind10-seed0", ["--strategy", "windows", "--depth", "1"], {("bruteforce", 0), ("windows", 1)}),
]

VOLATILE = {"seconds", "prove_s", "check_s", "certificate", "proof_length_vs_bruteforce"}

COLUMNS = [
    "model", "n", "seed", "reference", "reference_correct", "reference_total", "reference_low", "reference_high",
    "strategy", "depth", "max_slack", "correct", "total", "bound", "upper", "exact", "proof_length", "proof_length_vs_bruteforce",
    "prove_s", "check_s", "certificate_sha256", "certificate_bytes", "weights_sha256",
]  # fmt: skip


def key(row: dict) -> tuple:
    """(model, strategy, depth), and the producer's max_slack after them for a run that set it."""
    if row["kind"] == "bruteforce":
        return row["model"], "bruteforce", 0
    extra = () if row.get("max_slack") is None else (row["max_slack"],)
    return (row["model"], row["strategy"], row["depth"], *extra)


def read_rows(folder: Path) -> dict[tuple, dict]:
    """The folder's rows by key (the first of equal rows; unequal ones are an InputError)."""
    path = folder / ROWS
    out: dict[tuple, dict] = {}
    if not path.is_file():
        return out
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            k = key(row)
        except (ValueError, KeyError, TypeError) as e:
            raise InputError(path, f"line {i}", f"expected a results row (JSON with model, kind, …): {e}") from None
        if k in out:
            a, b = ({c: v for c, v in r.items() if c not in VOLATILE} for r in (out[k], row))
            if a != b:
                diff = sorted(c for c in a.keys() | b.keys() if a.get(c) != b.get(c))
                raise InputError(path, f"line {i}", f"a second row for {k} differs from the first in {diff}")
            continue
        out[k] = row
    return out


def append_rows(folder: Path, rows: list[dict]) -> None:
    """Append rows to the folder's rows.jsonl (the whole file replaced atomically: a crash loses no row)."""
    path = folder / ROWS
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    atomic_write(path, old + "".join(json.dumps(r) + "\n" for r in rows))


def table_rows(rows: dict[tuple, dict]) -> list[dict]:
    """One line per certificate row, beside its model's brute force or estimate (which must be of the same weights)."""
    lines = []
    for (model, strategy, *_), r in rows.items():
        if strategy == "bruteforce":
            continue
        ref = rows.get((model, "bruteforce", 0))
        if ref is not None and ref["weights_sha256"] != r["weights_sha256"]:
            raise InputError(None, model, "its brute-force row and its certificate rows are of different weights")
        line = {c: r.get(c) for c in COLUMNS}
        line["upper"] = "" if r["upper"] is None else r["upper"]
        line["max_slack"] = "" if r.get("max_slack") is None else r["max_slack"]
        line["proof_length_vs_bruteforce"] = ""
        if ref is not None:
            exact = "correct" in ref
            line.update(
                reference="bruteforce" if exact else "estimate",
                reference_correct=ref["correct"] if exact else ref["sample_correct"],
                reference_total=ref["total"] if exact else ref["samples"],
                reference_low=ref["accuracy"] if exact else ref["ci95"][0],
                reference_high=ref["accuracy"] if exact else ref["ci95"][1],
                proof_length_vs_bruteforce=r["proof_length"] / ref["proof_length"],
            )  # fmt: skip
        lines.append(line)
    return sorted(lines, key=lambda x: (x["n"], x["seed"], x["strategy"], x["depth"], x["max_slack"] != "", x["max_slack"] or 0))


def table_csv(rows: dict[tuple, dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(table_rows(rows))
    return buf.getvalue()


def run(folder: Path, models: str) -> int:
    """Compute the missing runs of the models that start with `models` ("" for all), then rebuild the table."""
    from . import results  # torch: only to compute

    done = 0
    for model, args, keys in RUNS:
        if not model.startswith(models) or all((model, *k) in read_rows(folder) for k in keys):
            continue
        results.main([model, *args, "--out", str(folder)])
        done += 1
    atomic_write(folder / TABLE, table_csv(read_rows(folder)))
    from .report import build  # matplotlib: only to draw

    rebuilt = [folder / TABLE, *build(folder)]
    print(f"{done} runs computed; {', '.join(map(str, rebuilt))} rebuilt from {len(read_rows(folder))} rows")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mechproof.tasks.induction.study", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=FOLDER)
    ap.add_argument("--models", default="ind6", help="compute the missing runs of models starting with this ('' = all)")
    args = ap.parse_args(argv)
    try:
        return run(args.out, args.models)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
