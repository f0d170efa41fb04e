import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mechproof import weights as weights_io  # noqa: E402

SEED42 = ROOT / "certificates" / "seed42" / "weights.json"


@pytest.fixture(scope="session")
def seed42():
    """The committed seed-42 weights (exact)."""
    return weights_io.load(SEED42)


def write_certificate(w, out_dir: Path, strategy: str = "cubic") -> Path:
    """Prove `w` with a strategy and write weights.json + <strategy>.json into out_dir (checked)."""
    from mechproof.certify import build_certificate, write_proven
    from mechproof.tasks.maxk.strategies import STRATEGIES

    out_dir.mkdir(parents=True, exist_ok=True)
    weights_io.save(w, out_dir / "weights.json")
    proof = STRATEGIES[strategy].run(w)
    path = out_dir / f"{proof.file_stem}.json"
    write_proven(build_certificate(w, proof), path)
    return path


@pytest.fixture(scope="session")
def tiny_cert(tmp_path_factory):
    """A cubic certificate of a quickly trained V=8, n=3 model (checked), as a pristine template."""
    from mechproof.config import ModelConfig
    from reference import small_model

    w = small_model(ModelConfig(d_vocab=8, n_ctx=3, d_model=8, d_head=8), seed=1, steps=600)
    return write_certificate(w, tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def seed42_cert(tmp_path_factory, seed42):
    return write_certificate(seed42, tmp_path_factory.mktemp("seed42"))


@pytest.fixture(scope="session")
def seed42_right(seed42):
    """Brute force's verdict (right?) for every seed-42 input, indexed by x = Σ_p t_p·64^p (slow: run once)."""
    from mechproof.tasks.maxk.bruteforce import brute_force

    verdicts = brute_force(seed42, progress=False, keep_verdicts=True).verdicts  # [t_0, …, t_{n-1}]
    return verdicts.transpose(tuple(reversed(range(verdicts.ndim)))).reshape(-1)  # t_0 fastest


def as_version_1(cert_path: Path, out_dir: Path) -> Path:
    """A version-2 cubic certificate re-encoded as version 1 (`cubic-case`: every G listed), with the token sets
    the checker derives from the boundary tokens: the same claims in the older encoding."""
    import json

    from mechproof.checker.audit import cubic_case_sets

    doc = json.loads(cert_path.read_text())
    assert doc["version"] == 2 and doc["claims"]["cases"]["rule"] == "cubic-prefix"
    sets = cubic_case_sets(cert_path)
    entries = [[q, m, c, sorted(sets[(q, m, c)]) if c else [m]] for q, m, c, *_ in doc["claims"]["cases"]["entries"]]
    doc["version"] = 1
    doc["claims"]["cases"] = {"rule": "cubic-case", "entries": entries}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "weights.json").write_bytes((cert_path.parent / "weights.json").read_bytes())
    path = out_dir / "cubic.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture(scope="session")
def tiny_cert_v1(tiny_cert, tmp_path_factory):
    """The tiny cubic certificate in format version 1 (G listed), for the version-1 rules' tests."""
    return as_version_1(tiny_cert, tmp_path_factory.mktemp("tiny_v1"))
