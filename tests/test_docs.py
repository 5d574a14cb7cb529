"""README's walk through the code names real places: every `path.py:Name` (or `path.py:Class.method`) in
its "How it is built" section exists, so the walk cannot go stale."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"`([\w/]+\.py):([A-Za-z_][\w.]*)`")


def section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    following = text.find("\n## ", start + 1)
    return text[start : following if following != -1 else len(text)]


def defined(path: Path) -> set[str]:
    """Top-level names and Class.method names defined in a module."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                names.update(
                    f"{node.name}.{item.name}"
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                )
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def references(text: str) -> list[tuple[str, str]]:
    return REFERENCE.findall(text)


README_REFERENCES = references(section((ROOT / "README.md").read_text(encoding="utf-8"), "How it is built"))


def test_the_walk_names_places_at_all():
    assert len(README_REFERENCES) >= 20


@pytest.mark.parametrize(("path", "name"), README_REFERENCES)
def test_every_file_and_name_in_the_walk_exists(path: str, name: str):
    source = ROOT / path
    assert source.is_file(), f"{path} does not exist"
    assert name in defined(source), f"{path} defines no {name}"


def test_a_stale_reference_is_caught(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("class A:\n    def b(self): ...\n\ndef c(): ...\n", encoding="utf-8")
    assert {"A", "A.b", "c"} <= defined(module)
    assert "A.gone" not in defined(module)
    assert references("`m.py:A.b` and `m.py:c`") == [("m.py", "A.b"), ("m.py", "c")]
