"""Fixed-point arithmetic of the induction checker (docs/certificate.md §11.3): exact integers only.

A fixed-point number at precision F is an integer X meaning X·2^−F. Exact dyadics (from the weights) enter by
outward rounding: `down(m, e, F)` = ⌊m·2^(e+F)⌋ and `up(m, e, F)` = ⌈m·2^(e+F)⌉. A product of two fixed-point
numbers is X·Y at precision 2F; `shr_down`/`shr_up` bring it back to F with ⌊·⌋ or ⌈·⌉. Nothing else rounds.
"""

from __future__ import annotations

Dy = tuple[int, int]


def down(m: int, e: int, F: int) -> int:
    """⌊m·2^(e+F)⌋."""
    s = e + F
    return m << s if s >= 0 else m >> -s


def up(m: int, e: int, F: int) -> int:
    """⌈m·2^(e+F)⌉."""
    s = e + F
    return m << s if s >= 0 else -((-m) >> -s)


def shr_down(x: int, k: int) -> int:
    """⌊x/2^k⌋ (k ≥ 0)."""
    return x >> k


def shr_up(x: int, k: int) -> int:
    """⌈x/2^k⌉ (k ≥ 0)."""
    return -((-x) >> k)


def div_down(a: int, b: int, F: int) -> int:
    """⌊a·2^F/b⌋ for b > 0: the quotient of two fixed-point numbers at precision F."""
    return (a << F) // b


def div_up(a: int, b: int, F: int) -> int:
    """⌈a·2^F/b⌉ for b > 0."""
    return -((-(a << F)) // b)


def mul_up(w_lo: int, w_hi: int, x: int, F: int) -> int:
    """An upper bound at precision F of w·x for every w in [w_lo, w_hi] (w ≥ 0 and x fixed-point at F)."""
    return shr_up(x * (w_hi if x >= 0 else w_lo), F)


def mul_down(w_lo: int, w_hi: int, x: int, F: int) -> int:
    """A lower bound at precision F of w·x for every w in [w_lo, w_hi]."""
    return shr_down(x * (w_lo if x >= 0 else w_hi), F)
