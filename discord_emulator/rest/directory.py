"""Read-mostly routes: the bot's user and application, the gateway URL, users, guilds, roles, channels."""

from __future__ import annotations

from .. import errors, payloads
from ..permissions import ADMINISTRATOR, MANAGE_ROLES, guild_permissions
from ..state import Guild, Role
from ..world import World
from .router import Call, Reply, Router


def register(router: Router, services: World) -> None:
    world = services.world

    def joined_guild(call: Call) -> Guild:
        guild = world.guilds.get(call.snowflake("guild_id"))
        if guild is None:
            raise errors.unknown("Guild")
        if not world.bot_in(guild):
            raise errors.missing_access()
        return guild

    async def get_me(call: Call) -> Reply:
        return Reply(body=payloads.current_user(world.bot))

    async def get_user(call: Call) -> Reply:
        found = world.users.get(call.snowflake("user_id"))
        if found is None:
            raise errors.unknown("User")
        return Reply(body=payloads.user(found))

    async def my_guilds(call: Call) -> Reply:
        bot_id = world.bot.id
        listing: list[dict[str, object]] = [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "banner": None,
                "owner": g.owner_id == bot_id,
                "permissions": str(guild_permissions(g, g.members[bot_id])),
                "features": [],
            }
            for g in world.bot_guilds()
        ]
        return Reply(body=listing)

    async def application(call: Call) -> Reply:
        return Reply(body=payloads.application(world.application))

    async def gateway(call: Call) -> Reply:
        return Reply(body={"url": services.gateway.url})

    async def gateway_bot(call: Call) -> Reply:
        limit = {
            "total": 1000,
            "remaining": 1000 - services.gateway.identify_count,
            "reset_after": 86_400_000,
            "max_concurrency": 1,
        }
        shards = world.limits.recommended_shards
        return Reply(body={"url": services.gateway.url, "shards": shards, "session_start_limit": limit})

    async def get_guild(call: Call) -> Reply:
        return Reply(body=payloads.guild(joined_guild(call), world))

    async def guild_roles(call: Call) -> Reply:
        guild = joined_guild(call)
        return Reply(body=[payloads.role(r) for r in sorted(guild.roles.values(), key=lambda r: r.position)])

    async def guild_channels(call: Call) -> Reply:
        return Reply(body=[payloads.channel(c, world) for c in joined_guild(call).live_channels])

    async def guild_member(call: Call) -> Reply:
        member = joined_guild(call).members.get(call.snowflake("user_id"))
        if member is None:
            raise errors.unknown("Member")
        return Reply(body=payloads.member(member))

    async def guild_members(call: Call) -> Reply:
        guild = joined_guild(call)
        limit = min(max(int(call.query.get("limit", "1")), 1), 1000)
        after = int(call.query.get("after", "0"))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
        return Reply(body=[payloads.member(m) for m in members[:limit]])

    async def role_member_counts(call: Call) -> Reply:
        # How many members hold each role (@everyone left out), as Discord answers without the members intent.
        guild = joined_guild(call)
        counts = {role: 0 for role in guild.roles if role != guild.id}
        for member in guild.members.values():
            for role in member.role_ids:
                if role in counts:
                    counts[role] += 1
        return Reply(body={str(role): count for role, count in counts.items()})

    def bot_permissions(guild: Guild) -> int:
        return guild_permissions(guild, guild.members[world.bot.id])

    def require_manage_roles(guild: Guild) -> None:
        if not bot_permissions(guild) & (MANAGE_ROLES | ADMINISTRATOR):
            raise errors.missing_permissions()

    def below_the_bot(guild: Guild, role: Role) -> None:
        """Discord's hierarchy rule: a bot can only grant, edit or delete roles below its own highest."""
        require_manage_roles(guild)
        if guild.owner_id == world.bot.id:
            return
        bot_member = guild.members[world.bot.id]
        top = max((guild.roles[r].position for r in bot_member.role_ids if r in guild.roles), default=0)
        if role.position >= top or role.managed:
            raise errors.missing_permissions()

    def role_of(guild: Guild, call: Call) -> Role:
        role = guild.roles.get(call.snowflake("role_id"))
        if role is None:
            raise errors.unknown("Role")
        return role

    def role_changes(body: dict[str, object], guild: Guild) -> dict[str, object]:
        """The editable fields of a role body, checked as Discord checks them."""
        problems: list[tuple[list[str | int], str, str]] = []
        changes: dict[str, object] = {}
        name = body.get("name")
        if name is not None:
            if not isinstance(name, str) or len(name) > world.limits.role_name:
                problems.append(
                    (["name"], "BASE_TYPE_MAX_LENGTH", f"Must be {world.limits.role_name} or fewer in length.")
                )
            changes["name"] = name
        for flag in ("hoist", "mentionable"):
            if body.get(flag) is not None:
                if not isinstance(body[flag], bool):
                    problems.append(([flag], "BASE_TYPE_BAD_BOOLEAN", "Must be either true or false."))
                changes[flag] = body[flag]
        if body.get("color") is not None:
            changes["color"] = body["color"]
        if body.get("permissions") is not None:
            raw = str(body["permissions"])
            if not raw.isdigit():
                problems.append((["permissions"], "NUMBER_TYPE_COERCE", f'Value "{raw}" is not int.'))
            else:
                # A bot can only give a role permissions it has itself.
                if int(raw) & ~bot_permissions(guild):
                    raise errors.missing_permissions()
                changes["permissions"] = int(raw)
        if problems:
            raise errors.invalid_form_body(problems)
        return changes

    async def create_role(call: Call) -> Reply:
        guild = joined_guild(call)
        require_manage_roles(guild)
        body = call.body if isinstance(call.body, dict) else {}
        changes = role_changes(body, guild)
        if len(guild.roles) >= world.limits.roles_per_guild:
            raise errors.too_many_roles(world.limits.roles_per_guild)
        role = world.create_role(
            guild,
            str(changes.get("name") or "new role"),
            permissions=int(str(changes.get("permissions", 0))),
            mentionable=bool(changes.get("mentionable", False)),
            color=int(str(changes.get("color", 0))),
            hoist=bool(changes.get("hoist", False)),
            position=1,
        )
        return Reply(body=payloads.role(role))

    async def modify_role(call: Call) -> Reply:
        guild = joined_guild(call)
        role = role_of(guild, call)
        below_the_bot(guild, role)
        changes = role_changes(call.json_object(), guild)
        return Reply(body=payloads.role(world.update_role(guild, role, changes)))

    async def delete_role(call: Call) -> Reply:
        guild = joined_guild(call)
        role = role_of(guild, call)
        if role.id == guild.id:
            raise errors.DiscordError(400, 50028, "Invalid Role")
        below_the_bot(guild, role)
        world.delete_role(guild, role)
        return Reply(status=204)

    async def member_role(call: Call) -> Reply:
        guild = joined_guild(call)
        member = guild.members.get(call.snowflake("user_id"))
        if member is None:
            raise errors.unknown("Member")
        role = role_of(guild, call)
        below_the_bot(guild, role)
        if call.request.method == "PUT":
            world.set_roles(member, [*member.role_ids, role.id])
        else:
            world.set_roles(member, [r for r in member.role_ids if r != role.id])
        return Reply(status=204)

    async def get_channel(call: Call) -> Reply:
        channel = services.messages.channel_for_bot(call.snowflake("channel_id"))
        return Reply(body=payloads.channel(channel, world))

    router.add("GET", "/users/@me", get_me)
    router.add("GET", "/users/@me/guilds", my_guilds)
    router.add("GET", "/users/{user_id}", get_user)
    router.add("GET", "/oauth2/applications/@me", application)
    router.add("GET", "/applications/@me", application)
    router.add("GET", "/gateway", gateway, auth=False)
    router.add("GET", "/gateway/bot", gateway_bot)
    router.add("GET", "/guilds/{guild_id}", get_guild)
    router.add("GET", "/guilds/{guild_id}/roles", guild_roles)
    router.add("POST", "/guilds/{guild_id}/roles", create_role)
    router.add("GET", "/guilds/{guild_id}/roles/member-counts", role_member_counts)
    router.add("PATCH", "/guilds/{guild_id}/roles/{role_id}", modify_role)
    router.add("DELETE", "/guilds/{guild_id}/roles/{role_id}", delete_role)
    router.add("GET", "/guilds/{guild_id}/channels", guild_channels)
    router.add("GET", "/guilds/{guild_id}/members", guild_members)
    router.add("GET", "/guilds/{guild_id}/members/{user_id}", guild_member)
    router.add("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role)
    router.add("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role)
    router.add("GET", "/channels/{channel_id}", get_channel)
