"""`clew explain REF`: the thread for one commit or branch, hop by hop, or where
it breaks with the closest objectives."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from checker import app
from checker.errors import ClewError
from checker.forges.local import git
from checker.forges.local.check import repo_root

if TYPE_CHECKING:
    from checker.goals.config import Config


def run(cwd: Path, goals: str | None, ref: str, today: dt.date) -> app.Result:
    if ref.startswith(("#", "!")) or ref.isdigit():
        return _pull_request(app.configure(git.toplevel(cwd) or cwd, goals), ref.lstrip("#!"), today)
    root, _ = repo_root(cwd)
    config = app.configure(root, goals)
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


def _pull_request(config: Config, number: str, today: dt.date) -> app.Result:
    """A PR's thread through the GitHub API: one read, a second only for issues its text names."""
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    repository = os.environ.get("GITHUB_REPOSITORY")
    from checker.references import number_ok

    if not number_ok(number):
        raise ClewError(f"#{number[:40]} is not a pull request number (1 to 2147483647)")
    if not token or not repository:
        raise ClewError(
            f"explaining #{number} needs GITHUB_TOKEN (or GH_TOKEN) and GITHUB_REPOSITORY=owner/name; locally, name a commit or a branch"
        )
    from checker.forges.github.check import link_refs
    from checker.forges.github.client import Client

    client = Client(token)
    fetched, _ = client.fetch("pr", int(number), [], None, repository)
    if fetched.item is None:
        raise ClewError(f"pull request #{number} was not found in {repository}")
    item = fetched.item._replace(linked=fetched.closing, paths=fetched.paths)
    linked = dict(fetched.linked)
    wanted = [ref for ref in link_refs(item, repository) if f"{ref[0] + '#' if ref[0] else '#'}{ref[1]}" not in linked]
    if wanted:
        more, _ = client.fetch("none", None, wanted, None, repository)
        linked.update(more.linked)
    return app.evaluate_config(config, [item], today=today, with_goals_rules=False, linked=linked)
