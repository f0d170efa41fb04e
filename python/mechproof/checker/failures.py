"""How a checker reports the first claim that does not hold.

Values are kept as given and formatted only when the message is shown, abbreviated when huge: a check that
passes never formats anything, and a false claim about a 5000-digit number still prints FAIL, not a traceback.
"""

from __future__ import annotations

from typing import Any, Callable

from ..jsonfile import short


def show(v: Any) -> str:
    """A value for a message: callables are evaluated (lazy formatting), integers abbreviated when huge."""
    if callable(v):
        v = v()
    return v if isinstance(v, str) else short(v)


class ClaimFailure(Exception):
    """A claim (by stable id) is false: what was compared, and the two values."""

    def __init__(self, claim_id: str, what: str, a: Any, b: Any) -> None:
        self.claim_id, self.what = claim_id, what
        self._a, self._b = a, b
        super().__init__(claim_id)

    @property
    def a(self) -> str:
        return show(self._a)

    @property
    def b(self) -> str:
        return show(self._b)

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.what} ({self.a} vs {self.b})"


def require(ok: bool, claim_id: str, what: str, a: Any, b: Any) -> None:
    """Raise ClaimFailure unless `ok`; pass a lambda for a value that is costly to format."""
    if not ok:
        raise ClaimFailure(claim_id, what, a, b)


Lazy = Callable[[], str]
