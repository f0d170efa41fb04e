"""The induction task's `residual` and `wrong` claims (docs/certificate.md §11.6), decided by the input rule.

The verdicts and the operation count are those of deciding every listed input in list order with one InputRule
(`residual`, then `wrong`), whose first-in-first-out store of key images decides which are recomputed. Here the
count is formed from that store's hits and misses alone (a key image's operations depend on its position only, an
input's other operations on nothing), while the verdicts are computed in token order: inputs in a run of a common
prefix x_0 … x_k share its key images (a prefix tree walked depth first). The first failing input in list order
is reported, as in list order.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter, OrderedDict
from typing import Callable, Iterable

from ....checker.arith import OPS
from ....checker.failures import ClaimFailure, require
from ....checker.inputs import indices
from ....errors import InputError
from .inputs import InputRule, KeyImages, decode, n_inputs

Covers = Callable[[tuple[int, ...]], bool]
Item = tuple[int, tuple[int, ...], int]  # (index, tokens, witness logit, or −1 for a `residual` input)


def _costs(rule: InputRule, tokens: tuple[int, ...]) -> tuple[list[Counter[str]], Counter[str]]:
    """The operations of the key images of each position 0 … n−2, and of one input's verdict beside them."""
    saved = OPS.copy()
    per_key = []
    keys: list[KeyImages] = []
    for k in range(rule.n - 1):
        OPS.clear()
        keys.append(rule.key_images(tokens, k))
        per_key.append(OPS.copy())
    OPS.clear()
    rule.margins(tokens, keys)
    per_input = OPS.copy()
    OPS.clear()
    OPS.update(saved)
    return per_key, per_input


class Ledger:
    """Counts, into OPS, what deciding items in order with one InputRule costs: its first-in-first-out store of
    key images (kept across the calls of `add`, as the rule keeps it) decides which key images are recomputed."""

    def __init__(self, rule: InputRule) -> None:
        self.rule = rule
        self.store: OrderedDict[tuple[int, ...], None] = OrderedDict()

    def add(self, items: list[Item]) -> None:
        if not items:
            return
        rule, store = self.rule, self.store
        n = rule.n
        rule.fixed  # noqa: B018 - formed (and counted) once, where the rule would form it: at its first input
        per_key, per_input = _costs(rule, items[0][1])
        misses = [0] * (n - 1)
        for _, tokens, _ in items:
            for k in range(n - 1):
                prefix = tokens[: k + 1]
                if prefix not in store:
                    store[prefix] = None
                    misses[k] += 1
                    if len(store) > rule.KEPT:
                        store.popitem(last=False)
        for kind, m in per_input.items():
            OPS[kind] += m * len(items)
        for k, m in enumerate(misses):
            for kind, c in per_key[k].items():
                OPS[kind] += c * m


PROCESSES = 2
"""Processes that compute the verdicts of a long list (a contiguous share of the token order each): the verdicts
do not depend on how the list is shared out."""
SHARED_FROM = 1 << 14
"""Lists shorter than this are decided in the checking process alone."""

_JOB: tuple[InputRule, list[Item], list[int]] | None = None  # what forked processes read (inherited, not sent)


def _walk(rule: InputRule, items: list[Item], order: list[int]) -> list[tuple[bool, int]]:
    """Verdicts of items[j] for j in `order` (in token order), sharing key images by prefix."""
    n = rule.n
    out = []
    stack: list[KeyImages] = []
    prev: tuple[int, ...] = ()
    for j in order:
        _, tokens, c = items[j]
        shared = 0
        while shared < len(stack) and tokens[shared] == prev[shared]:
            shared += 1
        del stack[shared:]
        for k in range(shared, n - 1):
            stack.append(rule.key_images(tokens, k))
        out.append(rule.right(tokens, stack) if c < 0 else (rule.wrong(tokens, c, stack), c))
        prev = tokens
    return out


def _share(bounds: tuple[int, int]) -> list[tuple[bool, int]] | tuple[str | None, str | None, str]:
    """A forked process's share; a limit met (InputError) comes back as its (path, field, message)."""
    assert _JOB is not None
    rule, items, order = _JOB
    try:
        return _walk(rule, items, order[bounds[0] : bounds[1]])
    except InputError as e:
        return e.path, e.field, e.message


def verdicts(rule: InputRule, items: list[Item], processes: int = PROCESSES, shared_from: int = SHARED_FROM) -> list[tuple[bool, int]]:
    """For each item: (proven right?, first logit not below the answer) for a `residual` input, (proven wrong
    with its witness?, witness) for a `wrong` one. Computed in token order, by `processes` forked processes for a
    list of at least `shared_from` items. The operations are not counted here (Ledger counts them)."""
    global _JOB
    saved = OPS.copy()
    order = sorted(range(len(items)), key=lambda j: items[j][1])
    if processes > 1 and len(items) >= shared_from and "fork" in mp.get_all_start_methods():
        cuts = [len(order) * s // processes for s in range(processes + 1)]
        _JOB = (rule, items, order)
        try:
            with mp.get_context("fork").Pool(processes) as pool:
                parts = pool.map(_share, list(zip(cuts, cuts[1:])))
        finally:
            _JOB = None
        for part in parts:
            if isinstance(part, tuple):
                raise InputError(*part)
        found = [v for part in parts for v in part]
    else:
        found = _walk(rule, items, order)
    out: list[tuple[bool, int]] = [(False, -1)] * len(items)
    for j, v in zip(order, found):
        out[j] = v
    OPS.clear()
    OPS.update(saved)
    return out


def _read(scan: Callable[[list[Item]], None]) -> tuple[list[Item], ClaimFailure | None]:
    """The items a list yields before its first malformed entry, and that entry's failure (else None)."""
    items: list[Item] = []
    try:
        scan(items)
    except ClaimFailure as e:
        return items, e
    return items, None


def _decide(rule: InputRule, items: list[Item], failure: ClaimFailure | None, make: Callable[[Item, int], ClaimFailure]) -> None:
    """Raise the first failure in list order: an input whose verdict fails, else the malformed entry. Where an
    input meets a limit (InputError), the items are decided again one by one in list order, so that an earlier
    input's failing verdict is reported before it, as in list order."""
    try:
        found: Iterable[tuple[bool, int]] = verdicts(rule, items)
    except InputError:
        found = (_walk(rule, items, [j])[0] for j in range(len(items)))
    for item, (ok, c) in zip(items, found):
        if not ok:
            raise make(item, c)
    if failure is not None:
        raise failure


def check_input_claims(claims, rule: InputRule, covers: Covers) -> tuple[int, int | None]:  # noqa: ANN001
    """docs §11.6 (as §9): verify `residual` and `wrong` (either may be absent); returns (#residual, #wrong)."""
    V, n = rule.V, rule.n
    total = n_inputs(V, n)
    right: list[Item] = []
    ledger = Ledger(rule)
    if claims.residual is not None:

        def scan_residual(out: list[Item]) -> None:
            for x in indices(claims.residual.inputs, V, n, "residual", total):
                tokens = decode(x, V, n)
                require(not covers(tokens), f"residual[{x}]", "input already covered by the cases", list(tokens), "uncovered")
                out.append((x, tokens, -1))

        right, failure = _read(scan_residual)
        ledger.add(right)
        _decide(rule, right, failure, lambda it, c: ClaimFailure(
            f"residual[{it[0]}]", f"input {list(it[1])} is not proven right: logit {c} can reach the answer's", "upper ≥ 0", "< 0"))
    wrong = claims.wrong
    if wrong is None:
        return len(right), None
    require(len(wrong.witness) == len(wrong.inputs), "wrong", "one witness per input", len(wrong.witness), len(wrong.inputs))
    right_set = {x for x, _, _ in right}

    def scan_wrong(out: list[Item]) -> None:
        for x, c in zip(indices(wrong.inputs, V, n, "wrong", total), wrong.witness):
            tokens = decode(x, V, n)
            a = tokens[tokens[: n - 2].index(tokens[-1]) + 1]
            cid = f"wrong[{x}]"
            require(0 <= c < V and c != a, cid, "witness must be a logit index other than the answer", c, a)
            require(not covers(tokens) and x not in right_set, cid, "input is also claimed right (by the cases or residual)", list(tokens), "wrong")
            out.append((x, tokens, c))

    bad, failure = _read(scan_wrong)
    ledger.add(bad)
    _decide(rule, bad, failure, lambda it, c: ClaimFailure(
        f"wrong[{it[0]}]", f"input {list(it[1])} is not proven wrong with witness logit {c}", "lower < 0", "≥ 0"))
    return len(right), len(bad)
