"""Where a sweep's time goes: train, brute force, prove, check, per seed and in total, and each run's wall time.

The rows already hold every measured duration (the brute-force row: train_seconds when this sweep trained the
model, and prove_seconds = the brute-force pass; each strategy row: prove_seconds and check_seconds), so the
per-stage figures are sums over rows, never a second record that could drift from them. Wall time is the one
thing rows cannot hold; runs.jsonl keeps it, one line per `mechproof sweep` run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import InputError
from .rows import REFERENCES, sort_key, table_csv

STAGES = ("train", "brute", "prove", "check")


def row_stages(row: Mapping[str, Any]) -> dict[str, float]:
    """The seconds one row spent in each stage (absent durations count 0)."""
    if row["strategy"] in REFERENCES:
        return {"train": row.get("train_seconds") or 0.0, "brute": row.get("prove_seconds") or 0.0,
                "prove": 0.0, "check": 0.0}
    return {"train": 0.0, "brute": 0.0, "prove": row.get("prove_seconds") or 0.0,
            "check": row.get("check_seconds") or 0.0}


def stage_totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    total = dict.fromkeys(STAGES, 0.0)
    for r in rows:
        for k, v in row_stages(r).items():
            total[k] += v
    return {k: round(v, 4) for k, v in total.items()}


def per_seed(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per seed: seconds per stage, the number of strategy rows, and whether the model was trained
    by the sweep (if not, its training time is unknown and counted 0)."""
    seeds: dict[int, list[Mapping[str, Any]]] = {}
    for r in sorted(rows, key=sort_key):
        seeds.setdefault(int(r["seed"]), []).append(r)
    out = []
    for seed, rs in seeds.items():
        brute = next((r for r in rs if r["strategy"] in REFERENCES), {})
        out.append({"seed": seed, **{f"{k}_seconds": v for k, v in stage_totals(rs).items()},
                    "strategies": sum(r["strategy"] not in REFERENCES for r in rs), "trained": brute.get("trained")})
    return out


def stages_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    return table_csv(per_seed(rows), ["seed", *(f"{k}_seconds" for k in STAGES), "strategies", "trained"])


def record_run(out: Path, record: Mapping[str, Any]) -> None:
    """Append one run's record to <out>/runs.jsonl (an append of one short line; a crash loses at most it)."""
    path = Path(out) / "runs.jsonl"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(dict(record), ensure_ascii=False, sort_keys=True) + "\n")


def read_runs(out: Path) -> list[dict[str, Any]]:
    """The run records of <out>/runs.jsonl, each a JSON object on its own line."""
    path = Path(out) / "runs.jsonl"
    if not path.is_file():
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, None, f"unreadable run records ({e})") from None
    runs = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            run = json.loads(line)
        except (ValueError, RecursionError) as e:
            raise InputError(path, f"line {i}", f"not a JSON run record ({type(e).__name__})") from None
        if not isinstance(run, dict):
            raise InputError(path, f"line {i}", "expected a JSON object (a run record)")
        runs.append(run)
    return runs


def now_utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
