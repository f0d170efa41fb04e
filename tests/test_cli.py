"""The command line end to end, in a scratch directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    return subprocess.run([sys.executable, "-m", "mechproof.cli", *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_certify_check_audit_end_to_end(tmp_path):
    # reuse the committed weights so the test does not need to train
    (tmp_path / "models").mkdir()
    shutil.copy(ROOT / "certificates" / "seed42" / "weights.json", tmp_path / "models" / "seed42.json")
    proc = _run(tmp_path, "certify", "seed42", "--quiet", "--no-lean")
    assert proc.returncode == 0, proc.stderr
    cert = tmp_path / "certificates" / "seed42" / "cubic.json"
    doc = json.loads(cert.read_text())
    assert str(doc["bound"]["correct"]) in proc.stdout and "brute-force accuracy" in proc.stdout
    assert not list(cert.parent.glob(".*"))  # nothing half-written left behind
    assert (cert.parent / "weights.json").read_bytes() == (tmp_path / "models" / "seed42.json").read_bytes()
    # the committed certificate is reproduced byte for byte (determinism)
    assert cert.read_bytes() == (ROOT / "certificates" / "seed42" / "cubic.json").read_bytes()

    ok = _run(tmp_path, "check", "certificates")
    assert ok.returncode == 0 and f"OK {doc['bound']['correct']}/16777216" in ok.stdout

    q, m, c, G = doc["claims"]["cases"]["entries"][-1]
    k = G[0]
    audit = _run(tmp_path, "audit", str(cert), "--case", f"{m},{q},{k},{c}")
    assert audit.returncode == 0, audit.stderr
    assert "proven correct" in audit.stdout and "upper bound of F" in audit.stdout
    claim = _run(tmp_path, "audit", str(cert), "--claim", "exp_eqkp[3,1]")
    assert claim.returncode == 0 and "verdict: holds" in claim.stdout
    bad = _run(tmp_path, "audit", str(cert), "--case", "1,2,3")
    assert bad.returncode == 2 and "m,q,k,c" in bad.stderr
    unknown = _run(tmp_path, "audit", str(cert), "--claim", "nonsense")
    assert unknown.returncode == 2 and "unknown claim id" in unknown.stderr


def test_train_and_accuracy_json(tmp_path):
    out = tmp_path / "m.json"
    proc = _run(tmp_path, "train", "--seed", "7", "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    acc = _run(tmp_path, "accuracy", str(out), "--json", "--quiet")
    doc = json.loads(acc.stdout)
    assert {"correct", "total", "accuracy"} <= set(doc) and doc["total"] == 64**4
    assert doc["correct"] / doc["total"] == doc["accuracy"] and doc["accuracy"] > 0.98


def test_unknown_strategy_and_missing_model_exit_2(tmp_path):
    assert _run(tmp_path, "certify", "seed42", "--strategy", "nope").returncode == 2
    proc = _run(tmp_path, "accuracy", "no-such-model")
    assert proc.returncode == 2 and "no-such-model" in proc.stderr


def test_import_export_commands(tmp_path):
    w = ROOT / "certificates" / "seed42" / "weights.json"
    st = tmp_path / "m.safetensors"
    assert _run(tmp_path, "export-weights", str(w), "--out", str(st)).returncode == 0
    assert _run(tmp_path, "import-weights", str(st), "--out", str(tmp_path / "back.json")).returncode == 0
    from mechproof.weights import load

    assert load(tmp_path / "back.json").sha256 == load(w).sha256


def test_help_explains():
    proc = _run(ROOT, "--help")
    assert proc.returncode == 0
    for cmd in ("train", "accuracy", "certify", "check", "audit"):
        assert cmd in proc.stdout


def test_audit_of_a_subcubic_case():
    cert = ROOT / "certificates" / "seed42" / "subcubic-mx-avg-exact.json"
    doc = json.loads(cert.read_text())
    q, m, c, g = doc["claims"]["cases"]["entries"][-1]
    proc = _run(ROOT, "audit", str(cert), "--claim", f"case[{q},{m},{c}]")
    assert proc.returncode == 0, proc.stderr
    assert "verdict: holds" in proc.stdout and "B(a_lo)" in proc.stdout and f"gap g = {g}" in proc.stdout
    wrong = _run(ROOT, "audit", str(cert), "--case", f"{m},{q},0,{c}")
    assert wrong.returncode == 2 and "case[q,m,c]" in wrong.stderr


def test_train_config_names(tmp_path):
    helped = _run(tmp_path, "train", "--help")
    names = ("k4", "k5", "k10", "k20", "k10v128", "k20v512")
    assert helped.returncode == 0 and all(name in helped.stdout for name in names)
    bad = _run(tmp_path, "train", "--config", "k7")
    assert bad.returncode == 2 and "--config" in bad.stderr and "k20v512" in bad.stderr
    assert not (tmp_path / "models").exists()


def test_accuracy_estimate_is_labelled_and_big_models_need_samples(tmp_path):
    w = ROOT / "certificates" / "seed42" / "weights.json"
    est = _run(tmp_path, "accuracy", str(w), "--samples", "300", "--sample-seed", "4", "--json", "--quiet")
    assert est.returncode == 0, est.stderr
    doc = json.loads(est.stdout)
    assert doc["kind"] == "estimate" and doc["samples"] == 300
    assert doc["ci_low"] <= doc["sample_accuracy"] <= doc["ci_high"]
    text = _run(tmp_path, "accuracy", str(w), "--samples", "300", "--sample-seed", "4", "--quiet")
    assert text.returncode == 0 and "ESTIMATE, not certified" in text.stdout
    assert f"{doc['sample_correct']}/300" in text.stdout

    import torch

    from mechproof.config import named_config
    from mechproof.weights import from_torch, save

    cfg = named_config("k10")
    g = torch.Generator().manual_seed(0)
    tensors = {k: torch.randn(s, generator=g) for k, s in cfg.tensor_shapes().items()}
    save(from_torch(cfg, tensors), tmp_path / "big.json")
    big = _run(tmp_path, "accuracy", "big.json", "--quiet")
    assert big.returncode == 2 and "--samples" in big.stderr
