"""The feed over HTTP: Atom read by feedparser, conditional requests, one 404, headers, the rate limit."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import feedparser
from aiohttp.test_utils import TestClient, TestServer

from bot.feed.server import FeedServer, RateLimiter
from tests.builders import MOD_A
from tests.feed.conftest import BASE, Served
from tests.feed.world import NOW, SECRETS
from verification import usecases
from verification.community import Community
from verification.public_feed import FeedIncident, FeedStamp, Published


async def test_the_atom_feed_lists_what_was_published_to_it_newest_first(served: Served) -> None:
    response = await served.client.get(f"/{served.slug}/alerts.atom")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(await response.text())
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = parsed.entries
    assert [e.updated_parsed for e in entries] == sorted((e.updated_parsed for e in entries), reverse=True)
    titles = [e.title for e in entries]
    assert titles[0].startswith(f"✅ ALL CLEAR · #{served.world.unsent_number} ")
    assert titles[1].startswith(f"🚨 ALERT · #{served.world.unsent_number} ")  # the feed was told, if nobody else
    assert titles[2].startswith("⚠️ CORRECTION · #4")
    assert any(t.startswith("❌ RETRACTION · #3") for t in titles)
    assert not any(f"#{served.world.unconfirmed_number}" in t for t in titles)
    assert not any(f"#{served.world.private_number} " in t for t in titles)  # confirmed while the feed was off
    for entry in entries:
        [cap] = [link for link in entry.links if link.type == "application/cap+xml"]
        assert cap.href.startswith(f"{BASE}/{served.slug}/cap/")
        path = cap.href.removeprefix(BASE)
        assert (await served.client.get(path)).status == 200
    body = await response.text()
    for secret in SECRETS:
        assert secret not in body


async def test_conditional_requests_answer_304_until_a_new_message(served: Served) -> None:
    path = f"/{served.slug}/alerts.atom"
    first = await served.client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert modified == "Fri, 24 Jan 2025 17:16:00 GMT"  # the newest message: an all clear
    same = await served.client.get(path, headers={"If-None-Match": etag})
    assert same.status == 304
    assert await same.read() == b""
    assert (await served.client.get(path, headers={"If-Modified-Since": modified})).status == 304
    assert (await served.client.get(path, headers={"If-None-Match": '"other"'})).status == 200
    await usecases.resolve(served.database.unit_of_work(), NOW + timedelta(minutes=5), served.world.community.id,
                           served.world.open_number, MOD_A)  # fmt: skip
    after = await served.client.get(path, headers={"If-None-Match": etag})
    assert after.status == 200
    assert after.headers["ETag"] != etag
    assert feedparser.parse(await after.text()).entries[0].title.startswith("✅ ALL CLEAR · #4")


async def test_a_feed_that_is_off_and_a_slug_that_does_not_exist_answer_alike(served: Served) -> None:
    paths = ["/", "/alerts.atom", "/cap/1.xml"]

    async def answers(slug: str) -> list[tuple[int, bytes, str]]:
        found = []
        for path in paths:
            r = await served.client.get(f"/{slug}{path}")
            found.append((r.status, await r.read(), r.headers["Content-Type"]))
        return found

    unknown = await answers("abcdefghijkmnpqr")
    assert {status for status, _, _ in unknown} == {404}
    assert await answers("../../etc/passwd") == unknown
    assert await answers("' OR 1=1 --") == unknown
    await usecases.set_feed(served.database.unit_of_work(), served.world.community.id, on=False)
    assert await answers(served.slug) == unknown
    wrong_method = await served.client.post(f"/{served.slug}/alerts.atom", data=b"x")
    assert (wrong_method.status, await wrong_method.read()) == (404, unknown[0][1])


async def test_query_parameters_change_nothing(served: Served) -> None:
    plain = await (await served.client.get(f"/{served.slug}/alerts.atom")).read()
    for query in ("?limit=100000", "?id=1%20OR%201=1", "?community=2", "?slug=x';DROP TABLE alerts;--"):
        assert await (await served.client.get(f"/{served.slug}/alerts.atom{query}")).read() == plain


async def test_security_headers_on_every_answer(served: Served) -> None:
    for path in ("/", "/alerts.atom", "/cap/1.xml", "/nope"):
        r = await served.client.get(f"/{served.slug}{path}")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert "script-src" not in r.headers["Content-Security-Policy"]
        assert "aiohttp" not in r.headers.get("Server", "")


async def test_the_page_in_both_languages_with_the_retracted_one_marked(served: Served) -> None:
    r = await served.client.get(f"/{served.slug}/")
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    html = await r.text()
    assert "<script" not in html
    assert '<section lang="en" id="en">' in html
    assert '<section lang="es" id="es">' in html
    assert "Happening now" in html
    assert "Ahora mismo" in html
    assert "RETRACTED: this alert was wrong." in html
    assert "ALERTA RETIRADA: esta alerta estaba equivocada." in html
    assert "Russell Elementary" in html  # all clear 3 days ago
    assert "Whittier Park" not in html  # 10 days ago: only in the Atom feed
    for secret in SECRETS:
        assert secret not in html


async def test_each_client_has_its_own_bucket(served: Served) -> None:
    server = FeedServer(served.server.source, BASE, now=lambda: NOW, rate=0.001, burst=3)
    async with TestClient(TestServer(server.app())) as client:
        statuses = [(await client.get(f"/{served.slug}/alerts.atom")).status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    moment = [0.0]
    limiter = RateLimiter(rate=2.0, burst=2, clock=lambda: moment[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a"), limiter.allow("b")] == [True, True, False, True]
    moment[0] = 0.5
    assert limiter.allow("a")


class _Copy:
    """The world's feed as another server, with another id, would serve the same messages under the same slug."""

    def __init__(self, served: Served, other_id: int) -> None:
        self.source = served.server.source
        self.community_of = replace(served.world.community, id=other_id)
        self.real = served.world.community.id

    async def community(self, slug: str) -> Community | None:
        return self.community_of if slug == self.community_of.feed_slug else None

    async def community_by_id(self, community: int) -> Community | None:
        return self.community_of

    async def stamp(self, community: int) -> FeedStamp:
        return await self.source.stamp(self.real)

    async def published(self, community: int, limit: int = 100) -> Sequence[Published]:
        return await self.source.published(self.real, limit)

    async def one(self, community: int, alert_id: int) -> Published | None:
        return await self.source.one(self.real, alert_id)

    async def incidents(self, community: int, since: datetime) -> Sequence[FeedIncident]:
        return await self.source.incidents(self.real, since)

    async def close(self) -> None:
        pass


async def test_an_etag_is_the_same_whichever_server_runs_the_feed(served: Served) -> None:
    """Issue 23, section 10: an ETag hashed the server's (guild's) id, so anyone with candidate ids could tell
    which server runs a feed. It is a hash of the public body alone."""
    [alert, *_] = [p.id for p in await served.server.source.published(served.world.community.id)]
    paths = (f"/{served.slug}/", f"/{served.slug}/alerts.atom", f"/{served.slug}/cap/{alert}.xml")
    tags = []
    for other in (served.world.community.id, 1, 424242424242424242):
        server = FeedServer(_Copy(served, other), BASE, now=lambda: NOW, rate=1000.0, burst=1000)
        async with TestClient(TestServer(server.app())) as client:
            answers = [await client.get(path) for path in paths]
            tags.append([r.headers["ETag"] for r in answers])
            for r in answers:
                assert r.headers["ETag"] == '"' + hashlib.sha256(await r.read()).hexdigest()[:32] + '"'
    assert tags[0] == tags[1] == tags[2]
