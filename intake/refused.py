"""Text that cannot be what it claims: a time in the future, an oversized field.

`verification` turns a `Refused` into its one rule-violation type (`WhenRefused`), so users only ever meet
that; `code` names the reason and `details` fill the message's placeholders.
"""

from __future__ import annotations


class Refused(ValueError):
    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code, details) if details else super().__init__(code)
        self.code = code
        self.details = details
