"""Whether Discord's REST API answers, as every request the bot makes sees it (issue 23: recovery after an
outage).

`DiscordHealth` watches discord.py's HTTP session through an aiohttp trace: an answer that is not a 5xx
(a 2xx, a 4xx, a 429 too) means Discord answers; a 5xx, or no answer at all (refused, reset, timed out),
is a failure. The delivery worker reads it to stop sending while Discord is down, to ask it gently
whether it is back (`probe_delay`), and to resume at full pace the moment any request succeeds again.

discord.py retries a 500, 502, 504 or 524 by itself, five tries over 25 seconds, before it raises. For
the delivery worker that is the wrong place to wait: every send in flight when Discord goes down sits
those 25 seconds out, its whole batch (and so the next claim) waits with it, and once Discord is back
they still sleep out the rest. So a delivery's own requests (its send, opening its DM channel, the look
in DM history) and the worker's probes fail fast (`fail_fast()`): the trace raises the 5xx at once, as
discord.py would have after its tries, and the worker decides: that delivery waits, in doubt, and the
worker probes instead of sending the rest. Every other request (a moderator's reply, a card edit, the
"amended" mark on an alert post) keeps discord.py's own retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Iterator
from contextvars import ContextVar
from types import SimpleNamespace

import aiohttp
import discord

log = logging.getLogger(__name__)

# True around a delivery's own requests (`fail_fast`): a 5xx is raised at once, for the worker to handle.
FAIL_FAST: ContextVar[bool] = ContextVar("veraz_fail_fast", default=False)
PROBE_BASE = 0.25  # seconds before the second probe; each next one waits twice as long...
PROBE_CAP = 1.0  # ...up to this, with jitter: about one request a second, and back within about a second
UNREACHABLE = (aiohttp.ClientError, TimeoutError)  # no answer: refused, reset, dropped, timed out


@contextlib.contextmanager
def fail_fast() -> Iterator[None]:
    """The requests made inside (in this task) meet a 5xx once, not discord.py's five tries."""
    token = FAIL_FAST.set(True)
    try:
        yield
    finally:
        FAIL_FAST.reset(token)


class DiscordHealth:
    def __init__(self, *, probe_base: float = PROBE_BASE, probe_cap: float = PROBE_CAP) -> None:
        self.probe_base = probe_base
        self.probe_cap = probe_cap
        self._failing = False
        self._answered = asyncio.Event()
        self._answered.set()
        self.down_since: float | None = None  # a probe confirmed the outage (monotonic time)
        self.outages = 0  # confirmed outages Discord came back from, for the figures

    @property
    def failing(self) -> bool:
        """Discord's last word was a failure: nothing it answered since."""
        return self._failing

    def failed(self) -> None:
        self._failing = True
        self._answered.clear()

    def answered(self) -> None:
        self._failing = False
        self._answered.set()
        if self.down_since is not None:
            self.outages += 1
            log.info("Discord answers again", extra={"down_s": round(time.monotonic() - self.down_since, 1)})
            self.down_since = None

    def confirm_down(self) -> None:
        """A probe failed too: an outage, not one request's bad luck. Said once per outage."""
        if self._failing and self.down_since is None:
            self.down_since = time.monotonic()
            log.warning("Discord is not answering: deliveries wait, and it is asked again every few seconds")

    def probe_delay(self, probes: int) -> float:
        """Seconds before the next probe, after `probes` failed ones: doubling from `probe_base`, never more
        than `probe_cap`, with jitter so many bots (or processes) do not ask Discord in step."""
        doubled = self.probe_base * 2.0 ** min(max(0, probes - 1), 30)  # an outage of hours: no overflow
        return min(self.probe_cap, doubled) * random.uniform(0.5, 1.5)

    async def wait_answered(self, seconds: float) -> bool:
        """Until any request gets an answer (then True), or `seconds`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._answered.wait(), seconds)
        return not self._failing

    def trace(self) -> aiohttp.TraceConfig:
        """The trace to give discord.py (`http_trace=`): it sees every REST request's outcome."""
        return self.watch(aiohttp.TraceConfig())

    def watch(self, config: aiohttp.TraceConfig) -> aiohttp.TraceConfig:
        """`config` (discord.py takes one trace) with this health's hooks added."""
        config.on_request_end.append(self._on_end)
        config.on_request_exception.append(self._on_exception)
        return config

    async def _on_end(
        self, _session: aiohttp.ClientSession, _ctx: SimpleNamespace, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if not _is_rest(params.url):
            return  # the gateway's websocket, a CDN download: not the REST API
        status = params.response.status
        if status < 500:
            self.answered()
            return
        self.failed()
        if FAIL_FAST.get():
            # Raised inside aiohttp's request, which closes the response; discord.py lets it through
            # (it only catches OSError), so the caller gets the very error discord.py raises after its tries.
            raise discord.DiscordServerError(params.response, await discord.http.json_or_text(params.response))

    async def _on_exception(
        self, _session: aiohttp.ClientSession, _ctx: SimpleNamespace, params: aiohttp.TraceRequestExceptionParams
    ) -> None:
        if _is_rest(params.url) and isinstance(params.exception, UNREACHABLE):
            self.failed()


def _is_rest(url: object) -> bool:
    return str(url).startswith(discord.http.Route.BASE)
