"""The Coq files of the committed certificates (python/mechproof/coqgen.py, coq/Certificates/): their data are the
JSON files' numbers, read back by an independent reader (tests/coq_reader.py) and compared value by value; they
state the right hashes; they are current (regenerating gives the same bytes); and a tampered weight or claim changes
them. `make coq` then runs the Coq checker on them in the kernel (coq/Check.v)."""

from __future__ import annotations

import hashlib
import json
import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from coq_reader import certificate, definitions, weights

from mechproof import coqgen

ROOT = Path(__file__).resolve().parents[1]
CERTS = [p for p in coqgen.find_certificates(ROOT) if coqgen.coq_supports(p)]


def test_every_supported_certificate_has_a_file_and_no_other_file_is_generated():
    assert {p.name for p in CERTS} == {"cubic.json", "cubic-residual.json"}
    want = {coqgen.coq_path(p) for p in CERTS}
    got = {p for p in (ROOT / coqgen.COQ_CERT_DIR).glob("*.v")}
    assert got == want
    project = (ROOT / coqgen.PROJECT_FILE).read_text()
    listed = project.split(coqgen.PROJECT_MARKER)[1].split()
    assert listed == [f"Certificates/{coqgen.coq_path(p).name}" for p in CERTS]


@pytest.mark.parametrize("cert", CERTS, ids=lambda p: p.name)
def test_generated_file_is_current(cert):
    assert coqgen.coq_path(cert).read_text() == coqgen.render_file(cert)


@lru_cache(maxsize=None)
def _env(cert: Path) -> dict:
    """The definitions of the certificate's committed Coq file, read back."""
    return definitions(coqgen.coq_path(cert).read_text())


def _weights_doc(cert: Path) -> dict:
    return json.loads((cert.parent / json.loads(cert.read_text())["model"]["weights"]).read_text())


@pytest.mark.parametrize("cert", CERTS, ids=lambda p: p.name)
def test_data_are_the_json_numbers(cert):
    env = _env(cert)
    cdoc, wdoc = json.loads(cert.read_text()), _weights_doc(cert)
    w = weights(env)
    assert w["config"] == wdoc["config"]
    for name, t in w["tensors"].items():
        assert t["exponent"] == wdoc["tensors"][name]["exponent"], name
        assert t["mantissas"] == wdoc["tensors"][name]["mantissas"], name
    c = certificate(env)
    assert (c["version"], c["config"], c["strategy"]) == (cdoc["version"], cdoc["config"], cdoc["strategy"]["name"])
    assert c["bound"] == cdoc["bound"]
    claims = cdoc["claims"]
    assert c["claims"]["inv_sqrt_d_head"] == {k: claims["inv_sqrt_d_head"][k] for k in ("lo", "hi", "exp")}
    for claim in ("exp_eqke", "exp_eqkp"):
        assert c["claims"][claim] == {k: claims[claim][k] for k in ("of", "exp", "lo", "hi")}, claim
    assert c["claims"]["cases"]["entries"] == claims["cases"]["entries"]
    assert c["claims"].get("residual") == (None if "residual" not in claims else {"inputs": claims["residual"]["inputs"]})
    want_wrong = None if "wrong" not in claims else {k: claims["wrong"][k] for k in ("inputs", "witness")}
    assert c["claims"].get("wrong") == want_wrong


@pytest.mark.parametrize("cert", CERTS, ids=lambda p: p.name)
def test_file_states_both_hashes(cert):
    text = coqgen.coq_path(cert).read_text()
    env = _env(cert)
    wfile = cert.parent / json.loads(cert.read_text())["model"]["weights"]
    assert env["certificate_sha256"] == hashlib.sha256(cert.read_bytes()).hexdigest()
    payload = json.loads(wfile.read_text())["payload_sha256"]
    assert env["weights_payload_sha256"] == payload == json.loads(cert.read_text())["model"]["sha256"]
    assert f"sha256 {hashlib.sha256(wfile.read_bytes()).hexdigest()}" in text
    assert "Theorem checked : CheckB.check W C = true." in text


@pytest.fixture
def project(tmp_path):
    """A copy of the project's certificates and coq/_CoqProject (what coqgen reads)."""
    shutil.copytree(ROOT / "certificates", tmp_path / "certificates")
    (tmp_path / "coq").mkdir()
    shutil.copy(ROOT / coqgen.PROJECT_FILE, tmp_path / coqgen.PROJECT_FILE)
    return tmp_path


def _tamper(path: Path, edit) -> None:  # noqa: ANN001
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def test_tampered_weight_or_claim_changes_the_data(project):
    cert = project / "certificates" / "seed42" / "cubic.json"
    honest = definitions(coqgen.render_file(cert))

    def weight(doc: dict) -> None:
        doc["tensors"]["W_Q"]["mantissas"][5] += 1

    _tamper(cert.parent / "weights.json", weight)
    env = definitions(coqgen.render_file(cert))
    assert weights(env)["tensors"]["W_Q"]["mantissas"][5] == weights(honest)["tensors"]["W_Q"]["mantissas"][5] + 1
    shutil.copy(ROOT / "certificates/seed42/weights.json", cert.parent / "weights.json")

    def claim(doc: dict) -> None:
        doc["claims"]["exp_eqke"]["hi"][3][7] -= 1
        doc["claims"]["cases"]["entries"][10][3] = 5

    _tamper(cert, claim)
    env = definitions(coqgen.render_file(cert))
    c, h = certificate(env)["claims"], certificate(honest)["claims"]
    assert c["exp_eqke"]["hi"][3][7] == h["exp_eqke"]["hi"][3][7] - 1
    assert c["cases"]["entries"][10][3] == 5 != h["cases"]["entries"][10][3]
    assert env["certificate_sha256"] != honest["certificate_sha256"]


def test_regenerate_all_writes_lists_and_removes(project):
    written, removed = coqgen.regenerate_all(project)
    assert sorted(p.name for p in written) == ["Seed42Cubic.v", "Seed42CubicResidual.v"]
    assert not removed
    stale = project / coqgen.COQ_CERT_DIR / "Seed42Gone.v"
    stale.write_text(f"(* {coqgen.GENERATED_MARKER} from certificates/seed42/gone.json. *)\n")
    mine = project / coqgen.COQ_CERT_DIR / "Handwritten.v"
    mine.write_text("(* not generated *)\n")
    (project / "certificates" / "seed42" / "cubic-residual.json").unlink()
    written, removed = coqgen.regenerate_all(project)
    assert [p.name for p in written] == ["Seed42Cubic.v"]
    assert sorted(p.name for p in removed) == ["Seed42CubicResidual.v", "Seed42Gone.v"]
    assert mine.is_file()
    listed = (project / coqgen.PROJECT_FILE).read_text().split(coqgen.PROJECT_MARKER)[1].split()
    assert listed == ["Certificates/Seed42Cubic.v"]


def test_unsupported_certificates_are_refused_with_a_reason(project):
    sub = project / "certificates" / "seed42" / "subcubic-mx-avg-exact.json"
    assert not coqgen.coq_supports(sub)
    with pytest.raises(coqgen.UnsupportedInCoq, match="subcubic"):
        coqgen.render_file(sub)
    cert = project / "certificates" / "seed42" / "cubic.json"
    _tamper(cert, lambda d: d["model"].update(sha256="0" * 64))
    with pytest.raises(coqgen.CoqGenError, match="payload_sha256"):
        coqgen.render_file(cert)
