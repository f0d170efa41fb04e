"""Shadow tests of lean/MechProof/Subcubic.lean, runnable without a Lean toolchain.

Each `lean_*` function below is the Lean definition of the same name written line by line in Python (Nat `-` is
truncated at 0 where it matters, `xs[i]!` is `xs[i]`, `for x in List.range n` is `for x in range(n)`). They are
compared with the independent Python checker (python/mechproof/tasks/maxk/checker/subcubic/), so that a slip in the Lean
formulas, not just in their syntax, shows up here. The most important one is the cross-multiplied output bound:
Lean decides B(α) < 0 for α = N/D as sign(D·h + (N − v·D)·R + (D − N)·W + D·ΔEU) < 0 instead of with fractions
(`SubcubicChecker.outputBound`; the test the checker runs is `SubcubicChecker.holds`, the same algebra with integers at
one exponent, transliterated and compared in tests/test_lean_inputs.py). test_transliterated_subcubic_text_is_current
ties the transliterations to the Lean text.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace

import pytest
from mechproof import weights as weights_io
from mechproof.certificate import load_certificate
from mechproof.checker import ClaimFailure
from mechproof.checker.arith import (
    dy_add,
    dy_lt,
    dy_max,
    dy_mul,
    dy_sign,
    dy_sub,
    dy_sum,
    exp_bounds,
)
from mechproof.checker.matrices import mat_add, matmul, transpose, vecmat, zeros
from mechproof.tasks.maxk.checker import subcubic as sc
from mechproof.tasks.maxk.checker.subcubic import cases as sc_cases
from test_lean_sources import lean_binom
from test_subcubic_checker import (
    VARIANTS,
    _checker,
    _params,
    _random_claims,
    _random_weights,
    _tighten_spectral,
    well_formed_entries,
)

ROOT = Path(__file__).resolve().parents[1]
SUBCUBIC_LEAN = ROOT / "lean" / "MechProof" / "Subcubic.lean"
CERT = ROOT / "certificates" / "seed42" / "subcubic-mx-avg-exact.json"


def frac(x: tuple[int, int]) -> Fraction:
    return sc.frac(x)


# ------------------------------------------------------------------------------------- transliterations
def lean_min_dy(x, y):  # noqa: ANN001, ANN201
    return x if dy_lt(x, y) else y


def lean_gaps(ck, q: int, m: int, g: int):  # noqa: ANN001, ANN201
    rows, e = ck.A
    mM = max(m - g, 0)
    aqm = (rows[q][m], e)
    eps_q = (ck.eps[0][q], ck.eps[1])
    d_lo = dy_sub(dy_sub(aqm, (ck.a_max[q][mM], e)), eps_q)
    d_hi = dy_add(dy_sub(aqm, (ck.a_min[q][mM], e)), eps_q)
    return d_lo, d_hi


def lean_slots(ck, q: int, m: int, c: int, low: bool):  # noqa: ANN001, ANN201
    nc = ck.n
    ord_ = ck.order[q]
    k = max(nc - 1 - c, 0) if q == m else max(nc - c, 0)
    chosen = []
    for i, p in enumerate(ord_):
        take = (i < k) if low else (max(len(ord_) - k, 0) <= i)
        if take:
            chosen.append(p)
    others = [p for p in ord_ if p not in chosen]
    if q == m:
        return chosen + [nc - 1], others
    return chosen, others + [nc - 1]


def lean_attention_bounds(ck, q: int, m: int, c: int, g: int):  # noqa: ANN001, ANN201
    """SubcubicChecker.attentionBounds: ((N_lo, D_lo), (N_hi, D_hi)) with a = N/D."""
    one = ((1, 0), (1, 0))
    if c == 0:
        return one, one
    gs = lean_gaps(ck, q, m, g)
    pi_row = ck.pi[q]
    r_lo, r_hi = ck.r
    out = []
    for low in (True, False):
        d = gs[0] if low else gs[1]
        sl = lean_slots(ck, q, m, c, low)
        Y = dy_sum([pi_row[p][0] if low else pi_row[p][1] for p in sl[0]])
        Z = dy_sum([pi_row[p][1] if low else pi_row[p][0] for p in sl[1]])
        neg = (-d[0], d[1])
        x1, x2 = dy_mul(neg, r_lo), dy_mul(neg, r_hi)
        kap_pair = exp_bounds(dy_max(x1, x2) if low else lean_min_dy(x1, x2))
        kap = kap_pair[1] if low else kap_pair[0]
        if not dy_sign(Y) > 0:
            raise ClaimFailure(f"case[{q},{m},{c}]", "positional mass", "", "")
        den = dy_add(Y, dy_mul(kap, Z))
        assert dy_sign(den) > 0  # the Lean `require` that cannot fail
        out.append((Y, den))
    return out[0], out[1]


def lean_h(ck, m: int, c: int):  # noqa: ANN001, ANN201
    v = ck.avg[m][c]
    eL = ck.L[1]
    eR = ck.ov.e_ev
    e = min(eL, v[1] + eR)
    sl = 1 << (eL - e)
    sr = v[0] * (1 << (v[1] + eR - e))
    l_row, r_row = ck.L[0][m], ck.ov.R[m]
    best, found = 0, False
    for j in range(ck.V):
        if j != m:
            x = l_row[j] * sl + r_row[j] * sr
            best = max(best, x) if found else x
            found = True
    return best, e


def lean_output_bound(ck, q: int, m: int, c: int, g: int, hv, alpha):  # noqa: ANN001, ANN201
    """SubcubicChecker.outputBound: D·B(α) for α = N/D, as a dyadic."""
    nA, dA = alpha
    v = ck.avg[m][c]
    wD = (ck.w_max[max(m - g, 0)], ck.ov.e_ev) if 1 <= c else (0, 0)
    n_minus_vd = dy_sub(nA, dy_mul(v, dA))
    rD = (ck.ov.r_max[m], ck.ov.e_ev) if 0 <= dy_sign(n_minus_vd) else (ck.ov.r_min[m], ck.ov.e_ev)
    d_eu_q = (ck.d_eu[0][q], ck.d_eu[1])
    return dy_add(dy_add(dy_add(dy_mul(dA, hv), dy_mul(n_minus_vd, rD)), dy_mul(dy_sub(dA, nA), wD)), dy_mul(dA, d_eu_q))


def lean_coverage(n: int, q: int, m: int, c: int, g: int, mode: str) -> int:
    cp = c if q == m else max(c - 1, 0)
    N = m - g + 1 if mode == "fixed" else max(m - g, 0)
    return lean_binom(n - 1, cp) * N**cp if cp > 0 else 1


def lean_require(ok: bool, cid: str, what: str, a: str, b: str) -> None:
    if not ok:
        raise ClaimFailure(cid, what, a, b)


def lean_check_well_formed(entry, V: int, n: int, seen: list[bool]) -> list[bool]:  # noqa: ANN001
    q, m, c, g = entry
    vocab, nn = V, n
    cid = f"case[{q},{m},{c}]"
    lean_require(0 <= q and q <= m and m < vocab, cid, "need 0 ≤ q ≤ m < d_vocab", f"({q}, {m})", str(vocab))
    c_in = 0 <= c and c < nn
    idx = (max(q, 0) * V + max(m, 0)) * n + max(c, 0)
    already = c_in and seen[idx]
    lean_require(not already, cid, "case listed twice", f"({q}, {m}, {c})", "unique")
    seen2 = list(seen)
    if c_in:
        seen2[idx] = True
    if q == m:
        lean_require(0 <= c and c <= nn - 1, cid, "need 0 ≤ c ≤ n_ctx − 1 when q = m", str(c), str(nn - 1))
    else:
        lean_require(1 <= c and c <= nn - 1, cid, "need 1 ≤ c ≤ n_ctx − 1 when q < m", str(c), str(nn - 1))
        lean_require(q <= m - g, cid, "the query must be an allowed non-max token (q ≤ m − g)", str(q), str(m - g))
    if 1 <= c:
        lean_require(1 <= g and g <= m, cid, "need 1 ≤ g ≤ m when c ≥ 1", str(g), str(m))
    else:
        lean_require(g == 1, cid, "g must be 1 when c = 0", str(g), "1")
    return seen2


def lean_running(row: list[int], take_max: bool) -> list[int]:
    out, acc = [], row[0]
    for x in row:
        acc = max(acc, x) if take_max else min(acc, x)
        out.append(acc)
    return out


def lean_approx_matrix(Fp, pieces, rows: int, cols: int):  # noqa: ANN001, ANN201
    """approxMatrix: left/right/mid arrays indexed by factor, non-empty sets of peeled factors by bit mask."""
    k = len(Fp)
    idx = [i for i in range(k) if pieces[i] is not None]
    left, right = [], []
    for i in range(k):
        if pieces[i] is not None:
            x, y = pieces[i]
            z = x
            for j in reversed(range(i)):
                z = matmul(Fp[j], z)
            left.append(z)
            z2 = transpose(y)
            for j in range(k):
                if i < j:
                    z2 = matmul(z2, Fp[j])
            right.append(z2)
        else:
            left.append(None)
            right.append(None)
    mid = []
    for a in range(k):
        for b in range(k):
            if a < b and pieces[a] is not None and pieces[b] is not None:
                z = pieces[b][0]
                for j in reversed(range(b)):
                    if a < j:
                        z = matmul(Fp[j], z)
                mid.append(matmul(transpose(pieces[a][1]), z))
            else:
                mid.append(None)
    total = zeros(rows, cols)
    for mask in range(2 ** len(idx)):
        if mask != 0:
            S = [idx[t] for t in range(len(idx)) if (mask // 2**t) % 2 == 1]
            z = left[S[0]]
            for t in range(len(S) - 1):
                z = matmul(z, mid[S[t] * k + S[t + 1]])
            total = mat_add(total, matmul(z, right[S[-1]]), 1)
    return total


def lean_rowrange(row: list[int]) -> int:
    return max(row) - min(row) if row else 0


def lean_centre_term(eps, c, mats):  # noqa: ANN001, ANN201
    if c is None:
        return eps
    v = c
    for f in mats:
        v = vecmat(v, f)
    return sc.plus_const(eps, (lean_rowrange(v[0]), v[1]))


def lean_eps_split(Fp, centres):  # noqa: ANN001, ANN201
    k = len(Fp)
    pref = [Fp[0]]
    for s0 in range(max(k - 2, 0)):
        pref.append(matmul(pref[-1], Fp[s0 + 1]))
    suf = [Fp[k - 1]]
    for s0 in range(max(k - 2, 0)):
        suf.append(matmul(Fp[k - 2 - s0], suf[-1]))
    best = None
    for s0 in range(k - 1):
        s = s0 + 1
        P, S = pref[s - 1], suf[k - 1 - s]
        rho = ([lean_rowrange(r) for r in S[0]], S[1])
        c = None if centres is None else centres[s - 1]
        eps = lean_centre_term(sc.weighted(sc.centred_abs(P, c), rho), c, [S])
        best = eps if s0 == 0 else sc.vec_min(best, eps)
    return best


def lean_eps_recursive(Fp, centres):  # noqa: ANN001, ANN201 - centres: list of (Vec | None), one per factor
    k = len(Fp)
    last = Fp[k - 1]
    rho = ([lean_rowrange(r) for r in last[0]], last[1])
    for j0 in range(k - 1):
        j = k - 2 - j0
        c = centres[j] if j < len(centres) else None
        rest = [Fp[i] for i in range(k) if j < i]
        rho = lean_centre_term(sc.weighted(sc.centred_abs(Fp[j], c), rho), c, rest)
    return rho


# ------------------------------------------------------------------------------------- the Lean text
def test_transliterated_subcubic_text_is_current():
    """The Lean lines the transliterations above follow are still there."""
    text = SUBCUBIC_LEAN.read_text(encoding="utf-8")
    for needle in (
        "let dLo : Dy := dySub (dySub aqm (Dy.mk ((ck.aMax[q]!)[mM]!) e)) epsQ",
        "let dHi : Dy := dyAdd (dySub aqm (Dy.mk ((ck.aMin[q]!)[mM]!) e)) epsQ",
        "let k : Nat := if q == m then nc - 1 - c else nc - c",
        "let take : Bool := if low then decide (i < k) else decide (ord.size - k ≤ i)",
        "return (chosen.push (nc - 1), others)",
        "return (chosen, others.push (nc - 1))",
        "let Y : Dy := dySum (sl.1.map (fun (p : Nat) => if low then (piRow[p]!).1 else (piRow[p]!).2))",
        "let Z : Dy := dySum (sl.2.map (fun (p : Nat) => if low then (piRow[p]!).2 else (piRow[p]!).1))",
        "let kapPair ← expBoundsE (if low then dyMax x1 x2 else minDy x1 x2)",
        "let kap : Dy := if low then kapPair.2 else kapPair.1",
        "let den : Dy := dyAdd Y (dyMul kap Z)",
        "out := out.push (Ratio.mk Y den)",
        "let e : Int := intMin eL (v.e + eR)",
        "let sr : Int := v.m * pow2 (v.e + eR - e).toNat",
        "let x : Int := lRow[j]! * sl + rRow[j]! * sr",
        "let wD : Dy := if 1 ≤ c then Dy.mk (ck.wMax[m - g]!) ck.ov.eEv else Dy.mk 0 0",
        "let nMinusVD : Dy := dySub nA (dyMul v dA)",
        "if 0 ≤ dySign nMinusVD then Dy.mk (ck.ov.rMax[m]!) ck.ov.eEv else Dy.mk (ck.ov.rMin[m]!) ck.ov.eEv",
        "dyAdd (dyAdd (dyAdd (dyMul dA hv) (dyMul nMinusVD rD)) (dyMul (dySub dA nA) wD)) (dyMul dA dEuQ)",
        "let cp : Nat := if q == m then c else c - 1",
        "let N : Nat := if mode == \"fixed\" then m - g + 1 else m - g",
        "if cp > 0 then binom (n - 1) cp * N ^ cp else 1",
        "let cIn : Bool := decide (0 ≤ c) && decide (c < nn)",
        "let idx : Nat := (q.toNat * V + m.toNat) * n + c.toNat",
        "let already : Bool := cIn && seen[idx]!",
        "let seen2 : Array Bool := if cIn then seen.set! idx true else seen",
        "acc := if takeMax then intMax acc x else intMin acc x",
        "for j in (List.range i).reverse do",
        "if decide (a < b) && (pieces[a]!).isSome && (pieces[b]!).isSome then",
        "if (mask / 2 ^ t) % 2 == 1 then",
        "z := matmul z (mid[a * k + b]!)",
        "total := matAdd total (matmul z (right[lastI]!)) 1",
        "suf := suf.push (matmul (Fp[k - 2 - s0]!) (suf[suf.size - 1]!))",
        "let S : Mat := suf[k - 1 - s]!",
        "let eps : Vec := centreTerm (weighted (centredAbs P c) rho) c #[S]",
        "best := if s0 == 0 then eps else vecMin best eps",
        "let j : Nat := k - 2 - j0",
        "rho := centreTerm (weighted (centredAbs (Fp[j]!) c) rho) c rest",
    ):
        assert needle in text, needle


# ------------------------------------------------------------------------------------- the output bound
def _fake_checker(rng: random.Random, c: int, m: int, g: int, w_zero: bool):  # noqa: ANN202
    """The fields output_bound reads, random; h is a fixed dyadic."""
    V = m + 2
    ee = rng.randint(-6, 2)
    hv = (rng.randint(-50, 50), rng.randint(-6, 2))
    ov = SimpleNamespace(
        e_ev=ee,
        r_max=[rng.randint(-20, 40) for _ in range(V)],
        r_min=[rng.randint(-40, 20) for _ in range(V)],
    )
    ck = SimpleNamespace(
        ov=ov,
        avg=[[(rng.randint(-8, 8), rng.randint(-4, 0)) for _ in range(4)] for _ in range(V)],
        w_max=[0 if w_zero else rng.randint(0, 30) for _ in range(V)],
        d_eu=([rng.randint(0, 30) for _ in range(V)], rng.randint(-5, 1)),
        h=lambda m_, c_: hv,
    )
    return ck, hv


def _check_output_bound(ck, hv, q: int, m: int, c: int, g: int, alpha) -> None:  # noqa: ANN001
    N, D = alpha
    a = frac(N) / frac(D)
    b_py = sc.SubcubicChecker.output_bound(ck, q, m, c, g, a)
    b_lean = lean_output_bound(ck, q, m, c, g, hv, alpha)
    assert frac(b_lean) / frac(D) == b_py  # D·B(α) is exactly D times the Fraction B(α)
    assert (dy_sign(b_lean) < 0) == (b_py < 0)


def test_cross_multiplied_output_bound_equals_the_fraction_version():
    rng = random.Random(11)
    for trial in range(4000):
        m = rng.randint(1, 6)
        g = rng.randint(1, m)
        c = rng.randint(0, 3)
        q = rng.randint(0, m)
        ck, hv = _fake_checker(rng, c, m, g, w_zero=trial % 5 == 0)
        v = ck.avg[m][c]
        kind = trial % 4
        if kind == 0:  # α = v exactly: N = v·D
            D = (rng.randint(1, 64), rng.randint(-6, 3))
            alpha = (dy_mul(v, D), D)
        elif kind == 1:  # c = 0: α = 1/1
            c = 0
            alpha = ((1, 0), (1, 0))
        else:  # a genuine attention bound Y/(Y + κZ), α in (0, 1]
            Y = (rng.randint(1, 10**6), rng.randint(-40, -10))
            kap = (rng.randint(1, 10**6), rng.randint(-30, 5))
            Z = (rng.randint(0, 10**6), rng.randint(-40, -10))
            alpha = (Y, dy_add(Y, dy_mul(kap, Z)))
        _check_output_bound(ck, hv, q, m, c, g, alpha)


def test_cross_multiplied_output_bound_edge_cases():
    rng = random.Random(12)
    ck, hv = _fake_checker(rng, 1, 3, 1, w_zero=True)
    for m in range(3):
        for c in range(4):
            v = ck.avg[m][c]
            for D in ((1, 0), (3, -1), (5, 7), (1, -60)):
                _check_output_bound(ck, hv, 0, m, c, 1, (dy_mul(v, D), D))  # α = v, W = 0
            _check_output_bound(ck, hv, 0, m, c, 1, ((0, 0), (1, 0)))  # α = 0
    # v = 0 and α = v = 0: the R_max side is taken (α ≥ v) and contributes 0 either way
    ck.avg = [[(0, 0)] * 4 for _ in range(4)]
    _check_output_bound(ck, hv, 0, 2, 1, 1, ((0, 0), (7, -3)))
    # a bound that is exactly 0 is not < 0 in both
    ck2 = SimpleNamespace(
        ov=SimpleNamespace(e_ev=0, r_max=[0, 0], r_min=[0, 0]),
        avg=[[(0, 0)] * 2, [(0, 0)] * 2],
        w_max=[0, 0],
        d_eu=([0, 0], 0),
        h=lambda m_, c_: (0, 0),
    )
    assert sc.SubcubicChecker.output_bound(ck2, 0, 1, 0, 1, Fraction(1)) == 0
    assert dy_sign(lean_output_bound(ck2, 0, 1, 0, 1, (0, 0), ((1, 0), (1, 0)))) == 0


# ------------------------------------------------------------------------------------- real checkers
def _compare_cases(ck, entries, mode: str) -> int:  # noqa: ANN001
    """Lean transliteration vs the Python checker on every entry: gaps, slots, α, h, B(α) and its sign."""
    compared = 0
    for q, m, c, g in entries:
        if c:
            assert lean_gaps(ck, q, m, g) == ck.gaps(q, m, g)
            for low, name in ((True, "low"), (False, "high")):
                assert lean_slots(ck, q, m, c, low) == tuple(ck.slots(q, m, c, name))
        hv = lean_h(ck, m, c)
        assert hv == ck.h(m, c)
        try:
            a_py = ck.attention_bounds(q, m, c, g)
        except ClaimFailure:
            with pytest.raises(ClaimFailure):
                lean_attention_bounds(ck, q, m, c, g)
            continue
        a_lean = lean_attention_bounds(ck, q, m, c, g)
        for (N, D), a in zip(a_lean, a_py):
            assert frac(N) / frac(D) == a
            b_py = ck.output_bound(q, m, c, g, a)
            b_lean = lean_output_bound(ck, q, m, c, g, hv, (N, D))
            assert frac(b_lean) / frac(D) == b_py
            assert (dy_sign(b_lean) < 0) == (b_py < 0)
        assert lean_coverage(ck.n, q, m, c, g, mode) == sc.coverage(ck.n, q, m, c, g, mode)
        compared += 1
    return compared


@pytest.mark.parametrize("variant", VARIANTS[::3] + [VARIANTS[-1]])
def test_lean_case_arithmetic_matches_python_on_random_models(variant):
    rng = random.Random(hash(variant) % 10**6)
    for shape in ((4, 3, 3, 2), (5, 4, 2, 3)):
        V, n, dm, d = shape
        w = _random_weights(rng, V, n, dm, d)
        params = _params(*variant, count=rng.choice(["fixed", "paper"]))
        claims = _random_claims(rng, w.cfg, *variant)
        _tighten_spectral(w, params, claims)  # the default spectral_eps 2^150 would make exp(x) astronomically large
        ck = _checker(w, params, claims)
        assert lean_running(ck.A[0][0], True) == sc_cases._running(ck.A[0][0], max)
        assert lean_running(ck.ov.D, False) == sc_cases._running(ck.ov.D, min)
        assert _compare_cases(ck, list(well_formed_entries(V, n)), params["count"]) > 0


@pytest.mark.slow
def test_lean_case_arithmetic_matches_python_on_the_committed_certificate():
    cert, claims = load_certificate(CERT)
    params = cert.typed_params(CERT)
    w = weights_io.load(CERT.parent / cert.model.weights)
    ck = sc.SubcubicChecker(w, params, claims, CERT)
    entries = [tuple(e) for e in claims.cases.entries]
    assert _compare_cases(ck, entries, params.count) == len(entries)
    seen = [False] * (ck.V * ck.V * ck.n)
    total = 0
    for e in entries:
        seen = lean_check_well_formed(e, ck.V, ck.n, seen)
        total += lean_coverage(ck.n, *e, params.count)
    assert total == cert.bound.correct


# ------------------------------------------------------------------------------------- well-formedness
def _outcome(fn, entries, V: int, n: int):  # noqa: ANN001, ANN202
    seen = [False] * (V * V * n) if fn is lean_check_well_formed else set()
    done = []
    try:
        for e in entries:
            out = fn(e, V, n, seen)
            if fn is lean_check_well_formed:
                seen = out
            done.append(e)
    except ClaimFailure as f:
        return done, (f.claim_id, f.what, f.a, f.b)
    return done, None


def test_lean_well_formedness_matches_python():
    """Same first failure (id, text and both values) on random entry lists with repeats and out-of-range fields;
    in particular a repeated (q, m, c) with c outside 0..n−1 (never recorded in Lean's array)."""
    rng = random.Random(13)
    V, n = 4, 3
    fixed = [
        [(0, 1, 5, 1), (0, 1, 5, 1)],
        [(0, 1, -1, 1), (0, 1, -1, 1)],
        [(1, 1, 0, 1), (1, 1, 0, 1)],
        [(1, 1, 0, 2)],
        [(0, 2, 1, 3)],
        [(0, 2, 0, 1)],
        [(2, 1, 1, 1)],
        [(0, 4, 1, 1)],
        [(-1, 2, 1, 1)],
    ]
    for entries in fixed + [
        [(rng.randint(-1, 4), rng.randint(-1, 4), rng.randint(-1, 4), rng.randint(-1, 4)) for _ in range(rng.randint(1, 12))]
        for _ in range(3000)
    ]:
        assert _outcome(lean_check_well_formed, entries, V, n) == _outcome(sc.check_well_formed, entries, V, n), entries
    ok = list({(q, m, c): (q, m, c, g) for q, m, c, g in well_formed_entries(V, n)}.values())  # one g per case
    assert _outcome(lean_check_well_formed, ok, V, n) == (ok, None)


def test_lean_coverage_matches_python():
    for V, n in ((4, 3), (6, 4), (3, 5)):
        for q, m, c, g in well_formed_entries(V, n):
            for mode in ("fixed", "paper"):
                assert lean_coverage(n, q, m, c, g, mode) == sc.coverage(n, q, m, c, g, mode)


# ------------------------------------------------------------------------------------- Approx and ε
def _imat(rng: random.Random, rows: int, cols: int, lim: int = 6):  # noqa: ANN202
    return [[rng.randint(-lim, lim) for _ in range(cols)] for _ in range(rows)], rng.randint(-3, 1)


def _random_chain(rng: random.Random, k: int):  # noqa: ANN202
    dims = [rng.randint(2, 5)] + [rng.randint(1, 4) for _ in range(k - 1)] + [rng.randint(2, 5)]
    factors = [_imat(rng, dims[i], dims[i + 1]) for i in range(k)]
    pieces = []
    for i in range(k):
        if rng.random() < 0.6:
            r = rng.randint(1, 2)
            pieces.append((_imat(rng, dims[i], r, 3), _imat(rng, dims[i + 1], r, 3)))
        else:
            pieces.append(None)
    centres = [([rng.randint(-6, 6) for _ in range(dims[s])], rng.randint(-3, 0)) for s in range(1, k)]
    return factors, pieces, centres, dims


def test_lean_approx_matrix_matches_python():
    """Bit-mask enumeration of the peeled sets gives exactly approx_matrix's (rows, exponent)."""
    rng = random.Random(14)
    seen_sizes = set()
    for _ in range(300):
        k = rng.choice([2, 4])
        factors, pieces, _, dims = _random_chain(rng, k)
        Fp = sc.peel(factors, pieces)
        seen_sizes.add(sum(p is not None for p in pieces))
        assert lean_approx_matrix(Fp, pieces, dims[0], dims[-1]) == sc.approx_matrix(Fp, pieces, dims[0], dims[-1])
    assert {0, 1, 2, 3, 4} <= seen_sizes


def test_lean_eps_rules_match_python():
    rng = random.Random(15)
    for _ in range(300):
        k = rng.choice([2, 4])
        factors, pieces, centres, _ = _random_chain(rng, k)
        Fp = sc.peel(factors, pieces)
        assert lean_eps_split(Fp, None) == sc.eps_split(Fp, None)
        assert lean_eps_split(Fp, centres) == sc.eps_split(Fp, centres)
        assert lean_eps_recursive(Fp, [None] * k) == sc.eps_recursive(Fp, {})
        one = [centres[0]] + [None] * (k - 1)
        assert lean_eps_recursive(Fp, one) == sc.eps_recursive(Fp, {0: centres[0]})
        every = list(centres) + [None]
        assert lean_eps_recursive(Fp, every) == sc.eps_recursive(Fp, dict(enumerate(centres)))


def test_combinations_and_masks_cover_the_same_sets():
    for L in range(6):
        masks = {tuple(t for t in range(L) if (mask // 2**t) % 2 == 1) for mask in range(1, 2**L)}
        combos = {S for size in range(1, L + 1) for S in combinations(range(L), size)}
        assert masks == combos
