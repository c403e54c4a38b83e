"""`clew pre-push`: git's pre-push protocol, on a lean path: stdin → the pushed ranges
(checker.forges.local.push) → the same pipeline as every surface (checker.app). No lines, or no new
commits: nothing to do.

This path imports neither click nor the validating models when the compiled
goals are cached (see checker.goals.compiled), and never the forge SDKs.
"""

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import EXIT_OK, EXIT_USAGE, ClewError

if TYPE_CHECKING:  # imported when there is work to judge, not before
    from checker.app import Outcome

USAGE = "usage: clew pre-push [--goals PATH] [--per-commit] [--color auto|always|never] [REMOTE [URL]]"


def run(cwd: Path, stdin_text: str, goals: str | None, per_commit: bool, today: dt.date, *, color: bool = False) -> "Outcome | None":
    """The pushed ranges through the pipeline; None when the push brings nothing to judge."""
    from checker.forges.local.push import NothingToJudge, Push, parse_updates

    updates = parse_updates(stdin_text)
    if not updates:
        return None
    from checker import app
    from checker.forges import org_goals
    from checker.forges.local import git
    from checker.forges.local.gitdir import find, repo_dirs
    from checker.goals.file import goals_file

    root, git_dir = find(cwd) or repo_dirs(cwd)  # git's own error when it is no repository
    file = goals_file(root, goals, git_dir / "clew", fetch=org_goals.fetch)
    pushed = git.show(updates[0].local_oid, file.display, root) if not goals else None  # the pushed goals file must be valid
    try:
        return app.run(app.Context(file, Push(root, updates, per_commit), today, current=pushed), app.Options(format="text", color=color))
    except NothingToJudge:
        return None


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
        from checker.term import use_color

        color = use_color(sys.stderr, color_choice)  # type: ignore[arg-type]
        outcome = run(Path.cwd(), stdin, goals, per_commit, today(), color=color)
        if outcome is None:
            return EXIT_OK
        sys.stderr.write(outcome.output + (REFUSAL if outcome.result.failing else ""))
        return outcome.exit_code
    except Exception as exc:
        return report(exc)


REFUSAL = (
    "clew: push refused. Add a line 'Objective: <id>' (or 'Initiative: <id>') to a commit message, "
    "e.g. with `git commit --amend`, or 'Unaligned: <reason>' if the work serves no objective. "
    "To push anyway: git push --no-verify\n"
)
__all__ = ["EXIT_USAGE", "REFUSAL", "main", "run"]
