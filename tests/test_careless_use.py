"""The command line used carelessly, as a new user would: a path for a name, a folder for a file, a suffix that
names no format, a mistyped strategy, a model beyond brute force, the README's commands in a checkout. Every
case ends in exit 0, 1 or 2 with a message that says what to do, and writes nothing outside the named places."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechproof.cli import app

ROOT = Path(__file__).resolve().parents[1]
SEED42 = ROOT / "certificates" / "seed42"


def _invoke(*args: str):  # noqa: ANN202
    return CliRunner().invoke(app, list(args))


def _listing(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("args", [
    ("certify", "seed7.json", "--no-lean", "--quiet"),
    ("certify", "models/seed7.json", "--no-lean", "--quiet"),
    ("accuracy", "seed7.json", "--quiet"),
    ("accuracy", "k10-seed7.json", "--quiet"),
])
def test_a_missing_path_is_an_error_never_a_model_to_train(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    res = _invoke(*args)
    assert res.exit_code == 2, res.output
    assert f"error: {args[1]}: no such weights file" in res.stderr and "without .json" in res.stderr
    assert list(tmp_path.iterdir()) == []  # nothing trained, nothing written


@pytest.mark.parametrize("args, expected", [
    (("audit", "seed42", "--claim", "bound"), "seed42: is a folder; expected a certificate file, e.g. seed42/cubic"),
    (("certify", "seed42/", "--no-lean", "--quiet"), "seed42: is a folder; expected a weights file, e.g. seed42/weights.json"),
    (("accuracy", "./seed42", "--quiet"), "seed42: is a folder; expected a weights file, e.g. seed42/weights.json"),
    (("import-weights", "seed42", "--out", "m.json"), "seed42: is a folder; expected a state dict file"),
    (("explain", "seed42", "--quiet"), "seed42: is a folder; expected a certificate file"),
])
def test_an_existing_folder_is_called_a_folder(tmp_path, monkeypatch, args, expected):
    shutil.copytree(SEED42, tmp_path / "seed42")
    before = _listing(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = _invoke(*args)
    assert res.exit_code == 2, res.output
    assert expected in res.stderr and "no such" not in res.stderr
    assert _listing(tmp_path) == before


def test_a_weights_file_without_suffix_certifies_below_the_root(tmp_path, monkeypatch):
    """`certify /abs/path/mine` writes out/certificates/mine/, not into /abs/path/mine (a file: it was refused)."""
    shutil.copy(SEED42 / "weights.json", tmp_path / "mine")
    monkeypatch.chdir(tmp_path)
    res = _invoke("certify", str(tmp_path / "mine"), "--no-lean", "--no-brute", "--quiet")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "certificates" / "mine" / "cubic.json").is_file()


def test_a_bare_name_is_a_name_even_beside_a_folder_of_that_name(tmp_path, monkeypatch):
    """`accuracy seed42` in a folder holding seed42/ means the model seed42, and says how to mean the folder."""
    (tmp_path / "foo").mkdir()
    monkeypatch.chdir(tmp_path)
    res = _invoke("accuracy", "foo", "--quiet")
    assert res.exit_code == 2 and "models/foo.json: no such model file" in res.stderr and "./foo" in res.stderr


def test_a_state_dict_given_as_a_model_says_how_to_import_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _invoke("export-weights", str(SEED42 / "weights.json"), "--out", "m.pt").exit_code == 0
    res = _invoke("certify", "m.pt", "--no-lean", "--quiet")
    assert res.exit_code == 2 and "m.pt: a state dict, not a weights file" in res.stderr
    assert "mechproof import-weights m.pt --out models/m.json" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]


@pytest.mark.parametrize("name", ["x.npz", "x", "x.json"])
def test_export_refuses_a_suffix_that_names_no_state_dict_format(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    res = _invoke("export-weights", str(SEED42 / "weights.json"), "--out", name)
    assert res.exit_code == 2 and f"{name}: --out:" in res.stderr and ".pt, .pth, .safetensors" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_state_dict_is_one_clean_line(tmp_path, monkeypatch):
    (tmp_path / "notes.pt").write_text("# some notes\nnot a model\n")
    monkeypatch.chdir(tmp_path)
    res = _invoke("import-weights", "notes.pt", "--out", "m.json")
    assert res.exit_code == 2
    assert res.stderr == "error: notes.pt: not a torch.save file (expected the zip archive or pickle that torch.save writes)\n"
    assert not (tmp_path / "m.json").exists()


def test_a_mistyped_strategy_gets_close_names_not_all_of_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = _invoke("certify", "seed42", "--strategy", "cubicc")
    assert res.exit_code == 2
    assert "unknown strategy 'cubicc'; did you mean cubic?" in res.stderr and "mechproof strategies" in res.stderr
    assert len(res.stderr) < 200 and "subcubic-sq-drop-svd" not in res.stderr
    far = _invoke("certify", "seed42", "--strategy", "zzz")
    assert far.exit_code == 2 and "did you mean" not in far.stderr and "mechproof strategies" in far.stderr


def test_certify_beyond_brute_force_says_so_and_keeps_its_summary(tmp_path, monkeypatch):
    """A model with more than brute force's 2^36 inputs (here 8^13): the certificate is written and checked, the
    summary and --json say brute force is out of reach, exit 0 (it was exit 3 and no summary)."""
    import torch

    from mechproof.config import ModelConfig
    from mechproof.weights import from_torch, save

    cfg = ModelConfig(d_vocab=8, n_ctx=13, d_model=8, d_head=8)
    g = torch.Generator().manual_seed(0)
    save(from_torch(cfg, {k: 0.1 * torch.randn(s, generator=g) for k, s in cfg.tensor_shapes().items()}), tmp_path / "big.json")
    monkeypatch.chdir(tmp_path)
    res = _invoke("certify", "big.json", "--no-lean", "--quiet")
    assert res.exit_code == 0, res.output
    assert "certified bound" in res.stdout and "out of reach: 8^13 inputs" in res.stdout
    doc = json.loads(_invoke("certify", "big.json", "--no-lean", "--json").stdout)
    assert doc["brute_force"] is None and doc["brute_force_note"].startswith("out of reach: 8^13 inputs")
    assert doc["total"] == 8**13 and (tmp_path / doc["certificate"]).is_file()


def _make_dry_run(target: str, model: str) -> list[str]:
    """The mechproof command line `make <target> MODEL=<model>` runs (make -n: nothing is run)."""
    proc = subprocess.run(["make", "-n", target, f"MODEL={model}"], cwd=ROOT, capture_output=True, text=True, check=True)
    line = next(ln for ln in reversed(proc.stdout.splitlines()) if "/mechproof " in ln)
    return line.split("/mechproof ", 1)[1].split()


def test_make_train_and_certify_take_any_model_name(tmp_path, monkeypatch):
    import mechproof.tasks.maxk.models
    from mechproof.tasks.maxk.config import named_config

    trained = []

    def fake_train(seed, out, cfg=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
        trained.append((seed, cfg, out))
        raise SystemExit(0)  # stop once the command line has been understood

    monkeypatch.setattr(mechproof.tasks.maxk.models, "train_and_save", fake_train)
    monkeypatch.chdir(tmp_path)
    for target in ("train", "certify"):
        args = _make_dry_run(target, "k10-seed50")
        res = _invoke(*args)
        assert res.exit_code == 0, (args, res.output)
    assert trained == [(50, named_config("k10"), Path("models/k10-seed50.json"))] * 2


def test_train_takes_a_name_or_seed_and_config_not_both(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args, message in [
        (("train", "k10-seed50", "--seed", "3"), "not both"),
        (("train", "seed42.json"), "expected a name seedN or <config>-seedN"),
        (("train", "k9-seed1"), "unknown configuration 'k9'"),
    ]:
        res = _invoke(*args)
        assert res.exit_code == 2 and message in res.stderr, (args, res.output)
    assert list(tmp_path.iterdir()) == []


PYTHON_TYPES = re.compile(r"<(?:bool|str|int|float|path|Path|list\[[^>]*\]|int range|float range)>")


def test_help_names_values_plainly_and_keeps_brackets():
    commands = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    for name in commands:
        res = _invoke(name, "--help")
        assert res.exit_code == 0, name
        assert not PYTHON_TYPES.search(res.stdout), (name, PYTHON_TYPES.findall(res.stdout))
    assert "pip install -e '.[cluster]'" in _invoke("sweep", "--help").stdout
    audit = " ".join(_invoke("audit", "--help").stdout.split())
    assert "exp_eqke[q,k]" in audit and "case[q,m,c]/k" in audit
    assert "CERTIFICATES" in _invoke("check", "--help").stdout and "--threads INTEGER" in _invoke("certify", "--help").stdout


def test_strategies_legend_defines_each_code_once_per_part():
    from mechproof.tasks.maxk.strategies.subcubic import ATTENTION_OPTIONS, EUPU_OPTIONS, QK_OPTIONS

    lines = _invoke("strategies").stdout.splitlines()
    for part, options in (("eupu", EUPU_OPTIONS), ("attention", ATTENTION_OPTIONS), ("qk", QK_OPTIONS)):
        (line,) = [ln for ln in lines if ln.strip().startswith(f"{part}:")]
        codes = re.findall(r"(?:: |; )(\w+) = ", line)
        assert codes == list(options), (part, codes)
    for line in lines:
        codes = re.findall(r"(?:: |; )(\w+) = ", line)
        assert len(codes) == len(set(codes)), line


def _checkout(tmp_path: Path) -> Path:
    """A scratch checkout: the Lean project file, seed 42's committed certificate and its model."""
    (tmp_path / "lakefile.lean").write_text((ROOT / "lakefile.lean").read_text())
    (tmp_path / "certificates" / "seed42").mkdir(parents=True)
    for name in ("weights.json", "cubic.json"):
        shutil.copy(SEED42 / name, tmp_path / "certificates" / "seed42" / name)
    (tmp_path / "lean" / "Certificates").mkdir(parents=True)
    (tmp_path / "models").mkdir()
    shutil.copy(SEED42 / "weights.json", tmp_path / "models" / "seed42.json")
    return tmp_path


def test_certify_writes_to_out_and_compares_with_the_committed_certificate(tmp_path, monkeypatch):
    """The README's `mechproof certify seed42` leaves certificates/ and lean/Certificates/ as they were (git status
    stays clean), writes out/certificates/seed42/, and says whether the committed certificate is reproduced."""
    root = _checkout(tmp_path)
    tracked = {d: _listing(root / d) for d in ("certificates", "lean")}
    monkeypatch.chdir(root)
    res = _invoke("certify", "seed42", "--no-lean", "--no-brute", "--quiet")
    assert res.exit_code == 0, res.output
    assert {d: _listing(root / d) for d in tracked} == tracked
    assert (root / "out" / "certificates" / "seed42" / "cubic.json").read_bytes() == (SEED42 / "cubic.json").read_bytes()
    assert "certificates/seed42/cubic.json reproduced byte for byte" in res.stdout
    doc = json.loads(_invoke("certify", "seed42", "--no-lean", "--no-brute", "--json").stdout)
    assert doc["committed"] == {"path": "certificates/seed42/cubic.json", "match": "identical"}

    committed = root / "certificates" / "seed42" / "cubic.json"
    committed.write_bytes(committed.read_bytes() + b"\n")  # the same weights, other bytes: not reproduced
    res = _invoke("certify", "seed42", "--no-lean", "--no-brute", "--quiet")
    assert res.exit_code == 1 and "NOT REPRODUCED" in res.stdout

    weights = root / "certificates" / "seed42" / "weights.json"
    weights.write_bytes(weights.read_bytes() + b"\n")  # a committed certificate of other weights says nothing
    res = _invoke("certify", "seed42", "--no-lean", "--no-brute", "--quiet")
    assert res.exit_code == 0 and "is about other weights" in res.stdout


def test_lean_check_outside_certificates_runs_mechcheck_and_writes_no_module(tmp_path, monkeypatch):
    from mechproof import certify

    root = _checkout(tmp_path)
    out = root / "out" / "certificates" / "seed42"
    shutil.copytree(root / "certificates" / "seed42", out)
    runs = []

    def fake_run(args, cwd=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
        runs.append((args, cwd))
        return subprocess.CompletedProcess(args, 1 if "exe" in args and "bad" in args[-1] else 0, "", "")

    monkeypatch.setattr(certify.shutil, "which", lambda name: "/usr/bin/lake")
    monkeypatch.setattr(certify.subprocess, "run", fake_run)
    assert certify.lean_check(out / "cubic.json") == "checked by lake exe mechcheck"
    assert runs == [(["lake", "exe", "mechcheck", str((out / "cubic.json").resolve())], root.resolve())]
    assert list((root / "lean" / "Certificates").iterdir()) == []
    shutil.copy(out / "cubic.json", out / "bad.json")
    assert certify.lean_check(out / "bad.json").startswith("FAILED: lake exe mechcheck")
    runs.clear()
    assert certify.lean_check(root / "certificates" / "seed42" / "cubic.json") == "checked by lake build"
    assert runs == [(["lake", "build"], root.resolve())]
    assert [p.name for p in (root / "lean" / "Certificates").iterdir()] == ["Seed42Cubic.lean"]
