"""Asking the reporters: a moderator's question reaches an incident's reporters by DM, through the bot,
and their answers reach the card, labelled only "reporter 2".

Reaching a reporter needs their Discord id, which Veraz never stores. The link from "reporter 2 of
incident #12" to a Discord id is therefore kept in this process's memory only, for the community's
relay window (24 hours by default), and is gone after that, or after a restart, or after /forget-me:
from then on nobody, Veraz included, can reach that reporter through it. That is by design.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from verification.model import Language


@dataclass(frozen=True, slots=True)
class Link:
    user_id: int
    language: Language
    expires: datetime


@dataclass(frozen=True, slots=True)
class Question:
    """One question to one reporter. Its `key` is in the DM's Answer button, and `message_id` is the DM
    itself, so an answer finds its way back to this server, this incident and nothing else."""

    key: int
    community: int
    number: int
    ordinal: int
    user_id: int
    language: Language
    asked: datetime
    expires: datetime
    message_id: int | None = None


@dataclass
class RelayBook:
    _links: dict[tuple[int, int], dict[int, Link]] = field(default_factory=dict)
    _questions: dict[int, list[Question]] = field(default_factory=dict)
    _next_key: int = 1

    def remember(
        self, community: int, number: int, ordinal: int, user_id: int, language: Language, until: datetime
    ) -> None:
        self._links.setdefault((community, number), {})[ordinal] = Link(user_id, language, until)

    def reporters(self, community: int, number: int, now: datetime) -> dict[int, Link]:
        """The incident's reporters still reachable, by reporter number."""
        self.sweep(now)
        return dict(self._links.get((community, number), {}))

    def asked(self, community: int, number: int, ordinal: int, link: Link, now: datetime) -> Question:
        question = Question(self._next_key, community, number, ordinal, link.user_id, link.language, now, link.expires)
        self._next_key += 1
        self._questions.setdefault(link.user_id, []).append(question)
        return question

    def sent(self, question: Question, message_id: int) -> None:
        """Remember which DM carries the question, so a reply to that DM answers it."""
        questions = self._questions.get(question.user_id, [])
        self._questions[question.user_id] = [
            replace(q, message_id=message_id) if q.key == question.key else q for q in questions
        ]

    def discard(self, question: Question) -> None:
        """A question whose DM never went out."""
        questions = [q for q in self._questions.get(question.user_id, []) if q.key != question.key]
        if questions:
            self._questions[question.user_id] = questions
        else:
            self._questions.pop(question.user_id, None)

    def pending(self, user_id: int, now: datetime) -> list[Question]:
        """The questions this person may still answer, oldest first."""
        self.sweep(now)
        return list(self._questions.get(user_id, []))

    def question(self, key: int, user_id: int, now: datetime) -> Question | None:
        """The question behind an Answer button, if it was asked of this person and is still open."""
        return next((q for q in self.pending(user_id, now) if q.key == key), None)

    def replying_to(self, user_id: int, message_id: int, now: datetime) -> Question | None:
        """The question a DM reply answers, found by the DM it replies to."""
        return next((q for q in self.pending(user_id, now) if q.message_id == message_id), None)

    def forget_user(self, user_id: int, community: int) -> None:
        """/forget-me in one server: that server's links and questions go; other servers' stay."""
        questions = [q for q in self._questions.get(user_id, []) if q.community != community]
        if questions:
            self._questions[user_id] = questions
        else:
            self._questions.pop(user_id, None)
        for (where, _number), links in self._links.items():
            if where == community:
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
