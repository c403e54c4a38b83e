"""`clew check` on the local repository: a range, or the current branch against its upstream
(or the default branch). The adapter between the command line and `app.run`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

from checker import app
from checker.errors import ClewError
from checker.forges.local.range import Range


def repo_root(cwd: Path) -> tuple[Path, Path]:
    """The work tree's top and its (common) git directory."""
    from checker.forges.local.gitdir import find

    found = find(cwd)
    if found is None:
        raise ClewError(f"{cwd} is not inside a git repository; run clew from your repository, or use `clew validate`")
    return found


def run(
    cwd: Path,
    goals: str | None,
    spec: str | None,
    per_commit: bool,
    today: dt.date,
    *,
    fmt: str = "text",
    color: bool = False,
    env: Mapping[str, str] | None = None,
) -> app.Outcome:
    """The compiled goals (from the cache when nothing changed: no YAML, no validating models),
    the range, then the pipeline, with the rules about the goals file, which always speak of the
    current file."""
    from checker.forges import org_goals
    from checker.goals.file import goals_file

    env = os.environ if env is None else env
    root, common = repo_root(cwd)
    file = goals_file(root, goals, common / "clew", env=env, fetch=org_goals.fetch)
    context = app.Context(file, Range(root, spec, per_commit, env), today, env=env)
    return app.run(context, app.Options(format=fmt, goals_rules=True, color=color))
