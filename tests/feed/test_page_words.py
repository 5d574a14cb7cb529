"""The page's words carry its meaning alone (issue 23): the icon before a headline shows as an empty box
where no emoji font is installed, so it is hidden from screen readers and the words say what it says."""

from __future__ import annotations

import unicodedata
from html.parser import HTMLParser

import pytest

from bot.feed.page import page
from tests.feed.test_unfit_text import AT, LINKS, _message
from verification.alerts import AlertKind
from verification.community import Community
from verification.model import Language
from verification.public_feed import FeedIncident, Published

WORDS = {
    AlertKind.ALERT: ("ALERT", "ALERTA"),
    AlertKind.UPDATE: ("UPDATE", "ACTUALIZACIÓN"),
    AlertKind.CORRECTION: ("CORRECTION", "CORRECCIÓN"),
    AlertKind.RETRACTION: ("RETRACTION", "ALERTA RETIRADA"),
    AlertKind.ALL_CLEAR: ("ALL CLEAR", "FIN DEL AVISO"),
}


class Headlines(HTMLParser):
    """Each h3's text as a screen reader reads it (without what is aria-hidden), and what was hidden."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []
        self.hidden: list[str] = []
        self._in_h3 = False
        self._hiding = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h3":
            self._in_h3 = True
            self.read.append("")
        elif self._in_h3 and ("aria-hidden", "true") in attrs:
            self._hiding += 1
            self.hidden.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._in_h3 = False
        elif tag == "span" and self._hiding:
            self._hiding -= 1

    def handle_data(self, data: str) -> None:
        if self._in_h3 and self._hiding:
            self.hidden[-1] += data
        elif self._in_h3:
            self.read[-1] += data


@pytest.mark.parametrize("kind", list(AlertKind))
def test_a_headline_says_its_kind_in_words_and_hides_its_icon(kind: AlertKind) -> None:
    texts = ["Whittier Park", "Pilsen", "CPS", "https://cps.edu/news", "a quote", "a note", "a change", "a basis"]
    published = Published(5, _message(kind, texts), None if kind is AlertKind.ALERT else 4, AT)
    community = Community(1, "America/Chicago", Language.EN, feed=True, feed_slug=LINKS.slug)
    headlines = Headlines()
    headlines.feed(page([FeedIncident(7, kind is not AlertKind.RETRACTION, published)], community, LINKS, AT).decode())
    english, spanish = headlines.read
    assert english.strip().startswith(f"{WORDS[kind][0]} · #7 · Whittier Park")
    assert spanish.strip().startswith(f"{WORDS[kind][1]} · #7 · Whittier Park")
    for read in headlines.read:
        assert not [c for c in read if unicodedata.category(c) == "So"]  # no symbol a font may lack
    assert len(headlines.hidden) == 2
    assert all(hidden and all(unicodedata.category(c) in ("So", "Mn") for c in hidden) for hidden in headlines.hidden)
