"""The architecture's boundaries, checked on the import graph (every import, at any depth, in the source).

- verification/ is the pure domain: the standard library, python-dateutil and rapidfuzz (fuzzy place
  names, issue 12) only. No Discord, no database, no network.
- storage/ implements the domain's ports: never bot/, never discord.
- bot/ reaches storage only through its composition roots, which build the services everything else
  is given.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_THIRD_PARTY = {"dateutil", "rapidfuzz"}
STORAGE_FORBIDDEN = {"bot", "discord", "aiohttp"}
# The feed's process (issue 23) is the entry point of a process of its own, as `veraz run` is.
COMPOSITION_ROOTS = {"bot.client", "bot.__main__", "bot.demo.core", "bot.feed.process"}


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted and absolute
    line: int


def imports_of(root: Path, package: str) -> Iterator[Import]:
    """Every import in a package, relative ones made absolute, including those inside functions and
    `if TYPE_CHECKING:` blocks (a type-only import is still a dependency of the code's meaning)."""
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        is_package = parts[-1] == "__init__"
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


def top(name: str) -> str:
    return name.split(".", 1)[0]


def domain_violations(root: Path) -> list[Import]:
    allowed = set(sys.stdlib_module_names) | DOMAIN_THIRD_PARTY | {"verification", "__future__"}
    return [i for i in imports_of(root, "verification") if top(i.target) not in allowed]


def storage_violations(root: Path) -> list[Import]:
    return [i for i in imports_of(root, "storage") if top(i.target) in STORAGE_FORBIDDEN]


def adapter_violations(root: Path) -> list[Import]:
    return [i for i in imports_of(root, "bot") if top(i.target) == "storage" and i.module not in COMPOSITION_ROOTS]


def test_the_domain_imports_only_the_standard_library_dateutil_and_rapidfuzz():
    assert domain_violations(ROOT) == []


def test_storage_never_imports_the_adapter_or_discord():
    assert storage_violations(ROOT) == []


def test_only_the_composition_roots_import_storage():
    assert adapter_violations(ROOT) == []


def test_no_adapter_module_imports_the_bot_class_to_reach_a_service():
    users = [i for i in imports_of(ROOT, "bot") if i.target == "bot.client" and i.module not in COMPOSITION_ROOTS]
    # The demo starts a real bot, which is what it is for; nothing else may.
    assert [i.module for i in users if not i.module.startswith("bot.demo.")] == []


# --- the checks can fail ------------------------------------------------------------------------


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
    ],
)
def test_a_domain_module_that_imports_too_much_is_caught(tmp_path: Path, source: str):
    root = _tree(tmp_path, {"verification/__init__.py": "", "verification/leaky.py": source})
    assert [i.module for i in domain_violations(root)] == ["verification.leaky"]


def test_relative_imports_are_resolved_before_they_are_judged(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "verification/__init__.py": "from . import model\n",
            "verification/usecases/__init__.py": "from ..model import X\nfrom .. import clustering\n",
            "storage/__init__.py": "from .sql import rows\n",
            "storage/leak.py": "from bot.render import safe\n",
        },
    )
    assert domain_violations(root) == []
    assert [(i.module, i.target) for i in storage_violations(root)] == [("storage.leak", "bot.render")]


def test_an_adapter_module_that_reaches_into_storage_is_caught(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/client.py": "import storage\n",
            "bot/cogs/__init__.py": "",
            "bot/cogs/sneaky.py": "from storage.sqlite.outbox import SqliteOutbox\n",
        },
    )
    assert [i.module for i in adapter_violations(root)] == ["bot.cogs.sneaky"]
