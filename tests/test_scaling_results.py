"""The committed Max-of-K scaling study (results/scaling/<config>/results.csv): every row from a checked
version-2 certificate, every bound sound against its reference (exact brute force at K = 5; the sampled
estimate's upper confidence limit beyond), enough seeds, and one certificate reproduced byte for byte."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from mechproof.tasks.maxk.config import CONFIGS

ROOT = Path(__file__).resolve().parents[1]
SCALING = ROOT / "results" / "scaling"
CONFIG_NAMES = ("k5", "k10", "k20", "k10v128")


def _rows(name: str) -> list[dict[str, str]]:
    with (SCALING / name / "results.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", CONFIG_NAMES)
def test_every_bound_is_below_its_reference(name):
    rows = _rows(name)
    cfg = CONFIGS[name]
    refs = {r["seed"]: r for r in rows if r["strategy"] in ("brute-force", "estimate")}
    assert len(refs) >= 5, "at least 5 seeds per configuration"
    exact = cfg.d_vocab**cfg.n_ctx <= 1 << 36
    for r in rows:
        ref = refs[r["seed"]]
        assert r["model_sha256"] == ref["model_sha256"] and int(r["total"]) == cfg.d_vocab**cfg.n_ctx
        if r["strategy"] in ("brute-force", "estimate"):
            assert r["strategy"] == ("brute-force" if exact else "estimate")
            if not exact:  # an estimate certifies nothing: no bound, no count in the certified columns
                assert r["bound"] == r["correct"] == r["normalized"] == ""
                assert float(r["estimate_low"]) <= float(r["estimate_accuracy"]) <= float(r["estimate_high"])
            continue
        assert r["cert_version"] == "2" and len(r["cert_sha256"]) == 64 and int(r["check_ops"]) > 0
        if exact:
            assert int(r["correct"]) <= int(ref["correct"]), (r["seed"], r["strategy"])
        else:
            assert int(r["correct"]) / int(r["total"]) <= float(ref["estimate_high"]), (r["seed"], r["strategy"])


def test_k20v512_has_a_checked_cubic_certificate():
    rows = _rows("k20v512")
    cubic = [r for r in rows if r["strategy"] == "cubic"]
    assert cubic and all(r["cert_version"] == "2" for r in cubic)
    est = {r["seed"]: r for r in rows if r["strategy"] == "estimate"}
    for r in cubic:
        assert int(r["correct"]) / int(r["total"]) <= float(est[r["seed"]]["estimate_high"])


@pytest.mark.slow
def test_a_k5_cubic_certificate_is_reproduced_byte_for_byte(tmp_path):
    """k5-seed50 retrained here, proved and checked. Where training gives the committed weights (a CPU of the
    study machine's kind), the certificate has the committed SHA-256 and count. Float training is deterministic
    per machine, not across CPU instruction sets; elsewhere a second training gives the same weights and a second
    proof the same bytes, and the committed row cannot be recomputed from weights this CPU trains."""
    from mechproof.certify import build_certificate, write_proven
    from mechproof.tasks.maxk.models import load_or_train
    from mechproof.tasks.maxk.strategies import STRATEGIES
    from mechproof.weights import save

    def train_and_prove(where: Path):
        w, _, _ = load_or_train("k5-seed50", progress=False, models_dir=where / "models")
        save(w, where / "weights.json")
        res, _ = write_proven(build_certificate(w, STRATEGIES["cubic"].run(w)), where / "cubic.json")
        return w.sha256, res.correct, hashlib.sha256((where / "cubic.json").read_bytes()).hexdigest()

    committed = next(r for r in _rows("k5") if r["seed"] == "50" and r["strategy"] == "cubic")
    model, correct, cert = train_and_prove(tmp_path / "a")
    if model == committed["model_sha256"]:
        assert (str(correct), cert) == (committed["correct"], committed["cert_sha256"])
    else:
        assert train_and_prove(tmp_path / "b") == (model, correct, cert)


@pytest.mark.slow
def test_make_scaling_never_shrinks_the_committed_tables(tmp_path):
    """`make scaling` runs 5 seeds per configuration where the committed tables hold 20: every committed row is
    kept, byte for byte (the tables were rebuilt from the run's own rows, 2,041 lines down to a few hundred)."""
    from test_paper_study import make_on_copy

    for name in ("k5", "k20v512"):
        (tmp_path / name).mkdir()
        for f in ("results.csv", "stages.csv", "runs.jsonl"):
            (tmp_path / name / f).write_bytes((SCALING / name / f).read_bytes())
    res = make_on_copy("scaling", SCALING=str(tmp_path), SCALING_CONFIGS="k5")
    assert res.returncode == 0, res.stderr[-2000:]
    for name in ("k5", "k20v512"):
        for f in ("results.csv", "stages.csv", "runs.jsonl"):
            assert (tmp_path / name / f).read_bytes() == (SCALING / name / f).read_bytes(), (name, f)
    assert (tmp_path / "report.md").is_file()


@pytest.fixture(scope="module")
def scaling_figure():
    from mechproof.report.scaling import config_rows, plot_scaling

    per_config = config_rows(SCALING)
    return per_config, plot_scaling(per_config)


def _config_at(x: float) -> str:
    [name] = [n for n, c in CONFIGS.items() if float(c.n_inputs) == x]
    return name


def test_scaling_figure_plots_the_papers_metric(scaling_figure):
    """The bound panel shows bound ÷ accuracy, the metric of the paper's markers: the cubic line holds the
    report's normalized cubic means, and the paper's markers sit at its published values."""
    from mechproof.report.scaling import PAPER_SCALING, summarize

    per_config, fig = scaling_figure
    ax = fig.axes[0]
    assert "÷" in ax.get_ylabel()
    cubic = {}
    for line in ax.get_lines():
        if line.get_label() == "cubic" or line.get_label().startswith("_cubic"):
            cubic.update({_config_at(x): y for x, y in zip(line.get_xdata(), line.get_ydata())})
    assert set(cubic) == set(per_config)
    for name, rows in per_config.items():
        assert cubic[name] == pytest.approx(summarize(name, rows)["cubic_normalized"][0], abs=1e-12), name
    marks = {(float(x), float(y)) for c in ax.collections for x, y in c.get_offsets()}
    for name, (value, _) in PAPER_SCALING.items():
        assert (float(CONFIGS[name].n_inputs), value) in marks, name


def test_scaling_figure_joins_only_configurations_of_one_vocabulary(scaling_figure):
    """A line along V^K may only join configurations that differ in K alone."""
    _, fig = scaling_figure
    for ax in fig.axes:
        for line in ax.get_lines():
            xs = list(line.get_xdata())
            if len(xs) < 2 or line.get_linestyle() in ("None", "none", ""):
                continue
            if line.get_label().startswith("brute force"):
                continue  # the brute-force cost line is a function of V^K, not a join of configurations
            vocab = {CONFIGS[_config_at(float(x))].d_vocab for x in xs}
            assert len(vocab) == 1, (line.get_label(), [_config_at(float(x)) for x in xs])


def test_scaling_figure_says_how_many_models_each_point_is(scaling_figure):
    """No legend claims a model count for the paper's markers; a point from a single seed is drawn hollow (not
    like a mean), and the labels give each configuration's number of seeds."""
    per_config, fig = scaling_figure
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert "151" not in legend
    ax = fig.axes[0]
    seeds = {name: len({r["seed"] for r in rows}) for name, rows in per_config.items()}
    faces: dict[str, set[str]] = {}
    for line in ax.get_lines():
        for x in line.get_xdata():
            faces.setdefault(_config_at(float(x)), set()).add(str(line.get_markerfacecolor()))
    assert seeds["k20v512"] == 1 and faces["k20v512"] == {"none"}
    assert "none" not in faces["k5"] and seeds["k5"] > 1
    texts = " ".join(t.get_text() for t in ax.texts)
    for name, k in seeds.items():
        assert f"{name} ({k} seed{'s' * (k != 1)})" in texts, name
