"""`clew pre-push`: git's pre-push protocol, on a lean path.

stdin has one line per ref: `<local ref> <local oid> <remote ref> <remote oid>`.
An all-zero local oid is a deletion (skipped), tags are skipped, an all-zero
remote oid is a new branch (only the commits on no remote-tracking ref are
judged). The zero oid is recognised whatever its length, so SHA-256
repositories work. No lines at all: nothing to do.

This path imports neither click nor the validating models when the compiled
goals are cached (see checker.compiled), and never the forge SDKs.
"""

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker.errors import EXIT_OK, EXIT_USAGE, ClewError

if TYPE_CHECKING:  # imported when there is work to judge, not before
    from checker.result import Result
    from checker.work import WorkItem

USAGE = "usage: clew pre-push [--goals PATH] [--per-commit] [--color auto|always|never] [REMOTE [URL]]"


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
        for oid in (update.local_oid, update.remote_oid):
            if len(oid) not in (40, 64) or not all(c in "0123456789abcdef" for c in oid):
                raise ClewError(
                    f"pre-push input line {number}: {oid[:80]!r} is not an object id (40 or 64 hexadecimal digits); "
                    "git writes these lines itself, so this input did not come from git"
                )
        if _zero(update.local_oid) or not update.remote_ref.startswith("refs/heads/"):
            continue
        updates.append(update)
    return updates


def commits_for(update: Update, root: Path, per_commit: bool) -> "tuple[list[WorkItem], str | None]":
    """New commits of one ref (with their own changed paths only when judged one by one)
    and the revision they build on."""
    from checker.sources import git

    if not _zero(update.remote_oid) and git.exists(update.remote_oid, root):
        return git.log([f"{update.remote_oid}..{update.local_oid}"], root, paths=per_commit), update.remote_oid
    commits = git.log([update.local_oid, "--not", "--remotes"], root, paths=per_commit)
    base = commits[-1].parents[0] if commits and commits[-1].parents else None
    if base is None and commits and not per_commit:  # the push reaches a root commit
        commits = git.log([update.local_oid, "--not", "--remotes"], root)
    return commits, base


def run(cwd: Path, stdin_text: str, goals: str | None, per_commit: bool, today: dt.date) -> "Result | None":
    updates = parse_updates(stdin_text)
    if not updates:
        return None
    from checker import app
    from checker.goals.discover import discover, display_name
    from checker.loading import pyramid_for
    from checker.sources import git
    from checker.sources.gitdir import find

    root, git_dir = find(cwd) or git.repo_dirs(cwd)  # git's own error when it is no repository
    items: list[WorkItem] = []
    base: str | None = None
    for update in updates:
        commits, base_of = commits_for(update, root, per_commit)
        if not commits:
            continue
        if per_commit:
            items.extend(commits)
        else:
            paths = git.changed_paths(base_of, update.local_oid, root) if base_of else None
            items.append(git.branch_item(update.branch, commits, paths=paths))
        base = base or base_of
    if not items:
        return None
    path = discover(goals, root)
    display = display_name(path, root)
    cache = git_dir / "clew"
    pushed = git.show(updates[0].local_oid, display, root) if not goals else None
    text = pushed if pushed is not None else path.read_bytes()
    current = pyramid_for(text, display, path, cache)  # the pushed goals file must be valid
    changed = any(display in item.paths for item in items)
    old = git.show(base, display, root) if changed and base else None
    if old is None:
        notes = [f"{display} is new in this push: judged against the new file"] if changed else []
        return app.evaluate(current, items, today=today, goals_changed=changed, goals_file=display, notes=notes)
    judged = pyramid_for(old, f"{display}@{base[:12] if base else ''}", path, cache)
    notes = [f"{display} changes here: work judged against its version at {base[:12] if base else ''}"]
    return app.evaluate(judged, items, today=today, goals_changed=True, goals_file=display, notes=notes)


def _parse_args(argv: Sequence[str]) -> tuple[str | None, bool, str]:
    goals, per_commit, color = None, False, "auto"
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--per-commit":
            per_commit = True
        elif arg in ("--goals", "--color") and args:
            value = args.pop(0)
            goals, color = (value, color) if arg == "--goals" else (goals, value)
        elif arg.startswith(("--goals=", "--color=")):
            key, _, value = arg.partition("=")
            goals, color = (value, color) if key == "--goals" else (goals, value)
        elif arg.startswith("-"):
            raise ClewError(f"unknown option {arg!r}; {USAGE}")
    if color not in ("auto", "always", "never"):
        raise ClewError(f"--color must be auto, always or never; {USAGE}")
    return goals, per_commit, color


def main(argv: Sequence[str]) -> int:
    """The hook's entry point, without click: parse, judge, print to stderr, exit."""
    from checker.errors import report

    try:
        goals, per_commit, color_choice = _parse_args(argv)
        stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
        if not stdin.strip():
            return EXIT_OK
        from checker.clock import today

        result = run(Path.cwd(), stdin, goals, per_commit, today())
        if result is None:
            return EXIT_OK
        from checker.outputs import text
        from checker.term import use_color

        color = use_color(sys.stderr, color_choice)  # type: ignore[arg-type]
        out = text.render(result, color)
        if result.failing:
            out += REFUSAL
        sys.stderr.write(out)
        return result.exit_code
    except Exception as exc:
        return report(exc)


REFUSAL = (
    "clew: push refused. Add a line 'Objective: <id>' (or 'Initiative: <id>') to a commit message, "
    "e.g. with `git commit --amend`, or 'Unaligned: <reason>' if the work serves no objective. "
    "To push anyway: git push --no-verify\n"
)
__all__ = ["EXIT_USAGE", "REFUSAL", "main", "parse_updates", "run"]
