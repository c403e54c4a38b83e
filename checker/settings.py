"""A surface's settings as one typed model, read from the environment in one pass: the GitHub
Action's inputs (`INPUT_*`: GitHub enforces neither `required:` nor types) and the GitLab
component's (`CLEW_*`). Each field names its variables, its kind and its default; every problem
of the environment is reported at once, naming the setting as the user wrote it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from checker.errors import ClewError

Kind = Literal["text", "flag", "choice"]


class Setting(NamedTuple):
    name: str  # the model's field
    variables: tuple[str, ...]  # read in order, the first that is set wins
    kind: Kind = "text"
    default: Any = None
    choices: tuple[str, ...] = ()  # a choice's values, lowered
    check: Callable[[str], Any] | None = None  # turns a text into its value, or raises ValueError with the reason
    shown: str = ""  # how errors name it (default: its first variable)


def read(settings: Sequence[Setting], env: Mapping[str, str], what: str) -> dict[str, Any]:
    """Every setting's value, or one ClewError naming each setting that is wrong."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in settings:
        raw = next((env[v].strip() for v in setting.variables if env.get(v, "").strip()), "")
        values[setting.name], problem = _value(setting, raw)
        if problem:
            problems.append(f"{setting.shown or setting.variables[0]}: {problem}")
    if problems:
        raise ClewError(f"invalid {what}: " + "; ".join(problems))
    return values


def _value(setting: Setting, raw: str) -> tuple[Any, str | None]:
    if not raw:
        return setting.default, None
    if setting.kind == "flag":
        known = raw.lower() in ("true", "false")
        return (raw.lower() == "true", None) if known else (setting.default, f"{raw[:40]!r} is not true or false")
    if setting.kind == "choice" and raw.lower() not in setting.choices:
        return setting.default, f"{raw[:40]!r} is not one of {', '.join(c for c in setting.choices if c)}"
    value = raw.lower() if setting.kind == "choice" else raw
    if setting.check is None:
        return value, None
    try:
        return setting.check(value), None
    except ValueError as exc:
        return setting.default, str(exc)
