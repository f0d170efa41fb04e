"""A sweep folder as a whole: every row it holds, wherever it is kept, the tables rebuilt from them, and the lock
that lets one run at a time write into it.

Where rows are kept. Each finished task writes a row file (rows/seed<N>/<strategy>.json); every run then
rebuilds results.json and results.csv from the rows. A study is committed as its results.csv alone (the row
files are not committed), so a folder's rows are the union of three places: its row files, results.json and
results.csv. Tables are rebuilt from that union, never from the row files alone, so a sweep can only add rows:
one that selects fewer seeds than a committed table holds, or that runs where only a results.csv is left, keeps
every row it does not compute, and a task whose row is in any of the three places is not run again. To recompute
rows, sweep into another folder (and compare, as `paper-check` does).

Two places that hold a row for the same seed and strategy must agree in every column but the volatile ones; if
they do not, the folder is refused (InputError naming both places and the column) rather than one of them being
dropped. The row file wins over results.json, and results.json over results.csv, in the volatile columns.

One writer at a time. A sweep or a merge holds an exclusive lock on <out>/.lock (flock: the operating system
releases it when the holder exits, however it exits) and writes who holds it into the file; a second writer is
refused at once, naming the holder. Readers need no lock: every file is replaced atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from ..files import atomic_write
from .rows import (
    check_row,
    csv_columns,
    differing_columns,
    flat_row,
    read_csv_table,
    read_failure,
    read_json,
    read_row,
    sort_key,
    table_csv,
    unflat_row,
)

Slot = tuple[int, str]
"""(seed, strategy): a folder holds at most one row per slot."""

TABLES = ("results.json", "results.csv")
LOCK = ".lock"


@dataclass(frozen=True)
class Found:
    """A row and where it was read (a row file, or a table and the row's place in it)."""

    row: dict[str, Any]
    where: str


# ------------------------------------------------------------------------------------------------ rows


def present_rows(out: Path, seed: int | None = None) -> dict[Slot, Found]:
    """Every row of the folder (or of one seed): the tables' rows, then the row files over them."""
    out = Path(out)
    found: dict[Slot, Found] = {}
    for f in _table_rows(out):
        if seed is None or f.row["seed"] == seed:
            _add(found, f)
    pattern = f"seed{seed}/*.json" if seed is not None else "seed*/*.json"
    for path in sorted((out / "rows").glob(pattern)):
        _add(found, Found(read_row(path), str(path)))
    return found


def find_row(out: Path, seed: int, strategy: str) -> dict[str, Any] | None:
    hit = present_rows(out, seed).get((seed, strategy))
    return None if hit is None else hit.row


def load_rows(out: Path) -> list[dict[str, Any]]:
    """Every row of the folder, sorted by (seed, reference row first, strategy name)."""
    return sorted((f.row for f in present_rows(out).values()), key=sort_key)


def check_same_model(out: Path, seed: int, sha: str) -> None:
    """Rows already present for this seed must have been computed on these weights (one model per seed)."""
    for f in present_rows(out, seed).values():
        if f.row.get("model_sha256") != sha:
            raise InputError(
                f.where,
                "model_sha256",
                f"row was computed for model {str(f.row.get('model_sha256'))[:12]}…, but seed{seed} now has weights "
                f"{sha[:12]}…; a folder keeps one model per seed: sweep into another --out, or restore the old weights",
            )


def _add(found: dict[Slot, Found], new: Found) -> None:
    slot = (new.row["seed"], new.row["strategy"])
    old = found.get(slot)
    if old is not None and old.row != new.row:
        diff = differing_columns(flat_row(old.row), flat_row(new.row))
        if diff:
            raise InputError(
                new.where, diff[0],
                f"disagrees with {old.where} (both are seed {slot[0]} {slot[1]!r}): {old.row.get(diff[0])!r} there, "
                f"{new.row.get(diff[0])!r} here; a folder holds one row per seed and strategy: remove the wrong one",
            )
    found[slot] = new


_TABLE_CACHE: dict[Path, tuple[tuple, list[Found]]] = {}


def _table_rows(out: Path) -> list[Found]:
    """The rows of results.csv, then of results.json (kept per process while neither file changes: a sweep's
    workers look up one seed at a time)."""
    files = [out / name for name in TABLES]
    stamp = tuple((st.st_mtime_ns, st.st_size) if (st := _stat(f)) else None for f in files)
    key = out.resolve()
    hit = _TABLE_CACHE.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    json_rows = _json_table(files[0]) if stamp[0] else []
    csv_rows = _csv_table(files[1], json_rows) if stamp[1] else []
    rows = csv_rows + json_rows
    _TABLE_CACHE.clear()  # one folder at a time is enough, and keeps memory flat
    _TABLE_CACHE[key] = (stamp, rows)
    return rows


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _json_table(path: Path) -> list[Found]:
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("format") != "mechproof-sweep-results":
        raise InputError(path, "format", "expected a sweep table (format mechproof-sweep-results)")
    rows = doc.get("rows")
    if not isinstance(rows, list):
        raise InputError(path, "rows", "expected a list of rows")
    return [Found(check_row(r, f"{path} (row {i})"), f"{path} (row {i})") for i, r in enumerate(rows, start=1)]


def _csv_table(path: Path, json_rows: list[Found]) -> list[Found]:
    """The rows of results.csv; none when it is exactly the table of results.json's rows (as every run writes
    them), so that a folder's rows are not compared twice."""
    if json_rows:
        rows = [f.row for f in json_rows]
        try:
            if path.read_text(encoding="utf-8") == table_csv(rows, csv_columns(rows)):
                return []
        except (OSError, UnicodeDecodeError):
            pass  # read_csv_table says what is wrong with it
    return [Found(check_row(unflat_row(r), f"{path} line {i}"), f"{path} line {i}")
            for i, r in enumerate(read_csv_table(path), start=2)]


def read_table(path: Path) -> list[dict[str, Any]]:
    """The rows of a results.csv as read_csv_table reads them, each checked to be a row (rows.check_row)."""
    rows = read_csv_table(path)
    for i, r in enumerate(rows, start=2):
        check_row(unflat_row(r), f"{path} line {i}")
    return rows


# ------------------------------------------------------------------------------------------------ tables


def build_tables(out: Path) -> list[dict[str, Any]]:
    """(Re)write <out>/results.json, results.csv and stages.csv from every row present; returns the rows.

    Failure records of tasks that now have a row are stale (another run computed them since) and are removed."""
    from .timing import stages_csv

    out = Path(out)
    present = present_rows(out)
    rows = sorted((f.row for f in present.values()), key=sort_key)
    failures = []
    for path in sorted((out / "failures").glob("seed*/*.json")):
        fail = read_failure(path)
        if (fail["seed"], fail["strategy"]) in present:
            path.unlink(missing_ok=True)
        else:
            failures.append(fail)
    columns = csv_columns(rows)
    doc = {
        "format": "mechproof-sweep-results",
        "version": 2,
        "columns": columns,
        "rows": rows,
        "failures": sorted(failures, key=sort_key),
    }
    atomic_write(out / "results.json", json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    atomic_write(out / "results.csv", table_csv(rows, columns))
    atomic_write(out / "stages.csv", stages_csv(rows))
    return rows


def load_failures(out: Path) -> list[dict[str, Any]]:
    fails = [read_failure(f) for f in sorted((Path(out) / "failures").glob("seed*/*.json"))]
    return sorted(fails, key=sort_key)


# ------------------------------------------------------------------------------------------------ the folder


def usable_folder(out: Path, option: str = "--out") -> Path:
    """`out` if it is a folder or could be made one; a file in its place (or above it) is bad input."""
    out = Path(out)
    for p in (out, *out.parents):
        if p.exists():
            if not p.is_dir():
                raise InputError(None, option, f"{p} is a file; expected a sweep folder there")
            break
    return out


def make_folder(out: Path, option: str = "--out") -> Path:
    """`out`, created if missing; a file in its place (or above it) or a folder that cannot be made is bad input."""
    out = usable_folder(out, option)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(None, option, f"cannot create the folder {out} ({e.strerror})") from None
    return out


@contextlib.contextmanager
def folder_lock(out: Path, option: str = "--out") -> Iterator[None]:
    """Hold <out>/.lock while writing into `out`; if another process holds it, InputError naming that process."""
    out = make_folder(out, option)
    path = out / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as e:
        raise InputError(path, None, f"cannot open the folder's lock file ({e.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path)
            raise InputError(
                None, option, f"{out} is in use by another run ({holder}, lock {path}); wait for it to finish, "
                "or use another folder",
            ) from None
        me = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv),
              "since": _now()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(me) + "\n").encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(path: Path) -> str:
    try:
        who = json.loads(path.read_text(encoding="utf-8"))
        return f"pid {who['pid']} on {who['host']} since {who['since']}: {who['command']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not said who it is yet"


def _now() -> str:
    from .timing import now_utc

    return now_utc()
