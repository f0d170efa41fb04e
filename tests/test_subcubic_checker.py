"""The independent checker of subcubic certificates (docs/certificate.md §7): every rule against brute force.

The oracles here are independent of the checker: chains and row ranges are recomputed with Fractions from
scratch, attention and logits are evaluated literally in mpmath interval arithmetic (tests/reference.py), and
coverage is counted by enumerating inputs. Case entries are produced without the producer: every well-formed
(q, m, c, g) of a tiny model is offered to the checker and the accepted ones are kept.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import random
from collections import Counter
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpmath import iv

import mechproof.tasks.maxk.checker.cubic as cubic_rules
from mechproof import weights as weights_io
from mechproof.checker import ClaimFailure, check
from mechproof.checker.arith import OPS, exp_bounds
from mechproof.checker.matrices import shape
from mechproof.config import ModelConfig
from mechproof.errors import InputError
from mechproof.tasks.maxk.checker import subcubic as sc
from mechproof.tasks.maxk.checker.subcubic import cases as sc_cases
from mechproof.tasks.maxk.checker.subcubic import paths as sc_paths
from mechproof.tasks.maxk.schema import (
    SUBCUBIC_ATTENTION,
    SUBCUBIC_EUPU,
    SUBCUBIC_QK,
    DyVec,
    SubcubicClaims,
    SubcubicParams,
)
from mechproof.weights import ExactTensor, ExactWeights
from reference import literal, small_model, verdicts

QK2 = ("svd", "max_diff", "mean+max_diff", "max_diff_exact")
QK4 = tuple(x for x in SUBCUBIC_QK if "subproduct" in x)
MEAN_EUPU = ("mean_query+max_diff", "svd_query+max_diff")


# ============================================================================ exact brute helpers (Fractions)
def F(m: int, e: int) -> Fraction:
    return Fraction(m) * Fraction(2) ** e


def to_frac(a) -> list[list[Fraction]]:  # noqa: ANN001 - (rows, exp)
    rows, e = a
    return [[F(x, e) for x in r] for r in rows]


def fmul(a: list[list[Fraction]], b: list[list[Fraction]]) -> list[list[Fraction]]:
    return [[sum((a[i][t] * b[t][j] for t in range(len(b))), Fraction(0)) for j in range(len(b[0]))] for i in range(len(a))]


def fsub(a, b):  # noqa: ANN001, ANN201
    return [[x - y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def fT(a):  # noqa: ANN001, ANN201
    return [list(c) for c in zip(*a)]


def fprod(ms):  # noqa: ANN001, ANN201
    out = ms[0]
    for m in ms[1:]:
        out = fmul(out, m)
    return out


def rr(row) -> Fraction:  # noqa: ANN001
    return max(row) - min(row)


def vec_frac(v) -> list[Fraction]:  # noqa: ANN001 - (ints, exp)
    return [F(x, v[1]) for x in v[0]]


# ============================================================================ random chains
def _imat(draw, rows: int, cols: int, lim: int = 6):  # noqa: ANN001, ANN202
    e = draw(st.integers(-3, 1))
    return [[draw(st.integers(-lim, lim)) for _ in range(cols)] for _ in range(rows)], e


@st.composite
def chains(draw, k: int):  # noqa: ANN001, ANN201
    """k factors with random dims, random peels (some None) and one centre per split."""
    dims = [draw(st.integers(2, 5))] + [draw(st.integers(1, 4)) for _ in range(k - 1)] + [draw(st.integers(2, 5))]
    factors = [_imat(draw, dims[i], dims[i + 1]) for i in range(k)]
    pieces = []
    for i in range(k):
        if draw(st.booleans()):
            r = draw(st.integers(1, 2))
            pieces.append((_imat(draw, dims[i], r, 3), _imat(draw, dims[i + 1], r, 3)))
        else:
            pieces.append(None)
    centres = []
    for s in range(1, k):
        e = draw(st.integers(-3, 0))
        centres.append(([draw(st.integers(-6, 6)) for _ in range(dims[s])], e))
    return factors, pieces, centres


def _peeled_frac(factors, pieces):  # noqa: ANN001, ANN202
    out = []
    for f, p in zip(factors, pieces):
        ff = to_frac(f)
        if p is not None:
            ff = fsub(ff, fmul(to_frac(p[0]), fT(to_frac(p[1]))))
        out.append(ff)
    return out


@settings(max_examples=100, deadline=None)
@given(data=st.data(), k=st.sampled_from([2, 4]))
def test_approx_plus_err_is_the_full_product(data, k):
    factors, pieces, _ = data.draw(chains(k))
    Fp = sc.peel(factors, pieces)
    Fp_true = _peeled_frac(factors, pieces)
    assert [to_frac(f) for f in Fp] == Fp_true
    rows, cols = len(factors[0][0]), len(factors[-1][0][0])
    approx = to_frac(sc.approx_matrix(Fp, pieces, rows, cols))
    full = fprod([to_frac(f) for f in factors])
    err = fprod(Fp_true)
    assert [[a + b for a, b in zip(ra, rb)] for ra, rb in zip(approx, err)] == full
    if all(p is None for p in pieces):
        assert all(x == 0 for r in approx for x in r)


def _brute_split_eps(Fp_true, centres):  # noqa: ANN001, ANN202
    """The spec's split formula, recomputed with Fractions: min over s of [rowrange(c·S)] + Σ|P−c|·rowrange(S)."""
    k = len(Fp_true)
    best = None
    for s in range(1, k):
        P, S = fprod(Fp_true[:s]), fprod(Fp_true[s:])
        c = [Fraction(0)] * len(S) if centres is None else vec_frac(centres[s - 1])
        base = Fraction(0) if centres is None else rr([sum((c[t] * S[t][j] for t in range(len(S))), Fraction(0)) for j in range(len(S[0]))])
        eps = [base + sum((abs(P[q][t] - c[t]) * rr(S[t]) for t in range(len(S))), Fraction(0)) for q in range(len(P))]
        best = eps if best is None else [min(a, b) for a, b in zip(best, eps)]
    return best


def _brute_recursive_eps(Fp_true, centres):  # noqa: ANN001, ANN202
    """The spec's recursive formula with Fractions; centres maps a 0-based factor index to its centre."""
    k = len(Fp_true)
    rho = [rr(r) for r in Fp_true[-1]]
    for j in range(k - 2, -1, -1):
        Fj = Fp_true[j]
        if j in centres:
            c = vec_frac(centres[j])
            tail = fprod(Fp_true[j + 1 :])
            base = rr([sum((c[t] * tail[t][i] for t in range(len(tail))), Fraction(0)) for i in range(len(tail[0]))])
        else:
            c, base = [Fraction(0)] * len(Fj[0]), Fraction(0)
        rho = [base + sum((abs(Fj[r][t] - c[t]) * rho[t] for t in range(len(rho))), Fraction(0)) for r in range(len(Fj))]
    return rho


def _choices(centres, spectral=None):  # noqa: ANN001, ANN202
    return SimpleNamespace(centres=[DyVec(exp=c[1], mant=list(c[0])) for c in centres], spectral_eps=spectral)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(data=st.data(), k=st.sampled_from([2, 4]))
def test_every_eps_rule_bounds_the_row_range_of_err(data, k):
    factors, pieces, centres = data.draw(chains(k))
    Fp = sc.peel(factors, pieces)
    Fp_true = _peeled_frac(factors, pieces)
    err = fprod(Fp_true)
    V = len(err)
    true = [rr(r) for r in err]
    ch = _choices(centres)
    rules = [q for q in (QK2 if k == 2 else QK4) if q != "svd"]
    for qk in rules:
        eps = vec_frac(sc.epsilon(qk, Fp, ch, V, None))
        assert all(e >= t for e, t in zip(eps, true)), (qk, eps, true)
        if qk == "max_diff_exact":
            assert eps == true
        elif qk in ("max_diff", "max_diff_subproduct"):
            assert eps == _brute_split_eps(Fp_true, None)
        elif qk in ("mean+max_diff", "mean+max_diff_subproduct"):
            assert eps == _brute_split_eps(Fp_true, centres)
        elif qk == "max_diff_subproduct_recursive":
            assert eps == _brute_recursive_eps(Fp_true, {})
        elif qk == "mean+max_diff_subproduct_recursive":
            assert eps == _brute_recursive_eps(Fp_true, {0: centres[0]})
        else:
            assert eps == _brute_recursive_eps(Fp_true, dict(enumerate(centres)))
    assert sc.epsilon("exact_EQKE+max_diff_exact", [], ch, V, None) == ([0] * V, 0)


def _min_spectral_eps(Fp, V: int) -> tuple[int, int]:
    """The smallest ε = 2^j (j ≥ -40) that the spectral rule accepts."""
    for j in range(-40, 200):
        try:
            sc.eps_svd(Fp, (1, j), V, None)
            return (1, j)
        except ClaimFailure:
            continue
    raise AssertionError("no ε accepted")


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_spectral_rule(data):
    factors, pieces, _ = data.draw(chains(2))
    Fp = sc.peel(factors, pieces)
    err = fprod(_peeled_frac(factors, pieces))
    V = len(err)
    true_max = max(rr(r) for r in err)
    assert vec_frac(sc.eps_svd(Fp, (1, 150), V, None)) == [F(1, 150)] * V  # a large ε is accepted
    nonzero = any(x != 0 for r in err for x in r)
    if nonzero:
        with pytest.raises(ClaimFailure) as ei:
            sc.eps_svd(Fp, (0, 0), V, None)
        assert ei.value.claim_id == "choices.spectral_eps"
    with pytest.raises(ClaimFailure, match="≥ 0"):
        sc.eps_svd(Fp, (-1, 0), V, None)
    # soundness: any accepted ε bounds every row range; and the rule is not vacuous (within 2× of √2·σ₁·d^(1/16))
    m, e = data.draw(st.tuples(st.integers(0, 64), st.integers(-8, 4)))
    try:
        sc.eps_svd(Fp, (m, e), V, None)
        assert F(m, e) >= true_max
    except ClaimFailure:
        pass
    eps = F(*_min_spectral_eps(Fp, V))
    assert eps >= true_max
    sigma1 = np.linalg.svd(np.array([[float(x) for x in r] for r in err]), compute_uv=False)[0]
    d = len(Fp[0][0][0])
    assert eps <= max(Fraction(2) ** -39, Fraction(2 * math.sqrt(2) * sigma1 * d ** (1 / 16) * (1 + 1e-9)))


# ============================================================================ random exact models
def _inv_sqrt(d: int) -> dict:
    lo = math.isqrt((1 << 128) // d)
    return {"rule": "inv-sqrt", "lo": lo, "hi": lo + 1, "exp": -64}


def _random_weights(rng: random.Random, V: int, n: int, dm: int, d: int) -> ExactWeights:
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=dm, d_head=d)
    tensors = {}
    for name, dims in cfg.tensor_shapes().items():
        size = math.prod(dims)
        e = rng.choice([-5, -3, -2]) if name in ("W_Q", "W_K") else -3
        tensors[name] = ExactTensor(dims, e, tuple(rng.randint(-16, 16) for _ in range(size)))
    return ExactWeights(cfg, tensors)


def _rvec(rng: random.Random, length: int, lim: int = 8) -> dict:
    return {"exp": rng.choice([-4, -3, -2]), "mant": [rng.randint(-lim, lim) for _ in range(length)]}


def _rmat(rng: random.Random, rows: int, cols: int) -> dict:
    return {"exp": rng.choice([-3, -2]), "rows": [[rng.randint(-4, 4) for _ in range(cols)] for _ in range(rows)]}


def _factor_dims(cfg: ModelConfig, qk: str) -> list[tuple[int, int]]:
    V, dm, d = cfg.d_vocab, cfg.d_model, cfg.d_head
    if qk in QK2:
        return [(V, d), (d, V)]
    if qk in QK4:
        return [(V, dm), (dm, d), (d, dm), (dm, V)]
    return []


def _params(eupu: str, attention: str, qk: str, count: str = "fixed") -> dict:
    return {"variant": f"{eupu};{attention};{qk}", "eupu": eupu, "attention": attention, "qk": qk, "count": count}


def _random_claims(rng: random.Random, cfg: ModelConfig, eupu: str, attention: str, qk: str) -> dict:
    V, n, dm = cfg.d_vocab, cfg.n_ctx, cfg.d_model
    dims = _factor_dims(cfg, qk)
    peels = []
    for rows, cols in dims:
        r = rng.choice([0, 1, 1, 2])
        peels.append(None if r == 0 else {"x": _rmat(rng, rows, r), "y": _rmat(rng, cols, r)})
    avg = [[[0, 0] if attention.endswith("reasoning") else [rng.randint(-2, 6), -2] for _ in range(n)] for _ in range(V)]
    return {
        "inv_sqrt_d_head": _inv_sqrt(cfg.d_head),
        "choices": {
            "rule": "choices",
            "key_pos_centre": _rvec(rng, dm),
            "eupu_mu": _rvec(rng, dm) if eupu in MEAN_EUPU else None,
            "peels": peels,
            "centres": [_rvec(rng, cols) for _, cols in dims[:-1]],
            "spectral_eps": [1, 150] if qk == "svd" else None,
            "avg": avg,
        },
        "cases": {"rule": "subcubic-case", "entries": []},
    }


def _checker(w: ExactWeights, params: dict, claims: dict) -> sc.SubcubicChecker:
    return sc.SubcubicChecker(w, SubcubicParams.model_validate(params), SubcubicClaims.model_validate(claims))


def _tighten_spectral(w: ExactWeights, params: dict, claims: dict) -> None:
    """Replace the svd rule's ε by the smallest power of two that the rule accepts."""
    if params["qk"] != "svd":
        return
    ch = SubcubicClaims.model_validate(claims).choices
    md = sc.Model(w, sc.choice_vec(ch.key_pos_centre, w.cfg.d_model, "key_pos_centre", None))
    F_ = sc.chain_factors(md, "svd")
    claims["choices"]["spectral_eps"] = list(_min_spectral_eps(sc.peel(F_, sc.peel_pieces(F_, ch, None)), w.cfg.d_vocab))


# ---------------------------------------------------------------------------- the independent oracle (mpmath)
def oracle(w: ExactWeights, prec: int = 300) -> dict[tuple[int, ...], tuple]:
    """For every input: (α = attention on the max-token positions, max_{j≠m}(logit_j − logit_m)), from the
    literal mpmath evaluation of the model in tests/reference.py (no code shared with the checker)."""
    return {tokens: (alpha, max(x.b for x in diffs)) for tokens, alpha, diffs in literal(w, prec)}


def ivq(x: Fraction):  # noqa: ANN201
    return iv.mpf(x.numerator) / iv.mpf(x.denominator)


def case_of(tokens: tuple[int, ...]) -> tuple[int, int, int, int]:
    """(q, m, c, largest non-max token or -1)."""
    m, q = max(tokens), tokens[-1]
    low = [t for t in tokens if t < m]
    return q, m, len(low), max(low, default=-1)


def in_case(tokens: tuple[int, ...], entry: tuple[int, int, int, int]) -> bool:
    """The spec's English definition of the inputs of a case [q, m, c, g]."""
    q, m, c, g = entry
    tq, tm, tc, top = case_of(tokens)
    return (tq, tm, tc) == (q, m, c) and (c == 0 or top <= m - g)


def well_formed_entries(V: int, n: int):  # noqa: ANN201
    for m in range(V):
        for q in range(m + 1):
            for c in range(n):
                if c == 0:
                    if q == m:
                        yield (q, m, 0, 1)
                    continue
                for g in range(1, m + 1):
                    if q == m or q <= m - g:
                        yield (q, m, c, g)


VARIANTS = [(e, a, q) for e in SUBCUBIC_EUPU for a in SUBCUBIC_ATTENTION for q in SUBCUBIC_QK]


def _widened_exp_bounds(x):  # noqa: ANN001, ANN202
    """A valid but 2× looser enclosure, so that using the wrong end of an enclosure shows up as a wrong bound."""
    (lo_m, lo_e), (hi_m, hi_e) = sc_exp_bounds(x)
    return (lo_m, lo_e - 1), (hi_m, hi_e + 1)


sc_exp_bounds = exp_bounds


@contextlib.contextmanager
def _exp_bounds_of_checker(widen: bool):  # noqa: ANN202
    """The subcubic checker's exp enclosures (π in `paths`, attention and output bounds in `cases`), widened or not."""
    fn = _widened_exp_bounds if widen else sc_exp_bounds
    with mock.patch.object(sc_paths, "exp_bounds", fn), mock.patch.object(sc_cases, "exp_bounds", fn):
        yield


def _tight_choices(rng: random.Random, w: ExactWeights, claims: dict) -> None:
    """Choices that make some bounds (nearly) tight: κ = a row of W_pos, μ = a row of Ẽ_q, v = 0 or 1."""
    ch = claims["choices"]
    P = w.tensors["W_pos"]
    dm, n = w.cfg.d_model, w.cfg.n_ctx
    p = rng.randrange(n)
    ch["key_pos_centre"] = {"exp": P.exponent, "mant": list(P.mantissas[p * dm : (p + 1) * dm])}
    if ch["eupu_mu"] is not None:
        E = w.tensors["W_E"]
        t = rng.randrange(w.cfg.d_vocab)
        e = min(E.exponent, P.exponent)
        ch["eupu_mu"] = {
            "exp": e,
            "mant": [
                (E.mantissas[t * dm + i] << (E.exponent - e)) + (P.mantissas[(n - 1) * dm + i] << (P.exponent - e))
                for i in range(dm)
            ],
        }
    if ch["avg"][0][0] != [0, 0]:
        for row in ch["avg"]:
            for i in range(len(row)):
                row[i] = [rng.randint(0, 1), 0]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    variant=st.sampled_from(VARIANTS),
    shape=st.sampled_from([(4, 3, 3, 2), (5, 3, 2, 3), (3, 4, 3, 1), (4, 2, 2, 4)]),
    widen=st.booleans(),
    tight=st.booleans(),
)
@pytest.mark.slow
def test_case_bounds_hold_for_every_input_whatever_the_choices(seed, variant, shape, widen, tight):
    """Soundness of §7.3 itself: for random exact weights and random choices, for every well-formed case and
    every input of it, a_lo ≤ α ≤ a_hi and max_j(logit_j − logit_m) ≤ max(B(a_lo), B(a_hi)), whether or not the
    case is accepted. (A case is accepted iff both B < 0, so accepted cases only contain correct inputs.)
    With `widen`, every exp enclosure is made 2× looser (still valid), which exposes a wrong end used anywhere."""
    rng = random.Random(seed)
    V, n, dm, d = shape
    w = _random_weights(rng, V, n, dm, d)
    params = _params(*variant)
    claims = _random_claims(rng, w.cfg, *variant)
    if tight:
        _tight_choices(rng, w, claims)
    _tighten_spectral(w, params, claims)
    with _exp_bounds_of_checker(widen):
        ck = _checker(w, params, claims)
    truth = oracle(w)
    bounds = {}
    with _exp_bounds_of_checker(widen):
        for entry in well_formed_entries(V, n):
            q, m, c, g = entry
            a_lo, a_hi = ck.attention_bounds(q, m, c, g)
            bounds[entry] = (a_lo, a_hi, max(ck.output_bound(q, m, c, g, a_lo), ck.output_bound(q, m, c, g, a_hi)))
    checked = 0
    old_prec, iv.prec = iv.prec, 300  # compare at the oracle's precision
    try:
        checked = _compare(truth, bounds)
    finally:
        iv.prec = old_prec
    assert checked >= V**n  # every input lies in at least its g = 1 case


def _compare(truth: dict, bounds: dict) -> int:
    checked = 0
    for tokens, (alpha, worst) in truth.items():
        for entry, (a_lo, a_hi, b) in bounds.items():
            if not in_case(tokens, entry):
                continue
            checked += 1
            if entry[2] == 0:
                assert a_lo == a_hi == 1
            else:
                # up to the 300-bit width of the intervals (bounds can be exactly tight, e.g. equal scores)
                assert ivq(a_lo).a <= alpha.b and alpha.a <= ivq(a_hi).b, (tokens, entry, a_lo, alpha, a_hi)
            assert worst <= ivq(b).b, (tokens, entry, worst, b)
    return checked


def _wfrac(w: ExactWeights, name: str) -> list[list[Fraction]]:
    t = w.tensors[name]
    rows, cols = t.shape[-2], t.shape[-1]
    return [[F(t.mantissas[i * cols + j], t.exponent) for j in range(cols)] for i in range(rows)]


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), variant=st.sampled_from(VARIANTS), tight=st.booleans())
def test_recomputed_quantities_match_brute_force(seed, variant, tight):
    """§7.2 recomputed independently with Fractions from the weights: EQKP_err, π ∋ exp(EQKP_err/√d), Approx +
    Err = EQKE_tok with ε_q ≥ rowrange(Err[q]), P*, R_m, R_max, R_min, D, EU, ΔEU, L and h."""
    rng = random.Random(seed)
    V, n, dm, d = rng.choice([(4, 3, 3, 2), (5, 2, 2, 3), (3, 4, 3, 1)])
    w = _random_weights(rng, V, n, dm, d)
    eupu, attention, qk = variant
    params = _params(*variant)
    claims = _random_claims(rng, w.cfg, *variant)
    if tight:
        _tight_choices(rng, w, claims)
    _tighten_spectral(w, params, claims)
    ck = _checker(w, params, claims)
    ch = SubcubicClaims.model_validate(claims).choices
    E, P, Q, K, Vw, O, U = (_wfrac(w, x) for x in ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U"))
    kappa = vec_frac((ch.key_pos_centre.mant, ch.key_pos_centre.exp))
    Eq = [[x + y for x, y in zip(r, P[n - 1])] for r in E]
    Ek = [[x + y for x, y in zip(r, kappa)] for r in E]
    QK = fmul(Q, fT(K))
    # positions
    eqkp = fmul(fmul(Eq, QK), fT([[x - y for x, y in zip(r, kappa)] for r in P]))
    assert to_frac(sc.eqkp_err(sc.Model(w, (ch.key_pos_centre.mant, ch.key_pos_centre.exp)))) == eqkp
    old_prec, iv.prec = iv.prec, 300
    try:
        r = 1 / iv.sqrt(iv.mpf(d))
        for q in range(V):
            for p in range(n):
                lo, hi = ck.pi[q][p]
                true = iv.exp(ivq(eqkp[q][p]) * r)
                assert ivq(F(*lo)).b <= true.a and true.b <= ivq(F(*hi)).a
    finally:
        iv.prec = old_prec
    # QK: Approx + Err = EQKE_tok, ε bounds the row ranges of Err
    eqke_tok = fmul(fmul(Eq, QK), fT(Ek))
    A = to_frac(ck.A)
    if qk == "exact_EQKE+max_diff_exact":
        err = [[Fraction(0)] * V for _ in range(V)]
        assert A == eqke_tok
    else:
        if qk in QK2:
            factors = [fmul(Eq, Q), fT(fmul(Ek, K))]
        else:
            factors = [Eq, Q, fT(K), fT(Ek)]
        for i, pl in enumerate(ch.peels):
            if pl is not None and pl.x.rows and pl.x.rows[0]:
                xy = fmul([[F(v, pl.x.exp) for v in row] for row in pl.x.rows], fT([[F(v, pl.y.exp) for v in row] for row in pl.y.rows]))
                factors[i] = fsub(factors[i], xy)
        err = fprod(factors)
        assert [[a + b for a, b in zip(ra, rb)] for ra, rb in zip(A, err)] == eqke_tok
    eps = vec_frac(ck.eps)
    assert all(eps[q] >= rr(err[q]) for q in range(V))
    # OV and direct path
    OVU = fmul(fmul(Vw, O), U)
    evou, pvou = fmul(E, OVU), fmul(P, OVU)
    ov = ck.ov
    assert [[F(x, ov.e_pv) for x in r] for r in ov.p_star] == [
        [max(pvou[p][j] - pvou[p][m] for p in range(n)) for j in range(V)] for m in range(V)
    ]
    R = [[evou[m][j] - evou[m][m] for j in range(V)] for m in range(V)]
    assert [[F(x, ov.e_ev) for x in r] for r in ov.R] == R
    assert [F(x, ov.e_ev) for x in ov.r_max] == [max(R[m][j] for j in range(V) if j != m) for m in range(V)]
    assert [F(x, ov.e_ev) for x in ov.r_min] == [min(R[m][j] for j in range(V) if j != m) for m in range(V)]
    assert [F(x, ov.e_ev) for x in ov.D] == [rr(r) for r in evou]
    eupu_m = fmul(Eq, U)
    if eupu in MEAN_EUPU:
        mu = vec_frac((ch.eupu_mu.mant, ch.eupu_mu.exp))
        EU = [sum((mu[i] * U[i][j] for i in range(dm)), Fraction(0)) for j in range(V)]
        dEU = [sum((abs(Eq[q][i] - mu[i]) * rr(U[i]) for i in range(dm)), Fraction(0)) for q in range(V)]
    elif eupu == "max_diff":
        EU = [Fraction(0)] * V
        dEU = [sum((abs(Eq[q][i]) * rr(U[i]) for i in range(dm)), Fraction(0)) for q in range(V)]
    else:
        EU = [Fraction(0)] * V
        dEU = [rr(r) for r in eupu_m]
        if eupu == "global_max_diff_exact":
            dEU = [max(dEU)] * V
    assert vec_frac(ck.eu) == EU and vec_frac(ck.d_eu) == dEU
    for q in range(V):  # the EUPU rule's inequality itself
        for m in range(V):
            for j in range(V):
                assert eupu_m[q][j] - eupu_m[q][m] <= EU[j] - EU[m] + dEU[q]
    Lm = [[EU[j] - EU[m] + max(pvou[p][j] - pvou[p][m] for p in range(n)) for j in range(V)] for m in range(V)]
    assert to_frac(ck.L) == Lm
    for m in range(V):
        for c in range(n):
            v = F(*claims["choices"]["avg"][m][c])
            assert F(*ck.h(m, c)) == max(Lm[m][j] + v * R[m][j] for j in range(V) if j != m)


# ============================================================================ coverage
@pytest.mark.parametrize("V,n", [(5, 3), (4, 4), (6, 2)])
def test_coverage_formula_matches_enumeration(V, n):
    inputs = list(itertools.product(range(V), repeat=n))
    for entry in well_formed_entries(V, n):
        q, m, c, g = entry
        direct = sum(in_case(t, entry) for t in inputs)
        assert sc.coverage(n, q, m, c, g, "fixed") == direct, entry
        cp = c if q == m else c - 1
        paper = sc.coverage(n, q, m, c, g, "paper")
        assert paper == (1 if cp == 0 else math.comb(n - 1, cp) * (m - g) ** cp) and paper <= direct
    # the g = 1 cases partition all inputs
    g1 = [e for e in well_formed_entries(V, n) if e[3] == 1]
    assert sum(sc.coverage(n, *e, "fixed") for e in g1) == V**n


def test_well_formedness():
    V, n = 5, 3
    good = set(well_formed_entries(V, n))
    for entry in itertools.product(range(-1, V + 1), range(-1, V + 1), range(-1, n + 1), range(-1, V + 1)):
        try:
            sc.check_well_formed(entry, V, n, set())
            ok = True
        except ClaimFailure as e:
            assert e.claim_id == f"case[{entry[0]},{entry[1]},{entry[2]}]"
            ok = False
        assert ok == (entry in good), entry
    seen: set = set()
    sc.check_well_formed((1, 3, 2, 1), V, n, seen)
    with pytest.raises(ClaimFailure, match="twice"):
        sc.check_well_formed((1, 3, 2, 2), V, n, seen)


# ============================================================================ trained tiny models, end to end
def _f64(w: ExactWeights, name: str) -> np.ndarray:
    t = w.tensors[name]
    return (np.array(t.mantissas, dtype=np.float64) * 2.0**t.exponent).reshape(t.shape[-2:])


def _dy(x, bits: int = 24) -> tuple[list, int]:  # noqa: ANN001
    return np.round(np.asarray(x, dtype=np.float64) * 2**bits).astype(np.int64).tolist(), -bits


def _vec(x) -> dict:  # noqa: ANN001
    m, e = _dy(x)
    return {"exp": e, "mant": m}


def _mat(x) -> dict:  # noqa: ANN001
    m, e = _dy(x)
    return {"exp": e, "rows": m}


def simple_claims(w: ExactWeights, eupu: str, attention: str, qk: str, avg_half: bool = True) -> dict:
    """Plausible choices computed in float64 (they need not be right: the checker verifies everything else):
    κ = mean of W_pos, a rank-1 peel of the first factor along the top left singular vector of EQKE_tok,
    centres = column means of the peeled first factor (zero elsewhere), μ = mean of Ẽ_q, avg = 1/2 or 0."""
    cfg = w.cfg
    V, n, dm, d = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    E, P, Q, K = (_f64(w, x) for x in ("W_E", "W_pos", "W_Q", "W_K"))
    km, ke = _dy(P.mean(0))
    Eq, Ek = E + P[-1], E + np.array(km) * 2.0**ke
    F1, F2 = Eq @ Q, (Ek @ K).T
    u = np.linalg.svd(F1 @ F2)[0][:, :1]
    if qk in QK2:
        peels = [{"x": _mat(u), "y": _mat(F1.T @ u)}, None]
        centres = [_vec((F1 - u @ (u.T @ F1)).mean(0))]
    elif qk in QK4:
        peels = [{"x": _mat(u), "y": _mat(Eq.T @ u)}, None, None, None]
        centres = [_vec((Eq - u @ (u.T @ Eq)).mean(0)), _vec(np.zeros(d)), _vec(np.zeros(dm))]
    else:
        peels, centres = [], []
    half = [1, -1] if avg_half and not attention.endswith("reasoning") else [0, 0]
    return {
        "inv_sqrt_d_head": _inv_sqrt(d),
        "choices": {
            "rule": "choices",
            "key_pos_centre": {"exp": ke, "mant": km},
            "eupu_mu": _vec(Eq.mean(0)) if eupu in MEAN_EUPU else None,
            "peels": peels,
            "centres": centres,
            "spectral_eps": [1, 150] if qk == "svd" else None,
            "avg": [[half for _ in range(n)] for _ in range(V)],
        },
        "cases": {"rule": "subcubic-case", "entries": []},
    }


def accepted_entries(ck: sc.SubcubicChecker) -> list[list[int]]:
    """For every (q, m, c), the smallest g whose case the checker accepts (none if no g works)."""
    best: dict[tuple[int, int, int], int] = {}
    for entry in well_formed_entries(ck.V, ck.n):
        q, m, c, g = entry
        if (q, m, c) in best:
            continue
        try:
            ck.check_entry(entry, set())
        except ClaimFailure:
            continue
        best[(q, m, c)] = g
    return [[q, m, c, g] for (q, m, c), g in sorted(best.items())]


@pytest.fixture(scope="module")
def tiny_models():
    """Two quickly trained noisy tiny models (some inputs wrong) with their literal verdicts."""
    out = []
    for cfg, seed, steps, noise in [
        (ModelConfig(d_vocab=6, n_ctx=3, d_model=8, d_head=4), 3, 1500, 0.2),
        (ModelConfig(d_vocab=5, n_ctx=4, d_model=6, d_head=4), 5, 800, 0.1),
    ]:
        w = small_model(cfg, seed, steps, noise)
        ref = verdicts(w)
        assert any(v is not True for v in ref.values()), "the test model should get some inputs wrong"
        out.append((w, ref))
    return out


def _write(w: ExactWeights, params: dict, claims: dict, correct: int, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_io.save(w, out_dir / "weights.json")
    cfg = w.cfg
    doc = {
        "format": "mechproof-certificate",
        "version": 1,
        "model": {"weights": "weights.json", "sha256": w.sha256},
        "config": cfg.model_dump(),
        "strategy": {"name": "subcubic", "params": params},
        "claims": claims,
        "bound": {"correct": correct, "total": cfg.d_vocab**cfg.n_ctx},
    }
    path = out_dir / "subcubic.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.slow
def test_accepted_cases_contain_only_correct_inputs(tiny_models, tmp_path, monkeypatch):
    """Every variant on two noisy trained models: the accepted cases are disjoint, their coverage is the number of
    inputs they contain, every one of those inputs is classified correctly by the exact model, and the whole
    certificate passes `check` without forming EQKE or EUPU through the cubic path."""

    def forbidden(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the subcubic checker must not form all exact matrices")

    monkeypatch.setattr(cubic_rules, "exact_matrices", forbidden)
    total_cases = 0
    for i, (w, ref) in enumerate(tiny_models):
        V, n = w.cfg.d_vocab, w.cfg.n_ctx
        inputs = list(ref)
        for j, (eupu, attention, qk) in enumerate(VARIANTS):
            for count in ("fixed", "paper"):
                params = _params(eupu, attention, qk, count)
                claims = simple_claims(w, eupu, attention, qk)
                _tighten_spectral(w, params, claims)
                ck = _checker(w, params, claims)
                entries = accepted_entries(ck)
                total_cases += len(entries)
                covered = Counter(t for t in inputs for e in entries if in_case(t, tuple(e)))
                assert all(k == 1 for k in covered.values()), "an input lies in two cases"
                wrong = [t for t in covered if ref[t] is not True]
                assert not wrong, (eupu, attention, qk, wrong[:5])
                cov = sum(ck.check_entry(tuple(e), set()) for e in entries)
                if count == "fixed":
                    assert cov == len(covered)
                else:
                    assert cov <= len(covered)
                if j % 7 == 0 or qk in ("svd", "exact_EQKE+max_diff_exact"):  # end to end through the files
                    claims["cases"]["entries"] = entries
                    path = _write(w, params, claims, cov, tmp_path / f"m{i}_{j}_{count}")
                    res = check(path)
                    assert (res.correct, res.total, res.strategy) == (cov, V**n, "subcubic")
    assert total_cases > 1000  # the test is not vacuous


def test_sign_aware_correction_matters():
    """The paper's (α − v)·R_max for α < v is unsound (docs/paper.md §8.2); the checker uses R_min there.
    Check the output bound directly against the formula on a case where α < v and R_min < R_max."""
    rng = random.Random(7)
    w = _random_weights(rng, 4, 3, 3, 2)
    eupu, attention, qk = "max_diff_exact", "mean_query+diff", "exact_EQKE+max_diff_exact"
    claims = _random_claims(rng, w.cfg, eupu, attention, qk)
    claims["choices"]["avg"] = [[[1, 0]] * 3 for _ in range(4)]  # v = 1 > every α
    ck = _checker(w, _params(eupu, attention, qk), claims)
    q, m, c, g = 3, 3, 1, 1
    a_lo, _ = ck.attention_bounds(q, m, c, g)
    assert a_lo < 1
    ov = ck.ov
    assert ov.r_min[m] < ov.r_max[m]
    b = ck.output_bound(q, m, c, g, a_lo)
    W = F(ck.w_max[m - g], ov.e_ev)
    expect = F(*ck.h(m, c)) + (a_lo - 1) * F(ov.r_min[m], ov.e_ev) + (1 - a_lo) * W + F(ck.d_eu[0][q], ck.d_eu[1])
    assert b == expect


# ============================================================================ tampering and malformed input
@pytest.fixture(scope="module")
def good_cert(tiny_models, tmp_path_factory):
    """A checked subcubic certificate (max_diff_exact; mean_query+diff; max_diff_subproduct) and its parts."""
    w, _ = tiny_models[0]
    eupu, attention, qk = "max_diff_exact", "mean_query+diff", "max_diff_subproduct"
    params = _params(eupu, attention, qk)
    claims = simple_claims(w, eupu, attention, qk)
    ck = _checker(w, params, claims)
    entries = accepted_entries(ck)
    assert any(e[2] >= 1 and e[3] > 1 for e in entries)
    claims["cases"]["entries"] = entries
    cov = sum(ck.check_entry(tuple(e), set()) for e in entries)
    path = _write(w, params, claims, cov, tmp_path_factory.mktemp("sub"))
    assert check(path).correct == cov
    return path


def _edited(good: Path, tmp: Path, fn) -> Path:  # noqa: ANN001
    dst = tmp / "c"
    dst.mkdir()
    (dst / "weights.json").write_text((good.parent / "weights.json").read_text())
    doc = json.loads(good.read_text())
    fn(doc)
    path = dst / good.name
    path.write_text(json.dumps(doc))
    return path


def _first(doc, pred):  # noqa: ANN001, ANN201
    return next(e for e in doc["claims"]["cases"]["entries"] if pred(e))


def _lower_g(doc):  # noqa: ANN001, ANN202
    e = _first(doc, lambda e: e[2] >= 1 and e[3] > 1)
    e[3] -= 1  # the smallest accepted g was chosen, so g − 1 fails


def _set_params(**kw):  # noqa: ANN003, ANN202
    return lambda d: d["strategy"]["params"].update(kw)


TAMPERS = {
    "gap too small": (_lower_g, "case["),
    "count +1": (lambda d: d["bound"].__setitem__("correct", d["bound"]["correct"] + 1), "bound"),
    "count paper": (_set_params(count="paper"), "bound"),
    "duplicate case": (lambda d: d["claims"]["cases"]["entries"].append(d["claims"]["cases"]["entries"][0]), "case["),
    "c=0 with g=2": (lambda d: _first(d, lambda e: e[2] == 0).__setitem__(3, 2), "case["),
    "query above m−g": (lambda d: d["claims"]["cases"]["entries"].append([2, 4, 1, 3]), "case[2,4,1]"),
    "variant mismatch": (_set_params(variant="max_diff;mean_query+diff;svd"), "strategy.params"),
    "drop avg nonzero": (
        lambda d: d["strategy"]["params"].update(
            attention=SUBCUBIC_ATTENTION[1], variant=f"max_diff_exact;{SUBCUBIC_ATTENTION[1]};max_diff_subproduct"
        ),
        "choices.avg[0,0]",
    ),
    "inv_sqrt": (lambda d: d["claims"]["inv_sqrt_d_head"].__setitem__("lo", d["claims"]["inv_sqrt_d_head"]["lo"] + 1), "inv_sqrt_d_head"),
    "svd eps 0": (
        lambda d: (
            d["strategy"]["params"].update(qk="svd", variant="max_diff_exact;mean_query+diff;svd"),
            d["claims"]["choices"].update(peels=[None, None], spectral_eps=[0, 0]),
        ),
        "choices.spectral_eps",
    ),
    "hash": (lambda d: d["model"].__setitem__("sha256", "0" * 64), "model.sha256"),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_tampered_subcubic_certificate_is_rejected_and_named(tmp_path, good_cert, name):
    fn, cid = TAMPERS[name]
    path = _edited(good_cert, tmp_path, fn)
    with pytest.raises(ClaimFailure) as ei:
        check(path)
    assert ei.value.claim_id.startswith(cid), str(ei.value)
    assert " vs " in str(ei.value)


def test_a_failing_case_shows_both_values(tmp_path, good_cert):
    path = _edited(good_cert, tmp_path, _lower_g)
    with pytest.raises(ClaimFailure) as ei:
        check(path)
    assert "B(a_" in ei.value.what and ei.value.b == "0" and "≈" in ei.value.a


MALFORMED = {
    "unknown qk": (_set_params(qk="magic"), "strategy.params.qk"),
    "unknown count": (_set_params(count="some"), "strategy.params.count"),
    "missing eupu": (lambda d: d["strategy"]["params"].pop("eupu"), "strategy.params.eupu"),
    "string entry": (lambda d: d["claims"]["cases"]["entries"][0].__setitem__(3, "1"), "claims.cases.entries.0.3"),
    "bool entry": (lambda d: d["claims"]["cases"]["entries"][0].__setitem__(0, True), "claims.cases.entries.0.0"),
    "short entry": (lambda d: d["claims"]["cases"]["entries"][0].pop(), "claims.cases.entries.0"),
    "rule": (lambda d: d["claims"]["cases"].__setitem__("rule", "cubic-case"), "claims.cases.rule"),
    "choices rule": (lambda d: d["claims"]["choices"].__setitem__("rule", "trust-me"), "claims.choices.rule"),
    "missing choice": (lambda d: d["claims"]["choices"].pop("centres"), "claims.choices.centres"),
    "peel x rows": (lambda d: d["claims"]["choices"]["peels"][0]["x"]["rows"].pop(), "claims.choices.peels[0].x"),
    "peel y width": (lambda d: d["claims"]["choices"]["peels"][0]["y"]["rows"][1].append(3), "claims.choices.peels[0].y"),
    "peel count": (lambda d: d["claims"]["choices"]["peels"].pop(), "claims.choices.peels"),
    "peel not a matrix": (lambda d: d["claims"]["choices"]["peels"][0].__setitem__("x", [[1]]), "claims.choices.peels.0"),
    "avg rows": (lambda d: d["claims"]["choices"]["avg"].pop(), "claims.choices.avg"),
    "avg cols": (lambda d: d["claims"]["choices"]["avg"][2].pop(), "claims.choices.avg[2]"),
    "avg not a pair": (lambda d: d["claims"]["choices"]["avg"][0].__setitem__(0, [1]), "claims.choices.avg.0.0"),
    "kappa length": (lambda d: d["claims"]["choices"]["key_pos_centre"]["mant"].append(0), "claims.choices.key_pos_centre"),
    "centre null": (
        lambda d: (
            d["strategy"]["params"].update(qk="mean+max_diff_subproduct", variant="max_diff_exact;mean_query+diff;mean+max_diff_subproduct"),
            d["claims"]["choices"]["centres"].__setitem__(1, None),
        ),
        "claims.choices.centres[1]",
    ),
    "centre length": (
        lambda d: (
            d["strategy"]["params"].update(qk="mean+max_diff_subproduct", variant="max_diff_exact;mean_query+diff;mean+max_diff_subproduct"),
            d["claims"]["choices"]["centres"][0]["mant"].pop(),
        ),
        "claims.choices.centres[0]",
    ),
    "mu missing": (
        lambda d: d["strategy"]["params"].update(eupu="mean_query+max_diff", variant="mean_query+max_diff;mean_query+diff;max_diff_subproduct"),
        "claims.choices.eupu_mu",
    ),
    "svd with 4 peels": (
        lambda d: d["strategy"]["params"].update(qk="svd", variant="max_diff_exact;mean_query+diff;svd"),
        "claims.choices.peels",
    ),
    "svd eps missing": (
        lambda d: (
            d["strategy"]["params"].update(qk="svd", variant="max_diff_exact;mean_query+diff;svd"),
            d["claims"]["choices"].update(peels=[None, None]),
        ),
        "claims.choices.spectral_eps",
    ),
    "exact with peels": (
        lambda d: d["strategy"]["params"].update(qk="exact_EQKE+max_diff_exact", variant="max_diff_exact;mean_query+diff;exact_EQKE+max_diff_exact"),
        "claims.choices.peels",
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_subcubic_certificate_is_input_error_naming_the_field(tmp_path, good_cert, name):
    fn, fld = MALFORMED[name]
    path = _edited(good_cert, tmp_path, fn)
    with pytest.raises(InputError) as ei:
        check(path)
    assert (ei.value.field or "").startswith(fld), str(ei.value)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_choice_keeps_the_checker_sound(tmp_path_factory, good_cert, tiny_models, data):
    """Choices are unverified: changing one may make cases fail, but an accepted certificate stays true."""
    _, ref = tiny_models[0]
    which = data.draw(st.sampled_from(["kappa", "peel", "avg", "centre"]))
    delta = data.draw(st.sampled_from([-(2**30), -5, 3, 2**22]))
    idx = data.draw(st.integers(0, 2))

    def fn(d):  # noqa: ANN001, ANN202
        ch = d["claims"]["choices"]
        if which == "kappa":
            ch["key_pos_centre"]["mant"][idx] += delta
        elif which == "peel":
            ch["peels"][0]["y"]["rows"][idx][0] += delta
        elif which == "avg":
            ch["avg"][idx + 2][1][0] += delta
        else:
            ch["centres"][0]["mant"][idx] += delta

    path = _edited(good_cert, tmp_path_factory.mktemp("ch"), fn)
    try:
        res = check(path)
    except ClaimFailure as e:
        assert e.claim_id.startswith(("case[", "bound")), str(e)
        return
    doc = json.loads(path.read_text())
    inputs = [t for t in ref for e in doc["claims"]["cases"]["entries"] if in_case(t, tuple(e))]
    assert len(inputs) == res.correct and all(ref[t] is True for t in inputs)


# ============================================================================ proof length (op counts)
def _ops(fn) -> int:  # noqa: ANN001
    OPS.clear()
    fn()
    return sum(OPS.values())


def _random_chain_for(rng: random.Random, V: int, dm: int, d: int, qk: str):  # noqa: ANN202
    cfg = ModelConfig(d_vocab=V, n_ctx=3, d_model=dm, d_head=d)
    w = _random_weights(rng, V, 3, dm, d)
    claims = SubcubicClaims.model_validate(_random_claims(rng, cfg, "max_diff", SUBCUBIC_ATTENTION[0], qk))
    md = sc.Model(w, sc.choice_vec(claims.choices.key_pos_centre, dm, "", None))
    F_ = sc.chain_factors(md, qk)
    pieces = sc.peel_pieces(F_, claims.choices, None)
    return F_, pieces, claims.choices


@pytest.mark.parametrize("qk", [q for q in SUBCUBIC_QK if q not in ("svd", "exact_EQKE+max_diff_exact")])
def test_eps_cost_scales_as_its_rule_says(qk):
    """ε is O(V·…) for every rule but max_diff_exact (O(V²·d)): quadrupling V quadruples the count, not ×16."""
    rng = random.Random(1)
    costs = []
    for V in (16, 64):
        F_, pieces, ch = _random_chain_for(rng, V, 6, 5, qk)
        Fp = sc.peel(F_, pieces)
        costs.append(_ops(lambda: sc.epsilon(qk, Fp, ch, V, None)))
    ratio = costs[1] / costs[0]
    if qk == "max_diff_exact":
        assert ratio > 10
    else:
        assert ratio < 4.6, (qk, costs)


@pytest.mark.parametrize("qk", ["max_diff", "max_diff_subproduct"])
def test_approx_never_forms_a_vocab_by_vocab_product_with_a_wide_inner_dimension(qk):
    """Approx costs O(#subsets·V²·r + k²·max(V, d_model)·d_model·r): with every factor peeled (r = 1) and V = 64,
    growing d_model = d_head from 4 to 64 must add far less than one V×d×V product would (V²·60 mul + add)."""
    V = 64
    costs = []
    for dm in (4, 64):
        F_, _, _ = _random_chain_for(random.Random(2), V, dm, dm, qk)
        pieces = [(([[1]] * shape(f)[0], 0), ([[1]] * shape(f)[1], 0)) for f in F_]
        Fp = sc.peel(F_, pieces)
        costs.append(_ops(lambda: sc.approx_matrix(Fp, pieces, V, V)))
    assert costs[1] - costs[0] < V * V * 60, costs


def test_recursive_variant_is_cheaper_than_exact(tiny_models):
    w, _ = tiny_models[0]
    counts = {}
    for qk in ("max_diff_subproduct_recursive", "max_diff_exact", "exact_EQKE+max_diff_exact"):
        params = _params("mean_query+max_diff", SUBCUBIC_ATTENTION[0], qk)
        claims = simple_claims(w, "mean_query+max_diff", SUBCUBIC_ATTENTION[0], qk)
        counts[qk] = _ops(lambda: _checker(w, params, claims))
    assert counts["max_diff_subproduct_recursive"] < counts["max_diff_exact"]
    assert counts["max_diff_subproduct_recursive"] < counts["exact_EQKE+max_diff_exact"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda ch: ch["key_pos_centre"].__setitem__("exp", 70000),
        lambda ch: ch["peels"][0]["x"].__setitem__("exp", -70000) if ch["peels"] else ch["avg"][0].__setitem__(0, [1, 70000]),
        lambda ch: ch.__setitem__("spectral_eps", [1, -70000]),
    ],
    ids=["vector-exponent", "matrix-or-avg-exponent", "pair-exponent"],
)
def test_oversized_choices_are_malformed(tmp_path, edit):
    """docs §10: choices beyond the exponent or mantissa limits are refused as malformed input (exit 2)."""
    src = Path(__file__).resolve().parents[1] / "certificates" / "seed42"
    (tmp_path / "weights.json").write_bytes((src / "weights.json").read_bytes())
    doc = json.loads((src / "subcubic-mx-avg-exact.json").read_text())
    edit(doc["claims"]["choices"])
    (tmp_path / "c.json").write_text(json.dumps(doc))
    with pytest.raises(InputError, match="limit") as ei:
        check(tmp_path / "c.json")
    assert (ei.value.field or "").startswith("claims.choices")


def test_a_huge_number_is_malformed_input_not_a_crash(tmp_path):
    """An integer too long for Python's JSON reader (over 4300 digits) is reported, not raised."""
    src = Path(__file__).resolve().parents[1] / "certificates" / "seed42"
    (tmp_path / "weights.json").write_bytes((src / "weights.json").read_bytes())
    text = (src / "subcubic-mx-avg-exact.json").read_text()
    text = text.replace('"key_pos_centre": {"exp":', '"key_pos_centre": {"junk": ' + "9" * 5000 + ', "exp":', 1)
    (tmp_path / "c.json").write_text(text)
    with pytest.raises(InputError, match="unreadable"):
        check(tmp_path / "c.json")
