"""Shadow tests of the Lean mirror of the induction checker (lean/MechProof/Induction/, docs/certificate.md §11),
runnable without a Lean toolchain.

Each `lean_*` function below is the Lean definition of the same name written line by line in Python (as in
test_lean_inputs.py: `xs[i]!` is `xs[i]`, `for x in List.range n` is `for x in range(n)`, `floorDiv`/`ceilDiv` are
the transliterations of test_lean_sources.py, an `Except` error is a raised ClaimFailure or LeanMalformed; the
exact matrix helpers `tensor`, `matmul`, `transpose` are Matrices.lean's, shadow-tested there). They are compared
with the independent Python checker (python/mechproof/tasks/induction/checker/) on tiny trained models (every
input, random group lists and input lists with planted mistakes) and on the committed certificate: the same
verdicts (accepted with the same bounds, or the same first failing claim id, or malformed input at the same
field). test_induction_text_is_current ties the transliterations to the Lean text.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from types import SimpleNamespace

import pytest

from mechproof import weights as weights_io
from mechproof.checker import ClaimFailure, check
from mechproof.checker.matrices import matmul, tensor, transpose
from mechproof.errors import InputError
from mechproof.tasks.induction.checker import fixed as py_fixed
from mechproof.tasks.induction.checker import groups as py_groups
from mechproof.tasks.induction.checker import inputs as py_inputs
from mechproof.tasks.induction.checker.tables import Tables
from test_lean_inputs import lean_exp_bounds_e, lean_indices_prefix, lean_nat_list, lean_require, outcome
from test_lean_parse import LeanMalformed
from test_lean_sources import lean_bitlen, lean_ceil_div, lean_floor_div

ROOT = Path(__file__).resolve().parents[1]
IND = ROOT / "lean" / "MechProof" / "Induction"


# ============================================================================== Fixed.lean
def lean_fix_down(m: int, e: int, F: int) -> int:
    s = e + F
    return m * 2**s if 0 <= s else lean_floor_div(m, 2 ** (-s))


def lean_fix_up(m: int, e: int, F: int) -> int:
    s = e + F
    return m * 2**s if 0 <= s else lean_ceil_div(m, 2 ** (-s))


def lean_shr_down(x: int, k: int) -> int:
    return lean_floor_div(x, 2**k)


def lean_shr_up(x: int, k: int) -> int:
    return lean_ceil_div(x, 2**k)


def lean_div_down(a: int, b: int, F: int) -> int:
    return lean_floor_div(a * 2**F, b)


def lean_div_up(a: int, b: int, F: int) -> int:
    return lean_ceil_div(a * 2**F, b)


def lean_mul_up(w_lo: int, w_hi: int, x: int, F: int) -> int:
    return lean_shr_up(x * (w_hi if 0 <= x else w_lo), F)


def lean_mul_down(w_lo: int, w_hi: int, x: int, F: int) -> int:
    return lean_shr_down(x * (w_lo if 0 <= x else w_hi), F)


# ============================================================================== Tables.lean
def lean_tp(n: int, t: int, p: int) -> int:
    return t * n + p


def lean_scale_mat(a, k: int):  # noqa: ANN001, ANN201
    return a[0], a[1] - k


def lean_embed_table(w):  # noqa: ANN001, ANN201
    mE, mP = tensor(w, "W_E"), tensor(w, "W_pos")
    ex = min(mE[1], mP[1])
    se, sp = 2 ** (mE[1] - ex), 2 ** (mP[1] - ex)
    rows = []
    for t in range(w.cfg.d_vocab):
        for p in range(w.cfg.n_ctx):
            a, b = mE[0][t], mP[0][p]
            rows.append([a[j] * se + b[j] * sp for j in range(len(a))])
    return rows, ex


def lean_mk_ind_tables(w) -> SimpleNamespace:  # noqa: ANN001
    k = (lean_bitlen(w.cfg.d_head) - 1) // 2
    L = lambda layer, name: tensor(w, f"blocks.{layer}.attn.W_{name}")  # noqa: E731 - w.wQ … and w.layer1[0..3]
    q1, k1, v1, o1 = L(0, "Q"), L(0, "K"), L(0, "V"), L(0, "O")
    q2, k2, v2, o2 = L(1, "Q"), L(1, "K"), L(1, "V"), L(1, "O")
    u = tensor(w, "W_U")
    e = lean_embed_table(w)
    v = matmul(matmul(e, v1), o1)
    s1 = lean_scale_mat(matmul(matmul(e, q1), transpose(matmul(e, k1))), k)
    qe = lean_scale_mat(matmul(e, q2), k)
    qv = lean_scale_mat(matmul(v, q2), k)
    ke, kv = matmul(e, k2), matmul(v, k2)
    ovu = matmul(matmul(v2, o2), u)
    keT, kvT = transpose(ke), transpose(kv)
    return SimpleNamespace(V=w.cfg.d_vocab, n=w.cfg.n_ctx, k=k, e=e, v=v, S1=s1, qe=qe, qv=qv, ke=ke, kv=kv, OVU=ovu,
                           ye=matmul(e, ovu), yv=matmul(v, ovu), ze=matmul(e, u), zv=matmul(v, u),
                           PE=(matmul(qe, keT), matmul(qv, keT)), PV=(matmul(qe, kvT), matmul(qv, kvT)))  # fmt: skip


# ============================================================================== Induction/Inputs.lean
IND_F = 96


def lean_n_inputs(V: int, n: int) -> int:
    total = max(n - 2, 0)
    for p in range(n - 1):
        total = total * max(V - p, 0)
    return total


def lean_drop_at(xs: list[int], c: int) -> list[int]:
    return [xs[j] for j in range(len(xs)) if j != c]


def lean_induction_decode(x: int, V: int, n: int) -> list[int]:
    i = x % (n - 2)
    rank = x // (n - 2)
    free = list(range(V))
    out = []
    for p in range(n - 1):
        c = rank % (V - p)
        rank = rank // (V - p)
        out.append(free[c])
        free = lean_drop_at(free, c)
    return out + [out[i]]


def lean_match_pos(tokens, n: int) -> int:  # noqa: ANN001
    q = tokens[n - 1]
    found = n
    for p in range(n - 2):
        if found == n and tokens[p] == q:
            found = p
    return found


def lean_fix_table(m):  # noqa: ANN001, ANN201
    rows, e = m
    return [[(lean_fix_down(x, e, IND_F), lean_fix_up(x, e, IND_F)) for x in row] for row in rows]


def lean_scaled_iv(a, x):  # noqa: ANN001, ANN201
    return (lean_shr_down(x[0] * (a[0] if 0 <= x[0] else a[1]), IND_F), lean_shr_up(x[1] * (a[1] if 0 <= x[1] else a[0]), IND_F))


def lean_product_iv(x, y):  # noqa: ANN001, ANN201
    p1, p2, p3, p4 = x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1]
    return lean_shr_down(min(min(p1, p2), min(p3, p4)), IND_F), lean_shr_up(max(max(p1, p2), max(p3, p4)), IND_F)


def lean_mix_iv(base, weights, rows):  # noqa: ANN001, ANN201
    lo = [b[0] for b in base]
    hi = [b[1] for b in base]
    for l in range(len(weights)):  # noqa: E741
        a, row = weights[l], rows[l]
        for c in range(len(row)):
            s = lean_scaled_iv(a, row[c])
            lo[c] = lo[c] + s[0]
            hi[c] = hi[c] + s[1]
    return [(lo[c], hi[c]) for c in range(len(base))]


def lean_mk_ind_input_rule(t) -> SimpleNamespace:  # noqa: ANN001
    return SimpleNamespace(t=t, V=t.V, n=t.n, **{f"f{x}": lean_fix_table(getattr(t, x)) for x in ("qe", "qv", "ke", "kv", "ye", "yv", "ze", "zv")})


def lean_pair(rule, letter: str):  # noqa: ANN001, ANN201 - IndInputRule.pair
    if letter == "q":
        return rule.fqe, rule.fqv
    if letter == "k":
        return rule.fke, rule.fkv
    if letter == "y":
        return rule.fye, rule.fyv
    return rule.fze, rule.fzv


def lean_row1(rule, tokens, p: int):  # noqa: ANN001, ANN201
    n = rule.n
    r = rule.t.S1[0][lean_tp(n, tokens[p], p)]
    scores = [r[lean_tp(n, tokens[l], l)] for l in range(p + 1)]  # noqa: E741
    c = scores[0]
    for s in scores:
        c = max(c, s)
    lo, hi = [], []
    for s in scores:
        w = lean_exp_bounds_e((s - c, rule.t.S1[1]))
        lo.append(lean_fix_down(w[0][0], w[0][1], IND_F))
        hi.append(lean_fix_up(w[1][0], w[1][1], IND_F))
    s_lo = s_hi = 0
    for j in range(len(lo)):
        s_lo, s_hi = s_lo + lo[j], s_hi + hi[j]
    return [(lean_div_down(lo[j], s_hi, IND_F), lean_div_up(hi[j], s_lo, IND_F)) for j in range(len(lo))]


def lean_images(rule, tokens, p: int, names):  # noqa: ANN001, ANN201
    n = rule.n
    a = lean_row1(rule, tokens, p)
    own = lean_tp(n, tokens[p], p)
    out = []
    for x in names:
        tabs = lean_pair(rule, x)
        rows = [tabs[1][lean_tp(n, tokens[l], l)] for l in range(p + 1)]  # noqa: E741
        out.append(lean_mix_iv(tabs[0][own], a, rows))
    return out


def lean_key(rule, tokens, k: int):  # noqa: ANN001, ANN201
    im = lean_images(rule, tokens, k, ["k", "y"])
    return im[0], im[1]


def lean_margins(rule, tokens):  # noqa: ANN001, ANN201
    n, V = rule.n, rule.V
    i = lean_match_pos(tokens, n)
    a = tokens[i + 1]
    keys = [lean_key(rule, tokens, k) for k in range(n - 1)]
    last = lean_images(rule, tokens, n - 1, ["q", "z", "k", "y"])
    rho, z = last[0], last[1]
    keys.append((last[2], last[3]))
    scores = []
    for kk in keys:
        s_lo = s_hi = 0
        for j in range(len(rho)):
            pr = lean_product_iv(rho[j], kk[0][j])
            s_lo, s_hi = s_lo + pr[0], s_hi + pr[1]
        scores.append((s_lo, s_hi))
    ref = scores[i + 1][0]
    b = []
    for s in scores:
        el = lean_exp_bounds_e((s[0] - ref, -IND_F))
        eh = lean_exp_bounds_e((s[1] - ref, -IND_F))
        b.append((lean_fix_down(el[0][0], el[0][1], IND_F), lean_fix_up(eh[1][0], eh[1][1], IND_F)))
    uppers, lowers = [], []
    za = z[a]
    for c in range(V):
        up_c = lo_c = 0
        if c != a:
            dz = (z[c][0] - za[1], z[c][1] - za[0])
            for k in range(len(keys)):
                bk, y = b[k], keys[k][1]
                g_lo = dz[0] + y[c][0] - y[a][1]
                g_hi = dz[1] + y[c][1] - y[a][0]
                up_c = up_c + g_hi * (bk[1] if 0 <= g_hi else bk[0])
                lo_c = lo_c + g_lo * (bk[0] if 0 <= g_lo else bk[1])
        uppers.append(up_c)
        lowers.append(lo_c)
    return uppers, lowers


def lean_right(rule, tokens):  # noqa: ANN001, ANN201
    m = lean_margins(rule, tokens)
    a = tokens[lean_match_pos(tokens, rule.n) + 1]
    for c in range(len(m[0])):
        if c != a and 0 <= m[0][c]:
            return False, c
    return True, -1


def lean_wrong(rule, tokens, c: int) -> bool:  # noqa: ANN001
    return 0 <= lean_margins(rule, tokens)[1][c]


def lean_mem_sorted(xs, x: int) -> bool:  # noqa: ANN001 - memSorted (binary search; shadow-tested in test_lean_inputs)
    return x in xs


def lean_check_ind_input_claims(residual, wrong, rule, covers):  # noqa: ANN001, ANN201
    V, n = rule.V, rule.n
    total = lean_n_inputs(V, n)
    what = "input index out of range (must be < the number of inputs)"
    res_deltas = residual.inputs if residual is not None else []
    res = lean_indices_prefix(res_deltas, total, what, "residual")
    for x in res[0]:
        tokens = lean_induction_decode(x, V, n)
        lean_require(not covers(tokens), f"residual[{x}]", "input already covered by the cases", lean_nat_list(tokens), "uncovered")
        r = lean_right(rule, tokens)
        if not r[0]:
            raise ClaimFailure(f"residual[{x}]", f"input {lean_nat_list(tokens)} is not proven right: logit {r[1]} can reach the answer's", "upper ≥ 0", "< 0")
    if res[1] is not None:
        raise res[1]
    if wrong is None:
        return len(res[0]), None
    lean_require(len(wrong.witness) == len(wrong.inputs), "wrong", "one witness per input", str(len(wrong.witness)), str(len(wrong.inputs)))
    wl = lean_indices_prefix(wrong.inputs, total, what, "wrong")
    seen = 0
    for x in wl[0]:
        tokens = lean_induction_decode(x, V, n)
        c = wrong.witness[seen]
        a = tokens[lean_match_pos(tokens, n) + 1]
        cid = f"wrong[{x}]"
        lean_require(0 <= c and c < V and c != a, cid, "witness must be a logit index other than the answer", str(c), str(a))
        lean_require(not covers(tokens) and not lean_mem_sorted(res[0], x), cid, "input is also claimed right (by the cases or residual)", lean_nat_list(tokens), "wrong")
        if not lean_wrong(rule, tokens, max(c, 0)):
            raise ClaimFailure(cid, f"input {lean_nat_list(tokens)} is not proven wrong with witness logit {c}", "lower < 0", "≥ 0")
        seen = seen + 1
    if wl[1] is not None:
        raise wl[1]
    return len(res[0]), seen

# ============================================================================== CaseTables.lean
CASE_FC, CASE_LB, VALUE_BITS = 20, 16, 10


def lean_case_col(n: int, tok: int, pos: int) -> int:
    return tok * n + pos


def lean_at3(x, i: int, j: int, k: int) -> int:  # noqa: ANN001
    return x[i][j][k]


def lean_at2(x, i: int, j: int) -> int:  # noqa: ANN001
    return x[i][j]


def lean_case_w1(t):  # noqa: ANN001, ANN201
    n, N = t.n, t.V * t.n
    lo, hi = [], []
    for r in range(N):
        row, p = t.S1[0][r], r % n
        shift = row[p]
        for c in range(N):
            if c % n <= p:
                shift = max(shift, row[c])
        rlo, rhi = [], []
        for c in range(N):
            if c % n <= p:
                ab = lean_exp_bounds_e((row[c] - shift, t.S1[1]))
                rlo.append(lean_fix_down(ab[0][0], ab[0][1], CASE_FC))
                rhi.append(lean_fix_up(ab[1][0], ab[1][1], CASE_FC))
            else:
                rlo.append(0)
                rhi.append(0)
        lo.append(rlo)
        hi.append(rhi)
    return lo, hi


def lean_floor_array(values, e: int, what: str):  # noqa: ANN001, ANN201
    limit = 2 ** (VALUE_BITS + CASE_FC)
    out = []
    for row in values:
        r = [lean_fix_down(x, e, CASE_FC) for x in row]
        for x in r:
            if limit <= x or x <= -limit:
                raise LeanMalformed(what, "beyond the case rule's range")
        out.append(r)
    return out


def lean_pair_sum(t, a, b, what: str):  # noqa: ANN001, ANN201
    ex = min(a[1], b[1])
    sa, sb = 2 ** (a[1] - ex), 2 ** (b[1] - ex)
    planes = []
    for q in range(t.V):
        arow = [x * sa for x in a[0][lean_case_col(t.n, q, t.n - 1)]]
        sums = [[arow[c] + brow[c] * sb for c in range(len(brow))] for brow in b[0]]
        planes.append(lean_floor_array(sums, ex, what))
    return planes


def lean_diff_table(m, V: int, what: str):  # noqa: ANN001, ANN201
    return [lean_floor_array([[x - row[a] for x in row] for row in m[0]], m[1], what) for a in range(V)]


def lean_mk_case_tables(t) -> SimpleNamespace:  # noqa: ANN001
    w1 = lean_case_w1(t)
    pe = lean_pair_sum(t, t.PE[0], t.PE[1], "PE")
    pv = lean_pair_sum(t, t.PV[0], t.PV[1], "PV")
    yv, ye = lean_diff_table(t.yv, t.V, "yv"), lean_diff_table(t.ye, t.V, "ye")
    zv, ze = lean_diff_table(t.zv, t.V, "zv"), lean_diff_table(t.ze, t.V, "ze")
    return SimpleNamespace(V=t.V, n=t.n, N=t.V * t.n, W1lo=w1[0], W1hi=w1[1], PE=pe, PV=pv, yv=yv, ye=ye, zv=zv, ze=ze)


# ============================================================================== Mixture.lean
def lean_ceil_shift(x: int) -> int:
    return lean_shr_up(x, CASE_FC)


def lean_mk_mix_row(w_lo, w_hi, w_free: int) -> SimpleNamespace:  # noqa: ANN001
    s_lo = s_hi = 0
    for j in range(len(w_lo)):
        s_lo, s_hi = s_lo + w_lo[j], s_hi + w_hi[j]
    one = 2**CASE_FC
    beta, width, beta_sum = [], 0, 0
    for j in range(len(w_lo)):
        b = lean_floor_div(w_lo[j] * one, s_hi)
        b_hi = min(lean_ceil_div(w_hi[j] * one, max(s_lo, 1)), one)
        beta.append(b)
        width, beta_sum = width + (b_hi - b), beta_sum + b
    theta = min(lean_ceil_div(w_free * one, max(s_lo + w_free, 1)), one) if 0 < w_free else 0
    return SimpleNamespace(beta=beta, width=width, betaSum=beta_sum, theta=theta)


def lean_mix_upper(row, xs, xmax: int, r_max: int) -> int:  # noqa: ANN001 - MixRow.upper
    s = 0
    for j in range(len(xs)):
        s = s + row.beta[j] * xs[j]
    width = row.width * xmax
    hi = s + (row.betaSum + width)
    lo = s - width
    gap = max((r_max + 1) * 2**CASE_FC - lo, 0)
    return lean_ceil_shift(hi + row.theta * lean_ceil_shift(gap))


# ============================================================================== Cases.lean
def lean_plane_xmax(plane) -> int:  # noqa: ANN001
    m = 0
    for row in plane:
        for x in row:
            m = max(m, abs(x))
    return m + 1


def lean_mk_case_rule(ct) -> SimpleNamespace:  # noqa: ANN001
    return SimpleNamespace(ct=ct, V=ct.V, n=ct.n, xmaxPV=[lean_plane_xmax(p) for p in ct.PV], xmaxYV=[lean_plane_xmax(p) for p in ct.yv])


def lean_seg_end(seg, size: int, g: int) -> int:  # noqa: ANN001
    return seg[g + 1] if g + 1 < len(seg) else size


def lean_lambda_sum(xs, lam: int, w_lo, w_hi, seg, valid) -> int:  # noqa: ANN001
    total = 0
    for g in range(len(seg)):
        start = seg[g]
        best, has = 0, False
        for e in range(max(lean_seg_end(seg, len(xs), g) - start, 0)):
            j = start + e
            if valid[j]:
                x = xs[j] - lam
                tt = max(w_hi[j] * x, w_lo[j] * x)
                best = max(best, tt) if has else tt
                has = True
        total = total + best
    return total


def lean_least_bound(xs, w_lo, w_hi, seg, valid) -> int:  # noqa: ANN001
    lo = hi = 0
    has = False
    for j in range(len(xs)):
        if valid[j]:
            lo = min(lo, xs[j]) if has else xs[j]
            hi = max(hi, xs[j]) if has else xs[j]
            has = True
    bot, top = lo - 1, hi
    for _ in range(lean_bitlen(abs(top - bot)) + 1):
        if 1 < top - bot:
            mid = lean_floor_div(top + bot, 2)
            if lean_lambda_sum(xs, mid, w_lo, w_hi, seg, valid) <= 0:
                top = mid
            else:
                bot = mid
    return top


def lean_case_query(rule, c) -> SimpleNamespace:  # noqa: ANN001
    n = rule.n
    r, tok, pos, seg, known = [], [], [], [], []
    for j in range(n):
        seg.append(len(tok))
        ts = [c.known[j]] if c.known[j] is not None else c.tokens
        for tt in ts:
            tok.append(tt)
            pos.append(j)
            r.append(lean_case_col(n, tt, j))
            known.append(c.known[j] is not None)
    row = lean_case_col(n, c.q, n - 1)
    return SimpleNamespace(r=r, tok=tok, pos=pos, seg=seg, wLo=[lean_at2(rule.ct.W1lo, row, x) for x in r],
                           wHi=[lean_at2(rule.ct.W1hi, row, x) for x in r], known=known, ans=[], ansByCol=[])  # fmt: skip


def lean_case_direct(rule, c, q):  # noqa: ANN001, ANN201
    ct, a = rule.ct, c.a
    own = lean_case_col(rule.n, c.q, rule.n - 1)
    valid = [True] * len(q.r)
    z, g = [], []
    for k in range(rule.V):
        zrow = [lean_at3(ct.zv, a, x, k) + 1 for x in q.r]
        grow = [lean_at3(ct.zv, a, x, k) + 1 + lean_at3(ct.yv, a, x, k) + 1 for x in q.r]
        z.append(lean_at3(ct.ze, a, own, k) + 1 + lean_least_bound(zrow, q.wLo, q.wHi, q.seg, valid))
        g.append(lean_at3(ct.ze, a, own, k) + lean_at3(ct.ye, a, own, k) + 2 + lean_least_bound(grow, q.wLo, q.wHi, q.seg, valid))
    return z, g


def lean_case_answer(rule, c, q):  # noqa: ANN001, ANN201
    ct, n = rule.ct, rule.n
    row = lean_case_col(n, c.a, c.i + 1)
    cols, seg = [], []
    for l in range(c.i + 1):  # noqa: E741
        seg.append(len(cols))
        if c.known[l] is not None:
            cols.append(lean_case_col(n, c.known[l], l))
        else:
            for tt in c.tokens:
                cols.append(lean_case_col(n, tt, l))
    cols.append(row)
    seg.append(len(cols) - 1)
    w_lo = [lean_at2(ct.W1lo, row, x) for x in cols]
    w_hi = [lean_at2(ct.W1hi, row, x) for x in cols]
    ans, ans_by_col = [], [0] * ct.N
    for e in range(len(q.r)):
        xs = [-lean_at3(ct.PV, c.q, q.r[e], x) for x in cols]
        valid = [(not (x % n == q.pos[e] and not q.known[e])) or x // n == q.tok[e] for x in cols]
        v = -lean_at3(ct.PE, c.q, q.r[e], row) + lean_least_bound(xs, w_lo, w_hi, seg, valid)
        ans.append(v)
        ans_by_col[q.r[e]] = v
    all_ = [True] * len(cols)
    y = []
    for k in range(rule.V):
        xs = [lean_at3(ct.yv, c.a, x, k) + 1 for x in cols]
        y.append(lean_at3(ct.ye, c.a, row, k) + 1 + lean_least_bound(xs, w_lo, w_hi, seg, all_))
    return y, SimpleNamespace(**{**vars(q), "ans": ans, "ansByCol": ans_by_col})


def lean_case_windows(c, k: int):  # noqa: ANN001, ANN201
    cand = [0] if k == 0 else [k - 1, k]
    pos = [p for p in cand if c.known[p] is None]
    if len(pos) == 0:
        combos = [[]]
    elif len(pos) == 1:
        combos = [[tt] for tt in c.tokens]
    else:
        combos = [[tt, u] for tt in c.tokens for u in c.tokens if tt != u]
    return pos, combos


def lean_max_over(xs, f) -> int:  # noqa: ANN001
    best, has = 0, False
    for x in xs:
        best = max(best, f(x)) if has else f(x)
        has = True
    return best


def lean_case_key(rule, c, q, k: int) -> SimpleNamespace:  # noqa: ANN001
    ct, n = rule.ct, rule.n
    wpos, combos = lean_case_windows(c, k)
    free = [l for l in c.free if l < k and l not in wpos]  # noqa: E741
    fc = [lean_case_col(n, tt, l) for l in free for tt in c.tokens]  # noqa: E741
    qrow = lean_case_col(n, c.q, n - 1)
    xmax_pv, xmax_yv = rule.xmaxPV[c.q], rule.xmaxYV[c.a]
    r_max_by_col = [0] * ct.N
    for x in q.r:
        r_max_by_col[x] = lean_max_over(fc, lambda col, x=x: lean_at3(ct.PV, c.q, x, col))
    y_max = [lean_max_over(fc, lambda col, cc=cc: lean_at3(ct.yv, c.a, col, cc)) for cc in range(rule.V)]
    seg, windows = [], []
    for combo in combos:
        tok_at = list(c.known)
        for m in range(len(wpos)):
            tok_at[wpos[m]] = combo[m]
        kn = [lean_case_col(n, tok_at[l], l) for l in range(k + 1) if tok_at[l] is not None]  # noqa: E741
        row = lean_case_col(n, tok_at[k] if tok_at[k] is not None else 0, k)
        w_free = 0
        for l in free:  # noqa: E741
            w_free = w_free + lean_max_over(c.tokens, lambda tt, l=l: lean_at2(ct.W1hi, row, lean_case_col(n, tt, l)))
        mix = lean_mk_mix_row([lean_at2(ct.W1lo, row, x) for x in kn], [lean_at2(ct.W1hi, row, x) for x in kn], w_free)
        r, valid, seg = [], [], []
        for j in range(n):
            seg.append(len(r))
            if tok_at[j] is not None:
                r.append(lean_case_col(n, tok_at[j], j))
                valid.append(True)
            else:
                for tt in c.tokens:
                    r.append(lean_case_col(n, tt, j))
                    valid.append(tt not in combo)
        g = []
        for x in r:
            xs = [lean_at3(ct.PV, c.q, x, col) for col in kn]
            upper = lean_mix_upper(mix, xs, xmax_pv, r_max_by_col[x])
            g.append(lean_at3(ct.PE, c.q, x, row) + 1 + upper + q.ansByCol[x])
        y = []
        for cc in range(rule.V):
            ys = [lean_at3(ct.yv, c.a, col, cc) for col in kn]
            y.append(lean_at3(ct.ye, c.a, row, cc) + 1 + lean_mix_upper(mix, ys, xmax_yv, y_max[cc]))
        windows.append(SimpleNamespace(g=g, valid=valid, wLo=[lean_at2(ct.W1lo, qrow, x) for x in r],
                                       wHi=[lean_at2(ct.W1hi, qrow, x) for x in r], Y=y))  # fmt: skip
    return SimpleNamespace(seg=seg, windows=windows)


def lean_case_last_key(rule, c, q):  # noqa: ANN001, ANN201
    ct, n = rule.ct, rule.n
    own = lean_case_col(n, c.q, n - 1)
    base = [lean_at3(ct.PE, c.q, q.r[e], own) + 2 + q.ans[e] for e in range(len(q.r))]

    def h(e: int, f: int) -> int:
        return base[e] + lean_at3(ct.PV, c.q, q.r[e], q.r[f])

    def term(e: int, f: int, hh: int, cc: int) -> SimpleNamespace:
        return SimpleNamespace(H=hh, lo=lean_shr_down(q.wLo[e] * q.wLo[f], CASE_FC), hi=lean_shr_up(q.wHi[e] * q.wHi[f], CASE_FC), c=cc)

    out = []
    for j in range(n):
        for l in range(n):  # noqa: E741
            if j <= l:
                grp = []
                for e0 in range(lean_seg_end(q.seg, len(q.r), j) - q.seg[j]):
                    e = q.seg[j] + e0
                    if j == l:
                        grp.append(term(e, e, h(e, e), 1))
                    else:
                        for f0 in range(lean_seg_end(q.seg, len(q.r), l) - q.seg[l]):
                            f = q.seg[l] + f0
                            if not (q.tok[e] == q.tok[f] and not q.known[e] and not q.known[f]):
                                grp.append(term(e, f, h(e, f) + h(f, e), 2))
                if len(grp) != 0:
                    out.append(grp)
    return out


def lean_last_key_sum(terms, lam: int) -> int:  # noqa: ANN001
    total = 0
    for grp in terms:
        best, has = 0, False
        for tt in grp:
            x = tt.H - tt.c * lam
            v = max(tt.hi * x, tt.lo * x)
            best = max(best, v) if has else v
            has = True
        total = total + best
    return total


def lean_exp_up(lam: int) -> int:
    b = lean_exp_bounds_e((lam, -CASE_LB))
    return lean_fix_up(b[1][0], b[1][1], CASE_FC)


def lean_case_parts(rule, c) -> SimpleNamespace:  # noqa: ANN001
    q0 = lean_case_query(rule, c)
    z_bar, g_last = lean_case_direct(rule, c, q0)
    y_ans, q = lean_case_answer(rule, c, q0)
    keys = [(k, lean_case_key(rule, c, q, k)) for k in range(rule.n - 1) if k != c.i + 1]
    return SimpleNamespace(zBar=z_bar, gLast=g_last, yAns=y_ans, keys=keys, last=lean_case_last_key(rule, c, q))


def lean_case_totals(p, a: int, lam):  # noqa: ANN001, ANN201
    n = len(lam)
    g_bar = []
    for k, kt in p.keys:
        g = [lean_max_over(range(len(kt.windows)), lambda w, cc=cc: p.zBar[cc] + kt.windows[w].Y[cc]) for cc in range(len(p.yAns))]
        g_bar.append((k, g))
    g_bar.append((n - 1, p.gLast))
    e = [lean_exp_up(lam[k]) for k, _ in g_bar]
    out = []
    for cc in range(len(p.yAns)):
        if cc != a:
            tt = (p.zBar[cc] + p.yAns[cc]) * 2**CASE_FC
            for j in range(len(g_bar)):
                x = g_bar[j][1][cc]
                if 0 < x:
                    tt = tt + e[j] * x
            out.append((cc, tt))
    return out


def lean_verify_case(rule, c, lam, cid: str) -> None:  # noqa: ANN001
    p = lean_case_parts(rule, c)
    s = 2 ** (CASE_FC - CASE_LB)
    n = len(lam)
    for k, kt in p.keys:
        worst, has = 0, False
        for w in kt.windows:
            v = lean_lambda_sum(w.g, lam[k] * s, w.wLo, w.wHi, kt.seg, w.valid)
            worst = max(worst, v) if has else v
            has = True
        if 0 < worst:
            raise ClaimFailure(f"{cid}/lambda[{k}]", f"key {k}'s score relative to the answer's key can exceed the claimed bound (λ-test)", str(worst), "≤ 0")
    total = lean_last_key_sum(p.last, lam[n - 1] * s)
    if 0 < total:
        raise ClaimFailure(f"{cid}/lambda[{n - 1}]", "the query position's score relative to the answer's key can exceed the claimed bound (λ-test)", str(total), "≤ 0")
    for cc, tt in lean_case_totals(p, c.a, lam):
        if 0 <= tt:
            raise ClaimFailure(f"{cid}/logit[{cc}]", f"logit {cc} is not proven below the answer's", str(tt), "< 0")


# ============================================================================== Groups.lean
def lean_perm_count(m: int, k: int) -> int:
    if m < k:
        return 0
    r = 1
    for j in range(k):
        r = r * (m - j)
    return r


def lean_lex_lt(x, y) -> bool:  # noqa: ANN001
    for j in range(min(len(x), len(y))):
        if x[j] != y[j]:
            return x[j] < y[j]
    return len(x) < len(y)


def lean_sort_prefixes(xs):  # noqa: ANN001, ANN201
    out: list = []
    for x in xs:
        nxt, placed = [], False
        for y in out:
            if not placed and lean_lex_lt(x, y):
                nxt.append(x)
                placed = True
            nxt.append(y)
        if not placed:
            nxt.append(x)
        out = nxt
    return out


def lean_extends_prefix(x, y) -> bool:  # noqa: ANN001
    if len(y) < len(x):
        return False
    same = True
    for j in range(len(x)):
        if x[j] != y[j]:
            same = False
    return same


def lean_comma_join(xs) -> str:  # noqa: ANN001
    out = ""
    for j in range(len(xs)):
        if j != 0:
            out = out + ","
        out = out + str(xs[j])
    return out


def lean_count_int(xs, x: int) -> int:  # noqa: ANN001
    return sum(1 for y in xs if y == x)


def lean_known_has(known, tok: int) -> bool:  # noqa: ANN001
    return any(x == tok for x in known if x is not None)


def lean_mem_prefix(xs, pre) -> bool:  # noqa: ANN001
    return any(list(x) == list(pre) for x in xs)


def lean_group_well_formed(V: int, n: int, slots, g) -> list[int]:  # noqa: ANN001
    q, i, a, order, cases = g
    gid = f"group[{q},{i},{a}]"
    lean_require(0 <= q and q < V and 0 <= a and a < V and q != a, gid, "q and a must be distinct tokens", "", "")
    lean_require(0 <= i and i <= n - 3, gid, "the match position i must lie in 0..n−3", str(i), str(n - 3))
    slot = (q * n + i) * V + a
    lean_require(slots[slot] is None, gid, "a group appears twice", "", "once")
    free = [p for p in range(n - 1) if p != i and p != i + 1]
    perm = len(order) == len(free)
    for p in free:
        if lean_count_int(order, p) != 1:
            perm = False
    lean_require(perm, gid, "the order must list the free positions once each", "", "")
    lean_require(1 <= len(cases), gid, "a group lists at least one case", str(len(cases)), "1")
    return free


def lean_check_groups(entries, rule, depth: int, verify_case=lean_verify_case):  # noqa: ANN001, ANN201
    V, n = rule.V, rule.n
    slots: list = [None] * (V * n * V)
    covered = 0
    for g in entries:
        free = lean_group_well_formed(V, n, slots, g)
        q, i, a, order, cases = g
        seen = []
        for pre_, lam in cases:
            cid = f"case[{q},{i},{a}/{lean_comma_join(pre_)}]"
            d = len(pre_)
            lean_require(d <= depth and d <= len(free), cid, "the prefix fixes more positions than the strategy's depth allows", str(d), str(depth))
            distinct = True
            for j in range(d):
                x = pre_[j]
                if x < 0 or V <= x or x == q or x == a or lean_count_int(pre_, x) != 1:
                    distinct = False
            lean_require(distinct, cid, "prefix tokens must be distinct tokens other than q and a", "", "distinct")
            lean_require(len(lam) == n and lam[i + 1] == 0, cid, "λ has one entry per key position, 0 at the answer's key i+1", str(len(lam)), str(n))
            pre = list(pre_)
            seen.append(pre)
            known: list = [None] * n
            known[i], known[i + 1], known[n - 1] = q, a, q
            for j in range(d):
                known[order[j]] = pre[j]
            case_free = [p for p in free if known[p] is None]
            tokens = [tok for tok in range(V) if not lean_known_has(known, tok)]
            verify_case(rule, SimpleNamespace(q=q, i=i, a=a, known=known, free=case_free, tokens=tokens), lam, cid)
            covered = covered + lean_perm_count(max(V - 2 - d, 0), max(len(free) - d, 0))
        ordered = lean_sort_prefixes(seen)
        for j in range(max(len(ordered) - 1, 0)):
            x, y = ordered[j], ordered[j + 1]
            lean_require(not lean_extends_prefix(x, y), f"case[{q},{i},{a}/{lean_comma_join(y)}]", "cases overlap: a prefix extends another", "", "")
        slots[(q * n + i) * V + a] = (list(order), seen)
    return covered, SimpleNamespace(V=V, n=n, slots=slots)


def lean_covers(gs, tokens) -> bool:  # noqa: ANN001 - IndGroups.covers
    n = gs.n
    q = tokens[n - 1]
    i = lean_match_pos(tokens, n)
    hit = gs.slots[(q * n + i) * gs.V + tokens[i + 1]]
    if hit is None:
        return False
    order, seen = hit
    found = False
    for d in range(len(order) + 1):
        pre = [tokens[order[j]] for j in range(d)]
        if lean_mem_prefix(seen, pre):
            found = True
    return found


# ============================================================================== Induction/Check.lean
def lean_check_induction(depth: int, claims, w, verify_case=lean_verify_case):  # noqa: ANN001, ANN201
    if depth < 0:
        raise LeanMalformed("strategy.params.depth")
    t = lean_mk_ind_tables(w)
    ct = lean_mk_case_tables(t)
    covered, groups = lean_check_groups(claims.cases.entries, lean_mk_case_rule(ct), depth, verify_case)
    r = lean_check_ind_input_claims(claims.residual, claims.wrong, lean_mk_ind_input_rule(t), lambda tk: lean_covers(groups, tk))
    return covered + r[0], r[1]


# ============================================================================== the comparisons
def test_fixed_point_helpers_match_python():
    rng = random.Random(31)
    for _ in range(3000):
        m = rng.getrandbits(rng.randint(1, 120)) * rng.choice((-1, 1))
        e, F = rng.randint(-160, 40), rng.choice((20, 96))
        assert lean_fix_down(m, e, F) == py_fixed.down(m, e, F)
        assert lean_fix_up(m, e, F) == py_fixed.up(m, e, F)
        k = rng.randint(0, 130)
        assert lean_shr_down(m, k) == py_fixed.shr_down(m, k) and lean_shr_up(m, k) == py_fixed.shr_up(m, k)
        b = rng.getrandbits(rng.randint(1, 100)) + 1
        assert lean_div_down(m, b, F) == py_fixed.div_down(m, b, F) and lean_div_up(m, b, F) == py_fixed.div_up(m, b, F)
        lo = rng.getrandbits(30)
        hi = lo + rng.getrandbits(20)
        assert lean_mul_up(lo, hi, m, F) == py_fixed.mul_up(lo, hi, m, F)
        assert lean_mul_down(lo, hi, m, F) == py_fixed.mul_down(lo, hi, m, F)


def tiny(kind: str = "tiny"):  # noqa: ANN201
    from induction_fixtures import model

    return model(kind)


@pytest.mark.parametrize("kind", ["tiny", "mid"])
def test_tables_match_python(kind):
    w = tiny(kind)
    lt, pt = lean_mk_ind_tables(w), Tables(w)
    assert lt.k == pt.k
    for name in ("e", "v", "S1", "qe", "qv", "ke", "kv", "OVU", "ye", "yv", "ze", "zv", "PE", "PV"):
        assert getattr(lt, name) == getattr(pt, name), name


@pytest.mark.parametrize(("V", "n"), [(3, 3), (4, 3), (4, 4), (5, 4), (5, 6), (6, 5)])
def test_numbering_matches_python(V, n):
    total = lean_n_inputs(V, n)
    assert total == py_inputs.n_inputs(V, n)
    seen = set()
    for x in range(total):
        tokens = lean_induction_decode(x, V, n)
        assert tuple(tokens) == py_inputs.decode(x, V, n)
        assert lean_match_pos(tokens, n) == tokens[: n - 2].index(tokens[-1])
        seen.add(tuple(tokens))
    assert len(seen) == total


def test_input_rule_matches_python_on_every_input():
    """The margins (both bounds, every logit) of every input of the tiny model are Python's, exactly."""
    w = tiny()
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rule = lean_mk_ind_input_rule(lean_mk_ind_tables(w))
    py = py_inputs.InputRule(Tables(w))
    verdicts = set()
    for x in range(py_inputs.n_inputs(V, n)):
        tokens = lean_induction_decode(x, V, n)
        m = lean_margins(rule, tokens)
        assert (list(m[0]), list(m[1])) == tuple(list(v) for v in py.margins(tuple(tokens))), x
        assert lean_right(rule, tokens) == py.right(tuple(tokens))
        verdicts.add(lean_right(rule, tokens)[0])
    assert verdicts == {True, False}


@pytest.mark.slow
def test_input_rule_matches_python_on_the_mid_model():
    w = tiny("mid")
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rule = lean_mk_ind_input_rule(lean_mk_ind_tables(w))
    py = py_inputs.InputRule(Tables(w))
    rng = random.Random(32)
    for x in rng.sample(range(py_inputs.n_inputs(V, n)), 150):
        tokens = lean_induction_decode(x, V, n)
        assert lean_margins(rule, tokens) == tuple(list(v) for v in py.margins(tuple(tokens))), x
        for c in range(V):
            if c != tokens[lean_match_pos(tokens, n) + 1]:
                assert lean_wrong(rule, tokens, c) == py.wrong(tuple(tokens), c)


# ------------------------------------------------------------------------------ groups (the case rule left out)
def random_entries(rng: random.Random, V: int, n: int, depth: int, count: int) -> list:
    """Group lists with planted mistakes now and then (tokens out of range, a repeated group, a bad order, an
    overlapping or too deep prefix, a wrong λ length or a non-zero λ at i+1)."""
    entries = []
    for _ in range(count):
        q, a = rng.sample(range(V), 2)
        i = rng.randint(0, n - 3)
        free = [p for p in range(n - 1) if p not in (i, i + 1)]
        order = rng.sample(free, len(free))
        allowed = [t for t in range(V) if t not in (q, a)]
        d = rng.randint(0, min(depth, len(free)))
        cases = []
        for pre in {tuple(rng.sample(allowed, d)) for _ in range(rng.randint(1, 4))}:
            lam = [rng.randint(-9, 9) for _ in range(n)]
            lam[i + 1] = 0
            cases.append([list(pre), lam])
        g = [q, i, a, order, cases]
        r = rng.random()
        if r < 0.03:
            g[0] = V
        elif r < 0.06:
            g[2] = q
        elif r < 0.09:
            g[1] = n - 2
        elif r < 0.12:
            g[3] = order[:-1] + order[:1] if order else [0]
        elif r < 0.15:
            g[4] = []
        elif r < 0.2 and cases:
            cases.append([cases[0][0] + [allowed[0]], cases[0][1]])
        elif r < 0.23 and cases:
            cases[0][1] = cases[0][1][:-1]
        elif r < 0.26 and cases:
            cases[0][1][i + 1] = 1
        elif r < 0.29 and cases:
            cases[0][0] = cases[0][0] + [q]
        elif r < 0.32 and entries:
            g = list(entries[0])
        entries.append(g)
    return entries


@pytest.mark.parametrize("seed", range(80))
def test_groups_match_python(seed, monkeypatch):
    """Well-formedness, disjointness, the covered count and coverage of every input: the Lean transliteration and
    Python's Groups agree, with each case's own test (§11.5) passed in both (it is compared separately)."""
    rng = random.Random(100 + seed)
    V, n = rng.choice([(4, 4), (5, 4), (5, 5), (6, 5)])
    depth = rng.randint(0, 3)
    entries = random_entries(rng, V, n, depth, rng.randint(1, 12))
    cfg = SimpleNamespace(d_vocab=V, n_ctx=n)
    monkeypatch.setattr(py_groups, "verify", lambda parts, lam, cid: None)
    monkeypatch.setattr(py_groups, "case_parts", lambda rule, case: None)
    groups = py_groups.Groups(entries, cfg, depth)
    py = outcome(groups.check, None)
    t = SimpleNamespace(V=V, n=n)
    lean = outcome(lambda: lean_check_groups(entries, t, depth, lambda *args: None)[0])
    assert py[:2] == lean[:2], (py, lean)
    if py[0] == "ok":
        _, gs = lean_check_groups(entries, t, depth, lambda *args: None)
        for x in range(py_inputs.n_inputs(V, n)):
            tokens = lean_induction_decode(x, V, n)
            assert lean_covers(gs, tokens) == groups.covers(tuple(tokens)), tokens


# ------------------------------------------------------------------------------ whole certificates
def write_cert(folder: Path, w, entries: list, residual: list[int] | None, wrong: tuple[list[int], list[int]] | None,  # noqa: ANN001
               depth: int = 1, correct: int | None = None, upper: int | None = None) -> Path:  # fmt: skip
    """A version-3 certificate of `w` (delta-coding the input lists); `correct`/`upper` default to what the lists
    claim."""
    folder.mkdir(parents=True, exist_ok=True)
    weights_io.save(w, folder / "weights.json")
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    delta = lambda xs: [x - (xs[k - 1] if k else 0) for k, x in enumerate(xs)]  # noqa: E731
    claims: dict = {"cases": {"rule": "induction-cases", "entries": entries}}
    if residual is not None:
        claims["residual"] = {"rule": "inputs-right", "inputs": delta(residual)}
    total = py_inputs.n_inputs(V, n)
    bound = {"correct": len(residual or []) if correct is None else correct, "total": total}
    if wrong is not None:
        claims["wrong"] = {"rule": "inputs-wrong", "inputs": delta(wrong[0]), "witness": wrong[1]}
        bound["upper"] = total - len(wrong[0]) if upper is None else upper
    doc = {
        "format": "mechproof-certificate", "version": 3, "task": "induction",
        "model": {"weights": "weights.json", "sha256": w.sha256},
        "config": {"d_vocab": V, "n_ctx": n, "d_model": w.cfg.d_model, "d_head": w.cfg.d_head},
        "strategy": {"name": "windows+residual" if residual is not None else "windows", "params": {"depth": depth}},
        "claims": claims, "bound": bound,
    }  # fmt: skip
    path = folder / "cert.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def python_verdict(path: Path):  # noqa: ANN201
    def run():  # noqa: ANN202
        r = check(path)
        return r.correct, r.total, r.upper

    return outcome(run)


def lean_verdict(path: Path, **verify):  # noqa: ANN001, ANN201
    from test_lean_inputs import lean_check_certificate

    return outcome(lean_check_certificate, path, **verify)


@pytest.fixture(scope="module")
def tiny_lists():  # noqa: ANN201
    """The tiny model's inputs proven right and proven wrong (with a witness) by Python's input rule."""
    w = tiny()
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rule = py_inputs.InputRule(Tables(w))
    right, wrong, witness = [], [], []
    for x in range(py_inputs.n_inputs(V, n)):
        tokens = py_inputs.decode(x, V, n)
        if rule.right(tokens)[0]:
            right.append(x)
        else:
            a = tokens[tokens[: n - 2].index(tokens[-1]) + 1]
            c = next((c for c in range(V) if c != a and rule.wrong(tokens, c)), None)
            if c is not None:
                wrong.append(x)
                witness.append(c)
    assert right and wrong
    return w, right, wrong, witness


@pytest.mark.slow
def test_input_claims_match_python(tiny_lists, tmp_path):
    """Certificates without cases: every input in `residual` or `wrong`, then with planted mistakes (a right input
    claimed wrong, a wrong one claimed right, a repeated or out-of-range index, a bad witness, a wrong count, a
    negative depth, weights of another config)."""
    w, right, wrong, witness = tiny_lists
    total = py_inputs.n_inputs(w.cfg.d_vocab, w.cfg.n_ctx)
    variants = {
        "exact": dict(residual=right, wrong=(wrong, witness)),
        "no wrong": dict(residual=right, wrong=None),
        "windows, no lists": dict(residual=None, wrong=None),
        "right claimed wrong": dict(residual=right[1:], wrong=(sorted(wrong + right[:1]), None)),
        "wrong claimed right": dict(residual=sorted(right + wrong[:1]), wrong=(wrong[1:], witness[1:])),
        "repeated": dict(residual=right[:3] + right[2:3] + right[3:], wrong=None),
        "out of range": dict(residual=right + [total], wrong=None),
        "both lists": dict(residual=right, wrong=(sorted(wrong + right[-1:]), None)),
        "witness is the answer": dict(residual=right, wrong=(wrong, [None] + witness[1:])),
        "witness out of range": dict(residual=right, wrong=(wrong, [w.cfg.d_vocab] + witness[1:])),
        "one witness short": dict(residual=right, wrong=(wrong, witness[:-1])),
        "correct off by one": dict(residual=right, wrong=None, correct=len(right) + 1),
        "upper off by one": dict(residual=right, wrong=(wrong, witness), upper=total - len(wrong) + 1),
        "negative depth": dict(residual=right, wrong=None, depth=-1),
    }
    seen = set()
    for name, kw in variants.items():
        kw = dict(kw)
        if kw.get("wrong") is not None:
            xs, ws = kw["wrong"]
            if ws is None:  # witnesses for every listed input: the first logit other than its answer
                ws = []
                for x in xs:
                    tokens = py_inputs.decode(x, w.cfg.d_vocab, w.cfg.n_ctx)
                    a = tokens[tokens[:-2].index(tokens[-1]) + 1]
                    ws.append(witness[wrong.index(x)] if x in wrong else (0 if a else 1))
            if ws and ws[0] is None:
                tokens = py_inputs.decode(xs[0], w.cfg.d_vocab, w.cfg.n_ctx)
                ws = [tokens[tokens[:-2].index(tokens[-1]) + 1]] + ws[1:]
            kw["wrong"] = (xs, ws)
        path = write_cert(tmp_path / name.replace(" ", "-"), w, [], **kw)
        py, lean = python_verdict(path), lean_verdict(path)
        assert py[:2] == lean[:2], (name, py, lean)
        seen.add(py[0] if py[0] != "claim" else py[1].split("[")[0])
    assert {"ok", "residual", "wrong", "bound", "malformed"} <= seen, seen


@pytest.mark.parametrize("kind", ["tiny", "mid"])
def test_case_tables_match_python(kind):
    from mechproof.tasks.induction.checker.casetables import CaseTables

    w = tiny(kind)
    lct, pct = lean_mk_case_tables(lean_mk_ind_tables(w)), CaseTables(Tables(w))
    assert lct.W1lo == pct.W1[0].tolist() and lct.W1hi == pct.W1[1].tolist()
    for name in ("PE", "PV", "yv", "ye", "zv", "ze"):
        assert getattr(lct, name) == getattr(pct, name).tolist(), name


def py_case_rule(w):  # noqa: ANN001, ANN201
    from mechproof.tasks.induction.checker.casetables import CaseTables
    from mechproof.tasks.induction.checker.cases import CaseRule

    return CaseRule(CaseTables(Tables(w)))


def random_case(rng: random.Random, V: int, n: int, depth: int):  # noqa: ANN201
    """(Python Case, Lean IndCaseSpec) of a random group and prefix."""
    from mechproof.tasks.induction.checker.cases import Case

    q, a = rng.sample(range(V), 2)
    i = rng.randint(0, n - 3)
    free = [p for p in range(n - 1) if p not in (i, i + 1)]
    order = rng.sample(free, len(free))
    d = rng.randint(0, min(depth, len(free)))
    pre = rng.sample([t for t in range(V) if t not in (q, a)], d)
    known = {i: q, i + 1: a, n - 1: q}
    known.update(zip(order[:d], pre))
    case = Case(q, i, a, known, [p for p in free if p not in known], [t for t in range(V) if t not in known.values()])
    spec = SimpleNamespace(q=q, i=i, a=a, known=[known.get(p) for p in range(n)], free=case.free, tokens=case.tokens)
    return case, spec


@pytest.mark.parametrize("seed", range(12))
def test_case_parts_match_python(seed):
    """Every quantity of a random case that does not depend on the claimed bounds (the direct path's and the
    answer's least bounds, ans, every key's λ-test terms per window, the quadratic test's sum at several λ) is
    Python's, exactly; then the verdict for claimed bounds around the least passing ones agrees."""
    from mechproof.tasks.induction.checker import cases as py_cases

    rng = random.Random(300 + seed)
    w = tiny("tiny" if seed % 2 else "mid")
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rule = lean_mk_case_rule(lean_mk_case_tables(lean_mk_ind_tables(w)))
    py_rule = py_case_rule(w)
    case, spec = random_case(rng, V, n, 2)
    pp = py_cases.case_parts(py_rule, case)
    lp = lean_case_parts(rule, spec)
    assert lp.zBar == pp.z_bar.tolist() and lp.gLast == pp.g_last.tolist() and lp.yAns == pp.y_ans.tolist()
    assert [k for k, _ in lp.keys] == list(pp.keys)
    for k, kt in lp.keys:
        pk = pp.keys[k]
        assert kt.seg == pk.seg.tolist()
        assert [wd.g for wd in kt.windows] == pk.g.tolist(), k
        assert [wd.valid for wd in kt.windows] == pk.valid.tolist(), k
        assert [wd.wLo for wd in kt.windows] == pk.w_lo.tolist() and [wd.wHi for wd in kt.windows] == pk.w_hi.tolist()
        assert [wd.Y for wd in kt.windows] == pk.Y.tolist(), k
    for lam in (-(2**30), -(2**22), -12345, 0, 777, 2**21, 2**30):
        assert lean_last_key_sum(lp.last, lam) == py_cases.CaseRule.last_key_sum(pp.last, lam), lam
    # claimed bounds: the least passing L per key (searched with Python's own test), then nudged
    s = py_cases.FC - py_cases.LB
    lam = [0] * n
    for k, kt in pp.keys.items():
        lo, hi = -(2**25), 2**25
        while hi - lo > 1:
            mid = (lo + hi) // 2
            ok = int(py_cases.lambda_sum(kt.g, mid << s, kt.w_lo, kt.w_hi, kt.seg, kt.valid).max()) <= 0
            lo, hi = (lo, mid) if ok else (mid, hi)
        lam[k] = hi
    lo, hi = -(2**25), 2**25
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if py_cases.CaseRule.last_key_sum(pp.last, mid << s) <= 0 else (mid, hi)
    lam[n - 1] = hi
    for trial in range(6):
        claimed = list(lam)
        if trial:
            k = rng.choice([k for k in range(n) if k != case.i + 1])
            claimed[k] += rng.choice((-1, -3, 1, 5000))
        py = outcome(py_cases.verify, pp, claimed, "c")
        lean = outcome(lean_verify_case, rule, spec, claimed, "c")
        assert py[:2] == lean[:2], (claimed, py, lean)


def test_least_bound_is_the_least_passing_integer():
    """leastBound's bisection gives Python's least_bound (a float-guided search) on random rows, invalid entries
    included; both are the least integer passing the monotone test."""
    import numpy as np

    from mechproof.tasks.induction.checker.cases import least_bound

    rng = random.Random(41)
    for _ in range(300):
        groups = [rng.randint(1, 4) for _ in range(rng.randint(1, 6))]
        P = sum(groups)
        seg = [sum(groups[:g]) for g in range(len(groups))]
        xs = [rng.randint(-(2**20), 2**20) for _ in range(P)]
        w_lo = [rng.randint(0, 2**20) for _ in range(P)]
        w_hi = [x + rng.randint(0, 2**18) for x in w_lo]
        valid = [True] * P
        for g in range(len(groups)):
            for j in range(seg[g] + 1, seg[g] + groups[g]):
                valid[j] = rng.random() < 0.6
        py = least_bound(np.array([xs]), np.array(w_lo), np.array(w_hi), np.array(seg), np.array([valid]))[0]
        assert lean_least_bound(xs, w_lo, w_hi, seg, valid) == int(py)


@pytest.mark.parametrize(
    ("kind", "strategy", "depth"),
    [
        ("tiny", "windows", 0),
        pytest.param("tiny", "windows+residual", 1, marks=pytest.mark.slow),
        pytest.param("mid", "windows", 1, marks=pytest.mark.slow),
    ],
)
def test_certificates_match_python(kind, strategy, depth, tmp_path):
    """The producer's certificate of a tiny model, then with planted mistakes in its claimed bounds (one L_k
    lowered or raised, a prefix dropped, a group dropped): the same verdict (bounds, or the first failing claim)."""
    from induction_fixtures import write

    path = write(tmp_path / "base", kind, strategy, depth)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert python_verdict(path)[0] == "ok"
    assert lean_verdict(path) == python_verdict(path)
    rng = random.Random(hash((kind, strategy, depth)) % 1000)
    entries = doc["claims"]["cases"]["entries"]
    for trial in range(4):
        bad = json.loads(json.dumps(doc))
        g = rng.randrange(len(entries))
        grp = bad["claims"]["cases"]["entries"][g]
        if trial < 2:
            case = rng.choice(grp[4])
            k = rng.choice([k for k in range(len(case[1])) if k != grp[1] + 1])
            case[1][k] -= rng.choice((1, 2**12, 2**18))
        elif trial == 2:
            del bad["claims"]["cases"]["entries"][g]
        else:
            grp[4][0][1][grp[1] + 1] = 1
        p = tmp_path / f"bad{trial}" / path.name
        p.parent.mkdir()
        (p.parent / "weights.json").write_bytes((path.parent / "weights.json").read_bytes())
        p.write_text(json.dumps(bad), encoding="utf-8")
        py = python_verdict(p)
        assert py[:2] == lean_verdict(p)[:2], (trial, py)


@pytest.mark.slow
def test_committed_certificate_cases_match_python():
    """Cases of the committed n = 6 certificate (tests/data/induction-ind6-seed3/), as claimed and with one bound
    lowered, and some of its listed inputs: Lean's rules (transliterated) give Python's verdicts and margins. (The
    whole certificate through lean_verdict takes about 3 minutes; it agrees with Python: same bounds.)"""
    from mechproof.tasks.induction.checker import cases as py_cases
    from mechproof.tasks.induction.checker.cases import Case

    src = ROOT / "tests" / "data" / "induction-ind6-seed3"
    w = weights_io.load(src / "weights.json")
    doc = json.loads((src / "windows-residual.json").read_text(encoding="utf-8"))
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rule = lean_mk_case_rule(lean_mk_case_tables(lean_mk_ind_tables(w)))
    py_rule = py_case_rule(w)
    rng = random.Random(51)
    entries = doc["claims"]["cases"]["entries"]
    for q, i, a, order, cases in rng.sample(entries, 3):
        pre, lam = rng.choice(cases)
        known = {i: q, i + 1: a, n - 1: q}
        known.update(zip(order[: len(pre)], pre))
        free = [p for p in range(n - 1) if p not in (i, i + 1) and p not in known]
        case = Case(q, i, a, known, free, [t for t in range(V) if t not in known.values()])
        spec = SimpleNamespace(q=q, i=i, a=a, known=[known.get(p) for p in range(n)], free=free, tokens=case.tokens)
        pp = py_cases.case_parts(py_rule, case)
        lowered = list(lam)
        k = rng.choice([k for k in range(n) if k != i + 1])
        lowered[k] -= 2**14
        for claimed in (lam, lowered):
            py = outcome(py_cases.verify, pp, claimed, "c")
            assert py[:2] == outcome(lean_verify_case, rule, spec, claimed, "c")[:2], (q, i, a, py)
    # listed inputs: the margins of some residual inputs and of every wrong one (with its witness) are Python's
    ir = lean_mk_ind_input_rule(lean_mk_ind_tables(w))
    py_ir = py_inputs.InputRule(Tables(w))
    total = py_inputs.n_inputs(V, n)
    res, _ = lean_indices_prefix(doc["claims"]["residual"]["inputs"], total, "", "residual")
    wrong, _ = lean_indices_prefix(doc["claims"]["wrong"]["inputs"], total, "", "wrong")
    for x in rng.sample(res, 20) + wrong:
        tokens = lean_induction_decode(x, V, n)
        assert lean_margins(ir, tokens) == tuple(list(v) for v in py_ir.margins(tuple(tokens))), x
    for x, c in zip(wrong, doc["claims"]["wrong"]["witness"]):
        assert lean_wrong(ir, lean_induction_decode(x, V, n), c)


# ------------------------------------------------------------------------------ the Lean text
# Python checker functions of the induction task → their Lean definitions (None: not mirrored, with the reason).
LEAN_NAMES: dict[str, str | None] = {
    # fixed.py
    "down": "fixDown", "up": "fixUp", "shr_down": "shrDown", "shr_up": "shrUp", "div_down": "divDown",
    "div_up": "divUp", "mul_up": "mulUp", "mul_down": "mulDown",
    # tables.py
    "_layer": None,  # Lean reads w.wQ … and w.layer1 directly
    "_scale": "scaleMat", "Tables": "mkIndTables", "Tables.tp": "tp", "Tables.e": "embedTable",
    "Tables.v": "mkIndTables", "Tables.S1": "mkIndTables", "Tables.qe": "mkIndTables", "Tables.qv": "mkIndTables",
    "Tables.ke": "mkIndTables", "Tables.kv": "mkIndTables", "Tables.OVU": "mkIndTables", "Tables.ye": "mkIndTables",
    "Tables.yv": "mkIndTables", "Tables.ze": "mkIndTables", "Tables.zv": "mkIndTables", "Tables.PE": "mkIndTables",
    "Tables.PV": "mkIndTables",
    # inputs.py
    "n_inputs": "nInputs", "decode": "inductionDecode", "_fix": "fixTable", "_scaled": "scaledIv",
    "_product": "productIv", "_mix": "mixIv", "InputRule": "mkIndInputRule", "InputRule.fixed": "mkIndInputRule",
    "InputRule.row1": "IndInputRule.row1", "InputRule._images": "IndInputRule.images", "InputRule.key": "IndInputRule.key",
    "InputRule.margins": "IndInputRule.margins", "InputRule.right": "IndInputRule.right",
    "InputRule.wrong": "IndInputRule.wrong", "check_input_claims": "checkIndInputClaims",
    # groups.py
    "_perm": "permCount", "Groups": "checkGroups", "Groups._well_formed": "groupWellFormed", "Groups.check": "checkGroups",
    "Groups.covers": "IndGroups.covers",
    # casetables.py
    "require_range": None,  # Python's numpy-array range check; every Lean table is formed by floorArray, which checks
    "_floor_array": "floorArray", "CaseTables": "mkIndCaseTables", "CaseTables.col": "caseCol", "CaseTables.W1": "caseW1",
    "CaseTables._pair_sum": "pairSum", "CaseTables.PE": "mkIndCaseTables", "CaseTables.PV": "mkIndCaseTables",
    "CaseTables._diff": "diffTable", "CaseTables.yv": "mkIndCaseTables", "CaseTables.ye": "mkIndCaseTables",
    "CaseTables.zv": "mkIndCaseTables", "CaseTables.ze": "mkIndCaseTables",
    # mixture.py
    "ceil_shift": "ceilShift", "Rows": "mkMixRow", "Rows.bounds": "MixRow.upper",
    # cases.py
    "Case": "IndCaseSpec", "Query": "IndQuery", "lambda_sum": "lambdaSum",
    "_estimate": None,  # a float guess that only steers Python's search; Lean bisects (the same least integer)
    "least_integer": "leastBound", "least_bound": "leastBound", "CaseRule": "mkCaseRule", "CaseRule.xmax": "planeXmax",
    "CaseRule.query": "caseQuery", "CaseRule.direct": "caseDirect",
    "CaseRule.rows": "caseKey",  # inline in caseKey (one row per window)
    "CaseRule.free_cols": "caseKey",  # inline in caseKey
    "CaseRule.answer": "caseAnswer", "CaseRule.windows": "caseWindows", "CaseRule.key": "caseKey",
    "CaseRule.last_key": "caseLastKey", "CaseRule.last_key_sum": "lastKeySum", "KeyTerms": "KeyTerms",
    "Pairs": "PairTerm", "exp_up": "expUp", "Parts": "CaseParts", "case_parts": "caseParts",
    "others": "caseTotals",  # inline in caseTotals
    "totals": "caseTotals", "verify": "verifyCase",
}  # fmt: skip
PY_CHECKER = ROOT / "python" / "mechproof" / "tasks" / "induction" / "checker"


def python_functions(module: str) -> list[str]:
    """Top-level functions and classes (`Class`, then `Class.method` for each method) of a checker module."""
    import ast

    out = []
    for node in ast.parse((PY_CHECKER / module).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            out.append(node.name)
        elif isinstance(node, ast.ClassDef):
            out.append(node.name)
            out += [f"{node.name}.{f.name}" for f in node.body if isinstance(f, ast.FunctionDef) and f.name != "__init__"]
    return out


def induction_lean_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(IND.glob("*.lean")))


@pytest.mark.parametrize("module", ["fixed.py", "tables.py", "inputs.py", "casetables.py", "mixture.py", "cases.py", "groups.py"])
def test_lean_mirrors_every_induction_checker_function(module):
    import re

    defs = set(re.findall(r"^(?:def|structure)\s+([A-Za-z_][\w.]*)", induction_lean_text(), re.M))
    for name in python_functions(module):
        assert name in LEAN_NAMES, f"checker/{module}: {name} has no entry in LEAN_NAMES"
        if LEAN_NAMES[name] is not None:
            assert LEAN_NAMES[name] in defs, f"checker/{module}: {name} → def {LEAN_NAMES[name]} is missing"


def test_induction_files_are_built():
    """Every file of lean/MechProof/Induction/ is imported by MechProof.lean (so `lake build` compiles it), and
    Check.lean dispatches induction certificates to checkInduction."""
    root = (ROOT / "lean" / "MechProof.lean").read_text(encoding="utf-8")
    for p in sorted(IND.glob("*.lean")):
        assert f"import MechProof.Induction.{p.stem}\n" in root, p.name
    check_text = (ROOT / "lean" / "MechProof" / "Check.lean").read_text(encoding="utf-8")
    assert "import MechProof.Induction.Check" in check_text


def test_induction_rule_sets_match():
    """The Lean parser knows the induction task's strategies and every rule their claims use."""
    import re

    from mechproof.tasks.induction.schema import CLAIM_SCHEMAS
    from test_lean_sources import _rules_of, all_lean_text, lean_rules

    text = all_lean_text()
    m = re.search(r"def parseInductionStrategyClaims\b(.*?)(?=\n(?:def|/--|theorem|structure|inductive|end)\b)", text, re.S)
    assert m, "parseInductionStrategyClaims not found"
    assert set(re.findall(r'\|\s*"([^"]+)"\s*=>', m.group(1))) == set(CLAIM_SCHEMAS)
    rules = set().union(*(_rules_of(s) for s in CLAIM_SCHEMAS.values()))
    assert rules == {"induction-cases", "inputs-right", "inputs-wrong"}
    assert rules <= lean_rules(text)


def test_induction_text_is_current():
    """The Lean lines the transliterations above follow are still there."""
    text = {p.stem: p.read_text(encoding="utf-8") for p in IND.glob("*.lean")}
    needles = {
        "Fixed": [
            "if 0 ≤ s then m * pow2 s.toNat else floorDiv m (pow2 (-s).toNat)",
            "if 0 ≤ s then m * pow2 s.toNat else ceilDiv m (pow2 (-s).toNat)",
            "def shrDown (x : Int) (k : Nat) : Int := floorDiv x (pow2 k)",
            "def shrUp (x : Int) (k : Nat) : Int := ceilDiv x (pow2 k)",
            "def divDown (a b : Int) (F : Nat) : Int := floorDiv (a * pow2 F) b",
            "def divUp (a b : Int) (F : Nat) : Int := ceilDiv (a * pow2 F) b",
            "def mulUp (wLo wHi x : Int) (F : Nat) : Int := shrUp (x * (if 0 ≤ x then wHi else wLo)) F",
            "def mulDown (wLo wHi x : Int) (F : Nat) : Int := shrDown (x * (if 0 ≤ x then wLo else wHi)) F",
        ],
        "Tables": [
            "def tp (n t p : Nat) : Nat := t * n + p",
            "row := row.push (a[j]! * se + b[j]! * sp)",
            "let k : Nat := (bitlen w.cfg.dHead - 1) / 2",
            "let q2 : Mat := tensor (w.layer1[0]!)",
            "let o2 : Mat := tensor (w.layer1[3]!)",
            "let v : Mat := matmul (matmul e v1) o1",
            "let s1 : Mat := scaleMat (matmul (matmul e q1) (transpose (matmul e k1))) k",
            "let qv : Mat := scaleMat (matmul v q2) k",
            "let ovu : Mat := matmul (matmul v2 o2) u",
            "kv := kv, OVU := ovu, ye := matmul e ovu, yv := matmul v ovu, ze := matmul e u, zv := matmul v u,",
            "PE := (matmul qe keT, matmul qv keT), PV := (matmul qe kvT, matmul qv kvT) }",
        ],
        "Inputs": [
            "def indF : Nat := 96",
            "total := total * (V - p)",
            "let c : Nat := rank % (V - p)",
            "free := dropAt free c",
            "return out.push (out[i]!)",
            "if found == n && tokens[p]! == q then",
            "(shrDown (x.1 * (if 0 ≤ x.1 then a.1 else a.2)) indF, shrUp (x.2 * (if 0 ≤ x.2 then a.2 else a.1)) indF)",
            "(shrDown (intMin (intMin p1 p2) (intMin p3 p4)) indF, shrUp (intMax (intMax p1 p2) (intMax p3 p4)) indF)",
            "let s : Iv := scaledIv a (row[c]!)",
            "let r : Array Int := rule.t.S1.rows[tp n (tokens[p]!) p]!",
            "let w ← expBoundsE (Dy.mk (s - c) rule.t.S1.e)",
            "out := out.push (divDown (lo[j]!) sHi indF, divUp (hi[j]!) sLo indF)",
            "rows := rows.push ((tabs.2)[tp n (tokens[l]!) l]!)",
            "out := out.push (mixIv ((tabs.1)[own]!) a rows)",
            'let last ← rule.images tokens (n - 1) #["q", "z", "k", "y"]',
            "let ref : Int := (scores[i + 1]!).1",
            "let el ← expBoundsE (Dy.mk (s.1 - ref) (-(Int.ofNat indF)))",
            "b := b.push (fixDown el.1.m el.1.e indF, fixUp eh.2.m eh.2.e indF)",
            "let gLo : Int := dz.1 + (y[c]!).1 - (y[a]!).2",
            "let gHi : Int := dz.2 + (y[c]!).2 - (y[a]!).1",
            "upC := upC + gHi * (if 0 ≤ gHi then bk.2 else bk.1)",
            "loC := loC + gLo * (if 0 ≤ gLo then bk.1 else bk.2)",
            "if c != a && decide (0 ≤ (m.1)[c]!) then",
            "return decide (0 ≤ (m.2)[c]!)",
            'let what : String := "input index out of range (must be < the number of inputs)"',
            "require (decide (0 ≤ c) && decide (c < Int.ofNat V) && c != Int.ofNat a) cid",
            "require (!(covers tokens) && !(memSorted res.1 x)) cid",
        ],
        "Groups": [
            "r := r * (m - j)",
            "return decide (x[j]! < y[j]!)",
            "return decide (x.size < y.size)",
            "if !placed && lexLt x y then",
            "require (decide (0 ≤ g.i) && decide (g.i ≤ Int.ofNat n - 3)) gid",
            "let slot : Nat := (g.q.toNat * n + g.i.toNat) * V + g.a.toNat",
            "if countInt g.order (Int.ofNat p) != 1 then",
            "require (decide (Int.ofNat d ≤ depth) && decide (d ≤ free.size)) cid",
            "if decide (x < 0) || decide (Int.ofNat V ≤ x) || x == g.q || x == g.a || countInt c.pre x != 1 then",
            "require (c.lam.size == n && c.lam[i + 1]! == 0) cid",
            "known := known.set! ((g.order[j]!).toNat) (some (pre[j]!))",
            "verifyCase rule { q := q, i := i, a := a, known := known, free := caseFree, tokens := tokens } c.lam cid",
            "covered := covered + permCount (V - 2 - d) (free.size - d)",
            "require (!(extendsPrefix x y)) s!\"case[{g.q},{g.i},{g.a}/{commaJoin (y.map Int.ofNat)}]\"",
            "match gs.slots[(q * n + i) * gs.V + tokens[i + 1]!]! with",
            "pre := pre.push (tokens[order[j]!]!)",
        ],
        "CaseTables": [
            "def caseFC : Nat := 20",
            "def caseLB : Nat := 16",
            "def valueBits : Nat := 10",
            "if c % n ≤ p then",
            "shift := intMax shift (row[c]!)",
            "let ab ← expBoundsE (Dy.mk (row[c]! - shift) t.S1.e)",
            "rlo := rlo.push (fixDown ab.1.m ab.1.e caseFC)",
            "rhi := rhi.push (fixUp ab.2.m ab.2.e caseFC)",
            "let limit : Int := pow2 (valueBits + caseFC)",
            "let r : Array Int := row.map (fun x => fixDown x e caseFC)",
            "if decide (limit ≤ x) || decide (x ≤ -limit) then",
            "let arow : Array Int := (a.rows[caseCol t.n q (t.n - 1)]!).map (fun x => x * sa)",
            "s := s.push (arow[c]! + brow[c]! * sb)",
            "let plane ← floorArray (m.rows.map (fun row => row.map (fun x => x - row[a]!))) m.e what",
            'let pe ← pairSum t t.PE.1 t.PE.2 "PE"',
            'let ze ← diffTable t.ze t.V "ze"',
        ],
        "Mixture": [
            "def ceilShift (x : Int) : Int := shrUp x caseFC",
            "let b : Int := floorDiv (wLo[j]! * one) sHi",
            "let bHi : Int := intMin (ceilDiv (wHi[j]! * one) (intMax sLo 1)) one",
            "width := width + (bHi - b)",
            "if 0 < wFree then intMin (ceilDiv (wFree * one) (intMax (sLo + wFree) 1)) one else 0",
            "s := s + row.beta[j]! * xs[j]!",
            "let hi : Int := s + (row.betaSum + width)",
            "let lo : Int := s - width",
            "let gap : Int := intMax ((rMax + 1) * pow2 caseFC - lo) 0",
            "return ceilShift (hi + row.theta * ceilShift gap)",
        ],
        "Cases": [
            "m := intMax m (intAbs x)",
            "let t : Int := intMax (wHi[j]! * x) (wLo[j]! * x)",
            "let mut bot : Int := lo - 1",
            "for _ in List.range (bitlen (top - bot).natAbs + 1) do",
            "let mid : Int := floorDiv (top + bot) 2",
            "if decide (lambdaSum xs mid wLo wHi seg valid ≤ 0) then",
            "let zrow : Array Int := q.r.map (fun x => at3 ct.zv a x k + 1)",
            "let grow : Array Int := q.r.map (fun x => at3 ct.zv a x k + 1 + at3 ct.yv a x k + 1)",
            "z := z.push (at3 ct.ze a own k + 1 + leastBound zrow q.wLo q.wHi q.seg valid)",
            "g := g.push (at3 ct.ze a own k + at3 ct.ye a own k + 2 + leastBound grow q.wLo q.wHi q.seg valid)",
            "let xs : Array Int := cols.map (fun x => -(at3 ct.PV c.q (q.r[e]!) x))",
            "!(x % n == q.pos[e]! && !(q.known[e]!)) || x / n == q.tok[e]!)",
            "let v : Int := -(at3 ct.PE c.q (q.r[e]!) row) + leastBound xs wLo wHi seg valid",
            "y := y.push (at3 ct.ye c.a row k + 1 + leastBound xs wLo wHi seg allValid)",
            "let cand : Array Nat := if k == 0 then #[0] else #[k - 1, k]",
            "if decide (l < k) && !(natMem wpos l) then",
            "wFree := wFree + maxOver c.tokens (fun t => at2 ct.W1hi row (caseCol n t l))",
            "valid := valid.push (!(natMem combo t))",
            "rMaxByCol := rMaxByCol.set! x (maxOver fc (fun col => at3 ct.PV c.q x col))",
            "let yMax : Array Int := (natRange rule.V).map (fun cc => maxOver fc (fun col => at3 ct.yv c.a col cc))",
            "let upper : Int := mix.upper xs xmaxPV (rMaxByCol[x]!)",
            "g := g.push (at3 ct.PE c.q x row + 1 + upper + q.ansByCol[x]!)",
            "y := y.push (at3 ct.ye c.a row cc + 1 + mix.upper ys xmaxYV (yMax[cc]!))",
            "let h : Nat → Nat → Int := fun e f => base[e]! + at3 ct.PV c.q (q.r[e]!) (q.r[f]!)",
            "{ H := hh, lo := shrDown (q.wLo[e]! * q.wLo[f]!) caseFC, hi := shrUp (q.wHi[e]! * q.wHi[f]!) caseFC, c := cc }",
            "if !(q.tok[e]! == q.tok[f]! && !(q.known[e]!) && !(q.known[f]!)) then",
            "grp := grp.push (mkTerm e f (h e f + h f e) 2)",
            "let x : Int := t.H - t.c * lam",
            "let v : Int := intMax (t.hi * x) (t.lo * x)",
            "let b ← expBoundsE (Dy.mk lam (-(Int.ofNat caseLB)))",
            "let mut t : Int := (p.zBar[cc]! + p.yAns[cc]!) * pow2 caseFC",
            "t := t + e[j]! * x",
            "let s : Int := pow2 (caseFC - caseLB)",
            "let v : Int := lambdaSum w.g (lam[k]! * s) w.wLo w.wHi kt.2.seg w.valid",
            "let total : Int := lastKeySum p.last (lam[n - 1]! * s)",
            "if 0 ≤ tc.2 then",
        ],
        "Check": [
            "if decide (depth < 0) then",
            "let ct ← mkIndCaseTables t",
            "let (covered, groups) ← checkGroups claims.entries (mkCaseRule ct) depth",
            "let r ← checkIndInputClaims claims.residual claims.wrong (mkIndInputRule t) groups.covers",
            "return (covered + r.1, r.2)",
        ],
    }
    for stem, lines in needles.items():
        for needle in lines:
            assert needle in text[stem], f"{stem}.lean: {needle}"


def test_leangen_writes_a_module_for_an_induction_certificate(tmp_path):
    """An induction certificate under a project's certificates/ gets its module like any other (the statement
    of both bounds over the task's N inputs); the Lean checker dispatches on its task."""
    from mechproof import leangen
    from test_lean_sources import bracket_problems, forbidden_uses

    (tmp_path / "lakefile.lean").write_text("-- scratch\n")
    src = ROOT / "tests" / "data" / "induction-ind6-seed3"
    d = tmp_path / "certificates" / "ind6-seed3"
    d.mkdir(parents=True)
    for name in ("weights.json", "windows-residual.json"):
        (d / name).write_bytes((src / name).read_bytes())
    written, removed = leangen.regenerate_all(tmp_path)
    assert [p.name for p in written] == ["Ind6Seed3WindowsResidual.lean"] and removed == []
    text = written[0].read_text(encoding="utf-8")
    assert "theorem bounds : MechProof.certifiesBounds certificate weights 2096635 2096635 2096640 = true := by" in text
    assert 'include_str "../../certificates/ind6-seed3/weights.json"' in text
    assert forbidden_uses(text) == [] and bracket_problems(text) == []


# Edits of an induction certificate; None: Python names a place Lean's parser cannot (an unknown key, which Lean
# finds by comparing the object with its allowed keys, and a `null` input claim, which pydantic reports on `claims`).
CERT_EDITS = {
    "L too big": (lambda d: d["claims"]["cases"]["entries"][0][4][0][1].__setitem__(3, 2**26), "claims.cases.entries[0][4][0][1][3]"),
    "L bool": (lambda d: d["claims"]["cases"]["entries"][0][4][0][1].__setitem__(3, True), "claims.cases.entries[0][4][0][1][3]"),
    "group short": (lambda d: d["claims"]["cases"]["entries"][0].pop(), "claims.cases.entries[0][4]"),
    "group empty": (lambda d: d["claims"]["cases"]["entries"].__setitem__(0, []), "claims.cases.entries[0][0]"),
    "group long": (lambda d: d["claims"]["cases"]["entries"][0].append(1), "claims.cases.entries[0]"),
    "case short": (lambda d: d["claims"]["cases"]["entries"][0][4][0].pop(), "claims.cases.entries[0][4][0][1]"),
    "q string": (lambda d: d["claims"]["cases"]["entries"][0].__setitem__(0, "1"), "claims.cases.entries[0][0]"),
    "order float": (lambda d: d["claims"]["cases"]["entries"][0][3].__setitem__(0, 2.0), "claims.cases.entries[0][3][0]"),
    "entries null": (lambda d: d["claims"]["cases"].__setitem__("entries", None), "claims.cases.entries"),
    "rule": (lambda d: d["claims"]["cases"].__setitem__("rule", "cubic-case"), "claims.cases.rule"),
    "depth string": (lambda d: d["strategy"]["params"].__setitem__("depth", "1"), "strategy.params.depth"),
    "strategy": (lambda d: d["strategy"].__setitem__("name", "cubic"), "strategy.name"),
    "task": (lambda d: d.__setitem__("task", "other"), "task"),
    "no task": (lambda d: d.pop("task"), "task"),
    "version 2 with task": (lambda d: d.__setitem__("version", 2), "task"),
    "config V": (lambda d: d["config"].__setitem__("d_vocab", 2), "config.d_vocab"),
    "config V < n - 1": (lambda d: d["config"].__setitem__("n_ctx", 7), "config"),
    "config d_head": (lambda d: d["config"].__setitem__("d_head", 8), "config"),
    "params extra": (lambda d: d["strategy"]["params"].__setitem__("x", 1), None),
    "residual null": (lambda d: d["claims"].__setitem__("residual", None), None),
    "claims extra": (lambda d: d["claims"].__setitem__("x", {}), None),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CERT_EDITS))
def test_malformed_certificates_name_the_same_field(name, tmp_path):
    edit, field = CERT_EDITS[name]
    path = write_cert(tmp_path / "c", tiny(), [[1, 0, 2, [2], [[[], [0, 0, 0, 0]]]]], residual=None, wrong=None)
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")
    py, lean = python_verdict(path), lean_verdict(path)
    assert py[0] == lean[0] == "malformed"
    if field is not None:
        assert py[1] == lean[1] == field


@pytest.mark.parametrize(
    ("tensor", "shift", "field"),
    [("W_U", 12, "yv"), ("blocks.1.attn.W_Q", 14, "PE"), ("blocks.0.attn.W_Q", 30, "exp argument"), ("W_U", 3, None)],
)
def test_limits_match_python(tensor, shift, field, tmp_path):
    """A model scaled beyond the case rule's table limits (docs §11.7) or the exp range (§6, §10) is malformed
    input at the same field for both checkers (the first table in Python's order), before any claim; a small
    scaling is not."""
    from dataclasses import replace

    w = tiny()
    t = w.tensors[tensor]
    scaled = type(w)(w.cfg, {**w.tensors, tensor: replace(t, exponent=t.exponent + shift)}, w.seed, w.provenance)
    path = write_cert(tmp_path / "c", scaled, [], residual=None, wrong=None)
    py, lean = python_verdict(path), lean_verdict(path)
    assert py == lean
    assert py == (("malformed", field) if field else ("ok", (0, py_inputs.n_inputs(w.cfg.d_vocab, w.cfg.n_ctx), None)))
