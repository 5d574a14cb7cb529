"""Reading what a use case acts on, refusing politely what is not there."""

from __future__ import annotations

from ..community import Community
from ..errors import RuleViolation
from ..events import IncidentEvent
from ..incident import Incident
from ..ports import UnitOfWork


async def community_or_refuse(uow: UnitOfWork, community_id: int, *, configured: bool = True) -> Community:
    community = await uow.communities.get(community_id)
    if community is None or (configured and not community.configured):
        raise RuleViolation("not_configured")
    return community


async def load(uow: UnitOfWork, community: int, number: int) -> tuple[list[IncidentEvent], Incident]:
    found = await uow.incidents.current(community, number)
    if found is None:
        raise RuleViolation("unknown_incident", number=number)
    return found
