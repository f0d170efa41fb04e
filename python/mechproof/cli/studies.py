"""Commands on studies: sweep seeds × strategies (locally or on Ray), merge shards, compare with the committed
study, and render the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from . import induction
from .common import _config_names, _named_config, app, err, finish_sweep, out

@app.command()
def sweep(
    seeds: Optional[str] = typer.Option(
        None, help="paper (the paper's 151 seeds), N..M (inclusive) or N,M,... (or a mix). Required for Max-of-K."
    ),
    strategies: str = typer.Option(
        "all", help="all, or comma-separated names and shell-style globs (e.g. 'subcubic*'); a brute-force row is always added."
    ),
    out_dir: Optional[Path] = typer.Option(
        None, "--out", help="Sweep folder (Max-of-K: results/sweep, with rows/, certificates/, results.csv, "
        "results.json; induction: results/induction-sweep, with rows.jsonl, table.csv and <model>/ certificates)."
    ),
    workers: Optional[int] = typer.Option(
        None, min=1, help="Worker processes, one seed at a time each (default: CPU cores); induction: processes for "
        "each model's brute force and proofs (default 1)."
    ),
    device: str = typer.Option(
        "auto",
        help="auto|cpu|cuda[:N]: where brute force and any training run (auto: cuda if present). Only CPU training is "
        "byte-for-byte deterministic; models trained elsewhere go to <out>/models/, and models/seedN.json is always reused.",
    ),
    ray_address: Optional[str] = typer.Option(
        None,
        "--ray",
        metavar="ADDRESS",
        help="Run the tasks on a Ray cluster instead of local processes: auto (the cluster this machine joined with "
        "`ray start`), HOST:PORT or ray://HOST:PORT, or local (start Ray here with --workers CPUs). "
        "Needs the cluster extra: pip install -e '.[cluster]'.",
    ),
    batch: Optional[int] = typer.Option(None, min=1, help="With --ray: strategies per Ray task (default 10; each seed also "
                                        "has one task for its model and brute force)."),
    config: Optional[str] = typer.Option(
        None, help=f"Named configuration of the models (default k4): {_config_names()}; induction (default ind6): "
        f"{induction.config_names()}. Models are seedN (k4) or <config>-seedN; where brute force is out of reach each "
        "seed gets a sampled accuracy ESTIMATE row instead. One folder per config."
    ),
    samples: int = typer.Option(100_000, min=1, help="Uniform inputs of the accuracy estimate (configs beyond brute force)."),
    task: Optional[str] = typer.Option(None, help="maxk (default) or induction; an induction --config or --models implies it."),
    models: Optional[str] = typer.Option(
        None, help="Induction, instead of --seeds: comma-separated model names (ind6-seed0) or induction weights files."
    ),
    depths: Optional[str] = typer.Option(None, help="Induction: refinement depths of the cases, e.g. 1 or 1,2 (default 1)."),
    upper: bool = typer.Option(
        False, "--upper", help="Induction: windows also certifies its upper bound (windows-upper.json), as the committed "
        "n = 6 rows do; a row already in the folder is kept as it is."
    ),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Prove bounds with many strategies on many seeds; keep only checked results.

    Max-of-K, per seed: train (or reuse models/seedN.json) and compute the exact
    brute-force accuracy; then per strategy: prove, write the certificate
    under <out>/certificates/seedN/ once the independent checker accepts it,
    and record a row (bound, normalized bound, proof length = checker
    operations, SHA-256 of the weights and of the certificate, times).

    Resumable: each finished (seed, strategy) is its own file under
    <out>/rows/ and a rerun skips it; results.csv, results.json and
    stages.csv (seconds per stage and seed) are rebuilt from the rows at the
    end of every run, Ctrl-C included, and runs.jsonl records its wall time.

    Never loses a row: the tables are rebuilt from every row the folder
    holds (row files, and results.json/results.csv of earlier runs or a
    committed study), and a task whose row is there is not run again. One
    run at a time per folder: a second one is refused at once, naming the
    first.

    Induction (--task induction, or --config ind6/ind8/ind10): one row per
    model (brute force, or an estimate beyond n = 8), and one per (model,
    strategy, depth) like the rows of results/induction/rows.jsonl, in
    <out>/rows.jsonl, with table.csv rebuilt from them; resumable, never
    losing a row, one run per folder, failures in
    <out>/failures/<model>/.

    Exit 0 when every task has a row, 1 if some failed (see <out>/failures/),
    2 for bad arguments (or a folder in use), 130 if interrupted.
    """
    import importlib.util
    import os

    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy loads: one core per
        os.environ.setdefault(var, "1")  # worker (a 64×64 SVD took 500× longer with BLAS threads on a busy machine)
    from ..sweep import Engine, SweepSpec, parse_seeds, resolve_device, run_sweep, select_strategies
    from ..sweep.folder import usable_folder
    from ..sweep.runner import DEFAULT_BATCH

    if induction.resolve_task(task or (induction.TASK if models is not None else None), config=config) == induction.TASK:
        for option, value in (("--ray", ray_address), ("--batch", batch), ("--device", None if device == "auto" else device)):
            induction.refuse(option, value, "induction", "its sweep runs on this machine's CPUs")
        return induction.sweep(seeds, models, config, strategies, depths, upper, out_dir, workers, samples, quiet)
    for option, value in (("--models", models), ("--depths", depths), ("--upper", upper)):
        induction.refuse(option, value, "Max-of-K", "it is the induction sweep's")
    if seeds is None:
        raise InputError(None, "--seeds", "required for Max-of-K: paper, N..M or N,M,...")
    config, out_dir = config or "k4", out_dir or Path("results/sweep")
    model_cfg = _named_config(config)
    seed_list = parse_seeds(seeds)
    names = select_strategies(strategies)
    dev = resolve_device(device)
    usable_folder(out_dir)
    target = (out_dir / "certificates").resolve()
    for committed in {Path("certificates").resolve(), Path(__file__).resolve().parents[3] / "certificates"}:
        if target == committed or committed in target.parents or target in committed.parents:
            raise InputError(None, "--out", f"{out_dir} would put sweep certificates into {committed}")
    if ray_address is not None and importlib.util.find_spec("ray") is None:
        raise InputError(None, "--ray", "ray is not installed; install the cluster extra: pip install -e '.[cluster]'")
    n_workers = workers or os.cpu_count() or 1
    spec = SweepSpec(out=out_dir, seeds=tuple(seed_list), strategies=tuple(names), workers=n_workers, device=dev,
                     model_cfg=model_cfg, samples=samples)
    engine = Engine("ray", ray_address, batch or DEFAULT_BATCH) if ray_address is not None else Engine()
    used = min(n_workers, len(seed_list))
    where = (f"on Ray at {ray_address}, {engine.batch} strategies per task" if ray_address is not None
             else f"up to {used} worker{'s' * (used != 1)}")
    err.print(
        f"sweep: {len(seed_list)} seed{'s' * (len(seed_list) != 1)} × ({len(names)} "
        f"strateg{'ies' if len(names) != 1 else 'y'} + {spec.reference}) of {config} → {out_dir} ({where}, device {dev})",
        highlight=False,
    )
    summary = run_sweep(spec, progress=not quiet, console=err, engine=engine)
    from ..report import rich_strategy_table, strategy_stats

    selected = {(s, n) for s in seed_list for n in (spec.reference, *names)}
    stats = strategy_stats([r for r in summary.rows if (r["seed"], r["strategy"]) in selected])
    out.print(rich_strategy_table(stats, f"mechproof sweep → {out_dir}: means over seeds (± std)"))
    st = summary.stages
    out.print(
        f"{summary.done} computed, {summary.skipped} already present, {len(summary.failed)} failed, "
        f"{summary.seconds:.1f} s wall → {out_dir / 'results.csv'}, {out_dir / 'results.json'}",
        highlight=False,
    )
    if summary.done:
        out.print(
            f"time by stage (rows computed now, summed over workers): train {st['train']:.1f} s, brute force "
            f"{st['brute']:.1f} s, prove {st['prove']:.1f} s, check {st['check']:.1f} s → {out_dir / 'stages.csv'}",
            highlight=False,
        )
    finish_sweep(summary.interrupted, [f"FAILED seed {f['seed']} {f['strategy']}: {f['error']}" for f in summary.failed])


@app.command("sweep-merge")
def sweep_merge(
    out_dir: Path = typer.Argument(..., help="Merged sweep folder (created, or merged into)."),
    shards: list[Path] = typer.Argument(..., help="Sweep folders computed elsewhere (e.g. one per machine)."),
) -> None:
    """Merge sweep folders into one: the union of their rows, certificates and run records, then the tables.

    Nothing a shard says is taken on trust: every new row's certificate is
    checked again by the independent checker and must prove exactly the
    row's numbers, and no row may claim more than the brute-force row of the
    same weights. Rows are keyed by (weights SHA-256, strategy, certificate
    format version).

    Exit 1, writing nothing, if any new row fails a check (each is named
    with its reason). Exit 2 for malformed input: an unreadable row, a
    certificate path other than the one a sweep writes, two rows of one key
    that disagree in anything but timings and where they ran, or two rows
    for one seed and strategy with different keys (naming both and the
    column).
    """
    from ..sweep import merge_shards
    from ..sweep.verify import Refusal
    from .common import _text

    try:
        summary = merge_shards(out_dir, shards)
    except Refusal as e:
        for where, why in e.problems:
            err.print(_text(f"REFUSED {where}: {why}"), highlight=False, markup=False)
        err.print(f"{len(e.problems)} row{'s' * (len(e.problems) != 1)} refused; nothing was written to {out_dir}",
                  highlight=False, markup=False)
        raise typer.Exit(1) from None
    out.print(
        f"merged {len(shards)} shard{'s' * (len(shards) != 1)} → {out_dir}: {summary.rows} rows "
        f"({summary.added} added, each re-checked; {summary.duplicates} found twice and agreeing), "
        f"{summary.certificates} certificates copied",
        highlight=False,
    )


@app.command("paper-check")
def paper_check(
    recomputed: Path = typer.Argument(..., help="A sweep folder with recomputed seeds of the study."),
    against: Path = typer.Option(Path("results/paper-max4"), help="The committed study folder (its results.csv)."),
) -> None:
    """Compare recomputed rows with the committed study, row by row.

    A row matches when every column but the timings and where it ran
    (host, model path, trained, device) equals the committed row of the same
    seed and strategy: bound, proof length, weights and certificate SHA-256,
    and so on. Exit 0 if every recomputed row matches, 1 if any differs or
    is not in the committed table, 2 for unreadable input.
    """
    from rich.table import Table as RichTable

    from ..sweep.folder import read_table
    from ..sweep.paper import compare_with_committed

    if not (against / "results.csv").is_file():
        raise InputError(against / "results.csv", None, "no committed study here yet (`make paper` creates it)")
    committed, fresh = (read_table(folder / "results.csv") for folder in (against, recomputed))
    checks = compare_with_committed(committed, fresh)
    table = RichTable(title=f"{recomputed} against {against}")
    for col in ("seed", "strategy", "result"):
        table.add_column(col, overflow="fold")
    for c in checks:
        table.add_row(str(c.seed), c.strategy, c.describe(), style=None if c.ok else "red")
    out.print(table)
    bad = [c for c in checks if not c.ok]
    out.print(f"{len(checks) - len(bad)} of {len(checks)} rows match the committed study"
              + (f"; {len(bad)} do not" if bad else ""), highlight=False)
    retrained = sorted({c.seed for c in bad if "model_sha256" in c.columns})
    if retrained:
        out.print(f"seeds {', '.join(map(str, retrained))}: this machine trained other weights than the committed "
                  "study (model_sha256 differs), so no row of them can match. Training is deterministic on one "
                  "machine, not across CPUs whose float kernels (AVX-512 or AVX2, in torch and MKL) round "
                  "differently; a certificate depends only on its weights.", highlight=False)
    if bad or not checks:
        raise typer.Exit(1)


@app.command()
def report(
    results: Path = typer.Argument(Path("results/sweep"), help="A sweep folder (or its results.json or results.csv)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to write the figures and report.md (default <sweep>/report)."),
) -> None:
    """Figures (PNG + SVG) and tables from a sweep, beside the paper's numbers.

    bound_vs_length: bound vs proof length for every seed and strategy,
    with the Pareto frontier of the per-strategy means and a panel zoomed on
    the subcubic strategies. per_seed: brute-force accuracy and cubic bound
    per seed against the paper's means. normalized_by_group: the best
    normalized bound per seed in each group. report.md: per group mean ± std
    (best strategy per seed, as in the paper) against the paper and how many
    seeds beat its mean, the time by stage, every strategy; the main tables
    are also printed here. Reads results.json, or results.csv where that is
    all there is (the committed study).
    """
    from ..report import render, rich_tables

    rep = render(results, out_dir)
    for t in rich_tables(rep):
        out.print(t)
    for f in rep.files:
        out.print(f"wrote {f}", highlight=False)


@app.command("report-scaling")
def report_scaling(
    root: Path = typer.Argument(Path("results/scaling"), help="Folder of per-configuration sweeps (<root>/k5, <root>/k10, ...)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to write report.md and scaling.png/.svg (default: ROOT)."),
) -> None:
    """The Max-of-K configurations side by side: bounds, accuracy (exact or a labelled ESTIMATE), the paper's
    means, times and sizes, and bound and proof length against V^K."""
    from ..report.scaling import render_scaling

    files, text = render_scaling(root, out_dir)
    out.print(text, markup=False, highlight=False)
    for f in files:
        out.print(f"wrote {f}", highlight=False)
