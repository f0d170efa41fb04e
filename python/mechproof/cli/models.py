"""Commands on models: train one, measure its accuracy (exact, or a labelled estimate), import and export weights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from . import induction
from .common import (
    _check_output, _config_names, _named_config, _set_threads, _threads_option, app, err, out, print_estimate,
)

@app.command()
def train(
    model: Optional[str] = typer.Argument(
        None, help="Model name: seedN (k4) or <config>-seedN, e.g. k10-seed50 or ind6-seed0 (induction); or give "
        "--seed and --config (or --task induction --n N)."
    ),
    seed: Optional[int] = typer.Option(
        None, min=0, help="Training seed (default 42; induction 0): the same seed gives byte-identical weights on one "
        "machine."
    ),
    config: Optional[str] = typer.Option(
        None, help=f"Named configuration (default k4): {_config_names()}; induction: {induction.config_names()}."
    ),
    task: Optional[str] = typer.Option(None, help="maxk (default) or induction; a model name or --config implies it."),
    n: Optional[int] = typer.Option(
        None, "--n", help="Induction: the context length n, one of the named configurations' (6, 8 or 10; default 6)."
    ),
    out_path: Optional[Path] = typer.Option(
        None, "--out", help="Weights file (default models/seed<N>.json for k4, else models/<config>-seed<N>.json)."
    ),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Train one model on CPU: Max-of-K with the paper's recipe (AdamW, 3000 steps of 128 online samples), or the
    induction task with its recipe (AdamW, 6000 steps of 256)."""
    from ..modelstore import MODELS_DIR, is_path
    from ..tasks.maxk.models import parse_name, train_and_save, trainable_name

    if induction.resolve_task(task, model, config) == induction.TASK:
        return induction.train(model, seed, config, n, out_path, quiet)
    induction.refuse("--n", n, "Max-of-K", "its context length is chosen by --config (k4, k5, k10, …); "
                     "--task induction trains the induction task")

    if model is not None:
        if seed is not None or config is not None:
            raise InputError(None, "MODEL", f"give a model name ({model}) or --seed/--config, not both")
        parsed = None if is_path(model) else parse_name(model)
        if parsed is None:
            raise InputError(None, "MODEL", f"expected a name seedN or <config>-seedN (--out sets the file), got {model!r}")
        config, seed = parsed
    seed, config = 42 if seed is None else seed, config or "k4"
    cfg = _named_config(config)
    path = out_path or MODELS_DIR / f"{trainable_name(seed, config)}.json"
    _check_output(path, "--out")
    w, seconds = train_and_save(seed, path, cfg=cfg, progress=not quiet)
    out.print(f"trained {config} seed {seed} in {seconds:.1f} s → {path} (sha256 {w.sha256[:16]}…)")


@app.command()
def accuracy(
    model: str = typer.Argument(..., help="Model name (seed42, k10-seed42, ind6-seed0) or weights file."),
    as_json: bool = typer.Option(False, "--json", help="Print {kind, correct, total, accuracy, ...} as JSON."),
    device: Optional[str] = typer.Option(None, help="Max-of-K: torch device for the float pass (default: cuda if present)."),
    threads: int = _threads_option(),
    samples: Optional[int] = typer.Option(
        None, min=1, help="Estimate from this many uniform random inputs instead (an estimate, not certified)."
    ),
    sample_seed: int = typer.Option(0, min=0, help="Seed of the random inputs (with --samples)."),
    confidence: float = typer.Option(0.95, help="Confidence of the Clopper–Pearson interval (with --samples)."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Exact brute-force accuracy over all inputs, or with --samples an estimate.

    Max-of-K: all d_vocab^n_ctx inputs (up to 2^28). Induction (ind6-seed0, …): every input of the task, up to
    n = 8 (brute force's limit is 2^30 inputs; n = 8 took 26 min with --threads 2), decided by a float pass
    with a proven error bound and the exact per-input rule where it is unsure; --threads is its number of worker
    processes, and --device does not apply.

    A float pass decides an input only when its margin exceeds a proven bound on the rounding error; the rest
    are settled with interval arithmetic from the exact weights, and ties count as wrong. With --samples N the
    same exact verdicts are computed for N uniform random inputs and the result is an ESTIMATE with an exact
    Clopper–Pearson confidence interval: never a certified number (JSON "kind": "estimate").
    """
    from ..tasks.maxk.bruteforce import MAX_INPUTS, brute_force
    from ..tasks.maxk.models import load_or_train

    if not 0 < confidence < 1:
        raise InputError(None, "--confidence", f"must lie strictly between 0 and 1, got {confidence}")
    if induction.is_induction(model):
        induction.refuse("--device", device, "induction", "its brute force runs on the CPU")
        return induction.accuracy(model, as_json, threads, samples, sample_seed, confidence, quiet)
    _set_threads(threads)
    w, path, _ = load_or_train(model, progress=not quiet and not as_json)
    if samples is not None:  # an estimate: every line and field says so
        from ..tasks.maxk.estimate import estimate_accuracy

        est = estimate_accuracy(w, samples, sample_seed, confidence, device=device, progress=not quiet and not as_json)
        print_estimate(path, est, confidence, sample_seed, as_json)
        return
    if w.cfg.n_inputs > MAX_INPUTS:
        raise InputError(
            path,
            "--samples",
            f"{w.cfg.d_vocab}^{w.cfg.n_ctx} inputs are beyond brute force (limit {MAX_INPUTS}); estimate with --samples N",
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
    from ..tasks.maxk.statedict import import_with_conversions
    from ..weights import save

    _check_output(out_path, "--out")
    w, conversions = import_with_conversions(source, round_to_float32=round_to_float32)
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
    out_path: Path = typer.Option(
        ..., "--out", help="Output file with TransformerLens names: .safetensors, or .pt/.pth (torch.save's format)."
    ),
) -> None:
    """Write a model as a TransformerLens state dict (zero biases included)."""
    from ..modelstore import model_path
    from ..tasks.maxk.statedict import export_state_dict, require_state_dict_name
    from ..weights import load

    _check_output(out_path, "--out")
    require_state_dict_name(out_path, "--out")
    w = load(model_path(model))
    export_state_dict(w, out_path)
    out.print(f"wrote {out_path}")
