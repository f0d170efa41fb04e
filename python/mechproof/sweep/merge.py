"""Merge sweep folders computed on different machines (shards) into one.

Rows are matched by key (rows.row_key: weights SHA-256, strategy, certificate format version). Two rows of one
key are two computations of the same proof and must agree in every column but the volatile ones (timings and
where they ran); a folder also holds one row per (seed, strategy) and one model per seed, so two rows for the
same seed and strategy with different keys, or rows of one seed with different weights, cannot both be kept.
Any such conflict refuses the whole merge before anything is written, naming both rows and the differing column
(InputError: exit 2). A shard's rows are every row it holds (folder.py: its row files and its tables).

Every row new to the target is then verified as verify.py says (its certificate re-checked by the checker, its
columns compared with what the checker finds and with the brute-force row of the same weights); if any fails,
the merge is refused (verify.Refusal: exit 1) naming each failing row and why, and nothing is written.

Only then, holding the target's lock, the merged folder gets the new rows with their checked certificates and
weights, the failures that no row has since fixed, every shard's run records, and rebuilt tables.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import atomic_write
from .folder import TABLES, Found, build_tables, folder_lock, present_rows, usable_folder
from .rows import differing_columns, failure_path, read_failure, row_key, store_row, write_json
from .timing import read_runs
from .verify import Incoming, Refusal, Verified, cross_check, inside, source_of, verify_certificate


@dataclass
class MergeSummary:
    rows: int = 0  # rows in the merged folder
    added: int = 0  # rows new to it
    duplicates: int = 0  # rows found in more than one place (and agreeing)
    certificates: int = 0  # certificate files copied (each re-checked first)


def merge_shards(out: Path, shards: list[Path]) -> MergeSummary:
    """Merge the `shards` (sweep folders) into `out` (created, or merged into if it is a sweep folder)."""
    out = Path(out)
    usable_folder(out, "OUT")
    shards = [Path(s) for s in dict.fromkeys(shards) if Path(s).resolve() != out.resolve()]
    for s in shards:
        if not s.is_dir() or not ((s / "rows").is_dir() or any((s / t).is_file() for t in TABLES)):
            raise InputError(s, None, "not a sweep folder (no rows/, results.json or results.csv in it)")
    target = present_rows(out) if out.is_dir() else {}
    new, summary = _new_rows(target, shards)
    failures = [read_failure(f) for s in shards for f in sorted((s / "failures").glob("seed*/*.json"))]
    runs = [(s, read_runs(s)) for s in shards]
    verified = _verify(new, target, out)
    with folder_lock(out, "OUT"):
        if present_rows(out) != target:
            raise InputError(out, None, "changed while the merge was checking its shards; run the merge again")
        for v in verified:
            summary.certificates += _copy_certificate(v, out)
            store_row(out, v.incoming.row)
            summary.added += 1
        for fail in failures:  # to be retried; build_tables drops those that a row now answers
            write_json(failure_path(out, fail["seed"], fail["strategy"]), fail)
        _take_runs(runs, out)
        summary.rows = len(build_tables(out))
    return summary


def _new_rows(target: dict[Any, Found], shards: list[Path]) -> tuple[list[Incoming], MergeSummary]:
    """The shards' rows that the target lacks, after refusing any that conflict with a row seen before them."""
    summary = MergeSummary()
    by_key: dict[Any, Found] = {}
    by_slot: dict[tuple[int, str], Found] = {}
    model_of: dict[int, Found] = {}
    for f in target.values():
        by_key[row_key(f.row)] = by_slot[(f.row["seed"], f.row["strategy"])] = f
        model_of.setdefault(f.row["seed"], f)
    new: list[Incoming] = []
    for shard in shards:
        for f in present_rows(shard).values():
            key, slot = row_key(f.row), (f.row["seed"], f.row["strategy"])
            seen = by_key.get(key) or by_slot.get(slot)
            if seen is not None:
                diff = differing_columns(seen.row, f.row)
                if diff:
                    _refuse(seen, f, diff, same_key=key == row_key(seen.row))
                summary.duplicates += 1
                continue
            same_seed = model_of.get(slot[0])
            if same_seed is not None and same_seed.row["model_sha256"] != f.row["model_sha256"]:
                _refuse(same_seed, f, ["model_sha256"], same_key=False)
            by_key[key] = by_slot[slot] = f
            model_of.setdefault(slot[0], f)
            new.append(Incoming(f.row, f.where, shard))
    return new, summary


def _refuse(a: Found, b: Found, diff: list[str], same_key: bool) -> None:
    if not same_key:  # the key column that differs says the most: other weights, or another format version
        diff = sorted(diff, key=lambda c: c not in ("model_sha256", "cert_version"))
    col = diff[0]
    why = ("same weights, strategy and certificate version" if same_key else
           f"same seed {a.row['seed']}, but a folder holds one row per seed and strategy, and one model per seed")
    more = f" (also differs: {', '.join(diff[1:])})" if len(diff) > 1 else ""
    raise InputError(b.where, col, f"disagrees with {a.where} ({why}): {a.row.get(col)!r} there, "
                                   f"{b.row.get(col)!r} here{more}")


def _verify(new: list[Incoming], target: dict[Any, Found], out: Path) -> list[Verified]:
    """Every new row verified (verify.py), or Refusal naming each that is not; InputError for unsafe paths."""
    verified: list[Verified] = []
    problems: list[tuple[str, str]] = []
    sources = [(item, source_of(item)) for item in new]  # unsafe paths are refused before anything is checked
    for item, src in sources:
        if src is None:
            verified.append(Verified(item))
            continue
        inside(out / src.relative_to(item.shard), out, item.where)
        ok, why = verify_certificate(item, src)
        if ok is None:
            problems.append((item.where, str(why)))
        else:
            _require_same_weights(ok, out)
            verified.append(ok)
    refused = {where for where, _ in problems}  # rows already refused are compared with nothing
    rows = [(f.row, f.where, False) for f in target.values()]
    rows += [(i.row, i.where, True) for i in new if i.where not in refused]
    problems += cross_check(rows)
    if problems:
        raise Refusal(sorted(set(problems)))
    return verified


def _require_same_weights(v: Verified, out: Path) -> None:
    """The target's weights.json for this seed, if it has one, must be the weights the certificate was checked on."""
    assert v.cert is not None and v.weights is not None
    dst = out / v.cert.relative_to(v.incoming.shard).parent / "weights.json"
    if dst.is_file() and hashlib.sha256(dst.read_bytes()).hexdigest() != v.weights_sha256:
        from .. import weights as weights_io
        from ..jsonfile import read_json

        if weights_io.parse(read_json(dst, "weights"), dst).sha256 != v.incoming.row["model_sha256"]:
            raise InputError(dst, "model_sha256", f"holds other weights than {v.incoming.where} was computed on")


def _copy_certificate(v: Verified, out: Path) -> int:
    """Copy a verified row's certificate (and its weights, if the target has none) into the target."""
    if v.cert is None or v.weights is None:
        return 0
    rel = v.cert.relative_to(v.incoming.shard)
    data, wdata = v.cert.read_bytes(), v.weights.read_bytes()
    if (hashlib.sha256(data).hexdigest() != v.incoming.row["cert_sha256"]
            or hashlib.sha256(wdata).hexdigest() != v.weights_sha256):
        raise InputError(v.cert, None, "changed while the merge was running; run the merge again")
    if not (out / rel.parent / "weights.json").is_file():
        atomic_write(out / rel.parent / "weights.json", wdata)
    atomic_write(out / rel, data)
    return 1


def _take_runs(runs: list[tuple[Path, list[dict[str, Any]]]], out: Path) -> None:
    """The shards' run records, tagged with their shard, appended once each to <out>/runs.jsonl."""
    have = {json.dumps(r, sort_keys=True) for r in read_runs(out)}
    lines = []
    for shard, records in runs:
        for r in records:
            r.setdefault("shard", str(shard))
            text = json.dumps(r, sort_keys=True, ensure_ascii=False)
            if text not in have:
                have.add(text)
                lines.append(text)
    if lines:
        with open(out / "runs.jsonl", "a", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
