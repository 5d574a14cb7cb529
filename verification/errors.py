"""Errors of the verification domain.

There is one exception type for a request the rules refuse::

    RuleViolation(code, **details)
    └── WhenRefused       the reporter's "when" is not a time we accept

`code` is a stable, machine-readable key (``"already_voted"``, ``"when_future"``). Adapters translate
it into the user's language; `details` fill the message's placeholders. Anything else that escapes the
domain is a bug, not a refusal.
"""

from __future__ import annotations


class RuleViolation(Exception):
    """A request the rules refuse. `code` picks the message shown to the user."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code, details) if details else super().__init__(code)
        self.code = code
        self.details = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.details!r})"


class WhenRefused(RuleViolation):
    """The reporter's description of when something happened is refused (read by `intake.time`, see docs/intake.md)."""
