"""Reading the project's JSON files as hostile input: strict, bounded, and never a traceback.

Both file formats (weights, certificates) say "numbers are JSON integers" and nest a handful of levels. A file
that is not UTF-8, not JSON, nested deeper than MAX_DEPTH, or holds an integer Python refuses to parse (over 4300
digits) is malformed input (docs/certificate.md §10), reported as an InputError naming the file and what was
wrong, so the caller exits 2 instead of crashing.
"""

from __future__ import annotations

import json
import reprlib
from pathlib import Path
from typing import Any, Callable

from .errors import InputError

MAX_DEPTH = 32
"""docs §10: the deepest nesting of arrays/objects either file format may use (honest files use 6)."""

_REPR = reprlib.Repr()
_REPR.maxstring = 50
_REPR.maxother = 50
_REPR.maxlist = 6
_REPR.maxdict = 6
_REPR.maxlong = 40


def short(x: Any) -> str:
    """A short, cheap description of any parsed JSON value (never formats a huge integer or list in full)."""
    if isinstance(x, int) and not isinstance(x, bool):
        return short_int(x)
    return _REPR.repr(x)


def short_int(x: int) -> str:
    """An integer as text, abbreviated beyond 60 digits by its size alone (str() of a 5000-digit int fails)."""
    bits = abs(x).bit_length()
    if bits <= 196:  # < 60 decimal digits
        return str(x)
    digits = bits * 30103 // 100000 + 1  # ≈ bits·log10(2), exact enough to say how big it is
    return f"{'-' if x < 0 else ''}<{digits}-digit integer ≈ 2^{bits - 1}>"


def depth(doc: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(doc, 0)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, d + 1)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, d + 1) for child in node if isinstance(child, (list, dict)))
    return deepest


def is_file(path: Path) -> bool:
    """Path.is_file() that also answers False where the name itself is unusable (too long, no permission)."""
    try:
        return path.is_file()
    except OSError:
        return False


class _NotJson:
    """A number json.loads accepts but JSON (NaN, ±Infinity) or docs §10 (exponent forms such as 1e3, which the
    Lean checker refuses before parsing) does not, in every field, free-form `provenance` included."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Refused(ValueError):
    pass


def _refuse(text: str) -> Any:
    raise _Refused(text)


def _decimal(text: str) -> float:
    """A plain decimal (only free-form fields may hold one; typed fields refuse it)."""
    if "e" in text or "E" in text:
        raise _Refused(text)
    return float(text)


def _marked(text: str) -> Any:
    return _NotJson(text) if "e" in text or "E" in text else float(text)


def _where_refused(text: str) -> tuple[str | None, str]:
    """The field (`a.b[3]`) and text of the first refused number: the file parsed again with markers in their
    place (only when it is refused, so a valid file is parsed once). (None, "a number") if the second parse
    fails first, e.g. on deeper nesting further on."""
    try:
        doc = json.loads(text, parse_float=_marked, parse_constant=_NotJson)
    except (RecursionError, ValueError):
        return None, "a number"
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, _NotJson):
            return where or None, node.text
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        children = []
        for k, v in items:
            if isinstance(k, str):
                k = k if k.isidentifier() else short(k)  # a key is printed: quoted unless a plain name
                children.append((v, f"{where}.{k}" if where else k))
            else:
                children.append((v, f"{where}[{k}]"))
        stack.extend(reversed(children))
    return None, "a number"


def require_file(path: Path, what: str, like: Callable[[Path], bool] = lambda p: True) -> None:
    """Nothing if `path` is a file; else an InputError that says whether it is missing or a folder, and for a
    folder names the first file in it that is `like` the kind expected (a `what`, e.g. "certificate")."""
    if is_file(path):
        return
    try:
        folder = path.is_dir()
    except OSError:  # a name too long for the file system, say: as missing as it gets
        folder = False
    if not folder:
        raise InputError(path, None, f"no such {what} file")
    example = next((f for f in sorted(path.iterdir()) if not f.name.startswith(".") and is_file(f) and like(f)), None)
    hint = "" if example is None else f", e.g. {example}"
    raise InputError(path, None, f"is a folder; expected a {what} file{hint}")


def _json_like(what: str) -> Callable[[Path], bool]:
    """The files of a folder that are a `what`: its weights.json for weights, any other JSON file otherwise."""
    if what == "weights":
        return lambda f: f.name == "weights.json"
    return lambda f: f.suffix == ".json" and f.name != "weights.json"


def read_json(path: str | Path, what: str) -> Any:
    """Parse `path` (a `what`, e.g. "certificate") as UTF-8 JSON with integer-only numbers allowed to be big."""
    path = Path(path)
    require_file(path, what, _json_like(what))
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, None, f"unreadable ({e.strerror})") from None
    return decode_json(data, path)


def decode_json(data: bytes, path: str | Path | None = None) -> Any:
    """The bytes of a file as `read_json` parses them (for a caller that has read them already)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, None, "not UTF-8 text") from None
    return loads(text, path)


def loads(text: str, path: str | Path | None = None) -> Any:
    """JSON text as either format allows it (docs §10); every refusal is an InputError naming `path`."""
    try:
        doc = json.loads(text, parse_float=_decimal, parse_constant=_refuse)
    except _Refused:
        field, number = _where_refused(text)
        raise InputError(path, field, f"{number[:20]} is not a plain JSON number (NaN, Infinity and exponent forms such as 1e3 are refused, docs §10)") from None
    except json.JSONDecodeError as e:
        raise InputError(path, f"line {e.lineno} column {e.colno}", f"not valid JSON ({e.msg}); truncated?") from None
    except RecursionError:
        raise InputError(path, None, f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:  # e.g. an integer beyond Python's 4300-digit parsing limit
        raise InputError(path, None, f"unreadable JSON ({e})") from None
    # Deeper nesting than MAX_DEPTH can only pass json.loads: every typed field then refuses it (exit 2, like
    # Lean's pre-scan), and the one free-form field (weights `provenance`) is checked with `depth` by its parser.
    return doc
