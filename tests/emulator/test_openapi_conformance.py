"""The emulator against Discord's own OpenAPI spec: every route exists there and real answers validate.

The spec lives outside the project (../shared/discord-api-spec/openapi.json, or $DISCORD_OPENAPI_SPEC);
without it these tests skip.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from discord_emulator import Bucket, DiscordEmulator, Limits
from discord_emulator.interactions import APPLICATION_COMMAND
from discord_emulator.permissions import DEFAULT_BOT, MANAGE_ROLES
from discord_emulator.rest import build_router
from discord_emulator.state import RequestRecord
from discord_emulator.world import World

pytestmark = pytest.mark.timeout(30)

SPEC_PATH = Path(
    os.environ.get("DISCORD_OPENAPI_SPEC")
    or Path(__file__).resolve().parents[3] / "shared" / "discord-api-spec" / "openapi.json"
)
SPEC_URI = "urn:discord-openapi"

# Emulator route template -> the spec's path template. Identity today (the emulator uses the spec's
# parameter names); a rename would be recorded here.
SPEC_PATHS: dict[str, str] = {}

# Answers that legitimately do not match the spec, with the reason. Keep this short.
KNOWN_DEVIATIONS: dict[tuple[str, str, int], str] = {}


def with_documented_fixes(spec: Json) -> Json:
    """The spec with the one schema we know to be wrong replaced by what Discord documents and sends.

    InnerErrors items reuse `Error`, whose `code` is an integer; but field errors inside a 50035 answer
    carry string codes such as "BASE_TYPE_MAX_LENGTH" (discord/discord-api-docs:
    developers/topics/opcodes-and-status-codes.mdx, "Example JSON Error Response"). Only that item
    schema changes; the top-level error and every other schema stay as published.
    """
    fixed = copy.deepcopy(spec)
    fixed["components"]["schemas"]["InnerErrors"]["properties"]["_errors"]["items"] = {
        "type": "object",
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        "required": ["code", "message"],
    }
    return fixed


Json = dict[str, Any]


@pytest.fixture(scope="module")
def spec() -> Json:
    if not SPEC_PATH.is_file():
        pytest.skip(f"Discord's OpenAPI spec is not at {SPEC_PATH}")
    document: Json = json.loads(SPEC_PATH.read_text())
    return document


def spec_operation(spec: Json, method: str, template: str) -> Json | None:
    path_item = spec["paths"].get(SPEC_PATHS.get(template, template))
    return None if path_item is None else path_item.get(method.lower())


def pointer(*parts: str) -> str:
    escaped = "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)
    return quote("/" + escaped, safe="/~")


def response_schema(spec: Json, method: str, template: str, status: int) -> tuple[str | None, bool]:
    """The JSON pointer of the schema for this status (None when the spec says no body), and whether it is listed."""
    operation = spec_operation(spec, method, template)
    assert operation is not None
    responses = operation["responses"]
    key = str(status) if str(status) in responses else f"{status // 100}XX"
    if key not in responses:
        return None, False
    response = responses[key]
    path: tuple[str, ...] = ("paths", SPEC_PATHS.get(template, template), method.lower(), "responses", key)
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[1]
        response = spec["components"]["responses"][name]
        path = ("components", "responses", name)
    if "content" not in response:
        return None, True
    return pointer(*path, "content", "application/json", "schema"), True


def all_routes() -> list[tuple[str, str]]:
    services = World.create(token="t", limits=Limits(), bot_name="Veraz")
    return sorted({(route.method, route.template) for route in build_router(services).routes})


def test_every_emulated_route_is_a_route_in_discords_spec(spec: Json) -> None:
    """(method, path template) of each emulated route exists in the spec, with the same path parameters."""
    missing = [
        (method, template) for method, template in all_routes() if spec_operation(spec, method, template) is None
    ]
    assert missing == []


ID_OPTION = {"type": 4, "name": "id", "description": "Number", "required": True, "min_value": 1}
WHERE_OPTION = {"type": 3, "name": "where", "description": "Place", "autocomplete": True}
KIND_OPTION = {"type": 3, "name": "kind", "description": "Kind", "choices": [{"name": "School", "value": "school"}]}
COMMAND = {
    "name": "incident",
    "description": "Moderate",
    "name_localizations": {"es-419": "incidente"},
    "options": [
        {
            "type": 2,
            "name": "note",
            "description": "Notes",
            "options": [
                {"type": 1, "name": "add", "description": "Add", "options": [ID_OPTION, WHERE_OPTION, KIND_OPTION]}
            ],
        }
    ],
}


@pytest.fixture
async def samples(spec: Json) -> AsyncIterator[list[RequestRecord]]:
    """Exercise every route once (plus a few error answers) and hand back the request log."""
    limits = Limits(global_limit=None)
    limits.buckets["GET /gateway/bot"] = Bucket(1, 60.0)
    async with DiscordEmulator("tok", limits=limits) as emu, aiohttp.ClientSession() as session:
        guild = emu.create_guild("Spec Guild")
        member = guild.add_member("ana")
        emu.add_bot_to_guild(guild, permissions=DEFAULT_BOT | MANAGE_ROLES)
        low_role = guild.create_role("alerts")
        bot_role = guild.role("Veraz")
        bot_role.position = low_role.position + 1
        general = guild.channel("general")
        app = emu.application_id

        async def call(method: str, path: str, body: Any = None, auth: bool = True) -> Any:
            headers = {"Authorization": f"Bot {emu.token}"} if auth else {}
            async with session.request(method, emu.api_base + path, json=body, headers=headers) as response:
                return await response.json() if response.content_type == "application/json" else None

        for path in ("/users/@me", "/users/@me/guilds", f"/users/{member.id}", "/oauth2/applications/@me",
                     "/applications/@me", "/gateway", "/gateway/bot", "/gateway/bot", f"/guilds/{guild.id}",
                     f"/guilds/{guild.id}/roles", f"/guilds/{guild.id}/roles/member-counts",
                     f"/guilds/{guild.id}/channels", f"/guilds/{guild.id}/members?limit=5",
                     f"/guilds/{guild.id}/members/{member.id}", f"/channels/{general.id}", "/channels/1"):  # fmt: skip
            await call("GET", path)
        role_path = f"/guilds/{guild.id}/members/{member.id}/roles/{low_role.id}"
        await call("PUT", role_path)
        await call("DELETE", role_path)
        made = await call("POST", f"/guilds/{guild.id}/roles", {"name": "Veraz · Pilsen", "mentionable": False})
        await call("PATCH", f"/guilds/{guild.id}/roles/{made['id']}", {"name": "Veraz · Pilsen (es)"})
        await call("PATCH", f"/guilds/{guild.id}/roles/{bot_role.id}", {"name": "higher than the bot"})
        await call("DELETE", f"/guilds/{guild.id}/roles/{made['id']}")

        for prefix in (f"/applications/{app}", f"/applications/{app}/guilds/{guild.id}"):
            synced = await call("PUT", f"{prefix}/commands", [COMMAND])
            await call("GET", f"{prefix}/commands")
            created = await call("POST", f"{prefix}/commands", {"name": "status", "description": "Status"})
            await call("POST", f"{prefix}/commands", {"name": "status", "description": "Status again"})
            await call("GET", f"{prefix}/commands/{synced[0]['id']}")
            await call("PATCH", f"{prefix}/commands/{synced[0]['id']}", {"description": "Moderate incidents"})
            await call("DELETE", f"{prefix}/commands/{created['id']}")
        await call("PUT", f"/applications/{app}/commands", [{"name": "Bad Name", "description": "x"}])

        dm = await call("POST", "/users/@me/channels", {"recipient_id": str(member.id)})
        await call("GET", f"/channels/{dm['id']}")
        embed = {"title": "Alert", "description": "Near Hamline", "fields": [{"name": "When", "value": "11:15"}]}
        button = {"type": 2, "style": 3, "label": "Confirm", "custom_id": "incident:1:confirm"}
        alert = {
            "content": f"Alert {member.mention}",
            "embeds": [embed],
            "components": [{"type": 1, "components": [button]}],
            "nonce": "n-1",
            "enforce_nonce": True,
        }
        first = await call("POST", f"/channels/{general.id}/messages", alert)
        await call("POST", f"/channels/{dm['id']}/messages", {"content": "hello"})
        await call("POST", f"/channels/{general.id}/messages", {"content": "x" * 2001})
        await call("GET", f"/channels/{general.id}/messages?limit=10")
        await call("GET", f"/channels/{general.id}/messages/{first['id']}")
        await call("PATCH", f"/channels/{general.id}/messages/{first['id']}", {"content": "Alert (updated)"})
        await call("POST", f"/channels/{general.id}/typing")
        await call("DELETE", f"/channels/{general.id}/messages/{first['id']}")

        def interaction() -> tuple[int, str]:
            record = emu.services.interactions.open(
                kind=APPLICATION_COMMAND,
                user=member.user,
                guild=guild.guild,
                channel=general,
                data={"id": synced[0]["id"], "name": "incident", "type": 1},
            )
            return record.id, record.token

        interaction_id, token = interaction()
        await call("POST", f"/interactions/{interaction_id}/{token}/callback?with_response=1",
                   {"type": 4, "data": {"content": "Thanks", "flags": 64}}, auth=False)  # fmt: skip
        webhook = f"/webhooks/{app}/{token}"
        followup = await call("POST", f"{webhook}?wait=1", {"content": "More", "embeds": [embed]}, auth=False)
        for message_path in (f"{webhook}/messages/@original", f"{webhook}/messages/{followup['id']}"):
            await call("GET", message_path, auth=False)
            await call("PATCH", message_path, {"content": "Edited"}, auth=False)
            await call("DELETE", message_path, auth=False)
        deferred_id, deferred_token = interaction()
        await call("POST", f"/interactions/{deferred_id}/{deferred_token}/callback?with_response=1",
                   {"type": 5}, auth=False)  # fmt: skip
        await call("POST", f"/interactions/{deferred_id}/{deferred_token}/callback?with_response=1",
                   {"type": 5}, auth=False)  # fmt: skip
        yield emu.requests


async def test_every_emulated_answer_validates_against_the_spec(spec: Json, samples: list[RequestRecord]) -> None:
    """Each sampled answer (successes and errors) has a status the spec lists and a body its schema accepts."""
    fixed = with_documented_fixes(spec)
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(fixed, default_specification=DRAFT202012))
    problems: list[str] = []
    for record in samples:
        assert record.route is not None, record.path
        if (record.method, record.route, record.status) in KNOWN_DEVIATIONS:
            continue
        where, listed = response_schema(spec, record.method, record.route, record.status)
        label = f"{record.method} {record.route} -> {record.status}"
        if not listed:
            problems.append(f"{label}: status not in the spec")
            continue
        if where is None:
            if record.response is not None:
                problems.append(f"{label}: the spec has no body but the emulator sent one")
            continue
        validator = Draft202012Validator({"$ref": f"{SPEC_URI}#{where}"}, registry=registry)
        for error in validator.iter_errors(record.response):
            problems.append(f"{label}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
    assert problems == [], "\n".join(problems)


async def test_the_samples_cover_every_route_with_a_success(samples: list[RequestRecord]) -> None:
    """So a new route cannot slip in without a conformance sample."""
    succeeded = {(r.method, r.route) for r in samples if 200 <= r.status < 300}
    assert [route for route in all_routes() if route not in succeeded] == []


async def test_the_samples_include_error_answers(samples: list[RequestRecord]) -> None:
    """Error bodies (50035 with errors, 404, 429, 40060) are validated too, not only successes."""
    statuses = {r.status for r in samples}
    assert {400, 404, 429} <= statuses
