"""`mechproof audit` on an induction certificate (docs/certificate.md §11): one claim, its rule's inputs and the
recomputed exact values, for a reviewer convincing themself of one step by hand.

The checker runs first on the whole certificate (malformed: InputError, exit 2; a false claim: ClaimFailure,
exit 1), so what is shown belongs to a certificate every claim of which holds. The values are the checker's own
(tasks/induction/checker/), recomputed here; nothing is read from the producer.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate, permutations
from pathlib import Path
from typing import Any

from ... import weights as weights_io
from ...certificate import load_certificate
from ...errors import InputError
from ...jsonfile import short
from .audit_lines import case_lines, input_lines
from .caseview import case_view
from .checker import model_context
from .checker.groups import Groups, case_size
from .checker.inputs import InputRule
from .space import decode, encode, is_input, n_inputs

CLAIM_IDS = (
    "Induction: group[q,i,a] (a listed group: query q, match position i, answer a); case[q,i,a/t,…] (the case whose "
    "tokens at the first positions of the group's order are t,…; case[q,i,a/] or case[q,i,a] the whole group; listed "
    "or not: an unlisted case is shown at the least bounds its λ-tests accept), and …/lambda[k] or …/logit[c] for one "
    "key's λ-test or one logit's test; residual[x], wrong[x] (a listed input) and input[x] (any input), x an input's "
    "index (docs §11.1) or its n_ctx tokens, e.g. input[3,7,1,9,4,7]; bound."
)
_ID = re.compile(r"([a-z]+)(?:\[([0-9]+(?:,[0-9]+)*)?(?:/([0-9]+(?:,[0-9]+)*)?)?\])?(?:/(lambda|logit)\[([0-9]+)\])?")
_DIGITS = 40
"""Longer numbers are out of range for every configuration (N < 64^16 has 29 digits)."""


def _bad(claim_id: str, why: str = "") -> InputError:
    return InputError(None, "--claim", f"{why or 'unknown claim id'} {short(claim_id)}; ids: {CLAIM_IDS}")


def parse(claim_id: str) -> tuple[str, list[int], tuple[int, ...] | None, tuple[str, int] | None]:
    """(name, numbers, prefix or None, (lambda|logit, index) or None) of an induction claim id; bad syntax: InputError."""
    m = _ID.fullmatch(claim_id)
    if m is None:
        raise _bad(claim_id)
    name, nums, pre, sub, idx = m.groups()
    has_slash = "/" in claim_id.split("]")[0]
    numbers = nums.split(",") if nums else []
    prefix = pre.split(",") if pre else []
    if max(map(len, numbers + prefix + [idx or ""]), default=0) > _DIGITS:
        raise InputError(None, "--claim", f"an index of more than {_DIGITS} digits is out of range")
    shape = {"group": 3, "case": 3, "residual": None, "wrong": None, "input": None, "bound": 0}
    if name not in shape or (shape[name] is not None and len(numbers) != shape[name]) or (shape[name] is None and not numbers):
        raise _bad(claim_id)
    if name != "case" and (has_slash or sub):
        raise _bad(claim_id, "only a case id has a prefix or a /lambda[k], /logit[c] part:")
    if name == "bound" and "[" in claim_id:
        raise _bad(claim_id)
    return (name, [int(x) for x in numbers], tuple(int(x) for x in prefix) if name == "case" else None,
            (sub, int(idx)) if sub else None)  # fmt: skip


class Audit:
    """An accepted induction certificate with the checker's model context and its groups read."""

    def __init__(self, path: Path, cert: Any, claims: Any) -> None:
        self.path, self.cert, self.claims = path, cert, claims
        self.w = weights_io.load(path.parent / cert.model.weights)
        self.V, self.n = self.w.cfg.d_vocab, self.w.cfg.n_ctx
        self.ctx = model_context(self.w)
        self.depth = cert.typed_params(path).depth
        self.groups = Groups(claims.cases.entries, self.w.cfg, self.depth).index()
        self.entries = {(e[0], e[1], e[2]): e for e in claims.cases.entries}

    def err(self, message: str) -> InputError:
        return InputError(self.path, "--claim", message)

    def listed_inputs(self, kind: str) -> list[int]:
        c = getattr(self.claims, kind)
        return [] if c is None else list(accumulate(c.inputs))

    # ------------------------------------------------------------------------------------------ groups, cases
    def check_group(self, q: int, i: int, a: int) -> None:
        V, n = self.V, self.n
        if not (0 <= q < V and 0 <= a < V and q != a and 0 <= i <= n - 3):
            raise self.err(f"no group (q={q}, i={i}, a={a}) for d_vocab={V}, n_ctx={n}: q ≠ a tokens < {V}, 0 ≤ i ≤ {n - 3}")

    def group_lines(self, q: int, i: int, a: int) -> list[str]:
        self.check_group(q, i, a)
        entry = self.entries.get((q, i, a))
        if entry is None:
            raise self.err(f"group[{q},{i},{a}]: the certificate lists no such group (case[{q},{i},{a}/] shows it anyway)")
        _, _, _, order, cases = entry
        V, n = self.V, self.n
        total = case_size(V, n, 0)
        covered = sum(case_size(V, n, len(p)) for p, _ in cases)
        out = [
            f"claim group[{q},{i},{a}]  rule induction-cases (docs §11.5.5): inputs with x_{i} = x_{n - 1} = {q}, x_{i + 1} = {a}",
            f"  refinement order (the free positions): {order}",
            f"  cases: {len(cases)} (prefix = tokens at order[0 … d−1]; no prefix extends another: checked)",
        ]
        for prefix, lam in sorted(cases):
            out.append(f"    case[{q},{i},{a}/{','.join(map(str, prefix))}]  covers {case_size(V, n, len(prefix)):,}  L = {lam}")
        out.append(f"  inputs of the group: {total:,}; covered by its cases: {covered:,}; left to residual/wrong: {total - covered:,}")
        out.append("  verdict: holds (the checker accepted every case of the certificate)")
        return out

    def case_lines(self, q: int, i: int, a: int, prefix: tuple[int, ...], sub: tuple[str, int] | None) -> list[str]:
        self.check_group(q, i, a)
        V, n = self.V, self.n
        if len(set(prefix) | {q, a}) != len(prefix) + 2 or not all(t < V for t in prefix) or len(prefix) > n - 3:
            raise self.err(f"prefix {list(prefix)}: at most {n - 3} distinct tokens < {V}, none q={q} or a={a}")
        entry = self.entries.get((q, i, a))
        order = entry[3] if entry else None
        if order is None and prefix:
            raise self.err(f"the certificate lists no group ({q}, {i}, {a}), so it has no order to place a prefix: "
                           f"case[{q},{i},{a}/] shows the whole group")  # fmt: skip
        claimed = next((lam for p, lam in entry[4] if tuple(p) == prefix), None) if entry else None
        if sub is not None:
            kind, x = sub
            if kind == "lambda" and not (0 <= x < n and x != i + 1):
                raise self.err(f"lambda[{x}]: a key position 0 … {n - 1} other than the answer's key {i + 1}")
            if kind == "logit" and not (0 <= x < V and x != a):
                raise self.err(f"logit[{x}]: a logit 0 … {V - 1} other than the answer {a}")
        view = case_view(self.ctx.cases, q, i, a, order, prefix, claimed)
        lines = case_lines(view, self.ctx.cases, case_size(V, n, len(prefix)), sub)
        if claimed is None:  # which of its inputs the certificate proves otherwise (other cases, residual)
            right, wrong = set(self.listed_inputs("residual")), set(self.listed_inputs("wrong"))
            c = view.parts.case
            tally = Counter()
            for fill in permutations(c.tokens, len(c.free)):
                t = {**c.known, **dict(zip(c.free, fill))}
                tokens = tuple(t[p] for p in range(n))
                x = encode(tokens, V)
                tally["cases" if self.groups.covers(tokens) else "residual" if x in right else "wrong" if x in wrong else "none"] += 1
            lines.insert(5, "  its inputs in the certificate: " + ", ".join(f"{k} {v:,}" for k, v in sorted(tally.items())))
        return lines

    # ------------------------------------------------------------------------------------------ inputs, bound
    def input_index(self, kind: str, nums: list[int]) -> int:
        V, n = self.V, self.n
        if len(nums) == n:
            if not is_input(nums, V):
                raise self.err(f"{list(nums)} is not an input: {n} tokens < {V}, the first {n - 1} distinct, the last "
                               f"equal to one of x_0 … x_{n - 3}")  # fmt: skip
            return encode(nums, V)
        if len(nums) != 1:
            raise self.err(f"{kind}[…] takes an input's index or its {n} tokens, got {len(nums)} numbers")
        if not 0 <= nums[0] < n_inputs(V, n):
            raise self.err(f"input index {nums[0]} out of range [0, {n_inputs(V, n)})")
        return nums[0]

    def input_claim_lines(self, kind: str, nums: list[int]) -> list[str]:
        x = self.input_index(kind, nums)
        tokens = decode(x, self.V, self.n)
        witness = None
        if kind != "input":
            if getattr(self.claims, kind) is None:
                raise self.err(f"the certificate has no {kind} claim (input[{x}] shows any input)")
            xs = self.listed_inputs(kind)
            if x not in xs:
                raise self.err(f"input {x} {list(tokens)} is not listed in {kind} (input[{x}] shows it anyway)")
            if kind == "wrong":
                witness = self.claims.wrong.witness[xs.index(x)]
        where = ("the cases" if self.groups.covers(tokens) else "residual" if x in self.listed_inputs("residual")
                 else "wrong" if x in self.listed_inputs("wrong") else "nothing")  # fmt: skip
        head = [f"claim {kind}[{x}]: input {list(tokens)} (index {x}, docs §11.1); listed in / covered by: {where}"]
        return head + ["  " + line for line in input_lines(InputRule(self.ctx.tables), tokens, witness)]

    def bound_lines(self) -> list[str]:
        V, n = self.V, self.n
        b = self.cert.bound
        cases = [(len(p), e) for e in self.claims.cases.entries for p, _ in e[4]]
        covered = sum(case_size(V, n, d) for d, _ in cases)
        right, wrong = len(self.listed_inputs("residual")), len(self.listed_inputs("wrong"))
        total = n_inputs(V, n)
        ok = covered + right == b.correct and b.total == total
        out = [
            "claim bound  rule (docs §11.2, §11.6): correct = inputs the cases cover + residual inputs; total = N",
            f"  groups listed: {len(self.entries):,}   cases: {len(cases):,}   covered (Σ (V−2−d)!/(V−n+1)!): {covered:,}",
            f"  residual inputs: {right:,}   correct = {covered + right:,}   claimed: {b.correct:,}",
            f"  N = (n−2)·V!/(V−n+1)! = {total:,}   claimed total: {b.total:,}",
        ]
        if self.claims.wrong is not None:
            out.append(f"  upper = N − wrong inputs = {total:,} − {wrong:,} = {total - wrong:,}   claimed: {b.upper:,}")
            ok &= b.upper == total - wrong
        out.append(f"  verdict: {'holds' if ok else 'FAILS'} (every case and input claim is checked separately)")
        return out


def audit_induction(path: Path, claim_id: str) -> list[str]:
    """The lines that show one claim of an induction certificate the checker accepts (it runs first)."""
    from ...checker import check

    path = Path(path)
    name, nums, prefix, sub = parse(claim_id)
    cert, claims = load_certificate(path)
    check(path)
    a = Audit(path, cert, claims)
    if name == "group":
        return a.group_lines(*nums)
    if name == "case":
        assert prefix is not None
        return a.case_lines(*nums, prefix, sub)
    if name in ("residual", "wrong", "input"):
        return a.input_claim_lines(name, nums)
    return a.bound_lines()
