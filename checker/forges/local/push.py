"""The work of a `git push`: git's pre-push lines on stdin, one per ref,
`<local ref> <local oid> <remote ref> <remote oid>`. An all-zero local oid is a deletion
(skipped), tags are skipped, an all-zero remote oid is a new branch (only the commits on no
remote-tracking ref are judged). The zero oid is recognised whatever its length, so SHA-256
repositories work."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker.errors import ClewError
from checker.work import Work

if TYPE_CHECKING:
    from checker.goals.file import GoalsFile
    from checker.work import WorkItem


class NothingToJudge(Exception):
    """The push brings no commit the remote lacks: nothing to judge, nothing to say."""


class Update(NamedTuple):
    local_ref: str
    local_oid: str
    remote_ref: str
    remote_oid: str

    @property
    def branch(self) -> str:
        return self.remote_ref.removeprefix("refs/heads/")


def _zero(oid: str) -> bool:
    return set(oid) == {"0"}


MAX_UPDATES = 1_000  # refs one push is judged for; git never sends more lines than the push has refs


def parse_updates(text: str) -> list[Update]:
    """The ref updates worth judging, each once: no deletions, no tags, no notes. A line met
    again is the same update (git writes each ref once; anything else did not come from git)."""
    updates: dict[Update, None] = {}
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line in seen:
            continue
        seen.add(line)
        parts = line.split()
        if len(parts) != 4:
            raise ClewError(f"pre-push input line {number} is not '<local ref> <local oid> <remote ref> <remote oid>': {line[:120]!r}")
        update = Update(*parts)
        for oid in (update.local_oid, update.remote_oid):
            if len(oid) not in (40, 64) or not all(c in "0123456789abcdef" for c in oid):
                raise ClewError(
                    f"pre-push input line {number}: {oid[:80]!r} is not an object id (40 or 64 hexadecimal digits); "
                    "git writes these lines itself, so this input did not come from git"
                )
        if _zero(update.local_oid) or not update.remote_ref.startswith("refs/heads/"):
            continue
        updates.setdefault(update)
        if len(updates) > MAX_UPDATES:
            raise ClewError(
                f"this push updates more than {MAX_UPDATES} branches; clew judges pushes of up to {MAX_UPDATES} "
                "(push them in parts, or skip the hook once with `git push --no-verify`)"
            )
    return list(updates)


def commits_for(update: Update, root: Path, per_commit: bool) -> tuple[list[WorkItem], str | None]:
    """New commits of one ref (with their own changed paths only when judged one by one)
    and the revision they build on."""
    from checker.errors import GitError
    from checker.forges.local import git

    if not _zero(update.remote_oid):
        try:  # one git call: a remote oid this clone lacks (the remote moved on) makes git refuse the range
            return git.log([f"{update.remote_oid}..{update.local_oid}"], root, paths=per_commit), update.remote_oid
        except GitError:
            pass
    commits = git.log([update.local_oid, "--not", "--remotes"], root, paths=per_commit)
    base = commits[-1].parents[0] if commits and commits[-1].parents else None
    if base is None and commits and not per_commit:  # the push reaches a root commit
        commits = git.log([update.local_oid, "--not", "--remotes"], root)
    return commits, base


class Push:
    """A `Source`: the new commits of each pushed branch, each branch one item (or each commit,
    with `per_commit`), judged against the goals at the first branch's base when they edit it."""

    def __init__(self, root: Path, updates: list[Update], per_commit: bool) -> None:
        self.root, self.updates, self.per_commit = root, updates, per_commit

    def gather(self, goals: GoalsFile) -> Work:
        from checker.forges.local import git
        from checker.forges.local.range import UNREAD, base_goals

        items: list[WorkItem] = []
        base: str | None = None
        for update in self.updates:
            commits, base_of = commits_for(update, self.root, self.per_commit)
            if not commits:
                continue
            if self.per_commit:
                items.extend(commits)
            else:
                paths = git.changed_paths(base_of, update.local_oid, self.root) if base_of else None
                items.append(git.branch_item(update.branch, commits, paths=paths))
            base = base or base_of
        if not items:
            raise NothingToJudge
        changed = any(goals.display in item.paths for item in items)
        if changed and base is None:
            return Work(items, notes=[f"{goals.display} is new in this push: judged against the new file"], unread=UNREAD)
        text, notes = base_goals(self.root, goals, items, base)
        return Work(items, base_goals=text, notes=[n.replace("this change", "this push") for n in notes], unread=UNREAD)
