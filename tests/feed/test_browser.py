"""The page in a real headless browser (Debian's chromium): it renders both languages and the retracted
state, and the browser logs no console message at all (a blocked style, script or image under the
Content-Security-Policy would be one). Skips, saying why, where chromium cannot run."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from bot.feed.server import FeedServer
from tests.feed.conftest import Served
from tests.feed.world import NOW

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "feed-page.png"
PHONE = "412,960"  # CSS pixels of a common Android phone: the open incident and the retracted one


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it when it can)")
    return found


async def browse(url: str, *flags: str) -> tuple[str, list[str]]:
    """The page's DOM (or nothing, with --screenshot) and every console line the browser logged."""
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--enable-logging=stderr", "--log-level=0", f"--window-size={PHONE}", *flags, url]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ, "LANG": "C.UTF-8"}
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    if process.returncode != 0:
        pytest.skip(f"chromium could not run here (exit {process.returncode}): {err.decode()[-300:]}")
    console = [line for line in err.decode(errors="replace").splitlines() if ":CONSOLE" in line]
    return out.decode(), console


def emoji_font() -> bool:
    """Whether fontconfig knows a font with the page's icons (🚨, the first of them)."""
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", ":charset=1f6a8", "family"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_page_in_a_real_browser(served: Served, tmp_path: Path) -> None:
    port = free_port()
    server = FeedServer(served.server.source, f"http://127.0.0.1:{port}", now=lambda: NOW)
    await server.start("127.0.0.1", port)
    try:
        url = f"http://127.0.0.1:{port}/{served.slug}/"
        dom, console = await browse(url, "--dump-dom")
        assert console == []
        assert "Happening now" in dom
        assert "Ahora mismo" in dom
        assert "RETRACTED: this alert was wrong." in dom
        assert "ALERTA RETIRADA: esta alerta estaba equivocada." in dom
        assert "2400 block of S Wolcott Ave" in dom
        assert "cuadra 2400 de S Wolcott Ave" in dom
        shot = tmp_path / "page.png"
        _, console = await browse(url, f"--screenshot={shot}")
        assert console == []
        assert shot.read_bytes().startswith(b"\x89PNG")
        if os.environ.get("VERAZ_UPDATE_SCREENSHOT"):
            # Without an emoji font the icons are empty boxes, as the screenshot once showed them.
            assert emoji_font(), "install an emoji font (Debian: fonts-noto-color-emoji) to refresh the screenshot"
            shutil.copyfile(shot, SCREENSHOT)
    finally:
        await server.stop()


async def test_the_console_check_catches_an_error(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><script>console.error('boom')</script>", encoding="utf-8")
    _, console = await browse(page.as_uri(), "--dump-dom")
    assert any("boom" in line for line in console)
