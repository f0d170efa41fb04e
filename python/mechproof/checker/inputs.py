"""The input lists of docs/certificate.md §9, shared by every task's input rule: delta-coded, strictly increasing
indices, read as they are checked, and the default numbering x = Σ_p t_p·V^p (Max-of-K's; a task whose inputs are
numbered otherwise passes their count, docs §11.1). Max-of-K's input rule is tasks/maxk/checker/inputs.py.
"""

from __future__ import annotations

from typing import Iterator

from ..jsonfile import short_int
from .failures import ClaimFailure


def decode(x: int, V: int, n: int) -> tuple[int, ...]:
    """Input index x = Σ_p t_p·V^p → (t_0, …, t_{n−1})."""
    out = []
    for _ in range(n):
        x, t = divmod(x, V)
        out.append(t)
    return tuple(out)


def indices(deltas: list[int], V: int, n: int, cid: str, total: int | None = None) -> Iterator[int]:
    """The delta-coded input list of docs §9, checked as it is read: strictly increasing, within [0, V^n) (or
    [0, total) for a task whose inputs are numbered otherwise, docs §11.1).

    An index outside the range is named abbreviated (`short_int`): a 4300-digit delta added to the previous index
    can have more digits than Python converts to text."""
    what = "input index out of range (must be < d_vocab^n_ctx)" if total is None else "input index out of range (must be < the number of inputs)"
    total, x = (V**n if total is None else total), -1
    for i, d in enumerate(deltas):
        if i == 0:
            if d < 0:
                raise ClaimFailure(f"{cid}[{short_int(d)}]", "the first input index must be ≥ 0", d, 0)
        elif d < 1:
            raise ClaimFailure(f"{cid}[{x}]", "inputs must be strictly increasing (a delta of 0 lists one twice)", d, 1)
        x = d if i == 0 else x + d
        if x >= total:
            raise ClaimFailure(f"{cid}[{short_int(x)}]", what, x, total)
        yield x
