"""Shadow tests of lean/MechProof/Inputs.lean, the version-2 parts of Cubic.lean and Subcubic.lean, and Check.lean,
runnable without a Lean toolchain.

Each `lean_*` function below is the Lean definition of the same name written line by line in Python (`xs[i]!` is
`xs[i]`, Nat `-` is truncated at 0 where it matters, `for x in List.range n` is `for x in range(n)`, a value threaded
through and returned, such as the input rule's `InputCache`, is a dict updated in place). Functions that Lean mirrors
unchanged from reviewed code (placements, group terms, the exp enclosure, the subcubic chain) are taken from the
Python checker or from the earlier transliterations in test_lean_sources.py / test_lean_subcubic.py.

They are compared with the independent Python checker (python/mechproof/checker/) on random models (every input,
random case lists, residual and wrong lists with and without planted mistakes), on a trained model's certificate
turned into version 2, and on the committed certificates: the same verdicts (accepted with the same bounds, or
the same first failing claim id and text, or malformed input at the same field). test_transliterated_text_is_current
ties the transliterations to the Lean text.
"""

from __future__ import annotations

import copy
import json
import math
import random
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from mechproof import weights as weights_io
from mechproof.certificate import load_certificate
from mechproof.checker import ClaimFailure, check
from mechproof.checker.arith import dy_add, dy_lt, dy_mul, dy_sign, dy_str, dy_sum, exp_bounds
from mechproof.checker.matrices import add_row, exact_matrices, matmul, tensor, transpose
from mechproof.errors import InputError
from mechproof.tasks.maxk.checker import cubic as cb
from mechproof.tasks.maxk.checker import inputs as ip
from mechproof.tasks.maxk.checker import subcubic as sc
from mechproof.tasks.maxk.checker.subcubic import cases as sc_cases
from mechproof.tasks.maxk.schema import SubcubicClaims, SubcubicParams
from test_lean_parse import LeanMalformed, lean_parse_certificate
from test_lean_sources import lean_binom, lean_bitlen, lean_exp_bounds
from test_lean_subcubic import lean_check_well_formed, lean_coverage, lean_h, lean_running
from test_subcubic_checker import VARIANTS, _params, _random_claims, _random_weights, _tighten_spectral

ROOT = Path(__file__).resolve().parents[1]
LEAN = ROOT / "lean" / "MechProof"
CERTS = ROOT / "certificates"


def lean_require(ok: bool, cid: str, what: str, a, b) -> None:  # noqa: ANN001
    if not ok:
        raise ClaimFailure(cid, what, a, b)


def lean_nat_list(xs) -> str:  # noqa: ANN001 - natList
    return "[" + ", ".join(str(x) for x in xs) + "]"


def lean_exp_bounds_e(x: tuple[int, int]):  # noqa: ANN201 - expBoundsE
    if x[0] == 0 or lean_bitlen(abs(x[0])) + x[1] <= 12:
        return lean_exp_bounds(x)
    raise LeanMalformed("exp argument")


def outcome(fn, *args):  # noqa: ANN001, ANN201
    """A verdict to compare: ("ok", value), ("claim", id, what), or ("malformed", field)."""
    try:
        return ("ok", fn(*args))
    except ClaimFailure as e:
        return ("claim", e.claim_id, e.what)
    except InputError as e:  # pydantic names list items `.0`, Lean `[0]`
        return ("malformed", re.sub(r"\.(\d+)", r"[\1]", e.field or ""))
    except LeanMalformed as e:
        return ("malformed", e.fld)


# ============================================================================== Inputs.lean, transliterated
def lean_max_nat(xs) -> int:  # noqa: ANN001
    best = 0
    for x in xs:
        if best < x:
            best = x
    return best


def lean_replicate_nat(n: int, x: int) -> list[int]:
    return [x for _ in range(n)]


def lean_all_equal_to(xs, x: int) -> bool:  # noqa: ANN001
    ok = True
    for y in xs:
        if y != x:
            ok = False
    return ok


def lean_mem_sorted(xs, x: int) -> bool:  # noqa: ANN001
    lo, hi, found = 0, len(xs), False
    for _ in range(lean_bitlen(len(xs)) + 1):
        if lo < hi:
            mid = (lo + hi) // 2
            y = xs[mid]
            if y == x:
                found = True
                lo = hi
            elif y < x:
                lo = mid + 1
            else:
                hi = mid
    return found


def lean_decode(x: int, V: int, n: int) -> list[int]:
    rest, out = x, []
    for _ in range(n):
        out.append(rest % V)
        rest = rest // V
    return out


def lean_indices_prefix(deltas, total: int, what: str, cid: str):  # noqa: ANN001, ANN201 - indicesPrefix
    x, out = -1, []
    for i, d in enumerate(deltas):
        if i == 0 and d < 0:
            return out, ClaimFailure(f"{cid}[{d}]", "the first input index must be ≥ 0", str(d), "0")
        if i != 0 and d < 1:
            return out, ClaimFailure(f"{cid}[{x}]", "inputs must be strictly increasing (a delta of 0 lists one twice)", str(d), "1")
        x = d if i == 0 else x + d
        if not x < total:
            return out, ClaimFailure(f"{cid}[{x}]", what, str(x), str(total))
        out.append(max(x, 0))
    return out, None


def lean_indices(deltas, V: int, n: int, cid: str) -> list[int]:  # noqa: ANN001
    out, err = lean_indices_prefix(deltas, V**n, "input index out of range (must be < d_vocab^n_ctx)", cid)
    if err is not None:
        raise err
    return out


def lean_align(values, e: int, target: int) -> list[int]:  # noqa: ANN001
    s = max(e - target, 0)
    if s == 0:
        return values
    f = 2**s
    return [v * f for v in values]


def lean_common(intervals):  # noqa: ANN001, ANN201
    e, is_first = 0, True
    for lo, hi in intervals:
        lowest = min(lo[1], hi[1])
        e = lowest if is_first else min(e, lowest)
        is_first = False
    los = [lo[0] * 2 ** max(lo[1] - e, 0) for lo, _ in intervals]
    his = [hi[0] * 2 ** max(hi[1] - e, 0) for _, hi in intervals]
    return los, his, e


def lean_input_rule_ov(w):  # noqa: ANN001, ANN201
    ovu = matmul(matmul(tensor(w, "W_V"), tensor(w, "W_O")), tensor(w, "W_U"))
    return matmul(tensor(w, "W_E"), ovu), matmul(tensor(w, "W_pos"), ovu)


def lean_input_rule_eq(w):  # noqa: ANN001, ANN201
    mP = tensor(w, "W_pos")
    return add_row(tensor(w, "W_E"), mP[0][w.cfg.n_ctx - 1], mP[1])


def lean_input_rule_eqk(w):  # noqa: ANN001, ANN201
    return matmul(matmul(lean_input_rule_eq(w), tensor(w, "W_Q")), transpose(tensor(w, "W_K")))


def lean_mk_input_rule(w, r, mats: dict) -> SimpleNamespace:  # noqa: ANN001
    """mkInputRule; `mats` holds the matrices given (keys EUPU, EVOU, PVOU, EQKE, EQKP)."""
    ovm = (mats["EVOU"], mats["PVOU"]) if "EVOU" in mats and "PVOU" in mats else lean_input_rule_ov(w)
    mE, mP, mU = tensor(w, "W_E"), tensor(w, "W_pos"), tensor(w, "W_U")
    e_eupu = mats["EUPU"][1] if "EUPU" in mats else min(mE[1], mP[1]) + mU[1]
    return SimpleNamespace(
        V=w.cfg.d_vocab, n=w.cfg.n_ctx, r=r, e=min(e_eupu, min(ovm[0][1], ovm[1][1])), evou=ovm[0], pvou=ovm[1],
        eupu=mats.get("EUPU"), eqke=mats.get("EQKE"), eqkp=mats.get("EQKP"), et=lean_input_rule_eq(w),
        etqk=lean_input_rule_eqk(w), wE=mE, wPos=mP, wU=mU,
    )  # fmt: skip


def lean_empty_input_cache(V: int) -> dict:
    return {"tok": [None] * V, "pos": [None] * V, "eupu": [None] * V, "diff": [], "terms": []}


def lean_none_slots(k: int) -> list:
    return [None for _ in range(k)]


def lean_slot(xs: list, i: int):  # noqa: ANN201
    return xs[i] if i < len(xs) else None


def lean_with_diff(cache: dict, k: int, i: int, row: list[int]) -> dict:
    """InputCache.withDiff (the dict is updated in place, as Lean updates the unshared array)."""
    slots = lean_none_slots(k) if len(cache["diff"]) == 0 else cache["diff"]
    slots[i] = row
    cache["diff"] = slots
    return cache


def lean_with_terms(cache: dict, k: int, i: int, entry: tuple[int, list[int]]) -> dict:
    slots = lean_none_slots(k) if len(cache["terms"]) == 0 else cache["terms"]
    slots[i] = entry
    cache["terms"] = slots
    return cache


def lean_eupu_row(rule, q: int) -> list[int]:  # noqa: ANN001
    if rule.eupu is not None:
        rows, e = rule.eupu
        return lean_align(rows[q], e, rule.e)
    row = matmul(([rule.et[0][q]], rule.et[1]), rule.wU)
    return lean_align(row[0][0], row[1], rule.e)


def lean_eupu_cached(rule, cache: dict, q: int) -> list[int]:  # noqa: ANN001
    if cache["eupu"][q] is None:
        cache["eupu"][q] = lean_eupu_row(rule, q)
    return cache["eupu"][q]


def lean_dot_rows(v, ev: int, other):  # noqa: ANN001, ANN201
    out = []
    for ok in other[0]:
        s = 0
        for i in range(min(len(v), len(ok))):
            s = s + v[i] * ok[i]
        out.append((s, ev + other[1]))
    return out


def lean_row(rule, is_e: bool, q: int):  # noqa: ANN001, ANN201
    m = rule.eqke if is_e else rule.eqkp
    if m is not None:
        return [(x, m[1]) for x in m[0][q]]
    return lean_dot_rows(rule.etqk[0][q], rule.etqk[1], rule.wE if is_e else rule.wPos)


def lean_enclose(rule, a):  # noqa: ANN001, ANN201
    x1 = (a[0] * rule.r[0][0], a[1] + rule.r[0][1])
    x2 = (a[0] * rule.r[1][0], a[1] + rule.r[1][1])
    x_lo = x1 if 0 <= a[0] else x2
    x_hi = x2 if 0 <= a[0] else x1
    lo = lean_exp_bounds_e(x_lo)
    hi = lean_exp_bounds_e(x_hi)
    return lo[0], hi[1]


def lean_tok(rule, cache: dict, q: int):  # noqa: ANN001, ANN201
    if cache["tok"][q] is None:
        cache["tok"][q] = lean_common([lean_enclose(rule, a) for a in lean_row(rule, True, q)])
    return cache["tok"][q]


def lean_pos(rule, cache: dict, q: int):  # noqa: ANN001, ANN201
    if cache["pos"][q] is None:
        cache["pos"][q] = lean_common([lean_enclose(rule, a) for a in lean_row(rule, False, q)])
    return cache["pos"][q]


def lean_diff(rule, is_ev: bool, row: int, m: int) -> list[int]:  # noqa: ANN001
    mat = rule.evou if is_ev else rule.pvou
    r = mat[0][row]
    rm = r[m]
    return lean_align([x - rm for x in r], mat[1], rule.e)


def lean_diff_cached(rule, cache: dict, is_ev: bool, row: int, m: int):  # noqa: ANN001, ANN201
    i = (0 if is_ev else rule.V * rule.V) + row * rule.V + m
    d = lean_slot(cache["diff"], i)
    if d is not None:
        return d, cache
    d = lean_diff(rule, is_ev, row, m)
    return d, lean_with_diff(cache, rule.V * rule.V + rule.n * rule.V, i, d)


def lean_weights(rule, cache: dict, tokens):  # noqa: ANN001, ANN201
    q = tokens[rule.n - 1]
    plo, phi, _ = lean_pos(rule, cache, q)
    if lean_all_equal_to(tokens, q):
        return plo, phi
    tlo, thi, _ = lean_tok(rule, cache, q)
    wlo, whi = [], []
    for p in range(rule.n):
        t = tokens[p]
        wlo.append(tlo[t] * plo[p])
        whi.append(thi[t] * phi[p])
    return wlo, whi


def lean_n_row(rule, cache: dict, eupu, m: int, t: int, p: int):  # noqa: ANN001, ANN201
    em = eupu[m]
    ev, c1 = lean_diff_cached(rule, cache, True, t, m)
    pv, c2 = lean_diff_cached(rule, c1, False, p, m)
    return [eupu[j] - em + ev[j] + pv[j] for j in range(rule.V)], c2


def lean_upper_terms(rule, cache: dict, eupu, m: int, t: int, p: int, lo: int, hi: int):  # noqa: ANN001, ANN201
    row, c1 = lean_n_row(rule, cache, eupu, m, t, p)
    return [x * hi if 0 <= x else x * lo for x in row], c1


def lean_terms_cached(rule, cache: dict, eupu, q: int, m: int, t: int, p: int, lo: int, hi: int):  # noqa: ANN001, ANN201
    key = q * rule.V + m
    i = t * rule.n + p
    e = lean_slot(cache["terms"], i)
    hit = (e[1] if e[0] == key else None) if e is not None else None
    if hit is not None:
        return hit, cache
    row, c1 = lean_upper_terms(rule, cache, eupu, m, t, p, lo, hi)
    return row, lean_with_terms(c1, rule.V * rule.n, i, (key, row))


def lean_filter(rule, tokens, m: int, q: int, wlo, whi, U) -> bool:  # noqa: ANN001
    total = 0
    for p in range(rule.n):
        u = U(q, m, tokens[p])[0]
        total = total + (u * whi[p] if 0 <= u else u * wlo[p])
    return total < 0


def lean_filter_opt(rule, tokens, m, q, wlo, whi, U) -> bool:  # noqa: ANN001
    return lean_filter(rule, tokens, m, q, wlo, whi, U) if U is not None else False


def lean_right(rule, cache: dict, tokens, U=None) -> tuple[bool, int]:  # noqa: ANN001
    m = lean_max_nat(tokens)
    q = tokens[rule.n - 1]
    wlo, whi = lean_weights(rule, cache, tokens)
    passed = lean_filter_opt(rule, tokens, m, q, wlo, whi, U)
    if passed:
        return True, -1
    eupu = lean_eupu_cached(rule, cache, q)
    equal = lean_all_equal_to(tokens, q)
    cache1 = cache
    ups = [0 for _ in range(rule.V)]
    for p in range(rule.n):
        if equal:
            terms, c1 = lean_upper_terms(rule, cache1, eupu, m, tokens[p], p, wlo[p], whi[p])
        else:
            terms, c1 = lean_terms_cached(rule, cache1, eupu, q, m, tokens[p], p, wlo[p], whi[p])
        cache1 = c1
        for j in range(rule.V):
            ups[j] = ups[j] + terms[j]
    witness = -1
    for j in range(rule.V):
        if witness == -1 and j != m and 0 <= ups[j]:
            witness = j
    return witness == -1, witness


def lean_right_once(rule, cache: dict, tokens) -> tuple[bool, int]:  # noqa: ANN001
    return lean_right(rule, cache, tokens, None)


def lean_wrong(rule, cache: dict, tokens, j: int) -> bool:  # noqa: ANN001
    m = lean_max_nat(tokens)
    q = tokens[rule.n - 1]
    wlo, whi = lean_weights(rule, cache, tokens)
    eupu = lean_eupu_cached(rule, cache, q)
    a = eupu[j] - eupu[m]
    cache1 = cache
    total = 0
    for p in range(rule.n):
        ev, c1 = lean_diff_cached(rule, cache1, True, tokens[p], m)
        pv, c2 = lean_diff_cached(rule, c1, False, p, m)
        cache1 = c2
        x = a + ev[j] + pv[j]
        total = total + (x * wlo[p] if 0 <= x else x * whi[p])
    return 0 <= total


def lean_counting_sort(order, key, bound: int) -> list[int]:  # noqa: ANN001
    counts = lean_replicate_nat(bound + 1, 0)
    for i in order:
        k = key[i]
        counts[k + 1] = counts[k + 1] + 1
    for k in range(bound):
        counts[k + 1] = counts[k + 1] + counts[k]
    out = lean_replicate_nat(len(order), 0)
    for i in order:
        k = key[i]
        out[counts[k]] = i
        counts[k] = counts[k] + 1
    return out


def lean_grouped(xs, V: int, n: int) -> list[int]:  # noqa: ANN001
    qs, ms, ident = [], [], []
    for i, x in enumerate(xs):
        tokens = lean_decode(x, V, n)
        qs.append(tokens[n - 1])
        ms.append(lean_max_nat(tokens))
        ident.append(i)
    return lean_counting_sort(lean_counting_sort(ident, ms, V), qs, V)


def lean_check_input_claims(residual, wrong, rule, cache: dict, covers, U):  # noqa: ANN001, ANN201
    """checkInputClaims; `residual` and `wrong` are the parsed claims (objects with .inputs/.witness) or None."""
    V, n = rule.V, rule.n
    res_deltas = residual.inputs if residual is not None else []
    res_idx = lean_indices(res_deltas, V, n, "residual")
    for i in lean_grouped(res_idx, V, n):
        x = res_idx[i]
        tokens = lean_decode(x, V, n)
        lean_require(not covers(tokens), f"residual[{x}]", "input already covered by the cases", lean_nat_list(tokens), "uncovered")
        ok, j = lean_right(rule, cache, tokens, U)
        if not ok:
            raise ClaimFailure(f"residual[{x}]", f"input {lean_nat_list(tokens)} is not proven right: logit {j} can reach the max token's", "up_j ≥ 0", "< 0")
    if wrong is None:
        return len(res_idx), None
    wc = wrong
    lean_require(len(wc.witness) == len(wc.inputs), "wrong", "one witness per input", str(len(wc.witness)), str(len(wc.inputs)))
    w_idx = lean_indices(wc.inputs, V, n, "wrong")
    for i in lean_grouped(w_idx, V, n):
        x = w_idx[i]
        tokens = lean_decode(x, V, n)
        j = wc.witness[i]
        m = lean_max_nat(tokens)
        cid = f"wrong[{x}]"
        lean_require(0 <= j and j < V and j != m, cid, "witness must be a logit index other than the max token", str(j), str(m))
        lean_require(not covers(tokens) and not lean_mem_sorted(res_idx, x), cid, "input is also claimed right (by the cases or residual)", lean_nat_list(tokens), "wrong")
        if not lean_wrong(rule, cache, tokens, max(j, 0)):
            raise ClaimFailure(cid, f"input {lean_nat_list(tokens)} is not proven wrong with witness logit {j}", "lo_j < 0", "≥ 0")
    return len(res_idx), len(w_idx)


# ============================================================================== Cubic.lean (v2 parts), transliterated
def lean_max_others(row, m: int) -> int:  # noqa: ANN001
    best, found = 0, False
    for j, x in enumerate(row):
        if j != m and (not found or best < x):
            best = x
            found = True
    return best


def lean_stars(mats, n: int):  # noqa: ANN001, ANN201
    """cubicDerived's E* and V* (with maxOthers), at the common exponent."""
    (A, e1), (B, e2), (P, e3) = mats["EUPU"], mats["EVOU"], mats["PVOU"]
    e = min(e1, e2, e3)
    A = [[x * 2 ** (e1 - e) for x in r] for r in A]
    B = [[x * 2 ** (e2 - e) for x in r] for r in B]
    P = [[x * 2 ** (e3 - e) for x in r] for r in P]
    V = len(A)
    p_star = [[max(P[p][j] - P[p][m] for p in range(n)) for j in range(V)] for m in range(V)]
    e_star = [[lean_max_others(A[q], m) - A[q][m] for m in range(V)] for q in range(V)]
    v_star = []
    for m in range(V):
        ps = p_star[m]
        row = []
        for t in range(V):
            shifted = [B[t][j] + ps[j] for j in range(V)]
            row.append(lean_max_others(shifted, m) - B[t][m])
        v_star.append(row)
    return e_star, v_star


def lean_fixed(tb, q: int, m: int, c: int):  # noqa: ANN001, ANN201 - CaseTables.fixed
    d = tb.d
    pos_row, tok_row = tb.pos[q], tb.tok[q]
    out = []
    for _, max_slots, others in cb.placements(d, q, c):
        slots = max_slots + [d.n - 1] if q == m else max_slots
        base = cb.group_term(d.U(q, m, m), tok_row[m], pos_row, slots)
        if q != m:
            base = dy_add(base, cb.group_term(d.U(q, m, q), tok_row[q], pos_row, [d.n - 1]))
        out.append((base, dy_sum([pos_row[p][1] for p in others]), dy_sum([pos_row[p][0] for p in others])))
    return out


def lean_A(tb, q: int, m: int, k: int):  # noqa: ANN001, ANN201 - CaseTables.A
    u = tb.d.U(q, m, k)
    iv = tb.tok[q][k]
    return (dy_mul(u, iv[1]), 1) if 0 <= dy_sign(u) else (dy_mul(u, iv[0]), -1)


def lean_key_lt(a, k: int, b, l: int) -> bool:  # noqa: ANN001, E741
    return dy_lt(a, b) or (not dy_lt(b, a) and k < l)


def lean_order(tb, q: int, m: int, k: int) -> int:  # noqa: ANN001 - CaseTables.order
    ak = lean_A(tb, q, m, k)
    rank = 0
    for k2 in range(m):
        a2 = lean_A(tb, q, m, k2)
        if a2[1] == ak[1] and lean_key_lt(a2[0], k2, ak[0], k):
            rank += 1
    return rank


def lean_in_prefix(tb, q: int, m: int, kp: int, kn: int, t: int) -> bool:  # noqa: ANN001
    a_t = lean_A(tb, q, m, t)
    bound = kp if 0 < a_t[1] else kn
    if bound < 0:
        return False
    a_b = lean_A(tb, q, m, bound)
    return not lean_key_lt(a_b[0], bound, a_t[0], t)


def lean_worst_ok(fx, parts):  # noqa: ANN001, ANN201 - CaseTables.worstOk
    ok, fail_name, fail_total = True, "", (0, 0)
    for idx, (base, s_plus, s_minus) in enumerate(fx):
        worst, found = (0, 0), False
        for a, cls in parts:
            tv = dy_mul(a, s_plus if 0 < cls else s_minus)
            if not found or dy_lt(worst, tv):
                worst = tv
            found = True
        total = dy_add(base, worst) if found else base
        if ok and 0 <= dy_sign(total):
            ok, fail_name, fail_total = False, "low" if idx == 0 else "high", total
    return ok, fail_name, fail_total


def lean_well_formed(q: int, m: int, c: int, V: int, n: int, seen: list[bool]) -> str:
    cid = f"case[{q},{m},{c}]"
    lean_require(0 <= q and q <= m and m < V, cid, "need 0 ≤ q ≤ m < d_vocab", f"({q}, {m})", str(V))
    c_max = n - 1 if q == m else n - 2
    lean_require(0 <= c and c <= c_max, cid, "c out of range for this (q, m)", str(c), str(n))
    idx = (q * V + m) * n + c
    lean_require(not seen[idx], cid, "case listed twice", f"({q}, {m}, {c})", "unique")
    seen[idx] = True
    return cid


def lean_single_input(q: int, m: int, n: int) -> list[int]:
    return [m for _ in range(max(n - 1, 0))] + [q]


def lean_check_c0(rule, cache: dict, q: int, m: int, n: int, cid: str) -> None:  # noqa: ANN001
    tokens = lean_single_input(q, m, n)
    ok, j = lean_right_once(rule, cache, tokens)
    if not ok:
        raise ClaimFailure(cid, f"the input {lean_nat_list(tokens)} is not proven right (input rule, logit {j})", "up_j ≥ 0", "< 0")


def lean_mk_coverage(tb) -> SimpleNamespace:  # noqa: ANN001
    d = tb.d
    return SimpleNamespace(tables=tb, cases=[("absent",)] * (d.V * d.V * d.n))


def lean_lower_tokens(tokens, m: int) -> list[int]:  # noqa: ANN001
    return [tokens[p] for p in range(len(tokens) - 1) if tokens[p] < m]


def lean_coverage_call(cov, tokens) -> bool:  # noqa: ANN001 - Coverage.call
    d = cov.tables.d
    m = lean_max_nat(tokens)
    q = tokens[d.n - 1]
    others = lean_lower_tokens(tokens, m)
    entry = cov.cases[(q * d.V + m) * d.n + len(others)]
    if entry[0] == "absent":
        return False
    if entry[0] == "single":
        return True
    if entry[0] == "tokens":
        return all(lean_mem_sorted(entry[1], t) for t in others)
    _, kp, kn = entry
    return all(lean_in_prefix(cov.tables, q, m, kp, kn, t) for t in others)


def lean_check_cases_v1(entries, tb, rule, cover, cache: dict) -> int:  # noqa: ANN001
    d = tb.d
    seen = [False] * (d.V * d.V * d.n)
    covered = 0
    for q, m, c, G in entries:
        cid = lean_well_formed(q, m, c, d.V, d.n, seen)
        idx = (q * d.V + m) * d.n + c
        if c == 0:
            lean_require(len(G) == 1 and G[0] == m, cid, "c = 0 must list exactly [m]", str(list(G)), f"[{m}]")
            lean_check_c0(rule, cache, q, m, d.n, cid)
            cover.cases[idx] = ("single",)
        else:
            in_range = all(0 <= k and k < m for k in G)
            increasing = all(G[i] < G[i + 1] for i in range(max(len(G) - 1, 0)))
            lean_require(0 < len(G), cid, "empty token set", str(len(G)), ">0")
            lean_require(in_range, cid, "tokens must lie in [0, m)", str(list(G)), str(m))
            lean_require(increasing, cid, "tokens must be strictly increasing", str(list(G)), "sorted")
            fx = lean_fixed(tb, q, m, c)
            for k in G:
                ok, name, total = lean_worst_ok(fx, [lean_A(tb, q, m, k)])
                if not ok:
                    raise ClaimFailure(f"{cid}/{k}", f"sign test fails at placement {name}", dy_str(total), "< 0")
            cover.cases[idx] = ("tokens", list(G))
        covered += lean_binom(d.n - 1, c) * len(G) ** c
    return covered


def lean_check_cases_v2(entries, tb, rule, cover, cache: dict) -> int:  # noqa: ANN001
    d = tb.d
    seen = [False] * (d.V * d.V * d.n)
    covered = 0
    for q, m, c, kp, kn in entries:
        cid = lean_well_formed(q, m, c, d.V, d.n, seen)
        idx = (q * d.V + m) * d.n + c
        if c == 0:
            lean_require(kp == -1 and kn == -1, cid, "c = 0 takes no boundary tokens (−1, −1)", f"({kp}, {kn})", "(-1, -1)")
            lean_check_c0(rule, cache, q, m, d.n, cid)
            cover.cases[idx] = ("single",)
            covered += 1
        else:
            lean_require(kp != -1 or kn != -1, cid, "empty token set: both boundaries are −1", f"({kp}, {kn})", "a token")
            parts, size = [], 0
            for k, cls in ((kp, 1), (kn, -1)):
                if k != -1:
                    lean_require(0 <= k and k < m, cid, "a boundary token must lie in [0, m)", str(k), str(m))
                    ak = lean_A(tb, q, m, k)
                    lean_require(ak[1] == cls, cid, "boundary token of the wrong class (sign of U[q,m,k])", str(k), "+" if 0 < cls else "−")
                    parts.append(ak)
                    size = size + lean_order(tb, q, m, k) + 1
            ok, name, total = lean_worst_ok(lean_fixed(tb, q, m, c), parts)
            if not ok:
                worst_k = kp if kp != -1 else kn
                raise ClaimFailure(f"{cid}/{worst_k}", f"sign test of the worst token fails at placement {name}", dy_str(total), "< 0")
            cover.cases[idx] = ("bounds", kp, kn)
            covered += lean_binom(d.n - 1, c) * size**c
    return covered


def lean_check_cubic(claims, w):  # noqa: ANN001, ANN201
    """checkCubic. checkInvSqrt, checkExpEnclosure and cubicDerived are the reviewed mirrors of Python's."""
    cfg = w.cfg
    n = cfg.n_ctx
    mats = exact_matrices(w)
    r = cb.check_inv_sqrt(claims.inv_sqrt_d_head, cfg.d_head)
    lean_require(claims.exp_eqke.of == "EQKE", "exp_eqke", "must enclose EQKE", claims.exp_eqke.of, "EQKE")
    lean_require(claims.exp_eqkp.of == "EQKP", "exp_eqkp", "must enclose EQKP", claims.exp_eqkp.of, "EQKP")
    tok = cb.check_exp_enclosure("exp_eqke", claims.exp_eqke, mats["EQKE"], r)
    pos = cb.check_exp_enclosure("exp_eqkp", claims.exp_eqkp, mats["EQKP"], r)
    d = cb.CubicDerived(mats, n)
    tb = SimpleNamespace(d=d, tok=tok, pos=pos)
    rule = lean_mk_input_rule(w, r, dict(mats))
    cover = lean_mk_coverage(tb)
    cache = lean_empty_input_cache(d.V)
    if claims.cases.rule == "cubic-case":
        covered = lean_check_cases_v1(claims.cases.entries, tb, rule, cover, cache)
    else:
        covered = lean_check_cases_v2(claims.cases.entries, tb, rule, cover, cache)
    right, wrong = lean_check_input_claims(claims.residual, claims.wrong, rule, cache, lambda t: lean_coverage_call(cover, t), d.U)
    return covered + right, wrong


# ============================================================================== Subcubic.lean (v2 parts), transliterated
def lean_max_bits(a) -> int:  # noqa: ANN001
    best = 0
    for row in a[0]:
        for x in row:
            b = lean_bitlen(abs(x))
            if best < b:
                best = b
    return best


def lean_qk_side(md, qk: str, ch, V: int):  # noqa: ANN001, ANN201 - qkSide (the chain functions: reviewed mirrors)
    Fp: list = []
    if qk == sc.QK_EXACT:
        if len(ch.peels) != 0:
            raise LeanMalformed("claims.choices.peels")
        A = sc.exact_eqke_tok(md)
    else:
        F = sc.chain_factors(md, qk)
        pieces = sc.peel_pieces(F, ch, None)
        Fp = sc.peel(F, pieces)
        for i, f in enumerate(Fp):
            if 384 < lean_max_bits(f):
                raise LeanMalformed(f"claims.choices.peels[{i}]")
        A = sc.approx_matrix(Fp, pieces, V, V)
    eps = sc.epsilon(qk, Fp, ch, V, None)
    e0 = min(A[1], eps[1])
    rows = [[x * 2 ** max(A[1] - e0, 0) for x in r] for r in A[0]]
    return (rows, e0), ([x * 2 ** max(eps[1] - e0, 0) for x in eps[0]], e0), e0, [lean_running(r, True) for r in rows], [lean_running(r, False) for r in rows]


def lean_positions(md, r, n: int):  # noqa: ANN001, ANN201 - positions
    eqkp = sc.eqkp_err(md)
    pi_tab = sc.pi_bounds(eqkp, r)
    order = sc.position_order(eqkp, n)
    masses = []
    for q in range(len(pi_tab)):
        row, srt = pi_tab[q], order[q]
        by_c = [[]]
        for c0 in range(max(n - 1, 0)):
            c = c0 + 1
            by_same = []
            for same in (True, False):
                k = max(n - 1 - c, 0) if same else max(n - c, 0)
                out = []
                for low in (True, False):
                    mx, rest = [], []
                    for i, p in enumerate(srt):
                        take = (i < k) if low else (max(len(srt) - k, 0) <= i)
                        if take:
                            mx.append(p)
                        else:
                            rest.append(p)
                    if same:
                        mx.append(n - 1)
                    else:
                        rest.append(n - 1)
                    Y = dy_sum([row[p][0] if low else row[p][1] for p in mx])
                    Z = dy_sum([row[p][1] if low else row[p][0] for p in rest])
                    out.append((Y, Z))
                by_same.append((out[0], out[1]))
            by_c.append(by_same)
        masses.append(by_c)
    return pi_tab, order, masses


def lean_holds(ck, masses, q: int, m: int, c: int, g: int, hv):  # noqa: ANN001, ANN201 - SubcubicChecker.holds
    e0 = ck.e0
    mM = max(m - g, 0)
    a = ck.A[0][q][m]
    eps = ck.eps[0][q]
    d_lo = a - ck.a_max[q][mM] - eps
    d_hi = a - ck.a_min[q][mM] + eps
    r_lo, re, r_hi = ck.r[0][0], ck.r[0][1], ck.r[1][0]
    k_hi = lean_exp_bounds_e((-d_lo * (r_hi if d_lo <= 0 else r_lo), e0 + re))[1]
    k_lo = lean_exp_bounds_e((-d_hi * (r_lo if d_hi <= 0 else r_hi), e0 + re))[0]
    same_idx = 0 if q == m else 1
    ms = masses[q][c][same_idx]
    hm, he = hv
    vm, ve = ck.avg[m][c]
    W = ck.w_max[mM]
    eR = ck.ov.e_ev
    E, eE = ck.d_eu[0][q], ck.d_eu[1]
    ok, fail_name, fail_total = True, "", (0, 0)
    for idx in (0, 1):
        if ok:
            Y, Z = ms[0] if idx == 0 else ms[1]
            kap = k_hi if idx == 0 else k_lo
            if Y[0] <= 0:
                raise ClaimFailure(f"case[{q},{m},{c}]", "positional mass of the max slots must be > 0", dy_str(Y), "0")
            kz = kap[0] * Z[0]
            ekz = kap[1] + Z[1]
            eD = min(Y[1], ekz)
            y = Y[0] * 2 ** max(Y[1] - eD, 0)
            D = y + kz * 2 ** max(ekz - eD, 0)
            nmv = y - vm * D * 2 ** max(ve, 0) if 0 <= ve else y * 2 ** max(-ve, 0) - vm * D
            en = eD if 0 <= ve else eD + ve
            R = ck.ov.r_max[m] if 0 <= nmv else ck.ov.r_min[m]
            e1, e2, e3, e4 = eD + he, en + eR, eD + eR, eD + eE
            e = min(min(e1, e2), min(e3, e4))
            total = (D * hm * 2 ** max(e1 - e, 0) + nmv * R * 2 ** max(e2 - e, 0)
                     + (D - y) * W * 2 ** max(e3 - e, 0) + D * E * 2 ** max(e4 - e, 0))  # fmt: skip
            if 0 <= total:
                ok, fail_name, fail_total = False, "a_lo" if idx == 0 else "a_hi", (total, e)
    return ok, fail_name, fail_total


def lean_eqkp_exact(w):  # noqa: ANN001, ANN201
    mE, mP = tensor(w, "W_E"), tensor(w, "W_pos")
    etq = add_row(mE, mP[0][w.cfg.n_ctx - 1], mP[1])
    return matmul(etq, matmul(tensor(w, "W_Q"), transpose(matmul(mP, tensor(w, "W_K")))))


def lean_subcubic_covers(gaps: list[int], V: int, n: int, tokens) -> bool:  # noqa: ANN001
    m = lean_max_nat(tokens)
    q = tokens[n - 1]
    low = [t for t in tokens if t < m]
    g = gaps[(q * V + m) * n + len(low)]
    if g == 0:
        return False
    return all(not (m - g < t) for t in low)


def lean_check_subcubic(params, claims, w):  # noqa: ANN001, ANN201
    """checkSubcubic: the checker is Python's SubcubicChecker (mkSubcubicChecker mirrors its constructor; its new
    parts qkSide and positions are compared separately below), the rest transliterated."""
    ck = sc.SubcubicChecker(w, params, claims)
    md = sc.Model(w, sc.choice_vec(claims.choices.key_pos_centre, w.cfg.d_model, "key_pos_centre", None))
    masses = lean_positions(md, ck.r, ck.n)[2]
    h_tab = [[lean_h(ck, m, c) for c in range(ck.n)] for m in range(ck.V)]
    rule = lean_mk_input_rule(w, ck.r, {"EVOU": (ck.ov.evou, ck.ov.e_ev), "PVOU": (ck.ov.pvou, ck.ov.e_pv), "EQKP": lean_eqkp_exact(w)})
    cache = lean_empty_input_cache(ck.V)
    seen = [False] * (ck.V * ck.V * ck.n)
    gaps = [0] * (ck.V * ck.V * ck.n)
    total = 0
    for e in claims.cases.entries:
        seen = lean_check_well_formed(tuple(e), ck.V, ck.n, seen)
        q, m, c, g = e
        cid = f"case[{q},{m},{c}]"
        if c == 0:
            tokens = lean_replicate_nat(ck.n, m)
            ok, j = lean_right_once(rule, cache, tokens)
            if not ok:
                raise ClaimFailure(cid, f"the input {lean_nat_list(tokens)} is not proven right (input rule, logit {j})", "up_j ≥ 0", "< 0")
        else:
            ok, name, tot = lean_holds(ck, masses, q, m, c, g, h_tab[m][c])
            if not ok:
                raise ClaimFailure(cid, f"output bound B({name}) must be < 0 (shown: D·B({name}) with D > 0)", dy_str(tot), "0")
        total += lean_coverage(ck.n, q, m, c, g, params.count)
        gaps[(q * ck.V + m) * ck.n + c] = g
    if claims.residual is None and claims.wrong is None:
        return total, None
    right, wrong = lean_check_input_claims(claims.residual, claims.wrong, rule, cache, lambda t: lean_subcubic_covers(gaps, ck.V, ck.n, t), None)
    return total + right, wrong


# ============================================================================== Check.lean, transliterated
def lean_check_certificate(path: Path, **verify):  # noqa: ANN201 - checkCertificateE (weights parsed by Python: shadow-tested apart)
    """`verify`: the induction case rule's transliteration to use (test_lean_induction.py)."""
    lean_parse_certificate(path.read_text(encoding="utf-8"))
    cert, claims = load_certificate(path)  # the same data, typed
    w = weights_io.load(path.parent / cert.model.weights)
    lean_require(w.sha256 == cert.model.sha256, "model.sha256", "weights payload hash differs", w.sha256, cert.model.sha256)
    lean_require(w.task == cert.task_name, "task", "the weights are of another task", cert.task_name, w.task)
    lean_require(w.cfg == cert.config, "config", "certificate config differs from the weights'", "", "")
    maxk = cert.task_name == "maxk"
    if not maxk:
        from lean_induction import lean_check_induction

        correct, wrong = lean_check_induction(cert.typed_params().depth, claims, w, **verify)
    elif cert.strategy.name in ("cubic", "cubic+residual"):
        correct, wrong = lean_check_cubic(claims, w)
    else:
        params = cert.typed_params()
        variant = f"{params.eupu};{params.attention};{params.qk}"
        lean_require(params.variant == variant, "strategy.params", "variant must equal eupu;attention;qk", params.variant, variant)
        correct, wrong = lean_check_subcubic(params, claims, w)
    cfg = cert.config
    if maxk:
        total = cfg.d_vocab**cfg.n_ctx
    else:
        from lean_induction import lean_n_inputs

        total = lean_n_inputs(cfg.d_vocab, cfg.n_ctx)
    lean_require(cert.bound.total == total, "bound", "total must be d_vocab^n_ctx" if maxk else "total must be the number of inputs of the task", "", "")
    lean_require(cert.bound.correct == correct, "bound", "claimed count differs from the covered count", "", "")
    if wrong is None:
        return correct, total, None
    upper = total - wrong
    lean_require(cert.bound.upper == upper, "bound", "claimed upper bound differs from total − proven-wrong inputs", "", "")
    return correct, total, upper


def python_check(path: Path):  # noqa: ANN201
    r = check(path)
    return r.correct, r.total, r.upper


def test_transliterated_text_is_current():
    """The Lean lines the transliterations above follow are still there."""
    inputs = (LEAN / "Inputs.lean").read_text(encoding="utf-8")
    cubic = (LEAN / "Cubic.lean").read_text(encoding="utf-8")
    sub = (LEAN / "Subcubic.lean").read_text(encoding="utf-8")
    check_text = (LEAN / "Check.lean").read_text(encoding="utf-8")
    for needle in (
        "for _ in List.range (bitlen xs.size + 1) do",
        "out := out.push (rest % V)",
        'if i == 0 && decide (d < 0) then',
        'return (out, some (CheckError.claim s!"{cid}[{d}]" "the first input index must be ≥ 0" (toString d) "0"))',
        'if i != 0 && decide (d < 1) then',
        'return (out, some (CheckError.claim s!"{cid}[{x}]"',
        '"inputs must be strictly increasing (a delta of 0 lists one twice)" (toString d) "1"))',
        "x := if i == 0 then d else x + d",
        "if !decide (x < Int.ofNat total) then",
        "return (out, some (CheckError.claim s!\"{cid}[{x}]\" what (toString x) (toString total)))",
        'match indicesPrefix deltas (V ^ n) "input index out of range (must be < d_vocab^n_ctx)" cid with',
        "let lowest : Int := intMin iv.1.e iv.2.e",
        "| none => intMin mE.e mP.e + mU.e",
        "{ V := w.cfg.dVocab, n := w.cfg.nCtx, r := r, e := intMin eEupu (intMin ovm.1.e ovm.2.e),",
        "let row : Mat := matmul (Mat.mk #[rule.et.rows[q]!] rule.et.e) rule.wU",
        "| none => dotRows (rule.etqk.rows[q]!) rule.etqk.e (if isE then rule.wE else rule.wPos)",
        "let xLo : Dy := if 0 ≤ a.m then x1 else x2",
        "let pr ← rule.pos cache q",
        "if allEqualTo tokens q then",
        "let tr ← rule.tok pr.2 q",
        "wlo := wlo.push (tlo[t]! * plo[p]!)",
        "let f : Int := pow2 s",
        "values.map (fun v => v * f)",
        "return { tok := rows, pos := rows, eupu := eupu, diff := #[], terms := #[] }",
        "if i < xs.size then xs[i]! else none",
        "let slots : Array (Option (Array Int)) := if diff.size == 0 then noneSlots k else diff",
        "⟨tok, pos, eupu, slots.set! i (some row), terms⟩",
        "let slots : Array (Option (Nat × Array Int)) := if terms.size == 0 then noneSlots k else terms",
        "⟨tok, pos, eupu, diff, slots.set! i (some entry)⟩",
        "align (r.map (fun x => x - rm)) mat.e rule.e",
        "let i : Nat := (if isEv then 0 else rule.V * rule.V) + row * rule.V + m",
        "(d, cache.withDiff (rule.V * rule.V + rule.n * rule.V) i d)",
        "let (ev, c1) := rule.diffCached cache true t m",
        "let (pv, c2) := rule.diffCached c1 false p m",
        "out := out.push (eupu[j]! - em + ev[j]! + pv[j]!)",
        "let (row, c1) := rule.nRow cache eupu m t p",
        "(row.map (fun x => if 0 ≤ x then x * hi else x * lo), c1)",
        "let key : Nat := q * rule.V + m",
        "let i : Nat := t * rule.n + p",
        "| some e => if e.1 == key then some e.2 else none",
        "(row, c1.withTerms (rule.V * rule.n) i (key, row))",
        "let equal : Bool := allEqualTo tokens q",
        "if equal then rule.upperTerms cache1 eupu m (tokens[p]!) p (wlo[p]!) (whi[p]!)",
        "else rule.termsCached cache1 eupu q m (tokens[p]!) p (wlo[p]!) (whi[p]!)",
        "return ((witness == -1, witness), cache1)",
        "let (ev, c1) := rule.diffCached cache1 true (tokens[p]!) m",
        "let x : Int := a + ev[j]! + pv[j]!",
        "total := total + (if 0 ≤ u then u * whi[p]! else u * wlo[p]!)",
        "if witness == -1 && j != m && decide (0 ≤ ups[j]!) then",
        "let a : Int := eupu[j]! - eupu[m]!",
        "total := total + (if 0 ≤ x then x * wlo[p]! else x * whi[p]!)",
        "return (decide (0 ≤ total), cache1)",
        "counts := counts.set! (k + 1) (counts[k + 1]! + counts[k]!)",
        "return countingSort (countingSort ident ms V) qs V",
        "require (!(covers tokens)) s!\"residual[{x}]\" \"input already covered by the cases\" (natList tokens) \"uncovered\"",
        "require (decide (0 ≤ j) && decide (j < Int.ofNat V) && j != Int.ofNat m) cid",
        "require (!(covers tokens) && !(memSorted resIdx x)) cid",
    ):
        assert needle in inputs, needle
    for needle in (
        "row := row.push (maxOthers rowA m - rowA[m]!)",
        "row := row.push (maxOthers shifted m - rowB[m]!)",
        "let slots : Array Nat := if q == m then pl.maxSlots.push (d.n - 1) else pl.maxSlots",
        "if 0 ≤ dySign u then (dyMul u iv.2, 1) else (dyMul u iv.1, -1)",
        "dyLt a b || (!(dyLt b a) && decide (k < l))",
        "if a2.2 == ak.2 && keyLt a2.1 k2 ak.1 k then",
        "let bound : Int := if 0 < aT.2 then kp else kn",
        "!(keyLt aB.1 bound.toNat aT.1 t)",
        "let tv : Dy := dyMul part.1 (if 0 < part.2 then sPlus else sMinus)",
        "if ok && decide (0 ≤ dySign total) then",
        "let cMax : Int := if q == m then nn - 1 else nn - 2",
        "size := size + tables.order q m k.toNat + 1",
        "let worstK : Int := if kp != -1 then kp else kn",
        "covered := covered + binom (d.n - 1) c * size ^ c",
        "covered := covered + binom (d.n - 1) c * G.size ^ c",
        "match cov.cases[(q * d.V + m) * d.n + others.size]! with",
    ):
        assert needle in cubic, needle
    for needle in (
        "if peeledBits < maxBits f then",
        "let e0 : Int := intMin A.e eps.e",
        "let take : Bool := if low then decide (i < k) else decide (srt.size - k ≤ i)",
        "let kHi : Dy := (← expBoundsE (Dy.mk (-dLo * (if dLo ≤ 0 then rHi else rLo)) (e0 + re))).2",
        "let kLo : Dy := (← expBoundsE (Dy.mk (-dHi * (if dHi ≤ 0 then rLo else rHi)) (e0 + re))).1",
        "let D : Int := y + kz * pow2 (ekz - eD).toNat",
        "let nmv : Int := if 0 ≤ ve then y - vm * D * pow2 ve.toNat else y * pow2 (-ve).toNat - vm * D",
        "let e : Int := intMin (intMin e1 e2) (intMin e3 e4)",
        "let total : Int := D * hm * pow2 (e1 - e).toNat + nmv * R * pow2 (e2 - e).toNat +",
        "(D - y) * W * pow2 (e3 - e).toNat + D * E * pow2 (e4 - e).toNat",
        "if Int.ofNat m - g < Int.ofNat t then",
        "matmul etq (matmul (tensor w.wQ) (transpose (matmul mP (tensor w.wK))))",
    ):
        assert needle in sub, needle
    for needle in (
        "let upper : Nat := total - counts.2.getD 0",
        'require (w.task == cert.task) "task" "the weights are of another task" cert.task w.task',
        'let total : Nat := if maxk then cfg.dVocab ^ cfg.nCtx else nInputs cfg.dVocab cfg.nCtx',
        '| StrategyClaims.induction depth claims => checkInduction depth claims w',
        "require (cert.boundUpper == some (Int.ofNat upper)) \"bound\"",
        "result.correct == correct && result.upper == some upper && result.total == total",
    ):
        assert needle in check_text, needle


# ============================================================================== test models and certificates
def inv_sqrt(d: int) -> dict:
    lo = math.isqrt((1 << 128) // d)
    return {"rule": "inv-sqrt", "lo": lo, "hi": lo + 1, "exp": -64}


def r_of(claim: dict) -> tuple[tuple[int, int], tuple[int, int]]:
    return (claim["lo"], claim["exp"]), (claim["hi"], claim["exp"])


def exp_claim(of: str, scores, r) -> dict:  # noqa: ANN001
    """The tightest valid enclosure claims at 64-bit mantissas (as the producer rounds)."""
    rows, e = scores
    out = {"rule": "exp-enclosure", "of": of, "exp": [], "lo": [], "hi": []}
    for row in rows:
        er, lr, hr = [], [], []
        for a in row:
            x1, x2 = dy_mul((a, e), r[0]), dy_mul((a, e), r[1])
            x_lo, x_hi = (x1, x2) if a >= 0 else (x2, x1)
            lo, hi = exp_bounds(x_lo)[0], exp_bounds(x_hi)[1]
            k = max(lo[0].bit_length() - 64, 0)
            ex = lo[1] + k
            lr.append(lo[0] >> k)
            hr.append(-((-hi[0]) >> (ex - hi[1])) if ex >= hi[1] else hi[0] << (hi[1] - ex))
            er.append(ex)
        out["exp"].append(er)
        out["lo"].append(lr)
        out["hi"].append(hr)
    return out


def random_model(rng: random.Random, V: int, n: int, dm: int = 3, d: int = 2):  # noqa: ANN201
    return _random_weights(rng, V, n, dm, d)


def cubic_doc(w, version: int, cases: dict, **extra) -> dict:  # noqa: ANN001
    cfg = w.cfg
    mats = exact_matrices(w)
    isq = inv_sqrt(cfg.d_head)
    r = r_of(isq)
    claims = {"inv_sqrt_d_head": isq, "exp_eqke": exp_claim("EQKE", mats["EQKE"], r),
              "exp_eqkp": exp_claim("EQKP", mats["EQKP"], r), "cases": cases, **extra}  # fmt: skip
    return {
        "format": "mechproof-certificate", "version": version,
        "model": {"weights": "weights.json", "sha256": w.sha256}, "config": cfg.model_dump(),
        "strategy": {"name": "cubic+residual" if "residual" in extra else "cubic", "params": {}},
        "claims": claims, "bound": {"correct": 0, "total": cfg.d_vocab**cfg.n_ctx},
    }  # fmt: skip


def write(doc: dict, w, tmp: Path, name: str = "cert.json") -> Path:  # noqa: ANN001
    weights_io.save(w, tmp / "weights.json")
    path = tmp / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def tables_and_rule(w, doc: dict):  # noqa: ANN001, ANN201
    """Python's CaseTables, InputRule and U for a cubic certificate document (claims checked)."""
    mats = exact_matrices(w)
    isq = doc["claims"]["inv_sqrt_d_head"]
    r = r_of(isq)
    claims = load_claims(doc)
    tok = cb.check_exp_enclosure("exp_eqke", claims.exp_eqke, mats["EQKE"], r)
    pos = cb.check_exp_enclosure("exp_eqkp", claims.exp_eqkp, mats["EQKP"], r)
    d = cb.CubicDerived(mats, w.cfg.n_ctx)
    return cb.CaseTables(d, tok, pos), ip.InputRule(w, r, mats), mats, r


def load_claims(doc: dict):  # noqa: ANN201
    from mechproof.tasks.maxk.schema import CLAIM_SCHEMAS

    return CLAIM_SCHEMAS[doc["strategy"]["name"]].model_validate(doc["claims"])


def all_inputs(V: int, n: int):  # noqa: ANN201
    return [tuple(ip.decode(x, V, n)) for x in range(V**n)]


def delta(xs: list[int]) -> list[int]:
    return [xs[0]] + [b - a for a, b in zip(xs, xs[1:])] if xs else []


# ============================================================================== the input rule
@pytest.mark.parametrize("seed", range(6))
def test_input_rule_matches_python_on_every_input(seed):
    """right (with and without the U filter) and wrong for every input and witness of random models, with the
    matrices given (cubic) and formed row by row (subcubic: no EUPU, no EQKE)."""
    rng = random.Random(100 + seed)
    V, n = rng.choice([(3, 3), (4, 3), (4, 2), (3, 4)])
    w = random_model(rng, V, n)
    doc = cubic_doc(w, 2, {"rule": "cubic-prefix", "entries": []})
    tb, _, mats, r = tables_and_rule(w, doc)
    ov = lean_input_rule_ov(w)
    for given in (dict(mats), {"EVOU": ov[0], "PVOU": ov[1], "EQKP": lean_eqkp_exact(w)}, {}):
        py = ip.InputRule(w, r, given)
        lean = lean_mk_input_rule(w, r, given)
        assert lean.e == py.e
        cache = lean_empty_input_cache(V)
        rights = wrongs = 0
        for tokens in all_inputs(V, n):
            assert lean_weights(lean, cache, list(tokens)) == py.weights(tokens)
            for U in (None, tb.d.U):
                ok = py.right(tokens, U)
                assert lean_right(lean, cache, list(tokens), U) == ok, tokens
                rights += ok[0]
            for j in range(V):
                if j != max(tokens):
                    got = py.wrong(tokens, j)
                    assert lean_wrong(lean, cache, list(tokens), j) == got
                    wrongs += got
            assert lean_right_once(lean, cache, list(tokens)) == py.right(tokens)
        assert rights > 0 and wrongs > 0, (rights, wrongs)
        for q in range(V):
            assert lean_eupu_row(lean, q) == py.eupu_row(q)
            assert lean_row(lean, True, q) == py._row("EQKE", q, V)
            assert lean_row(lean, False, q) == py._row("EQKP", q, n)


@pytest.mark.slow
def test_input_rule_on_seed42_inputs():
    """The committed seed-42 model (V = 64, n = 4): 3000 random inputs, right with and without the U filter, and
    wrong for three witnesses each, with the matrices of the cubic certificate and with the subcubic ones."""
    path = CERTS / "seed42" / "cubic.json"
    cert, claims = load_certificate(path)
    w = weights_io.load(path.parent / cert.model.weights)
    mats = exact_matrices(w)
    r = cb.check_inv_sqrt(claims.inv_sqrt_d_head, w.cfg.d_head)
    d = cb.CubicDerived(mats, w.cfg.n_ctx)
    rng = random.Random(31)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    inputs = [tuple(rng.randrange(V) for _ in range(n)) for _ in range(3000)]
    inputs += [(m,) * (n - 1) + (q,) for m in range(0, V, 7) for q in range(0, m + 1, 5)]
    ov = (mats["EVOU"], mats["PVOU"])
    verdicts = set()
    for given in (dict(mats), {"EVOU": ov[0], "PVOU": ov[1], "EQKP": lean_eqkp_exact(w)}):
        py = ip.InputRule(w, r, given)
        lean = lean_mk_input_rule(w, r, given)
        cache = lean_empty_input_cache(V)
        for k, tokens in enumerate(inputs):
            U = d.U if k % 2 else None
            got = lean_right(lean, cache, list(tokens), U)
            assert got == py.right(tokens, U), tokens
            verdicts.add(got[0])
            if k % 10 == 0:
                for j in rng.sample([j for j in range(V) if j != max(tokens)], 3):
                    assert lean_wrong(lean, cache, list(tokens), j) == py.wrong(tokens, j)
    assert verdicts == {True, False}


def test_input_rule_exp_limit_is_malformed_at_the_same_point():
    """A huge r (a valid inv-sqrt claim can have hi up to 2^256): both sides fail on the first row they form, with
    malformed input (exp argument)."""
    rng = random.Random(7)
    w = random_model(rng, 3, 2)
    r = ((1, -300), (1, 200))
    py = ip.InputRule(w, r, {})
    lean = lean_mk_input_rule(w, r, {})
    for tokens in all_inputs(3, 2):
        assert outcome(lean_right, lean, lean_empty_input_cache(3), list(tokens)) == outcome(py.right, tokens)


def test_indices_grouping_and_search_match_python():
    rng = random.Random(8)
    for _ in range(3000):
        V, n = rng.randint(2, 5), rng.randint(1, 4)
        total = V**n
        deltas = [rng.randint(-1, 3) if rng.random() < 0.3 else rng.randint(0, total) for _ in range(rng.randint(0, 8))]
        if rng.random() < 0.5 and deltas:
            deltas = [abs(deltas[0])] + [rng.randint(1, 3) for _ in deltas[1:]]
        got = outcome(lean_indices, deltas, V, n, "residual")
        want = outcome(lambda: list(ip.indices(deltas, V, n, "residual")))
        assert got == want, deltas
        if got[0] == "ok":
            xs = got[1]
            assert [xs[i] for i in lean_grouped(xs, V, n)] == [x for x, _ in ip._grouped(xs, V, n)]
            assert [tuple(lean_decode(x, V, n)) for x in xs] == [ip.decode(x, V, n) for x in xs]
            for x in range(-1, total + 1):
                assert lean_mem_sorted(xs, x) == (x in xs)


# ============================================================================== cubic v1 and v2 cases
def _holding(tb, rule, q: int, m: int, c: int) -> list[int]:  # noqa: ANN001
    """The tokens k < m whose pure-input test holds for the case (q, m, c) (c ≥ 1), or [m] if c = 0 and its input is
    proven right."""
    if c == 0:
        return [m] if rule.right_once(cb._single_input(q, m, tb.d.n))[0] else []
    return [k for k in range(m) if tb.worst_ok(q, m, c, [tb.A(q, m, k)])[0]]


def _keys(V: int, n: int) -> list[tuple[int, int, int]]:
    return [(q, m, c) for q in range(V) for m in range(q, V) for c in range(0, (n - 1 if q == m else n - 2) + 1)]


def _break(rng: random.Random, entries: list, V: int, n: int, v2: bool) -> list:
    """A few entries broken in one field (out of range, repeated, wrong class, ...), inserted anywhere."""
    entries = copy.deepcopy(entries)
    for _ in range(rng.randint(1, 3)):
        e = copy.deepcopy(rng.choice(entries)) if entries else ([0, 1, 1, 0, -1] if v2 else [0, 1, 1, [0]])
        k = rng.randrange(len(e))
        if not v2 and k == 3:
            e[3] = rng.choice([[], [1, 0], [0, 0], [e[1]], [-1], list(range(max(e[1], 1)))])
        else:
            e[k] = rng.choice([-2, -1, 0, 1, V, V - 1, n - 1, n])
        entries.insert(rng.randint(0, len(entries)), e)
    return entries


def _some_keys(rng: random.Random, V: int, n: int) -> list[tuple[int, int, int]]:
    """A random non-empty selection of the case keys (q, m, c), in random order."""
    keys = _keys(V, n)
    rng.shuffle(keys)
    return keys[: rng.randint(1, len(keys))]


def random_v2_entries(rng: random.Random, tb, rule, V: int, n: int, valid_only: bool) -> list[list[int]]:  # noqa: ANN001
    """Random cubic-prefix entries whose tests hold (the boundaries drawn among the tokens that pass), plus, with
    `valid_only` off, a few broken ones."""
    entries = []
    for q, m, c in _some_keys(rng, V, n):
        ok = _holding(tb, rule, q, m, c)
        if c == 0:
            if ok:
                entries.append([q, m, 0, -1, -1])
            continue
        plus, minus, _ = tb.order(q, m)
        kp = rng.choice([k for k in ok if k in plus] + [-1])
        kn = rng.choice([k for k in ok if k in minus] + [-1])
        if kp != -1 or kn != -1:
            entries.append([q, m, c, kp, kn])
    return entries if valid_only else _break(rng, entries, V, n, True)


def random_v1_entries(rng: random.Random, tb, rule, V: int, n: int, valid_only: bool) -> list[list]:  # noqa: ANN001
    entries = []
    for q, m, c in _some_keys(rng, V, n):
        ok = _holding(tb, rule, q, m, c)
        if c == 0:
            if ok:
                entries.append([q, m, 0, [m]])
        elif ok:
            entries.append([q, m, c, sorted(rng.sample(ok, rng.randint(1, len(ok))))])
    return entries if valid_only else _break(rng, entries, V, n, False)


@pytest.mark.parametrize("seed", range(8))
def test_cubic_cases_and_coverage_match_python(seed):
    """check_cases_v1 / check_cases_v2 and Coverage on random models and random (valid and broken) case lists: the
    same covered count or the same first failing claim, and the same coverage of every input."""
    rng = random.Random(200 + seed)
    V, n = rng.choice([(4, 3), (5, 3), (3, 4)])
    w = random_model(rng, V, n)
    doc = cubic_doc(w, 2, {"rule": "cubic-prefix", "entries": []})
    tb, rule, mats, r = tables_and_rule(w, doc)
    lean_tb = SimpleNamespace(d=tb.d, tok=tb.tok, pos=tb.pos)
    e_star, v_star = lean_stars(mats, n)
    assert e_star == tb.d.e_star and v_star == tb.d.v_star
    outcomes = set()
    for trial in range(12):
        for version in (1, 2):
            valid = trial % 3 != 0
            entries = (random_v2_entries if version == 2 else random_v1_entries)(rng, tb, rule, V, n, valid)
            py_cover = cb.Coverage(tb)
            lean_cover = lean_mk_coverage(lean_tb)
            lean_rule = lean_mk_input_rule(w, r, dict(mats))
            fn_py = cb.check_cases_v2 if version == 2 else cb.check_cases_v1
            fn_lean = lean_check_cases_v2 if version == 2 else lean_check_cases_v1
            want = outcome(fn_py, entries, tb, rule, py_cover)
            got = outcome(fn_lean, entries, lean_tb, lean_rule, lean_cover, lean_empty_input_cache(V))
            assert got == want, (version, entries)
            outcomes.add(want[0])
            if want[0] == "ok":
                for tokens in all_inputs(V, n):
                    assert lean_coverage_call(lean_cover, list(tokens)) == py_cover(tokens), tokens
                assert sum(py_cover(t) for t in all_inputs(V, n)) == want[1]  # disjoint, and counted right
    assert outcomes == {"ok", "claim"}


def test_cubic_prefix_ranks_and_keys_match_python():
    rng = random.Random(9)
    for _ in range(4):
        V, n = 6, 3
        w = random_model(rng, V, n)
        doc = cubic_doc(w, 2, {"rule": "cubic-prefix", "entries": []})
        tb, _, _, _ = tables_and_rule(w, doc)
        for q in range(V):
            for m in range(q, V):
                plus, minus, A = tb.order(q, m)
                for k in range(m):
                    a, cls = lean_A(tb, q, m, k)
                    assert (a, cls) == tb.A(q, m, k) and a == A[k]
                    assert lean_order(tb, q, m, k) == (plus if cls > 0 else minus)[k]
                for kp in [-1, *plus]:
                    for kn in [-1, *minus]:
                        for t in range(m):
                            want = (t in plus and kp != -1 and plus[t] <= plus[kp]) or (t in minus and kn != -1 and minus[t] <= minus[kn])
                            assert lean_in_prefix(tb, q, m, kp, kn, t) == want
                for c in range(1, n - (1 if q == m else 2) + 1):
                    assert lean_fixed(tb, q, m, c) == tb.fixed(q, m, c)
                    parts = [tb.A(q, m, k) for k in rng.sample(range(m), min(m, 2))] if m else []
                    if parts:
                        assert lean_worst_ok(tb.fixed(q, m, c), parts) == tb.worst_ok(q, m, c, parts)


# ============================================================================== residual and wrong
def input_claims(rng: random.Random, V: int, n: int, covers, right, wrong_witness, plant: bool):  # noqa: ANN001, ANN201
    """Residual and wrong claims from the verdicts (every uncovered input proven right / wrong), optionally with one
    planted mistake."""
    res, wr, wit = [], [], []
    for x in range(V**n):
        t = ip.decode(x, V, n)
        if covers(t):
            continue
        if right(t):
            res.append(x)
        else:
            j = wrong_witness(t)
            if j is not None:
                wr.append(x)
                wit.append(j)
    if plant:
        kind = rng.randrange(7)
        pool = list(range(V**n))
        if kind == 0 and res:  # an input twice
            i = rng.randrange(len(res))
            res.insert(i, res[i])
        elif kind == 1:  # a covered or an unproven input as residual
            res = sorted(set(res) | {rng.choice(pool)})
        elif kind == 2 and wit:  # a bad witness
            wit[rng.randrange(len(wit))] = rng.choice([-1, V, 0, V - 1])
        elif kind == 3:  # an input both right and wrong, or a covered one as wrong
            x = rng.choice(pool)
            if x not in wr:
                wr = sorted(wr + [x])
                wit.insert(wr.index(x), rng.randrange(V))
        elif kind == 4:  # out of range
            res = res + [V**n + rng.randint(0, 2)]
        elif kind == 5:  # witness count
            wit = wit + [0]
        else:  # a wrong input listed without a correct witness
            if wr:
                wit[rng.randrange(len(wit))] = rng.randrange(V)
    residual = SimpleNamespace(inputs=delta(res))
    wrong = SimpleNamespace(inputs=delta(wr), witness=wit)
    return residual, wrong, res, wr, wit


@pytest.mark.parametrize("seed", range(8))
def test_input_claims_match_python(seed):
    """check_input_claims with the cubic coverage (and the U filter) on random models: the same counts or the same
    first failing claim, with and without planted mistakes."""
    rng = random.Random(300 + seed)
    V, n = rng.choice([(4, 3), (3, 3), (5, 2)])
    w = random_model(rng, V, n)
    doc = cubic_doc(w, 2, {"rule": "cubic-prefix", "entries": []})
    tb, rule, mats, r = tables_and_rule(w, doc)
    entries = random_v2_entries(rng, tb, rule, V, n, True)
    py_cover = cb.Coverage(tb)
    outcome_cases = outcome(cb.check_cases_v2, entries, tb, rule, py_cover)
    if outcome_cases[0] != "ok":  # keep the entries that hold
        entries, py_cover = [], cb.Coverage(tb)
    lean_tb = SimpleNamespace(d=tb.d, tok=tb.tok, pos=tb.pos)
    lean_cover = lean_mk_coverage(lean_tb)
    lean_rule = lean_mk_input_rule(w, r, dict(mats))
    lean_check_cases_v2(entries, lean_tb, lean_rule, lean_cover, lean_empty_input_cache(V))
    cb.check_cases_v2(entries, tb, rule, py_cover)

    def witness(t):  # noqa: ANN001, ANN202
        return next((j for j in range(V) if j != max(t) and rule.wrong(t, j)), None)

    seen = set()
    for trial in range(10):
        residual, wrong, *_ = input_claims(rng, V, n, py_cover, lambda t: rule.right(t)[0], witness, plant=trial > 0)
        for use_wrong in (True, False):
            claims = SimpleNamespace(residual=residual, wrong=wrong if use_wrong else None)
            want = outcome(ip.check_input_claims, claims, rule, py_cover, tb.d.U)
            got = outcome(lean_check_input_claims, residual, claims.wrong, lean_rule, lean_empty_input_cache(V),
                          lambda t: lean_coverage_call(lean_cover, t), tb.d.U)  # fmt: skip
            assert got == want
            seen.add(want[0])
    assert "ok" in seen and "claim" in seen


def test_input_rule_forms_each_row_once(monkeypatch):
    """Inputs.lean keeps the difference rows of EVOU and PVOU per (row, m), and within a (query, max token) group
    the term rows per (token, position), as Python does: deciding every input of a model forms each difference row
    once, and a term row again only for the n positions of an input whose tokens are all equal (its weights differ)."""
    rng = random.Random(41)
    V, n = 5, 3
    w = random_model(rng, V, n)
    doc = cubic_doc(w, 2, {"rule": "cubic-prefix", "entries": []})
    _, rule, mats, r = tables_and_rule(w, doc)
    res, wr, wit = [], [], []
    for x in range(V**n):
        t = ip.decode(x, V, n)
        if rule.right(t)[0]:
            res.append(x)
        else:
            j = next((j for j in range(V) if j != max(t) and rule.wrong(t, j)), None)
            if j is not None:
                wr.append(x)
                wit.append(j)
    assert res and wr
    residual = SimpleNamespace(inputs=delta(res))
    wrong = SimpleNamespace(inputs=delta(wr), witness=wit)
    diffs: list[tuple] = []
    rows: list[tuple] = []
    real_diff, real_n_row = lean_diff, lean_n_row

    def counted_diff(rl, is_ev, row, m):  # noqa: ANN001, ANN202
        diffs.append((is_ev, row, m))
        return real_diff(rl, is_ev, row, m)

    def counted_n_row(rl, *args):  # noqa: ANN001, ANN202
        eupu, m, t, p = args[-4:]
        rows.append((tuple(eupu), m, t, p))
        return real_n_row(rl, *args)

    monkeypatch.setattr(sys.modules[__name__], "lean_diff", counted_diff)
    monkeypatch.setattr(sys.modules[__name__], "lean_n_row", counted_n_row)
    got = lean_check_input_claims(residual, wrong, lean_mk_input_rule(w, r, dict(mats)), lean_empty_input_cache(V),
                                  lambda t: False, None)  # fmt: skip
    assert got == ip.check_input_claims(SimpleNamespace(residual=residual, wrong=wrong), rule, lambda t: False)
    assert diffs and len(diffs) == len(set(diffs))
    assert rows and len(rows) - len(set(rows)) <= n * V < n * len(res) // 4


# ============================================================================== subcubic: holds, positions, c = 0, residual
@pytest.mark.parametrize("variant", VARIANTS[1::7] + [VARIANTS[-1]])
def test_subcubic_holds_positions_and_qk_side_match_python(variant):
    rng = random.Random(hash(variant) % 10**6 + 5)
    V, n = 5, 3
    w = random_model(rng, V, n, 4, 3)
    params = _params(*variant, count=rng.choice(["fixed", "paper"]))
    claims = _random_claims(rng, w.cfg, *variant)
    _tighten_spectral(w, params, claims)
    p = SubcubicParams.model_validate(params)
    c = SubcubicClaims.model_validate(claims)
    ck = sc.SubcubicChecker(w, p, c)
    md = sc.Model(w, sc.choice_vec(c.choices.key_pos_centre, w.cfg.d_model, "key_pos_centre", None))
    A, eps, e0, a_max, a_min = sc_cases._qk_side(md, p.qk, c.choices, V, None)
    assert lean_qk_side(md, p.qk, c.choices, V) == (A, eps, e0, a_max, a_min)
    pi_tab, order, masses = lean_positions(md, ck.r, n)
    assert (pi_tab, order) == (ck.pi, ck.order)
    for (q, cc, same), (low, high) in ck.slot_mass.items():
        assert masses[q][cc][0 if same else 1] == (low, high)
    tested = 0
    for q in range(V):
        for m in range(q, V):
            for cc in range(1, n):
                for g in range(1, m + 1):
                    if q < m and q > m - g:
                        continue
                    want = outcome(ck.holds, q, m, cc, g)
                    got = outcome(lean_holds, ck, masses, q, m, cc, g, lean_h(ck, m, cc))
                    assert got == want
                    tested += 1
    assert tested > 20


def test_peeled_factor_limit_is_malformed_at_the_same_factor():
    rng = random.Random(11)
    w = random_model(rng, 3, 2, 3, 2)
    variant = ("max_diff", "mean_query+diff", "max_diff_subproduct")
    claims = _random_claims(rng, w.cfg, *variant)
    rows = len(claims["choices"]["peels"][1]["x"]["rows"]) if claims["choices"]["peels"][1] else 3
    claims["choices"]["peels"][1] = {"x": {"exp": 0, "rows": [[2**400]] * rows}, "y": {"exp": 0, "rows": [[1]] * 2}}
    c = SubcubicClaims.model_validate(claims)
    md = sc.Model(w, sc.choice_vec(c.choices.key_pos_centre, w.cfg.d_model, "key_pos_centre", None))
    want = outcome(sc_cases._qk_side, md, variant[2], c.choices, 3, None)
    assert want == ("malformed", "claims.choices.peels[1]")
    assert outcome(lean_qk_side, md, variant[2], c.choices, 3) == want


@pytest.mark.parametrize("seed", range(4))
def test_subcubic_with_c0_cases_and_input_claims_matches_python(seed):
    """check_subcubic on random models with every well-formed case offered, then residual/wrong lists built from the
    verdicts, with planted mistakes."""
    from test_subcubic_checker import well_formed_entries

    rng = random.Random(400 + seed)
    V, n = 4, 3
    w = random_model(rng, V, n, 3, 2)
    variant = rng.choice(VARIANTS)
    params = _params(*variant, count=rng.choice(["fixed", "paper"]))
    claims = _random_claims(rng, w.cfg, *variant)
    _tighten_spectral(w, params, claims)
    p = SubcubicParams.model_validate(params)
    ck = sc.SubcubicChecker(w, p, SubcubicClaims.model_validate(claims))
    accepted, best = [], {}
    for e in well_formed_entries(V, n):
        if tuple(e[:3]) in best:
            continue
        seen: set = set()
        try:
            ck.check_entry(tuple(e), seen)
        except ClaimFailure:
            continue
        best[tuple(e[:3])] = e
    accepted = [list(e) for e in best.values()]
    rule = ck.rule()

    def covers(t):  # noqa: ANN001, ANN202
        m, q = max(t), t[-1]
        low = [x for x in t if x < m]
        e = best.get((q, m, len(low)))
        return e is not None and all(x <= m - e[3] for x in low)

    def witness(t):  # noqa: ANN001, ANN202
        return next((j for j in range(V) if j != max(t) and rule.wrong(t, j)), None)

    outcomes = set()
    for trial in range(8):
        entries = copy.deepcopy(accepted)
        if trial % 4 == 3:
            entries.append(rng.choice(list(well_formed_entries(V, n))))
        residual, wrong, res, wr, wit = input_claims(rng, V, n, covers, lambda t: rule.right(t)[0], witness, plant=trial % 2 == 1)
        doc = copy.deepcopy(claims)
        doc["cases"]["entries"] = entries
        doc["residual"] = {"rule": "inputs-right", "inputs": residual.inputs}
        if trial % 3:
            doc["wrong"] = {"rule": "inputs-wrong", "inputs": wrong.inputs, "witness": wrong.witness}
        typed = SubcubicClaims.model_validate(doc)
        want = outcome(sc.check_subcubic, p, typed, w)
        got = outcome(lean_check_subcubic, p, typed, w)
        assert got == want
        outcomes.add(want[0])
    assert "ok" in outcomes


# ============================================================================== end to end: certificates
@pytest.fixture(scope="module")
def v2_certificate(tiny_cert_v1, tmp_path_factory):
    """The trained tiny model's cubic certificate (in version 1) turned into version 2: cubic-prefix cases (the worst
    token of each class of each listed G), every uncovered input that the input rule proves right as residual, every
    other one that it proves wrong as `wrong`, and the bounds the Python checker certifies."""
    tiny_cert = tiny_cert_v1
    cert, claims = load_certificate(tiny_cert)
    w = weights_io.load(tiny_cert.parent / cert.model.weights)
    doc = json.loads(tiny_cert.read_text(encoding="utf-8"))
    tb, rule, mats, r = tables_and_rule(w, doc)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    entries = []
    for q, m, c, G in claims.cases.entries:
        if c == 0:
            entries.append([q, m, 0, -1, -1])
            continue
        plus, minus, _ = tb.order(q, m)
        kp = max((k for k in G if k in plus), key=lambda k: plus[k], default=-1)
        kn = max((k for k in G if k in minus), key=lambda k: minus[k], default=-1)
        entries.append([q, m, c, kp, kn])
    cover = cb.Coverage(tb)
    covered = cb.check_cases_v2(entries, tb, rule, cover)
    res, wr, wit = [], [], []
    for x in range(V**n):
        t = ip.decode(x, V, n)
        if cover(t):
            continue
        if rule.right(t)[0]:
            res.append(x)
            continue
        j = next((j for j in range(V) if j != max(t) and rule.wrong(t, j)), None)
        if j is not None:
            wr.append(x)
            wit.append(j)
    assert res and wr, "the tiny model should leave some inputs to the residual and wrong lists"
    doc["version"] = 2
    doc["strategy"]["name"] = "cubic+residual"
    doc["claims"]["cases"] = {"rule": "cubic-prefix", "entries": entries}
    doc["claims"]["residual"] = {"rule": "inputs-right", "inputs": delta(res)}
    doc["claims"]["wrong"] = {"rule": "inputs-wrong", "inputs": delta(wr), "witness": wit}
    doc["bound"] = {"correct": covered + len(res), "total": V**n, "upper": V**n - len(wr)}
    out = tmp_path_factory.mktemp("v2")
    path = write(doc, w, out)
    assert python_check(path) == (covered + len(res), V**n, V**n - len(wr))
    return path


def _edited(path: Path, fn, tmp: Path) -> Path:  # noqa: ANN001
    doc = json.loads(path.read_text(encoding="utf-8"))
    fn(doc)
    out = tmp / "edited.json"
    (tmp / "weights.json").write_bytes((path.parent / "weights.json").read_bytes())
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out


@pytest.mark.slow
def test_v2_certificate_end_to_end(v2_certificate):
    got = outcome(lean_check_certificate, v2_certificate)
    assert got == outcome(python_check, v2_certificate)
    correct, total, upper = got[1]
    assert got[0] == "ok" and correct == upper < total  # every input decided: the exact accuracy (docs §9)


EDITS = {
    "upper off by one": lambda d: d["bound"].__setitem__("upper", d["bound"]["upper"] + 1),
    "correct off by one": lambda d: d["bound"].__setitem__("correct", d["bound"]["correct"] - 1),
    "no upper": lambda d: d["bound"].pop("upper"),
    "no wrong": lambda d: d["claims"].pop("wrong"),
    "no wrong, no upper": lambda d: (d["claims"].pop("wrong"), d["bound"].pop("upper")),
    "residual dropped one": lambda d: d["claims"]["residual"]["inputs"].pop(),
    "residual repeats": lambda d: d["claims"]["residual"]["inputs"].append(0),
    "wrong witness": lambda d: d["claims"]["wrong"]["witness"].__setitem__(0, (d["claims"]["wrong"]["witness"][0] + 1) % 8),
    "wrong also residual": lambda d: d["claims"]["wrong"]["inputs"].__setitem__(0, sum(d["claims"]["residual"]["inputs"][:1])),
    "case boundary class": lambda d: d["claims"]["cases"]["entries"][-1].__setitem__(3, d["claims"]["cases"]["entries"][-1][4]),
    "case twice": lambda d: d["claims"]["cases"]["entries"].append(d["claims"]["cases"]["entries"][0]),
    "v1 rule": lambda d: d["claims"]["cases"].__setitem__("rule", "cubic-case"),
    "version 1": lambda d: d.__setitem__("version", 1),
    "cubic strategy": lambda d: d["strategy"].__setitem__("name", "cubic"),
    "huge r": lambda d: d["claims"]["inv_sqrt_d_head"].update({"lo": 1, "hi": 2**255, "exp": -2}),
    "exp claim lo": lambda d: d["claims"]["exp_eqke"]["lo"][0].__setitem__(0, d["claims"]["exp_eqke"]["lo"][0][0] + 1),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edited_v2_certificates_get_the_same_verdict(v2_certificate, tmp_path, name):
    path = _edited(v2_certificate, EDITS[name], tmp_path)
    assert outcome(lean_check_certificate, path) == outcome(python_check, path)


def test_random_cubic_certificates_end_to_end(tmp_path):
    """Random models with random version-2 cubic certificates (cases, residual and wrong from the verdicts, some
    planted mistakes, bounds as claimed or off)."""
    rng = random.Random(12)
    seen = set()
    for trial in range(12):
        V, n = rng.choice([(4, 3), (3, 3)])
        w = random_model(rng, V, n)
        doc = cubic_doc(w, 2, {"rule": "cubic-prefix", "entries": []}, residual={"rule": "inputs-right", "inputs": []})
        tb, rule, mats, r = tables_and_rule(w, doc)
        entries = random_v2_entries(rng, tb, rule, V, n, trial % 4 != 0)
        cover = cb.Coverage(tb)
        if outcome(cb.check_cases_v2, entries, tb, rule, cover)[0] != "ok":
            cover = cb.Coverage(tb)
            cb.check_cases_v2([], tb, rule, cover)
        residual, wrong, res, wr, _ = input_claims(
            rng, V, n, cover, lambda t: rule.right(t)[0],
            lambda t: next((j for j in range(V) if j != max(t) and rule.wrong(t, j)), None), plant=trial % 3 == 2,
        )  # fmt: skip
        doc["claims"]["cases"]["entries"] = entries
        doc["claims"]["residual"]["inputs"] = residual.inputs
        doc["claims"]["wrong"] = {"rule": "inputs-wrong", "inputs": wrong.inputs, "witness": wrong.witness}
        covered = sum(cover(t) for t in all_inputs(V, n))
        doc["bound"] = {"correct": covered + len(res) + (trial % 5 == 4), "total": V**n, "upper": V**n - len(wr)}
        path = write(doc, w, tmp_path)
        want = outcome(python_check, path)
        assert outcome(lean_check_certificate, path) == want
        seen.add(want[0])
    assert "ok" in seen and "claim" in seen


@pytest.mark.slow
def test_committed_certificates_end_to_end():
    for path in sorted(CERTS.rglob("*.json")):
        if path.name != "weights.json":
            assert outcome(lean_check_certificate, path) == outcome(python_check, path)
