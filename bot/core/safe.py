"""User text made safe to show: it can never ping, link, format or break a message's limits.

Everything a reporter or moderator typed goes through `user_text` before it is placed in a message.
Messages are also sent with `allowed_mentions` that ping nobody (see `bot.core.outgoing`), so a mention that
slipped through would still be silent; escaping it keeps it from even looking like one.
"""

from __future__ import annotations

import re
import unicodedata

# Every character Discord's markdown gives meaning to, plus those that start mentions, channel links,
# emoji and timestamps (<@1>, <#2>, <:e:3>, <t:4>) and masked links ([text](url)). Discord consumes a
# backslash before any ASCII punctuation, so escaping them all shows the text exactly as typed.
_SPECIAL = re.compile(r"([\\*_~`|>#\-\[\]()<@:!.+=])")
_SPACES = re.compile(r"\s+")
ELLIPSIS = "…"

DISCORD_CONTENT_LIMIT = 2000


def plain(text: str) -> str:
    """No control or invisible format characters (zero-width, bidi overrides), whitespace folded."""
    kept = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in text
        if unicodedata.category(c) not in ("Cf", "Co", "Cs", "Cn")
    )
    return _SPACES.sub(" ", kept).strip()


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - 1)]
    space = head.rfind(" ")
    if space >= limit * 0.6:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def user_text(text: str | None, limit: int = 300) -> str:
    """Someone's text, on one line, cut to `limit` visible characters, with all formatting escaped."""
    return escape(cut(plain(text or ""), limit))
