"""Seeded mutations of certificate and weights files, for the fuzz suite (tests/test_fuzz.py).

A mutant is a pure function of (honest file, seed): `mutate_json` edits the parsed document copy-on-write (the
honest document is shared by every mutant and never changed, so a mutant of an 800 KB certificate costs one path
of copies, not a deep copy), `mutate_text` edits the bytes. Each returns a short description, so a failing mutant
can be named and rebuilt from its seed alone.

JSON-level: a node is picked by a random walk from the root (each key or entry of a container equally likely, so
small sections such as `bound` are hit as often as the large claim arrays) and then replaced by a boundary value
(±1, 0, huge integers up to 2^14000, bools, floats, NaN, strings, null, containers), a neighbour of its own value,
a known name of the format (strategies, rules, variants), a subtree grafted from any honest document, or nested
deeper; containers also lose, duplicate, swap, reorder or gain entries and keys. Text-level: truncation, bit flips,
invalid UTF-8, a BOM, a number rewritten as `1e3`, `1.0`, `NaN`, 5000 digits or nested 10^5 deep.

`count_formatting` lets a test see whether a decision formatted any value (a passing check must not).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from typing import Any

from mechproof.tasks.maxk.schema import SUBCUBIC_ATTENTION, SUBCUBIC_COUNT, SUBCUBIC_EUPU, SUBCUBIC_QK

Doc = Any
JsonPath = tuple[Any, ...]

HUGE = [2**40, -(2**40), 10**30, -(10**30), 2**1000, -(2**1000), 2**14000, -(2**14000), 2**33, -(2**33), 2**34, -(2**34)]
"""Huge values; 2^14000 has 4215 digits, just inside Python's 4300-digit limit on int↔str conversion."""
LIMITS = [127, 128, -149, -150, 256, -256, -257, 384, 1024, 2048, -2048, 2049, -2049, 4096, 65536, 8192, -8193, 2**128, 2**256]
"""Values at and just beyond the limits of docs/certificate.md §10."""
OTHER: list[Any] = [True, False, None, 1.0, 0.5, -0.0, float("nan"), float("inf"), "", "1", "x", [], {}, [[]], [1, 2]]
NAMES = [
    "cubic", "cubic+residual", "subcubic", "inv-sqrt", "exp-enclosure", "cubic-case", "cubic-prefix", "inputs-right",
    "inputs-wrong", "choices", "subcubic-case", "EQKE", "EQKP", "float32", "mechproof-certificate", "mechproof-weights",
    "weights.json", "../weights.json", "/etc/hostname", "./weights.json", "a" * 300, "weights.json/", "\ud800",
    "cubic.json", *SUBCUBIC_EUPU, *SUBCUBIC_ATTENTION, *SUBCUBIC_QK, *SUBCUBIC_COUNT,
]  # fmt: skip
"""Known names of both formats (so a swap passes the parser and reaches the checker), and hostile paths/strings."""
KEYS = [
    "residual", "wrong", "upper", "params", "extra", "", "\ud800", "a\nb", "\x1b[2J", "exp", "lo", "hi", "rows", "mant", "x", "y",
    "choices", "cases", "entries", "inputs", "witness", "provenance", "seed", "config",
]  # fmt: skip
MAX_BITS = 14200
"""A replacement integer stays below this many bits so that the mutant can still be written as JSON text."""


# ------------------------------------------------------------------------------------------ copy-on-write access
def get(doc: Doc, path: JsonPath) -> Doc:
    for k in path:
        doc = doc[k]
    return doc


def put(doc: Doc, path: JsonPath, value: Doc) -> Doc:
    """A new root equal to `doc` but with `value` at `path`; only the containers on the path are copied."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    new = list(doc) if isinstance(doc, list) else dict(doc)
    new[head] = put(doc[head], rest, value)
    return new


FOCUS = ("claims", "tensors", "choices", "residual", "wrong", "cases")
"""Keys a walk enters half the time when it meets them: the claims and tensors, where the checker's work is."""


def walk(doc: Doc, rng: random.Random, stop: float = 0.08) -> JsonPath:
    """A random path from the root: into a uniformly chosen key or entry (or a FOCUS key, half the time), stopping
    early with probability `stop`."""
    path: list[Any] = []
    while isinstance(doc, (dict, list)) and doc and rng.random() > stop:
        focus = [k for k in FOCUS if isinstance(doc, dict) and k in doc]
        if focus and rng.random() < 0.5:
            k = rng.choice(focus)
        else:
            k = rng.choice(list(doc)) if isinstance(doc, dict) else rng.randrange(len(doc))
        path.append(k)
        doc = doc[k]
    return tuple(path)


def _label(path: JsonPath) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k!r}" for k in path) or "(root)"


# ------------------------------------------------------------------------------------------ JSON-level mutations
def _replacement(x: Any, rng: random.Random, pool: list[Doc]) -> tuple[Any, str]:
    """A new value for node x: a neighbour of x, a boundary value, a known name, or a subtree of an honest doc."""
    kind = rng.random()
    if isinstance(x, int) and not isinstance(x, bool) and kind < 0.55:
        if rng.random() < 0.5:
            return x + rng.choice([1, -1]), "±1"
        y = rng.choice([-x, 2 * x, x + 1024, x - 1024, x * 2**40, x + 2**1000, x - 2**1000, x // 2, x**2 if abs(x) < 2**4000 else x])
        return y, "a neighbour of an int"
    if isinstance(x, str) and kind < 0.55:
        return rng.choice(NAMES + [x + "x", x[:-1], x.upper()]), "a name"
    if kind < 0.75:
        return rng.choice([0, 1, -1, 2, *HUGE, *LIMITS]), "an int"
    if kind < 0.88:
        return rng.choice(OTHER), "another type"
    if kind < 0.95:
        donor = rng.choice(pool)
        return get(donor, walk(donor, rng, stop=0.3)), "a grafted subtree"
    depth = rng.choice([2, 31, 33, 200])
    for _ in range(depth):
        x = [x]
    return x, f"nested {depth} deeper"


def _container_edit(x: Any, rng: random.Random) -> tuple[Any, str] | None:
    """Delete, duplicate, swap, reorder or add entries of a list, or keys of an object."""
    if isinstance(x, list) and x:
        i, j = rng.randrange(len(x)), rng.randrange(len(x))
        y = list(x)
        op = rng.choice(["delete", "duplicate", "swap", "reverse", "clear", "half", "append"])
        if op == "delete":
            del y[i]
        elif op == "duplicate":
            y.insert(i, y[i])
        elif op == "swap":
            y[i], y[j] = y[j], y[i]
        elif op == "reverse":
            y.reverse()
        elif op == "clear":
            y = []
        elif op == "half":
            y = y[: len(y) // 2]
        else:
            y.append(rng.choice([0, -1, 2**40, y[i]]))
        return y, f"list {op}"
    if isinstance(x, dict):
        y = dict(x)
        op = rng.choice(["delete", "add", "rename", "swap"] if x else ["add"])
        keys = list(x)
        if op == "delete":
            del y[rng.choice(keys)]
        elif op == "add":
            y[rng.choice(KEYS)] = rng.choice([0, None, {}, [], "x", {"rule": "inputs-right", "inputs": [0]}])
        elif op == "rename":
            k = rng.choice(keys)
            y[rng.choice(KEYS)] = y.pop(k)
        else:
            a, b = rng.choice(keys), rng.choice(keys)
            y[a], y[b] = x[b], x[a]
        return y, f"object {op}"
    return None


def _fits(v: Any) -> bool:
    """Can json.dumps write v (no integer beyond MAX_BITS bits anywhere in it)?"""
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, int) and abs(x).bit_length() > MAX_BITS:
            return False
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return True


def mutate_json(doc: Doc, rng: random.Random, pool: list[Doc]) -> tuple[Doc, str]:
    """1-3 edits at random paths (copy-on-write); `pool` holds the honest documents that grafts come from."""
    steps = []
    for _ in range(rng.choices([1, 2, 3], weights=[7, 2, 1])[0]):
        path = walk(doc, rng)
        node = get(doc, path)
        r = rng.random()
        edit = _container_edit(node, rng) if r < 0.6 else None
        if r >= 0.9 and path:  # swap this node with another one of the same document
            other = walk(doc, rng)
            if other[: len(path)] != path and path[: len(other)] != other:
                a, b = get(doc, path), get(doc, other)
                doc = put(put(doc, path, b), other, a)
                steps.append(f"swap {_label(path)} ↔ {_label(other)}")
                continue
        if edit is None:
            edit = _replacement(node, rng, pool)
        if not _fits(edit[0]):
            continue
        doc = put(doc, path, edit[0])
        steps.append(f"{_label(path)} := {edit[1]}")
    return doc, "; ".join(steps) or "no edit"


def dumps(doc: Doc, rng: random.Random) -> bytes:
    """Mostly compact JSON; sometimes indented or key-sorted (formatting never changes a verdict)."""
    style = rng.random()
    if style < 0.1:
        return json.dumps(doc, indent=1).encode()
    if style < 0.2:
        return json.dumps(doc, sort_keys=True).encode()
    return json.dumps(doc).encode()


# ------------------------------------------------------------------------------------------ text-level mutations
_NUMBER = re.compile(rb"-?\d+")
NUMBER_FORMS = [b"1e3", b"1E3", b"1.0", b"-0", b"01", b"NaN", b"Infinity", b"-Infinity", b"1e400", b"0x10", b"+1", b"1_0"]


def mutate_text(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """One edit of the raw bytes."""
    i = rng.randrange(len(data))
    op = rng.choice(["truncate", "flip", "byte", "utf8", "bom", "number", "number", "digits", "deep", "empty"])
    if op == "truncate":
        return data[:i], f"truncated at {i}"
    if op == "flip":
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :], f"bit flip at {i}"
    if op == "byte":
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :], f"byte replaced at {i}"
    if op == "utf8":
        bad = rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"])
        return data[:i] + bad + data[i:], f"invalid UTF-8 {bad!r} at {i}"
    if op == "bom":
        return b"\xef\xbb\xbf" + data, "UTF-8 BOM"
    if op == "empty":
        return b"", "empty file"
    match = _NUMBER.search(data, i) or _NUMBER.search(data)
    if match is None:
        return data[:i], f"truncated at {i}"
    if op == "number":
        new = rng.choice(NUMBER_FORMS)
    elif op == "digits":
        new = b"9" * rng.choice([4300, 4301, 5000])
    else:
        depth = rng.choice([33, 999, 100_000])
        new = b"[" * depth + match.group() + b"]" * depth
    return data[: match.start()] + new + data[match.end() :], f"number at {match.start()} := {new[:12]!r}… ({len(new)} bytes)"


# ------------------------------------------------------------------------------------------ formatting probe
def count_formatting(monkeypatch: Any) -> Counter[str]:
    """Count the calls of every function that turns a checker's value into text (short, short_int, dy_str,
    frac_str, show), wherever a mechproof module holds one: a passing check must call none of them (docs §5:
    values are formatted only when a check fails), so that it never formats a huge value."""
    import sys

    from mechproof import jsonfile
    from mechproof.checker import arith, failures
    from mechproof.tasks.maxk.checker import subcubic

    calls: Counter[str] = Counter()

    def counted(fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[fn.__name__] += 1
            return fn(*args, **kwargs)

        return wrapper

    originals = (jsonfile.short, jsonfile.short_int, arith.dy_str, subcubic.frac_str, failures.show)
    wrappers = {id(fn): (fn, counted(fn)) for fn in originals}
    for name, module in list(sys.modules.items()):
        if name == "mechproof" or name.startswith("mechproof."):
            for attr, value in list(vars(module).items()):
                hit = wrappers.get(id(value))
                if hit is not None and hit[0] is value:
                    monkeypatch.setattr(module, attr, hit[1])
    return calls
