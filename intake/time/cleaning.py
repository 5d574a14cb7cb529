"""Text as typed, made into plain lowercase words: Unicode folded, emoji and punctuation dropped, units unglued."""

from __future__ import annotations

import re
import unicodedata

# --- cleaning ---------------------------------------------------------------------------------------------

_VULGAR = {"½": ".5", "¼": ".25", "¾": ".75"}
_CLEANING: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.ASCII), replacement)
    for pattern, replacement in (
        (r"(?<![a-z])([ap]) ?\. ?m(?![a-z])\.?", r"\1m"),  # a.m., p. m.
        (r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t(?=[0-9])", r"\1 "),  # ISO 8601's "T"
        (r"[~≈±]|\+ ?/? ?-", " about "),
        (r"@", " at "),
        (r"&", " and "),
        (r"[?¿]", " ? "),
        (r"([0-9]+(?:[.,][0-9]+)?) ?\+(?![0-9])", r" more than \1 "),  # "10+ min ago"
        (r"(?<=[0-9]) ?- ?(?=[0-9])", "-"),
        (r"(?<=[0-9]),(?=[0-9])", "."),  # "1,5 horas"
        (r"(?<![0-9.])\.(?=[0-9])", "0."),  # ".5 hours"
        (r"(?<![0-9])[-.:/]|[-.:/](?![0-9])", " "),  # kept only between digits
        (r"([0-9]) ?['’′](?![a-z])", r"\1 min "),  # "hace 30'"
        (r"['`´‘’]", ""),  # o'clock, 'bout
        (r"([0-9])(?:st|nd|rd|th)(?![a-z])", r"\1 ORD"),  # "the 22nd": a day of the month
        (r"(?<=[0-9])(?=[a-z])|(?<=[a-z])(?=[0-9])", " "),  # 9min, 7pm, 19h30
    )
)
# An ISO date-time's offset becomes one token ("OFFM0600"): a lone "+" or "-" means something else.
_ISO_OFFSET = re.compile(
    r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2} [0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?) ?"
    r"(?:(?P<z>z)|(?P<sign>[+-])(?P<hh>[0-9]{2}):?(?P<mm>[0-9]{2})?)(?![0-9:])",
    re.ASCII,
)


def _offset_token(match: re.Match[str]) -> str:
    if match["z"]:
        return f"{match[1]} OFFP0000"
    return f"{match[1]} OFF{'P' if match['sign'] == '+' else 'M'}{match['hh']}{match['mm'] or '00'}"


def clean(text: str) -> str:
    """Lower-case ASCII-ish words and number tokens, separated by single spaces (see the module doc)."""
    text = re.sub(r"([0-9])\s*([½¼¾])", lambda m: m[1] + _VULGAR[m[2]], text)  # before NFKC makes 1⁄2
    text = text.replace("½", " half ").replace("¼", " quarter ").replace("¾", " 0.75 ")
    kept: list[str] = []
    for char in unicodedata.normalize("NFKC", text).casefold():
        category = unicodedata.category(char)
        if category in ("Cf", "Cs"):
            continue
        if category == "Nd":
            kept.append(str(unicodedata.digit(char)))
        elif category[0] == "C":
            kept.append(" ")
        else:
            kept.append(char)
    text = "".join(c for c in unicodedata.normalize("NFD", "".join(kept)) if unicodedata.category(c)[0] != "M")
    for step, (pattern, replacement) in enumerate(_CLEANING):
        text = pattern.sub(replacement, text)
        if step == 1:  # the ISO "T" is gone and the offset's sign is still there
            text = _ISO_OFFSET.sub(_offset_token, text)
    return " ".join("".join(c if c.isalnum() or c in "-.:/?" else " " for c in text).split())
