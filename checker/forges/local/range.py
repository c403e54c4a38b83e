"""The work on a developer's machine: a range of commits (`--range A..B`, pre-commit's
PRE_COMMIT_FROM_REF/TO_REF), or the current branch against its upstream or the default branch.
A range holding merged pull or merge requests is judged unit by unit, as the report sees it."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import ClewError
from checker.forges.local import git
from checker.work import Work, WorkItem

if TYPE_CHECKING:
    from checker.goals.file import GoalsFile


UNREAD = "local history"  # what a local source says of the links it cannot follow


class Plan:
    """What to judge: the work items and the revision their goals come from. (A plain class:
    `dataclasses` imports `inspect`, which alone costs a third of a small check's start.)"""

    def __init__(self, items: list[WorkItem], base: str | None, notes: list[str] | None = None) -> None:
        self.items, self.base, self.notes = items, base, notes or []


def repo_root(cwd: Path) -> tuple[Path, Path]:
    """The work tree's top and its (common) git directory."""
    from checker.forges.local.gitdir import find

    found = find(cwd)
    if found is None:
        raise ClewError(f"{cwd} is not inside a git repository; run clew from your repository, or use `clew validate`")
    return found


def pre_commit_range(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """pre-commit's pre-push stage passes the range in the environment."""
    frm, to = env.get("PRE_COMMIT_FROM_REF"), env.get("PRE_COMMIT_TO_REF")
    branch = env.get("PRE_COMMIT_REMOTE_BRANCH") or env.get("PRE_COMMIT_LOCAL_BRANCH")
    name = branch.removeprefix("refs/heads/") if branch else None
    return (f"{frm}..{to}" if frm and to else None), name


def plan_range(root: Path, spec: str | None, per_commit: bool, env: Mapping[str, str] | None = None) -> Plan:
    env_spec, env_branch = pre_commit_range(os.environ if env is None else env)
    if spec is None and env_spec is not None:
        plan = plan_range(root, env_spec, per_commit, {})
        if env_branch and not per_commit:
            plan.items = [git.branch_item(env_branch, item.commits, plan.base) for item in plan.items]
        return plan
    if spec:
        base, _, head = spec.partition("...") if "..." in spec else spec.partition("..")
        head = head or "HEAD"
        asked = [rev for rev in (base, head) if rev]
        for rev, oid in zip(asked, git.commits_of(asked, root), strict=True):
            if oid is None:
                raise ClewError(f"--range {spec}: {rev!r} is not a commit in this repository")
            tip = oid
        commits = git.log([f"{base}..{head}" if base else head], root)
        if not per_commit and (units := _merged_units(root, tip, commits)):
            return Plan(units, base or None, [_describe(units)])
        name = head if head != "HEAD" else (git.current_branch(root) or "HEAD")
        if head != "HEAD" and not git.exists(f"refs/heads/{head}", root):
            name = spec  # a tag or a commit is not a branch: the unit is the range
        judged = [] if per_commit else [f"judged {spec} as one unit ({len(commits)} commit{'s' if len(commits) != 1 else ''})"]
        return Plan(_units(name, commits, per_commit, base), base or None, judged)
    branch = git.current_branch(root)
    upstream = git.upstream(root)
    against = upstream or git.default_branch(root)
    if against is None or (upstream is None and against.split("/")[-1] == branch):
        what = f"branch {branch}" if branch else "a detached HEAD"
        raise ClewError(f"nothing to compare {what} with (no upstream, and it is the default branch); pass --range BASE..HEAD")
    commits = git.log([f"{against}..HEAD"], root)
    return Plan(_units(branch or "HEAD", commits, per_commit, against), against, [f"compared with {against}"])


def _merged_units(root: Path, tip: str, commits: Sequence[WorkItem]) -> list[WorkItem]:
    """A range holding changes that landed (merged pull or merge requests, squashes, `Part-of:`
    series, reviews: checker.landings) is judged unit by unit, as the report sees it, not by its
    tip; a range without any (a feature branch) stays one unit. A rebased commit's `Closes #N`,
    the weakest evidence, does not make a feature branch a history."""
    from checker.forges.local.units import Reading, arrange
    from checker.landings import landings

    def landed(commit: WorkItem) -> bool:
        merge = len(commit.parents) > 1
        return merge or any(f.via != "Closes trailer" for f in landings(commit.title, commit.body, merge=merge))

    if not commits or not any(landed(c) for c in commits):
        return []  # a feature branch's commits: no need to read them as a history
    units = arrange(Reading(tip, {c.key: c for c in commits}, None), git.identity(root)).items
    return units if any(u.kind in ("pr", "mr", "review") and not _closes_only(u) for u in units) else []


def _closes_only(unit: WorkItem) -> bool:
    return not unit.commits and unit.body.rstrip().endswith(f"Closes #{unit.key}")


def _describe(units: Sequence[WorkItem]) -> str:
    nouns = {"pr": ("PR", "PRs"), "mr": ("MR", "MRs"), "review": ("review", "reviews"), "commit": ("commit", "commits")}
    kinds = Counter(u.kind for u in units)
    parts = [f"{n} {nouns.get(kind, (kind, kind + 's'))[n != 1]}" for kind, n in kinds.items()]
    return f"judged each unit of the range, as the report does: {', '.join(parts)}"


def _units(name: str, commits: Sequence[WorkItem], per_commit: bool, base: str | None) -> list[WorkItem]:
    if per_commit:
        return list(commits)
    return [git.branch_item(name, commits, base)] if commits else []


def base_goals(root: Path, goals: GoalsFile, items: Sequence[WorkItem], base: str | None) -> tuple[bytes | None, list[str]]:
    """The goals file at the base, when the work edits it (work is judged against the goals it
    started from), with the note that says so; None when the work leaves it alone or adds it."""
    if base is None or not any(goals.display in item.paths for item in items):
        return None, []
    old = git.show(base, goals.display, root)
    if old is None:
        return None, [f"{goals.display} is new in this change: judged against the new file"]
    return old, [f"{goals.display} changes here: work judged against its version at {base[:12]}"]


class Range:
    """A `Source`: the commits of a range, or of the current branch, in the repository at `root`."""

    def __init__(self, root: Path, spec: str | None, per_commit: bool, env: Mapping[str, str] | None = None) -> None:
        self.root, self.spec, self.per_commit, self.env = root, spec, per_commit, env

    def gather(self, goals: GoalsFile) -> Work:
        plan = plan_range(self.root, self.spec, self.per_commit, self.env)
        text, notes = base_goals(self.root, goals, plan.items, plan.base)
        return Work(plan.items, base_goals=text, notes=plan.notes + notes, unread=UNREAD)


class RefSource:
    """A `Source` for `clew explain REF`: one commit, or a branch as the unit its pushed commits
    make (since it left the default branch), judged against the goals at its base when it edits
    them: the commit's parent, the branch's merge base."""

    def __init__(self, root: Path, ref: str) -> None:
        self.root, self.ref = root, ref

    def gather(self, goals: GoalsFile) -> Work:
        root, ref = self.root, self.ref
        if git.exists(f"refs/heads/{ref}", root) or git.exists(f"refs/remotes/{ref}", root):
            default = git.default_branch(root)
            same = default is not None and default.split("/")[-1] == ref.rsplit("/", maxsplit=1)[-1]
            base = git.merge_base(default, ref, root) if default and not same else None
            commits = git.log([f"{base}..{ref}" if base else ref, *([] if base else ["-1"])], root)
            item = git.branch_item(ref.removeprefix("origin/"), commits, default)
        elif git.exists(ref, root):
            item = git.log([ref, "-1"], root)[0]
            base = item.parents[0] if item.parents else None
        else:
            raise ClewError(f"{ref!r} is neither a branch nor a commit in this repository")
        text, notes = base_goals(root, goals, [item], base)
        return Work([item], base_goals=text, notes=notes, unread=UNREAD)
