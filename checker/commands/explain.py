"""`clew explain REF`: the thread for one commit or branch, hop by hop, or where
it breaks with the closest objectives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from checker import app
from checker.commands.check import repo_root
from checker.errors import ClewError
from checker.sources import git


def run(cwd: Path, goals: str | None, ref: str, today: dt.date) -> app.Result:
    root = repo_root(cwd)
    config = app.configure(root, goals)
    if ref.startswith(("#", "!")) or ref.isdigit():
        raise ClewError(f"explaining {ref} needs the forge (a PR/MR number); locally, name a commit or a branch")
    if git.exists(f"refs/heads/{ref}", root) or git.exists(f"refs/remotes/{ref}", root):
        default = git.default_branch(root)
        base = git.merge_base(default, ref, root) if default and default.split("/")[-1] != ref.rsplit("/", maxsplit=1)[-1] else None
        commits = git.log([f"{base}..{ref}" if base else ref, *([] if base else ["-1"])], root)
        item = git.branch_item(ref.removeprefix("origin/"), commits, default)
    elif git.exists(ref, root):
        commits = git.log([ref, "-1"], root)
        item = commits[0]
    else:
        raise ClewError(f"{ref!r} is neither a branch nor a commit in this repository")
    return app.evaluate_config(config, [item], today=today, with_goals_rules=False)
