"""The emulator's parts, bundled so route handlers, actors and the control API share one world."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from enum import StrEnum

from .commands import CommandStore
from .gateway import Gateway
from .interactions import Interactions
from .limits import Limits
from .messages import Messages
from .ratelimits import RateLimiter
from .registry import Registry


class FaultMode(StrEnum):
    REFUSE = "refuse"  # answer `status` without doing anything
    AFTER = "after"  # do what was asked, then answer `status` (the answer was lost on the way back)
    DROP = "drop"  # close the connection without an answer (a request that never reached Discord)
    HOLD = "hold"  # do what was asked, then never answer (the asking process dies waiting: a crash)


@dataclass
class Fault:
    """An outage a test asks for: the next `times` requests matching `method` ("*": any) and `path` meet
    it; with `until` (a `time.monotonic()` moment), only those that arrive before then."""

    method: str
    path: re.Pattern[str]
    status: int
    times: int
    mode: FaultMode = FaultMode.REFUSE
    until: float | None = None

    def ended(self, now: float) -> bool:
        return self.times <= 0 or (self.until is not None and now >= self.until)


@dataclass
class World:
    world: Registry
    messages: Messages
    interactions: Interactions
    commands: CommandStore
    gateway: Gateway
    limiter: RateLimiter
    errors: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    # How long slash()/click() wait after a "thinking" deferral for the first visible reply.
    settle_timeout: float = 5.0

    def fault_for(self, method: str, path: str) -> Fault | None:
        """The injected outage that this request meets, using it up; None: no outage."""
        now = time.monotonic()
        self.faults[:] = [f for f in self.faults if not f.ended(now)]
        for fault in self.faults:
            if fault.method in ("*", method) and fault.path.search(path):
                fault.times -= 1
                return fault
        return None

    @classmethod
    def create(cls, *, token: str, limits: Limits, bot_name: str) -> World:
        world = Registry(token=token, limits=limits, bot_name=bot_name)
        messages = Messages(world)
        return cls(
            world=world,
            messages=messages,
            interactions=Interactions(world, messages),
            commands=CommandStore(world),
            gateway=Gateway(world),
            limiter=RateLimiter(limits),
        )
