"""TransformerLens state dicts in and out."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechproof.errors import InputError
from mechproof.tasks.maxk.statedict import export_state_dict, import_state_dict, import_with_conversions


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
    with pytest.raises(InputError) as ei:
        import_state_dict(_edited(tmp_path, seed42, edit))
    assert field in str(ei.value)


def _edited(tmp_path, seed42, edit) -> Path:  # noqa: ANN001
    """seed42 exported as a .pt state dict, after `edit(sd)`."""
    p = tmp_path / "m.pt"
    export_state_dict(seed42, p)
    sd = torch.load(p, weights_only=True)
    edit(sd)
    torch.save(sd, p)
    return p


def _nudge(sd) -> None:  # noqa: ANN001 - W_E as float64, one value 1e-12 off its float32
    sd["embed.W_E"] = sd["embed.W_E"].double()
    sd["embed.W_E"][0, 0] += 1e-12


def test_values_that_are_not_float32_are_refused(tmp_path, seed42):
    with pytest.raises(InputError) as ei:
        import_state_dict(_edited(tmp_path, seed42, _nudge))
    e = ei.value
    assert e.field == "embed.W_E"
    assert "1 of 2048 float64 values" in e.message and "error 1e-12 at [0, 0]" in e.message
    assert "--round-to-float32" in e.message
    big = lambda sd: sd.__setitem__("unembed.W_U", torch.full((32, 64), 2**40 + 1, dtype=torch.int64))  # noqa: E731
    with pytest.raises(InputError, match=r"unembed.W_U: 2048 of 2048 int64 values .* error 1 at \[0, 0\]"):
        import_state_dict(_edited(tmp_path, seed42, big))


def test_round_to_float32_rounds_reports_and_records(tmp_path, seed42):
    x = float(seed42.to_torch()["W_E"][0, 0])
    w, conversions = import_with_conversions(_edited(tmp_path, seed42, _nudge), round_to_float32=True)
    assert w.sha256 == seed42.sha256  # 1e-12 is far below half an ulp of W_E[0,0]: it rounds back
    [c] = conversions
    assert (c.name, c.dtype, c.size, c.rounded, c.where) == ("embed.W_E", "float64", 2048, 1, (0, 0))
    assert c.max_error == (x + 1e-12) - x  # the exact float64 difference
    assert w.provenance["rounded_to_float32"] == {"embed.W_E": c.describe()}
    assert "1 of 2048 float64 values rounded" in c.describe()


@pytest.mark.parametrize(
    "dtype, values",
    [
        (torch.float64, lambda t: t.double()),
        (torch.float16, lambda t: t.half()),
        (torch.bfloat16, lambda t: t.bfloat16()),
        (torch.int64, lambda t: (t * 100).round().long()),
    ],
    ids=["float64", "float16", "bfloat16", "int64"],
)
def test_dtypes_that_convert_exactly_are_accepted(tmp_path, seed42, dtype, values):
    w_e = values(seed42.to_torch()["W_E"])
    assert w_e.dtype == dtype
    w, conversions = import_with_conversions(_edited(tmp_path, seed42, lambda sd: sd.__setitem__("embed.W_E", w_e)))
    assert [(c.name, c.dtype, c.rounded) for c in conversions] == [("embed.W_E", str(dtype)[6:], 0)]
    assert torch.equal(w.to_torch()["W_E"].double(), w_e.double())  # every value kept exactly
    assert "rounded_to_float32" not in w.provenance


@pytest.mark.parametrize(
    "value, dtype, message",
    [
        (float("nan"), torch.float64, r"NaN or Inf \(first at \[2, 3\]\)"),
        (float("-inf"), torch.float16, r"NaN or Inf \(first at \[2, 3\]\)"),
        (1e300, torch.float64, r"1e\+300 at \[2, 3\] is beyond the float32 range"),
        (1.0, torch.complex64, "got torch.complex64"),
    ],
    ids=["nan", "inf", "huge", "complex"],
)
def test_refused_even_with_round_to_float32(tmp_path, seed42, value, dtype, message):
    def edit(sd):  # noqa: ANN001
        t = sd["unembed.W_U"].to(dtype)
        t[2, 3] = value
        sd["unembed.W_U"] = t

    with pytest.raises(InputError, match="unembed.W_U: .*" + message):
        import_state_dict(_edited(tmp_path, seed42, edit), round_to_float32=True)


@pytest.mark.parametrize(
    "name, shape, expected, why",
    [
        ("blocks.0.attn.W_Q", (1, 32, 16), [1, 32, 32], "d_head is 32"),
        ("blocks.0.attn.W_O", (1, 16, 32), [1, 32, 32], "d_head is 32"),
        ("embed.W_E", (64, 16), [64, 32], "d_model is 32"),
        ("pos_embed.W_pos", (4, 31), [4, 32], "d_model is 32"),
        ("unembed.W_U", (31, 64), [32, 64], "d_model is 32"),
    ],
)
def test_shape_errors_name_the_inconsistent_tensor(tmp_path, seed42, name, shape, expected, why):
    with pytest.raises(InputError) as ei:
        import_state_dict(_edited(tmp_path, seed42, lambda sd: sd.__setitem__(name, torch.zeros(shape))))
    assert ei.value.field == name
    assert f"expected shape {expected}, got {list(shape)}" in ei.value.message and why in ei.value.message


def test_shape_disagreement_without_a_majority_names_both_tensors(tmp_path, seed42):
    with pytest.raises(InputError) as ei:
        import_state_dict(_edited(tmp_path, seed42, lambda sd: sd.__setitem__("unembed.W_U", torch.zeros(32, 65))))
    assert ei.value.field == "embed.W_E/unembed.W_U"
    assert "disagree on d_vocab" in ei.value.message and "[32, 65]" in ei.value.message


def test_config_out_of_range_names_the_tensor(tmp_path, seed42):
    def one_token(sd):  # noqa: ANN001
        sd["embed.W_E"], sd["unembed.W_U"] = torch.zeros(1, 32), torch.zeros(32, 1)

    with pytest.raises(InputError, match=r"embed.W_E: shape \[1, 32\] gives d_vocab = 1"):
        import_state_dict(_edited(tmp_path, seed42, one_token))


def _non_tensor_checkpoint(path: Path) -> None:
    import argparse

    torch.save({"args": argparse.Namespace(lr=1e-3)}, path)  # weights_only=True refuses to build the object


@pytest.mark.parametrize(
    "name, write, message",
    [
        ("notes.pt", lambda p: p.write_text("# notes\nnot a model\n"), "not a torch.save file"),
        ("readme.pth", lambda p: p.write_text("W_E = 1\n"), "not a torch.save file"),
        ("damaged.pt", lambda p: p.write_bytes(b"PK\x03\x04garbage"), "a damaged torch.save file (PytorchStreamReader"),
        ("args.pt", _non_tensor_checkpoint, "holds objects other than tensors, which mechproof does not load (Unsupported global"),
        ("notes.safetensors", lambda p: p.write_text("# notes\n" * 100), "not a safetensors file (Error while deserializing header"),
    ],
)
def test_an_unreadable_file_is_one_line_without_terminal_codes(tmp_path, name, write, message):
    """torch's own message runs over several lines, with ANSI colour codes and advice about trusting the file."""
    write(tmp_path / name)
    with pytest.raises(InputError) as e:
        import_state_dict(tmp_path / name)
    text = str(e.value)
    assert text.startswith(f"{tmp_path / name}: {message}"), text
    assert text.isprintable() and "\x1b" not in text and "weights_only" not in text and len(text) < 300, text


@pytest.mark.parametrize("suffix", [".npz", ".json", ""])
def test_export_refuses_a_suffix_that_names_no_format(tmp_path, seed42, suffix):
    with pytest.raises(InputError, match="expected one of .pt, .pth, .safetensors"):
        export_state_dict(seed42, tmp_path / f"m{suffix}")
    assert list(tmp_path.iterdir()) == []


def test_pth_is_torch_save_format(tmp_path, seed42):
    export_state_dict(seed42, tmp_path / "m.pth")
    assert (tmp_path / "m.pth").read_bytes()[:4] == b"PK\x03\x04"
    assert import_state_dict(tmp_path / "m.pth").sha256 == seed42.sha256


@pytest.fixture(scope="module")
def good_files(tmp_path_factory, seed42):
    d = tmp_path_factory.mktemp("good")
    for suffix in (".pt", ".safetensors"):
        export_state_dict(seed42, d / f"m{suffix}")
    return {suffix: (d / f"m{suffix}").read_bytes() for suffix in (".pt", ".safetensors")}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from([".pt", ".safetensors"]), cut=st.integers(0, 10**6), edits=st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=12), junk=st.binary(max_size=64))
def test_a_damaged_file_is_refused_in_one_line_and_quietly(tmp_path, good_files, suffix, cut, edits, junk):
    """Any truncation, byte edits or appended junk of a good file: imported, or refused with one printable line;
    never another exception, and no library warning on stderr."""
    import warnings

    data = bytearray(good_files[suffix][: cut % (len(good_files[suffix]) + 1)]) + junk
    for at, value in edits:
        if data:
            data[at % len(data)] = value
    path = tmp_path / f"damaged{suffix}"
    path.write_bytes(bytes(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            import_state_dict(path)
        except InputError as e:
            assert str(e).isprintable() and len(str(e)) < len(str(path)) + 250, str(e)
    assert not [w for w in caught if "torch" in str(w.filename)], [str(w.message) for w in caught]
