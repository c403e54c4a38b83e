"""Where the repository is, read from the file system as git itself finds it: the `.git`
directory, or a `.git` file naming one (linked worktrees, submodules), and its `commondir`.
`clew validate` and `clew check` need the work tree's top and the common git directory (where
the compiled goals are cached); asking `git rev-parse` costs a process and the `subprocess`
import, which is most of a small command's start.

Whenever git could answer differently (GIT_DIR and friends set, anything unreadable), this
returns None and the caller asks git."""

from __future__ import annotations

import os
from pathlib import Path

_OVERRIDES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM")


def _dirs(cwd: Path) -> tuple[Path, Path, Path] | None:  # noqa: PLR0911 -- one return per way git finds a repository, or gives up
    """(the work tree's top, its own git directory, the common git directory), or None to ask git."""
    if any(name in os.environ for name in _OVERRIDES):
        return None
    try:
        here = Path(os.path.realpath(cwd))
        for top in (here, *here.parents):
            dot = top / ".git"
            if dot.is_dir():
                gitdir = dot
            elif dot.is_file():
                text = dot.read_text(encoding="utf-8").strip()
                if not text.startswith("gitdir:"):
                    return None
                gitdir = Path(os.path.realpath(top / text.removeprefix("gitdir:").strip()))
            else:
                continue
            if not (gitdir / "HEAD").is_file():
                return None
            common = gitdir / "commondir"
            if common.is_file():
                return top, gitdir, Path(os.path.realpath(gitdir / common.read_text(encoding="utf-8").strip()))
            return top, gitdir, gitdir
    except (OSError, UnicodeDecodeError):
        return None
    return None


def locate(cwd: Path) -> tuple[Path, Path] | None:
    """(the work tree's top, the common git directory), or None to ask git."""
    found = _dirs(cwd)
    return (found[0], found[2]) if found is not None else None


def head_branch(cwd: Path) -> str | None:
    """The branch HEAD is on, read from HEAD as git writes it (`ref: refs/heads/<name>`); empty
    when HEAD is detached; None when git should be asked."""
    found = _dirs(cwd)
    if found is None:
        return None
    try:
        head = (found[1] / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if head.startswith("ref: refs/heads/"):
        return head.removeprefix("ref: refs/heads/")
    return "" if len(head) in (40, 64) and all(c in "0123456789abcdef" for c in head) else None


def find(cwd: Path) -> tuple[Path, Path] | None:
    """(the work tree's top, the common git directory): read from the file system, else asked of
    git; None outside a repository."""
    found = locate(cwd)
    if found is not None:
        return found
    from checker.errors import GitError
    from checker.forges.local import git

    try:
        return git.repo_dirs(cwd)
    except GitError:
        return None
