"""checker.forges.network: the network settings as one validated model, the bounds on waiting,
and the checks on page cursors that keep every page loop finite."""

from __future__ import annotations

import pytest

from checker.errors import ApiError, ClewError
from checker.forges.network import DEFAULT, Network, Waits, WaitTooLong, network, next_page


def test_defaults_and_overrides() -> None:
    assert network({}) == DEFAULT
    assert network({"CLEW_HTTP_TIMEOUT": "2.5", "CLEW_RETRY_WAIT_MAX": "0"}) == DEFAULT._replace(timeout=2.5, wait_max=0.0)


def test_every_bad_setting_is_named_at_once() -> None:
    with pytest.raises(ClewError) as raised:
        network({"CLEW_HTTP_TIMEOUT": "abc", "CLEW_RETRY_BACKOFF": "-5", "CLEW_RETRY_BUDGET": "inf"})
    said = str(raised.value)
    assert "CLEW_HTTP_TIMEOUT: 'abc' is not a number of seconds" in said
    assert "CLEW_RETRY_BACKOFF: '-5' is not between 0 and 86400 seconds" in said
    assert "CLEW_RETRY_BUDGET: 'inf'" in said


def test_a_wait_past_the_cap_or_the_budget_is_refused() -> None:
    waits = Waits(Network(wait_max=10, budget=15))
    assert waits.allow(8, "GitHub") == 8
    with pytest.raises(WaitTooLong, match="asked clew to wait 11 s before retrying; clew waits at most 10 s"):
        waits.allow(11, "GitHub")
    with pytest.raises(WaitTooLong, match="after 8 s of waiting; clew waits at most 15 s in all"):
        waits.allow(8, "GitLab")
    assert waits.spent == 8


def test_a_page_loop_stops_on_a_cursor_seen_before_none_or_too_many_pages() -> None:
    seen: set[str] = set()
    assert next_page("a", seen, 1, "pages") == "a"
    with pytest.raises(ApiError, match="same page cursor twice"):
        next_page("a", seen, 2, "pages")
    with pytest.raises(ApiError, match="gave no cursor"):
        next_page(None, seen, 2, "pages")
    with pytest.raises(ApiError, match="more than 3 pages"):
        next_page("b", seen, 3, "pages", limit=3)
