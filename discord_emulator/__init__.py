"""A loopback emulator of the part of Discord API v10 a slash-command bot uses (see docs/emulator.md)."""

from .actors import MemberActor
from .errors import ActorError, DiscordError, EmulatorTimeout, InteractionFailed
from .guilds import GuildHandle, overwrite
from .limits import Bucket, Limits
from .results import Choice, InteractionResult, ModalView
from .server import DiscordEmulator
from .snowflakes import snowflake_time
from .state import Attachment, Channel, Message, Overwrite, Ping, RequestRecord, Revision, Role, User
from .world import FaultMode

__all__ = [
    "ActorError",
    "Attachment",
    "Bucket",
    "Channel",
    "Choice",
    "DiscordEmulator",
    "DiscordError",
    "EmulatorTimeout",
    "FaultMode",
    "GuildHandle",
    "InteractionFailed",
    "InteractionResult",
    "Limits",
    "MemberActor",
    "Message",
    "ModalView",
    "Overwrite",
    "Ping",
    "RequestRecord",
    "Revision",
    "Role",
    "User",
    "overwrite",
    "snowflake_time",
]
