"""What the organisation report's readers share, on GitHub and on GitLab: a repository's row as
read (its committed alignment.json, or why there is none), the page size, the check on the
report path, and the reading of a listed page."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from checker.errors import ClewError

PAGE = 50
_PATH = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./-]*$")


class Repo(NamedTuple):
    """One repository as the organisation report needs it: its alignment.json (None: absent)."""

    name: str
    archived: bool
    pushed_at: str | None
    oid: str | None
    text: str | None
    error: str | None = None  # the forge could not read it


def checked(path: str) -> str:
    if not _PATH.match(path) or ".." in path:
        raise ClewError(f"--report-path {path!r} is not a path inside a repository")
    return path


class Listed(NamedTuple):
    repos: list[Repo]
    unreadable: int  # null entries: repositories the forge listed but would not show the token


def listed(nodes: Any, make: Any) -> Listed:
    found = [make(n) for n in nodes] if isinstance(nodes, list) else []
    return Listed([r for r in found if r is not None], sum(1 for n in nodes or [] if n is None))


def connection(owner: Any, field: str, missing: str) -> dict[str, Any]:
    """The owner's connection (its repositories, its projects); a null owner is one the token cannot see."""
    if not isinstance(owner, dict):
        raise ClewError(missing)
    found = owner.get(field)
    return found if isinstance(found, dict) else {}
