"""The induction results beside the anchors (tasks/induction/report.py): the figure draws the committed rows and
nothing else, the anchors are drawn apart and labelled unchecked, and the committed figure is the one the rows give."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mechproof.errors import InputError
from mechproof.tasks.induction import report
from mechproof.tasks.induction.study import read_rows

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "results" / "induction"


def _rows() -> list[dict]:
    return [json.loads(line) for line in (FOLDER / "rows.jsonl").read_text().splitlines()]


def _lines(fig) -> dict[str, tuple[list, list]]:  # noqa: ANN001
    return {ln.get_label(): (list(ln.get_xdata()), list(ln.get_ydata())) for ax in fig.axes for ln in ax.lines}


def test_the_figure_draws_the_rows():
    fig = report.draw(report.figure_data(read_rows(FOLDER)))
    drawn = _lines(fig)
    expect: dict[str, dict[int, float]] = {}
    n8: dict[str, float] = {}
    for r in _rows():
        if r["n"] == 6:
            name = "brute force (exact accuracy)" if r["kind"] == "bruteforce" else f"{r['strategy']} depth {r['depth']} (certified)"
            expect.setdefault(name, {})[r["seed"]] = r["accuracy"] if r["kind"] == "bruteforce" else r["bound"]
        elif r["n"] == 8:
            slack = "" if r.get("max_slack") is None else f" max-slack {r['max_slack']:g}"
            n8["n8 brute force" if r["kind"] == "bruteforce" else f"n8 {r['strategy']} depth {r['depth']}{slack}"] = (
                r["accuracy"] if r["kind"] == "bruteforce" else r["bound"]
            )
    assert len(expect["brute force (exact accuracy)"]) == 7 and len(n8) == 5
    for name, by_seed in expect.items():
        xs, ys = drawn[name]
        assert dict(zip(xs, ys)) == by_seed
    for name, value in n8.items():
        assert drawn[name][1] == [value]
    ours = set(expect) | set(n8)
    anchors = {k: v for k, v in drawn.items() if k not in ours}
    assert all("unchecked" in k and "floating point" in k for k in anchors)
    v3 = next(v for k, v in anchors.items() if k.startswith("v3"))
    assert v3 == (list(range(7)), [0.9375, 0.8458, 0.9667, 0.8458, 0.9917, 0.9271, 0.9375])
    assert sorted(v[1][0] for k, v in anchors.items() if "v4" in k) == [0.9368, 0.999]


def test_rows_without_n6_are_refused(tmp_path):
    (tmp_path / "rows.jsonl").write_text("")
    with pytest.raises(InputError):
        report.figure_data(read_rows(tmp_path))


def test_the_committed_figure_is_rebuilt_from_the_rows(tmp_path):
    (tmp_path / "rows.jsonl").write_bytes((FOLDER / "rows.jsonl").read_bytes())
    paths = report.build(tmp_path)
    assert [p.name for p in paths] == ["anchors.png", "anchors.svg"]
    assert ET.parse(paths[1]).getroot().tag.endswith("svg")
    import matplotlib

    committed = (FOLDER / "anchors.svg").read_bytes()
    if f"Matplotlib v{matplotlib.__version__}".encode() not in committed:
        pytest.skip("the committed figure was drawn by another matplotlib version")
    assert paths[1].read_bytes() == committed  # same matplotlib: byte for byte


def test_no_figure_without_n6_rows(tmp_path):
    rows = [r for r in _rows() if r["n"] == 8]
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert report.build(tmp_path) == [] and not (tmp_path / "anchors.png").exists()
