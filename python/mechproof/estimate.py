"""Accuracy *estimates*, shared by every task: the result type and the exact Clopper–Pearson interval.

Nothing here is certified. A task draws N inputs uniformly and decides each exactly, so the number of correct
samples is an exact Binomial(N, accuracy) draw; the interval is the exact two-sided Clopper–Pearson interval for
it, rounded outward. A statement like "the accuracy lies in [low, high]" holds with the stated confidence over the
choice of sample, not with certainty: keep it apart from certified bounds (`kind = "estimate"`). The samplers are
the tasks' (tasks/maxk/estimate.py, tasks/induction/bruteforce.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

KIND = "estimate"


@dataclass(frozen=True)
class AccuracyEstimate:
    """An accuracy estimate from `samples` uniform inputs: never a certified number."""

    samples: int
    correct: int  # exact number of correct inputs in the sample
    low: float  # Clopper–Pearson interval at `confidence`, rounded outward
    high: float
    confidence: float
    sample_seed: int
    settled: int  # sampled inputs the float passes (float32, then float64) left to exact interval arithmetic
    ties: int  # of those, exact ties (counted wrong)
    seconds: float

    @property
    def accuracy(self) -> float:
        """The sample accuracy (point estimate)."""
        return self.correct / self.samples

    def to_json(self) -> dict[str, Any]:
        """Field names that cannot be mistaken for a certified count or bound."""
        return {
            "kind": KIND,
            "samples": self.samples,
            "sample_correct": self.correct,
            "sample_accuracy": self.accuracy,
            "ci_low": self.low,
            "ci_high": self.high,
            "confidence": self.confidence,
            "sample_seed": self.sample_seed,
            "settled": self.settled,
            "ties": self.ties,
            "seconds": round(self.seconds, 3),
        }



# ---------------------------------------------------------------------------------------- Clopper–Pearson
_PREC = 96  # bits for the binomial tails
_STEPS = 80  # bisection steps: the bracket shrinks to 2^-80, far below float resolution near the ends


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided Clopper–Pearson interval for k successes in n trials, as floats rounded outward.

    low solves P(X ≥ k | p) = α/2 (0 if k = 0), high solves P(X ≤ k | p) = α/2 (1 if k = n), X ~ Bin(n, p),
    α = 1 − confidence. Both by bisection on binomial tails summed at _PREC bits; the ends returned are the
    outer ends of the final brackets, moved out by a further 2^-40 relative to cover the tails' rounding.
    """
    if not (isinstance(n, int) and isinstance(k, int) and n >= 1 and 0 <= k <= n):
        raise ValueError(f"need integers 0 <= k <= n, n >= 1; got k={k!r}, n={n!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    with mpmath.workprec(_PREC):
        half = (1 - mpmath.mpf(confidence)) / 2
        low = 0.0
        if k > 0:  # P(X ≥ k) = 1 − P(X ≤ k − 1) rises with p: keep P(X ≥ k | a) < α/2 ≤ P(X ≥ k | b)
            a, _ = _bisect(lambda p: 1 - _cdf(k - 1, n, p) >= half)
            low = max(0.0, float(mpmath.mpf(a) * (1 - mpmath.mpf(2) ** -40)))
            low = _float_down(low, a)
        high = 1.0
        if k < n:  # P(X ≤ k) falls with p: keep P(X ≤ k | a) > α/2 ≥ P(X ≤ k | b)
            _, b = _bisect(lambda p: _cdf(k, n, p) <= half)
            high = min(1.0, _float_up(float(mpmath.mpf(b) * (1 + mpmath.mpf(2) ** -40)), b))
    return low, high


def _bisect(past: Any) -> tuple[mpmath.mpf, mpmath.mpf]:
    """[a, b] ⊂ [0, 1] with past(a) false and past(b) true, for a predicate monotone in p (false, then true)."""
    a, b = mpmath.mpf(0), mpmath.mpf(1)
    for _ in range(_STEPS):
        mid = (a + b) / 2
        if past(mid):
            b = mid
        else:
            a = mid
    return a, b


def _float_down(x: float, bound: mpmath.mpf) -> float:
    while x > 0 and mpmath.mpf(x) > bound:
        x = np.nextafter(x, -np.inf).item()
    return x


def _float_up(x: float, bound: mpmath.mpf) -> float:
    while x < 1 and mpmath.mpf(x) < bound:
        x = np.nextafter(x, np.inf).item()
    return x


def _cdf(k: int, n: int, p: mpmath.mpf) -> mpmath.mpf:
    """P(X ≤ k) for X ~ Bin(n, p), summing the tail on the far side of the mean from its largest term outward."""
    if p <= 0:
        return mpmath.mpf(1)
    if p >= 1:
        return mpmath.mpf(1) if k >= n else mpmath.mpf(0)
    if k < 0:
        return mpmath.mpf(0)
    if k >= n:
        return mpmath.mpf(1)
    if k < n * p:
        return _tail(k, n, p, down=True)
    return 1 - _tail(k + 1, n, p, down=False)


def _tail(i: int, n: int, p: mpmath.mpf, down: bool) -> mpmath.mpf:
    """Σ_{j ≤ i} (down) or Σ_{j ≥ i} (up) of the Bin(n, p) probabilities, with i on the far side of the mean,
    where the terms fall geometrically with a falling ratio r; the sum stops once the rest, at most
    term·r/(1 − r), is below 2^-(_PREC+8) of it."""
    q = 1 - p
    log_term = mpmath.loggamma(n + 1) - mpmath.loggamma(i + 1) - mpmath.loggamma(n - i + 1)
    term = mpmath.exp(log_term + i * mpmath.log(p) + (n - i) * mpmath.log(q))
    total = mpmath.mpf(0)
    eps = mpmath.mpf(2) ** -(_PREC + 8)
    while True:
        total += term
        if down:
            if i == 0:
                return total
            r = i * q / ((n - i + 1) * p)
            i -= 1
        else:
            if i == n:
                return total
            r = (n - i) * p / ((i + 1) * q)
            i += 1
        term *= r
        if r < 1 and term * r / (1 - r) < eps * total:
            return total + term
