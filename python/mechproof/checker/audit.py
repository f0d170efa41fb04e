"""`mechproof audit`: one step of a certificate, its inputs, its rule and the recomputed exact values.

For a reviewer who wants to convince themselves of a single claim by hand. It uses the checker's own
arithmetic, and states for every claim it touches whether that claim holds.
"""

from __future__ import annotations

import re
from math import comb
from pathlib import Path

from .. import weights as weights_io
from ..certificate import load_certificate
from ..errors import InputError
from .arith import Dy, dy_mul, dy_sign, dy_str, exp_bounds, dy_lt
from .cubic import CubicDerived, case_groups, case_total, check_inv_sqrt, placements
from .subcubic import SubcubicChecker, coverage, frac, frac_str
from .failures import ClaimFailure
from .matrices import exact_matrices

_INDEXED = re.compile(r"^(exp_eqke|exp_eqkp)\[(\d+),(\d+)\]$")
_CASE = re.compile(r"^case\[(\d+),(\d+),(\d+)\](?:/(\d+))?$")


class _Ctx:
    def __init__(self, path: Path) -> None:
        self.cert, self.claims = load_certificate(path)
        self.w = weights_io.load(path.parent / self.cert.model.weights)
        self.mats = exact_matrices(self.w)
        self.n, self.V = self.cert.config.n_ctx, self.cert.config.d_vocab
        try:
            self.r = check_inv_sqrt(self.claims.inv_sqrt_d_head, self.cert.config.d_head)
            self.r_ok = "holds"
        except ClaimFailure as e:
            c = self.claims.inv_sqrt_d_head
            self.r = ((c.lo, c.exp), (c.hi, c.exp))
            self.r_ok = f"FAILS: {e}"
        self.d = CubicDerived(self.mats, self.n)

    def interval(self, name: str, i: int, j: int) -> tuple[Dy, Dy]:
        c = getattr(self.claims, name)
        return (c.lo[i][j], c.exp[i][j]), (c.hi[i][j], c.exp[i][j])

    def tables(self):  # noqa: ANN201
        V, n = self.V, self.n
        tok = [[self.interval("exp_eqke", q, t) for t in range(V)] for q in range(V)]
        pos = [[self.interval("exp_eqkp", q, p) for p in range(n)] for q in range(V)]
        return tok, pos


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


def _case_lines(ctx: _Ctx, m: int, q: int, k: int, c: int) -> list[str]:
    d, n = ctx.d, ctx.n
    if not (0 <= q <= m < ctx.V and 0 <= c <= (n - 1 if q == m else n - 2)):
        raise InputError(None, "--case", f"no such case m={m}, q={q}, c={c} for d_vocab={ctx.V}, n_ctx={n}")
    if c == 0:
        k = m
    elif not 0 <= k < m:
        raise InputError(None, "--case", f"the non-max token k={k} must lie in [0, m={m}) when c ≥ 1")
    tok, pos = ctx.tables()
    listed = {(e[0], e[1], e[2]): e[3] for e in ctx.claims.cases.entries}
    G = listed.get((q, m, c))
    out = [
        f"case m={m} q={q} k={k} c={c}  rule cubic-case: Σ_groups U(t)·tok(t)·Σ pos < 0 at both placements",
        f"  certificate lists this case: {'yes, G = ' + str(G) if G is not None else 'no'}"
        + (f"; k {'is' if k in G else 'is NOT'} in G" if G is not None else ""),
        f"  E*[q={q},m={m}] = {dy_str((d.e_star[q][m], d.e))}",
    ]
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
        total = case_total(d, tok, pos, q, m, c, k, max_slots, others)
        verdict &= dy_sign(total) < 0
        out.append(f"    upper bound of F = {dy_str(total)}  → {'< 0' if dy_sign(total) < 0 else 'NOT < 0'}")
    cover = comb(n - 1, c) * (len(G) ** c if G else 0)
    out.append(f"  verdict: pure inputs of this case with token {k} are {'proven correct' if verdict else 'not proven'}")
    out.append(f"  inputs covered by the listed case: C({n - 1},{c})·|G|^{c} = {cover}")
    return out


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
        rows = ctx.V
        cols = ctx.V if name == "exp_eqke" else ctx.n
        if not (i < rows and j < cols):
            raise InputError(path, claim_id, f"index out of range ({rows}×{cols})")
        return _exp_lines(ctx, name, i, j)
    if (mc := _CASE.match(claim_id)) is not None:
        q, m, c = int(mc.group(1)), int(mc.group(2)), int(mc.group(3))
        k = int(mc.group(4)) if mc.group(4) is not None else None
        G = {(e[0], e[1], e[2]): e[3] for e in ctx.claims.cases.entries}.get((q, m, c))
        if k is None:
            if G is None:
                raise InputError(path, claim_id, "the certificate lists no such case")
            lines = [f"claim case[{q},{m},{c}] lists G = {G}"]
            for kk in G:
                lines += _case_lines(ctx, m, q, kk, c)
            return lines
        return _case_lines(ctx, m, q, k, c)
    if claim_id == "bound":
        total = 0
        for q, m, c, G in ctx.claims.cases.entries:
            total += comb(ctx.n - 1, c) * len(G) ** c
        b = ctx.cert.bound
        return [
            "claim bound  rule: correct = Σ_cases C(n−1,c)·|G|^c and total = d_vocab^n_ctx",
            f"  cases listed: {len(ctx.claims.cases.entries)}",
            f"  covered (recomputed): {total}   claimed correct: {b.correct}",
            f"  d_vocab^n_ctx = {ctx.V ** ctx.n}   claimed total: {b.total}",
            f"  verdict: {'holds' if total == b.correct and b.total == ctx.V ** ctx.n else 'FAILS'} (case claims themselves are checked separately)",
        ]
    raise InputError(
        path, "--claim", f"unknown claim id {claim_id!r}; ids: inv_sqrt_d_head, exp_eqke[q,k], exp_eqkp[q,p], case[q,m,c], case[q,m,c]/k, bound"
    )


def audit_case(path: Path, m: int, q: int, k: int, c: int) -> list[str]:
    cert, _ = load_certificate(path)
    if cert.strategy.name != "cubic":
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
        return [
            f"claim bound  rule: correct = Σ_cases C(n−1,c′)·N^c′ (count: {params.count}), total = d_vocab^n_ctx",
            f"  cases listed: {len(entries)}   covered (recomputed): {total}   claimed: {cert.bound.correct}",
            f"  verdict: {'holds' if total == cert.bound.correct else 'FAILS'} (case claims are checked separately)",
        ]
    mc = _CASE.match(claim_id)
    if mc is None or mc.group(4) is not None:
        raise InputError(path, "--claim", f"unknown claim id {claim_id!r}; for subcubic certificates: case[q,m,c], bound")
    q, m, c = (int(mc.group(i)) for i in (1, 2, 3))
    if (q, m, c) not in entries:
        raise InputError(path, claim_id, "the certificate lists no such case")
    g = entries[(q, m, c)]
    lines = [
        f"claim case[{q},{m},{c}] (gap g = {g})  rule subcubic-case ({params.variant}):",
        f"  inputs: max {m}, query {q}, {c} positions < {m} (query included if q < m), all ≤ {m - g}",
    ]
    if c:
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
