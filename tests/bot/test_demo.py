"""`veraz demo`: both bundled scenarios through the real bot and the emulator; the self-check passes."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest

from bot.__main__ import main
from bot.demo import core, discord_run, script
from verification.model import Language


@pytest.mark.parametrize("name", ["hamline", "los-angeles"])
async def test_each_bundled_scenario_runs_through_discord_and_its_self_check_passes(name):
    out = io.StringIO()
    assert await discord_run.run(script.load(script.bundled(name)), out), out.getvalue()[-3000:]
    text = out.getvalue()
    assert "PASS: the demo's self-check passed." in text
    assert "✗" not in text


async def test_the_hamline_transcript_shows_the_correction_in_both_languages_and_nothing_to_pat():
    out = io.StringIO()
    await discord_run.run(script.load(script.bundled("hamline")), out)
    text = out.getvalue()
    assert "⚠️ CORRECTION · #1 · Hamline Elementary" in text
    assert "⚠️ CORRECCIÓN · #1 · Hamline Elementary" in text
    to_pat = text.split("↳ DM to Pat:")[1:]
    assert len(to_pat) == 1  # the welcome at /subscribe, and no alert
    assert "Veraz will send you confirmed alerts here" in to_pat[0]
    assert "Veraz ref" not in to_pat[0].split("\n\n")[0]
    assert "Su voto sobre el #1 quedó registrado" in text  # a Spanish-speaking moderator's reply


async def test_the_spanish_narration_has_no_english_and_lucia_reads_the_correction_in_spanish():
    """Issue 25: with --language es the narrator spoke English, and the key fact reached Lucía in English."""
    out = io.StringIO()
    assert await discord_run.run(script.load(script.bundled("hamline")), out, Language.ES)
    text = out.getvalue()
    # What people saw (│ lines) is in their own language; what they typed is quoted as typed; places keep
    # their names ("Back of the Yards").
    narration = [
        re.sub(r"“[^”]*”|Back of the Yards", "", line)
        for line in text.splitlines()
        if not line.lstrip().startswith("│")
    ]
    english = re.compile(
        r"\b(runs|clicks|moderator|subscriber|admin|neighbour|parent|staff|the|and|Friday|January)\b"
        r"|/(report|subscribe|unsubscribe|setup|places|incident|status)\b"
    )
    assert [line for line in narration if english.search(line)] == []
    assert "10:30\u00a0a.m.  Alex (administra el servidor) usa /configurar y /lugares importar" in text
    to_lucia = text.split("↳ mensaje directo a Lucía:")[-1]
    assert "Corrección: Eran agentes del Servicio Secreto de EE. UU." in to_lucia
    assert "They were U.S. Secret Service" not in to_lucia


async def test_the_self_check_fails_when_expectations_are_wrong():
    """The check can fail: expecting Pat to be told makes it fail."""
    scenario = script.load(script.bundled("hamline"))
    wrong = dataclasses.replace(scenario, expect=script.Expect(alerts=("Pat",)))
    out = io.StringIO()
    assert not await discord_run.run(wrong, out)
    assert "FAIL" in out.getvalue()


@pytest.mark.parametrize("name", ["hamline", "los-angeles"])
async def test_the_core_replay_without_discord_agrees(name):
    out = io.StringIO()
    assert await core.run(script.load(script.bundled(name)), out)


def test_a_broken_scenario_file_is_refused_with_its_step(tmp_path, capsys):
    bad = tmp_path / "drill.toml"
    bad.write_text(
        'title = "x"\ntimezone = "America/Chicago"\ndate = "2025-01-24"\n'
        '[[people]]\nname = "A"\n[[steps]]\nat = "10:00"\nwho = "A"\ndo = "confirm"\nincident = 1\n'
    )
    assert main(["demo", "--scenario", str(bad)]) == 2
    assert "step 1: A is not a moderator" in capsys.readouterr().err
