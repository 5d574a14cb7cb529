"""Synced application commands: stable ids per name, Discord's validation, lookup by (localized) path."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import errors
from .errors import FieldPath
from .registry import Registry
from .validation import Problem

Json = dict[str, Any]

CHAT_INPUT = 1
SUBCOMMAND = 1
SUBCOMMAND_GROUP = 2
CHOICE_TYPES = (3, 4, 10)
LOCALES = frozenset(
    {
        "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
        "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
    }
)  # fmt: skip
_NAME = re.compile(r"^[-_'\w]{1,32}$")


@dataclass(frozen=True)
class Resolved:
    """A command path the user typed, matched against the synced schema."""

    command: Json
    chain: tuple[Json, ...]  # the subcommand group and/or subcommand options on the way down
    options: tuple[Json, ...]  # the leaf's option schemas

    @property
    def qualified_name(self) -> str:
        return " ".join([self.command["name"], *(link["name"] for link in self.chain)])


def _bad_name(name: Any, chat_input: bool) -> bool:
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return True
    return chat_input and (not _NAME.match(name) or name != name.lower())


def _check_localizations(payload: Json, key: str, path: FieldPath, chat_input: bool) -> list[Problem]:
    problems: list[Problem] = []
    for locale, text in (payload.get(key) or {}).items():
        if locale not in LOCALES:
            problems.append(([*path, key, locale], "LOCALE_INVALID", f"Invalid locale {locale}"))
        elif key == "name_localizations" and _bad_name(text, chat_input):
            problems.append(([*path, key, locale], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
    return problems


def _check_options(options: Sequence[Json], path: FieldPath, depth: int) -> list[Problem]:
    problems: list[Problem] = []
    if len(options) > 25:
        problems.append(([*path], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    names: set[str] = set()
    seen_optional = False
    kinds = {option.get("type") for option in options}
    if kinds & {SUBCOMMAND, SUBCOMMAND_GROUP} and kinds - {SUBCOMMAND, SUBCOMMAND_GROUP}:
        problems.append(
            ([*path], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Subcommands cannot be mixed with options")
        )
    for index, option in enumerate(options):
        here = [*path, index]
        kind = option.get("type")
        name = option.get("name")
        if _bad_name(name, True):
            problems.append(([*here, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
        elif name in names:
            problems.append(
                ([*here, "name"], "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
            )
        names.add(str(name))
        description = option.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            problems.append(([*here, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
        problems += _check_localizations(option, "name_localizations", here, True)
        problems += _check_localizations(option, "description_localizations", here, True)
        if kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
            if (kind == SUBCOMMAND_GROUP and depth > 0) or (kind == SUBCOMMAND and depth > 1):
                problems.append(([*here, "type"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Invalid nesting"))
            children = option.get("options") or []
            if kind == SUBCOMMAND_GROUP and any(child.get("type") != SUBCOMMAND for child in children):
                problems.append(
                    ([*here, "options"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Groups hold subcommands")
                )
            problems += _check_options(children, [*here, "options"], depth + 1)
            continue
        if kind not in range(3, 12):
            problems.append(([*here, "type"], "BASE_TYPE_CHOICES", "Value must be a valid option type."))
        if option.get("required"):
            if seen_optional:
                problems.append(
                    (
                        [*here, "required"],
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if choices and kind not in CHOICE_TYPES:
            problems.append(([*here, "choices"], "BASE_TYPE_CHOICES", "Choices are only for strings and numbers"))
        if choices and option.get("autocomplete"):
            problems.append(
                ([*here, "autocomplete"], "AUTOCOMPLETE_AND_CHOICES_ERROR", "Autocomplete cannot be set with choices")
            )
        if len(choices) > 25:
            problems.append(([*here, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    return problems


def validate_command(payload: Json, path: FieldPath = ()) -> list[Problem]:
    kind = payload.get("type", CHAT_INPUT)
    chat_input = kind == CHAT_INPUT
    problems: list[Problem] = []
    if _bad_name(payload.get("name"), chat_input):
        problems.append(([*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
    description = payload.get("description") or ""
    if chat_input and not 1 <= len(description) <= 100:
        problems.append(([*path, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
    if not chat_input and description:
        problems.append(([*path, "description"], "BASE_TYPE_MAX_LENGTH", "Must be 0 or fewer in length."))
    problems += _check_localizations(payload, "name_localizations", path, chat_input)
    problems += _check_localizations(payload, "description_localizations", path, chat_input)
    problems += _check_options(payload.get("options") or [], [*path, "options"], 0)
    return problems


def _matches(entry: Json, word: str, locale: str) -> bool:
    localized = entry.get("name_localizations") or {}
    return word == entry.get("name") or word == localized.get(locale) or word in localized.values()


class CommandStore:
    def __init__(self, world: Registry) -> None:
        self.world = world
        self._ids: dict[tuple[int | None, int, str], int] = {}
        self._by_scope: dict[int | None, dict[int, Json]] = {}

    def _stored(self, scope: int | None, payload: Json) -> Json:
        kind = int(payload.get("type", CHAT_INPUT))
        key = (scope, kind, str(payload["name"]))
        command_id = self._ids.setdefault(key, self.world.snowflakes.now())
        permissions = payload.get("default_member_permissions")
        stored: Json = {
            "id": str(command_id),
            "application_id": str(self.world.application.id),
            "version": str(self.world.snowflakes.now()),
            "type": kind,
            "name": payload["name"],
            "name_localizations": payload.get("name_localizations"),
            "description": payload.get("description") or "",
            "description_localizations": payload.get("description_localizations"),
            "options": copy.deepcopy(payload.get("options") or []),
            "default_member_permissions": None if permissions is None else str(permissions),
            "dm_permission": payload.get("dm_permission", True),
            "contexts": payload.get("contexts"),
            "integration_types": payload.get("integration_types") or [0],
            "nsfw": bool(payload.get("nsfw", False)),
        }
        if scope is not None:
            stored["guild_id"] = str(scope)
        return stored

    def _scope(self, scope: int | None) -> dict[int, Json]:
        return self._by_scope.setdefault(scope, {})

    def bulk_overwrite(self, scope: int | None, payload: list[Json]) -> list[Json]:
        problems = [problem for index, item in enumerate(payload) for problem in validate_command(item, [index])]
        seen: set[tuple[int, str]] = set()
        for index, item in enumerate(payload):
            key = (int(item.get("type", CHAT_INPUT)), str(item.get("name")))
            if key in seen:
                problems.append(
                    (
                        [index, "name"],
                        "APPLICATION_COMMANDS_DUPLICATE_NAME",
                        "Application command names must be unique",
                    )
                )
            seen.add(key)
        if problems:
            raise errors.invalid_form_body(problems)
        commands = [self._stored(scope, item) for item in payload]
        self._by_scope[scope] = {int(command["id"]): command for command in commands}
        self.world.changed()
        return commands

    def upsert(self, scope: int | None, payload: Json) -> tuple[Json, bool]:
        """Create or replace one command; the flag says whether it is new (Discord answers 201 then)."""
        problems = validate_command(payload)
        if problems:
            raise errors.invalid_form_body(problems)
        command = self._stored(scope, payload)
        created = int(command["id"]) not in self._scope(scope)
        self._scope(scope)[int(command["id"])] = command
        self.world.changed()
        return command, created

    def get(self, scope: int | None, command_id: int) -> Json:
        found = self._scope(scope).get(command_id)
        if found is None:
            raise errors.unknown("application command")
        return found

    def edit(self, scope: int | None, command_id: int, payload: Json) -> Json:
        merged = {**self.get(scope, command_id), **payload}
        problems = validate_command(merged)
        if problems:
            raise errors.invalid_form_body(problems)
        command = self._stored(scope, merged)
        self._scope(scope)[command_id] = command
        self.world.changed()
        return command

    def delete(self, scope: int | None, command_id: int) -> None:
        self.get(scope, command_id)
        del self._scope(scope)[command_id]
        self.world.changed()

    def listing(self, scope: int | None) -> list[Json]:
        return list(self._scope(scope).values())

    def resolve(self, guild_id: int | None, path: str, locale: str) -> Resolved | None:
        """Find `path` ("incident confirm") among the guild's commands first, then the global ones."""
        words = path.split()
        if not words:
            return None
        scopes = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for command in self._scope(scope).values():
                if command["type"] == CHAT_INPUT and _matches(command, words[0], locale):
                    found = self._descend(command, words[1:], locale)
                    if found is not None:
                        return found
        return None

    @staticmethod
    def _descend(command: Json, words: list[str], locale: str) -> Resolved | None:
        chain: list[Json] = []
        options: list[Json] = command.get("options") or []
        for word in words:
            nested = [o for o in options if o.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP)]
            match = next((o for o in nested if _matches(o, word, locale)), None)
            if match is None:
                return None
            chain.append(match)
            options = match.get("options") or []
        if any(o.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP) for o in options):
            return None  # a group or a command with subcommands cannot be invoked by itself
        return Resolved(command=command, chain=tuple(chain), options=tuple(options))
