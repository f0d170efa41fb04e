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

import itertools
from dataclasses import dataclass, field

import numpy as np

from ....checker.arith import count, exp_bounds
from .casetables import FC, LB, CaseTables
from .fixed import up
from .mixture import Rows


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


def lambda_sum(g: np.ndarray, lam: int, q: Query, valid: np.ndarray | None = None) -> np.ndarray:
    """The λ-test's left side Σ_j max_{r in j} max(W_hi·(g − λ), W_lo·(g − λ)) at precision 2FC, for g [..., R]
    (precision FC) and λ at precision FC; entries with valid = False are left out (every group keeps one)."""
    x = g - lam
    t = np.maximum(q.w_hi * x, q.w_lo * x)
    if valid is not None:
        t = np.where(valid, t, np.iinfo(np.int64).min)
    count("mul", 2 * t.size)
    count("cmp", 2 * t.size)
    return np.maximum.reduceat(t, q.seg, axis=-1).sum(axis=-1)


class CaseRule:
    def __init__(self, ct: CaseTables) -> None:
        self.ct = ct
        self.V, self.n = ct.V, ct.n

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

    def direct(self, case: Case, q: Query) -> tuple[np.ndarray, np.ndarray]:
        """The g of the μ- and ν-tests, int64 [V, R]: upper bounds of the difference c − a of the direct path
        W_U (μ), and of W_U + W_V2·W_O2·W_U (ν: the query position as a key), of each query component."""
        ct, a = self.ct, case.a
        zv = ct.zv[a][q.r].T + 1  # [V, R]
        return zv, zv + ct.yv[a][q.r].T + 1

    def direct_consts(self, case: Case) -> tuple[np.ndarray, np.ndarray]:
        """The query token's own terms [V]: upper bounds of (e(q,n−1)·W_U)_{c−a} and of the same with W_V2·W_O2·W_U."""
        ct, a = self.ct, case.a
        own = ct.col(case.q, self.n - 1)
        z = ct.ze[a][own] + 1
        return z, z + ct.ye[a][own] + 1

    # ------------------------------------------------------------------------------------------ rows
    def rows(self, row: np.ndarray, known_cols: np.ndarray, free: list[int], tokens: list[int]) -> Rows:
        """Rows object for layer-1 rows `row` [k] with known columns [k, m] and the free positions."""
        lo, hi = self.ct.W1
        n = self.n
        w_free = np.zeros(len(row), dtype=np.int64)
        for l in free:
            cols = np.array(tokens) * n + l
            w_free += hi[row][:, cols].max(axis=1)
        count("cmp", len(row) * len(free) * len(tokens))
        return Rows(lo[row[:, None], known_cols], hi[row[:, None], known_cols], w_free)

    def free_cols(self, free: list[int], tokens: list[int]) -> np.ndarray:
        return (np.array(tokens)[None, :] * self.n + np.array(free)[:, None]).reshape(-1)

    def answer(self, case: Case, q: Query) -> np.ndarray:
        """Ȳ_{i+1,c} [V] (upper, precision FC), and sets q.ans: for every query component, an upper bound of
        −(its score against the answer's key r1[i+1]) over the free positions below i."""
        ct, n = self.ct, self.n
        i, a = case.i, case.a
        free = [l for l in case.free if l < i]
        kn = np.array([[ct.col(case.known[l], l) for l in range(i + 2) if l in case.known]])
        rows = self.rows(np.array([ct.col(a, i + 1)]), kn, free, case.tokens)
        fc = self.free_cols(free, case.tokens)
        PV = ct.PV[case.q]
        X = PV[q.r][:, kn[0]].T[None]  # [1, m, R]
        r_min = PV[q.r][:, fc].min(axis=1) if len(fc) else np.zeros(len(q.r), dtype=np.int64)
        _, lower = rows.bounds(X, int(np.abs(PV).max()) + 1, None, r_min)
        q.ans = -ct.PE[case.q][q.r, ct.col(a, i + 1)] - lower[0]
        yv = ct.yv[a]  # [V·n, V]
        Y = yv[kn[0]][None]  # [1, m, V]
        r_max = yv[fc].max(axis=0) if len(fc) else np.zeros(self.V, dtype=np.int64)
        upper, _ = rows.bounds(Y, int(np.abs(yv).max()) + 1, r_max, None)
        return ct.ye[a][ct.col(a, i + 1)] + 1 + upper[0]

    # ------------------------------------------------------------------------------------------ keys
    def windows(self, case: Case, k: int) -> tuple[list[int], np.ndarray]:
        """The free window positions of key k (among k−1, k) and every assignment of distinct allowed tokens to
        them, int64 [nw, len(positions)] (one empty assignment when both are known)."""
        pos = [p for p in (k - 1, k) if p >= 0 and p not in case.known]
        combos = [c for c in itertools.permutations(case.tokens, len(pos))]
        return pos, np.array(combos, dtype=np.int64).reshape(len(combos), len(pos))

    def key(self, case: Case, q: Query, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For key k (not the answer's, not n−1), per window: (g [nw, R] upper bounds of each query component's
        score against r1[k] − r1[i+1], the mask of components an input of the window can have [nw, R], and
        Y [nw, V] upper bounds of the value difference c − a of r1[k])."""
        ct, n = self.ct, self.n
        wpos, combos = self.windows(case, k)
        nw = len(combos)
        tok_at = {p: np.full(nw, t) for p, t in case.known.items()}
        for m, p in enumerate(wpos):
            tok_at[p] = combos[:, m]
        kpos = [l for l in range(k + 1) if l in tok_at]
        kn = np.stack([tok_at[l] * n + l for l in kpos], axis=1)  # [nw, m]
        free = [l for l in case.free if l < k and l not in wpos]
        row = tok_at[k] * n + k
        rows = self.rows(row, kn, free, case.tokens)
        fc = self.free_cols(free, case.tokens)
        PV = ct.PV[case.q]
        PVq = PV[q.r]  # [R, V·n]
        X = np.transpose(PVq[:, kn], (1, 2, 0))  # [nw, m, R]
        r_max = PVq[:, fc].max(axis=1) if len(fc) else np.zeros(len(q.r), dtype=np.int64)
        upper, _ = rows.bounds(X, int(np.abs(PV).max()) + 1, r_max, None)
        g = ct.PE[case.q][q.r][:, row].T + 1 + upper + q.ans[None, :]
        count("add", 3 * g.size)
        valid = np.broadcast_to(q.known, g.shape).copy()
        for m, p in enumerate(wpos):
            valid |= (q.pos == p)[None, :] & (q.tok[None, :] == combos[:, m : m + 1])
        rest = np.broadcast_to(~q.known & ~np.isin(q.pos, wpos), g.shape).copy()
        for m in range(len(wpos)):
            rest &= q.tok[None, :] != combos[:, m : m + 1]
        valid |= rest
        yv = ct.yv[case.a]
        Y = yv[kn]  # [nw, m, V]
        y_max = yv[fc].max(axis=0) if len(fc) else np.zeros(self.V, dtype=np.int64)
        yup, _ = rows.bounds(Y, int(np.abs(yv).max()) + 1, y_max, None)
        return g, valid, ct.ye[case.a][row] + 1 + yup

    def last_key(self, case: Case, q: Query) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, bool, np.ndarray | None]]:
        """The pairwise terms of the test for the query position as a key (docs §11.5.4): for each pair of
        positions j ≤ l, (H, w_lo, w_hi, j == l, mask), arrays over the pair's tokens [T_j, T_l] (diagonal: [T_j, 1]):
        H = h(j, l) + h(l, j) for j < l and h(j, j) on the diagonal (precision FC, without the −λ), where
        h(j, l) = PE(r_j; q at n−1) + PV(r_j; r_l) + 2 + ans(r_j) bounds the pair's share of d_{n−1}; the weight
        products ⌊W_lo·W_lo'⌋ and ⌈W_hi·W_hi'⌉ at precision FC; mask: the token pairs an input can hold (two free
        positions hold distinct tokens), or None for all."""
        ct, n = self.ct, self.n
        PE, PV = ct.PE[case.q], ct.PV[case.q]
        own = ct.col(case.q, n - 1)
        base = PE[q.r, own] + 2 + q.ans  # [R]
        out = []
        ends = list(q.seg) + [len(q.r)]
        for j in range(n):
            sj = slice(ends[j], ends[j + 1])
            rj = q.r[sj]
            h = base[sj][:, None] + PV[rj][:, rj]
            out.append((np.diagonal(h).reshape(-1, 1), ((q.w_lo[sj] ** 2) >> FC).reshape(-1, 1),
                        (-((-(q.w_hi[sj] ** 2)) >> FC)).reshape(-1, 1), True, None))  # fmt: skip
            count("add", 2 * len(rj))
            for l in range(j + 1, n):
                sl = slice(ends[l], ends[l + 1])
                rl = q.r[sl]
                H = base[sj][:, None] + PV[rj][:, rl] + (base[sl][:, None] + PV[rl][:, rj]).T
                lo = (q.w_lo[sj][:, None] * q.w_lo[sl][None, :]) >> FC
                hi = -((-(q.w_hi[sj][:, None] * q.w_hi[sl][None, :])) >> FC)
                mask = None
                if not (q.known[sj].any() or q.known[sl].any()):
                    mask = q.tok[sj][:, None] != q.tok[sl][None, :]
                out.append((H, lo, hi, False, mask))
                count("add", 4 * H.size)
                count("mul", 2 * H.size)
        return out

    @staticmethod
    def last_key_sum(terms: list, lam: int) -> int:
        """Σ over position pairs of the max over their token pairs of max(W_lo·x, W_hi·x), x = H − λ on the diagonal
        and H − 2λ off it (a pair j < l holds the two ordered terms (j, l) and (l, j)): the left side of the
        quadratic λ-test (precision 2FC, as a Python int)."""
        total = 0
        for H, lo, hi, diag, mask in terms:
            x = H - (lam if diag else 2 * lam)
            t = np.maximum(hi * x, lo * x)
            if mask is not None:
                t = t[mask]
            total += int(t.max())
            count("mul", 2 * t.size)
            count("cmp", 2 * t.size)
        return total


def exp_up(lam: int) -> int:
    """⌈exp(λ·2^−LB)·2^FC⌉ from the checker's enclosure (docs §6)."""
    hi = exp_bounds((lam, -LB))[1]
    return up(hi[0], hi[1], FC)


@dataclass
class Parts:
    """Everything of a case's tests that does not depend on the claimed bounds (docs §11.5.6)."""

    case: Case
    q: Query
    direct: tuple[np.ndarray, np.ndarray]  # g of the μ- and ν-tests [V, R]
    consts: tuple[np.ndarray, np.ndarray]  # the query token's own terms of Z̄ and Ḡ_{n−1} [V]
    y_ans: np.ndarray  # Ȳ_{i+1} [V]
    keys: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]  # k → (g, valid, Y) per window
    last: list  # the pairwise terms of key n−1


def case_parts(rule: CaseRule, case: Case) -> Parts:
    q = rule.query(case)
    direct = rule.direct(case, q)
    consts = rule.direct_consts(case)
    y_ans = rule.answer(case, q)  # also sets q.ans, which the keys use
    keys = {k: rule.key(case, q, k) for k in range(rule.n - 1) if k != case.i + 1}
    return Parts(case, q, direct, consts, y_ans, keys, rule.last_key(case, q))


def others(p: Parts) -> list[int]:
    """The logits c ≠ a."""
    return [c for c in range(len(p.y_ans)) if c != p.case.a]


def totals(p: Parts, lam: list[int], mu: list[int], nu: list[int]) -> list[int]:
    """For every c ≠ a: Ḡ_{i+1,c} + Σ_{k≠i+1} ⌈e^{λ_k}⌉·max(0, Ḡ_{k,c}) at precision 2FC (Python ints), with
    Ḡ_{k,c} = Z̄_c + max over the windows of Ȳ_{k,c}, Z̄ = μ-bound, Ḡ_{n−1} = ν-bound (docs §11.5.6)."""
    s = FC - LB
    n = len(lam)
    z_bar = p.consts[0] + (np.array(mu, dtype=np.int64) << s)
    g_bar = {k: (z_bar[None, :] + Y).max(axis=0) for k, (_, _, Y) in p.keys.items()}
    g_bar[n - 1] = p.consts[1] + (np.array(nu, dtype=np.int64) << s)
    count("add", sum(Y.size for _, _, Y in p.keys.values()))
    count("cmp", sum(Y.size for _, _, Y in p.keys.values()))
    e = {k: exp_up(lam[k]) for k in g_bar}
    out = []
    for c in others(p):
        t = (int(z_bar[c]) + int(p.y_ans[c])) << FC
        for k, G in g_bar.items():
            x = int(G[c])
            if x > 0:
                t += e[k] * x
        count("mul", len(g_bar))
        count("add", len(g_bar) + 1)
        out.append(t)
    return out


def verify(p: Parts, lam: list[int], mu: list[int], nu: list[int], cid: str) -> None:
    """Every λ-test with the claimed bounds, then the logit test; ClaimFailure names the first that fails."""
    from ....checker.failures import ClaimFailure

    s = FC - LB
    n = len(lam)
    cs = others(p)
    for name, g, bound in (("mu", p.direct[0], mu), ("nu", p.direct[1], nu)):
        hat = np.array(bound, dtype=np.int64) << s
        for c, x in zip(cs, lambda_sum(g[cs], hat[cs][:, None], p.q)):
            if x > 0:
                raise ClaimFailure(f"{cid}/{name}[{c}]", "the query-side average is not below the claimed bound (λ-test)", int(x), "≤ 0")
    for k, (g, valid, _) in p.keys.items():
        worst = int(lambda_sum(g, lam[k] << s, p.q, valid).max())
        if worst > 0:
            raise ClaimFailure(f"{cid}/lambda[{k}]", f"key {k}'s score relative to the answer's key can exceed the claimed bound (λ-test)", worst, "≤ 0")
    total = CaseRule.last_key_sum(p.last, lam[n - 1] << s)
    if total > 0:
        raise ClaimFailure(f"{cid}/lambda[{n - 1}]", "the query position's score relative to the answer's key can exceed the claimed bound (λ-test)", total, "≤ 0")
    for c, t in zip(cs, totals(p, lam, mu, nu)):
        if t >= 0:
            raise ClaimFailure(f"{cid}/logit[{c}]", f"logit {c} is not proven below the answer's", t, "< 0")
