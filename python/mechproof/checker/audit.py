"""`mechproof audit`: one step of a certificate, its inputs, its rule and the recomputed exact values.

For a reviewer who wants to convince themselves of a single claim by hand. It uses the checker's own
arithmetic, and states for every claim it touches whether that claim holds.
"""

from __future__ import annotations

import re
from functools import partial
from itertools import accumulate
from math import comb
from pathlib import Path
from typing import Any

from .. import weights as weights_io
from ..certificate import load_certificate
from ..errors import InputError
from .arith import Dy, dy_lt, dy_mul, dy_sign, dy_str, exp_bounds
from .cubic import CaseTables, Coverage, CubicDerived, case_groups, case_total, check_inv_sqrt, placements
from .failures import ClaimFailure
from .inputs import InputRule, decode
from .matrices import exact_matrices
from .subcubic import SubcubicChecker, coverage, frac, frac_str, subcubic_covers

_INDEXED = re.compile(r"^(exp_eqke|exp_eqkp)\[(\d+),(\d+)\]$")
_CASE = re.compile(r"^case\[(\d+),(\d+),(\d+)\](?:/(\d+))?$")
_INPUT = re.compile(r"^(residual|wrong|input)\[(\d+)\]$")
_IDS = "inv_sqrt_d_head, exp_eqke[q,k], exp_eqkp[q,p], case[q,m,c], case[q,m,c]/k, bound, residual[x], wrong[x], input[x]"


def _inv_sqrt(claims: Any, d_head: int) -> tuple[tuple[Dy, Dy], str]:
    try:
        return check_inv_sqrt(claims.inv_sqrt_d_head, d_head), "holds"
    except ClaimFailure as e:
        c = claims.inv_sqrt_d_head
        return ((c.lo, c.exp), (c.hi, c.exp)), f"FAILS: {e}"


class _Ctx:
    """A cubic certificate with everything the checker derives from it."""

    def __init__(self, path: Path) -> None:
        self.cert, self.claims = load_certificate(path)
        self.w = weights_io.load(path.parent / self.cert.model.weights)
        self.mats = exact_matrices(self.w)
        self.n, self.V = self.cert.config.n_ctx, self.cert.config.d_vocab
        self.r, self.r_ok = _inv_sqrt(self.claims, self.cert.config.d_head)
        self.d = CubicDerived(self.mats, self.n)
        self.v2 = self.claims.cases.rule == "cubic-prefix"
        self.listed = {(e[0], e[1], e[2]): tuple(e[3:]) if self.v2 else e[3] for e in self.claims.cases.entries}
        V, n = self.V, self.n
        tok = [[self.interval("exp_eqke", q, t) for t in range(V)] for q in range(V)]
        pos = [[self.interval("exp_eqkp", q, p) for p in range(n)] for q in range(V)]
        self.tok, self.pos = tok, pos
        self.tables = CaseTables(self.d, tok, pos)
        self.rule = InputRule(self.w, self.r, self.mats)

    def case_sets(self) -> dict[tuple[int, int, int], set[int]]:
        """Every listed case (q, m, c) and its token set G as the checker derives it ({m} for c = 0)."""
        return {key: set(self.token_set(*key) or []) for key in self.listed}

    def interval(self, name: str, i: int, j: int) -> tuple[Dy, Dy]:
        c = getattr(self.claims, name)
        return (c.lo[i][j], c.exp[i][j]), (c.hi[i][j], c.exp[i][j])

    def token_set(self, q: int, m: int, c: int) -> list[int] | None:
        """G of a listed case (derived from the boundary tokens in version 2), or None if not listed."""
        entry = self.listed.get((q, m, c))
        if entry is None or c == 0:
            return None if entry is None else [m]
        if not self.v2:
            return list(entry)
        plus, minus, _ = self.tables.order(q, m)
        kp, kn = entry
        lim_p = plus.get(kp, -1) if kp != -1 else -1
        lim_n = minus.get(kn, -1) if kn != -1 else -1
        return sorted([k for k, r in plus.items() if r <= lim_p] + [k for k, r in minus.items() if r <= lim_n])

    def coverage(self) -> Coverage:
        cover = Coverage(self.tables)
        for (q, m, c), entry in self.listed.items():
            if c == 0:
                cover.cases[(q, m, 0)] = None
            elif self.v2:
                plus, minus, _ = self.tables.order(q, m)
                cover.cases[(q, m, c)] = (plus.get(entry[0], -1), minus.get(entry[1], -1))
            else:
                cover.cases[(q, m, c)] = frozenset(entry)
        return cover


def _exp_lines(ctx: _Ctx, name: str, i: int, j: int) -> list[str]:
    matrix = "EQKE" if name == "exp_eqke" else "EQKP"
    rows, e = ctx.mats[matrix]
    a = rows[i][j]
    x1, x2 = dy_mul((a, e), ctx.r[0]), dy_mul((a, e), ctx.r[1])
    x_lo, x_hi = (x1, x2) if a >= 0 else (x2, x1)
    lo, hi = ctx.interval(name, i, j)
    own_lo, own_hi = exp_bounds(x_lo)[0], exp_bounds(x_hi)[1]
    ok = lo[0] >= 0 and not dy_lt(own_lo, lo) and not dy_lt(hi, own_hi)
    return [
        f"claim {name}[{i},{j}]  rule exp-enclosure: lo ≤ exp({matrix}[{i},{j}]/√d_head) ≤ hi",
        f"  {matrix}[{i},{j}] = {dy_str((a, e))}  (exact, from the weights)",
        f"  1/√d_head ∈ [{dy_str(ctx.r[0])}, {dy_str(ctx.r[1])}]  (inv_sqrt_d_head {ctx.r_ok})",
        f"  argument ∈ [{dy_str(x_lo)}, {dy_str(x_hi)}]",
        f"  claimed  lo = {dy_str(lo)}",
        f"           hi = {dy_str(hi)}",
        f"  checker  exp(x_lo) ≥ {dy_str(own_lo)}",
        f"           exp(x_hi) ≤ {dy_str(own_hi)}",
        f"  verdict: {'holds' if ok else 'FAILS'}",
    ]


def input_lines(rule: InputRule, tokens: tuple[int, ...], witness: int | None = None, worst: int = 5) -> list[str]:
    """The input rule (docs §8) on one input: the logits that come closest to the max token's, and the verdict."""
    m, q = max(tokens), tokens[-1]
    wlo, whi = rule.weights(tokens)
    rows = [rule.n_row(q, m, t, p) for p, t in enumerate(tokens)]
    ups = [sum(x * (hi if x >= 0 else lo) for x, lo, hi in zip(col, wlo, whi)) for col in zip(*rows)]
    los = [sum(x * (lo if x >= 0 else hi) for x, lo, hi in zip(col, wlo, whi)) for col in zip(*rows)]
    order = sorted((j for j in range(rule.V) if j != m), key=lambda j: -ups[j])
    right = ups[order[0]] < 0
    out = [
        f"input {list(tokens)}  rule input (docs §8): max token m = {m}, query q = {q}",
        "  w_p ∈ tok[q,t_p]·pos[q,p] (checker's own exp enclosures"
        + ("; all tokens equal, so tok is a common factor and omitted)" if all(t == q for t in tokens) else ")"),
        "  logits closest to logit m (D = Σ_p w_p; up_j ≥ D·(logit_j − logit_m) ≥ lo_j, common positive scale):",
    ]
    for j in order[:worst]:
        out.append(f"    j = {j}: up_j {'<' if ups[j] < 0 else '≥'} 0 (≈ {_sign_size(ups[j])}), lo_j {'≥' if los[j] >= 0 else '<'} 0")
    if witness is not None:
        out.append(f"  witness j = {witness}: lo_j {'≥ 0: logit j reaches logit m' if los[witness] >= 0 else '< 0: NOT proven wrong'}")
    wrong = [j for j in range(rule.V) if j != m and los[j] >= 0]
    verdict = "proven right" if right else f"proven wrong (e.g. j = {wrong[0]})" if wrong else "undecided"
    out.append(f"  verdict: {verdict}")
    return out


def _sign_size(x: int) -> str:
    return f"{'-' if x < 0 else '+'}2^{abs(x).bit_length()} units" if x else "0"


def _case_lines(ctx: _Ctx, m: int, q: int, k: int, c: int) -> list[str]:
    d, n = ctx.d, ctx.n
    if not (0 <= q <= m < ctx.V and 0 <= c <= (n - 1 if q == m else n - 2)):
        raise InputError(None, "--case", f"no such case m={m}, q={q}, c={c} for d_vocab={ctx.V}, n_ctx={n}")
    G = ctx.token_set(q, m, c)
    listed = f"yes, G = {G}" if G is not None else "no"
    if c == 0:
        head = [f"case m={m} q={q} c=0: the single input {[m] * (n - 1) + [q]}, decided by the input rule",
                f"  certificate lists this case: {listed}"]
        return head + ["  " + line for line in input_lines(ctx.rule, (m,) * (n - 1) + (q,))]
    if not 0 <= k < m:
        raise InputError(None, "--case", f"the non-max token k={k} must lie in [0, m={m}) when c ≥ 1")
    a, cls = ctx.tables.A(q, m, k)
    out = [
        f"case m={m} q={q} k={k} c={c}  rule {ctx.claims.cases.rule}: Σ_groups U(t)·tok(t)·Σ pos < 0 at both placements",
        f"  certificate lists this case: {listed}" + (f"; k {'is' if k in G else 'is NOT'} in G" if G is not None else ""),
        f"  E*[q={q},m={m}] = {dy_str((d.e_star[q][m], d.e))}",
    ]
    if ctx.v2 and G is not None:
        kp, kn = ctx.listed[(q, m, c)]
        out.append(f"  boundary tokens kp = {kp}, kn = {kn}; k has class {'+' if cls > 0 else '−'} and A_k = {dy_str(a)}")
    for t in sorted({m, k, q}):
        out.append(f"  V*[m={m},t={t}] = {dy_str((d.v_star[m][t], d.e))}   U = {dy_str(d.U(q, m, t))}")
    out.append(f"  positions sorted by EQKP[q] (non-query): {d.order[q]}")
    verdict = True
    for name, max_slots, others in placements(d, q, c):
        out.append(f"  placement {name}: max slots {max_slots}, non-max slots {others}")
        for t, slots in case_groups(d, q, m, c, k, max_slots, others):
            u = d.U(q, m, t)
            end = "hi" if dy_sign(u) >= 0 else "lo"
            out.append(f"    group token {t} at {slots}: U {'≥' if end == 'hi' else '<'} 0, so {end} ends of tok and pos")
        total = case_total(d, ctx.tok, ctx.pos, q, m, c, k, max_slots, others)
        verdict &= dy_sign(total) < 0
        out.append(f"    upper bound of F = {dy_str(total)}  → {'< 0' if dy_sign(total) < 0 else 'NOT < 0'}")
    cover = comb(n - 1, c) * (len(G) ** c if G else 0)
    out.append(f"  verdict: pure inputs of this case with token {k} are {'proven correct' if verdict else 'not proven'}")
    out.append(f"  inputs covered by the listed case: C({n - 1},{c})·|G|^{c} = {cover}")
    return out


def _input_claim_lines(claims: Any, rule: InputRule, covers: Any, kind: str, x: int, path: Path) -> list[str]:
    """residual[x], wrong[x] (listed inputs) or input[x] (any input) by the input rule."""
    V, n = rule.V, rule.n
    if not 0 <= x < V**n:
        raise InputError(path, "--claim", f"input index out of range [0, {V**n})")
    tokens = decode(x, V, n)
    listed = {"residual": claims.residual, "wrong": claims.wrong}.get(kind)
    witness = None
    head = [f"claim {kind}[{x}]: input {list(tokens)} (x = Σ_p t_p·{V}^p)"]
    if kind != "input":
        if listed is None:
            raise InputError(path, "--claim", f"the certificate has no {kind} claim")
        xs = list(accumulate(listed.inputs))
        if x not in xs:
            raise InputError(path, "--claim", f"input {x} is not listed in {kind}")
        if kind == "wrong":
            witness = listed.witness[xs.index(x)]
    head.append(f"  covered by the strategy's cases: {'yes' if covers(tokens) else 'no'}")
    return head + ["  " + line for line in input_lines(rule, tokens, witness)]


def audit_claim(path: Path, claim_id: str) -> list[str]:
    cert, _ = load_certificate(path)
    if cert.strategy.name == "subcubic":
        return _subcubic_lines(path, claim_id)
    ctx = _Ctx(path)
    if claim_id == "inv_sqrt_d_head":
        c = ctx.claims.inv_sqrt_d_head
        d = ctx.cert.config.d_head
        return [
            "claim inv_sqrt_d_head  rule inv-sqrt: lo·2^e ≤ 1/√d_head ≤ hi·2^e",
            f"  lo = {c.lo}, hi = {c.hi}, e = {c.exp}, d_head = {d}",
            f"  lo²·d = {c.lo * c.lo * d}",
            f"  2^(−2e) = {1 << (-2 * c.exp) if c.exp <= 0 else 'n/a'}",
            f"  hi²·d = {c.hi * c.hi * d}",
            f"  verdict: {ctx.r_ok}",
        ]
    if (mt := _INDEXED.match(claim_id)) is not None:
        name, i, j = mt.group(1), int(mt.group(2)), int(mt.group(3))
        cols = ctx.V if name == "exp_eqke" else ctx.n
        if not (i < ctx.V and j < cols):
            raise InputError(path, claim_id, f"index out of range ({ctx.V}×{cols})")
        return _exp_lines(ctx, name, i, j)
    if (mc := _CASE.match(claim_id)) is not None:
        q, m, c = int(mc.group(1)), int(mc.group(2)), int(mc.group(3))
        if mc.group(4) is not None:
            return _case_lines(ctx, m, q, int(mc.group(4)), c)
        G = ctx.token_set(q, m, c)
        if G is None:
            raise InputError(path, claim_id, "the certificate lists no such case")
        if c == 0:
            return _case_lines(ctx, m, q, m, 0)
        lines = [f"claim case[{q},{m},{c}]: G = {G}" + (f" (boundaries {ctx.listed[(q, m, c)]})" if ctx.v2 else "")]
        for kk in ([k for k in ctx.listed[(q, m, c)] if k != -1] if ctx.v2 else G):  # v2: the boundaries are the worst
            lines += _case_lines(ctx, m, q, kk, c)
        return lines
    if (mi := _INPUT.match(claim_id)) is not None:
        return _input_claim_lines(ctx.claims, ctx.rule, ctx.coverage(), mi.group(1), int(mi.group(2)), path)
    if claim_id == "bound":
        total = sum(comb(ctx.n - 1, c) * len(ctx.token_set(q, m, c) or []) ** c for (q, m, c) in ctx.listed)
        return _bound_lines(ctx.cert, ctx.claims, len(ctx.listed), total, ctx.V**ctx.n)
    raise InputError(path, "--claim", f"unknown claim id {claim_id!r}; ids: {_IDS}")


def _count(listed: Any) -> int:
    return 0 if listed is None else len(listed.inputs)


def _bound_lines(cert: Any, claims: Any, n_cases: int, covered: int, total: int) -> list[str]:
    b = cert.bound
    right, wrong = _count(claims.residual), _count(claims.wrong)
    lines = [
        "claim bound  rule: correct = (inputs the cases cover) + (residual inputs); total = d_vocab^n_ctx",
        f"  cases listed: {n_cases}   covered (recomputed): {covered}   residual inputs: {right}",
        f"  correct = {covered + right}   claimed: {b.correct}",
        f"  d_vocab^n_ctx = {total}   claimed total: {b.total}",
    ]
    ok = covered + right == b.correct and b.total == total
    if claims.wrong is not None:
        lines.append(f"  upper = total − wrong inputs = {total} − {wrong} = {total - wrong}   claimed: {b.upper}")
        ok &= b.upper == total - wrong
    lines.append(f"  verdict: {'holds' if ok else 'FAILS'} (the case and input claims themselves are checked separately)")
    return lines


def audit_case(path: Path, m: int, q: int, k: int, c: int) -> list[str]:
    cert, _ = load_certificate(path)
    if cert.strategy.name not in ("cubic", "cubic+residual"):
        raise InputError(path, "--case", "--case m,q,k,c is for cubic certificates; use --claim 'case[q,m,c]'")
    return _case_lines(_Ctx(path), m, q, k, c)


def _subcubic_lines(path: Path, claim_id: str) -> list[str]:
    """One subcubic case (docs §7.3), or the bound, recomputed by the checker's own SubcubicChecker."""
    cert, claims = load_certificate(path)
    params = cert.typed_params(path)
    w = weights_io.load(path.parent / cert.model.weights)
    ck = SubcubicChecker(w, params, claims, path)
    entries = {(e[0], e[1], e[2]): e[3] for e in claims.cases.entries}
    n = cert.config.n_ctx
    if claim_id == "bound":
        total = sum(coverage(n, q, m, c, g, params.count) for (q, m, c), g in entries.items())
        return _bound_lines(cert, claims, len(entries), total, cert.config.d_vocab**n)
    if (mi := _INPUT.match(claim_id)) is not None:
        covers = partial(subcubic_covers, entries)
        return _input_claim_lines(claims, ck.rule(), covers, mi.group(1), int(mi.group(2)), path)
    mc = _CASE.match(claim_id)
    if mc is None or mc.group(4) is not None:
        raise InputError(path, "--claim", f"unknown claim id {claim_id!r}; for subcubic certificates: case[q,m,c], bound, residual[x], wrong[x], input[x]")
    q, m, c = (int(mc.group(i)) for i in (1, 2, 3))
    if (q, m, c) not in entries:
        raise InputError(path, claim_id, "the certificate lists no such case")
    g = entries[(q, m, c)]
    if c == 0:
        return [f"claim case[{q},{m},0]: the single input {[m] * n}, decided by the input rule"] + [
            "  " + line for line in input_lines(ck.rule(), (m,) * n)
        ]
    lines = [
        f"claim case[{q},{m},{c}] (gap g = {g})  rule subcubic-case ({params.variant}):",
        f"  inputs: max {m}, query {q}, {c} positions < {m} (query included if q < m), all ≤ {m - g}",
    ]
    d_lo, d_hi = ck.gaps(q, m, g)
    lines += [
        f"  ε_q = {dy_str((ck.eps[0][q], ck.eps[1]))}",
        f"  Δ_lo = {dy_str(d_lo)}   Δ_hi = {dy_str(d_hi)}",
    ]
    for placement in ("low", "high"):
        mx, others = ck.slots(q, m, c, placement)
        lines.append(f"  placement {placement}: max slots {mx}, non-max slots {others}")
    a_lo, a_hi = ck.attention_bounds(q, m, c, g)
    lines.append(f"  attention on the max: a_lo = {frac_str(a_lo)}, a_hi = {frac_str(a_hi)}")
    lines.append(f"  v = avg[{m}][{c}] = {frac_str(frac(ck.avg[m][c]))}   h = {dy_str(ck.h(m, c))}")
    ok = True
    for name, a in (("a_lo", a_lo), ("a_hi", a_hi)):
        b = ck.output_bound(q, m, c, g, a)
        ok &= b < 0
        lines.append(f"  B({name}) = {frac_str(b)}  → {'< 0' if b < 0 else 'NOT < 0'}")
    lines.append(f"  verdict: {'holds' if ok else 'FAILS'}; covers {coverage(n, q, m, c, g, params.count)} inputs")
    return lines


def cubic_context(path: Path) -> _Ctx:
    """A cubic certificate with the checker's derived tables (for reports such as `mechproof explain`)."""
    return _Ctx(Path(path))


def cubic_case_sets(path: Path) -> dict[tuple[int, int, int], set[int]]:
    """Every listed cubic case (q, m, c) and its token set G as the checker derives it ({m} for c = 0)."""
    return _Ctx(Path(path)).case_sets()
