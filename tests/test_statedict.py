"""TransformerLens state dicts in and out."""

from __future__ import annotations

import pytest
import torch

from mechproof.errors import InputError
from mechproof.statedict import export_state_dict, import_state_dict


@pytest.mark.parametrize("suffix", [".safetensors", ".pt"])
def test_round_trip_is_exact(tmp_path, seed42, suffix):
    p = tmp_path / f"m{suffix}"
    export_state_dict(seed42, p)
    back = import_state_dict(p)
    assert back.sha256 == seed42.sha256 and back.cfg == seed42.cfg


def test_paper_checkpoint_wrapper_and_tl_buffers_are_accepted(tmp_path, seed42):
    p = tmp_path / "m.pt"
    export_state_dict(seed42, p)
    sd = torch.load(p, weights_only=True)
    sd["blocks.0.attn.mask"] = torch.ones(4, 4, dtype=torch.bool)
    sd["blocks.0.attn.IGNORE"] = torch.tensor(-1e5)
    torch.save({"model": sd, "wandb_id": None}, tmp_path / "wrapped.pth")
    assert import_state_dict(tmp_path / "wrapped.pth").sha256 == seed42.sha256


@pytest.mark.parametrize(
    "edit, field",
    [
        (lambda sd: sd["unembed.b_U"].add_(1.0), "unembed.b_U"),
        (lambda sd: sd.pop("embed.W_E"), "embed.W_E"),
        (lambda sd: sd.__setitem__("blocks.0.mlp.W_in", torch.zeros(3)), "blocks.0.mlp.W_in"),
        (lambda sd: sd.__setitem__("blocks.0.attn.W_Q", torch.zeros(2, 32, 16)), "blocks.0.attn.W_Q"),
        (lambda sd: sd["embed.W_E"].__setitem__((0, 0), float("nan")), "W_E"),
    ],
    ids=["bias", "missing", "mlp", "two-heads", "nan"],
)
def test_bad_state_dicts_are_refused(tmp_path, seed42, edit, field):
    p = tmp_path / "m.pt"
    export_state_dict(seed42, p)
    sd = torch.load(p, weights_only=True)
    edit(sd)
    torch.save(sd, p)
    with pytest.raises(InputError) as ei:
        import_state_dict(p)
    assert field in str(ei.value)
