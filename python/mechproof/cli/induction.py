"""The induction task behind the shared commands: train, accuracy, certify, strategies and sweep.

A command hands a model to this module when the model is the induction task's: a name `ind<n>-seed<N>` (the two
tasks' configuration names are distinct, so a name determines its task), or a weights file whose `task` is
induction; `--task induction` or an induction `--config` say so where no model is named. Options of one task
only are refused for the other (exit 2, naming the option).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Optional

from rich.table import Table

from ..errors import InputError, did_you_mean
from ..tasks import INDUCTION as TASK, MAXK, TASKS
from .common import _check_output, _print_json, err, finish_sweep, out, print_estimate

_NAME = re.compile(r"^ind\d+-seed\d+$")
SUMMARY_BRUTE_LIMIT = 1 << 22
"""certify's summary brute-forces an induction model up to this many inputs (n = 6: 2.1·10^6, about 20 s on one
core); beyond, it says how to get the accuracy instead (n = 8 took 26 min with 2 workers)."""


def config_names() -> str:
    from ..tasks.induction.config import CONFIGS

    return ", ".join(f"{name} (n = {c.n_ctx})" for name, c in CONFIGS.items())


def is_induction(ref: str) -> bool:
    """Whether a model reference is the induction task's: a name ind<n>-seed<N>, or a weights file of the task."""
    from ..modelstore import is_path

    if not is_path(ref):
        return _NAME.match(ref) is not None
    try:
        doc = json.loads(Path(ref).read_bytes())
    except (OSError, ValueError):
        return False  # the Max-of-K path reports what is wrong with it
    return isinstance(doc, dict) and doc.get("task") == TASK


def resolve_task(task: Optional[str], model: Optional[str] = None, config: Optional[str] = None) -> str:
    """The task a command works on: --task if given (it must agree with the model and --config), else the
    model's, else --config's, else Max-of-K."""
    from ..tasks.induction.config import CONFIGS

    implied = None
    if model is not None:
        implied = TASK if is_induction(model) else MAXK
    elif config is not None:
        implied = TASK if config in CONFIGS else MAXK
    if task is None:
        return implied or MAXK
    if task not in TASKS:
        raise InputError(None, "--task", f"unknown task {task!r}; {did_you_mean(task, TASKS)}known: {', '.join(TASKS)}")
    if implied is not None and implied != task:
        what = f"the model {model!r}" if model is not None else f"--config {config}"
        raise InputError(None, "--task", f"{what} is of the {implied} task, not {task}")
    return task


def refuse(option: str, value: Any, task: str, why: str) -> None:
    """An option given (not None, not False) for a task that has no use for it is bad input."""
    if value is not None and value is not False:
        raise InputError(None, option, f"not an option of the {task} task: {why}")


# ------------------------------------------------------------------------------------------------ models


def train(model: Optional[str], seed: Optional[int], config: Optional[str], n: Optional[int], out_path: Optional[Path],
          quiet: bool) -> None:
    from ..tasks.induction.config import CONFIGS
    from ..tasks.induction.models import MODELS_DIR, model_name, parse_name, train_and_save

    if model is not None:
        if seed is not None or config is not None or n is not None:
            raise InputError(None, "MODEL", f"give a model name ({model}) or --seed/--n/--config, not both")
        config, seed = parse_name(model)
    if n is not None:
        by_n = {c.n_ctx: name for name, c in CONFIGS.items()}
        if n not in by_n:
            raise InputError(None, "--n", f"no induction configuration has n = {n}; known: {config_names()}")
        if config is not None and config != by_n[n]:
            raise InputError(None, "--n", f"--config {config} has n = {CONFIGS[config].n_ctx}, not {n}")
        config = by_n[n]
    config, seed = config or "ind6", 0 if seed is None else seed
    name = model_name(config, seed)
    path = out_path or MODELS_DIR / f"{name}.json"
    _check_output(path, "--out")
    w, seconds = train_and_save(config, seed, path, progress=not quiet)
    out.print(f"trained {config} seed {seed} in {seconds:.1f} s → {path} (sha256 {w.sha256[:16]}…)")


def accuracy(model: str, as_json: bool, workers: int, samples: Optional[int], sample_seed: int, confidence: float,
             quiet: bool) -> None:
    from ..tasks.induction.bruteforce import MAX_INPUTS, brute_force, estimate_accuracy
    from ..tasks.induction.models import load_ref

    w, path, _, _ = load_ref(model, progress=not quiet and not as_json)
    if samples is not None:
        est = estimate_accuracy(w, samples, sample_seed, confidence)
        print_estimate(path, est, confidence, sample_seed, as_json)
        return
    if w.cfg.n_inputs > MAX_INPUTS:
        raise InputError(path, "--samples", f"{w.cfg.n_inputs} inputs are beyond brute force (limit {MAX_INPUTS}); "
                         "estimate with --samples N")
    res = brute_force(w, workers, progress=not quiet and not as_json)
    doc = {
        "kind": "exact", "model": str(path), "correct": res.correct, "total": res.total, "accuracy": res.accuracy,
        "undecided_by_float": res.settled, "settled_exactly": res.settled - res.unresolved,
        "unresolved_ties": res.unresolved, "seconds": round(res.seconds, 3),
    }  # fmt: skip
    if as_json:
        print(json.dumps(doc))
    else:
        out.print(f"{path}: {res.correct}/{res.total} correct = {res.accuracy:.6f} ({doc['settled_exactly']} settled "
                  f"exactly, {res.unresolved} ties) in {res.seconds:.1f} s")


# ------------------------------------------------------------------------------------------------ proofs


def certify(model: str, strategy: Optional[str], depth: Optional[int], upper: bool, cert_root: Optional[Path],
            brute: bool, workers: int, as_json: bool, quiet: bool, lean: bool = True,
            max_slack: Optional[float] = None) -> None:
    """Train if missing → prove → write the certificate once the checker accepts it → summary (results.py's row)."""
    from ..certify import CERT_ROOT, compare_committed, lean_check
    from ..modelstore import model_name
    from ..tasks.induction.models import load_ref
    from ..tasks.induction.results import strategy_row
    from ..tasks.induction.strategies import DEFAULT_DEPTH, STRATEGIES

    strategy = strategy or "windows"
    if strategy not in STRATEGIES:
        raise InputError(None, "--strategy", f"unknown induction strategy {strategy!r}; "
                         f"{did_you_mean(strategy, STRATEGIES)}known: {', '.join(STRATEGIES)}")
    depth = DEFAULT_DEPTH if depth is None else depth
    start = time.perf_counter()
    progress = not quiet and not as_json
    folder = (cert_root or CERT_ROOT) / model_name(model)
    _check_output(folder, "--cert-root", folder=True)
    w, _, name, trained = load_ref(model, progress=progress)
    row = strategy_row(name, w, folder, strategy, depth, upper and strategy == "windows", workers, max_slack)
    cert = Path(row["certificate"])
    committed = compare_committed(cert)
    study = _committed_row(row)
    found = _brute(w, model, workers, brute, progress)
    lean_detail = lean_check(cert) if lean else "not run: disabled"
    lean_status = "failed" if lean_detail.startswith("FAILED") else "not run" if lean_detail.startswith("not run") else "checked"
    seconds = time.perf_counter() - start
    reproduced = [c for c in (committed, study) if c is not None]
    if as_json:
        _print_json({
            "model": name, "task": TASK, "strategy": strategy, "depth": depth, "max_slack": max_slack, "certificate": str(cert),
            "correct": row["correct"], "total": row["total"], "bound": row["bound"], "upper": row["upper"],
            "proof_length": row["proof_length"], "prove_seconds": row["prove_s"], "check_seconds": row["check_s"],
            "brute_force": found if isinstance(found, dict) else None,
            "brute_force_note": found if isinstance(found, str) else None,
            "lean": {"status": lean_status, "detail": lean_detail},
            "committed": None if committed is None else {"path": str(committed[0]), "match": committed[1]},
            "committed_row": None if study is None else {"path": str(study[0]), "match": study[1]},
            "trained": trained, "seconds": round(seconds, 3),
        })  # fmt: skip
    else:
        table = Table(title=f"mechproof certify {name} ({strategy}, depth {depth}"
                  + ("" if max_slack is None else f", max-slack {max_slack:g}") + ")", show_header=False)
        table.add_row("certificate", str(cert))
        table.add_row("certified bound", f"{row['correct']}/{row['total']} = {row['bound']:.6f}")
        if row["upper"] is not None:
            table.add_row("certified upper bound", f"{row['upper']}/{row['total']} = {row['upper'] / row['total']:.6f}")
        table.add_row("proof length", f"{row['proof_length']:,} checker operations")
        table.add_row("proof time", f"{row['prove_s']:.2f} s")
        table.add_row("independent check", f"OK in {row['check_s']:.2f} s")
        table.add_row("Lean", lean_detail)
        if isinstance(found, dict):
            table.add_row("brute-force accuracy", f"{found['correct']}/{found['total']} = {found['accuracy']:.6f} "
                          f"({found['seconds']:.1f} s)")
        elif isinstance(found, str):
            table.add_row("brute-force accuracy", found)
        from .proofs import _COMMITTED

        if committed is not None:
            table.add_row("committed copy", _COMMITTED[committed[1]].format(committed[0]))
        if study is not None:
            table.add_row("committed row", _STUDY[study[1]].format(study[0]))
        table.add_row("total time", f"{seconds:.1f} s" + (" (incl. training)" if trained else ""))
        out.print(table)
    if lean_status == "failed" or any(match == "differs" for _, match in reproduced):
        import typer

        raise typer.Exit(1)


_STUDY = {
    "identical": "the certificate SHA-256 that {} records: reproduced byte for byte",
    "differs": "NOT REPRODUCED: {} records another certificate SHA-256 for the same weights",
    "other weights": "{} is about other weights",
}


def _committed_row(row: dict[str, Any]) -> tuple[Path, str] | None:
    """How the certificate compares with the committed study's row of the same model, strategy, depth and file
    name (results/induction/rows.jsonl keeps each certificate's SHA-256, not the file)."""
    from ..tasks.induction.study import FOLDER, ROWS, key, read_rows

    rows = read_rows(FOLDER) if (FOLDER / ROWS).is_file() else {}
    ref = rows.get(key(row))
    if ref is None or Path(ref["certificate"]).name != Path(row["certificate"]).name:
        return None
    where = Path(f"{FOLDER / ROWS} ({row['model']} {row['strategy']} depth {row['depth']})")
    if ref["weights_sha256"] != row["weights_sha256"]:
        return where, "other weights"
    return where, "identical" if ref["certificate_sha256"] == row["certificate_sha256"] else "differs"


def _brute(w: Any, model: str, workers: int, enabled: bool, progress: bool) -> dict[str, Any] | str | None:
    """The summary's brute force: the result, or why it was left out."""
    if not enabled:
        return None
    if w.cfg.n_inputs > SUMMARY_BRUTE_LIMIT:
        return (f"left out: {w.cfg.n_inputs:,} inputs (the summary brute-forces up to {SUMMARY_BRUTE_LIMIT:,}); "
                f"`mechproof accuracy {model}` computes it (n ≤ 8), or estimates it with --samples N")
    from ..tasks.induction.bruteforce import brute_force

    res = brute_force(w, workers, progress)
    return {"correct": res.correct, "total": res.total, "accuracy": res.accuracy, "seconds": round(res.seconds, 3)}


def strategy_rows() -> list[dict[str, Any]]:
    """The induction strategies as `mechproof strategies` lists them."""
    from ..tasks.induction.strategies import DEFAULT_DEPTH, STRATEGIES

    group = {"windows": "cases", "windows+residual": "exact"}
    return [{"name": s.name, "group": group[s.name], "complexity": s.complexity, "default_depth": DEFAULT_DEPTH}
            for s in STRATEGIES.values()]


# ------------------------------------------------------------------------------------------------ studies


def sweep(seeds: Optional[str], models: Optional[str], config: Optional[str], strategies: str, depths: Optional[str],
          upper: bool, out_dir: Optional[Path], workers: Optional[int], samples: int, quiet: bool) -> None:
    """`mechproof sweep --task induction` (tasks/induction/sweep.py): exit 0 every row present, 1 some failed,
    2 bad input or a folder in use, 130 interrupted."""
    from ..modelstore import is_path
    from ..sweep import parse_seeds, select_strategies
    from ..sweep.folder import usable_folder
    from ..sweep.runner import ProgressBar
    from ..tasks.induction.models import model_name, parse_name
    from ..tasks.induction.strategies import STRATEGIES
    from ..tasks.induction.sweep import Plan, names, run

    if models is not None:
        if seeds is not None or config is not None:
            raise InputError(None, "--models", "give --models, or --seeds with --config, not both")
        refs = [m.strip() for m in models.split(",")]
        if not all(refs):
            raise InputError(None, "--models", f"expected model names or weights files separated by commas; got {models!r}")
        for ref in refs:
            if not is_path(ref):
                try:
                    parse_name(ref)
                except InputError as e:
                    raise InputError(None, "--models", e.message) from None
    elif seeds is None:
        raise InputError(None, "--seeds", "give --seeds N..M (with --config, default ind6) or --models")
    else:
        refs = [model_name(config or "ind6", s) for s in parse_seeds(seeds)]
    plan = Plan(tuple(refs), tuple(select_strategies(strategies, STRATEGIES)), tuple(_depths(depths)), upper,
                workers or 1, samples)
    out_dir = usable_folder(out_dir or Path("results") / "induction-sweep")
    names(plan.models)  # two files of one name are refused before the folder is touched
    per_model = 1 + len(plan.strategies) * len(plan.depths)
    err.print(f"sweep: {len(refs)} induction model{'s' * (len(refs) != 1)} × ({len(plan.strategies)} strateg"
              f"{'ies' if len(plan.strategies) != 1 else 'y'} × depth {', '.join(map(str, plan.depths))} + the reference "
              f"row) → {out_dir} ({plan.workers} worker{'s' * (plan.workers != 1)})", highlight=False)
    bar = ProgressBar(len(refs) * per_model, 0, not quiet, err)

    def event(kind: str, key: tuple[str, str, int], text: str) -> None:
        if kind == "failed":
            bar.note(f"[red]FAILED[/red] {key[0]} {key[1]} depth {key[2]}: {text}")
        bar.advance(f"{key[0]} {key[1]}" + (f" depth {key[2]}" if key[2] else ""))

    with bar:
        summary = run(out_dir, plan, event)
    _sweep_table(summary, plan, out_dir)
    out.print(f"{summary.done} computed, {summary.skipped} already present, {len(summary.failed)} failed, "
              f"{summary.seconds:.1f} s wall → {out_dir / 'rows.jsonl'}, {out_dir / 'table.csv'}", highlight=False)
    finish_sweep(summary.interrupted, [f"FAILED {f['model']} {f['strategy']} depth {f['depth']}: {f['error']}" for f in summary.failed])


def _depths(spec: Optional[str]) -> list[int]:
    from ..tasks.induction.strategies import DEFAULT_DEPTH

    if spec is None:
        return [DEFAULT_DEPTH]
    try:
        depths = sorted({int(p) for p in spec.split(",")})
    except ValueError:
        depths = []
    if not depths or depths[0] < 0:
        raise InputError(None, "--depths", f"expected non-negative integers separated by commas (e.g. 1 or 1,2); got {spec!r}")
    return depths


def _sweep_table(summary: Any, plan: Any, out_dir: Path) -> None:
    """The rows of this sweep's models, as table.csv has them: bound and upper (certified), the reference
    accuracy (brute force, or ≤ an estimate's upper confidence limit), proof length ÷ brute force's, prove + check
    seconds."""
    from ..tasks.induction.study import table_rows
    from ..tasks.induction.sweep import names

    mine = set(names(plan.models))
    table = Table(title=f"mechproof sweep --task induction → {out_dir}", box=None)
    for col in ("model", "strategy", "d", "bound", "upper", "accuracy", "÷brute", "s"):
        table.add_column(col, no_wrap=True, justify="left" if col in ("model", "strategy") else "right")
    for line in table_rows(summary.rows):
        if line["model"] not in mine:
            continue
        ref = "" if line["reference"] is None else (
            f"{line['reference_low']:.6f}" if line["reference"] == "bruteforce" else f"≤{line['reference_high']:.6f}")
        ratio = line["proof_length_vs_bruteforce"]
        table.add_row(line["model"], line["strategy"], str(line["depth"]), f"{line['bound']:.5f}",
                      "" if line["upper"] == "" else f"{line['upper'] / line['total']:.5f}", ref,
                      "" if ratio == "" else f"{ratio:.1%}", f"{line['prove_s'] + line['check_s']:.1f}")
    out.print(table)
