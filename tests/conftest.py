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
    from mechproof.strategies import STRATEGIES

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
    from mechproof.bruteforce import brute_force

    verdicts = brute_force(seed42, progress=False, keep_verdicts=True).verdicts  # [t_0, …, t_{n-1}]
    return verdicts.transpose(tuple(reversed(range(verdicts.ndim)))).reshape(-1)  # t_0 fastest
