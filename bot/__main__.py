"""The `veraz` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from .demo import core, script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="veraz", description="Veraz: vetted alerts from community reports.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="replay a scenario and print what each person saw")
    demo.add_argument("--scenario", default="hamline", help="a bundled scenario (hamline, los-angeles) or a .toml file")
    args = parser.parse_args(argv)

    if args.command == "demo":
        path = Path(args.scenario) if args.scenario.endswith(".toml") else script.bundled(args.scenario)
        try:
            scenario = script.load(path)
        except script.ScenarioError as exc:
            print(f"veraz demo: {exc}", file=sys.stderr)
            return 2
        return 0 if asyncio.run(core.run(scenario, sys.stdout)) else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
