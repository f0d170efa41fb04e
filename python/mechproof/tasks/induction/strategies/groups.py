"""Proving a group (q, i, a) with refinement (docs/certificate.md §11.5.5): the producer's search.

A group is first tried as one case. While some cases fail and the depth allows, the group's next refinement
position is chosen (the window position of the key that contributes most to the failing cases' worst logit
tests, by vote), and every failing case is split by the token at that position. Cases that still fail at the
depth limit are left out (their inputs are not covered; `windows+residual` settles them one by one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..checker.cases import CaseRule
from ..checker.groups import case_size, make_case
from .cases import CaseProof, prove_cases


BATCH = 16
"""Sibling cases evaluated together (bounds the memory of their stacked arrays)."""


@dataclass(frozen=True)
class GroupProof:
    q: int
    i: int
    a: int
    order: list[int]
    cases: list[tuple[tuple[int, ...], CaseProof]]  # the proven cases: (prefix, proof)
    failed: list[tuple[int, ...]]  # prefixes of the cases left unproven
    covered: int
    tried: int  # cases proven or tried

    def entry(self) -> list:
        """The certificate's group entry [q, i, a, order, cases] (docs §11.5.5)."""
        cases = [[list(prefix), p.lam] for prefix, p in sorted(self.cases)]
        return [self.q, self.i, self.a, self.order, cases]


def _next_position(rule: CaseRule, proofs: list[CaseProof], choices: list[int]) -> int:
    """The refinement position: for each failing case, the free window position of its worst key (k−1 first,
    then k; n−2 for the query position as a key); the most voted, ties to the smaller position."""
    votes: Counter[int] = Counter()
    for p in proofs:
        k = p.worst_key
        for cand in (k - 1, k) if k >= 0 else ():
            if cand in choices:
                votes[cand] += 1
                break
    if not votes:
        return choices[0]
    return min(votes, key=lambda x: (-votes[x], x))


def prove_group(rule: CaseRule, q: int, i: int, a: int, depth: int, max_slack: float | None = None) -> GroupProof:
    """`max_slack`: at the last refinement step, split only the failing cases whose logit test fails by at most
    this much (in logits); the others are left out unsplit: few of their children hold, and trying each costs as
    much as trying a child that holds."""
    n, V = rule.n, rule.V
    free = [p for p in range(n - 1) if p not in (i, i + 1)]
    order: list[int] = []
    frontier: list[tuple[int, ...]] = [()]
    proven: list[tuple[tuple[int, ...], CaseProof]] = []
    left: list[tuple[int, ...]] = []  # failing cases not split
    tried = 0
    while True:
        failing = []
        for at in range(0, len(frontier), BATCH):  # the frontier's cases are siblings: their arrays formed together
            batch = frontier[at : at + BATCH]
            cases = [make_case(V, n, q, i, a, order, prefix) for prefix in batch]
            for prefix, proof in zip(batch, prove_cases(rule, cases)):
                tried += 1
                (proven if proof.proven else failing).append((prefix, proof))
        if max_slack is not None and len(order) == min(depth, len(free)) - 1:  # the last split
            left += [pre for pre, p in failing if p.slack > max_slack]
            failing = [(pre, p) for pre, p in failing if p.slack <= max_slack]
        if not failing or len(order) >= min(depth, len(free)):
            break
        choices = [p for p in free if p not in order]
        order.append(_next_position(rule, [p for _, p in failing], choices))
        used = {q, a}
        frontier = [pre + (t,) for pre, _ in failing for t in range(V) if t not in used | set(pre)]
    order += [p for p in free if p not in order]
    covered = sum(case_size(V, n, len(pre)) for pre, _ in proven)
    return GroupProof(q, i, a, order, proven, left + [pre for pre, _ in failing], covered, tried)
