"""Community settings, cached: every command and button checks them, and they change only on /setup."""

from __future__ import annotations

from verification import usecases
from verification.community import Community
from verification.ports import UnitOfWork


class CommunityCache:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._known: dict[int, Community | None] = {}

    async def get(self, guild_id: int) -> Community | None:
        if guild_id not in self._known:
            self._known[guild_id] = await usecases.get_community(self._uow, guild_id)
        return self._known[guild_id]

    def forget(self, guild_id: int) -> None:
        """After a change (setup, places): the next read goes to the database."""
        self._known.pop(guild_id, None)
