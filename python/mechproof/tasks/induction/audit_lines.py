"""The lines `mechproof audit` shows for an induction case (docs/certificate.md §11.5) and an input (§11.4).

Every number is the checker's (caseview.py, tasks/induction/checker/); fixed-point integers are printed as they
are, with their value in logits (≈, rounded for reading only).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from .caseview import CaseView, phi_last, phi_linear
from .checker.casetables import FC, LB
from .checker.cases import CaseRule, exp_up
from .checker.inputs import F, InputRule
from .checker.keys import window_positions


def fx(x: int, bits: int) -> str:
    """A fixed-point integer and its value: 'x (≈ v)'."""
    return f"{x} (≈ {float(Fraction(int(x), 1 << bits)):.6g})"


def _iv(x: tuple[int, int], bits: int = F) -> str:
    lo, hi = (float(Fraction(v, 1 << bits)) for v in x)
    return f"[{lo:.6g}, {hi:.6g}]"


def _claim(L: int | None) -> str:
    return "none within |L| < 2^26" if L is None else f"{L} (λ ≈ {L / (1 << LB):.6g})"


def case_lines(view: CaseView, rule: CaseRule, size: int, sub: tuple[str, int] | None) -> list[str]:
    p = view.parts
    case = p.case
    q, i, a, n = case.q, case.i, case.a, rule.n
    cid = f"case[{q},{i},{a}/{','.join(map(str, view.prefix))}]"
    listed = view.claimed is not None
    out = [
        f"claim {cid}  rule induction-cases (docs §11.5): every input of the case is right",
        f"  group order: {view.order if view.order is not None else 'the group is not listed (no order)'}",
        f"  known positions {dict(sorted(case.known.items()))}; free positions {case.free}; allowed tokens {case.tokens}",
        f"  inputs of the case: {size:,}",
        f"  listed in the certificate: {'yes, claims L = ' + str(view.claimed) if listed else 'no: shown at the least claims the λ-tests accept'}",
        f"  least claims the λ-tests accept (exact search by the checker's test): {view.least}",
    ]
    lam = view.lam
    if sub is None or sub[0] == "lambda":
        out += _lambda_lines(view, rule, None if sub is None else sub[1])
    if sub is None or sub[0] == "logit":
        out += _logit_lines(view, lam, None if sub is None else sub[1])
    return out


def _lambda_lines(view: CaseView, rule: CaseRule, only: int | None) -> list[str]:
    p = view.parts
    n = rule.n
    lam = view.lam
    out = [f"  λ-tests (docs §11.5.3–4): Φ(λ_k) ≤ 0 on every window proves d_k = s_k − s_{p.case.i + 1} ≤ λ_k; Φ at precision 2FC = {2 * FC}",
           f"    ans(r) (least bounds of −score against the answer's key, per query component, precision FC): {len(p.q.ans)} "
           f"components, from {fx(int(p.q.ans.min()), FC)} to {fx(int(p.q.ans.max()), FC)}"]  # fmt: skip
    for k, t in sorted(p.keys.items()):
        if only is not None and k != only:
            continue
        wpos = window_positions(p.case, k)  # the window assignments in key_terms' order
        perms = list(itertools.permutations(p.case.tokens, len(wpos)))
        combos = np.array(perms, dtype=np.int64).reshape(len(perms), len(wpos))
        line = f"    key {k}: window positions {wpos}, {len(combos):,} window assignment(s); least claim {_claim(view.least[k])}"
        if lam is None:
            out.append(line)
            continue
        phi = phi_linear(t, lam[k])
        w = int(phi.argmax())
        worst = dict(zip(wpos, combos[w].tolist()))
        out += [line, f"      claim L_{k} = {_claim(lam[k])}: max over windows Φ = {fx(int(phi.max()), 2 * FC)}"
                      f" at window {worst or '(none)'} → {'≤ 0: passes' if phi.max() <= 0 else '> 0: FAILS'}"]  # fmt: skip
    if only is None or only == n - 1:
        out.append(f"    key {n - 1} (the query position, quadratic test over {len(p.last.seg):,} position pairs): least claim {_claim(view.least[n - 1])}")
        if lam is not None:
            v = phi_last(p.last, lam[n - 1])
            out.append(f"      claim L_{n - 1} = {_claim(lam[n - 1])}: Φ = {fx(v, 2 * FC)} → {'≤ 0: passes' if v <= 0 else '> 0: FAILS'}")
    return out


def _logit_lines(view: CaseView, lam: list[int] | None, only: int | None) -> list[str]:
    p = view.parts
    i, a = p.case.i, p.case.a
    g_bar = view.g_bar()
    keys = sorted(g_bar)
    out = [f"  least bounds (precision FC = {FC}; per logit c: Z̄_c the direct path, Ȳ_{i + 1},c the answer's key, Ḡ_k,c = Z̄_c + max over k's windows of Y_k,c, Ḡ_{keys[-1]},c the query position)"]
    if lam is None:
        out.append("  no claim passes some λ-test within the limits: no logit test")
        return out
    e = {k: exp_up(lam[k]) for k in keys}
    out.append("  E_k = ⌈exp(λ_k)·2^FC⌉: " + ", ".join(f"E_{k} = {e[k]}" for k in keys))
    terms: dict = {}
    t = view.totals(terms)
    assert t is not None
    out.append("  logit test (docs §11.5.6): T_c = (Z̄_c + Ȳ_{i+1,c})·2^FC + Σ_k E_k·max(0, Ḡ_k,c) < 0, precision 2FC")
    for c, tc in zip(view.others(), t):
        if only is not None and c != only:
            continue
        gs = ", ".join(f"Ḡ_{k} {int(g_bar[k][c])}" for k in keys)
        out.append(f"    c = {c:>2}: Z̄ {fx(int(p.z_bar[c]), FC)}, Ȳ_{i + 1} {fx(int(p.y_ans[c]), FC)}; {gs}")
        parts = ", ".join(f"k={k}: {fx(terms[(c, k)], 2 * FC)}" for k in keys if (c, k) in terms)
        out.append(f"           positive key terms E_k·Ḡ_k,c: {parts or 'none'}")
        out.append(f"           T_c = {fx(tc, 2 * FC)} → {'< 0' if tc < 0 else 'NOT < 0'}")
    holds = all(x < 0 for x in t)
    out.append(f"  margin max_c T_c·2^−2FC = {max(t) / float(1 << (2 * FC)):+.6g} logits (Σ_k e^(d_k) ≥ 1, so when positive it"
               " bounds max_c logit_c − logit_a from above)")  # fmt: skip
    verdict = "holds: every input of the case is proven right" if holds else "does not hold at these claims"
    out.append(f"  verdict: {verdict}{'' if view.claimed is not None else ' (the case is not listed: nothing is claimed)'}")
    return out


def input_lines(rule: InputRule, tokens: tuple[int, ...], witness: int | None = None) -> list[str]:
    """The input rule (docs §11.4) on one input: every interval it forms, and the verdict."""
    n, V = rule.n, rule.V
    i = tokens[: n - 2].index(tokens[-1])
    a = tokens[i + 1]
    trace: dict = {}
    ups, los = rule.margins(tokens, trace=trace)
    out = [f"input {list(tokens)}  rule input (docs §11.4, F = {F}): query q = {tokens[-1]}, match position i = {i}, answer a = {a}",
           "  layer-1 attention a_{p,l} (intervals ∋ the true weights; the checker's exp enclosures):"]  # fmt: skip
    for p in range(n):
        out.append(f"    p = {p}: " + " ".join(_iv(w) for w in rule.row1(tokens, p)))
    out.append(f"  layer-2 scores s_k (ref = lower end of s_{i + 1}) and weights b_k = exp(s_k − ref):")
    for k, (s, b) in enumerate(zip(trace["scores"], trace["b"])):
        out.append(f"    k = {k}: s_k ∈ {_iv(s)}   b_k ∈ {_iv(b)}")
    out.append("  per logit c ≠ a: lo_c ≤ Σ_k b_k·(logit_c − logit_a part G_k,c) ≤ up_c (precision 2F, ≈ in logits):")
    for c in range(V):
        if c != a:
            out.append(f"    c = {c:>2}: up_c {'<' if ups[c] < 0 else '≥'} 0 (≈ {_val(ups[c])}), lo_c {'≥' if los[c] >= 0 else '<'} 0 (≈ {_val(los[c])})")
    right = all(ups[c] < 0 for c in range(V) if c != a)
    wrong = [c for c in range(V) if c != a and los[c] >= 0]
    if witness is not None:
        proves = los[witness] >= 0
        out.append(f"  witness c = {witness}: lo_c {'≥ 0: logit c reaches the answer’s' if proves else '< 0: NOT proven wrong'}")
        wrong = [witness] if proves else []
    verdict = "proven right" if right else f"proven wrong (witness c = {wrong[0]})" if wrong else "undecided"
    out.append(f"  verdict: {verdict}")
    return out


def _val(x: int) -> str:
    return f"{float(Fraction(x, 1 << (2 * F))):.6g}"
