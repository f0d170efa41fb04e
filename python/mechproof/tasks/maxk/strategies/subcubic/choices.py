"""The certificate's `choices` claim (docs §7.1) as JSON, checked against the format's limits (§10) at the source.

Choices are data the checker uses unverified; a choice beyond the limits would make the whole certificate
malformed, so each part is validated once (per model, qk rule or eupu rule) with the format's own schema.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .....exact import Dyadic
from ...schema import CHOICE_BITS, CHOICE_EXP, SubcubicChoices
from .qk import QKBound


def vec_json(d: Dyadic) -> dict[str, Any]:
    return {"exp": int(d.exp), "mant": [int(x) for x in d.mant.reshape(-1)]}


def mat_json(d: Dyadic) -> dict[str, Any]:
    return {"exp": int(d.exp), "rows": [[int(x) for x in row] for row in d.mant]}


def choices(kappa: Dyadic, mu: Dyadic | None, b: QKBound | None, avg_m: np.ndarray, avg_e: np.ndarray) -> dict[str, Any]:
    """The claim, built fresh (callers may edit it); b = None: no QK choices."""
    b = b or QKBound(Dyadic(np.zeros(0, dtype=object), 0), Dyadic(np.zeros(0, dtype=object), 0), [], [], None)
    return {
        "rule": "choices",
        "key_pos_centre": vec_json(kappa),
        "eupu_mu": None if mu is None else vec_json(mu),
        "peels": [None if p is None else {"x": mat_json(p[0]), "y": mat_json(p[1])} for p in b.peels],
        "centres": [None if x is None else vec_json(x) for x in b.centres],
        "spectral_eps": None if b.spectral_eps is None else list(b.spectral_eps),
        "avg": [[[a, e] for a, e in zip(ra, re)] for ra, re in zip(avg_m.tolist(), avg_e.tolist())],
    }


def check_limits(kappa: Dyadic, mu: Dyadic | None, b: QKBound | None) -> None:
    """Raise ValueError if a choice other than the averages exceeds the format's limits."""
    SubcubicChoices.model_validate(choices(kappa, mu, b, np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), dtype=np.int64)))


def check_avg_limits(avg_m: np.ndarray, avg_e: np.ndarray) -> None:
    """The averages: plain int64 mantissas, so only the exponent can exceed its limit."""
    if avg_e.size and (np.abs(avg_e).max() > CHOICE_EXP or np.abs(avg_m).max() >= 2**min(62, CHOICE_BITS)):
        raise ValueError("an average exceeds the format's limits on choices")
