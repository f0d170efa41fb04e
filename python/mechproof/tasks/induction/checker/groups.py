"""The cases of a certificate, grouped by (q, i, a) (docs/certificate.md §11.5.5): well-formedness, disjointness,
coverage, and which inputs they cover (for `residual` and `wrong`).

A group [q, i, a, order, cases] lists the free positions in a refinement order (a permutation of the positions
< n−1 other than i and i+1); a case fixes the tokens at the first d positions of that order (its prefix). Two
cases of a group share an input exactly when one's prefix is a prefix of the other's, so the cases are disjoint
when no prefix extends another (checked on the sorted prefixes, each against its successor).
"""

from __future__ import annotations

import math

from ....checker.arith import count
from ....checker.failures import ClaimFailure, require
from .cases import Case, CaseRule, sibling_parts, verify

BATCH = 16
"""Sibling cases formed together (bounds the memory of their stacked arrays)."""


def _perm(m: int, k: int) -> int:
    return math.perm(m, k) if 0 <= k <= m else 0


def make_case(V: int, n: int, q: int, i: int, a: int, order: list[int], prefix: list[int] | tuple[int, ...]) -> Case:
    """The case of group (q, i, a) whose tokens at order[:len(prefix)] are the prefix's (docs §11.5)."""
    known = {i: q, i + 1: a, n - 1: q}
    known.update(zip(order, prefix))
    free = [p for p in range(n - 1) if p not in known]
    return Case(q, i, a, known, free, [t for t in range(V) if t not in known.values()])


def case_size(V: int, n: int, d: int) -> int:
    """How many inputs a case with a prefix of d tokens covers: (V−2−d)!/(V−n+1)! (docs §11.5.5)."""
    return _perm(V - 2 - d, n - 3 - d)


class Groups:
    def __init__(self, entries: list, cfg, depth: int) -> None:  # noqa: ANN001
        self.cfg = cfg
        self.V, self.n = cfg.d_vocab, cfg.n_ctx
        self.depth = depth
        self.entries = entries
        self.prefixes: dict[tuple[int, int, int], tuple[list[int], set[tuple[int, ...]]]] = {}

    def _well_formed(self, g: int, q: int, i: int, a: int, order: list[int], cases: list) -> list[int]:
        V, n = self.V, self.n
        gid = f"group[{q},{i},{a}]"
        require(0 <= q < V and 0 <= a < V and q != a, gid, "q and a must be distinct tokens", [q, a], f"< {V}")
        require(0 <= i <= n - 3, gid, "the match position i must lie in 0..n−3", i, n - 3)
        require((q, i, a) not in self.prefixes, gid, "a group appears twice", [q, i, a], "once")
        free = [p for p in range(n - 1) if p not in (i, i + 1)]
        require(sorted(order) == free and len(order) == len(free), gid, "the order must list the free positions once each", order, free)
        require(len(cases) >= 1, gid, "a group lists at least one case", len(cases), 1)
        return free

    def check(self, rule: CaseRule, workers: int = 1) -> int:
        """Verify every case; returns the number of inputs covered. With workers > 1, runs of consecutive groups
        are verified in as many processes; the operation counts are the same, and so is the failure reported:
        the first one in the certificate's order (parallel.py)."""
        if workers <= 1 or len(self.entries) < 2:
            return self.check_range(rule, 0, len(self.entries))
        from .parallel import check_parallel

        return check_parallel(self, rule, workers)

    def first_malformed(self) -> int:
        """The index of the first group a sequential pass finds malformed (len(entries) if none)."""
        probe = Groups(self.entries, self.cfg, self.depth)
        for g, (q, i, a, order, cases) in enumerate(self.entries):
            try:
                probe._well_formed(g, q, i, a, order, cases)
            except Exception:  # noqa: BLE001 - the sequential pass raises it again when it gets there
                return g
            probe.prefixes[(q, i, a)] = ([], set())
        return len(self.entries)

    def check_range(self, rule: CaseRule, start: int, end: int) -> int:
        """Verify the groups start … end−1 in order (a group's cases with equally long prefixes are siblings,
        cases.sibling_parts: their arrays are formed together, then verified one by one in the certificate's
        order, so the first failure reported is the one a case-by-case pass meets first); returns the inputs
        they cover."""
        V = self.V
        covered = 0
        for g in range(start, end):
            q, i, a, order, cases = self.entries[g]
            free = self._well_formed(g, q, i, a, order, cases)
            seen: list[tuple[int, ...]] = []
            todo: list[tuple[Case, list[int], str]] = []
            malformed = None
            for prefix, lam in cases:
                cid = f"case[{q},{i},{a}/{','.join(map(str, prefix))}]"
                try:
                    todo.append((self._case(q, i, a, order, free, prefix, lam, cid), lam, cid))
                except ClaimFailure as e:  # raised after the cases before it are verified
                    malformed = e
                    break
                seen.append(tuple(prefix))
            self._verify(rule, todo)
            if malformed is not None:
                raise malformed
            covered += sum(case_size(V, self.n, len(p)) for p in seen)
            ordered = sorted(seen)
            count("cmp", len(ordered))
            for x, y in zip(ordered, ordered[1:]):
                require(y[: len(x)] != x, f"case[{q},{i},{a}/{','.join(map(str, y))}]", "cases overlap: a prefix extends another", list(x), list(y))
            self.prefixes[(q, i, a)] = (order, set(seen))
        return covered

    def index(self) -> "Groups":
        """The listed prefixes by group, read without verifying anything: for reports on a certificate the checker
        has accepted (then `covers` answers as it does after `check`)."""
        self.prefixes = {(q, i, a): (order, {tuple(p) for p, _ in cases}) for q, i, a, order, cases in self.entries}
        return self

    def _case(self, q: int, i: int, a: int, order: list[int], free: list[int], prefix: list, lam: list, cid: str) -> Case:
        V, n = self.V, self.n
        d = len(prefix)
        require(d <= min(self.depth, len(free)), cid, "the prefix fixes more positions than the strategy's depth allows", d, self.depth)
        require(all(0 <= t < V for t in prefix) and len(set(prefix) | {q, a}) == d + 2, cid,
                "prefix tokens must be distinct tokens other than q and a", prefix, "distinct")  # fmt: skip
        require(len(lam) == n and lam[i + 1] == 0, cid, "λ has one entry per key position, 0 at the answer's key i+1", len(lam), n)
        return make_case(V, n, q, i, a, order, prefix)

    @staticmethod
    def _verify(rule: CaseRule, todo: list) -> None:
        """Verify the cases in order, sibling runs (consecutive, equally long prefixes) formed BATCH at a time."""
        at = 0
        while at < len(todo):
            d = len(todo[at][0].known)
            end = at
            while end < len(todo) and end - at < BATCH and len(todo[end][0].known) == d:
                end += 1
            for (_, lam, cid), parts in zip(todo[at:end], sibling_parts(rule, [c for c, _, _ in todo[at:end]])):
                verify(parts, lam, cid)
            at = end

    def covers(self, tokens: tuple[int, ...]) -> bool:
        n = self.n
        q = tokens[-1]
        i = tokens[: n - 2].index(q)
        hit = self.prefixes.get((q, i, tokens[i + 1]))
        if hit is None:
            return False
        order, seen = hit
        return any(tuple(tokens[p] for p in order[:d]) in seen for d in range(len(order) + 1))
