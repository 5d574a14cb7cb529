"""No user-facing text bypasses the catalogs: a scan of the adapter's sources for bare literals.

Anything a person reads goes through a call that shows it (send, reply, edit, embeds, buttons, modals,
choices, the demo's transcript). Such a call must never receive a string literal with words in it: the
text must come from `t(...)` or `L(...)`. The scan can fail: `test_the_scan_finds_a_bare_literal` shows it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "bot"
SHOWING = {
    "send", "send_message", "reply", "edit", "edit_original_response", "Embed", "add_field", "set_footer",
    "set_author", "TextInput", "Button", "Modal", "Choice", "locale_str", "shows", "say", "heading", "step",
    "delivered", "send_modal",
}  # fmt: skip
# Literals that are not words people read: markup and separators.
ALLOWED = {"", "\n", " ", "—", "…"}


def bare_literals(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SHOWING:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords if k.arg not in ("custom_id", "nonce", "key"))]:
            for literal in _literals(arg):
                if literal.strip() not in ALLOWED and any(c.isalpha() for c in literal):
                    found.append((node.lineno, literal))
    return found


def _literals(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp):
        return _literals(node.left) + _literals(node.right)
    return []


SOURCES = sorted(p for p in ROOT.rglob("*.py") if "emulator" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_no_bare_user_facing_literal(path):
    assert bare_literals(path.read_text(encoding="utf-8")) == []


def test_the_scan_finds_a_bare_literal():
    assert bare_literals('await act.reply("Thanks, your report was saved")') == [(1, "Thanks, your report was saved")]
    assert bare_literals('await channel.send(f"Incident {n} confirmed")') == [(1, "Incident "), (1, " confirmed")]
    assert bare_literals('await act.reply(t(lang, "report.accepted"))') == []
