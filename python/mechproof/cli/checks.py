"""Commands that read certificates: check them, audit one step, explain where a bound loses (cli/proofs.py makes
them)."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import typer
from rich.table import Table

from ..errors import InputError
from .common import _check_output, _internal, _print_json, _text, app, err, out


@app.command()
def check(
    certificates: list[Path] = typer.Argument(..., help="Certificate files, or folders to search for them."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print one JSON document: exit_code, and per file its path, status (ok, fail, malformed, internal, "
        "skipped), exit_code, and correct/total/strategy, or the failing claim and message.",
    ),
    workers: int = typer.Option(
        1, min=1, help="Processes for an induction certificate's cases (the same verdict, first failure and proof "
        "length for any number; Max-of-K certificates are checked in one)."
    ),
) -> None:
    """Independently re-check certificates with exact integer arithmetic.

    Every file is checked and reported on its own: OK <correct>/<total>, FAIL <claim id>: <what> (<the two values
    compared>), or the file, field and what was expected. A folder means every certificate below it: every *.json
    but weights.json, less the files whose `format` is not a certificate's (such as explain's reports), which
    are skipped and counted.

    Exit code, the worst over all files: 0 every claim holds; 1 a claim is false; 2 malformed input; 3 internal
    error (a bug in mechproof, not a verdict on the certificate).
    """
    paths = _expand(certificates)
    records = []
    for path, found in paths:
        records.append(rec := _check_one(path, found, workers))
        if not as_json:
            _print_record(rec)
    skipped = [rec["path"] for rec in records if rec["status"] == "skipped"]
    if len(skipped) == len(records):
        others = f" ({len(skipped)} JSON files whose format is not a certificate's)" if skipped else ""
        raise InputError(None, "CERTIFICATES", f"no certificate files found in {[str(p) for p in certificates]}{others}")
    if skipped and not as_json:
        names = ", ".join(skipped[:5]) + (", …" if len(skipped) > 5 else "")
        line = f"skipped {len(skipped)} file{'s' if len(skipped) > 1 else ''} whose format is not a certificate's: {names}"
        out.print(_text(line), highlight=False, markup=False)
    status = max(rec["exit_code"] for rec in records)
    if as_json:
        _print_json({"exit_code": status, "files": records})
    raise typer.Exit(status)


def _print_record(rec: dict[str, Any]) -> None:
    """One file's line of `check` (markup=False: a file name such as a[/b]/c.json is text, not rich markup)."""
    path, status = rec["path"], rec["status"]
    if status == "ok":
        upper = "" if rec["upper"] is None else f" ≤ accuracy ≤ {rec['upper']}/{rec['total']}"
        line = f"{path}: OK {rec['correct']}/{rec['total']}{upper} ({rec['strategy']}, {rec['seconds']:.1f} s)"
        out.print(_text(line), highlight=False, markup=False)
    elif status == "malformed":
        err.print(_text(f"error: {rec['message']}"), highlight=False, markup=False)
    elif status != "skipped":
        word = "FAIL " if status == "fail" else ""
        err.print(_text(f"{path}: {word}{rec['message']}"), highlight=False, markup=False)


def _check_one(path: Path, found: bool = False, workers: int = 1) -> dict[str, Any]:
    """Check one certificate; every outcome, a crash included, becomes that file's record (exit code 0-3), so
    one bad file neither stops the others nor passes for a verdict. A file `found` in a folder whose format is
    not a certificate's, and that holds none of a certificate's own fields, is skipped (a file named on the command
    line is checked as a certificate)."""
    from ..checker import ClaimFailure, check as run

    rec: dict[str, Any] = {"path": str(path)}
    start = time.perf_counter()
    try:
        res = run(path, workers)
    except ClaimFailure as e:
        return rec | {"status": "fail", "exit_code": 1, "claim": e.claim_id, "message": str(e)}
    except InputError as e:  # the message starts with this certificate even when its weights file is at fault
        if found and e.path == str(path) and e.field == "format" and not _shaped_like_a_certificate(path):
            return rec | {"status": "skipped", "exit_code": 0, "message": str(e)}
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
        "strategy": _strategy_name(res.strategy, res.params),
        "operations": res.total_ops,
        "seconds": seconds,
    }


# Keys a certificate has at its top level: a file found in a folder that holds one of them, and whose format is not
# that of another mechproof file (weights, explain's slack report), is a certificate whose `format` was damaged
# (malformed, exit 2), never another tool's file to skip.
CERTIFICATE_KEYS = frozenset({"claims", "bound", "strategy"})


def _shaped_like_a_certificate(path: Path) -> bool:
    from ..tasks.maxk.explain import FORMAT as SLACK
    from ..weights import FORMAT as WEIGHTS

    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("format") not in (SLACK, WEIGHTS) and not CERTIFICATE_KEYS.isdisjoint(doc)


def _strategy_name(strategy: str, params: dict[str, Any]) -> str:
    """The name `mechproof strategies` lists (a subcubic certificate's variant, -paper with the paper's count)."""
    if strategy != "subcubic":
        return strategy
    from ..tasks.maxk.strategies.subcubic import VARIANTS

    keys = {v.names: v.key for v in VARIANTS}
    key = keys.get((params.get("eupu"), params.get("attention"), params.get("qk")), strategy)
    return key + ("-paper" if params.get("count") == "paper" else "")


def _expand(paths: list[Path]) -> list[tuple[Path, bool]]:
    """Every file to check, and whether it was found in a folder (rather than named)."""
    found: list[tuple[Path, bool]] = []
    for p in paths:
        try:
            folder = p.is_dir()
        except OSError:  # e.g. a name too long for the file system: checked (and reported) as a file
            folder = False
        if folder:
            found += [(f, True) for f in sorted(p.rglob("*.json")) if f.name != "weights.json" and not f.name.startswith(".")]
        else:
            found.append((p, False))
    return found


def _claim_help() -> str:
    from ..checker.audit import CLAIM_IDS
    from ..tasks.induction.audit import CLAIM_IDS as INDUCTION_IDS

    return f"Claim id (docs/certificate.md). {CLAIM_IDS} {INDUCTION_IDS}"


def _task(certificate: Path) -> str:
    """The certificate's task (a malformed file is InputError: exit 2)."""
    from ..certificate import load_certificate

    return load_certificate(certificate)[0].task_name


@app.command()
def audit(
    certificate: Path = typer.Argument(..., help="Certificate file."),
    claim: str = typer.Option(..., help=_claim_help()),
) -> None:
    """Show one step of a certificate: its inputs, its rule and the recomputed exact values.

    The checker runs first, on the whole certificate: exit 2 if it is malformed, 1 if the checker rejects it
    (with the first claim that fails), else 0 and the claim's lines."""
    from ..checker.audit import audit_claim
    from ..tasks import INDUCTION
    from ..tasks.induction.audit import audit_induction

    with _rejection_is_exit_1(certificate):
        lines = (audit_induction if _task(certificate) == INDUCTION else audit_claim)(certificate, claim)
    for line in lines:
        out.print(line, highlight=False, markup=False)


@contextmanager
def _rejection_is_exit_1(certificate: Path) -> Iterator[None]:
    """A report that runs the checker first: a certificate the checker rejects is exit 1, said as such."""
    from ..checker import ClaimFailure

    try:
        yield
    except ClaimFailure as e:
        err.print(_text(f"{certificate}: the checker rejects this certificate: FAIL {e}"), highlight=False, markup=False)
        raise typer.Exit(1) from None


@app.command()
def explain(
    certificate: Path = typer.Argument(
        ..., help="Certificate file (a model small enough to brute-force: Max-of-4, induction at n_ctx ≤ 6)."
    ),
    out_dir: Optional[Path] = typer.Option(
        None,
        "--out",
        help="Folder for <name>.slack.png/.svg and <name>.slack.json (default: out/explain/<the certificate's folder "
        "name>/, never beside the certificates).",
    ),
    worst: int = typer.Option(15, min=1, help="How many of the worst cases to list."),
    as_json: bool = typer.Option(False, "--json", help="Print the breakdown as one JSON document."),
    quiet: bool = typer.Option(False, help="No progress bar."),
    cases_only: bool = typer.Option(
        False, "--cases-only", help="Induction certificates: the cases alone (what they leave to residual is lost)."
    ),
) -> None:
    """Where a certificate's lower bound loses: correct inputs it does not cover, by max token, gap, copies of
    the max and query, with a heatmap (m × gap) and the worst cases with the margin by which each failed.

    The lost inputs sum to (exact correct − certified lower bound). The margin of a case is the upper bound the
    proof obtained on max_j (logit_j − logit_m) for its hardest lost input: positive means the argument could
    not show that the max token wins there. For an induction certificate (n_ctx ≤ 6 at d_vocab 16): by group
    (q, i, a), match position, query and answer, with q × a heatmaps per match position and the margin of each
    worst case (max_c T_c of the case rule, in logits).

    The checker runs first: exit 2 if the certificate is malformed, 1 if the checker rejects it."""
    import numpy as np

    from ..tasks.maxk.explain import explain as run, heatmap, save_json, to_json

    folder = out_dir or Path("out") / "explain" / certificate.absolute().parent.name
    _check_output(folder, "--out", folder=True)
    if _task(certificate) == "induction":  # q × a heatmaps per match position (tasks/induction/explain.py)
        from ..tasks.induction.explain import lines, to_json, write_report

        with _rejection_is_exit_1(certificate):
            ind, files = write_report(certificate, folder, worst, cases_only)
        if as_json:
            return _print_json({**to_json(ind), "files": [str(f) for f in files]})
        for line in lines(ind) + [f"wrote {f}" for f in files]:
            out.print(line, highlight=False, markup=False)
        return
    if cases_only:
        raise InputError(certificate, "--cases-only", "is for induction certificates; this one is Max-of-K")
    with _rejection_is_exit_1(certificate):
        slack = run(certificate, worst=worst, progress=not quiet and not as_json)
    base = folder / f"{certificate.stem}.slack"
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
    if not slack.lost:
        out.print("nothing to draw: the certificate covers every correct input (certified = exact)", highlight=False)
        out.print(f"wrote {files[-1]}", highlight=False, markup=False)
        return
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
        out.print(f"wrote {f}", highlight=False, markup=False)

