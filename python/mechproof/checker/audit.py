"""`mechproof audit`: one step of an accepted certificate, its inputs, its rule and the recomputed exact values.

For a reviewer who wants to convince themselves of a single claim by hand. The checker runs first: a malformed
certificate is refused (InputError) and a false one rejected with the checker's first failing claim
(ClaimFailure), so what is shown is read from a certificate every claim of which holds. It uses the checker's own
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
from ..jsonfile import short
from ..tasks.maxk.checker.cubic import CaseTables, Coverage, CubicDerived, case_groups, case_total, check_inv_sqrt, placements
from ..tasks.maxk.checker.inputs import InputRule
from ..tasks.maxk.checker.subcubic import SubcubicChecker, coverage, frac, frac_str, subcubic_covers
from .arith import Dy, dy_lt, dy_mul, dy_sign, dy_str, exp_bounds, memo
from .failures import ClaimFailure
from .inputs import decode
from .matrices import exact_matrices

_ID = re.compile(r"([a-z_]+)\[([0-9]+(?:,[0-9]+)*)\](?:/([0-9]+))?")  # ASCII digits: \d and isdigit admit '²', '٣'
_ARITY = {"exp_eqke": 2, "exp_eqkp": 2, "case": 3, "residual": 1, "wrong": 1, "input": 1}
CLAIM_IDS = (
    "Cubic and cubic+residual: inv_sqrt_d_head, exp_eqke[q,k], exp_eqkp[q,p], case[q,m,c] (a listed case), "
    "case[q,m,c]/k (any case, listed or not, at its non-max token k), bound. Subcubic: case[q,m,c] (a listed "
    "case), bound. Every strategy: residual[x], wrong[x] (an input the certificate lists) and input[x] (any "
    "input). q is the query token, m the max token, k a key token (in case ids, a token below m), p a position, "
    "c how many positions hold a token below m (cubic: the query's position excluded; subcubic: included); x is "
    "an input's index Σ_p t_p·d_vocab^p over its tokens t_0 … t_(n_ctx−1), the query last: for d_vocab = 64, "
    "[5, 0, 0, 0] is x = 5 and [0, 1, 0, 0] is x = 64."
)
_DIGITS = 400
"""Longer numbers in a claim id are out of range for every config (d_vocab^n_ctx ≤ 4096^64 has 232 digits)."""


def _parse(claim_id: str) -> tuple[str, tuple[int, ...]]:
    """(form, numbers) of a claim id, e.g. ("case/k", (q, m, c, k)) or ("wrong", (x,)); bad syntax is InputError."""
    if claim_id in ("inv_sqrt_d_head", "bound"):
        return claim_id, ()
    mt = _ID.fullmatch(claim_id)
    name, nums, k = mt.groups() if mt else ("", "", None)
    numbers = nums.split(",") + ([k] if k is not None else [])
    if _ARITY.get(name) != len(nums.split(",")) or (k is not None and name != "case"):
        raise InputError(None, "--claim", f"unknown claim id {short(claim_id)}; ids: {CLAIM_IDS}")
    if max(map(len, numbers)) > _DIGITS:
        raise InputError(None, "--claim", f"an index of {max(map(len, numbers))} digits is out of range")
    return name + ("/k" if k is not None else ""), tuple(int(x) for x in numbers)


def _inv_sqrt(claims: Any, d_head: int) -> tuple[tuple[Dy, Dy], str]:
    try:
        return check_inv_sqrt(claims.inv_sqrt_d_head, d_head), "holds"
    except ClaimFailure as e:
        c = claims.inv_sqrt_d_head
        return ((c.lo, c.exp), (c.hi, c.exp)), f"FAILS: {e}"


class _Ctx:
    """A cubic certificate with everything the checker derives from it."""

    def __init__(self, path: Path, cert: Any, claims: Any) -> None:
        self.cert, self.claims = cert, claims
        self.w = weights_io.load(path.parent / self.cert.model.weights)
        self.mats = memo((self.w.sha256, "matrices"), lambda: exact_matrices(self.w))  # the checker's own
        self.n, self.V = self.cert.config.n_ctx, self.cert.config.d_vocab
        self.r, self.r_ok = _inv_sqrt(self.claims, self.cert.config.d_head)
        self.d = memo((self.w.sha256, "cubic.derived"), lambda: CubicDerived(self.mats, self.n))
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
    wrong = [j for j in order if los[j] >= 0]
    if witness is not None:
        proves = los[witness] >= 0
        out.append(f"  witness j = {witness}: lo_j {'≥ 0: logit j reaches logit m' if proves else '< 0: NOT proven wrong'}")
        wrong = [witness] if proves else wrong
    verdict = "proven right" if right else f"proven wrong (by j = {wrong[0]})" if wrong else "undecided"
    out.append(f"  verdict: {verdict}")
    return out


def _sign_size(x: int) -> str:
    return f"{'-' if x < 0 else '+'}2^{abs(x).bit_length()} units" if x else "0"


def _case_lines(ctx: _Ctx, q: int, m: int, c: int, k: int) -> list[str]:
    d, n = ctx.d, ctx.n
    if not (0 <= q <= m < ctx.V and 0 <= c <= (n - 1 if q == m else n - 2)):
        raise InputError(None, "--claim", f"no such case q={q}, m={m}, c={c} for d_vocab={ctx.V}, n_ctx={n}")
    G = ctx.token_set(q, m, c)
    listed = f"yes, G = {G}" if G is not None else "no"
    if c == 0:
        head = [f"case m={m} q={q} c=0: the single input {[m] * (n - 1) + [q]}, decided by the input rule",
                f"  certificate lists this case: {listed}"]
        return head + ["  " + line for line in input_lines(ctx.rule, (m,) * (n - 1) + (q,))]
    if not 0 <= k < m:
        raise InputError(None, "--claim", f"the non-max token k={k} must lie in [0, m={m}) when c ≥ 1")
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


SUBCUBIC_FORMS = ("case", "bound", "residual", "wrong", "input")


def audit_claim(path: Path, claim_id: str) -> list[str]:
    """The lines that show one claim of a certificate the checker accepts (it runs first, on every claim)."""
    from . import check

    form, nums = _parse(claim_id)
    cert, claims = load_certificate(path)
    if cert.strategy.name == "subcubic" and form not in SUBCUBIC_FORMS:
        raise InputError(path, "--claim", f"{short(claim_id)} is not an id of a subcubic certificate; its ids: "
                         "case[q,m,c], bound, residual[x], wrong[x], input[x]")
    check(path)
    if cert.strategy.name == "subcubic":
        return _subcubic_lines(path, cert, claims, form, nums)
    ctx = _Ctx(path, cert, claims)
    if form == "inv_sqrt_d_head":
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
    if form in ("exp_eqke", "exp_eqkp"):
        i, j = nums
        cols = ctx.V if form == "exp_eqke" else ctx.n
        if not (i < ctx.V and j < cols):
            raise InputError(path, "--claim", f"{short(claim_id)}: index out of range ({ctx.V}×{cols})")
        return _exp_lines(ctx, form, i, j)
    if form == "case/k":
        q, m, c, k = nums
        return _case_lines(ctx, q, m, c, k)
    if form == "case":
        q, m, c = nums
        G = ctx.token_set(q, m, c)
        if G is None:
            raise InputError(path, "--claim", f"{short(claim_id)}: the certificate lists no such case "
                             "(case[q,m,c]/k shows any case at a token k)")
        if c == 0:
            return _case_lines(ctx, q, m, 0, m)
        lines = [f"claim case[{q},{m},{c}]: G = {G}" + (f" (boundaries {ctx.listed[(q, m, c)]})" if ctx.v2 else "")]
        for kk in ([k for k in ctx.listed[(q, m, c)] if k != -1] if ctx.v2 else G):  # v2: the boundaries are the worst
            lines += _case_lines(ctx, q, m, c, kk)
        return lines
    if form in ("residual", "wrong", "input"):
        return _input_claim_lines(ctx.claims, ctx.rule, ctx.coverage(), form, nums[0], path)
    total = sum(comb(ctx.n - 1, c) * len(ctx.token_set(q, m, c) or []) ** c for (q, m, c) in ctx.listed)
    return _bound_lines(ctx.cert, ctx.claims, len(ctx.listed), total, ctx.V**ctx.n)


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


def _subcubic_lines(path: Path, cert: Any, claims: Any, form: str, nums: tuple[int, ...]) -> list[str]:
    """One subcubic case (docs §7.3), an input, or the bound, recomputed by the checker's own SubcubicChecker."""
    params = cert.typed_params(path)
    w = weights_io.load(path.parent / cert.model.weights)
    ck = SubcubicChecker(w, params, claims, path)
    entries = {(e[0], e[1], e[2]): e[3] for e in claims.cases.entries}
    n = cert.config.n_ctx
    if form == "bound":
        total = sum(coverage(n, q, m, c, g, params.count) for (q, m, c), g in entries.items())
        return _bound_lines(cert, claims, len(entries), total, cert.config.d_vocab**n)
    if form in ("residual", "wrong", "input"):
        covers = partial(subcubic_covers, entries)
        return _input_claim_lines(claims, ck.rule(), covers, form, nums[0], path)
    q, m, c = nums
    if (q, m, c) not in entries:
        raise InputError(path, "--claim", f"case[{q},{m},{c}]: the certificate lists no such case")
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


def cubic_context(path: Path, cert: Any, claims: Any) -> _Ctx:
    """A cubic certificate (parsed: `cert`, `claims`) with the checker's derived tables, for reports such as
    `mechproof explain` on a certificate the checker accepts."""
    return _Ctx(Path(path), cert, claims)


def cubic_case_sets(path: Path) -> dict[tuple[int, int, int], set[int]]:
    """Every listed cubic case (q, m, c) and its token set G as the checker derives it ({m} for c = 0)."""
    return _Ctx(Path(path), *load_certificate(path)).case_sets()
