"""Max-of-K's checker rules (docs/certificate.md §4–§9): the cubic and subcubic cases and the input rule.

`check_maxk` is what mechproof.checker.check calls for a Max-of-K certificate. Like the rest of the checker, these
modules import only the file parsers and the checker's own modules, and compute with Python integers and
fractions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ....certificate import Certificate
from ....checker.failures import require
from ....errors import InputError
from ....weights import ExactWeights
from .cubic import check_cubic
from .subcubic import check_subcubic


def check_maxk(cert: Certificate, claims: Any, w: ExactWeights, path: Path) -> tuple[int, int | None]:
    """The claims of a Max-of-K certificate checked: (inputs proven right, inputs proven wrong or None)."""
    if cert.strategy.name in ("cubic", "cubic+residual"):
        return check_cubic(claims, w, path)
    if cert.strategy.name == "subcubic":  # never forms EQKE or EUPU unless the variant says so
        params = cert.typed_params(path)
        variant = f"{params.eupu};{params.attention};{params.qk}"
        require(params.variant == variant, "strategy.params", "variant must equal eupu;attention;qk", params.variant, variant)
        return check_subcubic(params, claims, w, path)
    # load_certificate only admits known strategies
    raise InputError(path, "strategy.name", f"no checker for {cert.strategy.name!r}")
