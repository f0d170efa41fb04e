"""Errors that the CLI turns into exit codes.

`InputError` means the user gave us something malformed (exit 2); it always names the file and the field so the
message alone says what to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable


class InputError(Exception):
    """Malformed input: a file, a field in it, and what was expected."""

    def __init__(self, path: str | Path | None, field: str | None, message: str) -> None:
        self.path = None if path is None else str(path)
        self.field = field
        self.message = message
        where = ": ".join(x for x in (self.path, self.field) if x)
        super().__init__(f"{where}: {message}" if where else message)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """"did you mean a, b? " for the choices close to a mistyped `word` (difflib), or "" if none is."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=3)
    return f"did you mean {', '.join(close)}? " if close else ""
