"""Commands that make proofs: certify a model with a strategy, and list the strategies (cli/checks.py reads
certificates: check, audit, explain)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..errors import InputError, did_you_mean
from . import induction
from .common import _check_output, _print_json, _set_threads, _threads_option, app, out


@app.command()
def certify(
    model: str = typer.Argument("seed42", help="Model name (seed42, ind6-seed0) or weights file."),
    strategy: Optional[str] = typer.Option(
        None,
        help="Proof strategy. Max-of-K (default cubic): cubic, one of the 100 subcubic-<eupu>-<attention>-<qk> "
        "variants, or cubic+residual (the exact accuracy, for d_vocab^n_ctx ≤ 2^28). Induction (default windows): "
        "windows or windows+residual (the exact accuracy). mechproof strategies lists them.",
    ),
    depth: Optional[int] = typer.Option(
        None, min=0, help="Induction only: refinement depth of the windows cases (default 1; a certificate at another "
        "depth is named <strategy>-depth<d>.json)."
    ),
    max_slack: Optional[float] = typer.Option(
        None, min=0, help="Induction only: at the last refinement step split only the cases whose logit test fails "
        "by at most this many logits (a producer choice, not in the certificate: faster, a lower bound; e.g. 90 at "
        "n = 8 depth 2). The certificate is named <strategy>-depth<d>-slack<x>.json."
    ),
    paper_compatible: bool = typer.Option(
        False, help="Max-of-K subcubic only: count m−g allowed tokens as the paper's code does (an undercount; still sound)."
    ),
    upper: bool = typer.Option(
        False,
        "--upper",
        help="Also certify an upper bound: list the inputs the cases leave out that are proven wrong "
        "(Max-of-K: needs d_vocab^n_ctx ≤ 2^28; written to <strategy>-upper.json). windows+residual always has it.",
    ),
    cert_root: Optional[Path] = typer.Option(
        None,
        help="Root folder; the certificate goes in <root>/<model>/ (default out/certificates, which git ignores; "
        "certificates, the committed ones, is where they are regenerated, with their Lean modules).",
    ),
    lean: bool = typer.Option(
        True,
        help="Re-check in Lean if Lean is installed: `lake exe mechcheck` (under certificates/: write the Lean module "
        "and run `lake build`).",
    ),
    brute: bool = typer.Option(
        True, help="Also compute the exact brute-force accuracy for the summary (--no-brute skips it: ~2 s for seed42, "
        "~20 s for ind6; left out beyond 2^22 induction inputs)."
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

    The summary says whether the committed certificate of the same model and name (certificates/<model>/, and for
    induction the certificate SHA-256 in results/induction/rows.jsonl) is reproduced byte for byte.

    Exit 0 when the certificate is written and checked, 1 if the Lean check fails or the committed certificate of
    the same weights is not reproduced, 2 for bad input.
    """
    from ..certify import CERT_ROOT, certify as run
    from ..modelstore import model_name
    from ..tasks.maxk.strategies import STRATEGIES

    if induction.is_induction(model):
        induction.refuse("--paper-compatible", paper_compatible, "induction", "it is a Max-of-K subcubic option")
        return induction.certify(model, strategy, depth, upper, cert_root, brute, threads, as_json, quiet, lean, max_slack)
    induction.refuse("--depth", depth, "Max-of-K", "only the induction strategies refine their cases to a depth")
    induction.refuse("--max-slack", max_slack, "Max-of-K", "only the induction strategies refine their cases")
    strategy = strategy or "cubic"
    if strategy not in STRATEGIES:
        hint = did_you_mean(strategy, STRATEGIES)
        raise InputError(None, "--strategy", f"unknown strategy {strategy!r}; {hint}`mechproof strategies` lists all {len(STRATEGIES)}")
    cert_root = cert_root or CERT_ROOT
    _check_output(cert_root / model_name(model), "--cert-root", folder=True)
    _set_threads(threads)
    progress = not quiet and not as_json
    start = time.perf_counter()
    rep = run(
        model, strategy, cert_root, progress=progress, lean=lean, paper_compatible=paper_compatible, upper=upper
    )
    res, out_of_reach = None, None
    if brute:
        from ..tasks.maxk.bruteforce import MAX_INPUTS, brute_force
        from ..weights import load

        w = load(rep.certificate.parent / "weights.json")
        if w.cfg.n_inputs > MAX_INPUTS:
            out_of_reach = (
                f"out of reach: {w.cfg.d_vocab}^{w.cfg.n_ctx} inputs (brute force's limit is {MAX_INPUTS}); "
                f"`mechproof accuracy {model} --samples 100000` estimates it"
            )
        else:
            res = brute_force(w, progress=progress)
    seconds = time.perf_counter() - start
    committed = None if rep.committed is None else {"path": str(rep.committed[0]), "match": rep.committed[1]}
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
                "brute_force_note": out_of_reach,
                "lean": {"status": lean_status, "detail": rep.lean},
                "committed": committed,
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
        if out_of_reach is not None:
            table.add_row("brute-force accuracy", out_of_reach)
        if committed is not None:
            table.add_row("committed copy", _COMMITTED[committed["match"]].format(committed["path"]))
        table.add_row("total time", f"{seconds:.1f} s" + (" (incl. training)" if rep.trained else ""))
        out.print(table)
    if rep.lean.startswith("FAILED") or (committed or {}).get("match") == "differs":
        raise typer.Exit(1)


_COMMITTED = {
    "identical": "{} reproduced byte for byte",
    "differs": "NOT REPRODUCED: {} holds another certificate of the same weights",
    "other weights": "{} is about other weights",
}


@app.command()
def strategies(
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON document: Max-of-K's strategies (name, group, complexity) and codes, and "
        "the induction task's under `induction`."
    ),
    task: Optional[str] = typer.Option(None, help="Only this task's strategies: maxk or induction (default both)."),
) -> None:
    """List the proof strategies of each task with their group and asymptotic checking cost."""
    from ..tasks.maxk.strategies import STRATEGIES
    from ..tasks.maxk.strategies.subcubic import ATTENTION_OPTIONS, EUPU_OPTIONS, QK_OPTIONS

    tasks = [induction.resolve_task(task)] if task is not None else [induction.MAXK, induction.TASK]
    codes = {"eupu": EUPU_OPTIONS, "attention": ATTENTION_OPTIONS, "qk": QK_OPTIONS}
    if as_json:
        rows = [{"name": i.name, "group": i.group, "complexity": i.complexity} for i in STRATEGIES.values()]
        maxk = {"strategies": rows, "subcubic_codes": codes} if induction.MAXK in tasks else {}
        _print_json(maxk | ({"induction": induction.strategy_rows()} if induction.TASK in tasks else {}))
        return
    if induction.MAXK in tasks:
        table = Table(title="Max-of-K proof strategies")
        for col in ("name", "group", "checking cost"):
            table.add_column(col)
        for info in STRATEGIES.values():
            table.add_row(info.name, info.group, info.complexity)
        out.print(table)
        out.print("subcubic-<eupu>-<attention>-<qk> codes, by part:", highlight=False)
        for part, opts in codes.items():  # one line per part: `md` is a code of both eupu and qk
            out.print(f"  {part}: " + "; ".join(f"{k} = {v}" for k, v in opts.items()), highlight=False)
    if induction.TASK in tasks:
        table = Table(title="induction proof strategies (docs/certificate.md §11.5–§11.6)")
        for col in ("name", "group", "checking cost", "--depth (default)"):
            table.add_column(col)
        for row in induction.strategy_rows():
            table.add_row(row["name"], row["group"], row["complexity"], str(row["default_depth"]))
        out.print(table)
