"""The paper's study (151 seeds × 102 strategies), committed under results/paper-max4/, and the check that a
recomputation reproduces it.

Committed: results.csv (one row per seed and strategy), stages.csv, runs.jsonl and the report; never the
certificates or models, which regenerate byte for byte (a row's cert_sha256 and model_sha256 say which bytes).
`make paper SEEDS=50,104` recomputes some seeds into a scratch folder and `compare_with_committed` says, per
row, whether it matches the committed row in every column but the volatile ones (timings, host and the other
provenance columns of rows.VOLATILE).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .rows import VOLATILE, differing_columns, sort_key

@dataclass(frozen=True)
class RowCheck:
    """One recomputed row against the committed table."""

    seed: int
    strategy: str
    status: str  # "match", "mismatch" or "not committed"
    columns: tuple[str, ...]  # the differing columns (empty unless a mismatch)
    committed: Mapping[str, Any] | None
    recomputed: Mapping[str, Any]

    @property
    def ok(self) -> bool:
        return self.status == "match"

    def describe(self) -> str:
        """'match', or each differing column with both values."""
        if self.status != "mismatch":
            return self.status
        assert self.committed is not None
        return "; ".join(f"{c}: committed {self.committed.get(c)!r}, recomputed {self.recomputed.get(c)!r}"
                         for c in self.columns)


def compare_with_committed(committed: Sequence[Mapping[str, Any]], recomputed: Sequence[Mapping[str, Any]],
                           ignore: frozenset[str] = VOLATILE) -> list[RowCheck]:
    """Per recomputed row (in table order), the committed row of the same seed and strategy and the columns in
    which they differ, `ignore` left out. Rows must come the same way from both sides (both read from a
    results.csv by rows.read_csv_table, say), since 1 and 1.0 differ."""
    table = {(int(r["seed"]), str(r["strategy"])): r for r in committed}
    checks = []
    for r in sorted(recomputed, key=sort_key):
        c = table.get((int(r["seed"]), str(r["strategy"])))
        if c is None:
            checks.append(RowCheck(int(r["seed"]), str(r["strategy"]), "not committed", (), None, r))
            continue
        diff = tuple(differing_columns(c, r, ignore))
        checks.append(RowCheck(int(r["seed"]), str(r["strategy"]), "mismatch" if diff else "match", diff, c, r))
    return checks
