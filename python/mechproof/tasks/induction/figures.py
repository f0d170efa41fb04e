"""Saving the induction task's figures: PNG + SVG, reproducible (no dates, fixed SVG ids), written atomically."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ...files import atomic_write


def save(fig: Any, base: Path) -> list[Path]:
    """`base`.png (150 dpi) and `base`.svg, each to a temp file renamed into place."""
    import matplotlib

    paths = []
    with matplotlib.rc_context({"svg.hashsalt": "mechproof", "svg.fonttype": "path"}):
        for ext, kw in (("png", {"dpi": 150}), ("svg", {"metadata": {"Date": None}})):
            buf = io.BytesIO()
            fig.savefig(buf, format=ext, facecolor="white", **kw)
            target = base.with_name(f"{base.name}.{ext}")
            atomic_write(target, buf.getvalue())
            paths.append(target)
    return paths
