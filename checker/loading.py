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


class Goals(NamedTuple):
    """The goals file of a working tree, compiled: where it is, and the cache it came through."""

    pyramid: Pyramid
    path: Path
    display: str
    cache: Path | None


def current_goals(root: Path, explicit: str | None, common: Path | None = None) -> Goals:
    """The goals file `clew check` and `clew validate` judge with, through the compiled cache in
    the git directory `common` (found when not given; outside a repository, there is none)."""
    from checker.errors import ClewError
    from checker.goals.discover import discover, display_name

    path = discover(explicit, root)
    display = display_name(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ClewError(f"cannot read {display}: {exc.strerror or exc}") from None
    if common is None:
        from checker.sources.gitdir import find

        common = found[1] if (found := find(root)) is not None else None
    cache = common / "clew" if common is not None else None
    return Goals(pyramid_for(raw, display, path, cache), path, display, cache)
