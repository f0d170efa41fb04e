"""The certificate format (docs/certificate.md): its schema, parser and canonical writer.

This module is the only code that the producer and the independent checker share: it turns JSON into typed,
validated objects (or an InputError naming the field) and back, and decides nothing about validity.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError, model_validator

from .config import ModelConfig
from .errors import InputError
from .files import atomic_write

FORMAT = "mechproof-certificate"
VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelRef(_Strict):
    weights: StrictStr
    sha256: StrictStr


class StrategyRef(_Strict):
    name: StrictStr
    params: dict[str, Any] = {}


class Bound(_Strict):
    correct: StrictInt
    total: StrictInt


IntGrid = list[list[StrictInt]]


class InvSqrtClaim(_Strict):
    rule: Literal["inv-sqrt"]
    lo: StrictInt
    hi: StrictInt
    exp: StrictInt


class ExpClaim(_Strict):
    rule: Literal["exp-enclosure"]
    of: Literal["EQKE", "EQKP"]
    exp: IntGrid
    lo: IntGrid
    hi: IntGrid


class CubicCases(_Strict):
    rule: Literal["cubic-case"]
    entries: list[tuple[StrictInt, StrictInt, StrictInt, list[StrictInt]]]


class CubicClaims(_Strict):
    inv_sqrt_d_head: InvSqrtClaim
    exp_eqke: ExpClaim
    exp_eqkp: ExpClaim
    cases: CubicCases


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


CHOICE_BITS = 1 << 16
"""docs §7.1: a choice's exponent is at most 2^16 in absolute value and its mantissas have at most 2^16 bits
(no honest certificate comes near; the limit bounds the work a certificate can make a checker do)."""


def _sized(exp: int, mants: list[int]) -> None:
    if abs(exp) > CHOICE_BITS:
        raise ValueError(f"exponent {exp} out of range (|exp| ≤ 2^16)")
    if any(m.bit_length() > CHOICE_BITS for m in mants):
        raise ValueError("a mantissa has more than 2^16 bits")


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


class SubcubicClaims(_Strict):
    inv_sqrt_d_head: InvSqrtClaim
    choices: SubcubicChoices
    cases: SubcubicCases


CLAIM_SCHEMAS: dict[str, type[BaseModel]] = {"cubic": CubicClaims, "subcubic": SubcubicClaims}
PARAM_SCHEMAS: dict[str, type[BaseModel]] = {"subcubic": SubcubicParams}


class Certificate(_Strict):
    format: Literal["mechproof-certificate"]
    version: Literal[1]
    model: ModelRef
    config: ModelConfig
    strategy: StrategyRef
    claims: dict[str, Any]
    bound: Bound

    def typed_claims(self, path: str | Path | None = None) -> Any:
        schema = CLAIM_SCHEMAS.get(self.strategy.name)
        if schema is None:
            raise InputError(path, "strategy.name", f"unknown strategy {self.strategy.name!r}; known: {sorted(CLAIM_SCHEMAS)}")
        try:
            return schema.model_validate(self.claims)
        except ValidationError as e:
            raise _input_error(e, path, prefix="claims") from None

    def typed_params(self, path: str | Path | None = None) -> Any:
        """`strategy.params` validated by its strategy's schema (the plain dict for strategies without one)."""
        schema = PARAM_SCHEMAS.get(self.strategy.name)
        if schema is None:
            return self.strategy.params
        try:
            return schema.model_validate(self.strategy.params)
        except ValidationError as e:
            raise _input_error(e, path, prefix="strategy.params") from None


def _input_error(e: ValidationError, path: str | Path | None, prefix: str = "") -> InputError:
    err = e.errors()[0]
    loc = ".".join(str(x) for x in ((prefix,) if prefix else ()) + tuple(err["loc"]))
    return InputError(path, loc or None, f"{err['msg']} (got {_short(err.get('input'))})")


def _short(x: Any) -> str:
    s = repr(x)
    return s if len(s) <= 60 else s[:57] + "..."


def load_certificate(path: str | Path) -> tuple[Certificate, Any]:
    """Parse and validate a certificate file: (certificate, its strategy's typed claims)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such certificate file")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(path, f"line {e.lineno} column {e.colno}", f"not valid JSON ({e.msg}); truncated?") from None
    except UnicodeDecodeError:
        raise InputError(path, None, "not UTF-8 text") from None
    except ValueError as e:  # e.g. an integer beyond Python's 4300-digit parsing limit
        raise InputError(path, None, f"unreadable JSON: {e}") from None
    if isinstance(doc, dict):
        if doc.get("format") != FORMAT:
            raise InputError(path, "format", f"expected {FORMAT!r}, got {_short(doc.get('format'))}")
        if doc.get("version") != VERSION:
            raise InputError(path, "version", f"expected {VERSION} (this mechproof reads version {VERSION}), got {_short(doc.get('version'))}")
    try:
        cert = Certificate.model_validate(doc)
    except ValidationError as e:
        raise _input_error(e, path) from None
    claims = cert.typed_claims(path)
    cert.typed_params(path)  # malformed parameters are malformed input
    return cert, claims


def dumps_certificate(cert: Certificate) -> str:
    """Canonical text: keys in schema order, one claim array row per line; same content → same bytes."""
    doc = cert.model_dump(mode="json")
    out = ["{"]
    keys = list(doc)
    for i, key in enumerate(keys):
        comma = "," if i + 1 < len(keys) else ""
        if key == "claims":
            out.append('  "claims": {')
            claims = doc["claims"]
            for j, (cid, claim) in enumerate(claims.items()):
                cc = "," if j + 1 < len(claims) else ""
                out.append(f"    {json.dumps(cid)}: {_dump_claim(claim)}{cc}")
            out.append("  }" + comma)
        else:
            out.append(f"  {json.dumps(key)}: {json.dumps(doc[key], separators=(', ', ': '))}{comma}")
    out.append("}")
    return "\n".join(out) + "\n"


def _dump_claim(claim: dict[str, Any]) -> str:
    parts = []
    for k, v in claim.items():
        if isinstance(v, list) and v and isinstance(v[0], list):
            rows = ",\n      ".join(json.dumps(row, separators=(",", ":")) for row in v)
            parts.append(f"{json.dumps(k)}: [\n      {rows}]")
        else:
            parts.append(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}")
    return "{" + ", ".join(parts) + "}"


def save_certificate(cert: Certificate, path: str | Path) -> None:
    atomic_write(path, dumps_certificate(cert))
