"""checker.app.Publisher: both forges' sticky writers are publishers, and the report commit
has one retry loop whose counts are the product's (each lost race costs one re-read)."""

from __future__ import annotations

import pytest

from checker.app import Publisher
from checker.errors import ClewError
from checker.forges.commits import Lost, retry
from checker.forges.github.sticky import StickyComment
from checker.forges.gitlab.sticky import StickyNote


def test_both_forges_publish_through_one_protocol() -> None:
    assert issubclass(StickyComment, Publisher)
    assert issubclass(StickyNote, Publisher)


def test_a_lost_race_is_read_again_then_retried_three_times_at_most() -> None:
    calls: list[str] = []

    def always_lost() -> str:
        calls.append("attempt")
        raise Lost

    with pytest.raises(ClewError, match=r"gave up committing the report after 3 attempts \(nothing was lost; run again\)"):
        retry(always_lost, lambda: calls.append("reread"))
    assert calls == ["attempt", "reread"] * 3

    calls.clear()
    outcomes = iter([Lost, Lost, "committed"])

    def third_time() -> str:
        calls.append("attempt")
        outcome = next(outcomes)
        if outcome is Lost:
            raise Lost
        return str(outcome)

    assert retry(third_time, lambda: calls.append("reread")) == "committed"
    assert calls == ["attempt", "reread", "attempt", "reread", "attempt"]


def test_a_local_commit_waits_by_the_clock_and_then_says_why() -> None:
    tries: list[int] = []

    def busy() -> str:
        tries.append(1)
        raise Lost from RuntimeError("index.lock exists")

    with pytest.raises(Lost):
        retry(busy, lambda: None, seconds=0.25)
    assert 2 <= len(tries) <= 5  # one try every 0.1 s until the deadline, no re-read
