"""Producer-side sound arithmetic: float64 with outward rounding, and exp enclosures from mpmath.

Why float64 with `nextafter`: IEEE round-to-nearest makes every +, −, × land within half an ulp of the exact
result, so stepping one ulp outward gives a guaranteed bound. The strategies compute in vectorized float64 this
way, so each "< 0" decision that admits inputs is made on an upper bound, never on an estimate. The certificate
then carries the claims (exp enclosures at 64-bit mantissas) that the independent checker verifies exactly.
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import numpy as np
from mpmath import libmp

from .exact import Dyadic

INF = np.inf
CLAIM_BITS = 64  # mantissa width of claimed exp enclosures
MP_PREC = 100  # mpmath working precision for the enclosures (36 guard bits over CLAIM_BITS)


# ------------------------------------------------------------------ directed float64 operations (vectorized)
def up(x: np.ndarray | float) -> np.ndarray:
    return np.nextafter(x, INF)


def down(x: np.ndarray | float) -> np.ndarray:
    return np.nextafter(x, -INF)


def add_up(a, b):  # noqa: ANN001 - numpy arrays or floats
    return up(np.add(a, b))


def add_down(a, b):  # noqa: ANN001
    return down(np.add(a, b))


def sub_up(a, b):  # noqa: ANN001
    return up(np.subtract(a, b))


def sub_down(a, b):  # noqa: ANN001
    return down(np.subtract(a, b))


def mul_up(a, b):  # noqa: ANN001
    return up(np.multiply(a, b))


def mul_down(a, b):  # noqa: ANN001
    return down(np.multiply(a, b))


def div_up(a, b):  # noqa: ANN001
    return up(np.divide(a, b))


def div_down(a, b):  # noqa: ANN001
    return down(np.divide(a, b))


# ------------------------------------------------------------------ exact → float64 enclosures
def floor_f64(m: int, e: int) -> float:
    """Largest float64 ≤ m·2^e (−inf below the float range)."""
    return _step(Fraction(m) * Fraction(2) ** e, _to_float(m, e), -math.inf)


def ceil_f64(m: int, e: int) -> float:
    """Smallest float64 ≥ m·2^e (+inf above the float range)."""
    return _step(Fraction(m) * Fraction(2) ** e, _to_float(m, e), math.inf)


def _step(exact: Fraction, f: float, toward: float) -> float:
    """Move f toward ±inf until it lies on that side of `exact` (at most a few ulps from the nearest float)."""
    def beyond(x: float) -> bool:
        if math.isinf(x):
            return (x > 0) == (toward > 0)
        return Fraction(x) >= exact if toward > 0 else Fraction(x) <= exact

    if math.isinf(f):  # overflow: start from the largest finite float of that sign
        f = math.copysign(sys.float_info.max, f)
    while not beyond(f):
        f = math.nextafter(f, toward)
    return f


def _to_float(m: int, e: int) -> float:
    """A float within a few ulps of m·2^e (±inf beyond the float range)."""
    k = max(0, abs(m).bit_length() - 60)
    try:
        return math.ldexp(float(m >> k), e + k)
    except OverflowError:
        return math.inf if m > 0 else -math.inf


def enclose(d: Dyadic) -> tuple[np.ndarray, np.ndarray]:
    """Float64 arrays lo ≤ exact ≤ hi for an exact matrix."""
    return enclose_array(d.mant, d.exp)


_TINY = 2.0**-1021  # below this (subnormal) ldexp may round, so the fast path is not exact


def enclose_array(mant: np.ndarray, exp: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float64 lo ≤ mant·2^exp ≤ hi entrywise (mant: Python ints; exp: one int or an array of the same shape).

    Fast path: float(m) is correctly rounded, Python compares floats with ints exactly (so we know on which side
    of m the float fell and step one ulp to the other side when needed), and scaling by 2^exp is exact in the
    normal range. Entries outside it (or too large for a float) take the exact Fraction path.
    """
    shape = mant.shape
    flat = mant.reshape(-1)
    exps = [int(x) for x in np.broadcast_to(np.asarray(exp, dtype=object), shape).reshape(-1)]
    try:
        f = np.array([float(m) for m in flat], dtype=np.float64)
    except OverflowError:
        f = np.full(len(flat), np.nan)  # every entry takes the exact path
    obj = f.astype(object)
    with np.errstate(invalid="ignore"):
        above, below = (obj > flat).astype(bool), (obj < flat).astype(bool)
    e = np.array([max(-2000, min(2000, x)) for x in exps], dtype=np.int64)
    lo = np.ldexp(np.where(above, down(f), f), e)
    hi = np.ldexp(np.where(below, up(f), f), e)
    normal = [((f == 0) & (x == 0)) | (np.abs(x) >= _TINY) for x in (lo, hi)]
    exact_range = np.isfinite(lo) & np.isfinite(hi) & normal[0] & normal[1] & (np.abs(e) < 2000)
    for i in np.nonzero(~exact_range)[0]:
        lo[i], hi[i] = floor_f64(int(flat[i]), exps[i]), ceil_f64(int(flat[i]), exps[i])
    return lo.reshape(shape), hi.reshape(shape)


# ------------------------------------------------------------------ claims: 1/√d and exp
def inv_sqrt_claim(d: int, bits: int = 2 * CLAIM_BITS) -> tuple[int, int, int]:
    """(lo, hi, e) with lo·2^e ≤ 1/√d ≤ hi·2^e; lo = ⌊2^bits/√d⌋ via an integer square root."""
    lo = math.isqrt((1 << (2 * bits)) // d)
    return lo, lo + 1, -bits


def exp_claims(scores: Dyadic, r: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every entry a of `scores`: (lo, hi, e) with lo·2^e ≤ exp(a·r) ≤ hi·2^e for every r in the interval.

    The argument is an interval because 1/√d_head is irrational: a·[r_lo, r_hi] (ends swapped when a < 0).
    mpmath evaluates exp at both ends with floor/ceiling rounding at MP_PREC bits, and the result is rounded
    outward to CLAIM_BITS-bit mantissas: the tightest claim at that width, so that a claim moved by one unit is
    false. Where the MP_PREC-bit value lies within 2^-80 (relative) of the CLAIM_BITS grid, one more unit is
    given, so that a checker that computes exp to ~2^-90 can still confirm the claim.
    """
    r_lo, r_hi, r_e = r
    flat = scores.mant.reshape(-1)
    out = np.zeros((3, len(flat)), dtype=object)
    for i, a in enumerate(flat):
        a = int(a)
        x_lo, x_hi = (a * r_lo, a * r_hi) if a >= 0 else (a * r_hi, a * r_lo)
        e_arg = scores.exp + r_e
        lo = libmp.mpf_exp(libmp.from_man_exp(x_lo, e_arg), MP_PREC, libmp.round_floor)
        hi = libmp.mpf_exp(libmp.from_man_exp(x_hi, e_arg), MP_PREC, libmp.round_ceiling)
        lo_m, lo_e = _man_exp(lo)
        hi_m, hi_e = _man_exp(hi)
        e = hi_e + hi_m.bit_length() - CLAIM_BITS
        out[0, i] = _shift_floor(lo_m, lo_e - e)
        out[1, i] = _shift_ceil(hi_m, hi_e - e)
        if _near_grid(lo_m, lo_e - e, above=True):
            out[0, i] -= 1
        if _near_grid(hi_m, hi_e - e, above=False):
            out[1, i] += 1
        out[2, i] = e
    shape = scores.mant.shape
    return out[0].reshape(shape), out[1].reshape(shape), out[2].reshape(shape)


def _near_grid(m: int, s: int, above: bool) -> bool:
    """Is m·2^s within 2^-16 of an integer (≈ 2^-80 relative for 64-bit claims), just above it (for lower
    bounds) or just below it (upper bounds)? Then a checker's own ~2^-90 enclosure might not confirm it."""
    if s >= 0:
        return True  # on the grid exactly: no room at all
    guard = 1 << max(0, -s - 16)
    frac = m & ((1 << -s) - 1)
    return frac < guard if above else (1 << -s) - frac < guard


def _man_exp(x: tuple) -> tuple[int, int]:
    sign, man, exp, _ = x
    assert sign == 0, "exp is positive"
    return int(man), int(exp)


def _shift_floor(m: int, s: int) -> int:
    return m << s if s >= 0 else m >> -s


def _shift_ceil(m: int, s: int) -> int:
    return m << s if s >= 0 else -((-m) >> -s)


def claims_to_f64(lo: np.ndarray, hi: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float64 enclosure of claimed dyadic intervals (each end rounded outward)."""
    return enclose_array(lo, e)[0], enclose_array(hi, e)[1]
