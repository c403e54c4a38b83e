"""Where the goals file is: --goals, CLEW_GOALS, then the usual places.

Kept free of the validating models so the pre-push path can find the file
without importing them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from checker.errors import ClewError

DISCOVERY = ("goals.yml", ".github/goals.yml", ".gitlab/goals.yml")
__all__ = ["DISCOVERY", "discover", "display_name"]


def discover(explicit: str | None, root: Path, env: Mapping[str, str] | None = None) -> Path:
    """--goals PATH, then CLEW_GOALS (both relative to the working directory), then
    the usual places under the repository root."""
    for chosen in (explicit, (os.environ if env is None else env).get("CLEW_GOALS")):
        if chosen:
            path = Path(chosen).absolute()
            if not path.is_file():
                raise ClewError(f"goals file {chosen} not found; check the path, or run `clew init` to create one")
            return _inside(path, root, chosen)
    for name in DISCOVERY:
        if (root / name).is_file():
            return _inside(root / name, root, name)
    looked = ", ".join(DISCOVERY)
    raise ClewError(f"no goals file found in {root} (looked for {looked}); run `clew init` to create one")


def _inside(path: Path, root: Path, shown: str) -> Path:
    """A goals file named inside the repository must be inside it once links are followed: a
    change could otherwise link goals.yml to a credentials file and have clew quote it in an
    error, in a public CI log."""
    base = root.resolve()
    if not path.absolute().is_relative_to(base) and not path.absolute().is_relative_to(root.absolute()):
        return path  # named outside the repository on purpose (--goals, CLEW_GOALS)
    if not path.resolve().is_relative_to(base):
        raise ClewError(
            f"goals file {shown} is a symbolic link to a file outside the repository; clew reads a goals file only from "
            "inside the repository, so that a change cannot have it read (and quote) another file. Replace the link with the file"
        )
    return path


def display_name(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
