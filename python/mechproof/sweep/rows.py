"""The row store of a sweep folder: one small JSON file per (seed, strategy), keyed by content, and the tables
rebuilt from them.

Layout of a sweep folder <out>:

    rows/seed<N>/<strategy>.json         one finished row (written atomically, so a crash leaves whole rows only)
    failures/seed<N>/<strategy>.json     why a task failed last time (it is retried on the next run)
    certificates/seed<N>/                the checked certificates and weights.json (regenerable, never committed)
    results.json, results.csv            every row, rebuilt at the end of every run from the row files and the
                                         earlier tables (folder.py: a table never loses a row)
    stages.csv                           per seed: seconds spent training, brute-forcing, proving, checking
    runs.jsonl                           one line per run: wall time and stage totals of what it computed
    .lock                                held by the run writing into the folder, and says which run that is

A row's identity is its key, (weights SHA-256, strategy, certificate format version): the same key means the
same proof of the same weights, whichever machine computed it, so rows of shards merge by key (merge.py). Its
columns are facts about the proof (bound, proof length, certificate bytes, …) plus *volatile* columns that say
how long it took and where it ran (VOLATILE); two rows of one key must agree in everything else.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from pathlib import Path
from typing import Annotated, Any, Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from ..errors import InputError
from ..files import atomic_write

BRUTE = "brute-force"
"""Name (and group) of the brute-force pseudo-strategy row: one per seed, the exact accuracy."""
ESTIMATE = "estimate"
"""Name of the per-seed reference row where brute force is out of reach: a sampled accuracy ESTIMATE with a
confidence interval (its `bound`, `correct` and `normalized` are empty: it certifies nothing)."""
REFERENCES = (BRUTE, ESTIMATE)


def reference_name(n_inputs: int) -> str:
    """The per-seed reference row: exact brute force when feasible, else a sampled estimate."""
    from ..tasks.maxk.bruteforce import MAX_INPUTS

    return BRUTE if n_inputs <= MAX_INPUTS else ESTIMATE

BASE_COLUMNS = (
    "seed",
    "strategy",
    "group",
    "complexity",
    "correct",
    "total",
    "bound",
    "brute_correct",
    "brute_accuracy",
    "normalized",
    "prove_seconds",
    "check_seconds",
    "check_ops",
)
TAIL_COLUMNS = ("cert_bytes", "cert_sha256", "cert_version", "certificate", "model_sha256")

TIMING_COLUMNS = frozenset({"train_seconds", "prove_seconds", "check_seconds"})
PROVENANCE_COLUMNS = frozenset({"host", "model", "trained", "device", "train_device"})
"""Where and how a row was computed: the host, the model file it was read from, whether this run trained it and
on which device brute force and training ran. None of it changes what the row proves."""
VOLATILE = TIMING_COLUMNS | PROVENANCE_COLUMNS
"""Columns that may differ between two computations of the same row."""

RowKey = tuple[str, str, "int | None"]


def row_key(row: Mapping[str, Any]) -> RowKey:
    """(weights SHA-256, strategy, certificate format version; None for brute force, which has no certificate)."""
    return (str(row.get("model_sha256")), str(row.get("strategy")), row.get("cert_version"))


def differing_columns(a: Mapping[str, Any], b: Mapping[str, Any], ignore: Iterable[str] = VOLATILE) -> list[str]:
    """The columns (sorted) in which two rows disagree; a column missing from a row reads as None (an empty CSV
    cell), and `ignore` (default: timings and provenance) is left out."""
    skip = set(ignore)
    return sorted(k for k in set(a) | set(b) if k not in skip and a.get(k) != b.get(k))


# ------------------------------------------------------------------------------------------------ layout


def safe_name(name: str) -> str:
    """A file name for a strategy name: kept as is if harmless, else sanitised plus a short hash (no clashes)."""
    if re.fullmatch(r"[A-Za-z0-9+=@_-][A-Za-z0-9.+=@_-]*", name) and len(name) <= 150:
        return name
    clean = re.sub(r"[^A-Za-z0-9.+=@_-]", "_", name)[:120].lstrip(".")
    return f"{clean}~{hashlib.sha256(name.encode()).hexdigest()[:10]}"


def row_path(out: Path, seed: int, strategy: str) -> Path:
    return Path(out) / "rows" / f"seed{seed}" / f"{safe_name(strategy)}.json"


def failure_path(out: Path, seed: int, strategy: str) -> Path:
    return Path(out) / "failures" / f"seed{seed}" / f"{safe_name(strategy)}.json"


def cert_dir(out: Path, seed: int) -> Path:
    return Path(out) / "certificates" / f"seed{seed}"


def write_json(path: Path, doc: Mapping[str, Any]) -> None:
    atomic_write(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(path, f"line {e.lineno} column {e.colno}", f"not valid JSON ({e.msg})") from None
    except (OSError, ValueError, RecursionError) as e:
        why = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise InputError(path, None, f"unreadable sweep file ({why})") from None


# ------------------------------------------------------------------------------------------------ row schema

_SHA256 = r"^[0-9a-f]{64}$"
_Count = Annotated[StrictInt, Field(ge=0)]


class _RowFields(BaseModel):
    """The columns a row is filed, keyed and compared by; every other column is kept as it is."""

    model_config = ConfigDict(extra="allow")
    seed: _Count
    strategy: StrictStr = Field(min_length=1, max_length=200)
    model_sha256: StrictStr = Field(pattern=_SHA256)
    cert_version: StrictInt | None = None
    cert_sha256: Annotated[StrictStr, Field(pattern=_SHA256)] | None = None
    certificate: StrictStr | None = None
    correct: _Count | None = None
    total: _Count | None = None
    upper: _Count | None = None
    brute_correct: _Count | None = None


class _FailureFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: _Count
    strategy: StrictStr = Field(min_length=1, max_length=200)
    error: StrictStr


def _validated(doc: Any, schema: type[BaseModel], path: Path | str, what: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(doc), "a number")
        raise InputError(path, "(top level)", f"expected a JSON object ({what}), got {kind}")
    try:
        schema.model_validate(doc)
    except ValidationError as e:
        from ..certificate import _input_error  # the certificate parser's located message, reused

        raise _input_error(e, path) from None
    return doc


def check_row(doc: Any, path: Path | str) -> dict[str, Any]:
    """`doc` if it is a row: an object whose seed, strategy, hashes and counts have the types a sweep writes."""
    return _validated(doc, _RowFields, path, "a sweep row")


def read_row(path: Path) -> dict[str, Any]:
    return check_row(read_json(path), path)


def read_failure(path: Path) -> dict[str, Any]:
    return _validated(read_json(path), _FailureFields, path, "a failure record")


def store_row(out: Path, row: Mapping[str, Any]) -> None:
    """Write a finished row and drop the failure record of its task, if any."""
    write_json(row_path(out, row["seed"], row["strategy"]), row)
    failure_path(out, row["seed"], row["strategy"]).unlink(missing_ok=True)


def store_failure(out: Path, seed: int, strategy: str, error: str) -> None:
    write_json(failure_path(out, seed, strategy), {"seed": seed, "strategy": strategy, "error": error})


# ------------------------------------------------------------------------------------------------ tables


def sort_key(row: Mapping[str, Any]) -> tuple:
    return (int(row["seed"]), row["strategy"] not in REFERENCES, str(row["strategy"]))


def csv_columns(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Base columns, one ops_<kind> column per operation kind seen, the tail columns, then any other keys."""
    rows = list(rows)
    kinds = sorted({k for r in rows for k in (r.get("ops") or {})})
    known = set(BASE_COLUMNS) | set(TAIL_COLUMNS) | {"ops"}
    extra = sorted({k for r in rows for k in r if k not in known})
    return [*BASE_COLUMNS, *(f"ops_{k}" for k in kinds), *TAIL_COLUMNS, *extra]


def table_csv(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        ops = r.get("ops") or {}
        writer.writerow([_cell(ops.get(c[4:]) if c.startswith("ops_") else r.get(c)) for c in columns])
    return buf.getvalue()


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def parse_cell(text: str) -> Any:
    """The value a results.csv cell was written from: "" → None, true/false, int, float (written as Python's
    round-tripping repr, so always with '.', 'e' or 'inf'), else the string."""
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?(\d+\.\d*|\d*\.\d+|\d+)(e[-+]?\d+)?|-?\d+e[-+]?\d+", text, flags=re.IGNORECASE):
        return float(text)
    return text


def read_csv_table(path: Path) -> list[dict[str, Any]]:
    """The rows of a results.csv, each a {column: value} dict with values as parse_cell reads them; the ops_<kind>
    columns are kept flat (a row read here compares equal to `flat_row` of the row it was written from)."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise InputError(path, None, "empty file (expected a results.csv header)")
            rows = []
            for i, cells in enumerate(reader, start=2):
                if len(cells) != len(header):
                    raise InputError(path, f"line {i}", f"{len(cells)} cells, the header has {len(header)}")
                rows.append({c: parse_cell(v) for c, v in zip(header, cells)})
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(path, None, f"cannot read ({e})") from None
    for need in ("seed", "strategy"):
        if need not in header:
            raise InputError(path, need, "missing column")
    return rows


def flat_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as results.csv holds it: ops flattened into ops_<kind>, cells as parse_cell reads them back."""
    flat = {k: v for k, v in row.items() if k != "ops"}
    flat.update({f"ops_{k}": v for k, v in (row.get("ops") or {}).items()})
    return {k: parse_cell(str(_cell(v))) for k, v in flat.items()}


def unflat_row(flat: Mapping[str, Any]) -> dict[str, Any]:
    """A row as results.csv holds it (`read_csv_table`) turned back into a row: the ops_<kind> cells gathered
    into `ops`; table_csv writes the same line for it as for the row it was read from."""
    row = {k: v for k, v in flat.items() if not k.startswith("ops_")}
    ops = {k[4:]: v for k, v in flat.items() if k.startswith("ops_") and v is not None}
    if ops:
        row["ops"] = ops
    return row
