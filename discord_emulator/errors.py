"""Errors, in one place.

DiscordError          an API error answered with Discord's JSON body {code, message, errors?}
ActorError            a test asked an actor to do what Discord's client would not let a user do
  └ InteractionFailed the bot did not answer an interaction in time ("The application did not respond")
EmulatorTimeout       (a TimeoutError) a wait_for helper gave up; the message says what it waited for
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Json = dict[str, Any]

FieldPath = Sequence[str | int]


class DiscordError(Exception):
    """An error response exactly as Discord shapes it."""

    def __init__(self, status: int, code: int, message: str, errors: Json | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> Json:
        body: Json = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class ActorError(Exception):
    """The emulated Discord client refuses the action (unknown command, missing option, disabled button)."""


class InteractionFailed(ActorError):
    """The bot never acknowledged the interaction within the deadline."""


class EmulatorTimeout(TimeoutError):
    """A wait gave up before its condition came true."""


def form_errors(problems: Iterable[tuple[FieldPath, str, str]]) -> Json:
    """Nest (path, code, message) problems the way Discord's 50035 `errors` object does."""
    root: Json = {}
    for path, code, message in problems:
        node = root
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return root


def invalid_form_body(problems: Iterable[tuple[FieldPath, str, str]]) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", form_errors(problems))


def unauthorized() -> DiscordError:
    return DiscordError(401, 0, "401: Unauthorized")


def route_not_found() -> DiscordError:
    return DiscordError(404, 0, "404: Not Found")


def method_not_allowed() -> DiscordError:
    return DiscordError(405, 0, "405: Method Not Allowed")


def unknown(kind: str) -> DiscordError:
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "User": 10013,
        "Webhook": 10015,
        "interaction": 10062,
        "application command": 10063,
        "Application": 10002,
    }
    return DiscordError(404, codes[kind], f"Unknown {kind}")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def cannot_dm() -> DiscordError:
    return DiscordError(403, 50007, "Cannot send messages to this user")


def cannot_edit_others() -> DiscordError:
    return DiscordError(403, 50005, "Cannot edit a message authored by another user")


def empty_message() -> DiscordError:
    return DiscordError(400, 50006, "Cannot send an empty message")


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def invalid_webhook_token() -> DiscordError:
    return DiscordError(401, 50027, "Invalid Webhook Token")


def entity_too_large() -> DiscordError:
    return DiscordError(413, 40005, "Request entity too large")


def invalid_recipient() -> DiscordError:
    return DiscordError(400, 50033, "Invalid Recipient(s)")


def too_many_roles(limit: int) -> DiscordError:
    return DiscordError(400, 30005, f"Maximum number of guild roles reached ({limit})")
