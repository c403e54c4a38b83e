"""The regular expressions people write in goals and policy files (`match.titles`,
`exempt.titles`), run by RE2: matching takes time linear in the text, whatever the
pattern, so a title rule such as `^(a+)+$` cannot stall a check on a hostile title.

RE2 has no backreferences and no lookaround; a pattern that needs them is refused
when the file is validated, with the reason, at its file:line.
"""

from __future__ import annotations

import functools
from typing import Protocol


class Pattern(Protocol):
    """What clew asks of a compiled pattern."""

    def search(self, text: str) -> object | None: ...


class RegexError(ValueError):
    """A pattern RE2 cannot run."""


@functools.lru_cache(maxsize=1024)
def compile_user(pattern: str) -> Pattern:
    """The pattern compiled by RE2 (imported here only: the pre-push path without title rules
    never loads it). Raises RegexError with RE2's reason."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own copy of the error on stderr
    try:
        compiled: Pattern = re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        hint = " (clew runs patterns in linear time with RE2: backreferences and lookaround are not supported)"
        raise RegexError(f"{reason}{hint if 'perl operator' in reason or 'escape' in reason else ''}") from None
    return compiled
