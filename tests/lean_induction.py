"""Line-by-line Python transliterations of the Lean mirror of the induction checker (lean/MechProof/Induction/,
docs/certificate.md §11), for tests/test_lean_induction.py and tests/test_lean_induction_text.py.

Each `lean_*` function is the Lean definition of the same name written line by line in Python (as in
test_lean_inputs.py: `xs[i]!` is `xs[i]`, `for x in List.range n` is `for x in range(n)`, `floorDiv`/`ceilDiv` are
the transliterations of test_lean_sources.py, an `Except` error is a raised ClaimFailure or LeanMalformed; the
exact matrix helpers `tensor`, `matmul`, `transpose` are Matrices.lean's, shadow-tested there).
"""

from __future__ import annotations

from types import SimpleNamespace

from mechproof.checker import ClaimFailure
from mechproof.checker.matrices import matmul, tensor, transpose
from test_lean_inputs import lean_exp_bounds_e, lean_indices_prefix, lean_nat_list, lean_require
from test_lean_parse import LeanMalformed
from test_lean_sources import lean_bitlen, lean_ceil_div, lean_floor_div


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
