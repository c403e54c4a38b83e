"""Writing the report's files inside the repository, and nowhere else.

A committed report file can be a symlink, a report directory can be a symlink, and a
goals file can point `report.markdown` at a directory, at the goals file itself or into
`.git/`. Every directory on the way is opened without following links, and the file is
written to a temporary name beside its target, flushed, then renamed over it: an
interrupted run leaves the old file whole (and at most a temporary file that the next
run removes), never a truncated one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path, PurePosixPath

from checker.errors import ClewError

TEMP_PREFIX = ".clew-tmp-"


class UnsafePath(ClewError):
    """A report path clew refuses to write."""


def check(rel: str, *, setting: str, goals: str | None = None) -> None:
    """What can be told from the path alone: inside the repository, not in `.git`, not the goals file."""
    parts = PurePosixPath(rel.replace("\\", "/")).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
        raise UnsafePath(f"{setting}: {rel!r} leaves the repository; name a file inside it, such as ALIGNMENT.md")
    if any(part.lower() == ".git" for part in parts):
        raise UnsafePath(f"{setting}: {rel!r} is inside .git, where git keeps its own files and hooks; name a file in the work tree")
    if goals is not None and PurePosixPath(*parts) == PurePosixPath(goals):
        raise UnsafePath(f"{setting}: {rel!r} is the goals file itself; the report must go to a file of its own")


def replace(path: Path, data: bytes) -> None:
    """A file clew owns (a cache in the git directory, a report it writes to --out) replaced
    atomically: written beside it under a name of this process, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(exc, OSError):
            raise ClewError(f"cannot write {path} ({exc.strerror or exc}); {_KEPT}") from None
        raise


def write(root: Path, rel: str, text: str, *, setting: str) -> None:
    """`text` into `root/rel`, atomically, following no symlink on the way."""
    parts = PurePosixPath(rel.replace("\\", "/")).parts
    directory = _open_dirs(root, parts[:-1], rel, setting)
    try:
        name = parts[-1]
        _refuse_existing(directory, name, rel, setting)
        temp = f"{TEMP_PREFIX}{os.getpid()}-{name}"
        data = text.encode("utf-8")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, name, src_dir_fd=directory, dst_dir_fd=directory)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=directory)
            if isinstance(exc, OSError):
                raise ClewError(f"{setting}: cannot write {rel!r} ({exc.strerror or exc}); {_KEPT}") from None
            raise
    finally:
        os.close(directory)


_KEPT = "the file as it was is kept whole, and nothing was committed"


def current(path: Path) -> str:
    """A report file's text as it is now; empty when it is not there (or cannot be read)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def clean_leftovers(root: Path, rels: list[str]) -> list[str]:
    """Temporary files an interrupted run left beside the report files: removed."""
    removed = []
    for rel in rels:
        folder = root / PurePosixPath(rel).parent
        if folder.is_symlink() or not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(PurePosixPath(rel).name) and not entry.is_symlink():
                entry.unlink()
                removed.append(str(entry.relative_to(root)))
    return removed


def _open_dirs(root: Path, parts: tuple[str, ...], rel: str, setting: str) -> int:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=fd)
            try:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafePath(
                        f"{setting}: {rel!r} goes through {part!r}, which is a symbolic link or not a directory; "
                        "clew writes the report only inside the repository, following no link"
                    ) from None
                raise
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd


def _refuse_existing(directory: int, name: str, rel: str, setting: str) -> None:
    try:
        found = os.stat(name, dir_fd=directory, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(found.st_mode):
        raise UnsafePath(
            f"{setting}: {rel!r} is a symbolic link; clew does not write through links (it could reach outside the repository). "
            "Remove the link, or point the setting at a regular file"
        )
    if not stat.S_ISREG(found.st_mode):
        raise UnsafePath(f"{setting}: {rel!r} is a directory or a special file; name a file, such as {rel.rstrip('/')}/ALIGNMENT.md")
