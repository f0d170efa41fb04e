"""The Ray engine gives the local pool's rows; without --ray, ray is never imported."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mechproof.checker import check
from mechproof.config import ModelConfig, TrainConfig
from mechproof.sweep import BRUTE, VOLATILE, Engine, SweepSpec, row_path, run_sweep

SMALL = ModelConfig(d_vocab=8, n_ctx=3, d_model=8, d_head=8)
STRATEGIES = ("cubic", "subcubic-mx-avg-exact")
ROOT = Path(__file__).resolve().parents[1]


def _spec(tmp_path: Path, out: str, workers: int) -> SweepSpec:
    return SweepSpec(out=tmp_path / out, seeds=(1, 2), strategies=STRATEGIES, workers=workers, device="cpu",
                     models_dir=tmp_path / "models", model_cfg=SMALL, train_cfg=TrainConfig(steps=300))


def _strip(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in rows]


@pytest.mark.slow
def test_ray_rows_match_the_local_pool(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="ray is not installed (the optional extra: pip install -e '.[cluster]')")
    from mechproof.sweep.engines.ray import start_local

    t0 = time.perf_counter()
    start_local(num_cpus=2, object_store_memory=80 * 2**20)
    try:
        # Ray first: its workers train the models, the driver saves them; one task per strategy (batch=1)
        remote = run_sweep(_spec(tmp_path, "ray", 2), progress=False, engine=Engine("ray", "auto", 1))
        assert (remote.done, remote.failed) == (6, [])
        assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["seed1.json", "seed2.json"]
        # resuming through Ray: only the missing row is computed, from the saved model and brute-force row (a
        # run killed before it rebuilt its tables leaves no trace of the task)
        row_path(tmp_path / "ray", 2, "cubic").unlink()
        for table in ("results.json", "results.csv"):
            (tmp_path / "ray" / table).unlink()
        again = run_sweep(_spec(tmp_path, "ray", 2), progress=False, engine=Engine("ray", "auto", 1))
        assert (again.done, again.skipped, again.failed) == (1, 5, [])
    finally:
        ray.shutdown()
    ray_seconds = time.perf_counter() - t0
    pooled = run_sweep(_spec(tmp_path, "pool", 2), progress=False)
    assert pooled.failed == []
    assert [r["trained"] for r in remote.rows if r["strategy"] == BRUTE] == [True, True]
    assert _strip(again.rows) == _strip(pooled.rows)  # every column but timings and where it ran
    for r in again.rows:
        if r["strategy"] != BRUTE:  # the driver wrote the workers' certificates, byte for byte, and they check
            cert = tmp_path / "ray" / r["certificate"]
            assert hashlib.sha256(cert.read_bytes()).hexdigest() == r["cert_sha256"]
            assert cert.read_bytes() == (tmp_path / "pool" / r["certificate"]).read_bytes()
            assert check(cert).correct == r["correct"]
    assert ray_seconds < 60


@pytest.mark.slow
def test_without_ray_option_ray_is_not_imported(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT / "python")!r})
        from mechproof.config import ModelConfig, TrainConfig
        from mechproof.sweep import SweepSpec, run_sweep
        import mechproof.cli
        spec = SweepSpec(out=Path({str(tmp_path / "out")!r}), seeds=(1, 2), strategies=("cubic",), workers=1,
                         models_dir=Path({str(tmp_path / "models")!r}),
                         model_cfg=ModelConfig(d_vocab=8, n_ctx=3, d_model=8, d_head=8), train_cfg=TrainConfig(steps=50))
        s = run_sweep(spec, progress=False)
        assert s.done == 4 and not s.failed, s
        print("ray imported" if "ray" in sys.modules else "ray not imported")
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ray not imported"


def test_ray_option_without_ray_installed_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from typer.testing import CliRunner

    from mechproof.cli import app

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    res = CliRunner().invoke(app, ["sweep", "--seeds", "1", "--strategies", "cubic", "--out", str(tmp_path / "o"),
                                   "--ray", "local"])
    assert res.exit_code == 2 and "--ray" in res.output and "[cluster]" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("address", ["127.0.0.1:1", "ray://127.0.0.1:1", "nowhere"])
def test_an_unreachable_ray_address_is_bad_input_without_waiting(tmp_path: Path, address: str) -> None:
    """`sweep --ray 127.0.0.1:1` hung for more than 300 s repeating Ray's connection warnings."""
    pytest.importorskip("ray", reason="ray is not installed (the optional extra: pip install -e '.[cluster]')")
    cmd = [sys.executable, "-m", "mechproof.cli", "sweep", "--seeds", "1", "--strategies", "cubic", "--out",
           str(tmp_path / "o"), "--ray", address, "--quiet"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    text = " ".join(res.stderr.split())
    assert "--ray" in text and address in text and "internal error" not in text
    assert not (tmp_path / "o" / "rows").exists() and not (tmp_path / "models").exists()
