"""Float64 images of the exact quantities: nearest values for the (untrusted) gap search, and outward enclosures
for the sound re-check (`recheck.py`), computed once per qk rule, eupu rule or model."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import mpmath
import numpy as np

from .....exact import Dyadic
from .....intervals import INF, add_down, add_up, down, enclose, mul_down, mul_up, up
from .pieces import OutputSide, Pieces
from .qk import QKBound

def nearest(d: Dyadic) -> np.ndarray:
    """The nearest float64 of every entry (not an enclosure; intervals.enclose gives those)."""
    return np.ldexp(d.mant.astype(np.float64), d.exp) if d.mant.size else np.zeros(d.mant.shape)


# ------------------------------------------------------------------------------------------ exp
EXP_SLACK = 2.0**-40  # relative widening of float exp: covers the library's error (< 2^-45) and the checker's (< 2^-80)
_EXP_ARG = 700.0  # exp stays in the normal float range inside ±700


@cache
def _exp_is_accurate() -> bool:
    """numpy's exp within 2^-45 (relative) of mpmath's on a grid over [-700, 700]: the premise of EXP_SLACK."""
    xs = np.concatenate([np.linspace(-_EXP_ARG, _EXP_ARG, 141), np.random.default_rng(0).uniform(-30, 30, 60)])
    with mpmath.workprec(120):
        return all(abs(mpmath.mpf(float(y)) / mpmath.exp(mpmath.mpf(float(x))) - 1) < 2.0**-45 for x, y in zip(xs, np.exp(xs)))


def exp_up(x: np.ndarray) -> np.ndarray:
    """≥ exp(x)·(1 + 2^-80) for every real ≤ x (inf beyond 700): above any exp_bounds(·).hi of docs §6 there."""
    if not _exp_is_accurate():
        raise RuntimeError("numpy's exp is less accurate than the re-check assumes (2^-45 relative)")
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(x > _EXP_ARG, INF, up(np.exp(np.minimum(x, _EXP_ARG)) * (1 + EXP_SLACK)))


def exp_down(x: np.ndarray) -> np.ndarray:
    """≤ exp(x)·(1 − 2^-80) for every real ≥ x (0 below −700): below any exp_bounds(·).lo of docs §6 there."""
    if not _exp_is_accurate():
        raise RuntimeError("numpy's exp is less accurate than the re-check assumes (2^-45 relative)")
    with np.errstate(under="ignore", invalid="ignore"):
        return np.where(x < -_EXP_ARG, 0.0, down(np.exp(np.maximum(x, -_EXP_ARG)) * (1 - EXP_SLACK)))


def scaled_bounds(lo: np.ndarray, hi: np.ndarray, r_lo: float, r_hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Float bounds on a·r for every a in [lo, hi] and r in [r_lo, r_hi] (r > 0), rounded outward."""
    cand_lo = [mul_down(a, r) for a in (lo, hi) for r in (r_lo, r_hi)]
    cand_hi = [mul_up(a, r) for a in (lo, hi) for r in (r_lo, r_hi)]
    return np.minimum.reduce(cand_lo), np.maximum.reduce(cand_hi)


# ------------------------------------------------------------------------------------------ the images
@dataclass(frozen=True)
class AttnF:
    """One qk rule: Approx, ε and the running extrema of Approx rows (nearest), and their enclosures."""

    A: np.ndarray
    eps: np.ndarray
    pmax: np.ndarray  # [q, t] = max_{t' ≤ t} A[q, t']
    pmin: np.ndarray
    A_lo: np.ndarray
    A_hi: np.ndarray
    pmax_hi: np.ndarray  # ≥ the exact running max
    pmin_lo: np.ndarray
    eps_hi: np.ndarray


def attn_floats(b: QKBound) -> AttnF:
    A, (A_lo, A_hi) = nearest(b.approx), enclose(b.approx)
    eps_hi = enclose(b.eps)[1]
    acc = np.maximum.accumulate, np.minimum.accumulate
    return AttnF(A, nearest(b.eps), acc[0](A, axis=1), acc[1](A, axis=1), A_lo, A_hi, acc[0](A_hi, axis=1), acc[1](A_lo, axis=1), eps_hi)


@dataclass(frozen=True)
class OutF:
    """One eupu rule: L, R, R_max, R_min, the running max of D, ΔEU (nearest), and their enclosures."""

    L_off: np.ndarray  # L with −inf on the diagonal (j = m is never a wrong logit)
    R: np.ndarray
    Rmax: np.ndarray
    Rmin: np.ndarray
    Dmax: np.ndarray
    dEU: np.ndarray
    Lhi_off: np.ndarray
    R_lo: np.ndarray
    R_hi: np.ndarray
    Rmax_lo: np.ndarray
    Rmax_hi: np.ndarray
    Rmin_lo: np.ndarray
    Rmin_hi: np.ndarray
    Dmax_hi: np.ndarray
    dEU_hi: np.ndarray
    Lh: np.ndarray  # [m, k]: the lines L_m[j] + v·R_m[j] on the upper envelope over v in [0, 1], padded with −inf
    Rh: np.ndarray


def envelope01(L_off: np.ndarray, R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row m, the lines (intercept L_off[m, j], slope R[m, j]) that attain max_j over some v in [0, 1]
    (upper convex hull, then clipped to [0, 1] with a little slack), padded to a common count with −inf."""
    rows: list[list[tuple[float, float]]] = []
    for b_row, a_row in zip(L_off, R):
        hull: list[tuple[float, float]] = []  # (slope, intercept), slopes increasing
        for j in np.lexsort((b_row, a_row)):
            a, b = float(a_row[j]), float(b_row[j])
            if b == -INF:
                continue
            if hull and hull[-1][0] == a:  # parallel: the later one has the larger intercept
                hull.pop()
            while len(hull) >= 2:  # the middle line is never above both neighbours
                (a1, b1), (a2, b2) = hull[-2], hull[-1]
                if (b1 - b) * (a2 - a1) <= (b1 - b2) * (a - a1):
                    hull.pop()
                else:
                    break
            hull.append((a, b))
        # line i is on top over [x_{i−1}, x_i], x_i where lines i and i+1 meet
        x = [(hull[i][1] - hull[i + 1][1]) / (hull[i + 1][0] - hull[i][0]) for i in range(len(hull) - 1)]
        lo, hi = [-INF] + x, x + [INF]
        rows.append([ln for ln, s, e in zip(hull, lo, hi) if s <= 1 + 1e-6 and e >= -1e-6])
    k = max(len(r) for r in rows)
    Lh, Rh = np.full((len(rows), k), -INF), np.zeros((len(rows), k))
    for i, r in enumerate(rows):
        Rh[i, : len(r)], Lh[i, : len(r)] = zip(*r)
    return Lh, Rh


def out_floats(o: OutputSide) -> OutF:
    V = o.R.mant.shape[0]
    diag = np.eye(V, dtype=bool)
    R, (R_lo, R_hi) = nearest(o.R), enclose(o.R)
    L_off = np.where(diag, -INF, nearest(o.L))

    def off(x: np.ndarray, fill: float) -> np.ndarray:
        return np.where(diag, fill, x)

    def rmax(x: np.ndarray) -> np.ndarray:
        return off(x, -INF).max(axis=1)

    def rmin(x: np.ndarray) -> np.ndarray:
        return off(x, INF).min(axis=1)

    return OutF(
        L_off,
        R,
        rmax(R),
        rmin(R),
        np.maximum.accumulate(nearest(o.D)),
        nearest(o.dEU),
        off(enclose(o.L)[1], -INF),
        R_lo,
        R_hi,
        rmax(R_lo),
        rmax(R_hi),
        rmin(R_lo),
        rmin(R_hi),
        np.maximum.accumulate(enclose(o.D)[1]),
        enclose(o.dEU)[1],
        *envelope01(L_off, R),
    )


@dataclass(frozen=True)
class Masses:
    """Positional masses of the max slots (Y) and the non-max slots (Z) for the low and high placements
    (docs §7.3 step 1), indexed [c, q, s] with s = 1 when q = m and 0 when q < m; rows c = 0 unused.
    Nearest values for the search; `*_d`/`*_u` are lower/upper bounds on the checker's exact sums of its own
    π enclosures (each term bounded by exp_down/exp_up, summed with outward rounding)."""

    Ylo: np.ndarray
    Zlo: np.ndarray
    Yhi: np.ndarray
    Zhi: np.ndarray
    Ylo_d: np.ndarray
    Zlo_u: np.ndarray
    Yhi_u: np.ndarray
    Zhi_d: np.ndarray
    r: float  # nearest 1/√d
    r_lo: float  # ≤ the claimed lower end of 1/√d
    r_hi: float  # ≥ the claimed upper end


def masses(pc: Pieces, r_claim: tuple[int, int, int]) -> Masses:
    V, n = pc.V, pc.n
    r_lo, r_hi = (enclose(Dyadic(np.array([m], dtype=object), r_claim[2])) for m in r_claim[:2])
    r_lo_f, r_hi_f = float(r_lo[0][0]), float(r_hi[1][0])
    r = float(np.sqrt(1.0 / pc.d_head))
    e_lo, e_hi = enclose(pc.eqkp_err)
    x_lo, x_hi = scaled_bounds(e_lo, e_hi, r_lo_f, r_hi_f)
    if not np.all(np.maximum(-x_lo, x_hi) < 2.0**11):
        raise ValueError("positional scores too large for the checker's exp (docs §6 step 0)")
    pi = np.exp(nearest(pc.eqkp_err) * r)
    pi_d, pi_u = exp_down(x_lo), exp_up(x_hi)
    order = pc.order
    out = {k: np.zeros((n, V, 2)) for k in ("Ylo", "Zlo", "Yhi", "Zhi", "Ylo_d", "Zlo_u", "Yhi_u", "Zhi_d")}

    def total(vals: np.ndarray, start: int, stop: int, add) -> np.ndarray:  # noqa: ANN001 - a directed or plain add
        acc = np.zeros(V)
        for j in range(start, stop):
            acc = add(acc, vals[:, j])
        return acc

    srt = {key: np.take_along_axis(x[:, : n - 1], order, axis=1) for key, x in (("n", pi), ("d", pi_d), ("u", pi_u))}
    last = {"n": pi[:, n - 1], "d": pi_d[:, n - 1], "u": pi_u[:, n - 1]}
    for c in range(1, n):
        for s in (0, 1):
            k = n - 1 - c if s else n - c  # non-query max slots: the first k sorted (low) or the last k (high)
            low, low_rest, high, high_rest = (0, k), (k, n - 1), (n - 1 - k, n - 1), (0, n - 1 - k)
            for Y, Z, (ys, ya, yadd), (zs, za, zadd) in (
                ("Ylo", "Zlo", (low, "n", np.add), (low_rest, "n", np.add)),
                ("Yhi", "Zhi", (high, "n", np.add), (high_rest, "n", np.add)),
                ("Ylo_d", "Zlo_u", (low, "d", add_down), (low_rest, "u", add_up)),
                ("Yhi_u", "Zhi_d", (high, "u", add_up), (high_rest, "d", add_down)),
            ):
                y, z = total(srt[ya], *ys, yadd), total(srt[za], *zs, zadd)
                if s:  # the query position holds m: a max slot
                    y = yadd(y, last[ya])
                else:
                    z = zadd(z, last[za])
                out[Y][c, :, s], out[Z][c, :, s] = y, z
    return Masses(**out, r=r, r_lo=r_lo_f, r_hi=r_hi_f)
