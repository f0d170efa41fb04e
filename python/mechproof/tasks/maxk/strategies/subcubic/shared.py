"""What the 100 variants of one model share, computed once: a small in-process cache keyed by the weights' SHA-256.

The QK side depends only on the qk rule (10 values), the output side only on the eupu rule (5), and the
positional masses, the π enclosures and the c = 0 decisions only on the weights. Running the variants one after
another (as `mechproof sweep` does, one model per worker) pays for each once. Everything cached is a pure
function of the weights, so the certificates are the same bytes with or without the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .....intervals import inv_sqrt_claim
from .....weights import ExactWeights
from .choices import check_limits
from .floats import AttnF, Masses, OutF, attn_floats, masses, out_floats
from .pieces import OutputSide, Pieces, output_side
from .qk import QKBound, qk_rule
from .search import TripleCache

KEEP = 2  # models kept (a sweep worker proves one model at a time)


@dataclass(frozen=True)
class QKSide:
    bound: QKBound
    floats: AttnF
    triples: TripleCache


@dataclass(frozen=True)
class OutSide:
    exact: OutputSide
    floats: OutF


class Shared:
    """One model's shared quantities, each computed on first use."""

    def __init__(self, w: ExactWeights) -> None:
        self.w = w
        self.pieces = Pieces(w)
        self.r_claim = inv_sqrt_claim(w.cfg.d_head)
        self._qk: dict[str, QKSide] = {}
        self._out: dict[str, OutSide] = {}

    @cached_property
    def masses(self) -> Masses:
        return masses(self.pieces, self.r_claim)

    def qk(self, name: str) -> QKSide:
        if name not in self._qk:
            b = qk_rule(name, self.pieces.chains)
            check_limits(self.pieces.kappa, None, b)
            self._qk[name] = QKSide(b, attn_floats(b), TripleCache(self.pieces.V))
        return self._qk[name]

    def out(self, name: str) -> OutSide:
        if name not in self._out:
            o = output_side(name, self.pieces)
            check_limits(self.pieces.kappa, o.mu, None)
            self._out[name] = OutSide(o, out_floats(o))
        return self._out[name]

    @cached_property
    def c0_right(self) -> np.ndarray:
        """right[m]: the input (m, …, m) is proven right by the input rule (docs §8); decides the c = 0 cases.
        Given as tokens (its index m·(1 + V + … + V^(n−1)) exceeds int64 for e.g. V = 128, n = 10)."""
        from ..inputs import decide_tokens

        V, n = self.pieces.V, self.pieces.n
        return decide_tokens(self.w, np.repeat(np.arange(V, dtype=np.int64)[:, None], n, axis=1))[0]


_CACHE: OrderedDict[str, Shared] = OrderedDict()


def shared(w: ExactWeights) -> Shared:
    """The model's Shared, from the cache when the same weights (by SHA-256) were seen last. ExactWeights are
    immutable, so the same object has the same hash (computed once per object)."""
    key = w.sha256
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    while len(_CACHE) >= KEEP:
        _CACHE.popitem(last=False)
    _CACHE[key] = Shared(w)
    return _CACHE[key]


def clear() -> None:
    """Forget every cached model (for measurements of the uncached cost)."""
    _CACHE.clear()
