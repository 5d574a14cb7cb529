"""Message, modal and autocomplete payload checks, with Discord's error codes and field paths.

Validators return (field path, error code, message) problems; errors.invalid_form_body() turns them into
the 400/50035 answer Discord gives, with the same nested `errors` object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import FieldPath
from .limits import COMPONENTS_V2_FLAG, Limits

Json = dict[str, Any]
Problem = tuple[FieldPath, str, str]
Path = list[str | int]


def _too_long(path: FieldPath, limit: int) -> Problem:
    return (path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _required(path: FieldPath) -> Problem:
    return (path, "BASE_TYPE_REQUIRED", "This field is required")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def validate_message_fields(payload: Json, limits: Limits, prefix: FieldPath = ()) -> list[Problem]:
    """Content, embeds, components, nonce and allowed_mentions, checked as Discord checks them."""
    problems = _validate_types(payload, prefix)
    if problems:
        return problems
    content = payload.get("content")
    if isinstance(content, str) and len(content) > limits.content_length:
        problems.append(_too_long([*prefix, "content"], limits.content_length))
    embeds = payload.get("embeds")
    if isinstance(embeds, list):
        problems += _validate_embeds(embeds, limits, [*prefix, "embeds"])
    components = payload.get("components")
    if isinstance(components, list):
        v2 = bool(int(payload.get("flags") or 0) & COMPONENTS_V2_FLAG)
        problems += validate_components(components, limits, [*prefix, "components"], v2=v2)
        if v2 and (content or embeds):
            problems.append(
                (
                    [*prefix, "content" if content else "embeds"],
                    "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                    "The 'content' and 'embeds' fields cannot be used when using the IS_COMPONENTS_V2 flag",
                )
            )
    nonce = payload.get("nonce")
    if isinstance(nonce, str) and len(nonce) > limits.nonce_length:
        problems.append(_too_long([*prefix, "nonce"], limits.nonce_length))
    mentions = payload.get("allowed_mentions")
    if isinstance(mentions, dict):
        problems += _validate_allowed_mentions(mentions, [*prefix, "allowed_mentions"])
    return problems


def _validate_types(payload: Json, prefix: FieldPath) -> list[Problem]:
    """The shape checks Discord makes before any length check (they keep the validators below simple)."""
    problems: list[Problem] = []
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        problems.append(([*prefix, "content"], "BASE_TYPE_STRING", "Must be a string."))
    flags = payload.get("flags")
    if flags is not None and (isinstance(flags, bool) or not isinstance(flags, int)):
        problems.append(([*prefix, "flags"], "NUMBER_TYPE_COERCE", f'Value "{flags}" is not int.'))
    for key in ("embeds", "components", "attachments"):
        value = payload.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(([*prefix, key], "BASE_TYPE_ARRAY", "Must be an array."))
            continue
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                problems.append(
                    ([*prefix, key, index], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
                )
    mentions = payload.get("allowed_mentions")
    if mentions is not None and not isinstance(mentions, dict):
        problems.append(
            ([*prefix, "allowed_mentions"], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        )
    return problems


def _validate_embeds(embeds: list[Json], limits: Limits, path: FieldPath) -> list[Problem]:
    if len(embeds) > limits.embeds_per_message:
        return [_too_long(path, limits.embeds_per_message)]
    problems: list[Problem] = []
    total = 0
    for index, embed in enumerate(embeds):
        here = [*path, index]
        checks: list[tuple[Path, str, int]] = [
            (["title"], _text(embed.get("title")), limits.embed_title),
            (["description"], _text(embed.get("description")), limits.embed_description),
            (["footer", "text"], _text((embed.get("footer") or {}).get("text")), limits.embed_footer_text),
            (["author", "name"], _text((embed.get("author") or {}).get("name")), limits.embed_author_name),
        ]
        fields = embed.get("fields") or []
        if len(fields) > limits.embed_fields:
            problems.append(_too_long([*here, "fields"], limits.embed_fields))
        for position, embed_field in enumerate(fields):
            for key, limit in (("name", limits.embed_field_name), ("value", limits.embed_field_value)):
                text = _text(embed_field.get(key))
                if not text.strip():
                    problems.append(_required([*here, "fields", position, key]))
                checks.append((["fields", position, key], text, limit))
        for sub_path, text, limit in checks:
            total += len(text)
            if len(text) > limit:
                problems.append(_too_long([*here, *sub_path], limit))
    if total > limits.embed_total:
        problems.append((path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {limits.embed_total}"))
    return problems


def validate_components(components: list[Json], limits: Limits, path: FieldPath, *, v2: bool = False) -> list[Problem]:
    """Row counts and widths, custom_id length and uniqueness, button labels."""
    problems: list[Problem] = []
    if not v2 and len(components) > limits.action_rows:
        problems.append(_too_long(path, limits.action_rows))
    seen: set[str] = set()
    count = 0

    def visit(items: Iterable[tuple[FieldPath, Json]]) -> None:
        nonlocal count
        for item_path, component in items:
            count += 1
            kind = component.get("type")
            children = component.get("components")
            if kind == 1 and isinstance(children, list) and len(children) > limits.row_width:
                problems.append(_too_long([*item_path, "components"], limits.row_width))
            custom_id = component.get("custom_id")
            if isinstance(custom_id, str):
                if len(custom_id) > limits.custom_id_length:
                    problems.append(_too_long([*item_path, "custom_id"], limits.custom_id_length))
                if custom_id in seen:
                    problems.append(
                        (
                            [*item_path, "custom_id"],
                            "COMPONENT_CUSTOM_ID_DUPLICATED",
                            "Component custom id cannot be duplicated",
                        )
                    )
                seen.add(custom_id)
            if kind == 2:
                problems.extend(_validate_button(component, limits, item_path))
            if isinstance(children, list):
                visit(([*item_path, "components", i], child) for i, child in enumerate(children))
            for key in ("accessory", "component"):
                child = component.get(key)
                if isinstance(child, dict):
                    visit([([*item_path, key], child)])

    visit(([*path, i], component) for i, component in enumerate(components))
    if count > limits.total_components:
        problems.append(_too_long(path, limits.total_components))
    return problems


def _validate_button(button: Json, limits: Limits, path: FieldPath) -> list[Problem]:
    problems: list[Problem] = []
    label = button.get("label")
    if isinstance(label, str) and len(label) > limits.button_label:
        problems.append(_too_long([*path, "label"], limits.button_label))
    style = button.get("style")
    if style == 5 and not button.get("url"):
        problems.append(_required([*path, "url"]))
    if style in (1, 2, 3, 4) and not button.get("custom_id"):
        problems.append(_required([*path, "custom_id"]))
    return problems


def _validate_allowed_mentions(mentions: Json, path: FieldPath) -> list[Problem]:
    problems: list[Problem] = []
    parse = mentions.get("parse") or []
    for index, kind in enumerate(parse):
        if kind not in ("users", "roles", "everyone"):
            problems.append(
                (
                    [*path, "parse", index],
                    "BASE_TYPE_CHOICES",
                    "Value must be one of {'users', 'roles', 'everyone'}.",
                )
            )
    for kind in ("users", "roles"):
        explicit = mentions.get(kind) or []
        if kind in parse and explicit:
            problems.append(
                (
                    [*path],
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )
            )
        if len(explicit) > 100:
            problems.append(_too_long([*path, kind], 100))
    return problems


def validate_modal(data: Json, limits: Limits, path: FieldPath = ("data",)) -> list[Problem]:
    problems: list[Problem] = []
    title = data.get("title")
    if not isinstance(title, str) or not title:
        problems.append(_required([*path, "title"]))
    elif len(title) > limits.modal_title:
        problems.append(_too_long([*path, "title"], limits.modal_title))
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        problems.append(_required([*path, "custom_id"]))
    elif len(custom_id) > limits.custom_id_length:
        problems.append(_too_long([*path, "custom_id"], limits.custom_id_length))
    components = data.get("components")
    if not isinstance(components, list) or not components:
        problems.append(_required([*path, "components"]))
    else:
        if len(components) > limits.modal_components:
            problems.append(_too_long([*path, "components"], limits.modal_components))
        problems += validate_components(components, limits, [*path, "components"], v2=True)
    return problems


def validate_choices(data: Json, limits: Limits, path: FieldPath = ("data",)) -> list[Problem]:
    choices = data.get("choices")
    if not isinstance(choices, list):
        return [_required([*path, "choices"])]
    problems: list[Problem] = []
    if len(choices) > limits.autocomplete_choices:
        problems.append(_too_long([*path, "choices"], limits.autocomplete_choices))
    for index, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            problems.append(
                ([*path, "choices", index, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            )
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            problems.append(_too_long([*path, "choices", index, "value"], 100))
    return problems
