"""The delivery worker's requests fail fast on a 5xx, and `DiscordHealth` sees every REST request's outcome
(issue 23, recovery after an outage): real discord.py against the emulator over loopback."""

from __future__ import annotations

import time

import aiohttp
import discord
import pytest

from bot.core.discord_health import DiscordHealth, fail_fast
from discord_emulator import DiscordEmulator, FaultMode, Limits
from discord_emulator.redirect import point_discord_at

pytestmark = pytest.mark.timeout(60)


async def test_a_delivery_request_meets_a_5xx_once_where_discord_py_alone_would_retry_it():
    """The delivery worker's requests fail fast (its own backoff and probes decide what comes next); any
    other request keeps discord.py's retries. The health sees both."""
    health = DiscordHealth()
    async with DiscordEmulator("t", limits=Limits()) as emu:
        undo = point_discord_at(emu.api_base, emu.gateway_url)
        client = discord.Client(intents=discord.Intents.none(), http_trace=health.trace())
        try:
            await client.login(emu.token)
            me = discord.http.Route("GET", "/users/@me")
            emu.fail_next("GET", "/users/@me$", status=502)
            await client.http.request(me)  # discord.py retried it, a second later
            assert [r.status for r in emu.requests if r.path.endswith("/users/@me")][-2:] == [502, 200]
            assert not health.failing

            emu.fail_next("GET", "/users/@me$", status=502)
            started = time.monotonic()
            with pytest.raises(discord.DiscordServerError), fail_fast():
                await client.http.request(me)
            assert time.monotonic() - started < 0.5
            assert [r.status for r in emu.requests if r.path.endswith("/users/@me")][-1] == 502
            assert health.failing
            await client.http.request(me)
            assert not health.failing

            emu.fail_next("GET", "/users/@me$", mode=FaultMode.DROP, times=5)  # no answer: a failure too
            with pytest.raises(aiohttp.ClientError):
                await client.http.request(me)
            assert health.failing
            with pytest.raises(discord.NotFound):  # a 4xx is an answer: Discord is up
                await client.http.request(discord.http.Route("GET", "/channels/{channel_id}", channel_id=1))
            assert not health.failing
        finally:
            await client.close()
            undo()


def test_probes_back_off_to_about_one_a_second_with_jitter_however_long_the_outage():
    health = DiscordHealth()
    delays = [health.probe_delay(n) for n in range(1, 20_000)]  # hours of an outage
    assert 0.125 <= delays[0] <= 0.375
    assert all(0.5 <= d <= 1.5 for d in delays[5:])
    assert len({round(d, 6) for d in delays[5:100]}) > 50  # jittered: no two bots in step
