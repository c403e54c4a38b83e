"""Where the goals file is: --goals, CLEW_GOALS, then the usual places.

Kept free of the validating models so the pre-push path can find the file
without importing them."""

from __future__ import annotations

import os
from pathlib import Path

from checker.errors import ClewError

DISCOVERY = ("goals.yml", ".github/goals.yml", ".gitlab/goals.yml")
__all__ = ["DISCOVERY", "discover", "display_name"]


def discover(explicit: str | None, root: Path) -> Path:
    """--goals PATH, then CLEW_GOALS (both relative to the working directory), then
    the usual places under the repository root."""
    for chosen in (explicit, os.environ.get("CLEW_GOALS")):
        if chosen:
            path = Path(chosen).absolute()
            if not path.is_file():
                raise ClewError(f"goals file {chosen} not found; check the path, or run `clew init` to create one")
            return path
    for name in DISCOVERY:
        if (root / name).is_file():
            return root / name
    looked = ", ".join(DISCOVERY)
    raise ClewError(f"no goals file found in {root} (looked for {looked}); run `clew init` to create one")


def display_name(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
