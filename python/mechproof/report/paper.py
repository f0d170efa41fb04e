"""The paper's published numbers (docs/paper.md §6) and how our group names map onto the paper's.

`PAPER_FIGURES` holds the numbers under the paper's group names and `PAPER_GROUP_ALIASES` maps other spellings
onto them; names are also matched loosely (case, punctuation, '²' vs '2' and the order of '+'-joined tags do not
matter), so e.g. "attention-dvocab-dmodel2+direct-quadratic" finds "attention-d_vocab·d_model² + direct-quadratic".
Extend either dict for new names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

BRUTE = "brute-force"


@dataclass(frozen=True)
class PaperFigure:
    label: str
    mean: float
    std: float
    metric: str  # "accuracy" (the bound itself) or "normalized" (bound / brute-force accuracy)
    digits: int  # decimals as published

    def text(self) -> str:
        return f"{self.mean:.{self.digits}f} ± {self.std:.{self.digits}f}"


PAPER_FIGURES: dict[str, PaperFigure] = {
    "brute-force": PaperFigure("brute force (true accuracy)", 0.9992, 0.0015, "accuracy", 4),
    "cubic": PaperFigure("cubic", 0.9539, 0.0080, "normalized", 4),
    "subcubic": PaperFigure("subcubic (exact-EUPU and exact-error strategies)", 0.700, 0.036, "normalized", 3),
    "attention-d_vocab·d_model²": PaperFigure("attention-d_vocab·d_model²", 0.675, 0.035, "normalized", 3),
    "direct-quadratic": PaperFigure("direct-quadratic", 0.633, 0.062, "normalized", 3),
    "attention-d_vocab·d_model² + direct-quadratic": PaperFigure(
        "attention-d_vocab·d_model² + direct-quadratic", 0.610, 0.060, "normalized", 3
    ),
    "attention-quadratic": PaperFigure("attention-quadratic", 0.316, 0.037, "normalized", 3),
    "attention-quadratic + direct-quadratic": PaperFigure(
        "attention-quadratic + direct-quadratic", 0.283, 0.037, "normalized", 3
    ),
}
"""Published mean ± std over the 151 seeds (docs/paper.md §6.1), best strategy per seed within each group."""

PAPER_CUBIC_BOUND = PaperFigure("cubic accuracy bound", 0.95307, 0.00871, "accuracy", 4)
"""The cubic bound itself (not normalized), recomputed from the paper's per-seed table (docs/paper.md §6.2)."""

PAPER_GROUP_ALIASES: dict[str, str] = {
    "brute force": "brute-force",
    "bruteforce": "brute-force",
    "attention-dvdm²": "attention-d_vocab·d_model²",
    "attention-dvdm2": "attention-d_vocab·d_model²",
    "attention-dvdm² + direct-quadratic": "attention-d_vocab·d_model² + direct-quadratic",
    "attention-dvdm2 + direct-quadratic": "attention-d_vocab·d_model² + direct-quadratic",
    "subcubic-exact": "subcubic",
}
"""Other names of the paper's groups (matched loosely, like the PAPER_FIGURES keys)."""

_TAG_ALIASES = {"attentiondvdm2": "attentiondvocabdmodel2", "attndvocabdmodel2": "attentiondvocabdmodel2"}

GROUP_COLORS: dict[str, str] = {
    "brute-force": "#222222",
    "cubic": "#1f77b4",
    "subcubic": "#2ca02c",
    "attention-d_vocab·d_model²": "#ff7f0e",
    "direct-quadratic": "#9467bd",
    "attention-d_vocab·d_model² + direct-quadratic": "#8c564b",
    "attention-quadratic": "#d62728",
    "attention-quadratic + direct-quadratic": "#e377c2",
}
_SPARE_COLORS = ("#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#f7b6d2")


def paper_key(group: str) -> str | None:
    """The PAPER_FIGURES key that `group` names, if any (see the module docstring for the loose matching)."""
    if group in PAPER_FIGURES:
        return group
    if group in PAPER_GROUP_ALIASES:
        return PAPER_GROUP_ALIASES[group]
    c = _canon(group)
    for key in PAPER_FIGURES:
        if _canon(key) == c:
            return key
    for alias, key in PAPER_GROUP_ALIASES.items():
        if _canon(alias) == c:
            return key
    return None


def _canon(name: str) -> frozenset[str]:
    text = unicodedata.normalize("NFKC", name).lower()
    tags = (re.sub(r"[^a-z0-9]", "", part) for part in text.split("+"))
    return frozenset(_TAG_ALIASES.get(t, t) for t in tags if t)


def group_order(groups: Iterable[str]) -> list[str]:
    """Brute force, then the paper's groups in the paper's order, then the rest by name."""
    rank = {key: i for i, key in enumerate(PAPER_FIGURES)}

    def key(g: str) -> tuple:
        k = paper_key(g)
        return (0, rank[k], g) if k is not None else (1, 0, g)

    return sorted(set(groups), key=key)


def group_color(group: str, groups: Sequence[str]) -> str:
    k = paper_key(group)
    if k is not None:
        return GROUP_COLORS[k]
    others = [g for g in groups if paper_key(g) is None]
    return _SPARE_COLORS[others.index(group) % len(_SPARE_COLORS)] if group in others else _SPARE_COLORS[0]
