"""Claim and parameter schemas of Max-of-K's certificates (docs/certificate.md §4–§7, §10).

Shared with the checker (like mechproof.certificate): it only parses, and decides nothing about validity.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StrictInt, StrictStr, model_validator

from ...certificate import ResidualClaim, _bits, _InputClaims, _range, _Strict

IntGrid = list[list[StrictInt]]
ExpGrid = list[list[Annotated[StrictInt, _range(-8192, 8192)]]]
MantGrid = list[list[Annotated[StrictInt, _bits(128)]]]


class InvSqrtClaim(_Strict):
    rule: Literal["inv-sqrt"]
    lo: Annotated[StrictInt, _bits(256)]
    hi: Annotated[StrictInt, _bits(256)]
    exp: Annotated[StrictInt, _range(-256, 0)]


class ExpClaim(_Strict):
    rule: Literal["exp-enclosure"]
    of: Literal["EQKE", "EQKP"]
    exp: ExpGrid
    lo: MantGrid
    hi: MantGrid


class CubicCases(_Strict):
    """Version 1: [q, m, c, G] with G listed (docs §4.3)."""

    rule: Literal["cubic-case"]
    entries: list[tuple[StrictInt, StrictInt, StrictInt, list[StrictInt]]]


class CubicPrefixCases(_Strict):
    """Version 2: [q, m, c, kp, kn] with G given by two boundary tokens (docs §4.4)."""

    rule: Literal["cubic-prefix"]
    entries: list[tuple[StrictInt, StrictInt, StrictInt, StrictInt, StrictInt]]


class CubicClaims(_InputClaims):
    inv_sqrt_d_head: InvSqrtClaim
    exp_eqke: ExpClaim
    exp_eqkp: ExpClaim
    cases: Annotated[CubicCases | CubicPrefixCases, Field(discriminator="rule")]


class CubicResidualClaims(CubicClaims):
    """`cubic+residual`: cubic (version 2) whose residual claim is required (docs §9)."""

    residual: ResidualClaim  # type: ignore[assignment]


# ------------------------------------------------------------------------- subcubic (docs/certificate.md §7)
SUBCUBIC_EUPU = ("mean_query+max_diff", "svd_query+max_diff", "max_diff", "max_diff_exact", "global_max_diff_exact")
SUBCUBIC_ATTENTION = ("mean_query+diff", "drop_average_query_per_output_logit_reasoning")
SUBCUBIC_QK = (
    "svd",
    "max_diff",
    "mean+max_diff",
    "max_diff_exact",
    "max_diff_subproduct",
    "mean+max_diff_subproduct",
    "max_diff_subproduct_recursive",
    "mean+max_diff_subproduct_recursive",
    "mean_recursive+max_diff_subproduct_recursive",
    "exact_EQKE+max_diff_exact",
)
SUBCUBIC_COUNT = ("fixed", "paper")


class SubcubicParams(_Strict):
    """`strategy.params` of a subcubic certificate; `variant` = "eupu;attention;qk" is checked by the checker."""

    variant: StrictStr
    eupu: Literal[SUBCUBIC_EUPU]  # type: ignore[valid-type]
    attention: Literal[SUBCUBIC_ATTENTION]  # type: ignore[valid-type]
    qk: Literal[SUBCUBIC_QK]  # type: ignore[valid-type]
    count: Literal[SUBCUBIC_COUNT]  # type: ignore[valid-type]


CHOICE_EXP = 2048
CHOICE_BITS = 1024
"""docs §10: a choice's exponent is at most 2048 in absolute value and its mantissas have at most 1024 bits (honest
certificates use at most 365 and 359); the limits bound the work a certificate can make a checker do."""


def _sized(exp: int, mants: list[int]) -> None:
    if abs(exp) > CHOICE_EXP:
        raise ValueError(f"exponent {exp} out of range (limit: |exp| ≤ {CHOICE_EXP})")
    if any(abs(m).bit_length() > CHOICE_BITS for m in mants):
        raise ValueError(f"a mantissa has more than {CHOICE_BITS} bits (limit)")


def _sized_pair(x: tuple[int, int]) -> tuple[int, int]:
    _sized(x[1], [x[0]])
    return x


DyPair = Annotated[tuple[StrictInt, StrictInt], AfterValidator(_sized_pair)]
"""A dyadic [m, e] = m·2^e."""


class DyVec(_Strict):
    """A dyadic vector: entry i = mant[i]·2^exp."""

    exp: StrictInt
    mant: list[StrictInt]

    @model_validator(mode="after")
    def _size(self) -> "DyVec":
        _sized(self.exp, self.mant)
        return self


class DyMat(_Strict):
    """A dyadic matrix: entry (i, j) = rows[i][j]·2^exp."""

    exp: StrictInt
    rows: IntGrid

    @model_validator(mode="after")
    def _size(self) -> "DyMat":
        _sized(self.exp, [m for row in self.rows for m in row])
        return self


class Peel(_Strict):
    x: DyMat
    y: DyMat


class SubcubicChoices(_Strict):
    """Data the checker uses without verifying it (the argument is sound for every value)."""

    rule: Literal["choices"]
    key_pos_centre: DyVec
    eupu_mu: DyVec | None
    peels: list[Peel | None]
    centres: list[DyVec | None]
    spectral_eps: DyPair | None
    avg: list[list[DyPair]]


class SubcubicCases(_Strict):
    rule: Literal["subcubic-case"]
    entries: list[tuple[StrictInt, StrictInt, StrictInt, StrictInt]]


class SubcubicClaims(_InputClaims):
    inv_sqrt_d_head: InvSqrtClaim
    choices: SubcubicChoices
    cases: SubcubicCases


class EmptyParams(_Strict):
    """`{}`: cubic and cubic+residual take no parameters."""


CLAIM_SCHEMAS: dict[str, type[BaseModel]] = {
    "cubic": CubicClaims,
    "cubic+residual": CubicResidualClaims,
    "subcubic": SubcubicClaims,
}
PARAM_SCHEMAS: dict[str, type[BaseModel]] = {
    "cubic": EmptyParams,
    "cubic+residual": EmptyParams,
    "subcubic": SubcubicParams,
}
