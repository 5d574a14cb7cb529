"""Asking the reporters: a moderator's question reaches an incident's reporters by DM, through the bot,
and their answers reach the card, labelled only "reporter 2".

Reaching a reporter needs their Discord id, which Veraz never stores. The link from "reporter 2 of
incident #12" to a Discord id is therefore kept in this process's memory only, for the community's
relay window (24 hours by default), and is gone after that, or after a restart, or after /forget-me:
from then on nobody, Veraz included, can reach that reporter through it. That is by design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from verification.model import Language


@dataclass(frozen=True, slots=True)
class Link:
    user_id: int
    language: Language
    expires: datetime


@dataclass(frozen=True, slots=True)
class Question:
    community: int
    number: int
    ordinal: int
    asked: datetime
    expires: datetime


@dataclass
class RelayBook:
    _links: dict[tuple[int, int], dict[int, Link]] = field(default_factory=dict)
    _questions: dict[int, list[Question]] = field(default_factory=dict)

    def remember(
        self, community: int, number: int, ordinal: int, user_id: int, language: Language, until: datetime
    ) -> None:
        self._links.setdefault((community, number), {})[ordinal] = Link(user_id, language, until)

    def reporters(self, community: int, number: int, now: datetime) -> dict[int, Link]:
        """The incident's reporters still reachable, by reporter number."""
        self.sweep(now)
        return dict(self._links.get((community, number), {}))

    def asked(self, community: int, number: int, ordinal: int, link: Link, now: datetime) -> None:
        question = Question(community, number, ordinal, now, link.expires)
        self._questions.setdefault(link.user_id, []).append(question)

    def answering(self, user_id: int, now: datetime) -> Question | None:
        """The latest question this person was asked that may still be answered."""
        self.sweep(now)
        questions = self._questions.get(user_id)
        return questions[-1] if questions else None

    def forget_user(self, user_id: int) -> None:
        self._questions.pop(user_id, None)
        for links in self._links.values():
            for ordinal in [o for o, link in links.items() if link.user_id == user_id]:
                del links[ordinal]

    def sweep(self, now: datetime) -> None:
        """Drop every link and question past its window."""
        for key in list(self._links):
            live = {o: link for o, link in self._links[key].items() if link.expires > now}
            if live:
                self._links[key] = live
            else:
                del self._links[key]
        for user in list(self._questions):
            live_q = [q for q in self._questions[user] if q.expires > now]
            if live_q:
                self._questions[user] = live_q
            else:
                del self._questions[user]

    def __len__(self) -> int:
        return sum(len(links) for links in self._links.values())
