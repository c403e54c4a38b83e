"""Renderers: whole result in, text out. Transport (where the text goes) is elsewhere.

`FORMATS` names every format a check can print, on every surface (`clew check --format`, the
Action's `format` input, the GitLab job's CLEW_FORMAT); each renderer module is imported only
when its format is asked for."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.result import Result

FORMATS = ("text", "json", "sarif", "github", "gitlab")
_MODULES = {
    "text": "checker.outputs.text",
    "json": "checker.outputs.jsonfmt",
    "sarif": "checker.outputs.sarif",
    "github": "checker.outputs.github",  # workflow commands: annotations, as the Action writes them
    "gitlab": "checker.outputs.gitlab",  # a Code Quality report, as the GitLab job writes it
}


def render(result: Result, fmt: str, color: bool = False) -> str:
    """The result in one of `FORMATS` (colour only for text)."""
    module = import_module(_MODULES[fmt])
    return str(module.render(result, color) if fmt == "text" else module.render(result))
