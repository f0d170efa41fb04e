"""The independent exact checker: `check(path)` re-derives and verifies a certificate.

It shares nothing with the producer except the format parsers (mechproof.certificate, mechproof.weights), and
computes only with Python integers and fractions. Exit semantics (docs/certificate.md §5): a ClaimFailure is a false claim
(exit 1); an InputError is malformed input (exit 2). Each task's rules are its own (tasks/maxk/checker/,
tasks/induction/checker/); this package holds the entry point and what they share: arithmetic, failures,
matrices, the input lists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .. import weights as weights_io
from ..certificate import load_certificate
from ..errors import InputError
from ..jsonfile import decode_json, is_file
from ..tasks import MAXK
from ..weights import ExactWeights
from .arith import OPS, memo
from .failures import ClaimFailure, require

__all__ = ["CheckResult", "ClaimFailure", "check"]


@dataclass(frozen=True)
class CheckResult:
    correct: int
    total: int
    strategy: str
    ops: dict[str, int]  # operations performed while checking (the proof length), by kind
    upper: int | None = None  # certified upper bound on the correct count (docs §9), when claimed
    params: dict = field(default_factory=dict)  # the certificate's strategy.params (a subcubic variant's options)

    @property
    def total_ops(self) -> int:
        return sum(self.ops.values())


def check(path: str | Path, workers: int = 1) -> CheckResult:
    """Verify every claim of the certificate at `path`; raise ClaimFailure or InputError otherwise. `workers`:
    processes for the induction task's cases (other tasks check in one; the result is the same for any number)."""
    path = Path(path)
    OPS.clear()
    try:
        return _check(path, workers)
    except InputError as e:
        if e.path is None:  # a limit met deep inside the checker (e.g. an exp argument): name the file
            raise InputError(path, e.field, e.message) from None
        raise


def _load_weights(path: Path) -> ExactWeights:
    """The weights file, parsed once per distinct content (the strategies of one model share it)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, None, f"unreadable weights file ({e.strerror})") from None
    return memo((hashlib.sha256(data).hexdigest(), "weights-file"), lambda: weights_io.parse(decode_json(data, path), path))


def _check(path: Path, workers: int = 1) -> CheckResult:
    cert, claims = load_certificate(path)
    wpath = path.parent / cert.model.weights
    if not is_file(wpath):
        raise InputError(path, "model.weights", f"weights file {wpath} not found")
    w = _load_weights(wpath)
    require(w.sha256 == cert.model.sha256, "model.sha256", "weights payload hash differs", w.sha256, cert.model.sha256)
    require(w.task == cert.task_name, "task", "the weights are of another task", cert.task_name, w.task)
    require(w.cfg == cert.config, "config", "certificate config differs from the weights'", cert.config, w.cfg)
    cfg = cert.config
    if cert.task_name != MAXK:  # the task's own rules (docs §11); never Max-of-K's
        from ..tasks.induction.checker import check_induction

        correct, wrong = check_induction(cert, claims, w, path, workers)
    elif cert.strategy.name in ("cubic", "cubic+residual"):
        from ..tasks.maxk.checker.cubic import check_cubic

        correct, wrong = check_cubic(claims, w, path)
    elif cert.strategy.name == "subcubic":  # never forms EQKE or EUPU unless the variant says so
        from ..tasks.maxk.checker.subcubic import check_subcubic

        params = cert.typed_params(path)
        variant = f"{params.eupu};{params.attention};{params.qk}"
        require(params.variant == variant, "strategy.params", "variant must equal eupu;attention;qk", params.variant, variant)
        correct, wrong = check_subcubic(params, claims, w, path)
    else:  # load_certificate only admits known strategies
        raise InputError(path, "strategy.name", f"no checker for {cert.strategy.name!r}")
    total = cfg.n_inputs
    what = "total must be d_vocab^n_ctx" if cert.task_name == MAXK else "total must be the number of inputs of the task"
    require(cert.bound.total == total, "bound", what, cert.bound.total, total)
    require(cert.bound.correct == correct, "bound", "claimed count differs from the covered count", cert.bound.correct, correct)
    upper = None
    if wrong is not None:
        upper = total - wrong
        require(cert.bound.upper == upper, "bound", "claimed upper bound differs from total − proven-wrong inputs", cert.bound.upper, upper)
    return CheckResult(correct, total, cert.strategy.name, dict(OPS), upper, dict(cert.strategy.params))
