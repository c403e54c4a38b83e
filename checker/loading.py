"""The pyramid for a goals file's bytes: from the cache in the git directory
when nothing it was built from changed, else through the validating loader
(which is imported only then)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from checker.compiled import Pyramid, cache_path, read_cache, write_cache


def pyramid_for(text: bytes, display: str, path: Path, cache_dir: Path | None, policy: str | None = None) -> Pyramid:
    """`policy`, when given, replaces the goals file's `extends` (the action's `policy` input)."""
    cached = cache_path(cache_dir, text, display, policy) if cache_dir is not None else None
    if cached is not None and (hit := read_cache(cached)) is not None:
        return hit
    from checker.config import load_bytes

    config = load_bytes(text, display, path, policy)
    pyramid = config.pyramid()
    if cached is not None:
        write_cache(cached, pyramid, list(config.policy.files))
    return pyramid


class GoalsFile(NamedTuple):
    """Where a goals file is, and how any version of it is compiled: through the cache in the git
    directory (`cache`, None in CI), with the action's `policy` replacing its `extends` when given."""

    path: Path
    display: str
    cache: Path | None
    policy: str | None = None

    def read(self) -> bytes:
        from checker.errors import ClewError

        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ClewError(f"cannot read {self.display}: {exc.strerror or exc}") from None

    def compile(self, text: bytes, label: str | None = None) -> Pyramid:
        """`label` names a version other than the checked-out file (`goals.yml@base`)."""
        return pyramid_for(text, label or self.display, self.path, self.cache, self.policy)


def goals_file(root: Path, explicit: str | None, cache: Path | None, policy: str | None = None) -> GoalsFile:
    """The goals file `explicit` names, or the one found in `root` (checker.goals.discover)."""
    from checker.goals.discover import discover, display_name

    path = discover(explicit, root)
    return GoalsFile(path, display_name(path, root), cache, policy)


class Goals(NamedTuple):
    """The goals file of a working tree, compiled: where it is, and the cache it came through."""

    pyramid: Pyramid
    path: Path
    display: str
    cache: Path | None


def current_goals(root: Path, explicit: str | None, common: Path | None = None) -> Goals:
    """The goals file `clew check` and `clew validate` judge with, through the compiled cache in
    the git directory `common` (found when not given; outside a repository, there is none)."""
    if common is None:
        from checker.sources.gitdir import find

        common = found[1] if (found := find(root)) is not None else None
    file = goals_file(root, explicit, common / "clew" if common is not None else None)
    return Goals(file.compile(file.read()), file.path, file.display, file.cache)
