"""Verifying the cases of a certificate in several processes (Groups.check with workers > 1).

The groups are cut into runs of consecutive groups with about equally many cases; each run is verified by the
sequential code in a forked process (which shares the parent's tables), and the parent adds up what the runs
report in the certificate's order: inputs covered, operation counts (so the proof length does not depend on the
number of workers), each group's prefixes. Failures keep the sequential order: the runs end before the first
group a sequential pass finds malformed; the first run (in order) with a failing claim reports the failure that a
sequential pass meets first; after the runs the sequential code goes on from that malformed group.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ....checker.arith import OPS
from ....checker.failures import ClaimFailure

_JOB: tuple | None = None  # (groups, rule): set before the fork, read by the workers


def _run(bounds: tuple[int, int]) -> tuple[int, dict, dict, tuple | None]:
    from .groups import Groups

    assert _JOB is not None
    groups, rule = _JOB
    OPS.clear()
    part = Groups(groups.entries, groups.cfg, groups.depth)
    covered, failure = 0, None
    try:
        covered = part.check_range(rule, *bounds)
    except ClaimFailure as e:
        failure = (e.claim_id, e.what, e.a, e.b)
    return covered, part.prefixes, dict(OPS), failure


def runs(sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """Consecutive index ranges covering 0 … len(sizes)−1, at most `parts`, of about equal total size."""
    cum = np.cumsum(sizes)
    cuts = np.searchsorted(cum, [cum[-1] * k / parts for k in range(1, parts)], side="left") + 1 if len(sizes) else []
    edges = sorted({0, len(sizes), *(int(c) for c in cuts)})
    return list(zip(edges, edges[1:]))


def check_parallel(groups, rule, workers: int) -> int:  # noqa: ANN001
    global _JOB
    stop = groups.first_malformed()
    covered = 0
    if stop:
        _JOB = (groups, rule)
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                results = list(pool.map(_run, runs([len(e[4]) for e in groups.entries[:stop]], 4 * workers)))
        finally:
            _JOB = None
        for n_covered, prefixes, ops, failure in results:
            OPS.update(ops)
            if failure is not None:
                raise ClaimFailure(*failure)
            groups.prefixes.update(prefixes)
            covered += n_covered
    return covered + groups.check_range(rule, stop, len(groups.entries))
