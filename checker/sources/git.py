"""git plumbing as small typed functions. Every call runs with the GIT_*
variables a hook inherits stripped, so git answers about the repository in
the working directory, not about the one that invoked the hook."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from checker.errors import GitError
from checker.work import WorkItem

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
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k in _KEEP or k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }


def git(args: Sequence[str], cwd: Path, *, check: bool = True) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on the PATH") from None
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:3])} failed: {message[-1] if message else 'exit ' + str(proc.returncode)}")
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""


def git_bytes(args: Sequence[str], cwd: Path) -> bytes | None:
    proc = subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, stdin=subprocess.DEVNULL, check=False)
    return proc.stdout if proc.returncode == 0 else None


def toplevel(cwd: Path) -> Path | None:
    out = git(["rev-parse", "--show-toplevel"], cwd, check=False).strip()
    return Path(out) if out else None


def repo_dirs(cwd: Path) -> tuple[Path, Path]:
    """The work tree's top and the (common) git directory, in one call."""
    out = git(["rev-parse", "--show-toplevel", "--git-common-dir"], cwd, check=False).splitlines()
    if len(out) != 2:
        raise GitError(f"{cwd} is not inside a git work tree; run clew from your repository")
    top, common = Path(out[0]), Path(out[1])
    return top, common if common.is_absolute() else cwd / common


def current_branch(cwd: Path) -> str | None:
    return git(["symbolic-ref", "--short", "-q", "HEAD"], cwd, check=False).strip() or None


def upstream(cwd: Path) -> str | None:
    return git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], cwd, check=False).strip() or None


def default_branch(cwd: Path) -> str | None:
    """origin/HEAD when known, else the first of main, master, trunk that exists."""
    head = git(["symbolic-ref", "-q", "refs/remotes/origin/HEAD"], cwd, check=False).strip()
    if head:
        return head.removeprefix("refs/remotes/")
    for name in ("origin/main", "origin/master", "main", "master", "trunk"):
        if git(["rev-parse", "-q", "--verify", f"{name}^{{commit}}"], cwd, check=False).strip():
            return name
    return None


def exists(rev: str, cwd: Path) -> bool:
    return bool(git(["rev-parse", "-q", "--verify", f"{rev}^{{commit}}"], cwd, check=False).strip())


def show(rev: str, path: str, cwd: Path) -> bytes | None:
    return git_bytes(["show", f"{rev}:{path}"], cwd)


def merge_base(a: str, b: str, cwd: Path) -> str | None:
    return git(["merge-base", a, b], cwd, check=False).strip() or None


RS, US = "\x1e", "\x1f"
_FORMAT = f"--format={RS}%H{US}%an{US}%ae{US}%aI{US}%cI{US}%P{US}%B{US}"


def log(rev_args: Sequence[str], cwd: Path, *, paths: bool = True) -> list[WorkItem]:
    """Commits of a range in one git call, newest first, with their changed paths."""
    args = ["-c", "core.quotepath=off", "log", "--no-color", "--no-renames", _FORMAT]
    if paths:
        args.append("--name-only")
    out = git([*args, *rev_args, "--"], cwd)
    return [_commit(record) for record in out.split(RS)[1:]]


def log_stream(rev_args: Sequence[str], cwd: Path, *, paths: bool = True) -> Iterator[WorkItem]:
    """Like `log`, but commits come as git writes them, so the caller works while git reads."""
    args = [
        "git",
        "-c",
        "core.quotepath=off",
        "log",
        "--no-color",
        "--no-renames",
        _FORMAT,
        *(["--name-only"] if paths else []),
        *rev_args,
        "--",
    ]
    try:
        proc = subprocess.Popen(args, cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise GitError("git is not installed or not on the PATH") from None
    assert proc.stdout is not None
    buffer = ""
    reader = io.TextIOWrapper(proc.stdout, encoding="utf-8", errors="replace", newline="")
    while chunk := reader.read(1 << 16):
        buffer += chunk
        records = buffer.split(RS)
        buffer = records.pop()
        yield from (_commit(record) for record in records if record)
    if buffer:
        yield _commit(buffer)
    error = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
    if proc.wait() != 0:
        raise GitError(f"git log failed: {error.splitlines()[-1] if error else 'exit ' + str(proc.returncode)}")


def _commit(record: str) -> WorkItem:
    sha, name, email, authored, committed, parents, message, files = record.split(US, 7)
    subject, _, body = message.strip("\n").partition("\n")
    return WorkItem(
        kind="commit",
        key=sha,
        title=subject.strip(),
        body=body.strip("\n"),
        author=name,
        author_is_bot=name.endswith("[bot]") or email.endswith("[bot]@users.noreply.github.com"),
        paths=tuple(p for p in files.strip("\n").split("\n") if p),
        created_at=authored,
        updated_at=committed,
        state="merge" if " " in parents.strip() else "commit",
        parents=tuple(parents.split()),
    )


def changed_paths(base: str, head: str, cwd: Path) -> tuple[str, ...]:
    """What a branch changes as a whole: one tree diff instead of one per commit."""
    out = git(["-c", "core.quotepath=off", "diff", "--no-renames", "--name-only", "-z", base, head, "--"], cwd)
    return tuple(p for p in out.split("\0") if p)


def branch_item(name: str, commits: Sequence[WorkItem], base: str | None = None, paths: Sequence[str] | None = None) -> WorkItem:
    """The unit judged for a push: the branch, its name and its commits' references."""
    authors = {c.author for c in commits}
    paths = tuple(paths) if paths is not None else tuple(dict.fromkeys(p for c in commits for p in c.paths))
    head = commits[0] if commits else None
    return WorkItem(
        kind="branch",
        key=name,
        title=head.title if head else "",
        author=authors.pop() if len(authors) == 1 else "",
        author_is_bot=bool(commits) and all(c.author_is_bot for c in commits),
        branch=name,
        base_branch=base,
        paths=paths,
        commits=tuple(commits),
    )
