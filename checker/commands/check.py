"""`clew check` on the local repository: a range, or the current branch
against its upstream (or the default branch)."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from checker import app
from checker.compiled import Pyramid
from checker.errors import ClewError
from checker.loading import Goals, current_goals, pyramid_for
from checker.sources import git
from checker.work import WorkItem


class Plan:
    """What to judge: the work items and the revision their goals come from. (A plain class:
    `dataclasses` imports `inspect`, which alone costs a third of a small check's start.)"""

    def __init__(self, items: list[WorkItem], base: str | None, notes: list[str] | None = None) -> None:
        self.items, self.base, self.notes = items, base, notes or []


def repo_root(cwd: Path) -> tuple[Path, Path]:
    """The work tree's top and its (common) git directory."""
    from checker.sources.gitdir import find

    found = find(cwd)
    if found is None:
        raise ClewError(f"{cwd} is not inside a git repository; run clew from your repository, or use `clew validate`")
    return found


def pre_commit_range() -> tuple[str | None, str | None]:
    """pre-commit's pre-push stage passes the range in the environment."""
    frm, to = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    branch = os.environ.get("PRE_COMMIT_REMOTE_BRANCH") or os.environ.get("PRE_COMMIT_LOCAL_BRANCH")
    name = branch.removeprefix("refs/heads/") if branch else None
    return (f"{frm}..{to}" if frm and to else None), name


def plan_range(root: Path, spec: str | None, per_commit: bool) -> Plan:
    env_spec, env_branch = pre_commit_range()
    if spec is None and env_spec is not None:
        plan = plan_range(root, env_spec, per_commit)
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
        if not per_commit and (units := _merged_units(tip, commits)):
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


def _merged_units(tip: str, commits: Sequence[WorkItem]) -> list[WorkItem]:
    """A range holding merged pull or merge requests (merge commits, `(#N)` subjects, `See merge
    request`, `Part-of:` groups) is judged unit by unit, as the report sees it, not by its tip;
    a range without any (a feature branch) stays one unit."""
    from checker.report.collect_local import Reading, arrange

    if not commits:
        return []
    units = arrange(Reading(tip, {c.key: c for c in commits}, None)).items
    return units if any(u.kind in ("pr", "mr") for u in units) else []


def _describe(units: Sequence[WorkItem]) -> str:
    nouns = {"pr": ("PR", "PRs"), "mr": ("MR", "MRs"), "commit": ("commit", "commits")}
    kinds = Counter(u.kind for u in units)
    parts = [f"{n} {nouns.get(kind, (kind, kind + 's'))[n != 1]}" for kind, n in kinds.items()]
    return f"judged each unit of the range, as the report does: {', '.join(parts)}"


def _units(name: str, commits: Sequence[WorkItem], per_commit: bool, base: str | None) -> list[WorkItem]:
    if per_commit:
        return list(commits)
    return [git.branch_item(name, commits, base)] if commits else []


def pyramid_at_base(root: Path, goals: Goals, plan: Plan) -> tuple[Pyramid, bool, list[str]]:
    """Judge work against the goals at the base when the change edits the goals file."""
    touched = any(goals.display in item.paths for item in plan.items)
    if not touched or plan.base is None:
        return goals.pyramid, False, []
    old = git.show(plan.base, goals.display, root)
    if old is None:
        return goals.pyramid, True, [f"{goals.display} is new in this change: judged against the new file"]
    base = pyramid_for(old, f"{goals.display}@{plan.base[:12]}", goals.path, goals.cache)
    return base, True, [f"{goals.display} changes here: work judged against its version at {plan.base[:12]}"]


def run(cwd: Path, goals: str | None, spec: str | None, per_commit: bool, today: dt.date) -> app.Result:
    """The compiled goals (from the cache when nothing changed: no YAML, no validating models),
    the plan, then the pipeline; the goals rules always speak of the current file."""
    root, common = repo_root(cwd)
    current = current_goals(root, goals, common)
    plan = plan_range(root, spec, per_commit)
    judged, changed, notes = pyramid_at_base(root, current, plan)
    return app.evaluate(
        judged,
        plan.items,
        today=today,
        goals_changed=changed,
        goals_file=current.display,
        notes=plan.notes + notes,
        extra=app.goals_findings(current.pyramid, today),
        located=current.pyramid,
    )
