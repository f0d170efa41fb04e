"""What every figure shares: saving as PNG + SVG, label wrapping, the paper's mean ± std drawn
as a band. Figures are drawn on matplotlib's Agg canvas (Figure objects, no pyplot state, no display)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

from .paper import PaperFigure

PAPER_COLOR = "crimson"


def save(fig: Any, base: Path) -> list[Path]:
    """`base`.png (150 dpi) and `base`.svg, both reproducible (no dates, fixed SVG ids)."""
    import matplotlib

    paths = []
    with matplotlib.rc_context({"svg.hashsalt": "mechproof", "svg.fonttype": "path"}):
        for ext, kw in (("png", {"dpi": 150}), ("svg", {"metadata": {"Date": None}})):
            p = base.with_suffix(f".{ext}")
            fig.savefig(p, format=ext, facecolor="white", **kw)
            paths.append(p)
    return paths


def wrap(label: str, width: int = 16) -> str:
    label = re.sub(r"\s*\+\s*", " + ", label)
    return "\n".join(textwrap.wrap(label, width, break_on_hyphens=True, break_long_words=False)) or label


def paper_band(ax: Any, fig: PaperFigure, label: str, horizontal: bool = True) -> None:
    """The paper's mean as a line and its ± std as a shaded band."""
    span, line = (ax.axhspan, ax.axhline) if horizontal else (ax.axvspan, ax.axvline)
    span(fig.mean - fig.std, fig.mean + fig.std, color=PAPER_COLOR, alpha=0.10, lw=0, zorder=1)
    line(fig.mean, color=PAPER_COLOR, lw=1.4, zorder=2, label=f"{label}: {fig.text()} (mean ± std, 151 seeds)")


def label_box() -> dict[str, Any]:
    return {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.6", "lw": 0.5, "alpha": 0.9}
