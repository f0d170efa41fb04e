"""Exact arithmetic of the independent checker: Python integers only (no floats, numpy or torch).

A dyadic is a pair (m, e) of ints with value m·2^e. Mirrors lean/MechProof/Arith.lean and Exp.lean function
by function, so the two can be read side by side.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from typing import Any, Callable, Hashable, TypeVar

from ..errors import InputError
from ..jsonfile import short_int

Dy = tuple[int, int]
T = TypeVar("T")

OPS: Counter[str] = Counter()
"""Operations the checker performs (its proof length): 'mul' (multiplications, incl. matrix products),
'add', 'cmp' (comparisons and max), 'exp' (exp enclosures). Reset by `checker.check`."""


def count(kind: str, n: int = 1) -> None:
    OPS[kind] += n


# ----------------------------------------------------------------------------- reuse within one process
_MEMO: OrderedDict[Hashable, dict[Hashable, OrderedDict[Hashable, tuple[Any, Counter[str]]]]] = OrderedDict()
MEMO_MODELS = 4
"""Hash groups kept per process (each model has two: its weights file's bytes and its payload): a sweep worker
checks one model's strategies after another, so memory stays that of a couple of models however many it sees."""
MEMO_KEEP = 16
"""Values kept per kind (a key's second element) within one hash group, the least recently used dropped first.
The 100 subcubic variants of one model use at most 10 values of a kind (the QK side, one per QK rule), while
certificates with distinct free choices (docs §7.1) would otherwise each add about 1 MB (seed 42) for as long as
the process lives: `check DIR` over thousands of them must stay within bounded memory."""


def memo(key: tuple, compute: Callable[[], T], keep: int = MEMO_KEEP) -> T:
    """`compute()` once per key. Keys start with a hash of the weights the checker computed itself (their
    `payload_sha256`, or the weights file's bytes), then name the kind of value, and include every choice the
    value depends on; entries are grouped by that hash, and at most `keep` values of one kind are kept per hash.
    The operation counts of `compute` are replayed on every reuse, so a certificate's proof length is what
    checking it alone costs. Values are never mutated."""
    group = _MEMO.get(key[0])
    if group is None:
        group = _MEMO[key[0]] = {}
        while len(_MEMO) > MEMO_MODELS:
            _MEMO.popitem(last=False)
    else:
        _MEMO.move_to_end(key[0])
    kind = group.get(key[1])
    if kind is None:
        kind = group[key[1]] = OrderedDict()
    hit = kind.get(key)
    if hit is None:
        before = OPS.copy()
        value = compute()
        hit = (value, OPS - before)
        kind[key] = hit
        while len(kind) > keep:
            kind.popitem(last=False)
    else:
        kind.move_to_end(key)
        OPS.update(hit[1])
    return hit[0]


def clear_memo() -> None:
    _MEMO.clear()
    _EXP.clear()


EXP_P = 100  # mantissa bits kept while squaring
EXP_Q = 128  # fixed-point fraction bits of the Taylor series
EXP_N = 24  # Taylor terms
EXP_MAX_LOG2 = 12  # exp arguments must satisfy |x| < 2^12 (docs §6, §10): bounds the checker's work


def bitlen(b: int) -> int:
    """Number of binary digits of b ≥ 0 (0 for 0)."""
    return b.bit_length()


def pow2(k: int) -> int:
    return 1 << k


def floor_div(a: int, b: int) -> int:
    """⌊a/b⌋ for b > 0."""
    return a // b


def ceil_div(a: int, b: int) -> int:
    """⌈a/b⌉ for b > 0."""
    return -((-a) // b)


def dy_add(x: Dy, y: Dy) -> Dy:
    """Exact sum, at the smaller exponent."""
    OPS["add"] += 1
    if x[1] <= y[1]:
        return (x[0] + y[0] * pow2(y[1] - x[1]), x[1])
    return (x[0] * pow2(x[1] - y[1]) + y[0], y[1])


def dy_sub(x: Dy, y: Dy) -> Dy:
    return dy_add(x, (-y[0], y[1]))


def dy_mul(x: Dy, y: Dy) -> Dy:
    OPS["mul"] += 1
    return (x[0] * y[0], x[1] + y[1])


def dy_sign(x: Dy) -> int:
    OPS["cmp"] += 1
    return (x[0] > 0) - (x[0] < 0)


def dy_le(x: Dy, y: Dy) -> bool:
    return dy_sign(dy_sub(x, y)) <= 0


def dy_lt(x: Dy, y: Dy) -> bool:
    return dy_sign(dy_sub(x, y)) < 0


def dy_max(x: Dy, y: Dy) -> Dy:
    return y if dy_lt(x, y) else x


def dy_sum(xs: list[Dy]) -> Dy:
    total: Dy = (0, 0)
    for x in xs:
        total = dy_add(total, x)
    return total


def dy_str(x: Dy) -> str:
    """Readable exact value: m·2^e, with a 6-digit decimal approximation (integer arithmetic only); huge values
    are abbreviated (they only appear in failure messages of hostile certificates)."""
    m, e = x
    if abs(m).bit_length() + abs(e) > 1000:
        return f"{short_int(m)}·2^{short_int(e)}"
    return f"{m}·2^{e} (≈{_approx(x)})"


def _approx(x: Dy, digits: int = 6) -> str:
    m, e = x
    if m == 0:
        return "0"
    num, den = (abs(m) << e, 1) if e >= 0 else (abs(m), 1 << -e)
    exp10 = len(str(num // den)) - 1 if num >= den else -len(str(den // num))
    while num * 10**max(0, -exp10) < den * 10**max(0, exp10):  # leading digit must be ≥ 1
        exp10 -= 1
    scaled = (num * 10 ** max(0, digits - 1 - exp10)) // (den * 10 ** max(0, exp10 - digits + 1))
    s = str(scaled)
    sign = "-" if m < 0 else ""
    return f"{sign}{s[0]}.{s[1:digits]}e{exp10:+d}"


# ----------------------------------------------------------------------------- exp enclosure (docs §6)
def exp_in_range(x: Dy) -> bool:
    """|x| < 2^12, checked as bitlen(|m|) + e ≤ 12 (0 is in range). Honest arguments are below 2^7; a
    certificate that implies a larger one is malformed (a limit, docs §10), not worked on."""
    return x[0] == 0 or bitlen(abs(x[0])) + x[1] <= EXP_MAX_LOG2


_EXP: dict[Dy, tuple[Dy, Dy]] = {}
EXP_KEEP = 1 << 16
"""Enclosures kept (about 0.5 KB each; emptied when full): every distinct argument of a Max-of-4 model's checks
(its EQKE and EQKP entries at both ends of 1/√d_head) fits many times over."""


def exp_bounds(x: Dy) -> tuple[Dy, Dy]:
    """Dyadics lo ≤ exp(x) ≤ hi (docs §6); a pure function of x, so repeated arguments are looked up."""
    OPS["exp"] += 1
    hit = _EXP.get(x)
    if hit is None:
        if not exp_in_range(x):
            raise InputError(None, "exp argument", f"{dy_str(x)} is outside the limit |x| < 2^{EXP_MAX_LOG2} (docs §10)")
        if len(_EXP) >= EXP_KEEP:
            _EXP.clear()
        hit = _EXP[x] = _exp_bounds(x)
    return hit


def _exp_bounds(x: Dy) -> tuple[Dy, Dy]:
    """By argument halving, a Taylor series with a tail bound, and squaring (docs §6, step by step).

    Written with inline shifts for speed (it is the checker's hottest function); each line is the spec's step:
    ⌊X/(i·2^Q)⌋ = ⌊⌊X/2^Q⌋/i⌋ and ⌈X/(i·2^Q)⌉ = ⌈⌈X/2^Q⌉/i⌉ for positive integers, ⌈X/2^k⌉ = −((−X) >> k).
    tests/test_lean_sources.py compares it with a literal transcription (of the spec and of Exp.lean)."""
    a, f = x
    if a == 0:
        return (1, 0), (1, 0)
    b = -a if a < 0 else a
    s = b.bit_length() + f + 4
    if s < 0:
        s = 0
    h = f - s + EXP_Q
    if h >= 0:
        y_lo = y_hi = b << h
    else:
        y_lo, y_hi = b >> -h, -((-b) >> -h)
    Q = EXP_Q
    tl = th = 1 << Q
    s_lo = s_hi = 0
    for i in range(1, EXP_N + 2):  # add terms 0..N; leave tl, th at term N+1
        s_lo += tl
        s_hi += th
        tl = ((tl * y_lo) >> Q) // i
        th = -(((-(th * y_hi)) >> Q) // i)  # ⌈⌈th·y/2^Q⌉/i⌉
    s_hi += 2 * th
    lo_m, lo_e, hi_m, hi_e = s_lo, -Q, s_hi, -Q
    P = EXP_P
    for _ in range(s):
        lo_m, hi_m = lo_m * lo_m, hi_m * hi_m
        lo_e, hi_e = 2 * lo_e, 2 * hi_e
        k = lo_m.bit_length() - P
        if k > 0:
            lo_m, lo_e = lo_m >> k, lo_e + k
        k = hi_m.bit_length() - P
        if k > 0:
            hi_m, hi_e = -((-hi_m) >> k), hi_e + k
    if a > 0:
        return (lo_m, lo_e), (hi_m, hi_e)
    l_hi = hi_m.bit_length() + P  # numerator 2^l so that the quotient keeps ≥ P bits
    l_lo = lo_m.bit_length() + P
    return ((1 << l_hi) // hi_m, -l_hi - hi_e), (-((-(1 << l_lo)) // lo_m), -l_lo - lo_e)
