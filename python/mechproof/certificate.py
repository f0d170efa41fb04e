"""The certificate format (docs/certificate.md): its schema, parser and canonical writer.

This module is the only code that the producer and the independent checker share: it turns JSON into typed,
validated objects (or an InputError naming the field) and back, and decides nothing about validity.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError, ValidationInfo, field_validator, model_validator

from .config import ModelConfig, config_from_file
from .errors import InputError
from .files import atomic_write
from .jsonfile import read_json, short
from .tasks import INDUCTION, MAXK, TASKS, config_class

FORMAT = "mechproof-certificate"
VERSION = 2
"""The version the Max-of-K producer writes; checkers read VERSIONS (docs/certificate.md: version 1 has no v2
features; version 3 names its task in a top-level `task` field, versions 1 and 2 are Max-of-K)."""
VERSION_TASK = 3
VERSIONS = (1, 2, 3)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_PATH_PART = re.compile(r"[A-Za-z0-9._-]+")


def _weights_path(p: str) -> str:
    """docs §3: relative, '/'-separated, plain characters, no '.' or '..' component (stays in the folder)."""
    parts = p.split("/")
    if not all(_PATH_PART.fullmatch(x) and x not in (".", "..") for x in parts):
        raise ValueError("must be a relative path inside the certificate's folder (A-Z a-z 0-9 . _ - and '/', no '.' or '..' parts)")
    return p


class ModelRef(_Strict):
    weights: Annotated[StrictStr, AfterValidator(_weights_path)]
    sha256: StrictStr


class StrategyRef(_Strict):
    name: StrictStr
    params: dict[str, Any]


class Bound(_Strict):
    correct: StrictInt
    total: StrictInt
    upper: StrictInt | None = None  # v2: present exactly when the `wrong` claim is (docs §3, §9)

    @model_validator(mode="before")
    @classmethod
    def _no_null_upper(cls, data: Any) -> Any:
        if isinstance(data, dict) and "upper" in data and data["upper"] is None:
            raise ValueError("bound.upper must be an integer when present")
        return data


# ----------------------------------------------------------------------------- limits (docs/certificate.md §10)
def _bits(limit: int) -> Any:
    """An integer of absolute value below 2^limit."""

    def check(x: int) -> int:
        if abs(x).bit_length() > limit:
            raise ValueError(f"integer out of range (limit: absolute value below 2^{limit})")
        return x

    return AfterValidator(check)


def _range(lo: int, hi: int) -> Any:
    def check(x: int) -> int:
        if not lo <= x <= hi:
            raise ValueError(f"out of range (limit: {lo} ≤ value ≤ {hi})")
        return x

    return AfterValidator(check)


class ResidualClaim(_Strict):
    """v2: inputs proven right one by one (docs §9); `inputs` delta-coded."""

    rule: Literal["inputs-right"]
    inputs: list[StrictInt]


class WrongClaim(_Strict):
    """v2: inputs proven wrong one by one, each with a witness logit (docs §9)."""

    rule: Literal["inputs-wrong"]
    inputs: list[StrictInt]
    witness: list[StrictInt]


class _InputClaims(_Strict):
    """The optional per-input claims any strategy may carry (v2)."""

    residual: ResidualClaim | None = None
    wrong: WrongClaim | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_null_optional(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("residual", "wrong"):
                if key in data and data[key] is None:
                    raise ValueError(f"{key} must be an object when present")
        return data


def _schemas(task: str) -> tuple[dict[str, type[BaseModel]], dict[str, type[BaseModel]]]:
    """(claim schemas, parameter schemas) by strategy name, for a task."""
    if task == INDUCTION:
        from .tasks.induction.schema import CLAIM_SCHEMAS as claims, PARAM_SCHEMAS as params

        return claims, params
    from .tasks.maxk.schema import CLAIM_SCHEMAS as claims, PARAM_SCHEMAS as params

    return claims, params


class Certificate(_Strict):
    format: Literal["mechproof-certificate"]
    version: Literal[1, 2, 3]
    task: StrictStr | None = None  # version 3 only (docs §3); versions 1 and 2 are Max-of-K
    model: ModelRef
    config: ModelConfig
    strategy: StrategyRef
    claims: dict[str, Any]
    bound: Bound

    @model_validator(mode="before")
    @classmethod
    def _task_by_version(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if data.get("version") == VERSION_TASK:
                if "task" not in data:
                    raise ValueError("version 3 names its task: the field `task` is required")
                if data["task"] not in TASKS:
                    raise ValueError(f"task must be one of {list(TASKS)}, got {short(data['task'])}")
            elif "task" in data:
                raise ValueError("the field `task` needs version 3 (versions 1 and 2 are Max-of-K)")
        return data

    @field_validator("config", mode="before")
    @classmethod
    def _strict_config(cls, v: Any, info: ValidationInfo) -> ModelConfig:
        if isinstance(v, ModelConfig):
            return v
        task = info.data.get("task") or MAXK
        return config_from_file(v, cls=config_class(task))  # InputError: located by load_certificate

    @property
    def task_name(self) -> str:
        """The certificate's task: its `task` field, or Max-of-K for versions 1 and 2."""
        return self.task or MAXK

    def typed_claims(self, path: str | Path | None = None) -> Any:
        claim_schemas, _ = _schemas(self.task_name)
        schema = claim_schemas.get(self.strategy.name)
        if schema is None:
            raise InputError(path, "strategy.name", f"unknown strategy {self.strategy.name!r} for task {self.task_name}; known: {sorted(claim_schemas)}")
        try:
            return schema.model_validate(self.claims)
        except ValidationError as e:
            raise _input_error(e, path, prefix="claims") from None

    def typed_params(self, path: str | Path | None = None) -> Any:
        """`strategy.params` validated by its strategy's schema (the plain dict for strategies without one)."""
        schema = _schemas(self.task_name)[1].get(self.strategy.name)
        if schema is None:
            return self.strategy.params
        try:
            return schema.model_validate(self.strategy.params)
        except ValidationError as e:
            raise _input_error(e, path, prefix="strategy.params") from None


_UNION_TAGS = ("cubic-case", "cubic-prefix")


def _input_error(e: ValidationError, path: str | Path | None, prefix: str = "") -> InputError:
    err = e.errors()[0]
    parts = tuple(x for x in err["loc"] if x not in _UNION_TAGS)  # the tag of a tagged union is no field
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        parts += ("rule",)
    loc = ".".join(str(x) for x in ((prefix,) if prefix else ()) + parts)
    msg = err["msg"].removeprefix("Value error, ")
    return InputError(path, loc or None, f"{msg} (got {short(err.get('input'))})")


def load_certificate(path: str | Path) -> tuple[Certificate, Any]:
    """Parse and validate a certificate file: (certificate, its strategy's typed claims)."""
    path = Path(path)
    doc = read_json(path, "certificate")
    if not isinstance(doc, dict):
        raise InputError(path, "(top level)", "expected a JSON object")
    if doc.get("format") != FORMAT:
        raise InputError(path, "format", f"expected {FORMAT!r}, got {short(doc.get('format'))}")
    version = doc.get("version")
    if not (type(version) is int and version in VERSIONS):
        raise InputError(path, "version", f"expected the integer 1, 2 or 3 (this mechproof reads {list(VERSIONS)}), got {short(version)}")
    task = MAXK
    if version == VERSION_TASK:
        task = doc.get("task")
        if "task" not in doc:
            raise InputError(path, "task", "missing (version 3 names its task)")
        if not (isinstance(task, str) and task in TASKS):
            raise InputError(path, "task", f"expected one of {list(TASKS)}, got {short(task)}")
    elif "task" in doc:
        raise InputError(path, "task", "unknown key for this version (versions 1 and 2 are Max-of-K; a `task` needs version 3)")
    try:
        config_from_file(doc.get("config"), path, cls=config_class(task))
        cert = Certificate.model_validate(doc)
    except ValidationError as e:
        raise _input_error(e, path) from None
    claims = cert.typed_claims(path)
    cert.typed_params(path)  # malformed parameters are malformed input
    _version_features(cert, claims, path)
    return cert, claims


def _version_features(cert: Certificate, claims: Any, path: Path) -> None:
    """docs: version 1 has none of the v2 features; version 2 encodes cubic cases as `cubic-prefix`; a version-3
    Max-of-K certificate is read as version 2. Other tasks define their own claims (their schemas). Every task:
    `bound.upper` is present exactly when the `wrong` claim is."""
    if (cert.bound.upper is None) != (getattr(claims, "wrong", None) is None):
        raise InputError(path, "bound.upper", "present exactly when the `wrong` claim is (docs §3)")
    if cert.task_name != MAXK:
        return
    from .tasks.maxk.schema import CubicClaims

    v1 = cert.version == 1
    if v1:
        if cert.strategy.name not in ("cubic", "subcubic"):
            raise InputError(path, "strategy.name", f"{cert.strategy.name!r} needs version 2")
        if cert.bound.upper is not None:
            raise InputError(path, "bound.upper", "an upper bound needs version 2")
        if claims.residual is not None or claims.wrong is not None:
            raise InputError(path, "claims", "residual/wrong claims need version 2")
    if isinstance(claims, CubicClaims):
        want = "cubic-case" if v1 else "cubic-prefix"
        if claims.cases.rule != want:
            raise InputError(path, "claims.cases.rule", f"version {cert.version} cubic cases use rule {want!r}, got {claims.cases.rule!r}")


def dumps_certificate(cert: Certificate) -> str:
    """Canonical text: keys in schema order, one claim array row per line; same content → same bytes."""
    doc = cert.model_dump(mode="json")
    if doc.get("task") is None:
        doc.pop("task", None)  # versions 1 and 2: no `task` field (unchanged bytes)
    if doc["bound"].get("upper") is None:
        doc["bound"].pop("upper", None)  # optional (v2): absent, not null
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
