"""A message as subscribers read it on Discord, as plain text for the web.

The feed says exactly what subscribers were sent, so it starts from the same rendering
(`bot.core.alert_text.render_alert`) and only takes Discord's markup away: bold marks, the escapes put
before every punctuation mark of people's text, the angle brackets that keep a link from previewing,
and the small-print line with the reference the delivery worker looks for (it names the server).

Every writer (Atom, CAP, the page) also passes all text through `xml_text`: a character XML cannot carry
(a lone surrogate, U+FFFE, a C0 control) would make the whole document malformed, or fail to encode and
answer 500, for every reader until the message aged out of the feed.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from bot.core import words
from bot.core.alert_text import render_alert
from verification.alerts import AlertMessage
from verification.model import Language

# Not XML 1.0 `Char`s (controls other than tab and line ends, lone surrogates, U+FFFE, U+FFFF), and those
# XML and HTML both discourage: the C1 controls and every Unicode noncharacter.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(p << 16 | 0xFFFE) + chr(p << 16 | 0xFFFF) for p in range(1, 17))
_UNFIT = re.compile(f"[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[{_NONCHARACTERS}]")
_MARKUP = re.compile(r"\\[!-/:-@\[-`{-~]|\*\*|<(https?://[^\s>]+)>")


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot carry or advises against: safe in any feed writer."""
    return _UNFIT.sub("", text)


def unmark(line: str) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("\\"):
            return token[1:]
        if token == "**":
            return ""
        return match.group(1)

    return _MARKUP.sub(replace, line)


def message_lines(message: AlertMessage, lang: Language, zone: tzinfo, community: int) -> list[str]:
    """The lines subscribers in `lang` read, without markup; the first is the headline."""
    text = render_alert(message, lang, zone, community=community, direct=False)
    return [unmark(line) for line in text.split("\n") if line.strip() and not line.startswith("-# ")]


def place_shown(message: AlertMessage, lang: Language) -> str:
    """The place and area as subscribers saw them: a home only ever as its block."""
    return unmark(words.place_of(message.facts, lang))
