"""The input rule (docs/certificate.md §8) on the producer side: decide many inputs at once, soundly.

The checker decides an input exactly, with its own exp enclosures (`exp_bounds`, relative width < 2^-80). We
decide in vectorized float64 on intervals that contain the checker's:
  * the weights w_p ∈ tok·pos, with tok and pos the claimed exp enclosures (mpmath, intervals.exp_claims, which
    enclose the true exp) rounded outward to float64 and then widened by a relative 2^-50 (≫ 2^-80), so they
    contain the checker's own enclosures;
  * the exact matrices floored and ceiled to integers of one common unit, below 2^48, so that the sums forming
    E*, V*, U and N_{p,j} (at most six terms) are exact in float64; every product and sum involving a weight
    is rounded outward (intervals.py).
Every checker quantity (up_j, lo_j) is monotone in those intervals, so our up_j < 0 for all j ≠ m implies the
checker's ("right"), and our lo_j ≥ 0 implies the checker's ("wrong", witness j). The two cannot both hold.
An input the floats cannot decide is settled with exact integers on intervals widened by 2^-79 (still containing
the checker's); what is still open then (a tie within 2^-79) is neither right nor wrong: it is simply not listed.

API: decide_inputs(w, indices) and decide_tokens(w, [B, n] tokens) → (right, witness). Per-weights quantities are
cached by the weights' SHA-256 (`context`) and shared with the cubic strategy.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ....errors import InputError
from ....exact import Dyadic, ExactMatrices, exact_matrices
from ....intervals import (
    add_down,
    add_up,
    div_down,
    div_up,
    enclose_array,
    exp_claims,
    inv_sqrt_claim,
    mul_down,
    mul_up,
)
from ....weights import ExactWeights
from ..bruteforce import input_tokens

Claim3 = tuple[np.ndarray, np.ndarray, np.ndarray]  # claimed (lo, hi, exp), numpy object arrays of ints
Pair = tuple[np.ndarray, np.ndarray]  # float64 (lo, hi)

UNIT_BITS = 48  # matrix entries in fixed point below 2^48 units (exact float arithmetic on a few of them)
WIDEN_FLOAT = 2.0**-50  # relative widening of the float intervals (docs: the checker is within 2^-80)
WIDEN_EXACT_BITS = 79  # relative widening 2^-79 for the exact settlement
WEIGHT_RANGE = 2.0**300  # exp(score/√d) must lie within [1/this, this] (honest: e^±128), so that products of
# weights, sums and differences of U stay far from float64 underflow and overflow
CHUNK = 1 << 18  # inputs per vectorized chunk
FULL_ELEMS = 1 << 20  # inputs·n·V elements per chunk of the per-logit test


@dataclass
class InputContext:
    """Everything about one model that deciding inputs (and the cubic proof) needs, computed once."""

    V: int
    n: int
    mats: ExactMatrices
    r: tuple[int, int, int]  # the inv_sqrt_d_head claim
    tok: Claim3  # the claimed exp_eqke enclosures [q, t]
    pos: Claim3  # the claimed exp_eqkp enclosures [q, p]
    tok_lo: Pair  # float enclosure of the claimed lower ends: floor and ceiling
    tok_hi: Pair  # ... of the claimed upper ends
    pos_lo: Pair
    pos_hi: Pair
    tok_w: Pair  # (lo, hi) containing the checker's own exp_bounds interval (widened)
    pos_w: Pair
    EU: Pair  # EUPU, EVOU, PVOU floored and ceiled to integer units of 2^unit (floats holding integers)
    EV: Pair
    PV: Pair
    unit: int
    E_star: Pair  # bounds of E*[q, m] in the same units
    V_star: Pair  # bounds of V*[m, t] in the same units
    _memo: dict = field(default_factory=dict, repr=False)

    def exact_ints(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """EUPU, EVOU, PVOU as Python-int arrays at one common exponent (only signs and order matter)."""
        if "ints" not in self._memo:
            ds = (self.mats.EUPU, self.mats.EVOU, self.mats.PVOU)
            e = min(d.exp for d in ds)
            self._memo["ints"] = tuple(d.rescaled(e) for d in ds)
        return self._memo["ints"]


_CACHE: OrderedDict[str, InputContext] = OrderedDict()
_CACHE_SIZE = 2


def context(w: ExactWeights) -> InputContext:
    """The cached InputContext of `w` (by payload SHA-256)."""
    key = w.sha256
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    ctx = _build_context(w)
    _CACHE[key] = ctx
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return ctx


def _build_context(w: ExactWeights) -> InputContext:
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    mats = exact_matrices(w)
    r = inv_sqrt_claim(w.cfg.d_head)
    tok, pos = exp_claims(mats.EQKE, r), exp_claims(mats.EQKP, r)
    tok_lo, tok_hi = enclose_array(tok[0], tok[2]), enclose_array(tok[1], tok[2])
    pos_lo, pos_hi = enclose_array(pos[0], pos[2]), enclose_array(pos[1], pos[2])
    for name, lo, hi in (("EQKE", tok_lo[0], tok_hi[1]), ("EQKP", pos_lo[0], pos_hi[1])):
        if not (np.all(lo >= WEIGHT_RANGE**-1) and np.all(hi <= WEIGHT_RANGE)):
            raise InputError(None, "weights", f"exp({name}/√d_head) leaves [2^-300, 2^300]: scores too large for this producer")
    unit = max(_top_bit(d) for d in (mats.EUPU, mats.EVOU, mats.PVOU)) - UNIT_BITS
    EU, EV, PV = (_fixed(d, unit) for d in (mats.EUPU, mats.EVOU, mats.PVOU))
    return InputContext(
        V=V, n=n, mats=mats, r=r, tok=tok, pos=pos,
        tok_lo=tok_lo, tok_hi=tok_hi, pos_lo=pos_lo, pos_hi=pos_hi,
        tok_w=_widen(tok_lo[0], tok_hi[1]), pos_w=_widen(pos_lo[0], pos_hi[1]),
        EU=EU, EV=EV, PV=PV, unit=unit,
        E_star=_e_star(EU), V_star=_v_star(EV, PV),
    )  # fmt: skip


def _top_bit(d: Dyadic) -> int:
    """An exponent b with every |entry| < 2^b."""
    return max(abs(int(x)).bit_length() for x in d.mant.reshape(-1)) + d.exp


def _fixed(d: Dyadic, unit: int) -> Pair:
    """(⌊entry/2^unit⌋, ⌈entry/2^unit⌉) as floats: integers below 2^UNIT_BITS, so float sums of a few of them
    (E*, V*, U, N_{p,j}: at most 6 terms, < 2^52) are exact and need no rounding."""
    k = unit - d.exp
    flat = [int(x) for x in d.mant.reshape(-1)]
    if k <= 0:
        lo = hi = [x << -k for x in flat]
    else:
        lo, hi = [x >> k for x in flat], [-((-x) >> k) for x in flat]
    return (np.array(lo, dtype=np.float64).reshape(d.mant.shape), np.array(hi, dtype=np.float64).reshape(d.mant.shape))


def _widen(lo: np.ndarray, hi: np.ndarray) -> Pair:
    return mul_down(lo, 1 - WIDEN_FLOAT), mul_up(hi, 1 + WIDEN_FLOAT)


def _max_except_diag(X: np.ndarray) -> np.ndarray:
    """out[q, m] = max_{j ≠ m} X[q, j] (top-two per row)."""
    V = X.shape[1]
    top = np.argmax(X, axis=1)
    first = X[np.arange(X.shape[0]), top]
    masked = X.copy()
    masked[np.arange(X.shape[0]), top] = -np.inf
    second = masked.max(axis=1)
    out = np.repeat(first[:, None], V, axis=1)
    out[np.arange(X.shape[0]), top] = second
    return out


def _argmax_except_diag(X: np.ndarray) -> np.ndarray:
    """out[q, m] = argmax_{j ≠ m} X[q, j]."""
    rows = np.arange(X.shape[0])
    top = np.argmax(X, axis=1)
    masked = X.copy()
    masked[rows, top] = -np.inf
    out = np.repeat(top[:, None], X.shape[1], axis=1)
    out[rows, top] = np.argmax(masked, axis=1)
    return out


def _e_star(EU: Pair) -> Pair:
    """E*[q,m] = max_{j≠m} EUPU[q,j] − EUPU[q,m] (exact on the fixed-point bounds)."""
    lo, hi = EU
    return _max_except_diag(lo) - hi, _max_except_diag(hi) - lo


def _p_star(PV: Pair) -> Pair:
    """P*[m, j] = max_p PVOU[p, j] − PVOU[p, m]."""
    lo, hi = PV
    return (lo[:, None, :] - hi[:, :, None]).max(axis=0), (hi[:, None, :] - lo[:, :, None]).max(axis=0)


def _v_star(EV: Pair, PV: Pair) -> Pair:
    """V*[m, t] = max_{j≠m} (EVOU[t,j] + P*[m,j]) − EVOU[t,m], one m at a time (V² memory)."""
    return _v_star_argmax(EV, PV)[:2]


def _v_star_argmax(EV: Pair, PV: Pair) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(V* lower bounds, V* upper bounds, the j attaining the upper bound) [m, t]."""
    (ev_lo, ev_hi), (p_lo, p_hi) = EV, _p_star(PV)
    V = ev_lo.shape[0]
    out_lo, out_hi, arg = np.empty((V, V)), np.empty((V, V)), np.empty((V, V), dtype=np.int64)
    for m in range(V):
        x_lo, x_hi = ev_lo + p_lo[m][None, :], ev_hi + p_hi[m][None, :]  # [t, j]
        x_lo[:, m] = x_hi[:, m] = -np.inf
        arg[m] = x_hi.argmax(axis=1)
        out_lo[m] = x_lo.max(axis=1) - ev_hi[:, m]
        out_hi[m] = x_hi[np.arange(V), arg[m]] - ev_lo[:, m]
    return out_lo, out_hi, arg


# ----------------------------------------------------------------------------------------------- public API
def decide_inputs(w: ExactWeights, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decide inputs given by index x = Σ_p t_p·V^p (position 0 least significant) by the rule of docs §8.

    Returns (right, witness): right[i] is True when the checker will find input i right; witness[i] is a logit
    j ≠ max with lo_j ≥ 0 (the one with the largest lower bound) when it will find it wrong, else −1. An input
    with right False and witness −1 is undecided (an exact tie within 2^-79).
    """
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    inputs = np.asarray(inputs, dtype=np.int64).reshape(-1)
    if V**n > 2**62:
        raise ValueError(f"input indices need {V}^{n} > 2^62: use decide_tokens")
    if inputs.size and (inputs.min() < 0 or inputs.max() >= V**n):
        raise ValueError(f"input index out of range [0, {V}^{n})")
    ctx = context(w)
    right = np.zeros(inputs.size, dtype=bool)
    witness = np.full(inputs.size, -1, dtype=np.int64)
    for lo in range(0, inputs.size, CHUNK):
        sl = slice(lo, lo + CHUNK)
        right[sl], witness[sl] = _decide(ctx, input_tokens(inputs[sl], V, n))
    return right, witness


def decide_tokens(w: ExactWeights, tokens: np.ndarray, right_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """decide_inputs for a [B, n] token array (any V^n: no index arithmetic). `right_only`: faster when only
    `right` matters; a wrong input's witness is then valid but not necessarily the best."""
    ctx = context(w)
    tokens = np.asarray(tokens, dtype=np.int64)
    if tokens.ndim != 2 or tokens.shape[1] != ctx.n or (tokens.size and (tokens.min() < 0 or tokens.max() >= ctx.V)):
        raise ValueError(f"tokens must be a [B, {ctx.n}] array of values in [0, {ctx.V})")
    right = np.zeros(len(tokens), dtype=bool)
    witness = np.full(len(tokens), -1, dtype=np.int64)
    for lo in range(0, len(tokens), CHUNK):
        sl = slice(lo, lo + CHUNK)
        right[sl], witness[sl] = _decide(ctx, tokens[sl], right_only)
    return right, witness


def _decide(ctx: InputContext, t: np.ndarray, right_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Floats first; the inputs they leave open are settled exactly."""
    right, witness = decide_float(sound_model(ctx), t, right_only)
    for i in np.nonzero(~right & (witness < 0))[0]:
        right[i], witness[i] = settle(ctx, t[i])
    return right, witness


# ------------------------------------------------------------------------------------------ the float pass
@dataclass(frozen=True)
class Arith:
    """Rounded arithmetic on floats: outward (sound) or plain float64 (the unsound comparison)."""

    add_up: Callable
    add_dn: Callable
    mul_up: Callable
    mul_dn: Callable
    div_up: Callable
    div_dn: Callable


SOUND = Arith(add_up, add_down, mul_up, mul_down, div_up, div_down)
PLAIN = Arith(np.add, np.add, np.multiply, np.multiply, np.divide, np.divide)


@dataclass(frozen=True)
class FloatModel:
    """The float data of the input rule: weight intervals and matrix bounds (lo == hi for the plain model)."""

    W: Pair  # w_p bounds tok[q,t]·pos[q,p] as flat arrays indexed (q·V + t)·n + p
    pos: Pair  # pos[q, p]: the weights when all tokens are equal (tok = [1, 1])
    EU: Pair
    EV: Pair
    PV: Pair
    E_star_hi: np.ndarray
    V_star_hi: np.ndarray
    ar: Arith
    cand_E: np.ndarray  # [q, m]: the j ≠ m with the largest EUPU[q, j] (a likely wrong logit)
    cand_V: np.ndarray  # [m, t]: the j attaining V*[m, t]

    @staticmethod
    def build(tok: Pair, pos: Pair, EU: Pair, EV: Pair, PV: Pair, ar: Arith) -> "FloatModel":
        W = (
            ar.mul_dn(tok[0][:, :, None], pos[0][:, None, :]).reshape(-1),
            ar.mul_up(tok[1][:, :, None], pos[1][:, None, :]).reshape(-1),
        )
        _, V_hi, cand_V = _v_star_argmax(EV, PV)
        return FloatModel(W, pos, EU, EV, PV, _e_star(EU)[1], V_hi, ar, _argmax_except_diag(EU[1]), cand_V)


def sound_model(ctx: InputContext) -> FloatModel:
    if "sound_model" not in ctx._memo:
        ctx._memo["sound_model"] = FloatModel.build(ctx.tok_w, ctx.pos_w, ctx.EU, ctx.EV, ctx.PV, SOUND)
    return ctx._memo["sound_model"]


def plain_exp(ctx: InputContext, d_head: int) -> Pair:
    """np.exp of the scores (no enclosure): tok [q, t], pos [q, p]."""
    s = 1 / math.sqrt(d_head)
    return np.exp(ctx.mats.EQKE.to_float64() * s), np.exp(ctx.mats.EQKP.to_float64() * s)


def plain_model(ctx: InputContext, d_head: int) -> FloatModel:
    """np.exp weights and nearest-float matrices, no rounding control: what unsound float code would use."""
    tok, pos = plain_exp(ctx, d_head)
    EU, EV, PV = ((x, x) for x in (m.to_float64() for m in (ctx.mats.EUPU, ctx.mats.EVOU, ctx.mats.PVOU)))
    return FloatModel.build((tok, tok), (pos, pos), EU, EV, PV, PLAIN)


def decide_float(fm: FloatModel, t: np.ndarray, right_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(right, witness) of [B, n] tokens from float bounds alone; neither for inputs the floats cannot decide.
    `right_only`: a wrong input may get any valid witness (not the best), which lets a few likely logits settle
    most wrong inputs before the test of every logit."""
    B, n = t.shape
    ar = fm.ar
    q, m = t[:, -1], np.maximum.reduce(list(t.T))
    wl, wh = _weights(fm, t, q)
    # The cheap test of docs §8: Σ_p f_p(U[q, m, t_p]) < 0 implies up_j < 0 for every j.
    u = fm.E_star_hi[q, m][:, None] + fm.V_star_hi[m[:, None], t]  # [B, n], ≥ U (exact float sum)
    right = _sum(ar.mul_up(u, np.where(u >= 0, wh, wl)), ar.add_up) < 0
    witness = np.full(B, -1, dtype=np.int64)
    rest = np.nonzero(~right)[0]
    if right_only and len(rest):
        r = rest
        js = np.stack([fm.cand_E[q[r], m[r]], fm.cand_V[m[r], m[r]], fm.cand_V[m[r], q[r]]], axis=1)  # [R, 3]
        lo = _bound(fm, t[r], q[r], m[r], wl[r], wh[r], upper=False, js=js)
        best = np.argmax(lo, axis=1)
        found = lo[np.arange(len(r)), best] >= 0
        witness[r[found]] = js[np.arange(len(r)), best][found]
        rest = r[~found]
    V = fm.EU[0].shape[1]
    step = max(1, FULL_ELEMS // (n * V))
    for lo_i in range(0, len(rest), step):
        idx = rest[lo_i : lo_i + step]
        right[idx], witness[idx] = _per_logit(fm, t[idx], q[idx], m[idx], wl[idx], wh[idx])
    return right, witness


def _weights(fm: FloatModel, t: np.ndarray, q: np.ndarray) -> Pair:
    """w_p intervals [B, n]; tok is [1, 1] when all tokens are equal (docs §8)."""
    B, n = t.shape
    V = fm.pos[0].shape[0]
    idx = ((q[:, None] * V + t) * n + np.arange(n)[None, :]).reshape(-1)
    wl, wh = (x.take(idx).reshape(B, n) for x in fm.W)
    same = np.nonzero(np.logical_and.reduce([x == t[:, 0] for x in t.T]))[0]
    if len(same):
        wl[same], wh[same] = fm.pos[0][q[same]], fm.pos[1][q[same]]
    return wl, wh


def _sum(x: np.ndarray, add: Callable) -> np.ndarray:
    """Σ over axis 1 (positions) with the given (rounded) addition, left to right."""
    total = x[:, 0]
    for p in range(1, x.shape[1]):
        total = add(total, x[:, p])
    return total


def _per_logit(fm: FloatModel, t, q, m, wl, wh) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """The full rule: up_j < 0 for every j ≠ m (right); for the others lo_j, and the j with the largest (wrong
    when ≥ 0)."""
    rows = np.arange(len(t))
    up = _bound(fm, t, q, m, wl, wh, upper=True)
    up[rows, m] = -np.inf
    right = (up < 0).all(axis=1)
    witness = np.full(len(t), -1, dtype=np.int64)
    rest = np.nonzero(~right)[0]
    if len(rest):
        lo = _bound(fm, t[rest], q[rest], m[rest], wl[rest], wh[rest], upper=False)
        lo[np.arange(len(rest)), m[rest]] = -np.inf
        best = np.argmax(lo, axis=1)
        witness[rest] = np.where(lo[np.arange(len(rest)), best] >= 0, best, -1)
    return right, witness


def _bound(fm: FloatModel, t, q, m, wl, wh, upper: bool, js: np.ndarray | None = None) -> np.ndarray:  # noqa: ANN001
    """up_j (upper=True) or lo_j for every logit j ([B, V]), or for the logits js ([B, k]). N_{p,j}'s bounds are
    exact float sums of the fixed-point matrix bounds."""
    i, o = (1, 0) if upper else (0, 1)  # which end of each matrix: N's upper bound uses hi − lo
    EU, EV, PV = fm.EU, fm.EV, fm.PV
    n = t.shape[1]
    if js is None:
        N = (EU[i][q] - EU[o][q, m][:, None])[:, None, :]  # [B, 1, j]
        N = N + (EV[i][t] - EV[o][t, m[:, None]][:, :, None])  # [B, p, j]
        N = N + (PV[i][None] - PV[o][:, m].T[:, :, None])
    else:
        N = (EU[i][q[:, None], js] - EU[o][q, m][:, None])[:, None, :]  # [B, 1, k]
        N = N + (EV[i][t[:, :, None], js[:, None, :]] - EV[o][t, m[:, None]][:, :, None])
        N = N + (PV[i][np.arange(n)[None, :, None], js[:, None, :]] - PV[o][:, m].T[:, :, None])
    w_same, w_other = (wh, wl) if upper else (wl, wh)  # weight end when N ≥ 0 / N < 0
    w = np.where(N >= 0, w_same[:, :, None], w_other[:, :, None])
    if upper:
        return _sum(fm.ar.mul_up(N, w), fm.ar.add_up)
    return _sum(fm.ar.mul_dn(N, w), fm.ar.add_dn)


# --------------------------------------------------------------------------------------- exact settlement
def settle(ctx: InputContext, tokens: np.ndarray) -> tuple[bool, int]:
    """Decide one input with exact integers on weight intervals widened by 2^-79 (they contain the checker's):
    (True, −1) right, (False, j) wrong with witness j, (False, −1) undecided."""
    EU, EV, PV = ctx.exact_ints()
    t = [int(x) for x in tokens]
    q, m = t[-1], max(t)
    same = all(x == t[0] for x in t)
    k = WIDEN_EXACT_BITS
    wl, wh = [], []  # dyadics (mantissa, exponent)
    for p, tp in enumerate(t):
        pl, ph, pe = int(ctx.pos[0][q, p]), int(ctx.pos[1][q, p]), int(ctx.pos[2][q, p])
        if same:
            tl, th, te = 1, 1, 0
        else:
            tl, th, te = int(ctx.tok[0][q, tp]), int(ctx.tok[1][q, tp]), int(ctx.tok[2][q, tp])
        wl.append((tl * pl * ((1 << k) - 1), te + pe - k))
        wh.append((th * ph * ((1 << k) + 1), te + pe - k))
    e0 = min(e for _, e in wl + wh)
    wl_i = [x << (e - e0) for x, e in wl]
    wh_i = [x << (e - e0) for x, e in wh]
    right, best_j, best_lo = True, -1, None
    for j in range(ctx.V):
        if j == m:
            continue
        up = lo = 0
        for p, tp in enumerate(t):
            N = int(EU[q, j] - EU[q, m] + EV[tp, j] - EV[tp, m] + PV[p, j] - PV[p, m])
            up += N * (wh_i[p] if N >= 0 else wl_i[p])
            lo += N * (wl_i[p] if N >= 0 else wh_i[p])
        right = right and up < 0
        if best_lo is None or lo > best_lo:
            best_j, best_lo = j, lo
    if right:
        return True, -1
    return False, (best_j if best_lo is not None and best_lo >= 0 else -1)
