"""Checks the claims of a cubic certificate (docs/certificate.md §4) with exact arithmetic.

Mirrors lean/MechProof/Cubic.lean. Nothing here comes from the producer but the parsed certificate.
"""

from __future__ import annotations

from math import comb

from .arith import Dy, count, dy_add, dy_lt, dy_mul, dy_sign, dy_str, dy_sum, exp_bounds
from .failures import ClaimFailure, require
from .matrices import Mat

Interval = tuple[Dy, Dy]


def check_inv_sqrt(claim, d: int) -> Interval:  # noqa: ANN001 - certificate.InvSqrtClaim
    """1/√d ∈ [lo, hi]·2^exp, checked by squaring: lo²·d ≤ 2^(−2exp) ≤ hi²·d."""
    cid = "inv_sqrt_d_head"
    require(claim.exp <= 0, cid, "exponent must be ≤ 0", claim.exp, 0)
    require(0 < claim.lo <= claim.hi, cid, "need 0 < lo ≤ hi", claim.lo, claim.hi)
    one = 1 << (-2 * claim.exp)
    require(claim.lo * claim.lo * d <= one, cid, "lo²·d ≤ 2^(-2·exp) fails", claim.lo * claim.lo * d, one)
    require(claim.hi * claim.hi * d >= one, cid, "hi²·d ≥ 2^(-2·exp) fails", claim.hi * claim.hi * d, one)
    return (claim.lo, claim.exp), (claim.hi, claim.exp)


def check_exp_enclosure(name: str, claim, scores: Mat, r: Interval) -> list[list[Interval]]:  # noqa: ANN001
    """Every entry encloses exp(score·r) for all r in the interval; returns the claimed intervals."""
    rows, e = scores
    require(len(claim.lo) == len(rows), name, "row count", len(claim.lo), len(rows))
    out: list[list[Interval]] = []
    for i, row in enumerate(rows):
        for arr in (claim.lo, claim.hi, claim.exp):
            require(len(arr[i]) == len(row), f"{name}[{i}]", "column count", len(arr[i]), len(row))
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
                raise ClaimFailure(cid, "claimed lower end exceeds exp(x_lo)", dy_str(lo), dy_str(own_lo))
            own_hi = exp_bounds(x_hi)[1]
            if dy_lt(hi, own_hi):
                raise ClaimFailure(cid, "claimed upper end is below exp(x_hi)", dy_str(hi), dy_str(own_hi))
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
        self.e_star = [[max(A[q][j] - A[q][m] for j in range(V) if j != m) for m in range(V)] for q in range(V)]
        # V*[m][t] = max_{j≠m} (EVOU[t][j] - EVOU[t][m] + P*[m][j])
        self.v_star = [
            [max(B[t][j] - B[t][m] + self.p_star[m][j] for j in range(V) if j != m) for t in range(V)]
            for m in range(V)
        ]
        count("cmp", n * V * V + 2 * V * V * V)  # the three max reductions above
        count("add", n * V * V + 3 * V * V * V)
        eqkp, _ = mats["EQKP"]
        self.order = [sorted(range(n - 1), key=lambda p, q=q: (eqkp[q][p], p)) for q in range(V)]

    def U(self, q: int, m: int, t: int) -> Dy:
        return (self.e_star[q][m] + self.v_star[m][t], self.e)


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
    """Upper bound of F = Σ_p w_p U(t_p) for one placement: the sum of its group terms."""
    total: Dy = (0, 0)
    for t, slots in case_groups(d, q, m, c, k, max_slots, others):
        total = dy_add(total, group_term(d.U(q, m, t), tok[q][t], pos[q], slots))
    return total


def check_case_entry(d: CubicDerived, entry, seen: set) -> None:  # noqa: ANN001
    """Well-formedness of one [q, m, c, G] entry (docs §4.3)."""
    q, m, c, G = entry
    V, n = d.V, d.n
    cid = f"case[{q},{m},{c}]"
    require(0 <= q <= m < V, cid, "need 0 ≤ q ≤ m < d_vocab", (q, m), V)
    require(0 <= c <= (n - 1 if q == m else n - 2), cid, "c out of range for this (q, m)", c, n)
    require((q, m, c) not in seen, cid, "case listed twice", (q, m, c), "unique")
    seen.add((q, m, c))
    if c == 0:
        require(list(G) == [m], cid, "c = 0 must list exactly [m]", list(G), [m])
    else:
        require(len(G) > 0, cid, "empty token set", len(G), ">0")
        require(all(0 <= k < m for k in G), cid, "tokens must lie in [0, m)", list(G), m)
        require(all(a < b for a, b in zip(G, G[1:])), cid, "tokens must be strictly increasing", list(G), "sorted")


def check_cases(entries, d: CubicDerived, tok: list[list[Interval]], pos: list[list[Interval]]) -> int:  # noqa: ANN001
    """Every entry's sign test for every k and both placements; returns the number of inputs covered."""
    seen: set[tuple[int, int, int]] = set()
    covered = 0
    for entry in entries:
        check_case_entry(d, entry, seen)
        q, m, c, G = entry
        for k in G:
            for name, max_slots, others in placements(d, q, c):
                total = case_total(d, tok, pos, q, m, c, k, max_slots, others)
                if dy_sign(total) >= 0:
                    raise ClaimFailure(f"case[{q},{m},{c}]/{k}", f"sign test fails at placement {name}", dy_str(total), "< 0")
        covered += comb(d.n - 1, c) * len(G) ** c
    return covered


def check_cubic(claims, mats: dict[str, Mat], d_head: int, n: int) -> int:  # noqa: ANN001
    """All cubic claims; returns the number of inputs they prove correct."""
    r = check_inv_sqrt(claims.inv_sqrt_d_head, d_head)
    require(claims.exp_eqke.of == "EQKE", "exp_eqke", "must enclose EQKE", claims.exp_eqke.of, "EQKE")
    require(claims.exp_eqkp.of == "EQKP", "exp_eqkp", "must enclose EQKP", claims.exp_eqkp.of, "EQKP")
    tok = check_exp_enclosure("exp_eqke", claims.exp_eqke, mats["EQKE"], r)
    pos = check_exp_enclosure("exp_eqkp", claims.exp_eqkp, mats["EQKP"], r)
    return check_cases(claims.cases.entries, CubicDerived(mats, n), tok, pos)
