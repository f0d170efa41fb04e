"""`mechproof sweep --task induction`: models × strategies × depths, one checked row each, in a results folder.

The folder has the layout of results/induction/ (study.py): rows.jsonl holds the rows (results.py builds them:
one brute-force or estimate row per model, one row per certificate), table.csv is rebuilt from them, and each
model's certificates and weights copy lie in <out>/<model>/. A run computes only the rows the folder does not hold
yet, keyed by (model, strategy, depth): first the model's reference row (brute force where it is within reach,
else an estimate from `samples` uniform inputs), then one row per strategy and depth. Each row is appended to
rows.jsonl as soon as it exists (the file is replaced atomically), so an interrupted run keeps every finished
row and a rerun skips them; rows already there are never dropped nor recomputed (to recompute, sweep into
another folder), and a folder whose rows of one model are of other weights than the model now has refuses that
model. One run at a time per folder: the sweep core's lock (sweep/folder.py). A row that fails leaves
failures/<model>/<strategy>-depth<d>.json (removed once the row exists) and is retried by the next run.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ...errors import InputError
from ...files import atomic_write
from .study import ROWS, TABLE, append_rows, read_rows, table_csv

BRUTE = "bruteforce"
Key = tuple[str, str, int]
"""(model, strategy, depth): the study's row key; the reference row is (model, "bruteforce", 0)."""


@dataclass(frozen=True)
class Plan:
    models: tuple[str, ...]  # names (models/<name>.json, trained when missing) or weights files
    strategies: tuple[str, ...]
    depths: tuple[int, ...]
    upper: bool = False  # windows also certifies its upper bound (the `wrong` claim)
    workers: int = 1  # processes for brute force and proving
    samples: int = 100_000  # uniform inputs of the estimate, where brute force is out of reach
    models_dir: Path = Path("models")

    def keys(self, name: str) -> list[Key]:
        return [(name, BRUTE, 0)] + [(name, s, d) for s in self.strategies for d in self.depths]


@dataclass
class Summary:
    jobs: int = 0
    skipped: int = 0
    done: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[Key, dict] = field(default_factory=dict)  # every row of the folder after the run
    interrupted: bool = False
    seconds: float = 0.0


def names(refs: tuple[str, ...]) -> list[str]:
    """The model name of each reference (a file's stem); two references of one name are bad input."""
    from ...modelstore import model_name

    seen: dict[str, str] = {}
    for ref in refs:
        name = model_name(ref)
        if name in seen:
            raise InputError(None, "--models", f"{seen[name]!r} and {ref!r} are both named {name!r} in a sweep folder")
        seen[name] = ref
    return list(seen)


def run(out: Path, plan: Plan, on_event: Callable[[str, Key, str], None] | None = None) -> Summary:
    """Compute every row of `plan` that `out` does not hold, then rebuild table.csv. `on_event(kind, key, text)`
    is told of every row: kind "skipped", "done" or "failed" (text: the error), in order."""
    from ...sweep.folder import folder_lock
    from ...sweep.timing import now_utc, record_run

    start, started = time.perf_counter(), now_utc()
    summary = Summary()
    tell = on_event or (lambda kind, key, text: None)
    with folder_lock(out):
        have = read_rows(out)  # a malformed or contradictory folder is refused before any work
        todo: list[tuple[str, list[Key]]] = []
        for ref, name in zip(plan.models, names(plan.models)):
            keys = plan.keys(name)
            summary.jobs += len(keys)
            missing = [k for k in keys if k not in have]
            summary.skipped += len(keys) - len(missing)
            for k in keys:
                if k not in missing:
                    tell("skipped", k, "")
            if missing:
                todo.append((ref, missing))
        try:
            for ref, missing in todo:
                _model(out, ref, missing, plan, summary, tell)
        except KeyboardInterrupt:
            summary.interrupted = True
        summary.rows = read_rows(out)
        atomic_write(out / TABLE, table_csv(summary.rows))
        summary.seconds = time.perf_counter() - start
        if todo:
            record_run(out, {
                "started": started, "wall_seconds": round(summary.seconds, 3), "engine": "local", "task": "induction",
                "workers": plan.workers, "driver": socket.gethostname(), "computed": summary.done,
                "failed": len(summary.failed), "skipped": summary.skipped, "interrupted": summary.interrupted,
            })  # fmt: skip
    return summary


def _model(out: Path, ref: str, missing: list[Key], plan: Plan, summary: Summary, tell: Callable) -> None:
    """The missing rows of one model; every key ends as a row or a failure record."""
    from .bruteforce import MAX_INPUTS
    from .models import load_ref
    from .results import bruteforce_row, strategy_row

    try:
        w, _, name, _ = load_ref(ref, plan.models_dir)
        for k, row in read_rows(out).items():
            if k[0] == name and row["weights_sha256"] != w.sha256:
                raise InputError(out / ROWS, name, f"rows of {name} are of weights {row['weights_sha256'][:12]}…, but "
                                 f"the model now has {w.sha256[:12]}…; sweep into another folder, or restore the weights")
    except Exception as e:  # the whole model fails: every key gets a failure record
        for k in missing:
            _fail(out, k, e, summary, tell)
        return
    for k in missing:
        _, strategy, depth = k
        try:
            if strategy == BRUTE:
                samples = 0 if w.cfg.n_inputs <= MAX_INPUTS else plan.samples
                row = bruteforce_row(name, w, plan.workers, samples)
            else:
                upper = plan.upper and strategy == "windows"
                row = strategy_row(name, w, out / name, strategy, depth, upper, plan.workers)
                ref_row = read_rows(out).get((name, BRUTE, 0))
                if ref_row is not None:
                    row["proof_length_vs_bruteforce"] = row["proof_length"] / ref_row["proof_length"]
        except Exception as e:
            _fail(out, k, e, summary, tell)
            continue
        append_rows(out, [row])
        failure_path(out, k).unlink(missing_ok=True)
        summary.done += 1
        tell("done", k, "")


def failure_path(out: Path, key: Key) -> Path:
    model, strategy, depth = key
    return Path(out) / "failures" / model / f"{strategy}-depth{depth}.json"


def _fail(out: Path, key: Key, e: BaseException, summary: Summary, tell: Callable) -> None:
    from ...sweep.tasks import describe

    msg = describe(e)
    record = {"model": key[0], "strategy": key[1], "depth": key[2], "error": msg}
    atomic_write(failure_path(out, key), json.dumps(record) + "\n")
    summary.failed.append(record)
    tell("failed", key, msg)
