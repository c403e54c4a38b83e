"""checker.forges.local.push: git's pre-push lines → the updates worth judging, each once."""

from __future__ import annotations

import pytest

from checker.errors import ClewError
from checker.forges.local.push import MAX_UPDATES, parse_updates

A, B, ZERO = "a" * 40, "b" * 40, "0" * 40


def test_deletions_tags_and_repeats_are_left_out() -> None:
    lines = "\n".join(
        [
            f"refs/heads/main {A} refs/heads/main {B}",
            f"refs/heads/main {A} refs/heads/main {B}",  # the same line again
            f"(delete) {ZERO} refs/heads/old {B}",
            f"refs/tags/v1 {A} refs/tags/v1 {ZERO}",
            "",
            f"refs/heads/new {'c' * 64} refs/heads/new {'0' * 64}",  # SHA-256, a new branch
        ]
    )
    updates = parse_updates(lines)
    assert [(u.branch, u.local_oid[:1]) for u in updates] == [("main", "a"), ("new", "c")]


@pytest.mark.parametrize("line", ["refs/heads/main abc refs/heads/main def", f"refs/heads/main --output=x refs/heads/main {B}", "one two"])
def test_a_line_git_would_not_write_is_refused(line: str) -> None:
    with pytest.raises(ClewError, match="pre-push input line 1"):
        parse_updates(line)


def test_a_push_of_too_many_branches_is_refused_with_the_way_out() -> None:
    lines = "\n".join(f"refs/heads/b{n} {A} refs/heads/b{n} {B}" for n in range(MAX_UPDATES + 1))
    with pytest.raises(ClewError, match="push them in parts"):
        parse_updates(lines)
