"""The case rule of the induction task (docs/certificate.md §11.5): a case's inputs are all proven right.

A case fixes the query q, the match position i, the answer a and possibly the tokens at some more positions; the
other positions before n−1 are free (distinct tokens, none of the fixed ones; the rule relaxes this to any allowed
token at each free position independently). With d_k = s_k − s_{i+1} the layer-2 score of key k relative to the
answer's key and G_{k,c} = Z_c + Y_{k,c} the direct-path plus value difference of logit c against a,

  logit_c − logit_a = Σ_k e^{d_k}·G_{k,c} / Σ_k e^{d_k}  ≤  [Ḡ_{i+1,c} + Σ_{k≠i+1} e^{λ_k}·max(0, Ḡ_{k,c})] / Σ_k e^{d_k}

whenever d_k ≤ λ_k and G_{k,c} ≤ Ḡ_{k,c} on every input of the case: the case holds if the bracket is < 0 for
every c ≠ a. The λ_k (and the bounds μ_c, ν_c of two query-side averages) are claimed; each is verified by the
λ-test of §11.5.3: an average Σ_j α_j·g_j with α a softmax over positions is ≤ λ iff Σ_j W_j·(g_j − λ) ≤ 0, and
a sum of per-position maxima over the allowed tokens bounds the latter on every input at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ....checker.arith import count, exp_bounds
from .casetables import FC, LB, CaseTables
from .fixed import up
from .keys import KeyTerms, key_terms


@dataclass
class Case:
    q: int
    i: int
    a: int
    known: dict[int, int]  # position → token, including i → q, i+1 → a, n−1 → q
    free: list[int]  # the positions < n−1 not in `known`
    tokens: list[int]  # the tokens a free position may hold (none of the known ones)


@dataclass
class Query:
    """The query row (position n−1, token q) over its components: every (token, position) an input of the case
    can have, grouped by position. r: columns [R]; tok, pos: [R]; seg: where each position's group starts."""

    r: np.ndarray
    tok: np.ndarray
    pos: np.ndarray
    seg: np.ndarray
    w_lo: np.ndarray
    w_hi: np.ndarray
    known: np.ndarray  # [R] bool: the position's token is fixed by the case
    ans: np.ndarray = field(default=None)  # type: ignore[assignment]  # [R] upper bound of −(score against the answer's key)
    ans_by_col: np.ndarray = field(default=None)  # type: ignore[assignment]  # the same by column (token·n + position)


def lambda_sum(g: np.ndarray, lam: int, w_lo: np.ndarray, w_hi: np.ndarray, seg: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """The λ-test's left side Σ_j max_{r in j} max(W_hi·(g − λ), W_lo·(g − λ)) at precision 2FC, for g [..., R]
    (precision FC, the groups j the segments starting at `seg`) and λ at precision FC; entries with valid = False
    are left out (every group keeps one)."""
    x = g - lam
    t = np.maximum(w_hi * x, w_lo * x)
    if valid is not None:
        t = np.where(valid, t, np.iinfo(np.int64).min)
    count("mul", 2 * t.size)
    count("cmp", 2 * t.size)
    return np.maximum.reduceat(t, seg, axis=-1).sum(axis=-1)


def part_starts(part: np.ndarray) -> np.ndarray:
    """Where each run of equal entries of `part` (the rows of one case, ascending) starts."""
    return np.flatnonzero(np.r_[True, part[1:] != part[:-1]])


def _estimate(X: np.ndarray, w_lo: np.ndarray, w_hi: np.ndarray, seg: np.ndarray, ok: np.ndarray, part: np.ndarray) -> np.ndarray:
    """A float estimate of least_bound's λ (Dinkelbach's iteration); it only guides the exact search. Each part
    (case) of the rows stops iterating when all its rows have settled, as it would alone (its rows are then left
    out: each row's arithmetic is its own)."""
    xf = X.astype(np.float64)
    wl, wh = w_lo.astype(np.float64), w_hi.astype(np.float64)
    lens = np.diff(np.append(seg, X.shape[1]))
    lam = np.where(ok, xf, np.inf).min(axis=1)
    idx = np.arange(len(X))  # the rows still iterating, and their arrays:
    G, O, P = xf, ok, part
    for _ in range(30):
        lm = lam[idx]
        x = G - lm[:, None]
        w = np.where(x >= 0, wh, wl)
        t = np.where(O, w * x, -np.inf)
        best = np.repeat(np.maximum.reduceat(t, seg, axis=1), lens, axis=1)
        tie = O & (t == best)
        cnt = np.maximum(np.add.reduceat(tie, seg, axis=1), 1)
        sw = (np.add.reduceat(np.where(tie, w, 0.0), seg, axis=1) / cnt).sum(axis=1)
        swx = (np.add.reduceat(np.where(tie, w * G, 0.0), seg, axis=1) / cnt).sum(axis=1)
        new = np.maximum(lm, swx / np.maximum(sw, 1e-300))
        starts = part_starts(P)
        settled = np.logical_and.reduceat(new - lm <= 1e-9 * (1 + np.abs(lm)), starts)
        lam[idx] = new
        go = ~np.repeat(settled, np.diff(np.append(starts, len(P))))
        if not go.any():
            break
        if not go.all():
            idx, G, O, P = idx[go], G[go], O[go], P[go]
            if wl.ndim == 2:
                wl, wh = wl[go], wh[go]
    return lam


def least_integer(passes, guess: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """The least integer λ per row with passes(λ) True, for a test monotone in λ that fails at `lo` and passes at
    `hi`; searched from `guess` (any value: galloping, then bisection), so the result is exact whatever the guess.
    passes(λ, open) is told which rows' brackets are still open (None on the first call)."""
    guess = np.clip(guess, lo + 1, hi)
    ok = passes(guess, None)
    top = np.where(ok, guess, hi)  # passes
    bot = np.where(ok, lo, guess)  # fails
    step = 1
    probe_dn, probe_up = guess - 1, guess + 1
    while True:
        open_ = top - bot > 1
        if not open_.any():
            return top
        # gallop near the guess while the bracket is wide, then bisect
        mid = np.where(ok, np.maximum(probe_dn, bot + 1), np.minimum(probe_up, top - 1))
        mid = np.where(top - bot > 4 * step, mid, (top + bot) >> 1)
        p = passes(mid, open_)
        top = np.where(open_ & p, mid, top)
        bot = np.where(open_ & ~p, mid, bot)
        step *= 2
        probe_dn, probe_up = guess - step, guess + step


def least_bound(X: np.ndarray, w_lo: np.ndarray, w_hi: np.ndarray, seg: np.ndarray, valid: np.ndarray | None = None,
                part: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """For each row b of X [B, P]: the least integer λ with Σ_g max_{e in g} max(w_lo[e]·(X[b,e] − λ), w_hi[e]·(X[b,e]
    − λ)) ≤ 0, the groups g being the segments of the columns that start at `seg`, over the entries with valid[b, e]
    (all when None; every group keeps one). Then every average Σ_g W_g·X_g / Σ_g W_g with one valid entry per group
    and its weight in [w_lo, w_hi] is ≤ λ (docs §11.5.3). The sum is > 0 at min X − 1 and ≤ 0 at max X (valid
    entries); any exact search gives the same λ (here a float estimate guides it). The weights are [P] or [B, P].

    `part` [B] (ascending; all one part if None) names the case of each row: the rows of several cases are searched
    together, and each case counts the test's operations as its own search would, on its own rows, for as many
    steps as its own rows need."""
    ok = np.ones(X.shape, dtype=bool) if valid is None else valid
    part = np.zeros(len(X), dtype=np.int64) if part is None else part
    starts = part_starts(part)
    per = np.diff(np.append(starts, len(X))) * X.shape[1]  # entries per part
    big = np.iinfo(np.int64).max
    lo = np.where(ok, X, big).min(axis=1) - 1
    hi = np.where(ok, X, -big).max(axis=1)
    sentinel = np.iinfo(np.int64).min

    def passes(lam: np.ndarray, open_: np.ndarray | None) -> np.ndarray:
        x = X - lam[:, None]
        t = np.where(ok, np.maximum(w_lo * x, w_hi * x), sentinel)
        size = t.size if open_ is None else int(per[np.logical_or.reduceat(open_, starts)].sum())
        count("mul", 2 * size)
        count("cmp", 2 * size)
        return np.maximum.reduceat(t, seg, axis=1).sum(axis=1) <= 0

    guess = np.floor(_estimate(X, w_lo, w_hi, seg, ok, part)).astype(np.int64)
    return least_integer(passes, guess, lo, hi)


class CaseRule:
    def __init__(self, ct: CaseTables) -> None:
        self.ct = ct
        self.V, self.n = ct.V, ct.n
        self._xmax: dict[tuple[str, int], int] = {}

    def xmax(self, name: str, t: int) -> int:
        """max |X̂| + 1 over the plane t of the fixed-point table `name` (PV per query token, yv per answer)."""
        key = (name, t)
        if key not in self._xmax:
            self._xmax[key] = int(np.abs(getattr(self.ct, name)[t]).max()) + 1
        return self._xmax[key]

    # ------------------------------------------------------------------------------------------ query side
    def query(self, case: Case) -> Query:
        ct, n = self.ct, self.n
        toks, poss = [], []
        seg = []
        for j in range(n):
            seg.append(len(toks))
            ts = [case.known[j]] if j in case.known else case.tokens
            toks += ts
            poss += [j] * len(ts)
        tok, pos = np.array(toks), np.array(poss)
        r = tok * n + pos
        row = ct.col(case.q, n - 1)
        lo, hi = ct.W1
        known = np.array([p in case.known for p in poss])
        return Query(r, tok, pos, np.array(seg), lo[row, r], hi[row, r], known)

    def direct(self, cases: list[Case], qs: list[Query]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(Z̄, Ḡ_{n−1}) [V] at precision FC per sibling case: upper bounds of the direct path's logit difference
        c − a, (r1[n−1]·W_U)_c − (…)_a, and of the same plus the query position's value difference (W_V2·W_O2·W_U),
        over the case: the query token's own term plus the least bound of the query row's average (docs §11.5.3)."""
        ct, c0, V = self.ct, cases[0], self.V
        a, B = c0.a, len(cases)
        own = ct.col(c0.q, self.n - 1)
        qr = np.stack([q.r for q in qs])  # [B, R]
        zv = ct.zv[a][qr].transpose(0, 2, 1) + 1  # [B, V, R]: upper bounds of each component's difference
        gv = zv + ct.yv[a][qr].transpose(0, 2, 1) + 1
        X = np.concatenate([zv, gv], axis=1).reshape(B * 2 * V, -1)  # one search for both, row by row
        w_lo, w_hi = (np.repeat(np.stack([getattr(q, f) for q in qs]), 2 * V, axis=0) for f in ("w_lo", "w_hi"))
        both = least_bound(X, w_lo, w_hi, qs[0].seg, None, np.repeat(np.arange(B), 2 * V)).reshape(B, 2 * V)
        z = ct.ze[a][own] + 1 + both[:, :V]
        g = ct.ze[a][own] + ct.ye[a][own] + 2 + both[:, V:]
        count("add", 4 * zv.size)
        return list(zip(z, g))

    def answer(self, cases: list[Case], qs: list[Query]) -> list[np.ndarray]:
        """Ȳ_{i+1,c} [V] (upper, precision FC) per sibling case, and sets q.ans: for every query component r an
        upper bound of −(its score against the answer's key r1[i+1]). The answer's layer-1 row (position i+1,
        token a) averages over its known positions and the free ones below i, each free position any allowed
        token: both bounds are least bounds of that row's average (docs §11.5.3), per query component and logit."""
        ct, n, V = self.ct, self.n, self.V
        c0, B = cases[0], len(cases)
        i, a = c0.i, c0.a
        lo, hi = ct.W1
        row = ct.col(a, i + 1)
        cols_ = np.array([self._answer_cols(case) for case in cases])  # [B, P]
        seg = [0]
        for l in range(1, i + 2):
            seg.append(seg[-1] + (1 if l - 1 in c0.known else len(c0.tokens)))
        qr, tok = np.stack([q.r for q in qs]), np.stack([q.tok for q in qs])  # [B, R]
        q0 = qs[0]  # the positions of the components, and which are known, are the siblings' own
        R = qr.shape[1]
        PV = ct.PV[c0.q][qr[:, :, None], cols_[:, None, :]]  # [B, R, P]: X̂ ≤ the true entry
        # a query component at a free position j fixes the token there for the answer's row too
        same = ((cols_ % n)[:, None, :] == q0.pos[None, :, None]) & ~q0.known[None, :, None]
        valid = ~same | ((cols_ // n)[:, None, :] == tok[:, :, None])
        Y = ct.yv[a][cols_].transpose(0, 2, 1) + 1  # [B, V, P]
        # one search for both, row by row: −(lower bounds of the average of PV) per component, then Y's bounds
        X = np.concatenate([-PV, Y], axis=1).reshape(B * (R + V), -1)
        ok = np.concatenate([valid, np.ones(Y.shape, dtype=bool)], axis=1).reshape(X.shape)
        w_lo, w_hi = (np.repeat(w[row, cols_], R + V, axis=0) for w in (lo, hi))
        both = least_bound(X, w_lo, w_hi, np.array(seg), ok, np.repeat(np.arange(B), R + V)).reshape(B, R + V)
        for b, q in enumerate(qs):
            q.ans = -ct.PE[c0.q][q.r, row] + both[b, :R]
            q.ans_by_col = np.zeros(ct.N, dtype=np.int64)
            q.ans_by_col[q.r] = q.ans
        count("add", PV.size + Y.size)
        return list(ct.ye[a][row] + 1 + both[:, R:])

    def _answer_cols(self, case: Case) -> list[int]:
        """The answer row's columns: each position l ≤ i (its token, or every allowed token), then (a, i+1)."""
        ct = self.ct
        cols = []
        for l in range(case.i + 1):
            cols += [ct.col(case.known[l], l)] if l in case.known else [ct.col(t, l) for t in case.tokens]
        return cols + [ct.col(case.a, case.i + 1)]

    def last_key(self, case: Case, q: Query) -> "Pairs":
        """The pairwise terms of the test for the query position as a key (docs §11.5.4), concatenated over the
        pairs of positions j ≤ l: for each token pair an input can hold (two free positions hold distinct tokens),
        H = h(j, l) + h(l, j) (j < l) or h(j, j) (precision FC, without the −λ), where h(j, l) = PE(r_j; q at n−1)
        + PV(r_j; r_l) + 2 + ans(r_j) bounds the pair's share of d_{n−1}, and the weight products ⌊W_lo·W_lo'⌋,
        ⌈W_hi·W_hi'⌉ at precision FC."""
        ct, n = self.ct, self.n
        PE, PV = ct.PE[case.q], ct.PV[case.q]
        base = PE[q.r, ct.col(case.q, n - 1)] + 2 + q.ans  # [R]
        h = base[:, None] + PV[q.r][:, q.r]  # [R, R]: h(component r, component r')
        count("add", 2 * h.size)
        H = h + h.T
        j, l = q.pos[:, None], q.pos[None, :]
        keep = (j < l) & ~((q.tok[:, None] == q.tok[None, :]) & ~q.known[:, None] & ~q.known[None, :])
        keep |= np.eye(len(q.r), dtype=bool)
        rows, cols = np.nonzero(keep)
        diag = rows == cols
        order = np.lexsort((cols, rows, q.pos[cols], q.pos[rows]))  # entries grouped by position pair
        rows, cols, diag = rows[order], cols[order], diag[order]
        pair = q.pos[rows] * n + q.pos[cols]
        seg = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
        Hs = np.where(diag, h[rows, cols], H[rows, cols])
        lo = (q.w_lo[rows] * q.w_lo[cols]) >> FC
        hi = -((-(q.w_hi[rows] * q.w_hi[cols])) >> FC)
        count("mul", 2 * len(rows))
        return Pairs(Hs, lo, hi, np.where(diag, 1, 2), seg)

    @staticmethod
    def last_key_sum(terms: "Pairs", lam: int) -> int:
        """Σ over position pairs of the max over their token pairs of max(W_lo·x, W_hi·x), x = H − λ on the diagonal
        and H − 2λ off it (a pair j < l holds the two ordered terms (j, l) and (l, j)): the left side of the
        quadratic λ-test (precision 2FC, summed as Python ints)."""
        x = terms.H - terms.c * lam
        t = np.maximum(terms.hi * x, terms.lo * x)
        count("mul", 2 * t.size)
        count("cmp", 2 * t.size)
        return sum(np.maximum.reduceat(t, terms.seg).tolist())


@dataclass
class Pairs:
    H: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    c: np.ndarray  # 1 on the diagonal, 2 off it
    seg: np.ndarray


def exp_up(lam: int) -> int:
    """⌈exp(λ·2^−LB)·2^FC⌉ from the checker's enclosure (docs §6)."""
    hi = exp_bounds((lam, -LB))[1]
    return up(hi[0], hi[1], FC)


@dataclass
class Parts:
    """Everything of a case's tests that does not depend on the claimed bounds (docs §11.5.6)."""

    case: Case
    q: Query
    z_bar: np.ndarray  # Z̄ [V]: the direct path's difference c − a
    g_last: np.ndarray  # Ḡ_{n−1} [V]: the query position as a key
    y_ans: np.ndarray  # Ȳ_{i+1} [V]: the answer's key
    keys: dict[int, KeyTerms]  # k → the key's λ-test per window
    last: list  # the pairwise terms of key n−1


def sibling_parts(rule: CaseRule, cases: list[Case]) -> list[Parts]:
    """The parts of sibling cases (same q, i, a and known positions; keys.py): the keys' terms are formed for all of
    them at once (and the least bounds of the query and answer rows searched together), the rest case by case. The
    same arrays and operation counts as case_parts on each."""
    qs = [rule.query(case) for case in cases]
    direct = rule.direct(cases, qs)
    y_ans = rule.answer(cases, qs)  # also sets q.ans, which the keys use
    c0 = cases[0]
    keys = {k: key_terms(rule, cases, qs, k) for k in range(rule.n - 1) if k != c0.i + 1}
    return [Parts(case, q, z, g, y, {k: t[b] for k, t in keys.items()}, rule.last_key(case, q))
            for b, (case, q, (z, g), y) in enumerate(zip(cases, qs, direct, y_ans))]  # fmt: skip


def case_parts(rule: CaseRule, case: Case) -> Parts:
    return sibling_parts(rule, [case])[0]


def others(p: Parts) -> list[int]:
    """The logits c ≠ a."""
    return [c for c in range(len(p.y_ans)) if c != p.case.a]


def g_bars(p: Parts) -> dict[int, np.ndarray]:
    """Ḡ_{k,c} [V] for every key k ≠ i+1 (precision FC): Z̄_c + max over the key's windows of Ȳ_{k,c}, and Ḡ_{n−1}."""
    g_bar = {k: (p.z_bar[None, :] + t.Y).max(axis=0) for k, t in p.keys.items()}
    g_bar[len(p.q.seg) - 1] = p.g_last
    count("add", sum(t.Y.size for t in p.keys.values()))
    count("cmp", sum(t.Y.size for t in p.keys.values()))
    return g_bar


def totals(p: Parts, lam: list[int], terms: dict | None = None) -> list[int]:
    """For every c ≠ a: Ḡ_{i+1,c} + Σ_{k≠i+1} ⌈e^{λ_k}⌉·max(0, Ḡ_{k,c}) at precision 2FC (Python ints), with
    Ḡ_{i+1,c} = Z̄_c + Ȳ_{i+1,c} and Ḡ_{k,c} = Z̄_c + max over the windows of Ȳ_{k,c} (docs §11.5.6).
    `terms`, when given, receives (c, k) → each key's term."""
    g_bar = g_bars(p)
    e = {k: exp_up(lam[k]) for k in g_bar}
    out = []
    for c in others(p):
        t = (int(p.z_bar[c]) + int(p.y_ans[c])) << FC
        for k, G in g_bar.items():
            x = int(G[c])
            if x > 0:
                t += e[k] * x
                if terms is not None:
                    terms[(c, k)] = e[k] * x
        count("mul", len(g_bar))
        count("add", len(g_bar) + 1)
        out.append(t)
    return out


def verify(p: Parts, lam: list[int], cid: str) -> None:
    """Every key's λ-test with the claimed bounds, then the logit test; ClaimFailure names the first that fails."""
    from ....checker.failures import ClaimFailure

    s = FC - LB
    n = len(lam)
    for k, t in p.keys.items():
        worst = int(lambda_sum(t.g, lam[k] << s, t.w_lo, t.w_hi, t.seg, t.valid).max())
        if worst > 0:
            raise ClaimFailure(f"{cid}/lambda[{k}]", f"key {k}'s score relative to the answer's key can exceed the claimed bound (λ-test)", worst, "≤ 0")
    total = CaseRule.last_key_sum(p.last, lam[n - 1] << s)
    if total > 0:
        raise ClaimFailure(f"{cid}/lambda[{n - 1}]", "the query position's score relative to the answer's key can exceed the claimed bound (λ-test)", total, "≤ 0")
    for c, t in zip(others(p), totals(p, lam)):
        if t >= 0:
            raise ClaimFailure(f"{cid}/logit[{c}]", f"logit {c} is not proven below the answer's", t, "< 0")
