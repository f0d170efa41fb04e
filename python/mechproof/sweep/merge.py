"""Merge sweep folders computed on different machines (shards) into one.

Rows are matched by key (rows.row_key: weights SHA-256, strategy, certificate format version). Two rows of one
key are two computations of the same proof and must agree in every column but the volatile ones (timings and
where they ran); a folder also holds one row per (seed, strategy), so two rows for the same seed and strategy
with different keys (other weights, another certificate version) cannot both be kept. Either conflict refuses
the whole merge before anything is written, naming both row files and the differing column (InputError: exit 2).

The merged folder gets the union of the rows, the shards' certificates (each verified against the row's
cert_sha256 before it is copied; a shard without its certificates still contributes its rows, which were
checked where they were computed), the failures that no row has since fixed, every shard's run records, and
rebuilt tables.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import atomic_write
from .rows import (
    build_tables,
    differing_columns,
    failure_path,
    read_json,
    row_key,
    row_path,
    store_row,
    write_json,
)
from .timing import read_runs


@dataclass
class MergeSummary:
    rows: int = 0  # rows in the merged folder
    added: int = 0  # rows new to it
    duplicates: int = 0  # rows found in more than one place (and agreeing)
    certificates: int = 0  # certificate files copied
    missing_certificates: list[str] = field(default_factory=list)  # rows whose shard had no certificate file


def _row_files(folder: Path) -> list[Path]:
    return sorted((folder / "rows").glob("seed*/*.json"))


def merge_shards(out: Path, shards: list[Path]) -> MergeSummary:
    """Merge the `shards` (sweep folders) into `out` (created, or merged into if it is a sweep folder)."""
    out = Path(out)
    shards = [Path(s) for s in shards if Path(s).resolve() != out.resolve()]
    for s in shards:
        if not (s / "rows").is_dir():
            raise InputError(s, None, "not a sweep folder (no rows/ in it)")
    by_key: dict[Any, tuple[dict[str, Any], Path]] = {}
    by_slot: dict[tuple[int, str], tuple[dict[str, Any], Path]] = {}
    new: list[tuple[dict[str, Any], Path, Path]] = []  # (row, its file, its shard)
    summary = MergeSummary()
    for folder in [out, *shards]:
        for f in _row_files(folder):
            row = read_json(f)
            key, slot = row_key(row), (int(row["seed"]), str(row["strategy"]))
            seen = by_key.get(key) or by_slot.get(slot)
            if seen is not None:
                diff = differing_columns(seen[0], row)
                if diff:
                    _refuse(seen, (row, f), diff, same_key=key == row_key(seen[0]))
                summary.duplicates += 1
                continue
            by_key[key] = by_slot[slot] = (row, f)
            if folder != out:
                new.append((row, f, folder))
    for row, _, shard in new:  # every certificate is verified before anything is written
        _verify_certificate(row, shard)
    for row, _, shard in new:
        summary.certificates += _copy_certificate(row, shard, out, summary)
        store_row(out, row)
        summary.added += 1
    for shard in shards:
        _take_failures(shard, out, by_slot)
        _take_runs(shard, out)
    summary.rows = len(build_tables(out))
    return summary


def _refuse(a: tuple[dict[str, Any], Path], b: tuple[dict[str, Any], Path], diff: list[str], same_key: bool) -> None:
    if not same_key:  # the key column that differs says the most: other weights, or another format version
        diff = sorted(diff, key=lambda c: c not in ("model_sha256", "cert_version"))
    col = diff[0]
    why = ("same weights, strategy and certificate version" if same_key else
           f"same seed {a[0]['seed']} and strategy {a[0]['strategy']!r}, but a folder holds one row per pair")
    more = f" (also differs: {', '.join(diff[1:])})" if len(diff) > 1 else ""
    raise InputError(
        b[1], col, f"disagrees with {a[1]} ({why}): {a[0].get(col)!r} there, {b[0].get(col)!r} here{more}"
    )


def _verify_certificate(row: dict[str, Any], shard: Path) -> None:
    src = shard / str(row.get("certificate"))
    if row.get("certificate") and src.is_file():
        if hashlib.sha256(src.read_bytes()).hexdigest() != row.get("cert_sha256"):
            raise InputError(src, "cert_sha256", f"the file does not hash to its row's cert_sha256 {row.get('cert_sha256')}")


def _copy_certificate(row: dict[str, Any], shard: Path, out: Path, summary: MergeSummary) -> int:
    rel = row.get("certificate")
    if not rel:
        return 0
    src, dst = shard / rel, out / rel
    if not src.is_file():
        summary.missing_certificates.append(rel)
        return 0
    weights = src.parent / "weights.json"
    if weights.is_file() and not (dst.parent / "weights.json").is_file():
        atomic_write(dst.parent / "weights.json", weights.read_bytes())
    atomic_write(dst, src.read_bytes())
    return 1


def _take_failures(shard: Path, out: Path, by_slot: dict[tuple[int, str], Any]) -> None:
    """Failures of tasks that no shard has a row for come along (to be retried); the rest are dropped."""
    for f in sorted((shard / "failures").glob("seed*/*.json")):
        fail = read_json(f)
        if (int(fail["seed"]), str(fail["strategy"])) not in by_slot:
            write_json(failure_path(out, fail["seed"], fail["strategy"]), fail)
    for f in sorted((out / "failures").glob("seed*/*.json")):
        fail = read_json(f)
        if row_path(out, fail["seed"], fail["strategy"]).is_file():
            f.unlink()


def _take_runs(shard: Path, out: Path) -> None:
    """The shard's run records, tagged with the shard, appended once each to <out>/runs.jsonl."""
    have = {json.dumps(r, sort_keys=True) for r in read_runs(out)}
    lines = []
    for r in read_runs(shard):
        r.setdefault("shard", str(shard))
        text = json.dumps(r, sort_keys=True, ensure_ascii=False)
        if text not in have:
            have.add(text)
            lines.append(text)
    if lines:
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "runs.jsonl", "a", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
