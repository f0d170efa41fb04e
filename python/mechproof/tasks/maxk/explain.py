"""`mechproof explain`: where a certificate's lower bound loses against the exact verdicts (the slack map).

The inputs a model gets right but a certificate does not cover are its slack: exact correct − certified lower
bound. They are broken down by the structure the proofs reason about — the max token m, the gap m − (largest
non-max token), the number of copies of the max, the query token — and, per case of the strategy, by how much
the case's test failed: the upper bound the proof obtained on max_j (logit_j − logit_m) for the lost inputs
(positive means the argument could not show the max token wins). The paper's narrative is that small gaps are
hard; the heatmap of lost inputs over (m, gap) shows where a given proof actually loses.

The checker runs first: only a certificate it accepts is explained (a malformed one is InputError, a false one
ClaimFailure). Coverage comes from the checker's own reading of the certificate (cases as the checker derives
them, plus any residual inputs), the exact verdicts from brute force; the margins are recomputed with the
checker's exact arithmetic. Feasible where brute force is (Max-of-4: 64⁴ inputs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import InputError

MAX_INPUTS = 1 << 26
"""Per-input masks of all inputs are built in memory: Max-of-4 (2^24) fits, Max-of-5 (2^30) does not."""

GAP_NONE = 0
"""The gap of an input whose tokens all equal its max (no non-max token): shown in column 0."""

FORMAT = "mechproof-slack"
"""The `format` of the slack map's JSON file (`mechproof check DIR` skips files that are not certificates)."""


@dataclass
class Slack:
    certificate: Path
    strategy: str
    correct: int  # exact (brute force)
    certified: int  # the certificate's lower bound
    total: int
    by_m: np.ndarray  # lost inputs per max token
    by_gap: np.ndarray  # per gap (0: no non-max token)
    by_copies: np.ndarray  # per number of copies of the max (index = copies)
    by_query: np.ndarray  # per query token
    heat: np.ndarray  # [m, gap]
    worst: list[dict[str, Any]] = field(default_factory=list)  # per strategy case, the most lost inputs first

    @property
    def lost(self) -> int:
        return int(self.by_m.sum())


# ------------------------------------------------------------------------------------------ coverage masks
def _tokens(V: int, n: int) -> np.ndarray:
    """All inputs in index order (x = Σ_p t_p·V^p), as int16 [V^n, n] (signed: −1 marks "no token" below)."""
    x = np.arange(V**n, dtype=np.int64)
    return np.stack([(x // V**p) % V for p in range(n)], axis=1).astype(np.int16)


def _decode_deltas(deltas: list[int]) -> np.ndarray:
    return np.cumsum(np.asarray(deltas, dtype=np.int64)) if deltas else np.zeros(0, dtype=np.int64)


def coverage_mask(cert: Any, claims: Any, ctx: Any, toks: np.ndarray) -> np.ndarray:
    """Which inputs the certificate proves right (cases and residual), as the checker reads it (`ctx`: the
    checker's cubic context, None for a subcubic certificate)."""
    V, n = cert.config.d_vocab, cert.config.n_ctx
    m = toks.max(axis=1).astype(np.int64)
    q = toks[:, -1].astype(np.int64)
    below = toks < m[:, None]
    if cert.strategy.name == "subcubic":
        gap = np.zeros((V, V, n + 1), dtype=np.int64)
        for eq, em, ec, eg in claims.cases.entries:
            gap[eq, em, ec] = eg
        c = below.sum(axis=1)
        g = gap[q, m, c]
        largest = np.where(below, toks, -1).max(axis=1)
        covered = (g > 0) & (largest <= m - g)
    else:
        sets = ctx.case_sets()
        listed = np.zeros((V, V, n), dtype=bool)
        member = np.zeros((V, V, n, V), dtype=bool)
        for (eq, em, ec), G in sets.items():
            listed[eq, em, ec] = True
            member[eq, em, ec, sorted(G)] = True
        c = below[:, :-1].sum(axis=1)
        covered = listed[q, m, c]
        for p in range(n - 1):
            covered &= ~below[:, p] | member[q, m, c, toks[:, p].astype(np.int64)]
    if claims.residual is not None:
        covered[_decode_deltas(claims.residual.inputs)] = True
    return covered


# ------------------------------------------------------------------------------------------ margins
def _case_key(strategy: str, toks: np.ndarray, V: int) -> np.ndarray:
    """Per input, its case (q, m, c) in the strategy's own convention (cubic: c counts non-query positions < m;
    subcubic: every position < m), as one int64 key q·V·(n+1) + m·(n+1) + c."""
    n = toks.shape[1]
    m = toks.max(axis=1).astype(np.int64)
    below = toks < m[:, None]
    c = below.sum(axis=1) if strategy == "subcubic" else below[:, :-1].sum(axis=1)
    return (toks[:, -1].astype(np.int64) * V + m) * (n + 1) + c


def _margins(
    cert_path: Path, cert: Any, claims: Any, w: Any, ctx: Any, cases: list[tuple[int, int, int, list[tuple[int, ...]]]]
) -> list[float | None]:
    """Per case, the bound the proof obtains on max_j (logit_j − logit_m) for its hardest lost input: cubic,
    the worst non-max token's sign test divided by a lower bound of the attention mass; subcubic, max(B(a_lo),
    B(a_hi)) at the gap the lost inputs need. c = 0 cases (single inputs) use the input rule."""
    from .checker.subcubic import SubcubicChecker, frac

    out: list[float | None] = []
    if cert.strategy.name == "subcubic":
        ck = SubcubicChecker(w, cert.typed_params(cert_path), claims, cert_path)
        for q, m, c, inputs in cases:
            if c == 0:
                out.append(_input_margin(ck.rule(), inputs[0]))
                continue
            g = m - max(t for t in inputs[0] if t < m)
            for tokens in inputs[1:]:
                g = min(g, m - max(t for t in tokens if t < m))
            a_lo, a_hi = ck.attention_bounds(q, m, c, g)
            out.append(float(max(ck.output_bound(q, m, c, g, a_lo), ck.output_bound(q, m, c, g, a_hi))))
        return out
    for q, m, c, inputs in cases:
        if c == 0:
            out.append(_input_margin(ctx.rule, inputs[0]))
            continue
        ks = sorted({t for tokens in inputs for t in tokens[:-1] if t < m})
        best: Fraction | None = None
        for k in ks:
            for (base, s_plus, s_minus), (_, mx, others) in zip(ctx.tables.fixed(q, m, c), _placements(ctx, q, c)):
                a, cls = ctx.tables.A(q, m, k)
                total = frac(base) + frac(a) * frac(s_plus if cls > 0 else s_minus)
                mass = _mass(ctx, q, m, c, k, mx, others)
                val = total / mass
                best = val if best is None or val > best else best
        out.append(None if best is None else float(best))
    return out


def _placements(ctx: Any, q: int, c: int) -> list:
    from .checker.cubic import placements

    return placements(ctx.d, q, c)


def _mass(ctx: Any, q: int, m: int, c: int, k: int, max_slots: list[int], others: list[int]) -> Fraction:
    """A lower bound of Σ_p w_p for the pure input of token k at this placement (lower ends of the claims)."""
    from .checker.subcubic import frac

    n = ctx.n
    total = Fraction(0)
    groups = [(m, max_slots + ([n - 1] if q == m else [])), (k, others)] + ([(q, [n - 1])] if q != m else [])
    for t, slots in groups:
        for p in slots:
            total += frac(ctx.tok[q][t][0]) * frac(ctx.pos[q][p][0])
    return total


def _input_margin(rule: Any, tokens: tuple[int, ...]) -> float:
    """max_j up_j / Σ_p w_lo,p for one input (the input rule's bound on the worst logit gap)."""
    m, q = max(tokens), tokens[-1]
    wlo, whi = rule.weights(tokens)
    rows = [rule.n_row(q, m, t, p) for p, t in enumerate(tokens)]
    ups = [sum(x * (hi if x >= 0 else lo) for x, lo, hi in zip(col, wlo, whi)) for j, col in enumerate(zip(*rows)) if j != m]
    return float(Fraction(max(ups), sum(wlo)))


# ------------------------------------------------------------------------------------------ the slack map
def explain(cert_path: str | Path, worst: int = 15, progress: bool = False) -> Slack:
    """The slack of one certificate against brute force (see the module docstring)."""
    from .bruteforce import brute_force
    from ...certificate import load_certificate
    from ...checker import check
    from ...checker.audit import cubic_context
    from ...weights import load

    cert_path = Path(cert_path)
    cert, claims = load_certificate(cert_path)
    V, n = cert.config.d_vocab, cert.config.n_ctx
    if V**n > MAX_INPUTS:
        raise InputError(cert_path, "config", f"{V}^{n} inputs: the slack map needs every input's exact verdict (limit 2^26)")
    check(cert_path)  # what follows reads a certificate every claim of which holds
    w = load(cert_path.parent / cert.model.weights)
    ctx = None if cert.strategy.name == "subcubic" else cubic_context(cert_path, cert, claims)
    toks = _tokens(V, n)
    covered = coverage_mask(cert, claims, ctx, toks)
    right = np.ones(V**n, dtype=bool)
    res = brute_force(w, progress=progress, wrong_indices=True)
    right[res.wrong] = False
    if (covered & ~right).any():  # the checker accepted it: a bug in the checker or in brute force
        raise AssertionError("the checker accepts a certificate that covers an input brute force finds wrong")
    lost = right & ~covered
    lt = toks[lost].astype(np.int64)
    m = lt.max(axis=1)
    below = lt < m[:, None]
    largest = np.where(below, lt, -1).max(axis=1)
    gap = np.where(largest >= 0, m - largest, GAP_NONE)
    copies = (lt == m[:, None]).sum(axis=1)
    heat = np.zeros((V, V), dtype=np.int64)
    np.add.at(heat, (m, gap), 1)
    slack = Slack(
        cert_path, cert.strategy.name, res.correct, cert.bound.correct, V**n,
        np.bincount(m, minlength=V), np.bincount(gap, minlength=V), np.bincount(copies, minlength=n + 1),
        np.bincount(lt[:, -1], minlength=V), heat,
    )
    keys = _case_key("subcubic" if cert.strategy.name == "subcubic" else "cubic", lt, V)
    uniq, counts = np.unique(keys, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:worst]
    cases = []
    for i in order:
        sel = lt[keys == uniq[i]]
        key = int(uniq[i])
        c = key % (n + 1)
        qm = key // (n + 1)
        cases.append((qm // V, qm % V, c, [tuple(int(t) for t in row) for row in sel[:64]]))
    for (q, mm, c, _), cnt, margin in zip(cases, counts[order], _margins(cert_path, cert, claims, w, ctx, cases)):
        slack.worst.append({"q": q, "m": mm, "c": c, "lost": int(cnt), "margin": margin})
    if slack.lost != slack.correct - slack.certified:
        raise AssertionError(f"{slack.lost} lost inputs but exact − certified = {slack.correct - slack.certified}")
    return slack


def heatmap(slack: Slack, path: Path) -> list[Path]:
    """`path`.png and `path`.svg: lost inputs over (max token m, gap), log colour scale; nothing (no files) when
    no correct input is lost."""
    if not slack.lost:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    from ...files import atomic_write

    V = slack.heat.shape[0]
    top_gap = max(1, int(np.nonzero(slack.heat.sum(axis=0))[0].max(initial=0)) + 1)
    data = np.ma.masked_equal(slack.heat[:, :top_gap].T, 0)
    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=130)
    im = ax.imshow(data, origin="lower", aspect="auto", cmap="viridis", norm=LogNorm(vmin=1, vmax=max(1, slack.heat.max())),
                   extent=(-0.5, V - 0.5, -0.5, top_gap - 0.5))
    fig.colorbar(im, ax=ax, label="correct inputs the proof does not cover")
    ax.set_xlabel("max token m")
    ax.set_ylabel("gap m − (largest non-max token)  (0: all tokens equal m)")
    ax.set_title(f"{slack.strategy}: {slack.lost:,} correct inputs not covered "
                 f"({slack.certified:,} certified of {slack.correct:,} correct)", fontsize=9)
    fig.tight_layout()
    out = []
    for ext in ("png", "svg"):
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format=ext)
        target = path.with_name(f"{path.name}.{ext}")
        atomic_write(target, buf.getvalue())
        out.append(target)
    plt.close(fig)
    return out


def to_json(slack: Slack) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "certificate": str(slack.certificate),
        "strategy": slack.strategy,
        "exact_correct": slack.correct,
        "certified_correct": slack.certified,
        "total": slack.total,
        "lost": slack.lost,
        "by_max_token": slack.by_m.tolist(),
        "by_gap": slack.by_gap.tolist(),
        "by_copies_of_max": slack.by_copies.tolist(),
        "by_query": slack.by_query.tolist(),
        "worst_cases": slack.worst,
    }


def save_json(slack: Slack, path: Path) -> None:
    from ...files import atomic_write

    atomic_write(path, json.dumps(to_json(slack), indent=1) + "\n")
