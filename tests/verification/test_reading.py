from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from verification.errors import RuleViolation, WhenRefused
from verification.model import Language
from verification.reading import parse_when, read_when

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2025, 1, 24, 12, 0, tzinfo=CHICAGO)


@pytest.mark.parametrize("text", ["tomorrow", "in 10 min", "8 days ago", "1" * 101])
def test_what_intake_refuses_reaches_users_as_the_one_rule_violation(text: str) -> None:
    """A time intake refuses becomes a WhenRefused, with intake's code and details, for the adapters."""
    with pytest.raises(WhenRefused) as raised:
        read_when(text, now=NOW, zone=CHICAGO, language=Language.EN)
    assert isinstance(raised.value, RuleViolation)
    assert raised.value.code in {"when_future", "when_too_old", "when_unparseable"}


def test_a_statement_time_that_is_no_time_is_refused_as_a_rule_violation() -> None:
    """parse_when's own refusals (not a time, too vague) are WhenRefused too."""
    with pytest.raises(WhenRefused, match="when_unparseable"):
        parse_when("idk", now=NOW, zone=CHICAGO, language=Language.EN)
    with pytest.raises(WhenRefused, match="when_vague"):
        parse_when("this morning", now=NOW, zone=CHICAGO, language=Language.EN)
