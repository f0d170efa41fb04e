"""The subcubic proofs (paper-spec §5), made sound: 100 variants of one gap-based argument.

Cases are (q, m, c) with c counting every position that holds a token < m (the query's included when q < m),
and a gap g: the case covers the inputs whose non-max tokens are all ≤ m − g. The token dimension of the cubic
proof is gone; token dependence is bounded by worst cases over the range [0, m − g], which is what makes the
argument cheaper than cubic. docs/certificate.md §7 states the argument and why it is sound.

Three options make the 100 variants (5 × 2 × 10, paper-spec §5.4): how the direct path EUPU is bounded
(`eupu`), whether a per-(m, c) average attention is used (`attention`), and how the attention scores EQKE are
approximated and how the approximation error is bounded (`qk`).

Nothing here is trusted. The gap search runs in plain float64, vectorized over every gap; each chosen case is
then re-evaluated with exact rationals and mpmath exp enclosures, and only cases that pass go into the
certificate, which the independent checker verifies again. Two fixes over the paper's code: the count uses
m − g + 1 allowed tokens (§9.1; `paper_compatible` restores the undercount m − g), and the mean+diff correction
is sign-aware (§9.2), always.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..exact import Dyadic, exact_matrices, weight
from ..intervals import exp_claims, inv_sqrt_claim
from ..weights import ExactWeights

EUPU_OPTIONS = {
    "mq": "mean_query+max_diff",
    "sq": "svd_query+max_diff",
    "md": "max_diff",
    "mx": "max_diff_exact",
    "gx": "global_max_diff_exact",
}
ATTENTION_OPTIONS = {"avg": "mean_query+diff", "drop": "drop_average_query_per_output_logit_reasoning"}
QK_OPTIONS = {
    "svd": "svd",
    "md": "max_diff",
    "mmd": "mean+max_diff",
    "mdx": "max_diff_exact",
    "sp": "max_diff_subproduct",
    "msp": "mean+max_diff_subproduct",
    "spr": "max_diff_subproduct_recursive",
    "mspr": "mean+max_diff_subproduct_recursive",
    "mrspr": "mean_recursive+max_diff_subproduct_recursive",
    "exact": "exact_EQKE+max_diff_exact",
}
_RECURSIVE = {
    "max_diff_subproduct_recursive",
    "mean+max_diff_subproduct_recursive",
    "mean_recursive+max_diff_subproduct_recursive",
}
_SPLIT = {"max_diff", "max_diff_subproduct", "mean+max_diff", "mean+max_diff_subproduct"}
_ATTN_DVDM2 = {"svd"} | _SPLIT
_DIRECT_QUADRATIC = {"mean_query+max_diff", "svd_query+max_diff", "max_diff"}


@dataclass(frozen=True)
class Variant:
    """One of the 100 subcubic strategies, by its three option codes."""

    eupu: str
    attention: str
    qk: str

    @property
    def key(self) -> str:
        """Registry name and certificate file stem: subcubic-<eupu>-<attention>-<qk> in the short codes."""
        return f"subcubic-{self.eupu}-{self.attention}-{self.qk}"

    @property
    def names(self) -> tuple[str, str, str]:
        return EUPU_OPTIONS[self.eupu], ATTENTION_OPTIONS[self.attention], QK_OPTIONS[self.qk]

    @property
    def group(self) -> str:
        """The paper's plot groups (paper-spec §5.4): attention and direct-path tags, or plain "subcubic"."""
        eupu, _, qk = self.names
        tags = []
        if qk in _RECURSIVE:
            tags.append("attention-quadratic")
        elif qk in _ATTN_DVDM2:
            tags.append("attention-d_vocab·d_model²")
        if eupu in _DIRECT_QUADRATIC:
            tags.append("direct-quadratic")
        return " + ".join(tags) if tags else "subcubic"

    @property
    def complexity(self) -> str:
        eupu, _, qk = self.names
        if qk in _RECURSIVE:
            qk_cost = "V·d"
        elif qk in ("max_diff_exact", "exact_EQKE+max_diff_exact"):
            qk_cost = "V²·d"
        else:
            qk_cost = "V·d² + d³"
        eu_cost = "V·d" if eupu in _DIRECT_QUADRATIC else "V²·d"
        return f"O(V²·n² + V²·d (EVOU) + {qk_cost} (QK) + {eu_cost} (EU))"


VARIANTS: tuple[Variant, ...] = tuple(Variant(e, a, q) for e in EUPU_OPTIONS for a in ATTENTION_OPTIONS for q in QK_OPTIONS)


@dataclass(frozen=True)
class SubcubicProof:
    variant: Variant
    params: dict[str, Any]
    claims: dict[str, Any]
    correct: int
    total: int
    seconds: float
    dropped_by_exact_check: int  # cases the float search proposed that the exact re-check refused


# ------------------------------------------------------------------------------------ exact building blocks
def _mean_rows(x: Dyadic) -> Dyadic:
    """The mean row: exact when the row count is a power of two, else a dyadic rounding (a choice)."""
    rows = x.mant.shape[0]
    total = x.mant.sum(axis=0)
    if rows & (rows - 1) == 0:
        return Dyadic(total, x.exp - (rows.bit_length() - 1))
    return Dyadic.from_float(np.array([float(v) for v in total]) * 2.0**x.exp / rows, bits=52)


def _broadcast(scalar: Dyadic, n: int) -> Dyadic:
    """A 1-entry dyadic repeated n times."""
    return Dyadic(np.full(n, scalar.mant.reshape(-1)[0], dtype=object), scalar.exp)


def _minimum(xs: list[Dyadic]) -> Dyadic:
    e = min(x.exp for x in xs)
    out = xs[0].rescaled(e)
    for x in xs[1:]:
        out = np.minimum(out, x.rescaled(e))
    return Dyadic(out, e)


def _product(fs: list[Dyadic]) -> Dyadic:
    out = fs[0]
    for f in fs[1:]:
        out = out @ f
    return out


def _range_bound(P: Dyadic, tail: list[Dyadic], centre: Dyadic | None, rho: Dyadic | None = None) -> Dyadic:
    """Bound on the row ranges of P·T, T = tail[0]⋯tail[-1]: Σ_r |P[q,r] − c_r|·ρ[r] (+ rowrange(c·T) when
    centred on c), where ρ bounds the row ranges of T: given (recursive rules) or exact (T is formed)."""
    rho = _product(tail).rowrange() if rho is None else rho
    if centre is None:
        return (P.abs() @ rho.col()).flat()
    cT = centre.row()
    for f in tail:  # a vector-matrix chain
        cT = cT @ f
    return _broadcast(cT.rowrange(), P.mant.shape[0]) + ((P - centre.row()).abs() @ rho.col()).flat()


@dataclass
class QKBound:
    approx: Dyadic  # V×V, Approx of EQKE_tok
    eps: Dyadic  # V, ε_q ≥ row range of Err = EQKE_tok − Approx
    peels: list[tuple[Dyadic, Dyadic] | None]
    centres: list[Dyadic | None]
    spectral_eps: tuple[int, int] | None


def qk_bound(qk: str, Eq: Dyadic, Ek: Dyadic, Q: Dyadic, K: Dyadic) -> QKBound:
    """Approx of EQKE_tok = Eq·Q·Kᵀ·Ekᵀ, the bound ε_q on its error, and the choices behind them (§7.2)."""
    full = Eq @ Q @ K.T @ Ek.T
    V = full.mant.shape[0]
    if qk == "exact_EQKE+max_diff_exact":
        return QKBound(full, Dyadic(np.zeros(V, dtype=object), 0), [], [], None)
    four = "subproduct" in qk
    factors = [Eq, Q, K.T, Ek.T] if four else [Eq @ Q, K.T @ Ek.T]
    U, _, Vt = np.linalg.svd(full.to_float64())
    rank = 2 if four else 1
    peels: list[tuple[Dyadic, Dyadic] | None] = []
    for i, F in enumerate(factors):
        if i == 0:  # the top query directions: F − x·(Fᵀx)ᵀ
            x = Dyadic.from_float(U[:, :rank])
            y = F.T @ x
        elif i == len(factors) - 1:  # the top key directions: F − (F·y)·yᵀ
            y = Dyadic.from_float(Vt[:rank].T)
            x = F @ y
        elif i == 1:  # W_Q: its top left singular direction
            x = Dyadic.from_float(np.linalg.svd(F.to_float64())[0][:, :1])
            y = F.T @ x
        else:  # W_Kᵀ: its top right singular direction
            y = Dyadic.from_float(np.linalg.svd(F.to_float64())[2][:1].T)
            x = F @ y
        peels.append((x, y))
    primed = [F - x @ y.T for F, (x, y) in zip(factors, peels)]  # type: ignore[misc]
    err = _product(primed)
    approx = full - err
    k = len(primed)
    centres: list[Dyadic | None] = []
    spectral = None
    if qk == "max_diff_exact":
        eps = err.rowrange()
    elif qk in _SPLIT:
        bounds = []
        for split in range(1, k):
            P = _product(primed[:split])
            c = _mean_rows(P) if qk.startswith("mean+") else None
            if c is not None:
                centres.append(c)
            bounds.append(_range_bound(P, primed[split:], c))
        eps = _minimum(bounds)
    elif qk in _RECURSIVE:
        centre_all = qk.startswith("mean_recursive")
        rho = primed[-1].rowrange()
        level_centres: list[Dyadic | None] = []
        for i in range(k - 2, 0, -1):  # 0-based factor i, i.e. levels k−1 .. 2: rows of F_i′⋯F_k′
            c = _mean_rows(primed[i]) if centre_all else None
            level_centres.append(c)
            rho = _range_bound(primed[i], primed[i + 1 :], c, rho)
        c1 = _mean_rows(primed[0]) if qk.startswith("mean") else None
        eps = _range_bound(primed[0], primed[1:], c1, rho)
        if qk.startswith("mean+"):
            centres = [c1]
        elif centre_all:
            centres = [c1] + level_centres[::-1]
    elif qk == "svd":
        G = primed[0].T @ primed[0]
        Kk = primed[1] @ primed[1].T
        spectral = _spectral_eps(G @ Kk)
        eps = _broadcast(Dyadic(np.array([spectral[0]], dtype=object), spectral[1]), V)
    else:
        raise ValueError(f"unknown qk option {qk!r}")
    return QKBound(approx, eps, peels, centres, spectral)


def _spectral_eps(M: Dyadic) -> tuple[int, int]:
    """A dyadic ε = (m, e) with (ε²/2)^8 ≥ trace(M^8): then ε ≥ √2·σ_1(Err) (docs §7.2, rule `svd`)."""
    M2 = M @ M
    M4 = M2 @ M2
    M8 = M4 @ M4
    t, e = int(sum(M8.mant[i, i] for i in range(M8.mant.shape[0]))), M8.exp
    if t <= 0:
        return (0, 0)
    # ε^16 ≥ 2^8·t·2^e; take ε = m·2^f with m of about 40 bits: m = ⌈(t·2^(e+8−16f))^(1/16)⌉
    f = (t.bit_length() + e + 8) // 16 - 40
    shift = e + 8 - 16 * f
    N = t << shift if shift >= 0 else -((-t) >> -shift)  # ⌈t·2^shift⌉
    m = _iroot_ceil(N, 16)
    assert (m**16 << max(0, 16 * f - 8 - e)) >= (t << max(0, e - 16 * f + 8))
    return m, f


def _iroot_ceil(N: int, k: int) -> int:
    """⌈N^(1/k)⌉ for N ≥ 1 (integer Newton iteration)."""
    x = 1 << -(-N.bit_length() // k)  # ≥ the root
    while True:
        y = ((k - 1) * x + N // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    while x**k > N:  # x is now ⌊root⌋ or slightly above; settle exactly
        x -= 1
    return x if x**k == N else x + 1


@dataclass
class OutputSide:
    """Exact OV and direct-path quantities (docs §7.2), all V or V×V, at their own exponents."""

    L: Dyadic  # L_m[j] = EU[j] − EU[m] + P*[m,j], [m, j]
    R: Dyadic  # R_m[j] = EVOU[m,j] − EVOU[m,m], [m, j]
    D: Dyadic  # rowrange(EVOU[t,:]), [t]
    dEU: Dyadic  # ΔEU[q]
    mu: Dyadic | None  # the EUPU centre (a choice), when the rule has one


def output_side(eupu: str, w: ExactWeights, Eq: Dyadic, EVOU: Dyadic, PVOU: Dyadic) -> OutputSide:
    U = weight(w.tensors["W_U"])
    V = U.mant.shape[1]
    mu: Dyadic | None = None
    if eupu in _DIRECT_QUADRATIC:
        if eupu == "mean_query+max_diff":
            mu = _mean_rows(Eq)
        elif eupu == "svd_query+max_diff":  # the paper's direction, subtracted as a vector (spec §9.3)
            E, P = weight(w.tensors["W_E"]), weight(w.tensors["W_pos"])
            Ebar = E + _mean_rows(P).row()
            u0 = np.linalg.svd((Ebar @ U).to_float64())[0][:, 0]
            u0 = u0 if u0.sum() >= 0 else -u0
            mu = Dyadic.from_float(u0 @ Ebar.to_float64())
        if mu is None:  # max_diff: μ = 0
            EU = Dyadic(np.zeros(V, dtype=object), 0)
            dEU = (Eq.abs() @ U.rowrange().col()).flat()
        else:
            EU = (mu.row() @ U).flat()
            dEU = ((Eq - mu.row()).abs() @ U.rowrange().col()).flat()
    else:
        EU = Dyadic(np.zeros(V, dtype=object), 0)
        ranges = (Eq @ U).rowrange()
        dEU = ranges if eupu == "max_diff_exact" else _broadcast(Dyadic(np.array([ranges.mant.max()]), ranges.exp), V)
    Pc = PVOU.mant[:, None, :] - PVOU.mant[:, :, None]  # [p, m, j] = PVOU[p,j] − PVOU[p,m]
    Pstar = Dyadic(Pc.max(axis=0), PVOU.exp)  # [m, j]
    EUc = Dyadic(EU.mant[None, :] - EU.mant[:, None], EU.exp)  # [m, j] = EU[j] − EU[m]
    R = Dyadic(EVOU.mant - np.diag(EVOU.mant)[:, None], EVOU.exp)
    return OutputSide(EUc + Pstar, R, EVOU.rowrange(), dEU, mu)


# ------------------------------------------------------------------------------------------- the gap search
@dataclass
class _Float:
    """Float64 images of the exact quantities, for the (untrusted) search."""

    A: np.ndarray
    eps: np.ndarray
    Ylo: np.ndarray  # [c, q, m] positional mass of the max slots, low placement (exact order, float values)
    Zlo: np.ndarray
    Yhi: np.ndarray
    Zhi: np.ndarray
    L: np.ndarray
    R: np.ndarray
    Rmax: np.ndarray
    Rmin: np.ndarray
    Dmax: np.ndarray  # running max of D
    dEU: np.ndarray
    r: float


def _placement_masses(pi: np.ndarray, order: list[list[int]], n: int) -> tuple[np.ndarray, ...]:
    """Y (max slots) and Z (non-max slots) for both placements, for every c and q ≤ m (docs §7.3 step 1)."""
    V = pi.shape[0]
    shape = (n, V, V)
    Ylo, Zlo, Yhi, Zhi = (np.zeros(shape) for _ in range(4))
    for q in range(V):
        srt = [pi[q, p] for p in order[q]]
        total = sum(srt)
        for c in range(n):
            for same in (True, False):  # q = m, or q < m
                k = n - 1 - c if same else n - c  # non-query max slots
                if not 0 <= k <= n - 1:
                    continue
                lo, hi = sum(srt[:k]), sum(srt[n - 1 - k :])
                extra_y, extra_z = (pi[q, n - 1], 0.0) if same else (0.0, pi[q, n - 1])
                cols = [q] if same else list(range(q + 1, V))
                Ylo[c, q, cols] = lo + extra_y
                Zlo[c, q, cols] = total - lo + extra_z
                Yhi[c, q, cols] = hi + extra_y
                Zhi[c, q, cols] = total - hi + extra_z
    return Ylo, Zlo, Yhi, Zhi


def _bounds_for_gap(F: _Float, g: int, c: int, v: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(B upper bound [q, m], valid mask [q, m], a_lo [q, m]) at gap g for this c; v = avg[m] or None to use
    the mean over q of a_lo (the paper's per-gap average)."""
    V = F.A.shape[0]
    n = F.Ylo.shape[0]
    q_idx, m_idx = np.meshgrid(np.arange(V), np.arange(V), indexing="ij")
    M = m_idx - g
    if c == 0:
        valid = q_idx == m_idx
        a_lo = a_hi = np.ones((V, V))
        W = np.zeros(V)
    else:
        valid = (M >= 0) & ((q_idx == m_idx) & (c <= n - 1) | (q_idx < m_idx) & (q_idx <= M))
        Mc = np.clip(M, 0, V - 1)
        pmax = np.maximum.accumulate(F.A, axis=1)[q_idx, Mc]
        pmin = np.minimum.accumulate(F.A, axis=1)[q_idx, Mc]
        Am = F.A[q_idx, m_idx]
        d_lo = Am - pmax - F.eps[:, None]
        d_hi = Am - pmin + F.eps[:, None]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            k_lo, k_hi = np.exp(-d_lo * F.r), np.exp(-d_hi * F.r)
            a_lo = F.Ylo[c] / (F.Ylo[c] + k_lo * F.Zlo[c])
            a_hi = F.Yhi[c] / (F.Yhi[c] + k_hi * F.Zhi[c])
        W = F.Dmax[np.clip(np.arange(V) - g, 0, V - 1)]
    if v is None:
        cnt = valid.sum(axis=0)
        v = np.where(cnt > 0, np.where(valid, a_lo, 0).sum(axis=0) / np.maximum(cnt, 1), 0.0)
    off = ~np.eye(V, dtype=bool)
    h = np.where(off, F.L + v[:, None] * F.R, -np.inf).max(axis=1)  # [m]

    def bound(a: np.ndarray) -> np.ndarray:  # docs §7.3 step 2, at one end of the attention interval
        side = np.where(a >= v[None, :], F.Rmax[None, :], F.Rmin[None, :])
        return h[None, :] + (a - v[None, :]) * side + (1 - a) * W[None, :] + F.dEU[:, None]

    with np.errstate(invalid="ignore"):
        B = np.maximum(bound(a_lo), bound(a_hi))
    return np.where(valid, B, np.inf), valid, a_lo


def _search(F: _Float, n: int, avg: np.ndarray | None, tol: float) -> np.ndarray:
    """Smallest working gap per (c, q, m) (0 where none works). avg [m, c] fixed, or None: per-gap mean."""
    V = F.A.shape[0]
    best = np.zeros((n, V, V), dtype=np.int64)
    for c in range(n):
        for g in range(1, V if c else 2):
            v = None if avg is None else avg[:, c]
            B, valid, _ = _bounds_for_gap(F, g, c, v)
            ok = valid & (B < -tol) & (best[c] == 0)
            best[c][ok] = g
    return best


def _averages(F: _Float, gaps: np.ndarray, n: int) -> np.ndarray:
    """avg[m, c]: mean over q of a_lo at the chosen gaps (the paper's mean+diff average)."""
    V = F.A.shape[0]
    avg = np.zeros((V, n))
    for c in range(n):
        num, cnt = np.zeros(V), np.zeros(V)
        for g in np.unique(gaps[c][gaps[c] > 0]):
            _, valid, a_lo = _bounds_for_gap(F, int(g), c, np.zeros(V))
            sel = valid & (gaps[c] == g)
            num += np.where(sel, a_lo, 0).sum(axis=0)
            cnt += sel.sum(axis=0)
        avg[:, c] = np.where(cnt > 0, num / np.maximum(cnt, 1), 1.0 if c == 0 else 0.0)
    return avg


# ------------------------------------------------------------------------------------ exact re-check + proof
def _frac(m: int, e: int) -> Fraction:
    return Fraction(m * (1 << e)) if e >= 0 else Fraction(m, 1 << -e)


def _fracs(d: Dyadic) -> np.ndarray:
    out = np.empty(d.mant.shape, dtype=object)
    out.reshape(-1)[:] = [_frac(int(x), d.exp) for x in d.mant.reshape(-1)]
    return out


class _Exact:
    """Exact evaluation of the case rule (docs §7.3) for chosen cases, with mpmath exp enclosures."""

    def __init__(self, qk: QKBound, out: OutputSide, eqkp_err: Dyadic, order: list[list[int]], n: int, d_head: int) -> None:
        self.n, self.order = n, order
        self.r = inv_sqrt_claim(d_head)
        e0 = min(qk.approx.exp, qk.eps.exp)
        self.e0 = e0
        self.A = qk.approx.rescaled(e0)
        self.eps = qk.eps.rescaled(e0)
        self.pmax = np.maximum.accumulate(self.A, axis=1)
        self.pmin = np.minimum.accumulate(self.A, axis=1)
        lo, hi, e = exp_claims(eqkp_err, self.r)
        self.pi_lo = np.vectorize(_frac, otypes=[object])(lo, e)
        self.pi_hi = np.vectorize(_frac, otypes=[object])(hi, e)
        self.L, self.R = _fracs(out.L), _fracs(out.R)
        V = self.L.shape[0]
        off = ~np.eye(V, dtype=bool)
        self.Rmax = [max(self.R[m][off[m]]) for m in range(V)]
        self.Rmin = [min(self.R[m][off[m]]) for m in range(V)]
        D = _fracs(out.D)
        self.Dmax = [max(D[: t + 1]) for t in range(V)]
        self.dEU = _fracs(out.dEU)

    def gaps(self, cells: list[tuple[int, int, int, int]]) -> tuple[list[Fraction], list[Fraction]]:
        """κ_hi = exp(−Δ_lo/√d) upper and κ_lo = exp(−Δ_hi/√d) lower ends, per cell (batched mpmath)."""
        neg = np.empty((2, max(1, len(cells))), dtype=object)
        neg[:] = 0
        for i, (q, m, c, g) in enumerate(cells):
            if c:
                neg[0, i] = -(self.A[q, m] - self.pmax[q, m - g] - self.eps[q])
                neg[1, i] = -(self.A[q, m] - self.pmin[q, m - g] + self.eps[q])
        lo, hi, e = exp_claims(Dyadic(neg, self.e0), self.r)
        k_hi = [_frac(int(hi[0, i]), int(e[0, i])) for i in range(len(cells))]
        k_lo = [_frac(int(lo[1, i]), int(e[1, i])) for i in range(len(cells))]
        return k_hi, k_lo

    def holds(self, cell: tuple[int, int, int, int], k_hi: Fraction, k_lo: Fraction, v: Fraction, h: Fraction) -> bool:
        q, m, c, g = cell
        n = self.n
        if c == 0:
            a_lo = a_hi = Fraction(1)
            W = Fraction(0)
        else:
            k = n - 1 - c if q == m else n - c
            srt = self.order[q]
            low, high = srt[:k], srt[n - 1 - k :]
            rest_low = [p for p in srt if p not in low] + ([] if q == m else [n - 1])
            rest_high = [p for p in srt if p not in high] + ([] if q == m else [n - 1])
            low, high = low + ([n - 1] if q == m else []), high + ([n - 1] if q == m else [])
            Y = sum((self.pi_lo[q, p] for p in low), Fraction(0))
            Z = sum((self.pi_hi[q, p] for p in rest_low), Fraction(0))
            a_lo = Y / (Y + k_hi * Z)
            Y = sum((self.pi_hi[q, p] for p in high), Fraction(0))
            Z = sum((self.pi_lo[q, p] for p in rest_high), Fraction(0))
            a_hi = Y / (Y + k_lo * Z)
            W = self.Dmax[m - g]
        for a in (a_lo, a_hi):
            side = self.Rmax[m] if a >= v else self.Rmin[m]
            if not h + (a - v) * side + (1 - a) * W + self.dEU[q] < 0:
                return False
        return True

    def h(self, m: int, v: Fraction) -> Fraction:
        return max(self.L[m, j] + v * self.R[m, j] for j in range(self.L.shape[0]) if j != m)


def _vec_json(d: Dyadic) -> dict[str, Any]:
    return {"exp": int(d.exp), "mant": [int(x) for x in d.mant.reshape(-1)]}


def _mat_json(d: Dyadic) -> dict[str, Any]:
    return {"exp": int(d.exp), "rows": [[int(x) for x in row] for row in d.mant]}


def subcubic_proof(w: ExactWeights, variant: Variant, paper_compatible: bool = False, tol: float = 1e-7) -> SubcubicProof:
    """Search gaps in float64, re-check every chosen case exactly, and assemble the certificate's claims."""
    start = time.perf_counter()
    eupu, attention, qk = variant.names
    cfg = w.cfg
    V, n = cfg.d_vocab, cfg.n_ctx
    E, P = weight(w.tensors["W_E"]), weight(w.tensors["W_pos"])
    Q, K = weight(w.tensors["W_Q"], head=True), weight(w.tensors["W_K"], head=True)
    kappa = _mean_rows(P)
    Eq = E + Dyadic(P.mant[n - 1 : n], P.exp)
    Ek = E + kappa.row()
    mats = exact_matrices(w)
    eqkp_err = Eq @ Q @ K.T @ (P - kappa.row()).T
    qkb = qk_bound(qk, Eq, Ek, Q, K)
    out = output_side(eupu, w, Eq, mats.EVOU, mats.PVOU)
    order = [sorted(range(n - 1), key=lambda p, q=q: (int(eqkp_err.mant[q, p]), p)) for q in range(V)]

    r = 1 / math.sqrt(cfg.d_head)
    pi = np.exp(eqkp_err.to_float64() * r)
    R = out.R.to_float64()
    off = ~np.eye(V, dtype=bool)
    F = _Float(
        qkb.approx.to_float64(),
        qkb.eps.to_float64(),
        *_placement_masses(pi, order, n),
        out.L.to_float64(),
        R,
        np.where(off, R, -np.inf).max(axis=1),
        np.where(off, R, np.inf).min(axis=1),
        np.maximum.accumulate(out.D.to_float64()),
        out.dEU.to_float64(),
        r,
    )
    use_avg = attention == "mean_query+diff"
    if use_avg:
        gaps = _search(F, n, None, tol)
        avg_f = _averages(F, gaps, n)
        avg = [[Dyadic.from_float(np.array([x]), bits=30) for x in row] for row in avg_f]
        gaps = _search(F, n, np.array([[float(a.to_float64()[0]) for a in row] for row in avg]), tol)
    else:
        avg = [[Dyadic(np.array([0], dtype=object), 0) for _ in range(n)] for _ in range(V)]
        gaps = _search(F, n, np.zeros((V, n)), tol)

    cells = [(q, m, c, int(gaps[c, q, m])) for m in range(V) for q in range(m + 1) for c in range(n) if gaps[c, q, m]]
    ex = _Exact(qkb, out, eqkp_err, order, n, cfg.d_head)
    k_hi, k_lo = ex.gaps(cells)
    h_cache: dict[tuple[int, int], Fraction] = {}
    kept, dropped, correct = [], 0, 0
    for cell, kh, kl in zip(cells, k_hi, k_lo):
        q, m, c, g = cell
        v = _frac(int(avg[m][c].mant[0]), avg[m][c].exp)
        if (m, c) not in h_cache:
            h_cache[(m, c)] = ex.h(m, v)
        if not ex.holds(cell, kh, kl, v, h_cache[(m, c)]):
            dropped += 1
            continue
        kept.append([q, m, c, g if c else 1])
        cc = c if q == m else c - 1
        allowed = m - g if paper_compatible else m - g + 1
        correct += math.comb(n - 1, cc) * allowed**cc if cc else 1

    params = {
        "variant": ";".join(variant.names),
        "eupu": eupu,
        "attention": attention,
        "qk": qk,
        "count": "paper" if paper_compatible else "fixed",
    }
    lo, hi, e = ex.r
    claims = {
        "inv_sqrt_d_head": {"rule": "inv-sqrt", "lo": lo, "hi": hi, "exp": e},
        "choices": {
            "rule": "choices",
            "key_pos_centre": _vec_json(kappa),
            "eupu_mu": None if out.mu is None else _vec_json(out.mu),
            "peels": [None if p is None else {"x": _mat_json(p[0]), "y": _mat_json(p[1])} for p in qkb.peels],
            "centres": [None if c is None else _vec_json(c) for c in qkb.centres],
            "spectral_eps": None if qkb.spectral_eps is None else list(qkb.spectral_eps),
            "avg": [[[int(a.mant[0]), int(a.exp)] for a in row] for row in avg],
        },
        "cases": {"rule": "subcubic-case", "entries": kept},
    }
    return SubcubicProof(variant, params, claims, correct, V**n, time.perf_counter() - start, dropped)
