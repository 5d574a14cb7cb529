"""User text can never ping, link, format or overflow, whatever is typed."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.core.alert_text import compose
from bot.core.safe import user_text

HOSTILE = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list("@<>#&!*_~`|[]()\\:-.\u200b\u200e\u202e\n everyone here 0123456789"))),
    st.sampled_from(
        [
            "@everyone",
            "@here",
            "<@123456789012345678>",
            "<@&987654321098765432>",
            "[x](https://evil.example)",
            "**bold**",
            "# Heading",
            "> quote",
            "||spoiler||",
            "```code```",
            "<t:1700000000:R>",
            "-# small",
        ]
    ),
)


def unescaped(text: str, pattern: str) -> bool:
    """Whether `pattern` occurs with no backslash before its first character."""
    return re.search(r"(?<!\\)" + pattern, text) is not None


@given(HOSTILE, st.integers(min_value=1, max_value=500))
def test_user_text_cannot_mention_link_or_format(text, limit):
    safe = user_text(text, limit)
    assert not unescaped(safe, r"@(everyone|here)")
    assert not unescaped(safe, r"<[@#:t]")
    assert not unescaped(safe, r"\[[^\]]*\]\(")
    assert not unescaped(safe, r"\*\*")
    assert "\n" not in safe
    assert "\u202e" not in safe
    assert "\u200b" not in safe
    assert len(re.sub(r"\\(.)", r"\1", safe)) <= limit  # what readers see is within the limit


def test_known_attacks_are_neutralised():
    assert user_text("@everyone run!") == "\\@everyone run\\!"
    assert user_text("<@&123> [click](https://x.y)") == "\\<\\@&123\\> \\[click\\]\\(https\\://x\\.y\\)"
    assert user_text("line1\nline2\u202e") == "line1 line2"


@given(st.lists(st.text(max_size=600), max_size=20))
def test_a_composed_message_always_fits_discords_limit_and_keeps_its_head_and_foot(body):
    text = compose(["HEAD"], body, ["FOOT ref"], limit=2000)
    assert len(text) <= 2000
    assert text.startswith("HEAD")
    assert text.endswith("FOOT ref")


def test_a_reference_matches_only_itself():
    """Found in review: "ref 5.1.a" was a substring of "ref 5.1.ab"; communities shared short tags."""
    from bot.core.alert_text import carries, reference

    mine = reference(1575802413682524164, 5, 1)
    assert carries(f"text\n-# Veraz ref {mine}", mine)
    assert not carries(f"-# Veraz ref {mine}x", mine)
    assert not carries(f"-# Veraz ref 1{mine}", mine)
    assert len({reference(c, 5, 1) for c in range(1000, 2000)}) == 1000
