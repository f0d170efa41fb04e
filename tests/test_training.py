"""Training is deterministic and learns the task."""

from __future__ import annotations

from mechproof import weights as weights_io
from mechproof.config import ModelConfig, TrainConfig
from mechproof.modelstore import train_and_save
from mechproof.training import derived_seed, train


def test_same_seed_same_bytes_different_seed_different(tmp_path):
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    train_and_save(42, a, progress=False)
    train_and_save(42, b, progress=False)
    train_and_save(43, c, progress=False)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert weights_io.load(a).sha256 != weights_io.load(c).sha256


def test_derived_seeds_differ_per_purpose():
    assert derived_seed(1, "model") != derived_seed(1, "data")
    assert derived_seed(1, "model") != derived_seed(2, "model")
    assert derived_seed(5, "data") == derived_seed(5, "data")


def test_small_model_learns_max():
    cfg = ModelConfig(d_vocab=8, n_ctx=3, d_model=8, d_head=8)
    res = train(cfg, TrainConfig(seed=3, steps=600), progress=False)
    assert res.final_batch_accuracy > 0.9
