"""The `mechproof` command line: train, measure, certify, check and audit Max-of-K models."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import InputError

app = typer.Typer(
    help=(
        "Machine-checked lower bounds on the accuracy of Max-of-K transformers.\n\n"
        "Models are referred to by name (seed42 → models/seed42.json, trained on demand) or by path. "
        "Certificates live in certificates/<model>/ next to an exact copy of the weights."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail_input(e: InputError) -> None:
    err.print(f"error: {e}", markup=False, highlight=False, style="red")
    raise typer.Exit(2)


@app.command()
def train(
    seed: int = typer.Option(42, help="Training seed: the same seed gives byte-identical weights on one machine."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Weights file to write (default models/seed<N>.json)."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Train one Max-of-4 model with the paper's recipe (AdamW, 3000 steps of 128 online samples) on CPU."""
    from .modelstore import MODELS_DIR, train_and_save

    path = out_path or MODELS_DIR / f"seed{seed}.json"
    w, seconds = train_and_save(seed, path, progress=not quiet)
    out.print(f"trained seed {seed} in {seconds:.1f} s → {path} (sha256 {w.sha256[:16]}…)")


@app.command()
def accuracy(
    model: str = typer.Argument(..., help="Model name (seed42) or weights file."),
    as_json: bool = typer.Option(False, "--json", help="Print {correct, total, accuracy, ...} as JSON."),
    device: Optional[str] = typer.Option(None, help="torch device for the float pass (default: cuda if present)."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Exact brute-force accuracy over all d_vocab^n_ctx inputs.

    A float pass decides an input only when its margin exceeds a proven bound on the rounding error; the rest
    are settled with interval arithmetic from the exact weights, and ties count as wrong.
    """
    from .bruteforce import brute_force
    from .modelstore import load_or_train

    try:
        w, path, _ = load_or_train(model, progress=not quiet and not as_json)
    except InputError as e:
        _fail_input(e)
    res = brute_force(w, device=device, progress=not quiet and not as_json)
    doc = {
        "model": str(path),
        "correct": res.correct,
        "total": res.total,
        "accuracy": res.accuracy,
        "undecided_by_float": res.undecided_by_float,
        "unresolved_ties": res.unresolved,
        "seconds": round(res.seconds, 3),
    }
    if as_json:
        print(json.dumps(doc))
    else:
        out.print(
            f"{path}: {res.correct}/{res.total} correct = {res.accuracy:.6f} "
            f"({res.undecided_by_float} settled exactly, {res.unresolved} ties) in {res.seconds:.1f} s"
        )


@app.command()
def certify(
    model: str = typer.Argument("seed42", help="Model name (seed42) or weights file."),
    strategy: str = typer.Option(
        "cubic",
        help="Proof strategy: cubic, one of the 100 subcubic-<eupu>-<attention>-<qk> variants, or cubic+residual "
        "(the exact accuracy, for d_vocab^n_ctx ≤ 2^28); mechproof strategies lists them.",
    ),
    paper_compatible: bool = typer.Option(
        False, help="Subcubic only: count m−g allowed tokens as the paper's code does (an undercount; still sound)."
    ),
    upper: bool = typer.Option(
        False,
        "--upper",
        help="Also certify an upper bound: list the inputs the cases leave out that are proven wrong "
        "(needs d_vocab^n_ctx ≤ 2^28; written to <strategy>-upper.json).",
    ),
    cert_root: Path = typer.Option(Path("certificates"), help="Root folder; the certificate goes in <root>/<model>/."),
    lean: bool = typer.Option(True, help="Write the Lean module and run `lake build` if Lean is installed."),
    brute: bool = typer.Option(True, help="Also compute the exact brute-force accuracy for the summary."),
    quiet: bool = typer.Option(False, help="No progress bars."),
) -> None:
    """Train if missing → prove → write the certificate → check it independently → summary."""
    from .certify import certify as run
    from .strategies import STRATEGIES

    if strategy not in STRATEGIES:
        _fail_input(InputError(None, "--strategy", f"unknown strategy {strategy!r}; known: {sorted(STRATEGIES)}"))
    start = time.perf_counter()
    try:
        rep = run(model, strategy, cert_root, progress=not quiet, lean=lean, paper_compatible=paper_compatible, upper=upper)
    except InputError as e:
        _fail_input(e)
    table = Table(title=f"mechproof certify {rep.model} ({strategy})", show_header=False)
    table.add_row("certificate", str(rep.certificate))
    table.add_row("certified bound", f"{rep.correct}/{rep.total} = {rep.bound:.6f}")
    if rep.upper is not None:
        table.add_row("certified upper bound", f"{rep.upper}/{rep.total} = {rep.upper / rep.total:.6f}")
    table.add_row("proof time", f"{rep.prove_seconds:.2f} s")
    table.add_row("independent check", f"OK in {rep.check_seconds:.2f} s")
    table.add_row("Lean", rep.lean)
    if brute:
        from .bruteforce import brute_force
        from .weights import load

        res = brute_force(load(rep.certificate.parent / "weights.json"), progress=not quiet)
        table.add_row("brute-force accuracy", f"{res.correct}/{res.total} = {res.accuracy:.6f} ({res.seconds:.1f} s)")
        table.add_row("bound / accuracy", f"{rep.correct / res.correct:.4f}")
    table.add_row("total time", f"{time.perf_counter() - start:.1f} s" + (" (incl. training)" if rep.trained else ""))
    out.print(table)
    if rep.lean.startswith("FAILED"):
        raise typer.Exit(1)


@app.command()
def strategies() -> None:
    """List the proof strategies with their group and asymptotic checking cost."""
    from .strategies import STRATEGIES
    from .strategies.subcubic import ATTENTION_OPTIONS, EUPU_OPTIONS, QK_OPTIONS

    table = Table(title="proof strategies")
    for col in ("name", "group", "checking cost"):
        table.add_column(col)
    for info in STRATEGIES.values():
        table.add_row(info.name, info.group, info.complexity)
    out.print(table)
    legend = [f"{k} = {v}" for opts in (EUPU_OPTIONS, ATTENTION_OPTIONS, QK_OPTIONS) for k, v in opts.items()]
    out.print("subcubic-<eupu>-<attention>-<qk> codes: " + "; ".join(legend), highlight=False)


@app.command()
def check(
    certificates: list[Path] = typer.Argument(..., help="Certificate files, or folders to search for them."),
) -> None:
    """Independently re-check certificates with exact integer arithmetic.

    Prints OK <correct>/<total> per certificate. Exit 0 if all hold, 1 if a claim fails (its id and the two
    values compared are printed), 2 for malformed input. A folder means every certificate below it (every
    *.json but weights.json).
    """
    from .checker import ClaimFailure, check as run

    status = 0
    paths = _expand(certificates)
    if not paths:
        _fail_input(InputError(None, "CERTIFICATES", f"no certificate files found in {[str(p) for p in certificates]}"))
    for path in paths:
        try:
            start = time.perf_counter()
            res = run(path)
            out.print(f"{path}: OK {res.correct}/{res.total} ({res.strategy}, {time.perf_counter() - start:.1f} s)")
        except ClaimFailure as e:
            err.print(f"{path}: FAIL {e}", highlight=False, markup=False)
            status = max(status, 1)
        except InputError as e:
            err.print(f"error: {e}", highlight=False, markup=False)
            status = 2
    raise typer.Exit(status)


def _expand(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(f for f in p.rglob("*.json") if f.name != "weights.json" and not f.name.startswith("."))
        else:
            found.append(p)
    return found


@app.command()
def audit(
    certificate: Path = typer.Argument(..., help="Certificate file."),
    claim: Optional[str] = typer.Option(
        None,
        help="Claim id. Cubic: inv_sqrt_d_head, exp_eqke[q,k], exp_eqkp[q,p], case[q,m,c], case[q,m,c]/k, bound. "
        "Subcubic: case[q,m,c], bound.",
    ),
    case: Optional[str] = typer.Option(
        None, help="A cubic case as m,q,k,c (max, query, non-max token, count), listed in the certificate or not."
    ),
) -> None:
    """Show one step of a certificate: its inputs, its rule and the recomputed exact values."""
    from .checker.audit import audit_case, audit_claim

    if (claim is None) == (case is None):
        _fail_input(InputError(None, "--claim/--case", "give exactly one of --claim ID or --case m,q,k,c"))
    try:
        if claim is not None:
            lines = audit_claim(certificate, claim)
        else:
            parts = case.split(",")  # type: ignore[union-attr]
            if len(parts) != 4 or not all(p.strip().isdigit() for p in parts):
                raise InputError(None, "--case", f"expected four integers m,q,k,c, got {case!r}")
            m, q, k, c = (int(p) for p in parts)
            lines = audit_case(certificate, m, q, k, c)
    except InputError as e:
        _fail_input(e)
    for line in lines:
        out.print(line, highlight=False, markup=False)


@app.command("import-weights")
def import_weights(
    source: Path = typer.Argument(..., help="TransformerLens state dict: .pt/.pth (torch.save) or .safetensors."),
    out_path: Path = typer.Option(..., "--out", help="Exact weights file to write (e.g. models/mine.json)."),
) -> None:
    """Convert a model trained elsewhere into an exact weights file (biases must be zero)."""
    from .statedict import import_state_dict
    from .weights import save

    try:
        w = import_state_dict(source)
    except InputError as e:
        _fail_input(e)
    save(w, out_path)
    out.print(f"{source} → {out_path} ({w.cfg.d_vocab} tokens, n_ctx {w.cfg.n_ctx}, sha256 {w.sha256[:16]}…)")


@app.command("export-weights")
def export_weights(
    model: str = typer.Argument(..., help="Model name or weights file."),
    out_path: Path = typer.Option(..., "--out", help="Output .safetensors or .pt with TransformerLens names."),
) -> None:
    """Write a model as a TransformerLens state dict (zero biases included)."""
    from .modelstore import model_path
    from .statedict import export_state_dict
    from .weights import load

    try:
        w = load(model_path(model))
    except InputError as e:
        _fail_input(e)
    export_state_dict(w, out_path)
    out.print(f"wrote {out_path}")


@app.command()
def sweep(
    seeds: str = typer.Option(..., help="paper (the paper's 151 seeds), N..M (inclusive) or N,M,... (or a mix)."),
    strategies: str = typer.Option(
        "all", help="all, or comma-separated names and shell-style globs (e.g. 'subcubic*'); a brute-force row is always added."
    ),
    out_dir: Path = typer.Option(
        Path("results/sweep"), "--out", help="Sweep folder: rows/, certificates/, results.csv, results.json."
    ),
    workers: Optional[int] = typer.Option(None, min=1, help="Worker processes, one seed at a time each (default: CPU cores)."),
    device: str = typer.Option(
        "auto",
        help="auto|cpu|cuda[:N]: where brute force and any training run (auto: cuda if present). Only CPU training is "
        "byte-for-byte deterministic; models trained elsewhere go to <out>/models/, and models/seedN.json is always reused.",
    ),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Prove bounds with many strategies on many seeds; keep only checked results.

    Per seed: train (or reuse models/seedN.json) and compute the exact
    brute-force accuracy; then per strategy: prove, write the certificate
    under <out>/certificates/seedN/ once the independent checker accepts it,
    and record a row (bound, normalized bound, proof length = checker
    operations, times).

    Resumable: each finished (seed, strategy) is its own file under
    <out>/rows/ and a rerun skips it; results.csv and results.json are
    rebuilt from the rows at the end of every run, Ctrl-C included.

    Exit 0 when every task has a row, 1 if some failed (see <out>/failures/),
    2 for bad arguments, 130 if interrupted.
    """
    import os

    from .sweep import SweepSpec, parse_seeds, resolve_device, run_sweep, select_strategies

    try:
        seed_list = parse_seeds(seeds)
        names = select_strategies(strategies)
        dev = resolve_device(device)
        target = (out_dir / "certificates").resolve()
        for committed in {Path("certificates").resolve(), Path(__file__).resolve().parents[2] / "certificates"}:
            if target == committed or committed in target.parents or target in committed.parents:
                raise InputError(None, "--out", f"{out_dir} would put sweep certificates into {committed}")
    except InputError as e:
        _fail_input(e)
    n_workers = workers or os.cpu_count() or 1
    spec = SweepSpec(out=out_dir, seeds=tuple(seed_list), strategies=tuple(names), workers=n_workers, device=dev)
    used = min(n_workers, len(seed_list))
    err.print(
        f"sweep: {len(seed_list)} seed{'s' * (len(seed_list) != 1)} × ({len(names)} "
        f"strateg{'ies' if len(names) != 1 else 'y'} + brute force) → {out_dir} "
        f"(up to {used} worker{'s' * (used != 1)}, device {dev})",
        highlight=False,
    )
    try:
        summary = run_sweep(spec, progress=not quiet, console=err)
    except InputError as e:
        _fail_input(e)
    from .report import rich_strategy_table, strategy_stats

    selected = {(s, n) for s in seed_list for n in ("brute-force", *names)}
    stats = strategy_stats([r for r in summary.rows if (r["seed"], r["strategy"]) in selected])
    out.print(rich_strategy_table(stats, f"mechproof sweep → {out_dir}: means over seeds (± std)"))
    out.print(
        f"{summary.done} computed, {summary.skipped} already present, {len(summary.failed)} failed, "
        f"{summary.seconds:.1f} s → {out_dir / 'results.csv'}, {out_dir / 'results.json'}",
        highlight=False,
    )
    for f in summary.failed:
        err.print(f"FAILED seed {f['seed']} {f['strategy']}: {f['error']}", highlight=False, markup=False)
    if summary.interrupted:
        err.print("interrupted: only complete rows were kept; rerun the same command to resume", highlight=False)
        raise typer.Exit(130)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def report(
    results: Path = typer.Argument(Path("results/sweep"), help="A sweep folder (or its results.json)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to write the figures and report.md (default <sweep>/report)."),
) -> None:
    """Figures (PNG + SVG) and tables from a sweep, beside the paper's numbers.

    bound_vs_length: bound vs proof length (log axis), one point per seed and
    strategy, coloured by group, with the Pareto frontier of the per-strategy
    means. normalized_by_group: the best normalized bound per seed in each
    group. report.md: mean ± std per group (best strategy per seed, as in the
    paper) and per strategy, also printed here.
    """
    from .report import render, rich_tables

    try:
        rep = render(results, out_dir)
    except InputError as e:
        _fail_input(e)
    for t in rich_tables(rep):
        out.print(t)
    for f in rep.files:
        out.print(f"wrote {f}", highlight=False)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
