"""Shadow tests of lean/MechProof/Parse.lean, runnable without a Lean toolchain.

Each `lean_*` function below is the Lean definition of the same name written line by line in Python. A parsed JSON
value stands for `Lean.Json`: `lean_json_int` is `getInt?` (a JSON integer written without fraction or exponent:
`type(v) is int`, never a bool or a float), a dict is `Json.obj`, a list `Json.arr`. The text pre-scan works on the
raw bytes, as `scanText` does. They are compared with the Python checker's own parsers (jsonfile.read_json,
weights.parse, certificate.load_certificate) on the committed files and on thousands of mutated ones: both must
accept the same files and reject the same files (as malformed input). test_parse_text_is_current ties the
transliterations to the Lean text.
"""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path

import pytest

from mechproof import weights as weights_io
from mechproof.certificate import _weights_path, load_certificate
from mechproof.errors import InputError
from mechproof.jsonfile import MAX_DEPTH, loads
from test_lean_sources import lean_bitlen, lean_fits_float32

ROOT = Path(__file__).resolve().parents[1]
PARSE_LEAN = ROOT / "lean" / "MechProof" / "Parse.lean"
CERTS = ROOT / "certificates"


class LeanMalformed(Exception):
    """`CheckError.input`: malformed input (exit 2)."""

    def __init__(self, fld: str, what: str = "") -> None:
        super().__init__(f"{fld}: {what}")
        self.fld = fld


# ============================================================================== scanText (the raw text)
def lean_is_digit_byte(c: int) -> bool:
    return 48 <= c and c <= 57


def lean_scan_text(text: str) -> tuple[int, bool, bool]:
    """scanText: (deepest, exponentForm, longInteger)."""
    in_string = escaped = in_number = fraction = False
    digits = depth = deepest = 0
    exponent_form = long_integer = False
    for c in text.encode("utf-8"):
        if in_string:
            if escaped:
                escaped = False
            elif c == 92:
                escaped = True
            elif c == 34:
                in_string = False
        else:
            number_byte = lean_is_digit_byte(c) or c == 45 or c == 43 or c == 46 or c == 101 or c == 69
            if number_byte and (in_number or lean_is_digit_byte(c) or c == 45):
                if not in_number:
                    in_number = True
                    fraction = False
                    digits = 0
                if lean_is_digit_byte(c):
                    digits = digits + 1
                if c == 46:
                    fraction = True
                if c == 101 or c == 69:
                    exponent_form = True
            else:
                if in_number and not fraction and 4300 < digits:
                    long_integer = True
                in_number = False
                if c == 34:
                    in_string = True
                elif c == 91 or c == 123:
                    depth = depth + 1
                    if deepest < depth:
                        deepest = depth
                elif c == 93 or c == 125:
                    depth = max(depth - 1, 0)
    if in_number and not fraction and 4300 < digits:
        long_integer = True
    return deepest, exponent_form, long_integer


def lean_check_text(text: str) -> None:
    deepest, exponent_form, long_integer = lean_scan_text(text)
    if exponent_form:
        raise LeanMalformed("(JSON)", "exponent form")
    elif long_integer:
        raise LeanMalformed("(JSON)", "long integer")
    elif 32 < deepest:
        raise LeanMalformed("(JSON)", "too deep")


def lean_parse_json(text: str):  # noqa: ANN201 - parseJson
    lean_check_text(text)

    def no_constant(s: str):  # noqa: ANN202 - Lean.Json.parse knows no NaN/Infinity
        raise ValueError(s)

    try:
        return json.loads(text, parse_constant=no_constant)
    except ValueError:
        raise LeanMalformed("(JSON)", "not valid JSON") from None


# ------------------------------------------------------------------------------ the independent oracle
def oracle_scan(text: str) -> tuple[bool, bool, bool]:
    """For a valid JSON text: (a number in exponent form, an integer of more than 4300 digits, nesting > 32),
    from Python's own tokenizer (json's number hooks see every number literal as written)."""
    floats: list[str] = []
    ints: list[str] = []
    doc = json.loads(text, parse_float=lambda s: floats.append(s) or 0.0, parse_int=lambda s: ints.append(s) or 0)

    def depth(x) -> int:  # noqa: ANN001
        if isinstance(x, dict):
            x = list(x.values())
        if isinstance(x, list):
            return 1 + max((depth(y) for y in x), default=0)
        return 0

    exponent = any("e" in s or "E" in s for s in floats)
    long_int = any(len(s.lstrip("-")) > 4300 for s in ints)
    return exponent, long_int, depth(doc) > MAX_DEPTH


def _random_string(rng: random.Random) -> str:
    pieces = ['"', "\\", "e", "E", "1e5", "[", "]", "{", "}", ",", ":", "-", "é", "€", "\n", " ", "true", "x", "0.5"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))


def _random_number(rng: random.Random) -> str:
    kind = rng.randrange(8)
    sign = rng.choice(["", "-"])
    if kind == 0:
        return sign + "0"
    if kind == 1:
        return sign + str(rng.randint(1, 10**30))
    if kind == 2:
        return f"{sign}{rng.randint(0, 99)}.{rng.randint(0, 99999)}"
    if kind == 3:
        return f"{sign}{rng.randint(1, 9)}{rng.choice('eE')}{rng.choice(['', '+', '-'])}{rng.randint(0, 40)}"
    if kind == 4:
        return f"{sign}{rng.randint(0, 9)}.{rng.randint(0, 99)}{rng.choice('eE')}{rng.randint(0, 9)}"
    if kind == 5:  # around Python's 4300-digit limit
        return sign + "1" + "0" * rng.choice([4298, 4299, 4300, 4301])
    if kind == 6:
        return sign + "1" + "0" * rng.choice([4299, 4300]) + ".5"
    return str(rng.randint(0, 9))


def _random_json(rng: random.Random, depth: int, budget: list[int]) -> str:
    budget[0] -= 1
    r = rng.random()
    if depth <= 0 or budget[0] <= 0 or r < 0.35:
        leaf = rng.randrange(5)
        if leaf == 0:
            return json.dumps(_random_string(rng))
        if leaf == 1:
            return rng.choice(["true", "false", "null"])
        return _random_number(rng)
    ws = lambda: rng.choice(["", " ", "\n  "])  # noqa: E731
    items = [_random_json(rng, depth - 1, budget) for _ in range(rng.randint(0, 3))]
    if r < 0.65:
        return "[" + ws() + ("," + ws()).join(items) + ws() + "]"
    keys = [json.dumps(_random_string(rng) + str(i)) for i in range(len(items))]
    return "{" + ws() + ", ".join(f"{k}{ws()}:{ws()}{v}" for k, v in zip(keys, items)) + ws() + "}"


def _nested(rng: random.Random, levels: int) -> str:
    out = "7"
    for _ in range(levels):
        out = f'{{"k": {out}}}' if rng.random() < 0.5 else f"[{out}, 1]"
    return out


@pytest.mark.slow
def test_scan_text_matches_python_tokenizer_on_random_json():
    rng = random.Random(21)
    seen = {"exp": 0, "long": 0, "deep": 0, "clean": 0}
    for i in range(4000):
        text = _nested(rng, rng.choice([30, 31, 32, 33, 40])) if i % 10 == 0 else _random_json(rng, rng.randint(0, 6), [40])
        exponent, long_int, too_deep = oracle_scan(text)
        deepest, lean_exp, lean_long = lean_scan_text(text)
        assert (lean_exp, lean_long, deepest > 32) == (exponent, long_int, too_deep), text[:200]
        seen["exp"] += exponent
        seen["long"] += long_int
        seen["deep"] += too_deep
        seen["clean"] += not (exponent or long_int or too_deep)
    assert all(v > 50 for v in seen.values()), seen


@pytest.mark.slow
def test_scan_text_on_the_committed_files():
    for path in sorted(CERTS.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        deepest, exponent, long_int = lean_scan_text(text)
        assert not exponent and not long_int and 1 <= deepest <= 8, path
        assert oracle_scan(text) == (False, False, False)


@pytest.mark.slow
def test_python_rejects_what_the_scan_rejects():
    """A number in exponent form or a 4301-digit integer in a typed field, or nesting deeper than 32: malformed for
    the Python loader too (so the pre-scan changes no verdict there)."""
    base = json.loads((CERTS / "seed42" / "subcubic-mx-avg-exact.json").read_text(encoding="utf-8"))
    variants = []
    for bad in ("1e3", "1E0", "-2e-1", "1" + "0" * 4300):
        text = json.dumps(base).replace('"correct": ', f'"correct": {bad}, "x": ', 1)
        variants.append(text.replace(', "x": ', ', "y": ', 1))
        v = copy.deepcopy(base)
        v["bound"]["correct"] = 0
        variants.append(json.dumps(v).replace('"correct": 0', f'"correct": {bad}', 1))
    deep = copy.deepcopy(base)
    deep["claims"]["extra"] = json.loads(_nested(random.Random(1), 40))
    variants.append(json.dumps(deep))
    for text in variants:
        path = ROOT / "certificates" / "seed42" / ".scan-test.json"
        try:
            path.write_text(text, encoding="utf-8")
            with pytest.raises(InputError):
                load_certificate(path)
        finally:
            path.unlink(missing_ok=True)
        with pytest.raises(LeanMalformed):
            lean_parse_json(text)


# ============================================================================== strict parsing (transliterated)
def lean_json_int(v) -> int | None:  # noqa: ANN001 - jsonInt (getInt?)
    return v if type(v) is int else None


def lean_is_object(v) -> bool:  # noqa: ANN001
    return isinstance(v, dict)


def lean_opt_field(j, key: str):  # noqa: ANN001, ANN201
    return j.get(key) if isinstance(j, dict) and key in j else None


def lean_has(j, key: str) -> bool:  # noqa: ANN001 - (optField j key).isSome
    return isinstance(j, dict) and key in j


def lean_opt_str(j, key: str) -> str | None:  # noqa: ANN001
    v = lean_opt_field(j, key)
    return v if lean_has(j, key) and isinstance(v, str) else None


def lean_opt_int(j, key: str) -> int | None:  # noqa: ANN001
    return lean_json_int(j[key]) if lean_has(j, key) else None


def lean_no_other_keys(j: dict, keys: list[str]) -> bool:
    """noOtherKeys: j == Json.mkObj [(k, j[k]) for the keys of `keys` that j has]."""
    present = {k: j[k] for k in keys if lean_has(j, k)}
    return j == present


def lean_exact_keys(j, path: str, required: list[str], optional: list[str]) -> None:  # noqa: ANN001
    here = "(top level)" if path == "" else path
    keys = required + optional
    if not lean_is_object(j):
        raise LeanMalformed(here, "expected a JSON object")
    for k in required:
        if not lean_has(j, k):
            raise LeanMalformed(f"{path}.{k}" if path else k, "field required")
    if not lean_no_other_keys(j, keys):
        raise LeanMalformed(here, "unknown key")


def lean_get_field(j, path: str, key: str):  # noqa: ANN001, ANN201
    if not lean_is_object(j):
        raise LeanMalformed(path or "(top level)", "expected a JSON object")
    if key not in j:
        raise LeanMalformed(f"{path}.{key}" if path else key, "field required")
    return j[key]


def lean_as_int(fld: str, v) -> int:  # noqa: ANN001
    i = lean_json_int(v)
    if i is None:
        raise LeanMalformed(fld, "expected an integer")
    return i


def lean_as_str(fld: str, v) -> str:  # noqa: ANN001
    if not isinstance(v, str):
        raise LeanMalformed(fld, "expected a string")
    return v


def lean_as_arr(fld: str, v) -> list:  # noqa: ANN001
    if not isinstance(v, list):
        raise LeanMalformed(fld, "expected a list")
    return v


def lean_as_int_array(fld: str, v) -> list[int]:  # noqa: ANN001
    return [lean_as_int(f"{fld}[{i}]", x) for i, x in enumerate(lean_as_arr(fld, v))]


def lean_as_int_grid(fld: str, v) -> list[list[int]]:  # noqa: ANN001
    return [lean_as_int_array(f"{fld}[{i}]", r) for i, r in enumerate(lean_as_arr(fld, v))]


def lean_int_field(j, path: str, key: str) -> int:  # noqa: ANN001
    return lean_as_int(f"{path}.{key}" if path else key, lean_get_field(j, path, key))


def lean_str_field(j, path: str, key: str) -> str:  # noqa: ANN001
    return lean_as_str(f"{path}.{key}" if path else key, lean_get_field(j, path, key))


def lean_check_bits(fld: str, x: int, bits: int) -> None:
    if bits < lean_bitlen(abs(x)):
        raise LeanMalformed(fld, "integer out of range")


def lean_check_range(fld: str, x: int, lo: int, hi: int) -> None:
    if x < lo or hi < x:
        raise LeanMalformed(fld, "out of range")


def lean_parse_config(j, path: str) -> tuple[int, int, int, int]:  # noqa: ANN001
    lean_exact_keys(j, path, ["d_vocab", "n_ctx", "d_model", "d_head"], [])
    out = []
    for key, lo, hi in (("d_vocab", 2, 4096), ("n_ctx", 2, 64), ("d_model", 1, 1024), ("d_head", 1, 1024)):
        i = lean_int_field(j, path, key)
        if i < lo or hi < i:
            raise LeanMalformed(f"{path}.{key}", "expected an integer in range")
        out.append(i)
    return tuple(out)  # type: ignore[return-value]


TASK_NAMES = ["maxk", "induction"]  # taskNames


def lean_is_power_of4(d: int) -> bool:
    p, found = 1, False
    for _ in range(5):
        if p == d:
            found = True
        p = p * 4
    return found


def lean_parse_task_config(task: str, j, path: str) -> tuple[int, int, int, int]:  # noqa: ANN001 - parseTaskConfig
    if task != "induction":
        return lean_parse_config(j, path)
    lean_exact_keys(j, path, ["d_vocab", "n_ctx", "d_model", "d_head"], [])
    out = []
    for key, lo, hi in (("d_vocab", 3, 64), ("n_ctx", 3, 16), ("d_model", 1, 256), ("d_head", 1, 256)):
        i = lean_int_field(j, path, key)
        if i < lo or hi < i:
            raise LeanMalformed(f"{path}.{key}", "expected an integer in range")
        out.append(i)
    V, n, _, d = out
    if V + 1 < n:
        raise LeanMalformed(path, "d_vocab must be at least n_ctx − 1")
    if not lean_is_power_of4(d):
        raise LeanMalformed(path, "d_head must be a power of 4")
    return tuple(out)  # type: ignore[return-value]


INDUCTION_TENSOR_NAMES = ["W_E", "W_pos", "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V",
                          "blocks.0.attn.W_O", "blocks.1.attn.W_Q", "blocks.1.attn.W_K", "blocks.1.attn.W_V",
                          "blocks.1.attn.W_O", "W_U"]  # fmt: skip


def lean_parse_tensor(tensors: dict, name: str, shape: list[int]) -> None:
    path = "tensors." + name
    j = lean_get_field(tensors, "tensors", name)
    if not lean_is_object(j):
        raise LeanMalformed(path, "tensor missing or not an object")
    lean_exact_keys(j, path, ["shape", "dtype", "exponent", "mantissas"], [])
    if lean_opt_str(j, "dtype") != "float32":
        raise LeanMalformed(path + ".dtype")
    got_shape = lean_as_int_array(path + ".shape", lean_get_field(j, path, "shape"))
    if got_shape != shape:
        raise LeanMalformed(path + ".shape")
    exponent = lean_int_field(j, path, "exponent")
    if exponent < -149 or 127 < exponent:
        raise LeanMalformed(path + ".exponent")
    mant = lean_as_arr(path + ".mantissas", lean_get_field(j, path, "mantissas"))
    size = 1
    for s in shape:
        size *= s
    if len(mant) != size:
        raise LeanMalformed(path + ".mantissas")
    for i, x in enumerate(mant):
        mi = lean_json_int(x)
        if mi is None:
            raise LeanMalformed(f"{path}.mantissas[{i}]")
        if not lean_fits_float32(mi, exponent):
            raise LeanMalformed(f"{path}.mantissas[{i}]")


def lean_parse_weights(text: str) -> None:
    doc = lean_parse_json(text)
    if not lean_is_object(doc):
        raise LeanMalformed("(top level)")
    task_version = lean_opt_int(doc, "version") == 2
    keys = ["format", "version", "config", "seed", "provenance", "payload_sha256", "tensors"]
    keys_task = ["format", "version", "task", "config", "seed", "provenance", "payload_sha256", "tensors"]
    lean_exact_keys(doc, "", keys_task if task_version else keys, [])
    if lean_opt_str(doc, "format") != "mechproof-weights":
        raise LeanMalformed("format")
    if not (lean_opt_int(doc, "version") == 1 or task_version):
        raise LeanMalformed("version")
    task = (lean_opt_str(doc, "task") or "") if task_version else "maxk"
    if task not in TASK_NAMES:
        raise LeanMalformed("task")
    V, n, dm, d = lean_parse_task_config(task, lean_get_field(doc, "", "config"), "config")
    seed = lean_get_field(doc, "", "seed")
    if seed is not None and lean_json_int(seed) is None:
        raise LeanMalformed("seed")
    if not lean_is_object(lean_get_field(doc, "", "provenance")):
        raise LeanMalformed("provenance")
    tensors = lean_get_field(doc, "", "tensors")
    if not lean_is_object(tensors):
        raise LeanMalformed("tensors")
    induction = task == "induction"
    lean_exact_keys(tensors, "tensors", INDUCTION_TENSOR_NAMES if induction else ["W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U"], [])
    pre = "blocks.0.attn." if induction else ""
    lean_parse_tensor(tensors, "W_E", [V, dm])
    lean_parse_tensor(tensors, "W_pos", [n, dm])
    for name in ("W_Q", "W_K", "W_V"):
        lean_parse_tensor(tensors, pre + name, [1, dm, d])
    lean_parse_tensor(tensors, pre + "W_O", [1, d, dm])
    if induction:
        for name in ("W_Q", "W_K", "W_V"):
            lean_parse_tensor(tensors, "blocks.1.attn." + name, [1, dm, d])
        lean_parse_tensor(tensors, "blocks.1.attn.W_O", [1, d, dm])
    lean_parse_tensor(tensors, "W_U", [dm, V])
    lean_str_field(doc, "", "payload_sha256")


def lean_valid_weights_path(p: str) -> bool:
    ok, length, dots = True, 0, 0
    for c in p.encode("utf-8"):
        if c == 47:
            if length == 0 or (dots == length and length <= 2):
                ok = False
            length, dots = 0, 0
        else:
            upper = 65 <= c and c <= 90
            lower = 97 <= c and c <= 122
            if not (lean_is_digit_byte(c) or upper or lower or c == 46 or c == 95 or c == 45):
                ok = False
            length += 1
            if c == 46:
                dots += 1
    if length == 0 or (dots == length and length <= 2):
        ok = False
    return ok


def lean_expect_rule(claim, path: str, rule: str) -> None:  # noqa: ANN001
    r = lean_opt_str(claim, "rule")
    if r != rule:
        raise LeanMalformed(path + ".rule")


def lean_parse_inv_sqrt(claims: dict) -> None:
    path = "claims.inv_sqrt_d_head"
    j = lean_get_field(claims, "claims", "inv_sqrt_d_head")
    lean_exact_keys(j, path, ["rule", "lo", "hi", "exp"], [])
    lean_expect_rule(j, path, "inv-sqrt")
    lean_check_bits(path + ".lo", lean_int_field(j, path, "lo"), 256)
    lean_check_bits(path + ".hi", lean_int_field(j, path, "hi"), 256)
    lean_check_range(path + ".exp", lean_int_field(j, path, "exp"), -256, 0)


def lean_parse_exp_claim(claims: dict, key: str) -> None:
    path = "claims." + key
    j = lean_get_field(claims, "claims", key)
    lean_exact_keys(j, path, ["rule", "of", "exp", "lo", "hi"], [])
    lean_expect_rule(j, path, "exp-enclosure")
    of = lean_str_field(j, path, "of")
    if of != "EQKE" and of != "EQKP":
        raise LeanMalformed(path + ".of")
    for row in lean_as_int_grid(path + ".exp", lean_get_field(j, path, "exp")):
        for x in row:
            lean_check_range(path + ".exp", x, -8192, 8192)
    for key2 in ("lo", "hi"):
        for row in lean_as_int_grid(f"{path}.{key2}", lean_get_field(j, path, key2)):
            for x in row:
                lean_check_bits(f"{path}.{key2}", x, 128)


def lean_parse_cubic_cases(claims: dict) -> str:
    path = "claims.cases"
    j = lean_get_field(claims, "claims", "cases")
    if not lean_is_object(j):
        raise LeanMalformed(path)
    rule = lean_opt_str(j, "rule") or ""
    if rule != "cubic-case" and rule != "cubic-prefix":
        raise LeanMalformed(path + ".rule")
    lean_exact_keys(j, path, ["rule", "entries"], [])
    raw = lean_as_arr(path + ".entries", lean_get_field(j, path, "entries"))
    for i, e in enumerate(raw):
        p = f"{path}.entries[{i}]"
        if rule == "cubic-case":
            xs = lean_as_arr(p, e)
            if len(xs) != 4:
                raise LeanMalformed(p)
            for k in range(3):
                lean_as_int(f"{p}[{k}]", xs[k])
            lean_as_int_array(f"{p}[3]", xs[3])
        else:
            if len(lean_as_int_array(p, e)) != 5:
                raise LeanMalformed(p)
    return rule


def lean_parse_opt_input_claims(claims: dict, residual_required: bool) -> tuple[bool, bool]:
    if residual_required or lean_has(claims, "residual"):
        path = "claims.residual"
        j = lean_get_field(claims, "claims", "residual")
        lean_exact_keys(j, path, ["rule", "inputs"], [])
        lean_expect_rule(j, path, "inputs-right")
        lean_as_int_array(path + ".inputs", lean_get_field(j, path, "inputs"))
    if lean_has(claims, "wrong"):
        path = "claims.wrong"
        j = lean_get_field(claims, "claims", "wrong")
        lean_exact_keys(j, path, ["rule", "inputs", "witness"], [])
        lean_expect_rule(j, path, "inputs-wrong")
        lean_as_int_array(path + ".inputs", lean_get_field(j, path, "inputs"))
        lean_as_int_array(path + ".witness", lean_get_field(j, path, "witness"))
    return residual_required or lean_has(claims, "residual"), lean_has(claims, "wrong")


def lean_parse_cubic_claims(claims, residual_required: bool) -> tuple[str, bool, bool]:  # noqa: ANN001
    base = ["inv_sqrt_d_head", "exp_eqke", "exp_eqkp", "cases"]
    required = base + ["residual"] if residual_required else base
    optional = ["wrong"] if residual_required else ["residual", "wrong"]
    lean_exact_keys(claims, "claims", required, optional)
    lean_parse_inv_sqrt(claims)
    lean_parse_exp_claim(claims, "exp_eqke")
    lean_parse_exp_claim(claims, "exp_eqkp")
    rule = lean_parse_cubic_cases(claims)
    residual, wrong = lean_parse_opt_input_claims(claims, residual_required)
    return rule, residual, wrong


def lean_check_choice_size(fld: str, ex: int, ms: list[int]) -> None:
    if 2048 < abs(ex):
        raise LeanMalformed(fld, "exponent out of range")
    for x in ms:
        if 1024 < lean_bitlen(abs(x)):
            raise LeanMalformed(fld, "mantissa too long")


def lean_parse_dy_pair(j, path: str) -> None:  # noqa: ANN001
    xs = lean_as_int_array(path, j)
    if len(xs) != 2:
        raise LeanMalformed(path)
    lean_check_choice_size(path, xs[1], [xs[0]])


def lean_parse_dy_vec(j, path: str) -> None:  # noqa: ANN001
    lean_exact_keys(j, path, ["exp", "mant"], [])
    ex = lean_int_field(j, path, "exp")
    mant = lean_as_int_array(path + ".mant", lean_get_field(j, path, "mant"))
    lean_check_choice_size(path, ex, mant)


def lean_parse_dy_mat(j, path: str) -> None:  # noqa: ANN001
    lean_exact_keys(j, path, ["exp", "rows"], [])
    ex = lean_int_field(j, path, "exp")
    rows = lean_as_int_grid(path + ".rows", lean_get_field(j, path, "rows"))
    if 2048 < abs(ex):
        raise LeanMalformed(path)
    for r in rows:
        lean_check_choice_size(path, ex, r)


def lean_parse_subcubic_claims(claims) -> tuple[bool, bool]:  # noqa: ANN001
    lean_exact_keys(claims, "claims", ["inv_sqrt_d_head", "choices", "cases"], ["residual", "wrong"])
    lean_parse_inv_sqrt(claims)
    path = "claims.choices"
    j = lean_get_field(claims, "claims", "choices")
    lean_exact_keys(j, path, ["rule", "key_pos_centre", "eupu_mu", "peels", "centres", "spectral_eps", "avg"], [])
    lean_expect_rule(j, path, "choices")
    lean_parse_dy_vec(lean_get_field(j, path, "key_pos_centre"), path + ".key_pos_centre")
    mu = lean_get_field(j, path, "eupu_mu")
    if mu is not None:
        lean_parse_dy_vec(mu, path + ".eupu_mu")
    for i, pj in enumerate(lean_as_arr(path + ".peels", lean_get_field(j, path, "peels"))):
        if pj is not None:
            pp = f"{path}.peels[{i}]"
            lean_exact_keys(pj, pp, ["x", "y"], [])
            lean_parse_dy_mat(lean_get_field(pj, pp, "x"), pp + ".x")
            lean_parse_dy_mat(lean_get_field(pj, pp, "y"), pp + ".y")
    for k, cj in enumerate(lean_as_arr(path + ".centres", lean_get_field(j, path, "centres"))):
        if cj is not None:
            lean_parse_dy_vec(cj, f"{path}.centres[{k}]")
    eps = lean_get_field(j, path, "spectral_eps")
    if eps is not None:
        lean_parse_dy_pair(eps, path + ".spectral_eps")
    for mi, row in enumerate(lean_as_arr(path + ".avg", lean_get_field(j, path, "avg"))):
        for ci, cell in enumerate(lean_as_arr(f"{path}.avg[{mi}]", row)):
            lean_parse_dy_pair(cell, f"{path}.avg[{mi}][{ci}]")
    cpath = "claims.cases"
    cj = lean_get_field(claims, "claims", "cases")
    lean_exact_keys(cj, cpath, ["rule", "entries"], [])
    lean_expect_rule(cj, cpath, "subcubic-case")
    for i, e in enumerate(lean_as_arr(cpath + ".entries", lean_get_field(cj, cpath, "entries"))):
        if len(lean_as_int_array(f"{cpath}.entries[{i}]", e)) != 4:
            raise LeanMalformed(f"{cpath}.entries[{i}]")
    return lean_parse_opt_input_claims(claims, False)


SUB_LITERALS = {
    "eupu": ["mean_query+max_diff", "svd_query+max_diff", "max_diff", "max_diff_exact", "global_max_diff_exact"],
    "attention": ["mean_query+diff", "drop_average_query_per_output_logit_reasoning"],
    "qk": ["svd", "max_diff", "mean+max_diff", "max_diff_exact", "max_diff_subproduct", "mean+max_diff_subproduct",
           "max_diff_subproduct_recursive", "mean+max_diff_subproduct_recursive",
           "mean_recursive+max_diff_subproduct_recursive", "exact_EQKE+max_diff_exact"],
    "count": ["fixed", "paper"],
}  # fmt: skip


def lean_parse_strategy_claims(name: str, params, claims):  # noqa: ANN001, ANN201
    """parseStrategyClaims: (cases rule or None, residual?, wrong?)."""
    if name == "cubic" or name == "cubic+residual":
        rule, residual, wrong = lean_parse_cubic_claims(claims, name == "cubic+residual")
        lean_exact_keys(params, "strategy.params", [], [])
        return rule, residual, wrong
    if name == "subcubic":
        residual, wrong = lean_parse_subcubic_claims(claims)
        path = "strategy.params"
        lean_exact_keys(params, path, ["variant", "eupu", "attention", "qk", "count"], [])
        lean_str_field(params, path, "variant")
        for key, allowed in SUB_LITERALS.items():
            if lean_str_field(params, path, key) not in allowed:
                raise LeanMalformed(f"{path}.{key}")
        return None, residual, wrong
    raise LeanMalformed("strategy.name", "unknown strategy")


def lean_tuple_field(path: str, got: int, want: int) -> str:
    return f"{path}[{got}]" if got < want else path


def lean_parse_ind_case(j, path: str) -> None:  # noqa: ANN001 - parseIndCase
    xs = lean_as_arr(path, j)
    if len(xs) != 2:
        raise LeanMalformed(lean_tuple_field(path, len(xs), 2))
    lean_as_int_array(path + "[0]", xs[0])
    lam = lean_as_int_array(path + "[1]", xs[1])
    for k, x in enumerate(lam):
        if 26 < lean_bitlen(abs(x)):
            raise LeanMalformed(f"{path}[1][{k}]")


def lean_parse_ind_group(j, path: str) -> None:  # noqa: ANN001 - parseIndGroup
    xs = lean_as_arr(path, j)
    if len(xs) != 5:
        raise LeanMalformed(lean_tuple_field(path, len(xs), 5))
    for k in range(3):
        lean_as_int(f"{path}[{k}]", xs[k])
    lean_as_int_array(path + "[3]", xs[3])
    for k, c in enumerate(lean_as_arr(path + "[4]", xs[4])):
        lean_parse_ind_case(c, f"{path}[4][{k}]")


def lean_parse_induction_claims(claims, residual_required: bool) -> tuple[bool, bool]:  # noqa: ANN001
    required = ["cases", "residual"] if residual_required else ["cases"]
    optional = ["wrong"] if residual_required else ["residual", "wrong"]
    lean_exact_keys(claims, "claims", required, optional)
    path = "claims.cases"
    j = lean_get_field(claims, "claims", "cases")
    lean_exact_keys(j, path, ["rule", "entries"], [])
    lean_expect_rule(j, path, "induction-cases")
    for g, e in enumerate(lean_as_arr(path + ".entries", lean_get_field(j, path, "entries"))):
        lean_parse_ind_group(e, f"{path}.entries[{g}]")
    return lean_parse_opt_input_claims(claims, residual_required)


def lean_parse_induction_strategy_claims(name: str, params, claims):  # noqa: ANN001, ANN201
    """parseInductionStrategyClaims: (None, residual?, wrong?)."""
    if name == "windows" or name == "windows+residual":
        residual, wrong = lean_parse_induction_claims(claims, name == "windows+residual")
        lean_exact_keys(params, "strategy.params", ["depth"], [])
        lean_int_field(params, "strategy.params", "depth")
        return None, residual, wrong
    raise LeanMalformed("strategy.name", "unknown strategy")


def lean_check_version_features(version: int, name: str, rule, residual: bool, wrong: bool, upper) -> None:  # noqa: ANN001
    if version == 1:
        if name != "cubic" and name != "subcubic":
            raise LeanMalformed("strategy.name")
        if upper is not None:
            raise LeanMalformed("bound.upper")
        if residual or wrong:
            raise LeanMalformed("claims")
    want = "cubic-case" if version == 1 else "cubic-prefix"
    if rule is not None and rule != want:
        raise LeanMalformed("claims.cases.rule")
    if (upper is not None) != wrong:
        raise LeanMalformed("bound.upper")


def lean_parse_certificate(text: str) -> dict:
    doc = lean_parse_json(text)
    if not lean_is_object(doc):
        raise LeanMalformed("(top level)")
    if lean_opt_str(doc, "format") != "mechproof-certificate":
        raise LeanMalformed("format")
    version = lean_opt_int(doc, "version")
    version = 0 if version is None else version
    if not (version == 1 or version == 2 or version == 3):
        raise LeanMalformed("version")
    has_task = lean_has(doc, "task")
    task = "maxk"
    if version == 3:
        if not has_task:
            raise LeanMalformed("task")
        task = lean_opt_str(doc, "task") or ""
        if task not in TASK_NAMES:
            raise LeanMalformed("task")
    elif has_task:
        raise LeanMalformed("task")
    lean_parse_task_config(task, lean_get_field(doc, "", "config"), "config")
    top_keys = ["format", "version", "model", "config", "strategy", "claims", "bound"]
    lean_exact_keys(doc, "", top_keys + ["task"] if version == 3 else top_keys, [])
    model = lean_get_field(doc, "", "model")
    lean_exact_keys(model, "model", ["weights", "sha256"], [])
    weights_rel = lean_str_field(model, "model", "weights")
    if not lean_valid_weights_path(weights_rel):
        raise LeanMalformed("model.weights")
    lean_str_field(model, "model", "sha256")
    strategy = lean_get_field(doc, "", "strategy")
    lean_exact_keys(strategy, "strategy", ["name", "params"], [])
    name = lean_str_field(strategy, "strategy", "name")
    params = lean_get_field(strategy, "strategy", "params")
    if not lean_is_object(params):
        raise LeanMalformed("strategy.params")
    claims = lean_get_field(doc, "", "claims")
    if not lean_is_object(claims):
        raise LeanMalformed("claims")
    bound = lean_get_field(doc, "", "bound")
    lean_exact_keys(bound, "bound", ["correct", "total"], ["upper"])
    lean_int_field(bound, "bound", "correct")
    lean_int_field(bound, "bound", "total")
    upper = lean_int_field(bound, "bound", "upper") if lean_has(bound, "upper") else None
    if task == "induction":
        _, _, wrong = lean_parse_induction_strategy_claims(name, params, claims)
        if (upper is not None) != wrong:
            raise LeanMalformed("bound.upper")
        return doc
    rule, residual, wrong = lean_parse_strategy_claims(name, params, claims)
    lean_check_version_features(version, name, rule, residual, wrong, upper)
    return doc


def test_parse_text_is_current():
    """The Lean lines the transliterations above follow are still there."""
    text = PARSE_LEAN.read_text(encoding="utf-8")
    for needle in (
        "def maxJsonDepth : Nat := 32",
        "def maxIntDigits : Nat := 4300",
        "for b in text.toUTF8.data do",
        "let numberByte : Bool := isDigitByte c || c == 45 || c == 43 || c == 46 || c == 101 || c == 69",
        "if numberByte && (inNumber || isDigitByte c || c == 45) then",
        "if inNumber && !fraction && decide (maxIntDigits < digits) then",
        "else if c == 91 || c == 123 then",
        "else if c == 93 || c == 125 then",
        "else if maxJsonDepth < s.deepest then",
        "return j == Lean.Json.mkObj present",
        "exactKeys file doc \"\" (if taskVersion then weightsKeysTask else weightsKeys) #[]",
        "if !(optInt doc \"version\" == some 1 || taskVersion) then",
        "let task : String := if taskVersion then (optStr doc \"task\").getD \"\" else \"maxk\"",
        "def taskNames : Array String := #[\"maxk\", \"induction\"]",
        "for _ in List.range 5 do",
        "let dVocab ← configField file j path \"d_vocab\" 3 64",
        "let nCtx ← configField file j path \"n_ctx\" 3 16",
        "let dModel ← configField file j path \"d_model\" 1 256",
        "let dHead ← configField file j path \"d_head\" 1 256",
        "if dVocab + 1 < nCtx then",
        "if !isPowerOf4 dHead then",
        "exactKeys file tensors \"tensors\" (if induction then inductionTensorNames else tensorNames) #[]",
        "let pre : String := if induction then \"blocks.0.attn.\" else \"\"",
        "def claimBits : Nat := 26",
        "if claimBits < bitlen x.natAbs then",
        "throw (CheckError.input file (tupleField path xs.size 5) \"expected [q, i, a, [order...], [case, ...]]\")",
        "throw (CheckError.input file (tupleField path xs.size 2) \"expected [[prefix...], [L...]]\")",
        "if got < want then s!\"{path}[{got}]\" else path",
        "expectRule j path \"induction-cases\"",
        "let required : Array String := if residualRequired then #[\"cases\", \"residual\"] else #[\"cases\"]",
        "exactKeys InputFile.certificate p \"strategy.params\" #[\"depth\"] #[]",
        "if !(version == 1 || version == 2 || version == 3) then",
        "throw (CheckError.input file \"task\" \"missing (version 3 names its task)\")",
        "exactKeys file doc \"\" (if version == 3 then topKeys.push \"task\" else topKeys) #[]",
        "let cfg ← parseTaskConfig file task (← getField file doc \"\" \"config\") \"config\"",
        "if task == \"induction\" then",
        "if decide (exponent < tensorExpMin) || decide (tensorExpMax < exponent) then",
        "def tensorExpMin : Int := -149",
        "def tensorExpMax : Int := 127",
        "if len == 0 || (dots == len && decide (len ≤ 2)) then",
        "checkBits file (path ++ \".lo\") lo 256",
        "checkRange file (path ++ \".exp\") ex (-256) 0",
        "checkGridRange file (path ++ \".exp\") ex (-8192) 8192",
        "checkGridBits file (path ++ \".lo\") lo 128",
        "def choiceExp : Nat := 2048",
        "def choiceBits : Nat := 1024",
        "exactKeys file bound \"bound\" #[\"correct\", \"total\"] #[\"upper\"]",
        "if upper.isSome != present.2 then",
        "let optional : Array String := if residualRequired then #[\"wrong\"] else #[\"residual\", \"wrong\"]",
        "exactKeys InputFile.certificate claims \"claims\" #[\"inv_sqrt_d_head\", \"choices\", \"cases\"] #[\"residual\", \"wrong\"]",
    ):
        assert needle in text, needle


# ------------------------------------------------------------------------------ against the Python parsers
def test_weights_path_rule_matches_python():
    rng = random.Random(22)
    cases = ["weights.json", "a/b.json", "../w.json", "./w.json", "a/./b", "a/../b", "...", "a//b", "/abs", "a/",
             "", ".", "..", "w eights.json", "wé.json", "a-b_c.D9", ".hidden", "a\\b", "x/.../y"]  # fmt: skip
    alphabet = ["a", "Z", "0", ".", "..", "/", "-", "_", " ", "é", "\\", "~"]
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(3000)]
    for p in cases:
        try:
            _weights_path(p)
            ok = True
        except ValueError:
            ok = False
        assert lean_valid_weights_path(p) == ok, p


def _paths(doc, prefix=()):  # noqa: ANN001, ANN202
    """Every (path, value) of a JSON document, containers included."""
    yield prefix, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            yield from _paths(v, prefix + (i,))


def _set(doc, path, value):  # noqa: ANN001, ANN202
    out = copy.deepcopy(doc)
    node = out
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return out


def _delete(doc, path):  # noqa: ANN001, ANN202
    out = copy.deepcopy(doc)
    node = out
    for k in path[:-1]:
        node = node[k]
    if isinstance(node, dict):
        del node[path[-1]]
    else:
        node.pop(path[-1])
    return out


REPLACEMENTS = [None, True, False, 0, 1, -1, 2, 3, 1.0, 0.5, "1", "x", [], {}, [1], {"x": 1}, 2**128, -(2**128),
                2**256, 2**1024, -(2**1024), 2**1100, 8192, 8193, -8193, 2048, -2049, -149, -150, 127, 128, -256,
                -257, 4096, 4097, 64, 65]  # fmt: skip


def mutations(doc: dict, rng: random.Random, count: int):  # noqa: ANN201
    """Documents that differ from `doc` in one place: a value replaced, a key deleted or added."""
    paths = [p for p, _ in _paths(doc) if p]
    containers = [p for p, v in _paths(doc) if isinstance(v, dict)]
    for _ in range(count):
        kind = rng.random()
        if kind < 0.7:
            p = rng.choice(paths)
            yield _set(doc, p, rng.choice(REPLACEMENTS))
        elif kind < 0.85:
            p = rng.choice(paths)
            yield _delete(doc, p)
        else:
            p = rng.choice(containers)
            yield _set(doc, p + ("unknown",), rng.choice(REPLACEMENTS)) if p else {**doc, "unknown": 1}


def _python_accepts_certificate(text: str, tmp: Path) -> bool:
    path = tmp / "cert.json"
    path.write_text(text, encoding="utf-8")
    try:
        load_certificate(path)
        return True
    except InputError:
        return False


def _lean_accepts_certificate(text: str) -> bool:
    try:
        lean_parse_certificate(text)
        return True
    except LeanMalformed:
        return False


def v2_cubic_doc() -> dict:
    """A small well-formed version-2 `cubic+residual` certificate document (the parser only looks at its form)."""
    V, n = 3, 2
    grid = [[1] * V for _ in range(V)]
    return {
        "format": "mechproof-certificate",
        "version": 2,
        "model": {"weights": "weights.json", "sha256": "0" * 64},
        "config": {"d_vocab": V, "n_ctx": n, "d_model": 2, "d_head": 2},
        "strategy": {"name": "cubic+residual", "params": {}},
        "claims": {
            "inv_sqrt_d_head": {"rule": "inv-sqrt", "lo": 3, "hi": 4, "exp": -2},
            "exp_eqke": {"rule": "exp-enclosure", "of": "EQKE", "exp": grid, "lo": grid, "hi": grid},
            "exp_eqkp": {"rule": "exp-enclosure", "of": "EQKP", "exp": [[0, 0]] * V, "lo": [[1, 1]] * V, "hi": [[2, 2]] * V},
            "cases": {"rule": "cubic-prefix", "entries": [[0, 1, 1, 0, -1], [1, 1, 0, -1, -1]]},
            "residual": {"rule": "inputs-right", "inputs": [2, 1, 3]},
            "wrong": {"rule": "inputs-wrong", "inputs": [0, 5], "witness": [1, 2]},
        },
        "bound": {"correct": 4, "total": 9, "upper": 7},
    }


def induction_doc() -> dict:
    """A small well-formed `windows+residual` certificate (version 3, docs §11.2): the parser only looks at its form."""
    return {
        "format": "mechproof-certificate",
        "version": 3,
        "task": "induction",
        "model": {"weights": "weights.json", "sha256": "0" * 64},
        "config": {"d_vocab": 5, "n_ctx": 4, "d_model": 8, "d_head": 4},
        "strategy": {"name": "windows+residual", "params": {"depth": 1}},
        "claims": {
            "cases": {"rule": "induction-cases", "entries": [
                [0, 0, 1, [2], [[[], [-5, 0, -7, -2**25]]]],
                [1, 1, 0, [0], [[[2], [1, 2, 0, 3]], [[3], [0, 0, 0, 0]]]],
            ]},
            "residual": {"rule": "inputs-right", "inputs": [2, 1, 3]},
            "wrong": {"rule": "inputs-wrong", "inputs": [0, 5], "witness": [1, 2]},
        },
        "bound": {"correct": 4, "total": 120, "upper": 118},
    }


def induction_weights_doc() -> dict:
    """A version-2 induction weights document with small random tensors."""
    import torch

    from mechproof.tasks.induction.config import InductionConfig

    cfg = InductionConfig(d_vocab=3, n_ctx=3, d_model=2, d_head=1)
    g = torch.Generator().manual_seed(5)
    w = weights_io.from_torch(cfg, {k: torch.randn(s, generator=g) for k, s in cfg.tensor_shapes().items()})
    return json.loads(weights_io.dumps(w))


def _documents() -> list[dict]:
    docs = [v2_cubic_doc()]
    v1 = copy.deepcopy(docs[0])
    v1["version"] = 1
    v1["strategy"]["name"] = "cubic"
    v1["claims"]["cases"] = {"rule": "cubic-case", "entries": [[0, 1, 1, [0]], [1, 1, 0, [1]]]}
    for key in ("residual", "wrong"):
        del v1["claims"][key]
    del v1["bound"]["upper"]
    docs.append(v1)
    sub = json.loads((CERTS / "seed42" / "subcubic-mx-avg-exact.json").read_text(encoding="utf-8"))
    sub["claims"]["cases"]["entries"] = sub["claims"]["cases"]["entries"][:5]
    sub["claims"]["choices"]["avg"] = sub["claims"]["choices"]["avg"][:3]
    docs.append(sub)
    sub2 = copy.deepcopy(sub)
    sub2["version"] = 2
    sub2["claims"]["choices"]["peels"] = [{"x": {"exp": -3, "rows": [[1], [2]]}, "y": {"exp": 0, "rows": [[1]]}}, None]
    sub2["claims"]["choices"]["centres"] = [{"exp": -2, "mant": [1, 2]}, None]
    sub2["claims"]["choices"]["spectral_eps"] = [5, -3]
    sub2["claims"]["residual"] = {"rule": "inputs-right", "inputs": [7]}
    docs.append(sub2)
    docs.append(induction_doc())
    windows = induction_doc()
    windows["strategy"]["name"] = "windows"
    del windows["claims"]["residual"]
    docs.append(windows)
    maxk3 = copy.deepcopy(docs[0])
    maxk3["version"] = 3
    maxk3["task"] = "maxk"
    docs.append(maxk3)
    return docs


@pytest.mark.slow
def test_the_committed_certificates_parse():
    for path in sorted(CERTS.rglob("*.json")):
        if path.name == "weights.json":
            lean_parse_weights(path.read_text(encoding="utf-8"))
        else:
            load_certificate(path)
            lean_parse_certificate(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_certificate_parsers_accept_and_reject_the_same_documents(tmp_path):
    """Thousands of one-place mutations of small certificates (v1, v2 and v3, cubic, cubic+residual, subcubic, the
    induction task's windows and windows+residual):
    Lean's parser (transliterated) accepts exactly what load_certificate accepts."""
    rng = random.Random(23)
    counts = {True: 0, False: 0}
    for base in _documents():
        assert _lean_accepts_certificate(json.dumps(base)) and _python_accepts_certificate(json.dumps(base), tmp_path)
        for doc in mutations(base, rng, 900):
            text = json.dumps(doc)
            py = _python_accepts_certificate(text, tmp_path)
            assert _lean_accepts_certificate(text) == py, text[:2000]
            counts[py] += 1
    assert counts[True] > 300 and counts[False] > 1500, counts


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.__setitem__("version", 3),
        lambda d: d.__setitem__("version", True),
        lambda d: d.__setitem__("version", 2.0),
        lambda d: d["strategy"].__setitem__("name", "cubic"),  # v2 cubic without residual is fine: control
        lambda d: d["bound"].pop("upper"),
        lambda d: d["claims"].pop("wrong"),
        lambda d: d["claims"].pop("residual"),
        lambda d: d["claims"]["cases"].__setitem__("rule", "cubic-case"),
        lambda d: d["claims"]["cases"].__setitem__("rule", "subcubic-case"),
        lambda d: d["claims"]["cases"]["entries"].append([0, 1, 1, 0]),
        lambda d: d["claims"]["cases"]["entries"].append([0, 1, 1, 0, True]),
        lambda d: d["claims"]["residual"].__setitem__("inputs", [1, 2.0]),
        lambda d: d["claims"]["wrong"].__setitem__("witness", None),
        lambda d: d["claims"]["inv_sqrt_d_head"].__setitem__("exp", 1),
        lambda d: d["claims"]["inv_sqrt_d_head"].__setitem__("lo", 2**256),
        lambda d: d["claims"]["inv_sqrt_d_head"].__setitem__("hi", 2**256 - 1),
        lambda d: d["claims"]["exp_eqke"]["lo"][0].__setitem__(0, -(2**128)),
        lambda d: d["claims"]["exp_eqke"]["hi"][0].__setitem__(0, 2**128 - 1),
        lambda d: d["claims"]["exp_eqkp"]["exp"][1].__setitem__(1, -8193),
        lambda d: d["model"].__setitem__("weights", "../weights.json"),
        lambda d: d["model"].__setitem__("weights", "sub/w-1_.json"),
        lambda d: d["strategy"].__setitem__("params", {"x": 1}),
        lambda d: d["strategy"].__setitem__("params", None),
        lambda d: d["config"].pop("d_head"),
        lambda d: d["config"].__setitem__("n_ctx", 65),
        lambda d: d["claims"].__setitem__("choices", {}),
    ],
)
def test_certificate_parsers_agree_on_targeted_edits(tmp_path, edit):
    doc = v2_cubic_doc()
    edit(doc)
    text = json.dumps(doc)
    assert _lean_accepts_certificate(text) == _python_accepts_certificate(text, tmp_path)


def _python_accepts_weights(text: str) -> bool:
    """weights.parse, except that a payload_sha256 which does not match the tensors is not held against the file:
    core Lean has no SHA-256 (TRUST.md), so Lean reads the declared hash as given."""
    try:
        doc = loads(text)
        weights_io.parse(doc)
        return True
    except InputError as e:
        return e.field == "payload_sha256" and "hashes to" in e.message and isinstance(doc["payload_sha256"], str)
    except ValueError:
        return False


def _lean_accepts_weights(text: str) -> bool:
    try:
        lean_parse_weights(text)
        return True
    except LeanMalformed:
        return False


@pytest.mark.slow
def test_weights_parsers_accept_and_reject_the_same_documents():
    from test_subcubic_checker import _random_weights

    rng = random.Random(24)
    w = _random_weights(rng, 3, 2, 2, 2)
    maxk = json.loads(weights_io.dumps(w))
    maxk2 = {**copy.deepcopy(maxk), "version": 2, "task": "maxk"}
    counts = {True: 0, False: 0}
    for base, count in ((maxk, 3000), (maxk2, 600), (induction_weights_doc(), 2000)):
        base["provenance"] = {"lr": 0.001, "nested": [{"a": [1, 2.5, None, True]}]}
        assert _lean_accepts_weights(json.dumps(base)) and _python_accepts_weights(json.dumps(base))
        for doc in mutations(base, rng, count):
            text = json.dumps(doc)
            py = _python_accepts_weights(text)
            assert _lean_accepts_weights(text) == py, text[:1500]
            counts[py] += 1
    assert counts[True] > 500 and counts[False] > 1500, counts


def test_weights_limits():
    """The float32 and exponent limits at their edges: a tensor exponent in [−149, 127] (docs §10)."""
    from test_subcubic_checker import _random_weights

    w = _random_weights(random.Random(25), 2, 2, 1, 1)
    base = json.loads(weights_io.dumps(w))
    for e, m in [(-149, 1), (-150, 2), (127, 1), (128, 1), (104, 2**23), (105, 2**23), (-149, 2**24 - 1)]:
        doc = copy.deepcopy(base)
        doc["tensors"]["W_U"]["exponent"] = e
        doc["tensors"]["W_U"]["mantissas"] = [m, 0]
        text = json.dumps(doc)
        assert _lean_accepts_weights(text) == _python_accepts_weights(text), (e, m)


def test_exponent_form_in_provenance_is_refused_by_both():
    """docs §10: exponent-form numbers are refused anywhere, `provenance` included, by both loaders (Lean's pre-scan,
    Python's strict JSON reader); plain decimals there are accepted by both (the committed weights have some)."""
    from test_subcubic_checker import _random_weights

    w = _random_weights(random.Random(26), 2, 2, 1, 1)
    base = json.loads(weights_io.dumps(w))
    base["provenance"] = {"lr": 0.001}
    assert _python_accepts_weights(json.dumps(base)) and _lean_accepts_weights(json.dumps(base))
    base["provenance"] = {"lr": 1e-05}
    text = json.dumps(base)
    assert re.search(r'"lr": 1e-05', text)
    assert not _python_accepts_weights(text) and not _lean_accepts_weights(text)
