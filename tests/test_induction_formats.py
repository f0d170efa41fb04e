"""Weights version 2 and certificates version 3 name their task (docs/certificate.md §1, §3, §11.2); the loaders
are strict about it, and Max-of-K's version-1/2 files keep their meaning and their bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from induction_fixtures import model, write

from mechproof import weights as weights_io
from mechproof.certificate import dumps_certificate, load_certificate
from mechproof.checker import ClaimFailure, check
from mechproof.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SEED42 = ROOT / "certificates" / "seed42"


def test_max_of_k_files_keep_their_bytes_and_hashes():
    for path in sorted(SEED42.glob("*.json")):
        if path.name == "weights.json":
            w = weights_io.load(path)
            assert w.task == "maxk" and weights_io.dumps(w) == path.read_text()
        else:
            cert, _ = load_certificate(path)
            assert cert.task is None and cert.task_name == "maxk"
            assert dumps_certificate(cert) == path.read_text()


def test_a_max_of_k_weights_file_may_name_its_task_in_version_2(tmp_path):
    doc = json.loads((SEED42 / "weights.json").read_text())
    doc = {"format": doc["format"], "version": 2, "task": "maxk", **{k: v for k, v in doc.items() if k not in ("format", "version")}}
    (tmp_path / "w.json").write_text(json.dumps(doc))
    assert weights_io.load(tmp_path / "w.json").sha256 == weights_io.load(SEED42 / "weights.json").sha256


def test_a_max_of_k_certificate_may_name_its_task_in_version_3(tmp_path):
    doc = json.loads((SEED42 / "cubic.json").read_text())
    doc["version"], doc["task"] = 3, "maxk"
    (tmp_path / "weights.json").write_bytes((SEED42 / "weights.json").read_bytes())
    (tmp_path / "cubic.json").write_text(json.dumps(doc))
    assert check(tmp_path / "cubic.json").correct == check(SEED42 / "cubic.json").correct


def test_induction_weights_round_trip(tmp_path):
    w = model()
    weights_io.save(w, tmp_path / "w.json")
    text = (tmp_path / "w.json").read_text()
    doc = json.loads(text)
    assert (doc["version"], doc["task"]) == (2, "induction")
    assert list(doc["tensors"])[2] == "blocks.0.attn.W_Q" and len(doc["tensors"]) == 11
    back = weights_io.load(tmp_path / "w.json")
    assert back.sha256 == w.sha256 and back.cfg == w.cfg and weights_io.dumps(back) == text


BAD_WEIGHTS = {
    "no task": (lambda d: d.pop("task"), "task"),
    "unknown task": (lambda d: d.__setitem__("task", "sorting"), "task"),
    "task as v1": (lambda d: d.__setitem__("version", 1), "'task'"),
    "max-of-k tensors": (lambda d: d.__setitem__("task", "maxk"), "tensors"),
    "missing layer": (lambda d: d["tensors"].pop("blocks.1.attn.W_O"), "tensors.blocks.1.attn.W_O"),
    "bad d_head": (lambda d: d["config"].__setitem__("d_head", 8), "config"),
    "shape": (lambda d: d["tensors"]["blocks.0.attn.W_V"].__setitem__("shape", [1, 8, 5]), "tensors.blocks.0.attn.W_V.shape"),
}


@pytest.mark.parametrize("kind", sorted(BAD_WEIGHTS))
def test_malformed_induction_weights_name_the_field(tmp_path, kind):
    doc = json.loads(weights_io.dumps(model()))
    mutate, field = BAD_WEIGHTS[kind]
    mutate(doc)
    (tmp_path / "w.json").write_text(json.dumps(doc))
    with pytest.raises(InputError) as ei:
        weights_io.load(tmp_path / "w.json")
    assert (ei.value.field or "").startswith(field), str(ei.value)


@pytest.fixture(scope="module")
def cert(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("fmt"), upper=True)


def _edited(cert: Path, tmp_path: Path, edit) -> Path:  # noqa: ANN001
    doc = json.loads(cert.read_text())
    edit(doc)
    (tmp_path / "weights.json").write_bytes((cert.parent / "weights.json").read_bytes())
    out = tmp_path / cert.name
    out.write_text(json.dumps(doc))
    return out


BAD_CERTS = {
    "no task": (lambda d: d.pop("task"), "task"),
    "unknown task": (lambda d: d.__setitem__("task", "sorting"), "task"),
    "as version 2": (lambda d: d.__setitem__("version", 2), "task"),
    "max-of-k strategy": (lambda d: d["strategy"].__setitem__("name", "cubic"), "strategy.name"),
    "params": (lambda d: d["strategy"].__setitem__("params", {}), "strategy.params.depth"),
    "extra param": (lambda d: d["strategy"]["params"].__setitem__("x", 1), "strategy.params.x"),
    "rule": (lambda d: d["claims"]["cases"].__setitem__("rule", "cubic-prefix"), "claims.cases.rule"),
    "bound range": (lambda d: d["claims"]["cases"]["entries"][0][4][0][1].__setitem__(0, 1 << 26), "claims.cases.entries"),
    "float bound": (lambda d: d["claims"]["cases"]["entries"][0][4][0][1].__setitem__(0, 0.5), "claims.cases.entries"),
    "extra claim": (lambda d: d["claims"].__setitem__("choices", {}), "claims.choices"),
    "config": (lambda d: d["config"].__setitem__("d_head", 8), "config"),
    "upper without wrong": (lambda d: d["claims"].pop("wrong"), "bound.upper"),
    "wrong without upper": (lambda d: d["bound"].pop("upper"), "bound.upper"),
}


@pytest.mark.parametrize("kind", sorted(BAD_CERTS))
def test_malformed_induction_certificates_name_the_field(cert, tmp_path, kind):
    mutate, field = BAD_CERTS[kind]
    with pytest.raises(InputError) as ei:
        check(_edited(cert, tmp_path, mutate))
    assert (ei.value.field or "").startswith(field), str(ei.value)


def test_weights_of_another_task_are_a_false_claim(cert, tmp_path):
    path = _edited(cert, tmp_path, lambda d: None)
    (tmp_path / "weights.json").write_bytes((SEED42 / "weights.json").read_bytes())
    doc = json.loads(path.read_text())
    doc["model"]["sha256"] = weights_io.load(SEED42 / "weights.json").sha256
    path.write_text(json.dumps(doc))
    with pytest.raises(ClaimFailure) as ei:
        check(path)
    assert ei.value.claim_id == "task"
