"""How a checker reports the first claim that does not hold."""

from __future__ import annotations


class ClaimFailure(Exception):
    """A claim (by stable id) is false: what was compared, and the two values."""

    def __init__(self, claim_id: str, what: str, a: str, b: str) -> None:
        self.claim_id, self.what, self.a, self.b = claim_id, what, a, b
        super().__init__(f"{claim_id}: {what} ({a} vs {b})")


def require(ok: bool, claim_id: str, what: str, a: object, b: object) -> None:
    if not ok:
        raise ClaimFailure(claim_id, what, str(a), str(b))
