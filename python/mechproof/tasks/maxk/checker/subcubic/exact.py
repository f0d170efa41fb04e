"""Exact helpers on dyadic vectors and matrices, and the parsed choices of §7.1 (data used without
verification: the argument is sound whatever their value, so they are only checked for shape and limits)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from .....checker.arith import Dy, count, dy_lt
from .....checker.failures import require
from .....checker.matrices import Mat, Vec, vec_rescale
from .....errors import InputError
from .....jsonfile import short_int
from ...schema import SUBCUBIC_QK


QK_TWO = ("svd", "max_diff", "mean+max_diff", "max_diff_exact")
QK_FOUR = tuple(x for x in SUBCUBIC_QK if "subproduct" in x)
DROP_AVG = "drop_average_query_per_output_logit_reasoning"


# ------------------------------------------------------------------------------------------ small exact helpers
def frac(x: Dy) -> Fraction:
    """The exact value of a dyadic."""
    m, e = x
    return Fraction(m << e) if e >= 0 else Fraction(m, 1 << -e)


def frac_str(x: Fraction) -> str:
    """Readable exact rational: 6 significant digits by integer arithmetic (and the fraction when short)."""
    num, den = x.numerator, x.denominator
    if num == 0:
        return "0"
    if max(abs(num).bit_length(), den.bit_length()) > 3000:  # str() refuses over 4300 digits: say how big it is
        return f"{short_int(num)}/{short_int(den)}"
    sign, num = ("-" if num < 0 else ""), abs(num)
    e10 = len(str(num)) - len(str(den))
    if num * 10 ** max(0, -e10) < den * 10 ** max(0, e10):
        e10 -= 1  # now 10^e10 ≤ |x| < 10^(e10+1)
    k = 5 - e10
    d = str((num * 10**k) // den if k >= 0 else num // (den * 10 ** (-k)))
    approx = f"{sign}{d[0]}.{d[1:]}e{e10:+d}"
    exact = f"{sign}{num}/{den}"
    return f"{exact} (≈{approx})" if len(exact) <= 40 else f"≈{approx}"


def rowrange(row: list[int]) -> int:
    """max − min of a row (of one exponent)."""
    count("cmp", 2 * max(0, len(row) - 1))
    count("add")
    return max(row) - min(row)


def centred_abs(a: Mat, c: Vec | None) -> Mat:
    """|a[i][t] − c[t]| (c = None: |a[i][t]|), at the smaller exponent."""
    rows, e = a
    if c is None:
        count("cmp", sum(len(r) for r in rows))
        return [[abs(x) for x in r] for r in rows], e
    ec = min(e, c[1])
    sa, sc = 1 << (e - ec), 1 << (c[1] - ec)
    cs = [x * sc for x in c[0]]
    count("add", sum(len(r) for r in rows))
    count("cmp", sum(len(r) for r in rows))
    return [[abs(x * sa - y) for x, y in zip(r, cs)] for r in rows], ec


def weighted(a: Mat, rho: Vec) -> Vec:
    """Σ_t a[i][t]·rho[t] for every row i."""
    rows, e = a
    count("mul", sum(len(r) for r in rows))
    count("add", sum(len(r) for r in rows))
    return [sum(x * y for x, y in zip(r, rho[0])) for r in rows], e + rho[1]


def plus_const(v: Vec, k: Dy) -> Vec:
    """v + k (k added to every entry), at the smaller exponent."""
    count("add", len(v[0]))
    e = min(v[1], k[1])
    sv, kk = 1 << (v[1] - e), k[0] << (k[1] - e)
    return [x * sv + kk for x in v[0]], e


def vec_min(a: Vec, b: Vec) -> Vec:
    """Entrywise minimum, at the smaller exponent."""
    count("cmp", len(a[0]))
    e = min(a[1], b[1])
    a2, b2 = vec_rescale(a, e)[0], vec_rescale(b, e)[0]
    return [min(x, y) for x, y in zip(a2, b2)], e


def min_dy(x: Dy, y: Dy) -> Dy:
    return x if dy_lt(x, y) else y


# ------------------------------------------------------------------------------------------ choices (§7.1)
def _bad(path: Path | None, fld: str, msg: str) -> InputError:
    return InputError(path, f"claims.choices.{fld}", msg)


def choice_vec(v: Any, length: int, fld: str, path: Path | None) -> Vec:  # v: schema.DyVec
    if len(v.mant) != length:
        raise _bad(path, f"{fld}.mant", f"expected {length} entries, got {len(v.mant)}")
    return list(v.mant), v.exp


def choice_mat(a: Any, rows: int, cols: int | None, fld: str, path: Path | None) -> Mat:  # a: schema.DyMat
    """A claimed matrix of `rows` rows and `cols` columns (cols None: any common width)."""
    if len(a.rows) != rows:
        raise _bad(path, f"{fld}.rows", f"expected {rows} rows, got {len(a.rows)}")
    width = len(a.rows[0]) if cols is None else cols
    for i, r in enumerate(a.rows):
        if len(r) != width:
            raise _bad(path, f"{fld}.rows[{i}]", f"expected {width} entries, got {len(r)}")
    return [list(r) for r in a.rows], a.exp


def n_factors(qk: str) -> int:
    return 2 if qk in QK_TWO else 4 if qk in QK_FOUR else 0


def centre(choices: Any, j: int, length: int, path: Path | None) -> Vec:
    """`centres[j]`, a vector of `length` entries, which the variant needs."""
    if j >= len(choices.centres) or choices.centres[j] is None:
        raise _bad(path, f"centres[{j}]", f"this qk variant needs a centre vector of {length} entries here")
    return choice_vec(choices.centres[j], length, f"centres[{j}]", path)


def avg_table(choices: Any, attention: str, V: int, n: int, path: Path | None) -> list[list[Dy]]:
    """`avg` (V×n dyadics); all [0, 0] for the drop-average attention rule (claim ids choices.avg[m,c])."""
    avg = choices.avg
    if len(avg) != V:
        raise _bad(path, "avg", f"expected {V} rows (one per max token), got {len(avg)}")
    for m, row in enumerate(avg):
        if len(row) != n:
            raise _bad(path, f"avg[{m}]", f"expected {n} entries (one per c = 0..n−1), got {len(row)}")
    if attention == DROP_AVG:
        for m, row in enumerate(avg):
            for c, v in enumerate(row):
                require(tuple(v) == (0, 0), f"choices.avg[{m},{c}]", f"must be [0, 0] for {DROP_AVG}", list(v), [0, 0])
    return [[(v[0], v[1]) for v in row] for row in avg]


