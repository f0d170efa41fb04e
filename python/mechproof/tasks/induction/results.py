"""Results-table rows of one induction model: `python -m mechproof.tasks.induction.results ind6-seed0`.

For the model (models/<name>.json, trained first when missing) it writes, under OUT/<name>/, the exact weights and
one checked certificate per strategy, and prints one JSON row per line (also appended to OUT/rows.jsonl):

* `bruteforce`: the exact accuracy by sound brute force (n ≤ 8; tasks/induction/bruteforce.py), or an estimate
  with its exact Clopper–Pearson interval beyond (`--samples`), its time, and the brute force's proof length in the
  checker's units (`brute_force_ops`);
* one row per strategy: the certified lower bound (and upper bound where certified), the proof length (the
  checker's operation count), prove and check time, and the certificate's SHA-256 and size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

from ...certify import build_certificate, save_weights_copy, write_proven
from ...checker.arith import OPS, clear_memo
from ...sweep.folder import folder_lock
from ...weights import ExactWeights
from .bruteforce import MAX_INPUTS, brute_force, estimate_accuracy
from .checker.inputs import InputRule
from .checker.tables import Tables
from .models import load_or_train
from .space import decode, n_inputs
from .strategies import DEFAULT_DEPTH, STRATEGIES, prove
from .study import append_rows


def brute_force_ops(w: ExactWeights) -> int:
    """The brute-force "proof"'s length in the checker's units: the input rule's exact tables once, then every
    input decided on its own by the input rule (docs/certificate.md §11.4), nothing shared between inputs. The
    per-input count is that of one input (it depends on n, V and the widths only, not on the input)."""
    clear_memo()
    OPS.clear()
    tables = Tables(w)
    rule = InputRule(tables)
    tables.S1, rule.fixed  # noqa: B018 - the tables, counted once
    shared = sum(OPS.values())
    OPS.clear()
    rule.right(decode(0, w.cfg.d_vocab, w.cfg.n_ctx))
    per_input = sum(OPS.values())
    OPS.clear()
    return shared + n_inputs(w.cfg.d_vocab, w.cfg.n_ctx) * per_input


def bruteforce_row(name: str, w: ExactWeights, workers: int, samples: int) -> dict:
    row: dict = {"model": name, "n": w.cfg.n_ctx, "seed": w.seed, "weights_sha256": w.sha256, "kind": "bruteforce"}
    total = n_inputs(w.cfg.d_vocab, w.cfg.n_ctx)
    row["total"] = total
    row["proof_length"] = brute_force_ops(w)
    if total <= MAX_INPUTS and not samples:
        bf = brute_force(w, workers)
        row.update(correct=bf.correct, accuracy=bf.accuracy, settled=bf.settled, unresolved=bf.unresolved, seconds=round(bf.seconds, 2))
    else:
        est = estimate_accuracy(w, samples or 100_000)
        row.update(samples=est.samples, sample_correct=est.correct, estimate=est.correct / est.samples,
                   ci95=[est.low, est.high], seconds=round(est.seconds, 2))  # fmt: skip
    return row


def strategy_row(name: str, w: ExactWeights, folder: Path, strategy: str, depth: int, upper: bool, workers: int,
                 max_slack: float | None = None) -> dict:  # fmt: skip
    proof = prove(w, strategy, depth, upper, workers, max_slack)
    slack = "" if max_slack is None else f"-slack{max_slack:g}"
    path = folder / f"{proof.file_stem}{'' if depth == DEFAULT_DEPTH else f'-depth{depth}'}{slack}.json"
    save_weights_copy(w, folder / "weights.json")  # the certificate names it beside itself
    clear_memo()
    result, check_s = write_proven(build_certificate(w, proof), path, workers)
    data = path.read_bytes()
    row = {
        "model": name, "n": w.cfg.n_ctx, "seed": w.seed, "weights_sha256": w.sha256, "kind": "strategy",
        "strategy": strategy, "depth": depth, "correct": result.correct, "total": result.total,
        "bound": result.correct / result.total, "upper": result.upper,
        "exact": result.upper is not None and result.upper == result.correct,
        "proof_length": sum(result.ops.values()), "ops": dict(sorted(result.ops.items())),
        "prove_s": round(proof.seconds, 2), "check_s": round(check_s, 2),
        "certificate": str(path), "certificate_sha256": hashlib.sha256(data).hexdigest(), "certificate_bytes": len(data),
    }  # fmt: skip
    if max_slack is not None:  # the producer's choice, beside the depth (rows without it have none)
        items = list(row.items())
        at = [k for k, _ in items].index("depth") + 1
        row = dict(items[:at] + [("max_slack", max_slack)] + items[at:])
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mechproof.tasks.induction.results", description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="<config>-seed<N>, e.g. ind6-seed0 (models/<name>.json; trained when missing)")
    ap.add_argument("--strategy", action="append", choices=list(STRATEGIES), help="repeatable; default: all")
    ap.add_argument("--depth", type=int, default=DEFAULT_DEPTH, help="refinement depth of the cases")
    ap.add_argument("--max-slack", type=float, default=None,
                    help="split at the last refinement step only the cases failing by at most this many logits")  # fmt: skip
    ap.add_argument("--upper", action="store_true", help="also certify an upper bound (the `wrong` claim) for windows")
    ap.add_argument("--no-bruteforce", action="store_true", help="skip the brute-force / estimate row")
    ap.add_argument("--bruteforce-only", action="store_true", help="only the brute-force / estimate row")
    ap.add_argument("--samples", type=int, default=0, help="estimate from this many samples instead of brute force")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--out", type=Path, default=Path("out") / "induction")
    args = ap.parse_args(argv)
    with folder_lock(args.out):  # rows.jsonl is rewritten: one writer at a time (a sweep holds the same lock)
        w, _, _ = load_or_train(args.model)
        folder = args.out / args.model
        rows = []
        if not args.no_bruteforce:
            rows.append(bruteforce_row(args.model, w, args.workers, args.samples))
        for s in [] if args.bruteforce_only else args.strategy or list(STRATEGIES):
            rows.append(strategy_row(args.model, w, folder, s, args.depth, args.upper and s == "windows", args.workers, args.max_slack))
        if rows and rows[0]["kind"] == "bruteforce":
            for r in rows[1:]:
                r["proof_length_vs_bruteforce"] = r["proof_length"] / rows[0]["proof_length"]
        append_rows(args.out, rows)
    sys.stdout.write("".join(json.dumps(r) + "\n" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
