"""Globs for branches and paths: `*` stays within one segment, `**` spans segments."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def compiled(pattern: str) -> re.Pattern[str]:
    """The pattern as `matches` reads it (leading and trailing slashes do not count); match it
    against `text.strip("/")`."""
    return compile_glob(pattern.strip("/") if pattern != "/" else pattern)


def matches(pattern: str, text: str) -> bool:
    return compiled(pattern).match(text.strip("/")) is not None
