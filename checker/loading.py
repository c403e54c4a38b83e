"""The pyramid for a goals file's bytes: from the cache in the git directory
when nothing it was built from changed, else through the validating loader
(which is imported only then)."""

from __future__ import annotations

from pathlib import Path

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
