"""What `sweep-merge` checks before it takes a row from another folder: nothing a shard says is believed.

A shard is a folder computed elsewhere (another machine, another person), so each of its new rows is checked
here as if it were hostile:

* where: a row's certificate is where a sweep puts it, certificates/seed<N>/<strategy>.json, inside the shard
  (and will be inside the target); any other path, or one that a link leads out of the folder, is malformed
  input (InputError, exit 2);
* what: the certificate, copied with its weights into a private scratch folder, is checked again by the
  independent checker, and every column the row takes from it must be what the checker finds: strategy, weights
  hash, format version, bytes and their SHA-256, correct, total, upper, bound and proof length (check_ops, ops);
* against the truth: rows of the same weights are compared with their brute-force row: a certified count above
  brute force's, an upper bound below it, or a normalized bound or brute_correct that is not the brute-force
  row's, refuses the row. A certified count is proven and brute force is not re-run here, so where a shard's
  brute-force row disagrees with a certified count, the brute-force row is the one refused.

Rows without a certificate are reference rows: brute force (cross-checked as above) and the accuracy estimate
(which certifies nothing: its count, bound and normalized bound must be empty). A row that fails any check is
a `Refusal` (exit 1), named with its reason; `sweep-merge` writes nothing unless every row passes.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError
from ..jsonfile import short
from .rows import BRUTE, ESTIMATE, REFERENCES, cert_dir, safe_name


@dataclass(frozen=True)
class Incoming:
    """A row new to the target, where it was read and the shard it came from."""

    row: dict[str, Any]
    where: str
    shard: Path


@dataclass
class Verified:
    """A strategy row that passed: its certificate and weights files in the shard and the SHA-256 of the bytes
    that were checked (the merge copies them only if they still hash the same)."""

    incoming: Incoming
    cert: Path | None = None
    weights: Path | None = None
    weights_sha256: str | None = None


@dataclass
class Refusal(Exception):
    """Rows that failed verification, each (where, why); the merge wrote nothing."""

    problems: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{where}: {why}" for where, why in self.problems)


def certificate_rel(seed: int, strategy: str) -> str:
    """Where a sweep keeps a row's certificate, relative to its folder."""
    return (cert_dir(Path(), seed) / f"{safe_name(strategy)}.json").as_posix()


def inside(path: Path, folder: Path, where: str) -> Path:
    """`path` if it stays inside `folder` once every link is followed; else malformed input naming `where`."""
    try:
        real, root = path.resolve(), folder.resolve()
    except (OSError, RuntimeError) as e:  # a link loop, a name too long
        raise InputError(where, "certificate", f"{path} cannot be followed ({e})") from None
    if real != root and root not in real.parents:
        raise InputError(where, "certificate", f"{path} leads outside {folder} (to {real})")
    return path


def source_of(item: Incoming) -> Path | None:
    """The shard's certificate file of a row (None for a reference row), after checking that its path is the one a
    sweep writes and stays inside the shard."""
    row, rel = item.row, item.row.get("certificate")
    if row["strategy"] in REFERENCES:
        if rel is not None:
            raise InputError(item.where, "certificate", f"a {row['strategy']} row has no certificate, got {short(rel)}")
        return None
    expected = certificate_rel(row["seed"], row["strategy"])
    if rel != expected:
        raise InputError(item.where, "certificate",
                         f"expected {expected!r} (where a sweep keeps this row's certificate), got {short(rel)}")
    return inside(item.shard / expected, item.shard, item.where)


def verify_certificate(item: Incoming, src: Path) -> tuple[Verified | None, str | None]:
    """(what to copy, None) if the row is exactly what its certificate proves, else (None, the reason)."""
    from ..certificate import load_certificate
    from ..checker import ClaimFailure, check

    from ..tasks.maxk.strategies import STRATEGIES

    row = item.row
    if row["strategy"] not in STRATEGIES:
        return None, f"no strategy named {short(row['strategy'])} in this mechproof, so nothing to check it against"
    wsrc = src.parent / "weights.json"
    for f in (src, wsrc):
        inside(f, item.shard, item.where)
        if not f.is_file():
            return None, f"{f} is missing: a row is taken only with its certificate and weights, checked again here"
    data, wdata = src.read_bytes(), wsrc.read_bytes()
    if hashlib.sha256(data).hexdigest() != row.get("cert_sha256"):
        return None, f"its certificate {src} does not hash to the row's cert_sha256"
    with tempfile.TemporaryDirectory(prefix="mechproof-merge-") as tmp:
        copy = Path(tmp) / src.name
        copy.write_bytes(data)
        (Path(tmp) / "weights.json").write_bytes(wdata)
        try:
            cert, _ = load_certificate(copy)
            if cert.model.weights != "weights.json":
                return None, f"its certificate names weights {short(cert.model.weights)}, not the weights.json beside it"
            res = check(copy)
        except ClaimFailure as e:
            return None, f"the checker rejects its certificate {src}: {e}"
        except InputError as e:
            return None, f"the checker finds its certificate {src} malformed: {e.field or ''} {e.message}".strip()
    found = {
        "strategy": strategy_of(cert),
        "model_sha256": cert.model.sha256,
        "cert_version": cert.version,
        "cert_bytes": len(data),
        "correct": res.correct,
        "total": res.total,
        "upper": res.upper,
        "bound": res.correct / res.total,
        "check_ops": res.total_ops,
        "ops": dict(sorted(res.ops.items())),
    }
    for col, want in found.items():
        have = row.get(col)
        if col == "ops" and isinstance(have, dict):
            have = dict(sorted(have.items()))
        if have != want or type(have) is not type(want):
            return None, f"{col} is {short(have)}, but its certificate {src} proves {short(want)}"
    info = STRATEGIES[row["strategy"]]
    for col in ("group", "complexity"):
        if row.get(col) != getattr(info, col):
            return None, f"{col} is {short(row.get(col))}, but strategy {row['strategy']!r} is {getattr(info, col)!r}"
    return Verified(item, src, wsrc, hashlib.sha256(wdata).hexdigest()), None


def strategy_of(cert: Any) -> str:
    """The sweep's name for a certificate's strategy: cubic, cubic+residual or subcubic-<codes>."""
    from ..tasks.maxk.strategies.subcubic import VARIANTS

    if cert.strategy.name != "subcubic":
        return str(cert.strategy.name)
    p = cert.typed_params()
    key = {v.names: v.key for v in VARIANTS}[(p.eupu, p.attention, p.qk)]
    return key if p.count == "fixed" else f"{key} ({p.count} count)"


def cross_check(rows: list[tuple[Mapping[str, Any], str, bool]]) -> list[tuple[str, str]]:
    """Rows (row, where, new?) of the target and the shards, each new one already checked on its own, against the
    brute-force row of the same weights. Returns (where, why) for each new row that cannot stand beside them."""
    problems: list[tuple[str, str]] = []
    brute: dict[str, tuple[Mapping[str, Any], str, bool]] = {}
    for row, where, new in rows:
        if row["strategy"] == BRUTE:
            why = _brute_itself(row)
            if why and new:
                problems.append((where, why))
            brute.setdefault(str(row["model_sha256"]), (row, where, new))
        elif row["strategy"] == ESTIMATE and new:
            filled = [c for c in ("correct", "bound", "normalized", "brute_correct") if row.get(c) is not None]
            if filled:
                problems.append((where, f"an estimate certifies nothing, but its {', '.join(filled)} is filled in"))
    for row, where, new in rows:
        if row["strategy"] in REFERENCES or str(row["model_sha256"]) not in brute:
            if new and row["strategy"] not in REFERENCES and row.get("brute_correct") is not None:
                problems.append((where, "brute_correct is filled in, but no brute-force row of its weights is here"))
            continue
        b, b_where, b_new = brute[str(row["model_sha256"])]
        why = _against_brute(row, where, b, b_where)
        if why is None or not (new or b_new):
            continue
        # a certified count is proven (checked above); a brute-force count is only claimed: refuse the latter
        problems.append((b_where if b_new and why[0] else where, why[1]))
    return sorted(set(problems))


def _brute_itself(row: Mapping[str, Any]) -> str | None:
    c, t = row.get("correct"), row.get("total")
    if not isinstance(c, int) or not isinstance(t, int) or t <= 0 or c > t:
        return f"correct {short(c)} of total {short(t)} is not a count of inputs"
    want = {"brute_correct": c, "bound": c / t, "brute_accuracy": c / t, "normalized": 1.0 if c else None}
    for col, v in want.items():
        if row.get(col) != v:
            return f"{col} is {short(row.get(col))}, but its count says {short(v)}"
    return None


def _against_brute(row: Mapping[str, Any], where: str, b: Mapping[str, Any], b_where: str) -> tuple[bool, str] | None:
    """None if a strategy row agrees with the brute-force row of its weights; else (whether the certified numbers
    contradict the brute-force count, why)."""
    truth, c = b.get("correct"), row.get("correct")
    if not (isinstance(truth, int) and isinstance(c, int) and isinstance(b.get("total"), int) and b["total"] > 0):
        return None  # a target row without counts (new rows have them: checked above)
    same = f"of the same weights ({b_where})"
    if row.get("total") != b["total"]:
        return False, f"total {short(row.get('total'))} differs from the {b['total']} of the brute-force row {same}"
    if c > truth:
        return True, f"the certified count {c} of {where} is above the brute-force count {truth} {same}"
    if row.get("upper") is not None and row["upper"] < truth:
        return True, f"the certified upper bound {row['upper']} of {where} is below the brute-force count {truth} {same}"
    want = {"brute_correct": truth, "brute_accuracy": truth / b["total"], "normalized": c / truth if truth else None}
    for col, v in want.items():
        if row.get(col) != v:
            return False, f"{col} is {short(row.get(col))}, but the brute-force row {same} gives {short(v)}"
    return None
