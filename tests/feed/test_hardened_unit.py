"""Veraz under README's hardened systemd unit (issue 23, section 2, found in review).

The unit's `SystemCallFilter=@system-service` and `SystemCallFilter=~@privileged @resources` deny every
system call of systemd's @resources set: without `SystemCallErrorNumber=` the kernel kills, with SIGSYS,
a process that makes one. The feed's process, started by `veraz run`, lowered its own CPU priority with
setpriority(2), one of them: it was killed as it started, every time, and the public feed never answered.
And `veraz run` itself was killed as it loaded the photos' hashing: numpy's OpenBLAS calls mbind(2). Here
the unit's rule is installed with seccomp (as systemd does) before each starts.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import platform
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.test_cli import ROOT, free_port
from tests.feed.conftest import Served
from tests.feed.test_guard import _get
from tests.test_deployment_kit import block

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.machine() != "x86_64", reason="the system call numbers are x86_64's"
)

# systemd 252's @resources on x86_64 (`systemd-analyze syscall-filter @resources`): ioprio_set, mbind,
# migrate_pages, move_pages, sched_setaffinity, sched_setattr, sched_setparam, sched_setscheduler,
# set_mempolicy, set_mempolicy_home_node, setpriority, setrlimit (`nice` has no x86_64 system call).
RESOURCES = (251, 237, 256, 279, 203, 314, 142, 144, 238, 450, 141, 160)
AUDIT_ARCH_X86_64 = 0xC000003E
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
RET_KILL_PROCESS, RET_ALLOW, RET_EPERM = 0x80000000, 0x7FFF0000, 0x00050000 | 1


class _Filter(ctypes.Structure):
    _fields_ = (("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint))


class _Program(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter)))


def _unit_action() -> int:
    """What README's unit does to a denied system call: fail with EPERM if it says so, else kill."""
    unit = block("# /etc/systemd/system/veraz.service")
    assert "SystemCallFilter=~@privileged @resources\n" in unit  # what RESOURCES stands for
    return RET_EPERM if "\nSystemCallErrorNumber=EPERM\n" in unit else RET_KILL_PROCESS


def _as_the_unit_does(action: int | None = None) -> None:
    """In the child, before exec: any call of @resources is denied as under README's unit (killed, or with
    SystemCallErrorNumber=EPERM, failing with EPERM)."""
    action = _unit_action() if action is None else action
    ld_arch, ld_nr, ret = (0x20, 0, 0, 4), (0x20, 0, 0, 0), 0x06
    rules = [_Filter(*ld_arch), _Filter(0x15, 1, 0, AUDIT_ARCH_X86_64), _Filter(ret, 0, 0, RET_KILL_PROCESS),
             _Filter(*ld_nr)]  # fmt: skip
    for i, number in enumerate(RESOURCES):
        rules.append(_Filter(0x15, len(RESOURCES) - i, 0, number))  # equal: jump to the kill at the end
    rules += [_Filter(ret, 0, 0, RET_ALLOW), _Filter(ret, 0, 0, action)]
    program = _Program(len(rules), (_Filter * len(rules))(*rules))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) or libc.prctl(
        PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0
    ):
        os._exit(99)


async def test_the_feeds_process_serves_under_the_readme_units_system_call_filter(
    served: Served, tmp_path: Path
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    env.update({"PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(tmp_path), "VERAZ_FEED_ADDRESS": f"127.0.0.1:{port}",
                "VERAZ_FEED_CHILD": "1"})  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "feed", "serve", cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, preexec_fn=_as_the_unit_does,
    )  # fmt: skip
    answer = b""
    try:
        for _ in range(300):
            if process.returncode is not None:
                break
            try:
                answer = await _get(port, f"/{served.slug}/")
                break
            except OSError:
                await asyncio.sleep(0.05)
        assert process.returncode != -signal.SIGSYS, "killed by the unit's system call filter"
        assert answer == b"HTTP/1.1 200 OK"
        assert process.stdin is not None
        process.stdin.close()  # the bot is gone: the feed stops by itself
        await asyncio.wait_for(process.wait(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0


def test_the_bot_loads_its_photo_hashing_under_the_readme_units_system_call_filter() -> None:
    code = "import bot.features.photos.hashing as h, numpy; print(numpy.ones((64, 64)).sum())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60, preexec_fn=_as_the_unit_does)  # fmt: skip
    assert done.returncode != -signal.SIGSYS, "killed by the unit's system call filter"
    assert (done.returncode, done.stdout.strip()) == (0, "4096.0"), done.stderr
