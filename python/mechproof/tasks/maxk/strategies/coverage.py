"""Which inputs a certificate's cases cover (docs/certificate.md §9), as a boolean mask over inputs.

Cubic (both rules): the entry (q, m, c) exists, with c the number of non-query positions holding a token < m, and
every such token lies in its G (for c = 0 the entry suffices). For `cubic-prefix` entries G is derived as the
checker derives it: from the exact class order of the claimed `exp_eqke` keys (strategies/cubic.py).
Subcubic: the entry (q, m, c) exists, with c counting the query position too, and every token < m is ≤ m − g.

Used by the upper bounds (`wrong` claims), the `cubic+residual` strategy and slack maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from ....errors import InputError
from ....intervals import enclose_array
from ....weights import ExactWeights
from ..bruteforce import input_tokens
from .inputs import SOUND, context, decide_tokens

MAX_ENUMERATED = 2**28  # V^n above this: we refuse to enumerate every input


@dataclass(frozen=True)
class CaseCover:
    """Lookup tables for the coverage test: entry[q, m, c] (−1 if absent) and per entry its token set (cubic,
    member[e, k]) or its gap g (subcubic)."""

    kind: str  # "cubic" or "subcubic"
    entry: np.ndarray  # int32 [V, V, n]
    member: np.ndarray | None  # bool [E, V] (cubic)
    gap: np.ndarray | None  # int64 [E] (subcubic)

    def covered(self, tokens: np.ndarray) -> np.ndarray:
        """Mask over the rows of a [B, n] token array (column by column: numpy is slow across short rows)."""
        cols = [np.asarray(x, dtype=np.int64) for x in np.asarray(tokens).T]
        V, _, n = self.entry.shape
        if len(self.member if self.kind == "cubic" else self.gap) == 0:
            return np.zeros(len(cols[0]) if cols else 0, dtype=bool)
        q, m = cols[-1], np.maximum.reduce(cols)
        below = [x < m for x in cols]
        c = np.add.reduce(below[:-1] if self.kind == "cubic" else below, dtype=np.int64)
        e = self.entry.reshape(-1).take((q * V + m) * n + c)
        ok = e >= 0
        row = np.maximum(e, 0).astype(np.int64)
        if self.kind == "cubic":
            flat = self.member.reshape(-1)
            for x, b in zip(cols[:-1], below[:-1]):
                ok &= flat.take(row * V + x) | ~b
            return ok
        top_below = np.maximum.reduce([np.where(b, x, -1) for x, b in zip(cols, below)])
        return ok & ((c == 0) | (top_below <= m - self.gap.take(row)))


def case_cover(w: ExactWeights, strategy: str, claims: dict[str, Any]) -> CaseCover:
    """The CaseCover of a certificate's `claims` (as in the JSON file) for the weights it refers to."""
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    rule = claims["cases"]["rule"]
    entries = claims["cases"]["entries"]
    table = np.full((V, V, n), -1, dtype=np.int32)
    for i, e in enumerate(entries):
        table[e[0], e[1], e[2]] = i
    if rule == "subcubic-case":
        return CaseCover("subcubic", table, None, np.array([e[3] for e in entries], dtype=np.int64))
    member = np.zeros((len(entries), V), dtype=bool)
    if rule == "cubic-case":
        for i, e in enumerate(entries):
            if e[2] > 0:
                member[i, e[3]] = True
    elif rule == "cubic-prefix":
        _prefix_members(w, claims, entries, member)
    else:
        raise ValueError(f"no coverage rule for cases of rule {rule!r} (strategy {strategy!r})")
    return CaseCover("cubic", table, member, None)


def _prefix_members(w: ExactWeights, claims: dict[str, Any], entries: list, member: np.ndarray) -> None:
    """G of every cubic-prefix entry from the exact class order of the claimed exp_eqke keys."""
    from .cubic import _Exact, _Floats, class_orders

    ctx = context(w)
    c = claims["exp_eqke"]
    tok = tuple(np.array(c[k], dtype=object) for k in ("lo", "hi", "exp"))
    tok_f = (enclose_array(tok[0], tok[2]), enclose_array(tok[1], tok[2]))
    f = _Floats.build(ctx, tok_f, (ctx.pos_lo, ctx.pos_hi), ctx.E_star, ctx.V_star, SOUND)
    exact = _Exact(ctx, tok)
    by_q: dict[int, list[int]] = {}
    for i, e in enumerate(entries):
        if e[2] > 0:
            by_q.setdefault(e[0], []).append(i)
    V = ctx.V
    for q, idx in by_q.items():
        plus, minus = class_orders(q, f, exact)
        for i in idx:
            _, m, _, kp, kn = entries[i]
            row = m - q
            for k_b, (perm, _, _, cnt) in ((kp, plus), (kn, minus)):
                if k_b < 0:
                    continue
                pos = np.nonzero(perm[row] == k_b)[0]
                if not (0 <= k_b < V and len(pos) and pos[0] < cnt[row]):
                    raise ValueError(f"case[{q},{m},{entries[i][2]}]: boundary token {k_b} of the wrong class")
                member[i, perm[row][: pos[0] + 1]] = True


def covered_inputs(w: ExactWeights, strategy: str, claims: dict[str, Any], inputs: np.ndarray | None = None) -> np.ndarray:
    """Mask of the inputs (indices x = Σ_p t_p·V^p; all V^n when None) that the certificate's cases cover."""
    cover = case_cover(w, strategy, claims)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    if inputs is not None:
        return cover.covered(input_tokens(np.asarray(inputs, dtype=np.int64), V, n))
    chunks = input_chunks(V, n)
    out = np.zeros(V**n, dtype=bool)
    for lo, x in chunks:
        out[lo : lo + len(x)] = cover.covered(input_tokens(x, V, n))
    return out


def require_enumerable(V: int, n: int) -> None:
    """InputError unless every input can be listed (V^n ≤ 2^28)."""
    if V**n > MAX_ENUMERATED:
        raise InputError(
            None, "--strategy/--upper",
            f"deciding inputs one by one needs d_vocab^n_ctx ≤ 2^28; {V}^{n} = {float(V**n):.3g}",
        )  # fmt: skip


def input_chunks(V: int, n: int, chunk: int = 1 << 20) -> Iterator[tuple[int, np.ndarray]]:
    """Every input index in order, in chunks (start, indices); refuses (InputError) now when V^n > 2^28."""
    require_enumerable(V, n)
    total = V**n
    return ((lo, np.arange(lo, min(total, lo + chunk), dtype=np.int64)) for lo in range(0, total, chunk))


def uncovered_verdicts(w: ExactWeights, cover: CaseCover) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Among the inputs the cases leave uncovered: (indices proven right, indices proven wrong, their witnesses),
    ascending, by the input rule (strategies/inputs.py). Refuses when V^n > 2^28."""
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    right, wrong, witness = [], [], []
    for _, x in input_chunks(V, n):
        t = input_tokens(x, V, n)
        open_ = ~cover.covered(t)
        r, wit = decide_tokens(w, t[open_])
        xs = x[open_]
        right.append(xs[r])
        wrong.append(xs[wit >= 0])
        witness.append(wit[wit >= 0])
    return np.concatenate(right), np.concatenate(wrong), np.concatenate(witness)


def delta_code(indices: np.ndarray) -> list[int]:
    """Strictly increasing indices as docs §9 lists them: the first, then the differences."""
    return np.diff(np.asarray(indices, dtype=np.int64), prepend=0).tolist()


def input_claims(w: ExactWeights, strategy: str, claims: dict[str, Any], residual: bool) -> tuple[dict[str, Any], int, int]:
    """The §9 claims for a certificate's claims: `wrong` (and `residual` when asked), with the number of inputs
    `residual` adds to the bound and the number `wrong` removes from the upper bound."""
    right, wrong, witness = uncovered_verdicts(w, case_cover(w, strategy, claims))
    out: dict[str, Any] = {}
    if residual:
        out["residual"] = {"rule": "inputs-right", "inputs": delta_code(right)}
    out["wrong"] = {"rule": "inputs-wrong", "inputs": delta_code(wrong), "witness": witness.tolist()}
    return out, (len(right) if residual else 0), len(wrong)
