"""What README.md and TRUST.md state, against the committed files they describe: the Lean statements, the seed-42
certificates' counts, the study's frontier, and the references they cite."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED42 = ROOT / "certificates" / "seed42"


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _cert(name: str) -> dict:
    return json.loads((SEED42 / f"{name}.json").read_text(encoding="utf-8"))


def _lean_blocks(text: str) -> list[list[str]]:
    return [[ln.strip() for ln in b.splitlines() if ln.strip()] for b in re.findall(r"```lean\n(.*?)```", text, re.S)]


def test_trust_shows_the_committed_lean_statements():
    """Every Lean excerpt in TRUST.md is a committed certificate module's own lines (its include_str paths and its
    theorem, with the numbers that module states)."""
    modules = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "lean" / "Certificates").glob("*.lean"))]
    blocks = _lean_blocks(_text("TRUST.md"))
    assert len(blocks) >= 2
    for block in blocks:
        assert any(all(line in m for line in block) for m in modules), block


def _n(x: int) -> str:
    return f"{x:,}"


def test_trust_cost_counts_are_the_committed_certificates():
    trust = " ".join(_text("TRUST.md").split())
    cubic = _cert("cubic")["claims"]["cases"]["entries"]
    c0 = sum(1 for e in cubic if e[2] == 0)
    assert f"the {_n(c0)} single inputs of its c = 0 cases" in trust
    sub = _cert("subcubic-mx-avg-exact")["claims"]["cases"]["entries"]
    assert f"{_n(len(sub))} cases" in trust
    res = _cert("cubic-residual")["claims"]
    listed = len(res["residual"]["inputs"]) + len(res["wrong"]["inputs"])
    assert f"lists {_n(listed)} inputs" in trust


def test_readme_seed42_table_states_the_certificates_counts():
    readme = _text("README.md")
    for name in ("cubic", "subcubic-mx-avg-exact"):
        bound = _cert(name)["bound"]
        assert f"≥ {bound['correct'] / bound['total']:.6f} ({_n(bound['correct'])})" in readme, name
    b = _cert("cubic-residual")["bound"]
    assert f"= {b['correct'] / b['total']:.6f} (lower = upper = {_n(b['correct'])})" in readme
    assert b["upper"] == b["correct"]


def _frontier(report: str) -> list[str]:
    """The strategies of report.md's frontier table, shortest proof first."""
    section = report.split("## Bound vs proof length", 1)[1].split("\n## ", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| \d+ \| (\S+) \|", section, re.M)]


def test_readme_places_its_frontier_point_where_the_report_does():
    """The README's row of a frontier strategy says which point of the committed report's frontier it is."""
    front = _frontier(_text("results/paper-max4/report/report.md"))
    assert front[-1] == "brute-force" and "cubic" in front
    readme = _text("README.md")
    rows = [ln for ln in readme.splitlines() if "frontier point" in ln]
    assert rows
    for line in rows:
        m = re.search(r"frontier point (\d+) of (\d+) \(`([^`]+)`", line)
        assert m, line
        assert (int(m.group(1)), int(m.group(2))) == (front.index(m.group(3)) + 1, len(front)), line
    assert "cheapest frontier point" not in readme


CITING = ["README.md", "TRUST.md", "docs", "python", "tests", "results", "lean", "benchmarks"]


def _files() -> list[Path]:
    out = []
    for name in CITING:
        p = ROOT / name
        files = [p] if p.is_file() else [f for f in p.rglob("*") if f.suffix in {".md", ".py", ".lean"}]
        out += [f for f in files if f.is_file()]
    return out


def test_no_citation_of_a_file_outside_the_repository():
    """The notes the code was first written from are not in the repository; what it relies on is in docs/paper.md."""
    for path in _files():
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8")
        assert "paper-spec" not in text and "scaling-spec" not in text, path.relative_to(ROOT)


def test_paper_md_sections_cited_exist():
    """Every `docs/paper.md §N` (or `[paper.md](paper.md) §N`) cited anywhere names a section of docs/paper.md."""
    paper = _text("docs/paper.md")
    sections = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\b", paper, re.M))
    cited = set()
    for path in _files():
        cited |= set(re.findall(r"paper\.md\)? §(\d+(?:\.\d+)?)", path.read_text(encoding="utf-8")))
    assert cited and cited <= sections, sorted(cited - sections)


@pytest.mark.parametrize("name", ["README.md", "TRUST.md", "docs/certificate.md", "docs/paper.md"])
def test_relative_links_resolve(name):
    text = _text(name)
    base = (ROOT / name).parent
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (base / target).exists(), f"{name}: {target}"


def _induction_line(readme: str, start: str) -> str:
    section = readme.split("### A second task: the two-layer induction head", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith(start)]
    assert len(lines) == 1, start
    return lines[0]


def test_readme_induction_tables_state_the_committed_rows():
    """Every number of the README's induction tables is the committed row's (results/induction/rows.jsonl)."""
    from mechproof.tasks.induction.study import read_rows

    rows = read_rows(ROOT / "results" / "induction")
    readme = _text("README.md")
    bounds = []
    for seed in range(7):
        m = f"ind6-seed{seed}"
        bf, win, res = rows[(m, "bruteforce", 0)], rows[(m, "windows", 1)], rows[(m, "windows+residual", 1)]
        cells = [c.strip() for c in _induction_line(readme, f"| {seed} |").split("|")[1:-1]]
        assert cells[1].startswith(f"{bf['accuracy']:.7g}") and cells[2] == f"{win['bound']:.5f}", seed
        assert cells[4] == f"= {res['bound']:.7g}" and res["correct"] == bf["correct"], seed
        assert cells[5] == f"{res['proof_length'] / bf['proof_length']:.2%}", seed
        assert cells[6] == f"{res['prove_s']:.1f} + {res['check_s']:.1f} s", seed
        bounds.append(win["bound"])
    assert f"| **{sum(bounds) / len(bounds):.5f}** |" in _induction_line(readme, "| mean |")
    assert f"{bf['proof_length'] / 1e10:.2f}·10¹⁰ operations at n = 6" in " ".join(readme.split())
    bf8, d1, d2 = (rows[("ind8-seed0", s, d)] for s, d in (("bruteforce", 0), ("windows", 1), ("windows", 2)))
    line8 = _induction_line(readme, "| 8 |").replace("**", "")
    assert f"{bf8['accuracy']:.6f} (brute force, {_n(bf8['correct'])} / {_n(bf8['total'])}" in line8
    slack = [r for k, r in rows.items() if k[:3] == ("ind8-seed0", "windows", 2) and len(k) == 4]
    for r in (d1, d2, *slack):
        assert f"{r['bound']:.4f} in {r['prove_s']:.0f} + {r['check_s']:.0f} s" in line8
    if ("ind10-seed0", "windows", 1) in rows:
        est, w10 = rows[("ind10-seed0", "bruteforce", 0)], rows[("ind10-seed0", "windows", 1)]
        line10 = _induction_line(readme, "| 10 |")
        sampled = f"({_n(est['sample_correct'])} of {_n(est['samples'])} samples"
        assert f"*estimate* {est['estimate']:.6g} {sampled}; 95%: ≥ {est['ci95'][0]:.5f})" in line10
        assert f"{w10['bound']:.4f} in {w10['prove_s']:.0f} + {w10['check_s']:.0f} s" in line10
