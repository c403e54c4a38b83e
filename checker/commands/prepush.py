"""`clew pre-push`: git's pre-push protocol.

stdin has one line per ref: `<local ref> <local oid> <remote ref> <remote oid>`.
An all-zero local oid is a deletion (skipped), tags are skipped, an all-zero
remote oid is a new branch (only the commits on no remote-tracking ref are
judged). The zero oid is recognised whatever its length, so SHA-256
repositories work. No lines at all: nothing to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from checker import app
from checker.commands.check import Plan, config_at_base, repo_root
from checker.errors import ClewError
from checker.sources import git
from checker.work import WorkItem


@dataclass(frozen=True)
class Update:
    local_ref: str
    local_oid: str
    remote_ref: str
    remote_oid: str

    @property
    def branch(self) -> str:
        return self.remote_ref.removeprefix("refs/heads/")


def _zero(oid: str) -> bool:
    return set(oid) == {"0"}


def parse_updates(text: str) -> list[Update]:
    """The ref updates worth judging: no deletions, no tags, no notes."""
    updates = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise ClewError(f"pre-push input line {number} is not '<local ref> <local oid> <remote ref> <remote oid>': {line[:120]!r}")
        update = Update(*parts)
        if _zero(update.local_oid) or not update.remote_ref.startswith("refs/heads/"):
            continue
        updates.append(update)
    return updates


def commits_for(update: Update, root: Path) -> tuple[list[WorkItem], str | None]:
    """New commits of one ref and the revision they build on."""
    if not _zero(update.remote_oid) and git.exists(update.remote_oid, root):
        return git.log([f"{update.remote_oid}..{update.local_oid}"], root), update.remote_oid
    commits = git.log([update.local_oid, "--not", "--remotes"], root)
    base = git.git(["rev-parse", "-q", "--verify", f"{commits[-1].key}^"], root, check=False).strip() if commits else ""
    return commits, base or None


def run(cwd: Path, stdin_text: str, goals: str | None, per_commit: bool, today: dt.date) -> app.Result | None:
    updates = parse_updates(stdin_text)
    if not updates:
        return None
    root = repo_root(cwd)
    items: list[WorkItem] = []
    base: str | None = None
    for update in updates:
        commits, base_of = commits_for(update, root)
        if commits:
            items.extend(commits if per_commit else [git.branch_item(update.branch, commits)])
            base = base or base_of
    if not items:
        return None
    config = app.configure(root, goals)
    judged, changed, notes = config_at_base(root, config, Plan(items, base))
    return app.evaluate(judged, items, today=today, goals_changed=changed, with_goals_rules=False, notes=notes)
