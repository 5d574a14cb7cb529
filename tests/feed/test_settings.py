"""The feed's settings: where to listen, the public address, the rate; a mistake is one clear line."""

from __future__ import annotations

import pytest

from bot.core.settings import SettingsError, load_settings
from bot.feed.links import Links, base_url


def test_the_feed_is_served_only_when_an_address_is_set() -> None:
    settings = load_settings({"VERAZ_FEED_ADDRESS": "127.0.0.1:8080"})
    assert settings.feed_listen == ("127.0.0.1", 8080)
    assert load_settings({"VERAZ_FEED_ADDRESS": "[::1]:9000"}).feed_listen == ("::1", 9000)
    assert load_settings({}).feed_listen is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [("VERAZ_FEED_ADDRESS", "8080x"), ("VERAZ_FEED_ADDRESS", "localhost"), ("VERAZ_FEED_ADDRESS", "h:70000"),
     ("VERAZ_FEED_URL", "alerts.example.org"), ("VERAZ_FEED_RATE", "lots"), ("VERAZ_FEED_RATE", "0")],
)  # fmt: skip
def test_a_wrong_value_is_refused_with_its_name(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings({variable: value})


def test_links_use_the_public_url_when_given() -> None:
    links = Links(base_url("https://alerts.example.org/", "127.0.0.1:8080"), "abcdefghijkmnpqr")
    assert links.atom == "https://alerts.example.org/abcdefghijkmnpqr/alerts.atom"
    assert Links(base_url(None, "0.0.0.0:8080"), "s").cap(7) == "http://0.0.0.0:8080/s/cap/7.xml"
