"""`run_sweep`: find the tasks without a row, run them on an engine under a progress bar, rebuild the tables and
record the run's wall time and stage totals."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .folder import build_tables, folder_lock, load_failures, present_rows
from .tasks import SweepSpec
from .timing import record_run, stage_totals, now_utc


DEFAULT_BATCH = 10
"""Strategies per Ray task: about 10-30 s of work on the paper's model, small enough to spread a seed's 101
strategies over 11 workers, large enough that Ray's per-task cost is noise."""


@dataclass(frozen=True)
class Engine:
    """Where tasks run: "local" (this process or a process pool of spec.workers) or "ray" (a Ray cluster at
    `address`, tasks of `batch` strategies)."""

    kind: str = "local"
    address: str | None = None
    batch: int = DEFAULT_BATCH


@dataclass
class SweepSummary:
    tasks: int  # (seed, strategy) tasks selected, brute-force rows included
    skipped: int  # already present
    done: int  # computed now
    failed: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # every row under out/, as in results.json
    seconds: float = 0.0  # wall time of this run
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, over the rows computed now
    interrupted: bool = False


def pending_tasks(spec: SweepSpec) -> tuple[list[tuple[int, list[str]]], int]:
    """[(seed, [names without a row yet])] for seeds with work left, and the number of rows already present (in
    row files or in the folder's tables: folder.py)."""
    have = present_rows(spec.out)
    todo: list[tuple[int, list[str]]] = []
    present = 0
    for seed in spec.seeds:
        names = [name for name in (spec.reference, *spec.strategies) if (seed, name) not in have]
        present += 1 + len(spec.strategies) - len(names)
        if names:
            todo.append((seed, names))
    return todo, present


def run_sweep(
    spec: SweepSpec,
    progress: bool = True,
    console: Any = None,
    on_event: Callable[[tuple], None] | None = None,
    engine: Engine = Engine(),
) -> SweepSummary:
    """Run every missing (seed, strategy) task, then rebuild the tables (folder.py) and append the run to runs.jsonl.

    Ctrl-C stops the workers (only complete rows remain), rebuilds the tables and returns with
    `interrupted=True`. The Ray engine's module (and so `ray`) is imported only when `engine.kind == "ray"`.
    The folder is locked for the whole run: a second run into it is an InputError naming this one."""
    with folder_lock(spec.out):
        return _run_locked(spec, progress, console, on_event, engine)


def _run_locked(spec: SweepSpec, progress: bool, console: Any, on_event: Callable[[tuple], None] | None,
                engine: Engine) -> SweepSummary:
    start = time.perf_counter()
    started = now_utc()
    out = Path(spec.out)
    todo, present = pending_tasks(spec)
    load_failures(out)  # the tables are rebuilt from these too: a malformed one is refused before any work
    n_tasks = present + sum(len(names) for _, names in todo)
    summary = SweepSummary(tasks=n_tasks, skipped=present, done=0)
    computed: list[tuple[int, str]] = []

    bar = ProgressBar(n_tasks, present, progress, console)

    def handle(event: tuple) -> None:
        kind, seed, name = event[0], event[1], event[2]
        if kind == "done":
            summary.done += 1
            computed.append((seed, name))
        else:
            summary.failed.append({"seed": seed, "strategy": name, "error": event[3]})
            bar.note(f"[red]FAILED[/red] seed {seed} {name}: {event[3]}")
        bar.advance(f"seed {seed} {name}")
        if on_event is not None:
            on_event(event)

    try:
        with bar:
            if todo and engine.kind == "ray":
                from .engines.ray import run_ray

                run_ray(todo, spec, handle, engine.address or "auto", engine.batch)
            elif todo:
                from .engines.local import run_local

                run_local(todo, spec, handle)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.rows = build_tables(out)
    summary.seconds = time.perf_counter() - start
    new = set(computed)
    summary.stages = stage_totals(r for r in summary.rows if (r["seed"], r["strategy"]) in new)
    if todo:
        record_run(out, {
            "started": started,
            "wall_seconds": round(summary.seconds, 3),
            "engine": engine.kind if engine.kind == "local" else f"ray {engine.address or 'auto'}",
            "workers": spec.workers,
            "driver": socket.gethostname(),
            "hosts": sorted({str(r.get("host")) for r in summary.rows if (r["seed"], r["strategy"]) in new}),
            "seeds": len(spec.seeds),
            "computed": summary.done,
            "failed": len(summary.failed),
            "skipped": summary.skipped,
            "interrupted": summary.interrupted,
            "stages": summary.stages,
        })
    return summary


class ProgressBar:
    """A rich progress bar over the tasks (or nothing)."""

    def __init__(self, total: int, completed: int, enabled: bool, console: Any) -> None:
        self.enabled = enabled
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("[bold]sweep[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=console or Console(stderr=True),
        )
        self.task = self.progress.add_task("", total=total, completed=completed)

    def __enter__(self) -> "ProgressBar":
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def advance(self, label: str) -> None:
        if self.enabled:
            self.progress.update(self.task, advance=1, description=label)

    def note(self, text: str) -> None:
        if self.enabled:
            self.progress.console.print(text, highlight=False)
