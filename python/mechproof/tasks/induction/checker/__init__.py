"""The induction task's checker rules (docs/certificate.md §11): exact, and independent of the producer.

It imports only the file parsers and the shared exact arithmetic (mechproof.checker.arith, .matrices, .failures)
and its own modules. `check_induction` is called by mechproof.checker.check for a certificate of this task.
"""

from __future__ import annotations

import math
from pathlib import Path

from ....checker.arith import memo
from ....checker.failures import ClaimFailure, require
from ....errors import InputError
from ....weights import ExactWeights
from .casetables import CaseTables
from .cases import Case, CaseRule
from .groups import Groups
from .claims import check_input_claims
from .inputs import InputRule
from .tables import Tables

__all__ = ["check_induction", "model_context"]


TABLES = ("S1", "qe", "qv", "ke", "kv", "ye", "yv", "ze", "zv", "PE", "PV")
CASE_TABLES = ("W1", "PE", "PV", "yv", "ye", "zv", "ze")


class Context:
    """One model's exact and fixed-point tables and its case rule (kept per weights by the checker's memo).

    Every table is formed here, not on first use, so that the memo replays their operation counts on reuse and a
    certificate's proof length does not depend on what was checked before it in the same process."""

    def __init__(self, w: ExactWeights) -> None:
        self.tables = Tables(w)
        self.case_tables = CaseTables(self.tables)
        for name in TABLES:
            getattr(self.tables, name)
        for name in CASE_TABLES:
            getattr(self.case_tables, name)
        self.cases = CaseRule(self.case_tables)


def model_context(w: ExactWeights) -> Context:
    return memo((w.sha256, "induction-context"), lambda: Context(w))


def check_induction(cert, claims, w: ExactWeights, path: Path, workers: int = 1) -> tuple[int, int | None]:  # noqa: ANN001
    """Verify every claim; returns (inputs proven right, inputs proven wrong or None). `workers`: processes that
    verify the cases (the same verdict and operation counts for any number)."""
    params = cert.typed_params(path)
    if params.depth < 0:
        raise InputError(path, "strategy.params.depth", f"expected a non-negative integer, got {params.depth}")
    ctx = model_context(w)
    try:
        groups = Groups(claims.cases.entries, w.cfg, params.depth)
        covered = groups.check(ctx.cases, workers)
    except InputError as e:
        raise InputError(path, e.field, e.message) from None
    n_right, n_wrong = check_input_claims(claims, InputRule(ctx.tables), groups.covers)  # its row cache: this check's
    return covered + n_right, n_wrong
