"""One subcubic variant end to end: gap search, sound re-check, c = 0 by the input rule, and the claims."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .....weights import ExactWeights
from .choices import check_avg_limits, choices
from .recheck import recheck
from .search import averages, fixed_v, per_gap_v
from .shared import shared
from .variants import Variant

AVG_BITS = 30  # mantissa bits of the averages (a choice; exact in float64, so the re-check uses them exactly)


@dataclass(frozen=True)
class SubcubicProof:
    variant: Variant
    params: dict[str, Any]
    claims: dict[str, Any]
    correct: int
    total: int
    seconds: float
    dropped_by_recheck: int  # cases (c ≥ 1) the float search proposed that the sound re-check refused


def _avg_dyadics(avg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mantissa, exponent) of each average at AVG_BITS bits below its leading bit (as Dyadic.from_float would
    round one entry), 0 for averages below 2^-900 so that every value is an exact normal float."""
    x = np.where(avg >= 2.0**-900, avg, 0.0)
    with np.errstate(divide="ignore"):
        e = np.where(x > 0, np.floor(np.log2(np.where(x > 0, x, 1.0))), AVG_BITS).astype(np.int64) - AVG_BITS
    return np.round(np.ldexp(x, -e)).astype(np.int64), e


def _coverage(q: np.ndarray, m: np.ndarray, c: np.ndarray, g: np.ndarray, n: int, V: int, paper: bool) -> int:
    """Σ over cases of C(n−1, c′)·N^{c′} (docs §7.3), grouped by (c′, N) so the big integers are few."""
    cc = np.where(q == m, c, c - 1)
    allowed = np.where(cc > 0, m - g + (0 if paper else 1), 0)  # in 0..V (unused when c′ = 0)
    keys, counts = np.unique(cc * (V + 1) + allowed, return_counts=True)
    total = 0
    for key, k in zip(keys.tolist(), counts.tolist()):
        a, b = divmod(key, V + 1)
        total += k * (math.comb(n - 1, a) * b**a if a else 1)
    return total


def subcubic_proof(w: ExactWeights, variant: Variant, paper_compatible: bool = False, tol: float = 1e-7) -> SubcubicProof:
    """Search gaps in float64, keep the cases the sound re-check passes, add the c = 0 cases the input rule
    proves, and assemble the certificate's claims."""
    start = time.perf_counter()
    eupu, attention, qk = variant.names
    sh = shared(w)
    V, n = sh.pieces.V, sh.pieces.n
    qs, os_, ms = sh.qk(qk), sh.out(eupu), sh.masses
    at, of = qs.floats, os_.floats
    if attention == "mean_query+diff":
        first = per_gap_v(at, ms, of, qs.triples, n, tol)
        avg_m, avg_e = _avg_dyadics(averages(at, ms, first))
    else:
        avg_m, avg_e = np.zeros((V, n), dtype=np.int64), np.zeros((V, n), dtype=np.int64)
    v = np.ldexp(avg_m.astype(np.float64), avg_e)  # exact
    gaps = fixed_v(at, ms, of, v, n, tol)
    c, q, m = np.nonzero(gaps)
    g = gaps[c, q, m]
    keep = recheck(at, ms, of, v, q, m, c, g)
    dropped = int((~keep).sum())
    m0 = np.nonzero(sh.c0_right)[0]  # c = 0: the input (m, …, m), decided by the input rule
    q, m, c, g = (np.concatenate([x[keep], y]) for x, y in ((q, m0), (m, m0), (c, 0 * m0), (g, 1 + 0 * m0)))
    order = np.lexsort((c, q, m))
    entries = np.stack([q, m, c, g], axis=1)[order].tolist()
    correct = _coverage(q, m, c, g, n, V, paper_compatible)

    params = {
        "variant": ";".join(variant.names),
        "eupu": eupu,
        "attention": attention,
        "qk": qk,
        "count": "paper" if paper_compatible else "fixed",
    }
    lo, hi, e = sh.r_claim
    check_avg_limits(avg_m, avg_e)
    claims = {
        "inv_sqrt_d_head": {"rule": "inv-sqrt", "lo": lo, "hi": hi, "exp": e},
        "choices": choices(sh.pieces.kappa, os_.exact.mu, qs.bound, avg_m, avg_e),
        "cases": {"rule": "subcubic-case", "entries": entries},
    }
    return SubcubicProof(variant, params, claims, correct, V**n, time.perf_counter() - start, dropped)
