"""The version of this Veraz, as installed (pyproject.toml's), for `veraz --version` and the start log."""

from __future__ import annotations

from importlib import metadata


def version() -> str:
    try:
        return metadata.version("veraz")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"
