"""Training is deterministic and learns the task."""

from __future__ import annotations

import math

import pytest

from mechproof import weights as weights_io
from mechproof.config import ModelConfig, TrainConfig
from mechproof.errors import InputError
from mechproof.tasks.maxk.config import CONFIGS, UnknownConfig, config_name, named_config
from mechproof.tasks.maxk.models import load_or_train, parse_name, train_and_save, trainable_name
from mechproof.tasks.maxk.training import train
from mechproof.training import derived_seed


@pytest.mark.slow
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


@pytest.mark.slow
def test_small_model_learns_max():
    cfg = ModelConfig(d_vocab=8, n_ctx=3, d_model=8, d_head=8)
    res = train(cfg, TrainConfig(seed=3, steps=600), progress=False)
    assert res.final_batch_accuracy > 0.9


# ------------------------------------------------------------------------------------------ named configurations
SHORT = TrainConfig(steps=20)


def test_named_configs_are_the_papers():
    # docs/paper.md §1: (K, V) and trainable parameters 64·V + 32·K + 4·32²
    spec = {"k4": (4, 64, 8320), "k5": (5, 64, 8352), "k10": (10, 64, 8512), "k20": (20, 64, 8832),
            "k10v128": (10, 128, 12608), "k20v512": (20, 512, 37504)}  # fmt: skip
    assert list(CONFIGS) == list(spec)
    for name, (k, v, params) in spec.items():
        cfg = named_config(name)
        assert (cfg.n_ctx, cfg.d_vocab, cfg.d_model, cfg.d_head) == (k, v, 32, 32)
        assert sum(math.prod(s) for s in cfg.tensor_shapes().values()) == params
        assert config_name(cfg) == name
    assert named_config("k4") == ModelConfig()
    with pytest.raises(UnknownConfig, match="k4, k5, k10, k20, k10v128, k20v512"):
        named_config("k7")


def test_model_names_carry_the_config():
    assert trainable_name(50) == "seed50" and trainable_name(50, "k10v128") == "k10v128-seed50"
    assert parse_name("seed50") == ("k4", 50) and parse_name("models/k10v128-seed50.json") == ("k10v128", 50)
    assert parse_name("mine") is None and parse_name("k7-seed1", strict=False) is None
    with pytest.raises(InputError, match="seed3, without a prefix"):
        parse_name("k4-seed3")
    with pytest.raises(InputError, match="k10v128"):
        parse_name("k7-seed1")


def test_on_demand_training_uses_the_named_config_and_mismatches_are_errors(tmp_path):
    w, path, trained = load_or_train("k5-seed3", progress=False, models_dir=tmp_path, tcfg=SHORT)
    assert trained and path == tmp_path / "k5-seed3.json" and w.cfg == named_config("k5") and w.seed == 3
    again, _, trained = load_or_train("k5-seed3", progress=False, models_dir=tmp_path, tcfg=SHORT)
    assert not trained and again.sha256 == w.sha256
    for wrong_name, fld in (("k10-seed3", "config"), ("seed3", "config"), ("k5-seed4", "seed")):
        (tmp_path / f"{wrong_name}.json").write_bytes(path.read_bytes())
        with pytest.raises(InputError) as e:
            load_or_train(wrong_name, progress=False, models_dir=tmp_path, tcfg=SHORT)
        assert e.value.field == fld and (tmp_path / f"{wrong_name}.json").read_bytes() == path.read_bytes()
    with pytest.raises(InputError, match="k20v512"):
        load_or_train("k6-seed1", progress=False, models_dir=tmp_path)


@pytest.mark.parametrize("name", ["k10v128", "k20v512"])
def test_larger_configs_train_deterministically(tmp_path, name):
    cfg = named_config(name)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    train_and_save(5, a, cfg=cfg, progress=False, tcfg=SHORT)
    train_and_save(5, b, cfg=cfg, progress=False, tcfg=SHORT)
    assert a.read_bytes() == b.read_bytes()
    assert weights_io.load(a).cfg == cfg


@pytest.mark.slow
def test_max_of_10_learns_from_the_recipe():
    res = train(named_config("k10"), TrainConfig(seed=1, steps=400), progress=False)
    # always answering 63 is right for 1 − (63/64)^10 ≈ 15% of the inputs
    assert res.final_batch_accuracy > 0.8


@pytest.mark.slow
def test_fused_optimizer_step_gives_the_same_bytes_as_the_per_tensor_loop(monkeypatch):
    """training.py updates all tensors in one foreach AdamW step (for speed); it must train exactly the model the
    per-tensor loop trains, bit for bit, or the committed seeds' weights would silently change."""
    import torch

    from mechproof.config import ModelConfig, TrainConfig
    from mechproof.tasks.maxk.training import train

    cfg, tcfg = ModelConfig(d_vocab=16, n_ctx=4, d_model=16, d_head=16), TrainConfig(seed=3, steps=300)
    fused = train(cfg, tcfg, progress=False).model.named_tensors()
    original = torch.optim.AdamW

    def per_tensor(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        kwargs["foreach"] = False
        return original(*args, **kwargs)

    monkeypatch.setattr(torch.optim, "AdamW", per_tensor)
    loop = train(cfg, tcfg, progress=False).model.named_tensors()
    assert all(torch.equal(fused[k], loop[k]) for k in fused)
