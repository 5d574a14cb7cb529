"""The architecture's boundaries, checked on the import graph (every import, at any depth, in the source,
`if TYPE_CHECKING:` ones included: a type-only import is still a dependency of the code's meaning).

    bot/features/*  ->  bot/core  ->  verification/  ->  intake/
                                            ^
                               storage/   (imported by the composition roots only)

- intake/ reads what people type: the standard library, python-dateutil and rapidfuzz only.
- verification/ is the pure domain: the same, plus intake/. Neither opens a database, a socket or a process.
- storage/ implements the domain's ports: never bot/, never discord.
- bot/ reaches storage only through its composition roots, which build the services everything else is
  given. bot/core never imports a feature; a feature never imports another feature.
- discord_emulator/ is a Discord of its own: it imports nothing of Veraz.
- No package has an import circle.
- Only `Outgoing` (bot/core/outgoing.py) sends, edits or calls Discord's REST API for roles.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("intake", "verification", "storage", "bot", "discord_emulator")
READER_THIRD_PARTY = {"dateutil", "rapidfuzz"}
# Parts of the standard library that reach outside the process: never in intake/ or verification/.
NOT_PURE = {
    "sqlite3", "socket", "ssl", "subprocess", "asyncio.streams", "asyncio.subprocess",
    "http.client", "http.server", "urllib.request",
}  # fmt: skip
STORAGE_FORBIDDEN = {"bot", "discord", "aiohttp"}
VERAZ = {"bot", "verification", "intake", "storage"}
# bot.feed.process (issue 23) is the entry point of the feed's own process, as bot.cli's `veraz run` is.
COMPOSITION_ROOTS = ("bot.client", "bot.__main__", "bot.cli", "bot.standby", "bot.demo.core", "bot.feed.process")
# Discord calls that send, edit or change roles; only Outgoing makes them (interaction replies aside).
DISCORD_WRITES = {"send", "edit", "add_roles", "remove_roles", "create_role", "add_role", "remove_role", "delete"}
INTERACTION_REPLIES = {"response", "followup", "interaction"}


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted and absolute
    line: int


def modules(root: Path, package: str) -> Iterator[tuple[str, Path]]:
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imports_of(root: Path, package: str) -> Iterator[Import]:
    """Every import in a package, relative ones made absolute, including those inside functions and
    `if TYPE_CHECKING:` blocks."""
    for module, path in modules(root, package):
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(module, alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".")
                    base = base[: len(base) - node.level + (1 if is_package else 0)]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module or ""
                yield Import(module, target, node.lineno)
                # `from pkg import module` depends on pkg.module
                for alias in node.names:
                    yield Import(module, f"{target}.{alias.name}", node.lineno)


def top(name: str) -> str:
    return name.split(".", 1)[0]


def reader_violations(root: Path, package: str, allowed_veraz: set[str]) -> list[Import]:
    allowed = (set(sys.stdlib_module_names) | READER_THIRD_PARTY | allowed_veraz | {"__future__"}) - NOT_PURE
    found = []
    for i in imports_of(root, package):
        if top(i.target) not in allowed or any(i.target == n or i.target.startswith(n + ".") for n in NOT_PURE):
            found.append(i)
    return found


def storage_violations(root: Path) -> list[Import]:
    return [i for i in imports_of(root, "storage") if top(i.target) in STORAGE_FORBIDDEN]


def is_root(module: str) -> bool:
    return any(module == r or module.startswith(r + ".") for r in COMPOSITION_ROOTS)


def adapter_violations(root: Path) -> list[Import]:
    return [i for i in imports_of(root, "bot") if top(i.target) == "storage" and not is_root(i.module)]


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["bot", "features"] else None


def feature_violations(root: Path) -> list[Import]:
    """A feature importing another feature, or bot/core importing any feature."""
    found = []
    for i in imports_of(root, "bot"):
        target = feature_of(i.target)
        if target is None:
            continue
        mine = feature_of(i.module)
        if (mine is not None and mine != target) or i.module.startswith("bot.core"):
            found.append(i)
    return found


def emulator_violations(root: Path) -> list[Import]:
    return [i for i in imports_of(root, "discord_emulator") if top(i.target) in VERAZ]


def circles(root: Path, packages: Iterable[str]) -> list[list[str]]:
    """Import circles among the modules of `packages` (strongly connected components of two or more)."""
    known: dict[str, set[str]] = {}
    for package in packages:
        for module, _ in modules(root, package):
            known.setdefault(module, set())
    for package in packages:
        for i in imports_of(root, package):
            # A package's __init__ importing its own modules is not a circle back to itself.
            nested = i.module.startswith(i.target + ".") or i.target.startswith(i.module + ".")
            if i.target in known and i.target != i.module and not nested:
                known[i.module].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(known[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(known):
        if node not in index:
            visit(node)
    return found


def discord_writes(root: Path) -> list[str]:
    """Calls of a Discord write method outside Outgoing, other than an interaction's own replies."""
    found = []
    for module, path in modules(root, "bot"):
        if module == "bot.core.outgoing" or module.startswith("bot.demo"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in DISCORD_WRITES:
                continue
            receiver = ast.unparse(node.func.value)
            if any(part in INTERACTION_REPLIES for part in receiver.split(".")):
                continue
            if receiver.endswith("outgoing") or receiver.endswith("_outgoing"):
                continue
            found.append(f"{module}:{node.lineno} {receiver}.{node.func.attr}")
    return found


# --- the rules hold -------------------------------------------------------------------------------


def test_intake_imports_only_the_standard_library_dateutil_and_rapidfuzz():
    assert reader_violations(ROOT, "intake", {"intake"}) == []


def test_the_domain_imports_only_the_standard_library_dateutil_rapidfuzz_and_intake():
    assert reader_violations(ROOT, "verification", {"verification", "intake"}) == []


def test_storage_never_imports_the_adapter_or_discord():
    assert storage_violations(ROOT) == []


def test_only_the_composition_roots_import_storage():
    assert adapter_violations(ROOT) == []


def test_features_never_import_each_other_and_core_never_imports_a_feature():
    assert feature_violations(ROOT) == []


def test_the_emulator_imports_nothing_of_veraz():
    assert emulator_violations(ROOT) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_has_an_import_circle(package: str):
    assert circles(ROOT, [package]) == []


def test_only_outgoing_sends_edits_or_changes_roles():
    assert discord_writes(ROOT) == []


def test_no_adapter_module_imports_the_bot_class_to_reach_a_service():
    users = [i for i in imports_of(ROOT, "bot") if i.target == "bot.client" and not is_root(i.module)]
    # The demo starts a real bot, which is what it is for; nothing else may.
    assert [i.module for i in users if not i.module.startswith("bot.demo.")] == []


# --- the checks can fail --------------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "source",
    [
        "import discord\n",
        "from aiosqlite import connect\n",
        "def f():\n    import storage\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.client import VerazBot\n",
        "import requests.adapters\n",
        "import sqlite3\n",
        "import socket\n",
        "from subprocess import run\n",
        "from asyncio import streams\n",
    ],
)
def test_a_domain_module_that_imports_too_much_is_caught(tmp_path: Path, source: str):
    root = _tree(tmp_path, {"verification/__init__.py": "", "verification/leaky.py": source})
    assert {i.module for i in reader_violations(root, "verification", {"verification", "intake"})} == {
        "verification.leaky"
    }


def test_intake_importing_the_domain_is_caught(tmp_path: Path):
    root = _tree(tmp_path, {"intake/__init__.py": "", "intake/leaky.py": "from verification.model import Place\n"})
    assert {i.module for i in reader_violations(root, "intake", {"intake"})} == {"intake.leaky"}


def test_relative_imports_are_resolved_before_they_are_judged(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "verification/__init__.py": "from . import model\n",
            "verification/usecases/__init__.py": "from ..model import X\nfrom .. import clustering\n",
            "storage/__init__.py": "from .sql import rows\n",
            "storage/leak.py": "from bot.core import safe\n",
        },
    )
    assert reader_violations(root, "verification", {"verification", "intake"}) == []
    assert {(i.module, i.target) for i in storage_violations(root)} == {
        ("storage.leak", "bot.core"),
        ("storage.leak", "bot.core.safe"),
    }


def test_an_adapter_module_that_reaches_into_storage_is_caught(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/client.py": "import storage\n",
            "bot/features/__init__.py": "",
            "bot/features/sneaky/__init__.py": "",
            "bot/features/sneaky/cog.py": "from storage.sqlite.outbox import SqliteOutbox\n",
        },
    )
    assert {i.module for i in adapter_violations(root)} == {"bot.features.sneaky.cog"}


def test_a_feature_importing_another_feature_is_caught(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/core/__init__.py": "",
            "bot/core/services.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from bot.features.queue.publisher import CardPublisher\n",
            "bot/features/__init__.py": "",
            "bot/features/queue/__init__.py": "",
            "bot/features/queue/publisher.py": "from bot.features.moderation.moderating import moderate\n",
            "bot/features/moderation/__init__.py": "",
            "bot/features/moderation/moderating.py": "from bot.features.moderation import history\n",
        },
    )
    assert {i.module for i in feature_violations(root)} == {"bot.core.services", "bot.features.queue.publisher"}


def test_an_emulator_that_imports_veraz_is_caught(tmp_path: Path):
    root = _tree(tmp_path, {"discord_emulator/__init__.py": "", "discord_emulator/x.py": "import verification\n"})
    assert [i.module for i in emulator_violations(root)] == ["discord_emulator.x"]


def test_an_import_circle_is_caught_even_through_type_checking(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/a.py": "from bot.b import B\n",
            "bot/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.c import C\n",
            "bot/c.py": "def f():\n    from bot import a\n",
            "bot/d.py": "from bot.a import A\n",
        },
    )
    assert circles(root, ["bot"]) == [["bot.a", "bot.b", "bot.c"]]


def test_a_send_edit_or_role_call_outside_outgoing_is_caught(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/core/__init__.py": "",
            "bot/core/outgoing.py": "async def f(channel):\n    await channel.send('ok')\n",
            "bot/features/__init__.py": "",
            "bot/features/x.py": (
                "async def f(channel, member, interaction, services):\n"
                "    await channel.send('hi')\n"
                "    await member.add_roles(1)\n"
                "    await interaction.response.send_message('fine')\n"
                "    await services.outgoing.send(1, 'fine')\n"
            ),
        },
    )
    assert discord_writes(root) == ["bot.features.x:2 channel.send", "bot.features.x:3 member.add_roles"]
