"""Colour and progress decisions: click looks only at isatty(), so clew decides.

NO_COLOR (non-empty) turns colour off; FORCE_COLOR or CLICOLOR_FORCE (non-empty,
not "0") turn it on; TERM=dumb turns it off; otherwise colour only on a terminal.
"""

from __future__ import annotations

import os
from typing import IO, Literal

ColorChoice = Literal["auto", "always", "never"]


def _set(name: str) -> bool:
    value = os.environ.get(name, "")
    return value not in {"", "0"}


def use_color(stream: IO[str], choice: ColorChoice = "auto") -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR", "") != "":
        return False
    if _set("FORCE_COLOR") or _set("CLICOLOR_FORCE"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def in_ci() -> bool:
    return _set("CI") or _set("GITHUB_ACTIONS") or _set("GITLAB_CI")


STYLES = {"error": "\033[31m", "warning": "\033[33m", "notice": "\033[36m", "ok": "\033[32m", "dim": "\033[2m", "bold": "\033[1m"}


def paint(text: str, style: str, color: bool) -> str:
    return f"{STYLES[style]}{text}\033[0m" if color and style in STYLES else text


def progress(message: str) -> None:
    """A one-line progress message on a terminal; nothing in CI logs or pipes."""
    import sys

    if in_ci() or not sys.stderr.isatty():
        return
    sys.stderr.write("\r\033[K" + message if message else "\r\033[K")
    sys.stderr.flush()
