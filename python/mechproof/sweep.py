"""`mechproof sweep`: run proof strategies on many seeds, keep only checked results, tabulate them.

For each seed: train the model (or reuse models/seed<N>.json), compute its exact brute-force accuracy, then for
each selected strategy prove a bound, write the certificate under <out>/certificates/seed<N>/ only after the
independent checker has accepted it, and record one row. Rows:

    seed, strategy, group, complexity, correct, total, bound = correct/total, brute_correct, brute_accuracy,
    normalized = bound/brute_accuracy, prove_seconds, check_seconds, check_ops (the proof length: operations the
    checker performed), ops (the same by kind), cert_bytes, certificate, model_sha256

plus one pseudo-strategy row per seed, "brute-force" (bound = brute accuracy, normalized = 1, check_ops =
`brute_force_ops`, and the model's provenance: trained?, train_seconds, device).

Resuming. Every finished (seed, strategy) is its own small JSON file <out>/rows/seed<N>/<strategy>.json, written
atomically, so an interrupted run (Ctrl-C, a crash) leaves only complete rows and a rerun skips them. A row is
only valid for the model it was computed on: a rerun that finds rows for a different model (say, models/ was
retrained) refuses that seed instead of mixing them. A strategy that fails (an exception, or a certificate the
checker rejects) leaves <out>/failures/seed<N>/<strategy>.json instead of a row and is retried next time.
<out>/results.json and <out>/results.csv are rebuilt from all rows at the end of every run, interrupted or not.

Parallelism. Seeds are spread over a pool of processes (spawned, so CUDA works in them); each worker gets
cpu_count // workers torch threads (training always uses one). With one worker, or one seed left, everything runs
in this process, with cpu_count // workers threads as well. The parent draws a progress bar over the tasks.

Devices. `device` is where torch work runs: the brute-force float pass and, if a model has to be trained,
training. Only CPU training is byte-for-byte deterministic (mechproof.training), so models trained on another
device are written to <out>/models/, never to models/, where they would shadow the deterministic ones; an
existing models/seed<N>.json is always reused, whatever the device.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import json
import math
import multiprocessing as mp
import os
import queue as queue_mod
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .config import PAPER_SEEDS, ModelConfig, TrainConfig
from .errors import InputError
from .files import atomic_write
from .modelstore import MODELS_DIR

BRUTE = "brute-force"
"""Name (and group) of the brute-force pseudo-strategy row."""
BRUTE_COMPLEXITY = "O(V^n · n V)"

BASE_COLUMNS = (
    "seed",
    "strategy",
    "group",
    "complexity",
    "correct",
    "total",
    "bound",
    "brute_correct",
    "brute_accuracy",
    "normalized",
    "prove_seconds",
    "check_seconds",
    "check_ops",
)
TAIL_COLUMNS = ("cert_bytes", "certificate", "model_sha256")


# ------------------------------------------------------------------------------------------------ selections


def parse_seeds(spec: str) -> list[int]:
    """`paper` (the paper's 151 seeds), `N..M` (inclusive), `N,M,...`, or a comma-separated mix of these.

    Order is kept and repeats are dropped."""
    seeds: list[int] = []
    parts = [p.strip() for p in spec.split(",")]
    if not spec.strip() or any(not p for p in parts):
        raise InputError(None, "--seeds", f"expected paper, N..M or N,M,...; got {spec!r}")
    for part in parts:
        if part == "paper":
            seeds.extend(PAPER_SEEDS)
        elif ".." in part:
            lo, _, hi = part.partition("..")
            if not (lo.strip().isdigit() and hi.strip().isdigit()):
                raise InputError(None, "--seeds", f"a range is N..M with non-negative integers; got {part!r}")
            a, b = int(lo), int(hi)
            if a > b:
                raise InputError(None, "--seeds", f"empty range {part!r} (N..M needs N ≤ M)")
            seeds.extend(range(a, b + 1))
        elif part.isdigit():
            seeds.append(int(part))
        else:
            raise InputError(None, "--seeds", f"expected paper, N..M or a non-negative integer; got {part!r}")
    return list(dict.fromkeys(seeds))


def select_strategies(spec: str, registry: Mapping[str, Any] | None = None) -> list[str]:
    """`all`, or comma-separated names and shell-style globs (fnmatch) over the registry keys.

    Returns registry keys in registry order. `brute-force` is accepted (its row is always produced) and is not
    returned. An unknown name, or a glob that matches nothing, is an InputError."""
    if registry is None:
        from .strategies import STRATEGIES as registry
    keys = list(registry)
    parts = [p.strip() for p in spec.split(",")]
    if not spec.strip() or any(not p for p in parts):
        raise InputError(None, "--strategies", f"expected all, names or globs separated by commas; got {spec!r}")
    chosen: set[str] = set()
    for part in parts:
        if part == "all":
            chosen.update(keys)
        elif part == BRUTE:
            continue
        elif any(ch in part for ch in "*?["):
            hits = fnmatch.filter(keys, part)
            if not hits:
                raise InputError(None, "--strategies", f"pattern {part!r} matches no strategy; {_known(keys)}")
            chosen.update(hits)
        elif part in registry:
            chosen.add(part)
        else:
            import difflib

            close = difflib.get_close_matches(part, keys, n=3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise InputError(None, "--strategies", f"unknown strategy {part!r}; {hint}{_known(keys)}")
    return [k for k in keys if k in chosen]


def _known(keys: list[str]) -> str:
    if len(keys) <= 12:
        return f"known: {', '.join(keys)}"
    return f"{len(keys)} known, e.g. {', '.join(keys[:6])}, … (globs like 'subcubic*' select several)"


def resolve_device(device: str) -> str:
    """auto → cuda if torch sees a GPU, else cpu; cpu; cuda or cuda:N (which must exist)."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        return "cpu"
    if re.fullmatch(r"cuda(:\d+)?", device):
        if not torch.cuda.is_available():
            raise InputError(None, "--device", f"{device!r} requested but torch sees no CUDA device")
        return device
    raise InputError(None, "--device", f"expected auto, cpu or cuda[:N]; got {device!r}")


# ------------------------------------------------------------------------------------------------ layout


def _safe(name: str) -> str:
    """A file name for a strategy name: kept as is if harmless, else sanitised plus a short hash (no clashes)."""
    if re.fullmatch(r"[A-Za-z0-9+=@_-][A-Za-z0-9.+=@_-]*", name) and len(name) <= 150:
        return name
    clean = re.sub(r"[^A-Za-z0-9.+=@_-]", "_", name)[:120].lstrip(".")
    return f"{clean}~{hashlib.sha256(name.encode()).hexdigest()[:10]}"


def row_path(out: Path, seed: int, strategy: str) -> Path:
    return Path(out) / "rows" / f"seed{seed}" / f"{_safe(strategy)}.json"


def failure_path(out: Path, seed: int, strategy: str) -> Path:
    return Path(out) / "failures" / f"seed{seed}" / f"{_safe(strategy)}.json"


def _write_json(path: Path, doc: Mapping[str, Any]) -> None:
    atomic_write(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(path, None, f"unreadable sweep file ({e}); delete it to recompute") from None


# ------------------------------------------------------------------------------------------------ brute force


def brute_force_ops(cfg: ModelConfig) -> dict[str, int]:
    """Proof length of the brute-force "proof", counted analytically (it has no certificate to count from).

    Kinds and units are the checker's (one scalar mul/add/cmp, one exp enclosure; checker.arith.OPS):

    * precomputation, as the checker does it (checker.matrices.exact_matrices): Ẽ = W_E + W_pos[n−1] (V·d adds);
      Ẽ W_Q W_Kᵀ (V·d·h + V·h·d); W_V W_O W_U (d·h·d + d·d·V); EUPU, EVOU, EQKE (V·d·V each), PVOU (n·d·V),
      EQKP (V·d·n), a multiplication and an addition per term; then the V·V + V·n exp enclosures of EQKE and
      EQKP (after scaling by 1/√d_head: one more mul each);
    * per input, all V^n of them, the factored forward pass that bruteforce.py evaluates (its module docstring):
      per position p, w_p = tok[q,t_p]·pos[q,p] (1 mul), L_j = EUPU[q,j] + EVOU[t_p,j] + PVOU[p,j] (2V adds) and
      w_p·L_j (V muls); G_j = Σ_p w_p L_j ((n−1)V adds); W = Σ_p w_p (n−1 adds); the max token m (n−1 cmps);
      N_j = G_j − G_m (V−1 adds); max_{j≠m} N_j (V−2 cmps); τ = ηB·W (1 mul) and N's comparisons with ±τ (2 cmps).

    That is inputs × (n(V+1)+1 mul, 2nV+(n−1)(V+1)+V−1 add, n+V−1 cmp): for the paper's model (V=64, n=4)
    1098 operations per input, 1.84·10¹⁰ in all. It counts every input as checked on its own, which is what a
    brute-force proof is; bruteforce.py's implementation shares partial sums between inputs with a common suffix
    and does about 2V+6 float operations per input. (The paper's 1.4·10¹⁴ FLOPs count a full unfactored
    TransformerLens forward pass per input, paper-spec §7.4.)
    """
    V, n = cfg.d_vocab, cfg.n_ctx
    mats = matrix_ops(cfg)
    exps = V * V + V * n
    inputs = V**n
    per_mul = n * (V + 1) + 1
    per_add = 2 * n * V + (n - 1) * (V + 1) + (V - 1)
    per_cmp = (n - 1) + (V - 2) + 2
    return {
        "add": mats["add"] + inputs * per_add,
        "cmp": inputs * per_cmp,
        "exp": exps,
        "mul": mats["mul"] + exps + inputs * per_mul,
    }


def matrix_ops(cfg: ModelConfig) -> dict[str, int]:
    """The precomputation part of `brute_force_ops`: the exact matrices, counted as the checker counts them."""
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    products = V * d * h + V * h * d + d * h * d + d * d * V + 3 * V * d * V + n * d * V + V * d * n
    return {"add": V * d + products, "mul": products}


# ------------------------------------------------------------------------------------------------ the sweep


@dataclass(frozen=True)
class SweepSpec:
    """What to run. `model_cfg`/`train_cfg` default to the paper's (used only when a model must be trained; a
    given `model_cfg` is also required of reused models)."""

    out: Path
    seeds: tuple[int, ...]
    strategies: tuple[str, ...]
    workers: int = 1
    device: str = "cpu"  # a resolved torch device (resolve_device)
    models_dir: Path = MODELS_DIR
    model_cfg: ModelConfig | None = None
    train_cfg: TrainConfig | None = None


@dataclass
class SweepSummary:
    tasks: int  # (seed, strategy) tasks selected, brute-force rows included
    skipped: int  # already present
    done: int  # computed now
    failed: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # every row under out/, as in results.json
    seconds: float = 0.0
    interrupted: bool = False


Emit = Callable[[tuple], None]


def pending_tasks(spec: SweepSpec) -> tuple[list[tuple[int, list[str]]], int]:
    """[(seed, [names without a row yet])] for seeds with work left, and the number of rows already present."""
    todo: list[tuple[int, list[str]]] = []
    present = 0
    for seed in spec.seeds:
        names = [name for name in (BRUTE, *spec.strategies) if not row_path(spec.out, seed, name).is_file()]
        present += 1 + len(spec.strategies) - len(names)
        if names:
            todo.append((seed, names))
    return todo, present


def run_sweep(
    spec: SweepSpec,
    progress: bool = True,
    console: Any = None,
    on_event: Callable[[tuple], None] | None = None,
) -> SweepSummary:
    """Run every missing (seed, strategy) task, then rebuild results.{json,csv}; see the module docstring.

    Ctrl-C stops the workers (only complete rows remain), rebuilds the tables and returns with
    `interrupted=True`."""
    start = time.perf_counter()
    out = Path(spec.out)
    out.mkdir(parents=True, exist_ok=True)
    todo, present = pending_tasks(spec)
    n_tasks = present + sum(len(names) for _, names in todo)
    summary = SweepSummary(tasks=n_tasks, skipped=present, done=0)

    bar = _Bar(n_tasks, present, progress, console)

    def handle(event: tuple) -> None:
        kind, seed, name = event[0], event[1], event[2]
        if kind == "done":
            summary.done += 1
        else:
            summary.failed.append({"seed": seed, "strategy": name, "error": event[3]})
            bar.note(f"[red]FAILED[/red] seed {seed} {name}: {event[3]}")
        bar.advance(f"seed {seed} {name}")
        if on_event is not None:
            on_event(event)

    workers = max(1, min(spec.workers, len(todo)))
    try:
        with bar:
            if workers == 1:
                with _torch_threads(_threads_per_worker(spec.workers)):
                    for seed, names in todo:
                        _run_seed(seed, names, spec, handle)
            else:
                _run_pool(todo, spec, workers, handle)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.rows = build_tables(out)
    summary.seconds = time.perf_counter() - start
    return summary


class _Bar:
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

    def __enter__(self) -> "_Bar":
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


# ------------------------------------------------------------------------------------------------ workers


def _threads_per_worker(workers: int) -> int:
    """torch threads for each of `workers` processes: the cores shared out, at least one. (More threads than
    free cores is far worse than fewer: torch's thread pool spins, and brute force on 2 busy cores went from
    3.5 s with 1 thread to 20-60 s with 2.)"""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class _torch_threads:
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

    _run_seed(seed, names, spec, emit)
    return events


def _run_pool(todo: list[tuple[int, list[str]]], spec: SweepSpec, workers: int, handle: Emit) -> None:
    ctx = mp.get_context("spawn")  # fork is unsafe with CUDA and with torch's thread pools
    q = ctx.Queue()
    threads = _threads_per_worker(workers)
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


def _run_seed(seed: int, names: list[str], spec: SweepSpec, emit: Emit) -> None:
    """All missing tasks of one seed; emits exactly one ("done"|"failed", seed, name, ...) event per name."""
    remaining = list(names)
    try:
        w, model_info = _model(seed, spec)
        _same_model(spec.out, seed, w.sha256)
        brute_file = row_path(spec.out, seed, BRUTE)
        if BRUTE in remaining:
            brute = _brute_row(seed, w, model_info, spec.device)
            _write_json(brute_file, brute)
            failure_path(spec.out, seed, BRUTE).unlink(missing_ok=True)
            remaining.remove(BRUTE)
            emit(("done", seed, BRUTE, brute["prove_seconds"]))
        else:
            brute = _read_json(brute_file)
        cert_dir = Path(spec.out) / "certificates" / f"seed{seed}"
        if remaining:
            from .certify import save_weights_copy

            save_weights_copy(w, cert_dir / "weights.json")
    except Exception as e:  # the whole seed fails: every task gets a failure record
        msg = _describe(e)
        for name in remaining:
            _write_json(failure_path(spec.out, seed, name), {"seed": seed, "strategy": name, "error": msg})
            emit(("failed", seed, name, msg))
        return
    for name in remaining:
        try:
            row = _prove_row(seed, name, w, brute, cert_dir, spec.out)
        except Exception as e:
            msg = _describe(e)
            _write_json(failure_path(spec.out, seed, name), {"seed": seed, "strategy": name, "error": msg})
            emit(("failed", seed, name, msg))
            continue
        _write_json(row_path(spec.out, seed, name), row)
        failure_path(spec.out, seed, name).unlink(missing_ok=True)
        emit(("done", seed, name, row["prove_seconds"] + row["check_seconds"]))


def _describe(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:500]


def _model(seed: int, spec: SweepSpec) -> tuple[Any, dict[str, Any]]:
    """The seed's weights: models/seed<N>.json if present (any device), else trained (see module docstring)."""
    import torch

    from .modelstore import load_or_train, model_path

    name = f"seed{seed}"
    models_dir = Path(spec.models_dir)
    if not model_path(name, models_dir).is_file() and torch.device(spec.device).type != "cpu":
        models_dir = Path(spec.out) / "models"
    t0 = time.perf_counter()
    w, path, trained = load_or_train(
        name, progress=False, models_dir=models_dir, device=spec.device, cfg=spec.model_cfg, tcfg=spec.train_cfg
    )
    seconds = time.perf_counter() - t0
    if spec.model_cfg is not None and w.cfg != spec.model_cfg:
        raise InputError(path, "config", f"model config {w.cfg} differs from the sweep's {spec.model_cfg}")
    info = {
        "model": str(path),
        "trained": trained,
        "train_seconds": round(seconds, 4) if trained else None,
        "train_device": w.provenance.get("device", "cpu") if trained else None,
    }
    return w, info


def _same_model(out: Path, seed: int, sha: str) -> None:
    """Rows already present for this seed must have been computed on these weights."""
    folder = Path(out) / "rows" / f"seed{seed}"
    if not folder.is_dir():
        return
    for f in sorted(folder.glob("*.json")):
        row = _read_json(f)
        if row.get("model_sha256") != sha:
            raise InputError(
                f,
                "model_sha256",
                f"row was computed for model {str(row.get('model_sha256'))[:12]}…, but seed{seed} now has weights "
                f"{sha[:12]}…; delete {folder} to recompute this seed, or restore the old weights",
            )


def _brute_row(seed: int, w: Any, model_info: dict[str, Any], device: str) -> dict[str, Any]:
    from .bruteforce import brute_force

    res = brute_force(w, device=device, progress=False)
    ops = brute_force_ops(w.cfg)
    return {
        "seed": seed,
        "strategy": BRUTE,
        "group": BRUTE,
        "complexity": BRUTE_COMPLEXITY,
        "correct": res.correct,
        "total": res.total,
        "bound": res.accuracy,
        "brute_correct": res.correct,
        "brute_accuracy": res.accuracy,
        "normalized": 1.0 if res.correct else None,
        "prove_seconds": round(res.seconds, 4),
        "check_seconds": None,  # brute force is its own check
        "check_ops": sum(ops.values()),
        "ops": ops,
        "cert_bytes": None,
        "certificate": None,
        "model_sha256": w.sha256,
        **model_info,
        "device": device,
        "undecided_by_float": res.undecided_by_float,
        "unresolved_ties": res.unresolved,
    }


def _prove_row(seed: int, name: str, w: Any, brute: Mapping[str, Any], cert_dir: Path, out: Path) -> dict[str, Any]:
    from .certify import build_certificate, write_proven
    from .strategies import STRATEGIES

    info = STRATEGIES[name]
    t0 = time.perf_counter()
    proof = info.run(w)
    prove_seconds = time.perf_counter() - t0
    cert_path = cert_dir / f"{_safe(name)}.json"
    res, check_seconds = write_proven(build_certificate(w, proof), cert_path)
    if (res.correct, res.total) != (proof.correct, proof.total):  # the checker enforces this; be explicit
        raise AssertionError(f"checker counted {res.correct}/{res.total}, proof claimed {proof.correct}/{proof.total}")
    brute_correct = int(brute["brute_correct"])
    if res.total != int(brute["total"]):
        raise AssertionError(f"proof covers {res.total} inputs, brute force {brute['total']}")
    if res.correct > brute_correct:
        raise AssertionError(
            f"certified count {res.correct} exceeds the brute-force count {brute_correct}: a soundness bug "
            f"(certificate left at {cert_path})"
        )
    return {
        "seed": seed,
        "strategy": name,
        "group": info.group,
        "complexity": info.complexity,
        "correct": res.correct,
        "total": res.total,
        "bound": res.correct / res.total,
        "brute_correct": brute_correct,
        "brute_accuracy": brute_correct / res.total,
        "normalized": res.correct / brute_correct if brute_correct else None,
        "prove_seconds": round(prove_seconds, 4),
        "check_seconds": round(check_seconds, 4),
        "check_ops": res.total_ops,
        "ops": dict(sorted(res.ops.items())),
        "cert_bytes": cert_path.stat().st_size,
        "certificate": cert_path.relative_to(out).as_posix(),
        "model_sha256": w.sha256,
    }


# ------------------------------------------------------------------------------------------------ tables


def _sort_key(row: Mapping[str, Any]) -> tuple:
    return (int(row["seed"]), row["strategy"] != BRUTE, str(row["strategy"]))


def load_rows(out: Path) -> list[dict[str, Any]]:
    """Every row file under <out>/rows, sorted by (seed, brute-force first, strategy name)."""
    rows = [_read_json(f) for f in sorted((Path(out) / "rows").glob("seed*/*.json"))]
    return sorted(rows, key=_sort_key)


def load_failures(out: Path) -> list[dict[str, Any]]:
    fails = [_read_json(f) for f in sorted((Path(out) / "failures").glob("seed*/*.json"))]
    return sorted(fails, key=_sort_key)


def csv_columns(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Base columns, one ops_<kind> column per operation kind seen, the tail columns, then any other keys."""
    rows = list(rows)
    kinds = sorted({k for r in rows for k in (r.get("ops") or {})})
    known = set(BASE_COLUMNS) | set(TAIL_COLUMNS) | {"ops"}
    extra = sorted({k for r in rows for k in r if k not in known})
    return [*BASE_COLUMNS, *(f"ops_{k}" for k in kinds), *TAIL_COLUMNS, *extra]


def build_tables(out: Path) -> list[dict[str, Any]]:
    """(Re)write <out>/results.json and <out>/results.csv from the row files; returns the rows."""
    out = Path(out)
    rows = load_rows(out)
    columns = csv_columns(rows)
    doc = {
        "format": "mechproof-sweep-results",
        "version": 1,
        "columns": columns,
        "rows": rows,
        "failures": load_failures(out),
    }
    atomic_write(out / "results.json", json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        ops = r.get("ops") or {}
        writer.writerow([_cell(ops.get(c[4:]) if c.startswith("ops_") else r.get(c)) for c in columns])
    atomic_write(out / "results.csv", buf.getvalue())
    return rows


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v
