"""Filling in a modal the bot opened: the MODAL_SUBMIT components, shaped like the modal's layout."""

from __future__ import annotations

from typing import Any

from . import payloads
from .errors import ActorError
from .world import World

Json = dict[str, Any]


class ModalFiller:
    """Builds the MODAL_SUBMIT components from the modal's layout and the values a test gives."""

    def __init__(self, services: World, values: dict[str, Any]) -> None:
        self._services = services
        self._values = values
        self._used: set[str] = set()
        self.resolved: dict[str, dict[str, Json]] = {}

    def fill(self, components: list[Json]) -> list[Json]:
        filled: list[Json] = []
        for top in components:
            if top.get("type") == 1:
                filled.append(
                    {
                        "type": 1,
                        "id": top.get("id"),
                        "components": [self._input(c, c.get("label")) for c in top["components"]],
                    }
                )
            elif top.get("type") == 18:
                filled.append(
                    {"type": 18, "id": top.get("id"), "component": self._input(top["component"], top.get("label"))}
                )
            else:
                filled.append({"type": top.get("type"), "id": top.get("id")})
        return filled

    def _lookup(self, component: Json, label: str | None) -> tuple[bool, Any]:
        for key in (component.get("custom_id"), label):
            if key is not None and key in self._values:
                self._used.add(key)
                return True, self._values[key]
        return False, None

    def _input(self, component: Json, label: str | None) -> Json:
        kind = component.get("type")
        name = label or component.get("custom_id")
        given, value = self._lookup(component, label)
        answer: Json = {"type": kind, "id": component.get("id"), "custom_id": component.get("custom_id")}
        if kind == 4:
            text = str(value) if given else str(component.get("value") or "")
            if component.get("required", True) and not text:
                raise ActorError(f"modal field {name!r} is required")
            if text and not component.get("min_length", 0) <= len(text) <= component.get("max_length", 4000):
                raise ActorError(f"modal field {name!r}: {len(text)} characters is outside the allowed length")
            answer["value"] = text
        elif kind in (3, 5, 6, 7, 8, 22):
            answer["values"] = [str(v) for v in value] if given else []
        elif kind == 21:
            answer["value"] = value if given else None
        elif kind == 23:
            answer["value"] = bool(value) if given else False
        elif kind == 19:
            answer["values"] = [self._upload(item) for item in (value if given else [])]
        return answer

    def _upload(self, item: Any) -> str:
        filename, data = item[0], item[1]
        world = self._services.world
        entry = world.new_attachment(filename, bytes(data), ephemeral=True, scope=world.application.id)
        self.resolved.setdefault("attachments", {})[str(entry.id)] = payloads.attachment(entry)
        return str(entry.id)

    def check_all_used(self) -> None:
        unused = set(self._values) - self._used
        if unused:
            raise ActorError(f"the modal has no fields {sorted(unused)}")
