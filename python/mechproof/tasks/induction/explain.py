"""`mechproof explain` on an induction certificate: where its lower bound loses (docs/certificate.md §11).

The correct inputs the certificate does not cover (neither by its cases nor by `residual`) are its slack, exact
correct − certified lower bound. They are counted by group (q, i, a), by match position i, by answer a and by query
q, drawn as q × a heatmaps (one panel per i), and grouped into the cases of the certificate's depth that hold them:
for a listed group the case whose prefix is the input's tokens at the group's order (a case the refinement tried
and could not prove), for a group the certificate does not list its whole-group case (no order is given). Each
such case's margin is max_c T_c of the case rule (§11.5.6) at the least claims its λ-tests accept, scaled back to
logits (÷ 2^2FC): since Σ_k e^{d_k} ≥ 1, a positive margin is the upper bound the rule reaches on
max_c logit_c − logit_a over the case, where it would need a negative one.

The checker runs first (a malformed certificate is InputError, a false one ClaimFailure). Coverage is read from
the certificate as the checker reads it (tested against its `Groups.covers`), the exact verdicts come from sound
brute force (bruteforce.py), the margins from the checker's own case rule (caseview.py). Brute force must be
quick: beyond MAX_INPUTS (n = 8 has 3.5·10^8 inputs, 26 minutes) explain refuses, saying why.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np

from ... import weights as weights_io
from ...certificate import load_certificate
from ...errors import InputError
from ...files import atomic_write
from .caseview import case_view
from .checker import model_context
from .space import n_inputs, tokens_of

MAX_INPUTS = 1 << 23
"""Brute force within seconds: n = 6 at V = 16 (2.1·10^6 inputs) is; n = 7 (2.9·10^7) and n = 8 are not."""
CHUNK = 1 << 18
FORMAT = "mechproof-slack"
"""The `format` of the JSON report (the same as Max-of-K's slack map: `mechproof check DIR` skips it)."""


@dataclass
class Slack:
    certificate: Path
    strategy: str
    depth: int
    V: int
    n: int
    correct: int  # exact (brute force)
    certified: int  # the certificate's lower bound
    total: int
    heat: np.ndarray  # lost inputs [i, q, a]
    worst: list[dict[str, Any]] = field(default_factory=list)  # cases holding lost inputs, the most first

    @property
    def lost(self) -> int:
        return int(self.heat.sum())


def _code(g: Any, d: int, digits: list, V: int, n: int) -> Any:
    """One integer naming (group g, prefix length d, the prefix's tokens): distinct for distinct triples."""
    code = g * (n - 2) + d
    for t in digits:
        code = code * V + t
    return code * V ** (n - 3 - d)


def _codes(tok: np.ndarray, V: int, n: int, order: np.ndarray, d: int) -> np.ndarray:
    """Per input [k, n], the code of (its group, d, its tokens at the group's order[:d]), int64 [k]."""
    q = tok[:, n - 1]
    i = (tok[:, : n - 2] == tok[:, n - 1 :]).argmax(axis=1)
    rows = np.arange(len(tok))
    g = (q * (n - 2) + i) * V + tok[rows, i + 1]
    return _code(g, d, [tok[rows, order[g, j]] for j in range(d)], V, n)


def coverage(claims: Any, V: int, n: int, tok: np.ndarray, index: np.ndarray, residual: bool = True) -> np.ndarray:
    """Which of the inputs (tokens [k, n], their indices [k]) the certificate proves right: its cases (docs §11.5.5:
    the group is listed and the tokens at the first d positions of its order are some case's prefix) or `residual`
    (unless `residual` is False: the cases alone)."""
    order = np.zeros((V * (n - 2) * V, max(1, n - 3)), dtype=np.int64)
    listed: dict[int, set[int]] = {}
    for q, i, a, o, cases in claims.cases.entries:
        g = (q * (n - 2) + i) * V + a
        order[g, : len(o)] = o
        for prefix, _ in cases:
            listed.setdefault(len(prefix), set()).add(_code(g, len(prefix), prefix, V, n))
    covered = np.zeros(len(tok), dtype=bool)
    for d, codes in listed.items():
        covered |= np.isin(_codes(tok, V, n, order, d), np.fromiter(codes, dtype=np.int64))
    if residual and claims.residual is not None:
        covered |= np.isin(index, np.fromiter(accumulate(claims.residual.inputs), dtype=np.int64))
    return covered


def explain(path: Path, worst: int = 15, cases_only: bool = False) -> Slack:
    """The slack of an accepted induction certificate (the checker runs first); with `cases_only`, of its cases
    alone (what they leave to `residual` counts as lost, and the certified count is the cases')."""
    from ...checker import check
    from .bruteforce import brute_force

    path = Path(path)
    cert, claims = load_certificate(path)
    V, n = cert.config.d_vocab, cert.config.n_ctx
    total = n_inputs(V, n)
    if total > MAX_INPUTS:
        raise InputError(path, "config", f"explain needs the exact verdict of every input by brute force; {total:,} inputs "
                         f"(n_ctx = {n}) is beyond its limit of {MAX_INPUTS:,} (n_ctx = 6 at d_vocab = 16 is within); "
                         "`mechproof audit` shows any single case or input of it")  # fmt: skip
    check(path)
    w = weights_io.load(path.parent / cert.model.weights)
    wrong = brute_force(w).wrong
    depth = cert.typed_params(path).depth
    heat = np.zeros((n - 2, V, V), dtype=np.int64)
    cases: Counter[tuple[int, int, int, tuple[int, ...]]] = Counter()
    entries = {(e[0], e[1], e[2]): e[3] for e in claims.cases.entries}
    for lo in range(0, total, CHUNK):
        index = np.arange(lo, min(total, lo + CHUNK), dtype=np.int64)
        tok = tokens_of(index, V, n)
        lost = ~coverage(claims, V, n, tok, index, not cases_only) & ~np.isin(index, wrong)
        t = tok[lost]
        i = (t[:, : n - 2] == t[:, n - 1 :]).argmax(axis=1)
        a = t[np.arange(len(t)), i + 1]
        np.add.at(heat, (i, t[:, n - 1], a), 1)
        for row, ii, aa in zip(t.tolist(), i.tolist(), a.tolist()):
            order = entries.get((row[-1], ii, aa))
            prefix = () if order is None else tuple(row[p] for p in order[: min(depth, len(order))])
            cases[(row[-1], ii, aa, prefix)] += 1
    listed = 0 if claims.residual is None or not cases_only else len(claims.residual.inputs)
    name = cert.strategy.name + (" (its cases alone)" if cases_only else "")
    slack = Slack(path, name, depth, V, n, total - len(wrong), cert.bound.correct - listed, total, heat)
    rule = model_context(w).cases
    for (q, i, a, prefix), count in sorted(cases.items(), key=lambda kv: (-kv[1], kv[0]))[:worst]:
        order = entries.get((q, i, a))
        view = case_view(rule, q, i, a, order, prefix, None)
        t = view.totals()
        c = None if t is None else view.others()[int(np.argmax(t))]
        slack.worst.append({"q": q, "i": i, "a": a, "prefix": list(prefix), "group_listed": order is not None,
                            "lost": count, "margin": view.margin(), "logit": c})  # fmt: skip
    return slack


def to_json(s: Slack) -> dict[str, Any]:
    by_group = [[int(q), int(i), int(a), int(s.heat[i, q, a])] for i, q, a in zip(*np.nonzero(s.heat))]
    return {
        "format": FORMAT,
        "task": "induction",
        "certificate": str(s.certificate),
        "strategy": s.strategy,
        "depth": s.depth,
        "exact_correct": s.correct,
        "certified_correct": s.certified,
        "total": s.total,
        "lost": s.lost,
        "by_match_position": s.heat.sum(axis=(1, 2)).tolist(),
        "by_query": s.heat.sum(axis=(0, 2)).tolist(),
        "by_answer": s.heat.sum(axis=(0, 1)).tolist(),
        "by_group": sorted(by_group, key=lambda r: (-r[3], r[:3])),
        "worst_cases": s.worst,
    }


def save_json(s: Slack, path: Path) -> None:
    atomic_write(path, json.dumps(to_json(s), indent=1) + "\n")


def write_report(path: Path, folder: Path, worst: int = 15, cases_only: bool = False) -> tuple[Slack, list[Path]]:
    """Explain the certificate and write `folder`/<its stem>[.cases].slack.png/.svg (when something is lost) and .json."""
    s = explain(path, worst, cases_only)
    base = Path(folder) / f"{Path(path).stem}{'.cases' if cases_only else ''}.slack"
    files = heatmap(s, base) + [base.with_name(f"{base.name}.json")]
    save_json(s, files[-1])
    return s, files


def heatmap(s: Slack, base: Path) -> list[Path]:
    """`base`.png and .svg: lost inputs over (query q, answer a), one panel per match position i (nothing when
    no correct input is lost)."""
    if not s.lost:
        return []
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    from .figures import save

    k = s.n - 2
    fig = Figure(figsize=(3.0 * k + 1.2, 3.6), layout="constrained")
    axes = fig.subplots(1, k, sharey=True, squeeze=False)[0]
    norm = LogNorm(vmin=1, vmax=max(2, int(s.heat.max())))
    for i, ax in enumerate(axes):
        im = ax.imshow(np.ma.masked_equal(s.heat[i], 0), origin="lower", cmap="viridis", norm=norm)
        ax.set_title(f"match position i = {i}: {int(s.heat[i].sum()):,}", fontsize=9)
        ax.set_xlabel("answer a = x_(i+1)")
    axes[0].set_ylabel("query q = x_(n-1)")
    fig.colorbar(im, ax=list(axes), label="correct inputs not covered")
    fig.suptitle(f"{s.strategy} (depth {s.depth}): {s.lost:,} correct inputs not covered "
                 f"({s.certified:,} certified of {s.correct:,} correct)", fontsize=10)  # fmt: skip
    return save(fig, base)


def lines(s: Slack) -> list[str]:
    """The plain-text summary `mechproof explain` prints."""
    out = [f"{s.certificate} ({s.strategy}, depth {s.depth}): exact {s.correct:,} correct (brute force), certified "
           f"{s.certified:,}; {s.lost:,} correct inputs not covered"]  # fmt: skip
    if not s.lost:
        return out + ["nothing to draw: the certificate covers every correct input (certified = exact)"]
    share = lambda x: f"{int(x):,} ({x / s.lost:.0%})"  # noqa: E731
    by_i = s.heat.sum(axis=(1, 2))
    out.append("by match position i: " + ", ".join(f"i={i}: {share(x)}" for i, x in enumerate(by_i)))
    for name, arr in (("query q", s.heat.sum(axis=(0, 2))), ("answer a", s.heat.sum(axis=(0, 1)))):
        top = [f"{t}: {share(arr[t])}" for t in np.argsort(-arr, kind="stable")[:6] if arr[t]]
        out.append(f"most lost by {name}: " + ", ".join(top))
    groups = sorted(((int(s.heat[i, q, a]), q, i, a) for i, q, a in zip(*np.nonzero(s.heat))), key=lambda r: (-r[0], r[1:]))
    out.append(f"groups (q, i, a) with lost inputs: {len(groups):,}; most: "
               + ", ".join(f"({q},{i},{a}): {c:,}" for c, q, i, a in groups[:6]))  # fmt: skip
    out.append("worst cases at the certificate's depth (margin: max_c T_c·2^−2FC at the least claims the λ-tests accept;")
    out.append("  > 0: the case rule's upper bound on max_c logit_c − logit_a, in logits; audit with case[q,i,a/prefix]):")
    for c in s.worst:
        where = "" if c["group_listed"] else "  (group not listed: its whole-group case)"
        m = "no claims within limits" if c["margin"] is None else f"{c['margin']:+.4g} at logit {c['logit']}"
        out.append(f"  case[{c['q']},{c['i']},{c['a']}/{','.join(map(str, c['prefix']))}]  lost {c['lost']:,}  margin {m}{where}")
    return out
