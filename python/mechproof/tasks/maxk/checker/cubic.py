"""Checks the claims of a cubic certificate (docs/certificate.md §4) with exact arithmetic.

Mirrors lean/MechProof/Cubic.lean. Nothing here comes from the producer but the parsed certificate.

Both case rules test, per case (q, m, c ≥ 1) and placement, T_max + T_q + T_nmx(k) < 0 where only the non-max
group term depends on the token k, and it is A_k·S (A_k = U[q,m,k]·tok[q,k] at the end its sign selects, S the
non-max slots' positional mass at that end). Version 1 lists G and tests every k in it; version 2 (`cubic-prefix`)
names the worst token of each sign class and the checker derives G as everything up to it in the exact order of
(A_k, k), so only the boundary is tested. c = 0 cases are single inputs, decided by the input rule (§8).
"""

from __future__ import annotations

from math import comb
from typing import Any

from ....checker.arith import Dy, count, dy_add, dy_lt, dy_mul, dy_sign, dy_str, dy_sum, exp_bounds, memo
from ....checker.failures import ClaimFailure, require
from ....checker.matrices import Mat, exact_matrices
from ....errors import InputError
from ....weights import ExactWeights
from .inputs import InputRule, check_input_claims

Interval = tuple[Dy, Dy]


def check_inv_sqrt(claim, d: int) -> Interval:  # noqa: ANN001 - schema.InvSqrtClaim
    """1/√d ∈ [lo, hi]·2^exp, checked by squaring: lo²·d ≤ 2^(−2exp) ≤ hi²·d."""
    cid = "inv_sqrt_d_head"
    require(claim.exp <= 0, cid, "exponent must be ≤ 0", claim.exp, 0)
    require(0 < claim.lo <= claim.hi, cid, "need 0 < lo ≤ hi", claim.lo, claim.hi)
    one = 1 << (-2 * claim.exp)
    require(claim.lo * claim.lo * d <= one, cid, "lo²·d ≤ 2^(-2·exp) fails", claim.lo * claim.lo * d, one)
    require(claim.hi * claim.hi * d >= one, cid, "hi²·d ≥ 2^(-2·exp) fails", claim.hi * claim.hi * d, one)
    return (claim.lo, claim.exp), (claim.hi, claim.exp)


def check_enclosure_shape(name: str, claim, rows: int, cols: int) -> None:  # noqa: ANN001 - schema.ExpClaim
    """`lo`, `hi` and `exp` are rows×cols arrays: checked before any V×V matrix is formed, so that a small file
    claiming a large vocabulary costs nothing."""
    for arr in (claim.lo, claim.hi, claim.exp):
        require(len(arr) == rows, name, "row count", len(arr), rows)
    for i in range(rows):
        for arr in (claim.lo, claim.hi, claim.exp):
            require(len(arr[i]) == cols, f"{name}[{i}]", "column count", len(arr[i]), cols)


def check_exp_enclosure(name: str, claim, scores: Mat, r: Interval) -> list[list[Interval]]:  # noqa: ANN001
    """Every entry encloses exp(score·r) for all r in the interval; returns the claimed intervals."""
    rows, e = scores
    check_enclosure_shape(name, claim, len(rows), len(rows[0]) if rows else 0)
    out: list[list[Interval]] = []
    for i, row in enumerate(rows):
        out_row = []
        for j, a in enumerate(row):
            cid = f"{name}[{i},{j}]"
            lo: Dy = (claim.lo[i][j], claim.exp[i][j])
            hi: Dy = (claim.hi[i][j], claim.exp[i][j])
            x1, x2 = dy_mul((a, e), r[0]), dy_mul((a, e), r[1])
            x_lo, x_hi = (x1, x2) if a >= 0 else (x2, x1)
            require(lo[0] >= 0, cid, "lower end must be ≥ 0", lo[0], 0)
            own_lo = exp_bounds(x_lo)[0]
            if dy_lt(own_lo, lo):
                raise ClaimFailure(cid, "claimed lower end exceeds exp(x_lo)", lambda lo=lo: dy_str(lo), lambda o=own_lo: dy_str(o))
            own_hi = exp_bounds(x_hi)[1]
            if dy_lt(hi, own_hi):
                raise ClaimFailure(cid, "claimed upper end is below exp(x_hi)", lambda hi=hi: dy_str(hi), lambda o=own_hi: dy_str(o))
            out_row.append((lo, hi))
        out.append(out_row)
    return out


class CubicDerived:
    """E*, P*, V*, U and the positional order (docs §2), all exact, at one common exponent `e`."""

    def __init__(self, mats: dict[str, Mat], n: int) -> None:
        (eupu, e1), (evou, e2), (pvou, e3) = mats["EUPU"], mats["EVOU"], mats["PVOU"]
        self.e = e = min(e1, e2, e3)
        A = [[x << (e1 - e) for x in row] for row in eupu]
        B = [[x << (e2 - e) for x in row] for row in evou]
        P = [[x << (e3 - e) for x in row] for row in pvou]
        V = len(A)
        self.V, self.n = V, n
        # P*[m][j] = max_p (PVOU[p][j] - PVOU[p][m])
        self.p_star = [[max(P[p][j] - P[p][m] for p in range(n)) for j in range(V)] for m in range(V)]
        # E*[q][m] = max_{j≠m} (EUPU[q][j] - EUPU[q][m])
        self.e_star = [[_max_others(row, m) - row[m] for m in range(V)] for row in A]
        # V*[m][t] = max_{j≠m} (EVOU[t][j] - EVOU[t][m] + P*[m][j])
        self.v_star = [
            [_max_others(list(map(int.__add__, B[t], self.p_star[m])), m) - B[t][m] for t in range(V)]
            for m in range(V)
        ]
        count("cmp", n * V * V + 2 * V * V * V)  # the three max reductions above
        count("add", n * V * V + 3 * V * V * V)
        eqkp, _ = mats["EQKP"]
        self.order = [sorted(range(n - 1), key=lambda p, q=q: (eqkp[q][p], p)) for q in range(V)]

    def U(self, q: int, m: int, t: int) -> Dy:
        return (self.e_star[q][m] + self.v_star[m][t], self.e)


def _max_others(row: list[int], m: int) -> int:
    """max_{j ≠ m} row[j] (V ≥ 2)."""
    if m == 0:
        return max(row[1:])
    if m == len(row) - 1:
        return max(row[:-1])
    return max(max(row[:m]), max(row[m + 1 :]))


def group_term(u: Dy, tok: Interval, pos_row: list[Interval], slots: list[int]) -> Dy:
    """Upper bound of u·exp-weight over a group of positions: hi ends if u ≥ 0, lo ends otherwise."""
    if not slots:
        return (0, 0)
    end = 1 if dy_sign(u) >= 0 else 0
    mass = dy_sum([pos_row[p][end] for p in slots])
    return dy_mul(dy_mul(u, tok[end]), mass)


def placements(d: CubicDerived, q: int, c: int) -> list[tuple[str, list[int], list[int]]]:
    """The two extreme placements of case c for query q: (name, max slots, non-max slots)."""
    order, n = d.order[q], d.n
    n_max = n - 1 - c
    out = []
    for name, max_slots in (("low", order[:n_max]), ("high", order[c:])):
        out.append((name, max_slots, [p for p in range(n - 1) if p not in max_slots]))
    return out


def case_groups(d: CubicDerived, q: int, m: int, c: int, k: int, max_slots: list[int], others: list[int]):  # noqa: ANN201
    """The (token, positions) groups of the pure input of case (q, m, c) with non-max token k."""
    query = [d.n - 1]
    groups = [(m, max_slots + query if q == m else max_slots)]
    if c > 0:
        groups.append((k, others))
    if q != m:
        groups.append((q, query))
    return groups


def case_total(d: CubicDerived, tok, pos, q: int, m: int, c: int, k: int, max_slots, others) -> Dy:  # noqa: ANN001
    """Upper bound of F = Σ_p w_p U(t_p) for one placement: the sum of its group terms (audit)."""
    total: Dy = (0, 0)
    for t, slots in case_groups(d, q, m, c, k, max_slots, others):
        total = dy_add(total, group_term(d.U(q, m, t), tok[q][t], pos[q], slots))
    return total


# ------------------------------------------------------------------------------------ the case tables
class CaseTables:
    """Per (q, c, placement): T_max + T_q and the non-max masses S⁺, S⁻; per (q, m): the tokens' A_k and their
    exact order (docs §4.4). Shared by both case rules, the coverage test and audit."""

    def __init__(self, d: CubicDerived, tok: list[list[Interval]], pos: list[list[Interval]]) -> None:
        self.d, self.tok, self.pos = d, tok, pos
        self._fixed: dict[tuple[int, int, int], list[tuple[Dy, Dy, Dy]]] = {}
        self._order: dict[tuple[int, int], tuple[dict[int, int], dict[int, int], list[Dy]]] = {}

    def fixed(self, q: int, m: int, c: int) -> list[tuple[Dy, Dy, Dy]]:
        """For each placement: (T_max + T_q, S⁺, S⁻)."""
        key = (q, m, c)
        hit = self._fixed.get(key)
        if hit is None:
            d, pos = self.d, self.pos[q]
            hit = []
            for _, max_slots, others in placements(d, q, c):
                base = group_term(d.U(q, m, m), self.tok[q][m], pos, max_slots + [d.n - 1] if q == m else max_slots)
                if q != m:
                    base = dy_add(base, group_term(d.U(q, m, q), self.tok[q][q], pos, [d.n - 1]))
                hit.append((base, dy_sum([pos[p][1] for p in others]), dy_sum([pos[p][0] for p in others])))
            self._fixed[key] = hit
        return hit

    def A(self, q: int, m: int, k: int) -> tuple[Dy, int]:
        """(A_k, class): A_k = U·tok_hi (class +1) if U ≥ 0, else U·tok_lo (class −1)."""
        u = self.d.U(q, m, k)
        cls = 1 if dy_sign(u) >= 0 else -1
        return dy_mul(u, self.tok[q][k][1 if cls > 0 else 0]), cls

    def order(self, q: int, m: int) -> tuple[dict[int, int], dict[int, int], list[Dy]]:
        """Rank of each token k < m within its class (+ and −) in the exact order of (A_k, k), and A_k."""
        key = (q, m)
        hit = self._order.get(key)
        if hit is None:
            vals = [self.A(q, m, k) for k in range(m)]
            e = min((a[1] for a, _ in vals), default=0)
            ranks: dict[int, dict[int, int]] = {1: {}, -1: {}}
            for cls in (1, -1):
                members = sorted((a[0] << (a[1] - e), k) for k, (a, c) in enumerate(vals) if c == cls)
                count("cmp", len(members) * max(1, len(members).bit_length()))
                ranks[cls] = {k: i for i, (_, k) in enumerate(members)}
            hit = self._order[key] = (ranks[1], ranks[-1], [a for a, _ in vals])
        return hit

    def worst_ok(self, q: int, m: int, c: int, parts: list[tuple[Dy, int]]) -> tuple[bool, str, Dy]:
        """T_max + T_q + max over `parts` (A_k, class) of A_k·S_class < 0 at both placements?
        Returns (holds, failing placement, its total)."""
        for (base, s_plus, s_minus), name in zip(self.fixed(q, m, c), ("low", "high")):
            worst: Dy | None = None
            for a, cls in parts:
                t = dy_mul(a, s_plus if cls > 0 else s_minus)
                worst = t if worst is None or dy_lt(worst, t) else worst
            total = dy_add(base, worst) if worst is not None else base
            if dy_sign(total) >= 0:
                return False, name, total
        return True, "", (0, 0)


# ------------------------------------------------------------------------------------ the two case rules
def _well_formed(q: int, m: int, c: int, V: int, n: int, seen: set) -> str:
    cid = f"case[{q},{m},{c}]"
    require(0 <= q <= m < V, cid, "need 0 ≤ q ≤ m < d_vocab", (q, m), V)
    require(0 <= c <= (n - 1 if q == m else n - 2), cid, "c out of range for this (q, m)", c, n)
    require((q, m, c) not in seen, cid, "case listed twice", (q, m, c), "unique")
    seen.add((q, m, c))
    return cid


def _single_input(q: int, m: int, n: int) -> tuple[int, ...]:
    """The input of a c = 0 case: every non-query position holds m, the query is q."""
    return (m,) * (n - 1) + (q,)


def _check_c0(rule: InputRule, q: int, m: int, n: int, cid: str) -> None:
    ok, j = rule.right_once(_single_input(q, m, n))
    if not ok:
        raise ClaimFailure(cid, f"the input {list(_single_input(q, m, n))} is not proven right (input rule, logit {j})", "up_j ≥ 0", "< 0")


class Coverage:
    """Which inputs the cases cover (docs §9): (q, m, c) → None (c = 0), a set of tokens (v1), or the pair of
    boundary ranks (v2)."""

    def __init__(self, tables: CaseTables) -> None:
        self.tables = tables
        self.cases: dict[tuple[int, int, int], Any] = {}

    def __call__(self, tokens: tuple[int, ...]) -> bool:
        m, q = max(tokens), tokens[-1]
        others = [t for t in tokens[:-1] if t < m]
        key = (q, m, len(others))
        if key not in self.cases:
            return False
        G = self.cases[key]
        if not others:
            return True
        if isinstance(G, frozenset):
            return all(t in G for t in others)
        plus, minus, _ = self.tables.order(q, m)
        kp_rank, kn_rank = G
        return all((t in plus and plus[t] <= kp_rank) or (t in minus and minus[t] <= kn_rank) for t in others)


def check_cases_v1(entries, tables: CaseTables, rule: InputRule, cover: Coverage) -> int:  # noqa: ANN001
    """docs §4.3: every k in G (c ≥ 1), the input rule (c = 0); returns the number of inputs covered."""
    d = tables.d
    seen: set[tuple[int, int, int]] = set()
    covered = 0
    for q, m, c, G in entries:
        cid = _well_formed(q, m, c, d.V, d.n, seen)
        if c == 0:
            require(list(G) == [m], cid, "c = 0 must list exactly [m]", list(G), [m])
            _check_c0(rule, q, m, d.n, cid)
            cover.cases[(q, m, 0)] = None
        else:
            require(len(G) > 0, cid, "empty token set", len(G), ">0")
            require(all(0 <= k < m for k in G), cid, "tokens must lie in [0, m)", list(G), m)
            require(all(a < b for a, b in zip(G, G[1:])), cid, "tokens must be strictly increasing", list(G), "sorted")
            for k in G:
                ok, name, total = tables.worst_ok(q, m, c, [tables.A(q, m, k)])
                if not ok:
                    raise ClaimFailure(f"{cid}/{k}", f"sign test fails at placement {name}", lambda t=total: dy_str(t), "< 0")
            cover.cases[(q, m, c)] = frozenset(G)
        covered += comb(d.n - 1, c) * len(G) ** c
    return covered


def check_cases_v2(entries, tables: CaseTables, rule: InputRule, cover: Coverage) -> int:  # noqa: ANN001
    """docs §4.4: the boundary tokens' test (c ≥ 1), the input rule (c = 0); returns the inputs covered."""
    d = tables.d
    seen: set[tuple[int, int, int]] = set()
    covered = 0
    for q, m, c, kp, kn in entries:
        cid = _well_formed(q, m, c, d.V, d.n, seen)
        if c == 0:
            require(kp == -1 and kn == -1, cid, "c = 0 takes no boundary tokens (−1, −1)", (kp, kn), (-1, -1))
            _check_c0(rule, q, m, d.n, cid)
            cover.cases[(q, m, 0)] = None
            covered += 1
            continue
        require(kp != -1 or kn != -1, cid, "empty token set: both boundaries are −1", (kp, kn), "a token")
        plus, minus, A = tables.order(q, m)
        parts, size, ranks = [], 0, []
        for k, cls, members in ((kp, 1, plus), (kn, -1, minus)):
            if k == -1:
                ranks.append(-1)
                continue
            require(0 <= k < m, cid, "a boundary token must lie in [0, m)", k, m)
            require(k in members, cid, "boundary token of the wrong class (sign of U[q,m,k])", k, "+" if cls > 0 else "−")
            parts.append((A[k], cls))
            ranks.append(members[k])
            size += members[k] + 1
        ok, name, total = tables.worst_ok(q, m, c, parts)
        if not ok:
            worst = kp if kp != -1 else kn
            raise ClaimFailure(f"{cid}/{worst}", f"sign test of the worst token fails at placement {name}", lambda t=total: dy_str(t), "< 0")
        cover.cases[(q, m, c)] = (ranks[0], ranks[1])
        count("mul", c)
        covered += comb(d.n - 1, c) * size**c
    return covered


def check_cubic(claims, w: ExactWeights, path: Any = None) -> tuple[int, int | None]:  # noqa: ANN001
    """All cubic claims (either version; `residual`/`wrong` too); returns (covered count, proven-wrong count)."""
    cfg = w.cfg
    V, n = cfg.d_vocab, cfg.n_ctx
    r = check_inv_sqrt(claims.inv_sqrt_d_head, cfg.d_head)
    require(claims.exp_eqke.of == "EQKE", "exp_eqke", "must enclose EQKE", claims.exp_eqke.of, "EQKE")
    require(claims.exp_eqkp.of == "EQKP", "exp_eqkp", "must enclose EQKP", claims.exp_eqkp.of, "EQKP")
    check_enclosure_shape("exp_eqke", claims.exp_eqke, V, V)
    check_enclosure_shape("exp_eqkp", claims.exp_eqkp, V, n)
    mats = memo((w.sha256, "matrices"), lambda: exact_matrices(w))
    tok = check_exp_enclosure("exp_eqke", claims.exp_eqke, mats["EQKE"], r)
    pos = check_exp_enclosure("exp_eqkp", claims.exp_eqkp, mats["EQKP"], r)
    d = memo((w.sha256, "cubic.derived"), lambda: CubicDerived(mats, n))
    tables = CaseTables(d, tok, pos)
    rule = InputRule(w, r, mats)
    cover = Coverage(tables)
    if claims.cases.rule == "cubic-case":
        covered = check_cases_v1(claims.cases.entries, tables, rule, cover)
    elif claims.cases.rule == "cubic-prefix":
        covered = check_cases_v2(claims.cases.entries, tables, rule, cover)
    else:  # the schema admits only the two rules
        raise InputError(path, "claims.cases.rule", f"unknown rule {claims.cases.rule!r}")
    right, wrong = check_input_claims(claims, rule, cover, d.U)
    return covered + right, wrong
