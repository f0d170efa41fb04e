"""The local engine: every seed in this process, or seeds spread over a pool of spawned processes.

Each worker gets cpu_count // workers torch threads (training always uses one). With one worker, or one seed
left, everything runs in this process, with cpu_count // workers threads as well. Workers write their rows to
the sweep folder themselves (it is on this machine's disk) and report events to the parent through a queue, so
the progress bar moves per strategy.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import signal
import sys
from typing import Any

from ..tasks import Emit, SweepSpec, run_seed


def run_local(todo: list[tuple[int, list[str]]], spec: SweepSpec, handle: Emit) -> None:
    """Run `todo` with up to spec.workers processes; `handle` gets every event, in this process."""
    workers = max(1, min(spec.workers, len(todo)))
    if workers == 1:
        with torch_threads(threads_per_worker(spec.workers)):
            for seed, names in todo:
                run_seed(seed, names, spec, handle)
    else:
        _run_pool(todo, spec, workers, handle)


def threads_per_worker(workers: int) -> int:
    """torch threads for each of `workers` processes: the cores shared out, at least one. (More threads than
    free cores is far worse than fewer: torch's thread pool spins, and brute force on 2 busy cores went from
    3.5 s with 1 thread to 20-60 s with 2.)"""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class torch_threads:
    """Context manager: torch.set_num_threads(n), restored afterwards."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __enter__(self) -> None:
        import torch

        self.was = torch.get_num_threads()
        torch.set_num_threads(self.n)

    def __exit__(self, *exc: object) -> None:
        import torch

        torch.set_num_threads(self.was)


_QUEUE: Any = None


def _init_worker(q: Any, threads: int) -> None:
    """Pool worker setup: report through `q`, leave Ctrl-C to the parent, turn SIGTERM into a clean exit."""
    global _QUEUE
    _QUEUE = q
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds: temp files are removed on the way out
    import torch

    torch.set_num_threads(threads)


def _pool_task(task: tuple[int, list[str], SweepSpec]) -> list[tuple]:
    seed, names, spec = task
    events: list[tuple] = []

    def emit(event: tuple) -> None:
        events.append(event)
        _QUEUE.put(event)

    run_seed(seed, names, spec, emit)
    return events


def _run_pool(todo: list[tuple[int, list[str]]], spec: SweepSpec, workers: int, handle: Emit) -> None:
    ctx = mp.get_context("spawn")  # fork is unsafe with CUDA and with torch's thread pools
    q = ctx.Queue()
    threads = threads_per_worker(workers)
    seen: set[tuple[int, str]] = set()

    def take(event: tuple) -> None:
        key = (event[1], event[2])
        if key not in seen:
            seen.add(key)
            handle(event)

    expected = sum(len(names) for _, names in todo)
    pool = ctx.Pool(workers, initializer=_init_worker, initargs=(q, threads))
    try:
        res = pool.map_async(_pool_task, [(seed, names, spec) for seed, names in todo], chunksize=1)
        while len(seen) < expected and not res.ready():
            try:
                take(q.get(timeout=0.2))
            except queue_mod.Empty:
                pass
        for events in res.get():  # authoritative; also re-raises a worker's unexpected error
            for event in events:
                take(event)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
