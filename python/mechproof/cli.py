"""The `mechproof` command line: train, measure, certify, check and audit Max-of-K models."""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import InputError


def _internal(e: Exception, report_with: str) -> str:
    return f"internal error: {type(e).__name__}: {e} — please report this with {report_with}"


def _guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command so that no exception ends in a traceback or in an exit code that reads as a verdict:
    InputError exits 2 (so a command may simply raise it), ClaimFailure 1, anything unexpected 3."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise
        except InputError as e:
            _fail_input(e)
        except Exception as e:
            from .checker import ClaimFailure

            if isinstance(e, ClaimFailure):
                err.print(f"FAIL {e}", highlight=False, markup=False)
                raise typer.Exit(1) from None
            message = _internal(e, "the command line and its input files")
            err.print(message, highlight=False, markup=False, style="red")
            raise typer.Exit(3) from None

    return run


class _GuardedTyper(typer.Typer):
    """A Typer whose every command, including ones added later, runs under `_guarded`."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        register = super().command(*args, **kwargs)
        return lambda f: register(_guarded(f))


app = _GuardedTyper(
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


def _text(s: str) -> str:
    """A message for the terminal: characters that are not printable (newlines, escape sequences, lone
    surrogates), which a hostile file can put into a key, a name or a file name, are shown escaped, so one
    report stays one line and cannot rewrite the lines before it."""
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in s)


def _fail_input(e: InputError) -> None:
    err.print(_text(f"error: {e}"), markup=False, highlight=False, style="red")
    raise typer.Exit(2)


def _check_output(path: Path, option: str, folder: bool = False) -> None:
    """Refuse, before any work is done, an output path that cannot be written: a folder where a file is
    wanted, or a file where a folder is (the path itself or one above it)."""
    if not folder and path.is_dir():
        raise InputError(None, option, f"{path} is a folder; expected a file name, e.g. {path / 'name.json'}")
    for p in (path, *path.parents) if folder else path.parents:
        if p.exists():
            if not p.is_dir():
                raise InputError(None, option, f"{p} is a file; expected a folder there (to write {path})")
            break


# benchmarks/threads.py on 2 cores, brute force of seed 42: 1 thread 1.8 s idle, 2.4 s beside one busy process;
# 2 threads 4.3 s idle, 52 s beside one busy process, 44-149 s on a machine shared with other jobs.
DEFAULT_THREADS = 1


def _threads_option() -> Any:
    return typer.Option(
        DEFAULT_THREADS,
        min=1,
        help="torch CPU threads for brute force. More than the free cores slows it down many times over; "
        "training always uses one (for byte-identical weights).",
    )


def _set_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)


def _print_json(doc: Any) -> None:
    """One JSON document on stdout, without rich markup, for scripts and CI."""
    print(json.dumps(doc, indent=2))


def _config_names() -> str:
    from .config import CONFIGS

    return ", ".join(f"{name} (K={c.n_ctx}, V={c.d_vocab})" for name, c in CONFIGS.items())


@app.command()
def train(
    seed: int = typer.Option(
        42, min=0, help="Training seed: the same seed gives byte-identical weights on one machine."
    ),
    config: str = typer.Option("k4", help=f"Named configuration: {_config_names()}."),
    out_path: Optional[Path] = typer.Option(
        None, "--out", help="Weights file (default models/seed<N>.json for k4, else models/<config>-seed<N>.json)."
    ),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Train one Max-of-K model with the paper's recipe (AdamW, 3000 steps of 128 online samples) on CPU."""
    from .config import UnknownConfig, named_config
    from .modelstore import MODELS_DIR, train_and_save, trainable_name

    try:
        cfg = named_config(config)
    except UnknownConfig as e:
        _fail_input(InputError(None, "--config", str(e)))
    path = out_path or MODELS_DIR / f"{trainable_name(seed, config)}.json"
    _check_output(path, "--out")
    w, seconds = train_and_save(seed, path, cfg=cfg, progress=not quiet)
    out.print(f"trained {config} seed {seed} in {seconds:.1f} s → {path} (sha256 {w.sha256[:16]}…)")


@app.command()
def accuracy(
    model: str = typer.Argument(..., help="Model name (seed42, k10-seed42) or weights file."),
    as_json: bool = typer.Option(False, "--json", help="Print {kind, correct, total, accuracy, ...} as JSON."),
    device: Optional[str] = typer.Option(None, help="torch device for the float pass (default: cuda if present)."),
    threads: int = _threads_option(),
    samples: Optional[int] = typer.Option(
        None, min=1, help="Estimate from this many uniform random inputs instead (an estimate, not certified)."
    ),
    sample_seed: int = typer.Option(0, min=0, help="Seed of the random inputs (with --samples)."),
    confidence: float = typer.Option(0.95, help="Confidence of the Clopper–Pearson interval (with --samples)."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Exact brute-force accuracy over all d_vocab^n_ctx inputs, or with --samples an estimate.

    A float pass decides an input only when its margin exceeds a proven bound on the rounding error; the rest
    are settled with interval arithmetic from the exact weights, and ties count as wrong. With --samples N the
    same exact verdicts are computed for N uniform random inputs and the result is an ESTIMATE with an exact
    Clopper–Pearson confidence interval: never a certified number (JSON "kind": "estimate").
    """
    from .bruteforce import MAX_INPUTS, brute_force
    from .modelstore import load_or_train

    if not 0 < confidence < 1:
        _fail_input(InputError(None, "--confidence", f"must lie strictly between 0 and 1, got {confidence}"))
    _set_threads(threads)
    try:
        w, path, _ = load_or_train(model, progress=not quiet and not as_json)
    except InputError as e:
        _fail_input(e)
    if samples is not None:  # an estimate: every line and field says so
        from .estimate import estimate_accuracy

        est = estimate_accuracy(w, samples, sample_seed, confidence, device=device, progress=not quiet and not as_json)
        if as_json:
            print(json.dumps({"model": str(path), **est.to_json()}))
        else:
            out.print(
                f"{path}: ESTIMATE, not certified: {est.correct}/{est.samples} uniform random inputs correct "
                f"(sample accuracy {est.accuracy:.6f}); {100 * confidence:g}% Clopper–Pearson interval for the "
                f"accuracy [{est.low:.6f}, {est.high:.6f}] (sample seed {sample_seed}; {est.settled} settled "
                f"exactly, {est.ties} ties) in {est.seconds:.1f} s",
                highlight=False,
            )
        return
    if w.cfg.n_inputs > MAX_INPUTS:
        _fail_input(
            InputError(
                path,
                "--samples",
                f"{w.cfg.d_vocab}^{w.cfg.n_ctx} inputs are beyond brute force (limit {MAX_INPUTS}); "
                "estimate with --samples N",
            )
        )
    res = brute_force(w, device=device, progress=not quiet and not as_json)
    doc = {
        "kind": "exact",
        "model": str(path),
        "correct": res.correct,
        "total": res.total,
        "accuracy": res.accuracy,
        "undecided_by_float": res.undecided_by_float,
        "settled_exactly": res.settled,
        "unresolved_ties": res.unresolved,
        "seconds": round(res.seconds, 3),
    }
    if as_json:
        print(json.dumps(doc))
    else:
        out.print(
            f"{path}: {res.correct}/{res.total} correct = {res.accuracy:.6f} "
            f"({res.settled} settled exactly, {res.unresolved} ties) in {res.seconds:.1f} s"
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
    brute: bool = typer.Option(
        True, help="Also compute the exact brute-force accuracy for the summary (--no-brute skips it, ~2 s)."
    ),
    threads: int = _threads_option(),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print one JSON document (certificate, correct, total, bound, prove/check seconds, brute_force, lean) "
        "instead of the table; no progress bars.",
    ),
    quiet: bool = typer.Option(False, help="No progress bars."),
) -> None:
    """Train if missing → prove → write the certificate → check it independently → summary.

    Exit 0 when the certificate is written and checked, 1 if the Lean check fails, 2 for bad input.
    """
    from .certify import certify as run
    from .modelstore import model_name
    from .strategies import STRATEGIES

    if strategy not in STRATEGIES:
        _fail_input(InputError(None, "--strategy", f"unknown strategy {strategy!r}; known: {sorted(STRATEGIES)}"))
    _check_output(cert_root / model_name(model), "--cert-root", folder=True)
    _set_threads(threads)
    progress = not quiet and not as_json
    start = time.perf_counter()
    try:
        rep = run(
            model, strategy, cert_root, progress=progress, lean=lean, paper_compatible=paper_compatible, upper=upper
        )
    except InputError as e:
        _fail_input(e)
    res = None
    if brute:
        from .bruteforce import brute_force
        from .weights import load

        res = brute_force(load(rep.certificate.parent / "weights.json"), progress=progress)
    seconds = time.perf_counter() - start
    if as_json:
        failed, skipped = rep.lean.startswith("FAILED"), rep.lean.startswith("not run")
        lean_status = "failed" if failed else "not run" if skipped else "checked"
        brute_doc = None if res is None else {
            "correct": res.correct, "total": res.total, "accuracy": res.accuracy, "seconds": round(res.seconds, 3)
        }
        _print_json(
            {
                "model": rep.model,
                "strategy": strategy,
                "certificate": str(rep.certificate),
                "correct": rep.correct,
                "total": rep.total,
                "bound": rep.bound,
                "upper": rep.upper,
                "prove_seconds": round(rep.prove_seconds, 3),
                "check_seconds": round(rep.check_seconds, 3),
                "brute_force": brute_doc,
                "lean": {"status": lean_status, "detail": rep.lean},
                "trained": rep.trained,
                "seconds": round(seconds, 3),
            }
        )
    else:
        table = Table(title=f"mechproof certify {rep.model} ({strategy})", show_header=False)
        table.add_row("certificate", str(rep.certificate))
        table.add_row("certified bound", f"{rep.correct}/{rep.total} = {rep.bound:.6f}")
        if rep.upper is not None:
            table.add_row("certified upper bound", f"{rep.upper}/{rep.total} = {rep.upper / rep.total:.6f}")
        table.add_row("proof time", f"{rep.prove_seconds:.2f} s")
        table.add_row("independent check", f"OK in {rep.check_seconds:.2f} s")
        table.add_row("Lean", rep.lean)
        if res is not None:
            found = f"{res.correct}/{res.total} = {res.accuracy:.6f} ({res.seconds:.1f} s)"
            table.add_row("brute-force accuracy", found)
            if res.correct:
                table.add_row("bound / accuracy", f"{rep.correct / res.correct:.4f}")
        table.add_row("total time", f"{seconds:.1f} s" + (" (incl. training)" if rep.trained else ""))
        out.print(table)
    if rep.lean.startswith("FAILED"):
        raise typer.Exit(1)


@app.command()
def strategies(
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON document: name, group and complexity per strategy."
    ),
) -> None:
    """List the proof strategies with their group and asymptotic checking cost."""
    from .strategies import STRATEGIES
    from .strategies.subcubic import ATTENTION_OPTIONS, EUPU_OPTIONS, QK_OPTIONS

    codes = {"eupu": EUPU_OPTIONS, "attention": ATTENTION_OPTIONS, "qk": QK_OPTIONS}
    if as_json:
        rows = [{"name": i.name, "group": i.group, "complexity": i.complexity} for i in STRATEGIES.values()]
        _print_json({"strategies": rows, "subcubic_codes": codes})
        return
    table = Table(title="proof strategies")
    for col in ("name", "group", "checking cost"):
        table.add_column(col)
    for info in STRATEGIES.values():
        table.add_row(info.name, info.group, info.complexity)
    out.print(table)
    legend = [f"{k} = {v}" for opts in codes.values() for k, v in opts.items()]
    out.print("subcubic-<eupu>-<attention>-<qk> codes: " + "; ".join(legend), highlight=False)


@app.command()
def check(
    certificates: list[Path] = typer.Argument(..., help="Certificate files, or folders to search for them."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print one JSON document: exit_code, and per file its path, status (ok, fail, malformed, internal), "
        "exit_code, and correct/total/strategy, or the failing claim and message.",
    ),
) -> None:
    """Independently re-check certificates with exact integer arithmetic.

    Every file is checked and reported on its own: OK <correct>/<total>, FAIL <claim id>: <what> (<the two values
    compared>), or the file, field and what was expected. A folder means every certificate below it (every *.json
    but weights.json).

    Exit code, the worst over all files: 0 every claim holds; 1 a claim is false; 2 malformed input; 3 internal
    error (a bug in mechproof, not a verdict on the certificate).
    """
    paths = _expand(certificates)
    if not paths:
        _fail_input(InputError(None, "CERTIFICATES", f"no certificate files found in {[str(p) for p in certificates]}"))
    records = []
    for path in paths:
        rec = _check_one(path)
        records.append(rec)
        if as_json:
            continue
        if rec["status"] == "ok":  # markup=False: a file name such as a[/b]/c.json is text, not rich markup
            upper = "" if rec["upper"] is None else f" ≤ accuracy ≤ {rec['upper']}/{rec['total']}"
            line = f"{path}: OK {rec['correct']}/{rec['total']}{upper} ({rec['strategy']}, {rec['seconds']:.1f} s)"
            out.print(_text(line), highlight=False, markup=False)
        elif rec["status"] == "malformed":
            err.print(_text(f"error: {rec['message']}"), highlight=False, markup=False)
        else:
            word = "FAIL " if rec["status"] == "fail" else ""
            err.print(_text(f"{path}: {word}{rec['message']}"), highlight=False, markup=False)
    status = max(rec["exit_code"] for rec in records)
    if as_json:
        _print_json({"exit_code": status, "files": records})
    raise typer.Exit(status)


def _check_one(path: Path) -> dict[str, Any]:
    """Check one certificate; every outcome, a crash included, becomes that file's record (exit code 0-3), so
    one bad file neither stops the others nor passes for a verdict."""
    from .checker import ClaimFailure, check as run

    rec: dict[str, Any] = {"path": str(path)}
    start = time.perf_counter()
    try:
        res = run(path)
    except ClaimFailure as e:
        return rec | {"status": "fail", "exit_code": 1, "claim": e.claim_id, "message": str(e)}
    except InputError as e:  # the message starts with this certificate even when its weights file is at fault
        message = str(e) if e.path == str(path) else f"{path}: {e}"
        return rec | {"status": "malformed", "exit_code": 2, "field": e.field, "message": message}
    except Exception as e:
        return rec | {"status": "internal", "exit_code": 3, "message": _internal(e, "the certificate")}
    seconds = round(time.perf_counter() - start, 3)
    return rec | {
        "status": "ok",
        "exit_code": 0,
        "correct": res.correct,
        "total": res.total,
        "upper": res.upper,
        "strategy": res.strategy,
        "operations": res.total_ops,
        "seconds": seconds,
    }


def _expand(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        try:
            folder = p.is_dir()
        except OSError:  # e.g. a name too long for the file system: checked (and reported) as a file
            folder = False
        if folder:
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


@app.command()
def explain(
    certificate: Path = typer.Argument(..., help="Certificate file (a model small enough to brute-force: Max-of-4)."),
    out_dir: Optional[Path] = typer.Option(
        None, "--out", help="Where to write slack.png/.svg and slack.json (default: beside the certificate, <name>.slack.*)."
    ),
    worst: int = typer.Option(15, min=1, help="How many of the worst cases to list."),
    as_json: bool = typer.Option(False, "--json", help="Print the breakdown as one JSON document."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Where a certificate's lower bound loses: correct inputs it does not cover, by max token, gap, copies of
    the max and query, with a heatmap (m × gap) and the worst cases with the margin by which each failed.

    The lost inputs sum to (exact correct − certified lower bound). The margin of a case is the upper bound the
    proof obtained on max_j (logit_j − logit_m) for its hardest lost input: positive means the argument could
    not show that the max token wins there."""
    import numpy as np

    from .explain import explain as run, heatmap, save_json, to_json

    try:
        slack = run(certificate, worst=worst, progress=not quiet and not as_json)
    except InputError as e:
        _fail_input(e)
    base = (out_dir or certificate.parent) / f"{certificate.stem}.slack"
    files = heatmap(slack, base) + [base.with_name(f"{base.name}.json")]
    save_json(slack, files[-1])
    if as_json:
        _print_json({**to_json(slack), "files": [str(f) for f in files]})
        return
    out.print(
        f"{certificate} ({slack.strategy}): exact {slack.correct:,} correct, certified {slack.certified:,}; "
        f"{slack.lost:,} correct inputs not covered",
        highlight=False,
    )
    V = len(slack.by_m)
    gaps = Table(title="lost inputs by gap m − (largest non-max token)", show_edge=False)
    for col in ("gap", "lost", "share"):
        gaps.add_column(col, justify="right")
    for g in range(V):
        if slack.by_gap[g]:
            gaps.add_row("all = m" if g == 0 else str(g), f"{int(slack.by_gap[g]):,}", f"{slack.by_gap[g] / max(1, slack.lost):.1%}")
    out.print(gaps)
    copies = ", ".join(f"{k}: {int(v):,}" for k, v in enumerate(slack.by_copies) if v)
    top_m = ", ".join(f"m={int(k)}: {int(slack.by_m[k]):,}" for k in np.argsort(-slack.by_m)[:8] if slack.by_m[k])
    top_q = ", ".join(f"q={int(k)}: {int(slack.by_query[k]):,}" for k in np.argsort(-slack.by_query)[:8] if slack.by_query[k])
    out.print(f"by copies of the max: {copies}\nmost lost max tokens: {top_m}\nmost lost queries: {top_q}", highlight=False)
    table = Table(title=f"worst cases of {slack.strategy} (q, m, c as the strategy counts c)", show_edge=False)
    for col in ("q", "m", "c", "lost", "margin (logits)"):
        table.add_column(col, justify="right")
    for case in slack.worst:
        margin = "—" if case["margin"] is None else f"{case['margin']:+.4g}"
        table.add_row(str(case["q"]), str(case["m"]), str(case["c"]), f"{case['lost']:,}", margin)
    out.print(table)
    for f in files:
        out.print(f"wrote {f}", highlight=False)


@app.command("report-scaling")
def report_scaling(
    root: Path = typer.Argument(Path("results/scaling"), help="Folder of per-configuration sweeps (<root>/k5, <root>/k10, ...)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to write report.md and scaling.png/.svg (default: ROOT)."),
) -> None:
    """The Max-of-K configurations side by side: bounds, accuracy (exact or a labelled ESTIMATE), the paper's
    means, times and sizes, and bound and proof length against V^K."""
    from .report.scaling import render_scaling

    try:
        files, text = render_scaling(root, out_dir)
    except InputError as e:
        _fail_input(e)
    out.print(text, markup=False, highlight=False)
    for f in files:
        out.print(f"wrote {f}", highlight=False)


@app.command("import-weights")
def import_weights(
    source: Path = typer.Argument(..., help="TransformerLens state dict: .pt/.pth (torch.save) or .safetensors."),
    out_path: Path = typer.Option(..., "--out", help="Exact weights file to write (e.g. models/mine.json)."),
    round_to_float32: bool = typer.Option(
        False,
        "--round-to-float32",
        help="Round values that are not exactly float32 (e.g. float64) to the nearest float32 and print what "
        "changed; without it they are refused, since rounding changes the model that gets certified.",
    ),
) -> None:
    """Convert a model trained elsewhere into an exact weights file (biases must be zero).

    Tensors of another dtype are accepted when every value converts to float32 exactly (float16, small integers,
    float64 holding float32 values); NaN and Inf are always refused.
    """
    from .statedict import import_with_conversions
    from .weights import save

    try:
        _check_output(out_path, "--out")
        w, conversions = import_with_conversions(source, round_to_float32=round_to_float32)
    except InputError as e:
        _fail_input(e)
    exact = [f"{c.name} ({c.dtype})" for c in conversions if not c.rounded]
    if exact:
        err.print(f"note: converted to float32 exactly (no value changed): {', '.join(exact)}", highlight=False)
    for c in conversions:
        if c.rounded:
            err.print(f"rounded {c.name}: {c.describe()}", highlight=False, markup=False, style="yellow")
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
        _check_output(out_path, "--out")
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
    config: str = typer.Option(
        "k4", help=f"Named configuration of the models: {_config_names()}. Models are seedN (k4) or <config>-seedN; "
        "where brute force is out of reach each seed gets a sampled accuracy ESTIMATE row instead. One folder per config."
    ),
    samples: int = typer.Option(100_000, min=1, help="Uniform inputs of the accuracy estimate (configs beyond brute force)."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Prove bounds with many strategies on many seeds; keep only checked results.

    Per seed: train (or reuse models/seedN.json) and compute the exact
    brute-force accuracy; then per strategy: prove, write the certificate
    under <out>/certificates/seedN/ once the independent checker accepts it,
    and record a row (bound, normalized bound, proof length = checker
    operations, SHA-256 of the weights and of the certificate, times).

    Resumable: each finished (seed, strategy) is its own file under
    <out>/rows/ and a rerun skips it; results.csv, results.json and
    stages.csv (seconds per stage and seed) are rebuilt from the rows at the
    end of every run, Ctrl-C included, and runs.jsonl records its wall time.

    Exit 0 when every task has a row, 1 if some failed (see <out>/failures/),
    2 for bad arguments, 130 if interrupted.
    """
    import importlib.util
    import os

    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy loads: one core per
        os.environ.setdefault(var, "1")  # worker (a 64×64 SVD took 500× longer with BLAS threads on a busy machine)
    from .sweep import Engine, SweepSpec, parse_seeds, resolve_device, run_sweep, select_strategies
    from .sweep.runner import DEFAULT_BATCH

    from .config import UnknownConfig, named_config

    try:
        try:
            model_cfg = named_config(config)
        except UnknownConfig as e:
            raise InputError(None, "--config", str(e)) from None
        seed_list = parse_seeds(seeds)
        names = select_strategies(strategies)
        dev = resolve_device(device)
        target = (out_dir / "certificates").resolve()
        for committed in {Path("certificates").resolve(), Path(__file__).resolve().parents[2] / "certificates"}:
            if target == committed or committed in target.parents or target in committed.parents:
                raise InputError(None, "--out", f"{out_dir} would put sweep certificates into {committed}")
        if ray_address is not None and importlib.util.find_spec("ray") is None:
            raise InputError(None, "--ray", "ray is not installed; install the cluster extra: pip install -e '.[cluster]'")
    except InputError as e:
        _fail_input(e)
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
    try:
        summary = run_sweep(spec, progress=not quiet, console=err, engine=engine)
    except InputError as e:
        _fail_input(e)
    from .report import rich_strategy_table, strategy_stats

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
    for f in summary.failed:
        err.print(f"FAILED seed {f['seed']} {f['strategy']}: {f['error']}", highlight=False, markup=False)
    if summary.interrupted:
        err.print("interrupted: only complete rows were kept; rerun the same command to resume", highlight=False)
        raise typer.Exit(130)
    if summary.failed:
        raise typer.Exit(1)


@app.command("sweep-merge")
def sweep_merge(
    out_dir: Path = typer.Argument(..., help="Merged sweep folder (created, or merged into)."),
    shards: list[Path] = typer.Argument(..., help="Sweep folders computed elsewhere (e.g. one per machine)."),
) -> None:
    """Merge sweep folders into one: the union of their rows, certificates and run records, then the tables.

    Rows are keyed by (weights SHA-256, strategy, certificate format
    version). Exit 2, naming both row files and the differing column, if
    two rows of one key disagree in anything but timings and where they ran,
    or if two rows for one seed and strategy have different keys.
    """
    from .sweep import merge_shards

    try:
        summary = merge_shards(out_dir, shards)
    except InputError as e:
        _fail_input(e)
    out.print(
        f"merged {len(shards)} shard{'s' * (len(shards) != 1)} → {out_dir}: {summary.rows} rows "
        f"({summary.added} added, {summary.duplicates} found twice and agreeing), "
        f"{summary.certificates} certificates copied",
        highlight=False,
    )
    if summary.missing_certificates:
        err.print(f"{len(summary.missing_certificates)} rows came without their certificate file "
                  f"(e.g. {summary.missing_certificates[0]}); rerun those seeds to regenerate them", highlight=False)


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

    from .sweep import read_csv_table
    from .sweep.paper import compare_with_committed

    try:
        if not (against / "results.csv").is_file():
            raise InputError(against / "results.csv", None, "no committed study here yet (`make paper` creates it)")
        committed = read_csv_table(against / "results.csv")
        fresh = read_csv_table(recomputed / "results.csv")
    except InputError as e:
        _fail_input(e)
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
