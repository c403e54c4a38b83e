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

from checker.errors import GitError

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
    try:
        return repo_dirs(cwd)
    except GitError:
        return None


def repo_dirs(cwd: Path) -> tuple[Path, Path]:
    """The work tree's top and the (common) git directory, in one call."""
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "--git-common-dir"], cwd=cwd, env=clean_env(), capture_output=True, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on the PATH") from None
    out = proc.stdout.decode("utf-8", "replace").splitlines() if proc.returncode == 0 else []
    if len(out) != 2:
        raise GitError(f"{cwd} is not inside a git work tree; run clew from your repository")
    top, common = Path(out[0]), Path(out[1])
    return top, common if common.is_absolute() else cwd / common


_KEEP = {
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSL_CAINFO",
    "GIT_SSL_NO_VERIFY",
    "GIT_ASKPASS",
    "GIT_HTTP_PROXY_AUTHMETHOD",
    "GIT_ALLOW_PROTOCOL",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
}


def clean_env() -> dict[str, str]:
    """The environment git runs with: the GIT_* variables a hook inherits stripped, so git
    answers about the repository in the working directory, not the one that invoked the hook."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k in _KEEP or k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
