"""Claim and parameter schemas of the induction task's certificates (docs/certificate.md §11.5, §11.6).

Shared with the checker (like mechproof.certificate): it only parses, and decides nothing about validity.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, StrictInt

from ...certificate import ResidualClaim, _InputClaims, _Strict

CLAIM_BITS = 26
"""docs §11.7: a claimed bound λ = L·2^−16 has |L| < 2^26, i.e. |value| < 1024."""


def _claim(x: int) -> int:
    if abs(x) >= 1 << CLAIM_BITS:
        raise ValueError(f"claimed bound out of range (limit: |L| < 2^{CLAIM_BITS})")
    return x


Bound = Annotated[StrictInt, AfterValidator(_claim)]
CaseEntry = tuple[list[StrictInt], list[Bound]]
"""[prefix tokens, λ (one per key position)]."""
Group = tuple[StrictInt, StrictInt, StrictInt, list[StrictInt], list[CaseEntry]]
"""[q, i, a, refinement order (the free positions), cases]."""


class InductionCases(_Strict):
    rule: Literal["induction-cases"]
    entries: list[Group]


class WindowsClaims(_InputClaims):
    cases: InductionCases


class WindowsResidualClaims(WindowsClaims):
    """`windows+residual`: the cases plus every other input listed (the exact accuracy)."""

    residual: ResidualClaim  # type: ignore[assignment]


class WindowsParams(_Strict):
    """`depth`: the most positions a case may fix beyond q, i and a (the checker enforces it)."""

    depth: StrictInt


CLAIM_SCHEMAS: dict[str, type[BaseModel]] = {"windows": WindowsClaims, "windows+residual": WindowsResidualClaims}
PARAM_SCHEMAS: dict[str, type[BaseModel]] = {"windows": WindowsParams, "windows+residual": WindowsParams}
