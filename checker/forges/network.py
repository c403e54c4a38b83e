"""How clew talks over the network, the same for every client (GitHub, GitLab, Jira): the time
one request may take, the backoff between retries, and the bounds on waiting. A forge may ask
clew to wait (`Retry-After`, a rate limit's reset): clew waits at most `wait_max` seconds at a
time and `budget` seconds in all; asked for more, it stops at once, and the check fails or
passes open as `on_api_error` says. A setting that is not a number is a configuration error."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import NamedTuple

from checker.settings import Setting, read


class Network(NamedTuple):
    timeout: float = 20.0  # seconds one request may take (CLEW_HTTP_TIMEOUT)
    backoff: float = 1.0  # the first backoff between retries (CLEW_RETRY_BACKOFF)
    secondary_wait: float = 60.0  # GitHub's secondary rate limit without Retry-After (CLEW_SECONDARY_RATE_WAIT)
    wait_max: float = 60.0  # the longest single wait a forge may ask for (CLEW_RETRY_WAIT_MAX)
    budget: float = 120.0  # every wait of a run together (CLEW_RETRY_BUDGET)


def _seconds(least: float) -> Callable[[str], float]:
    def check(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{raw[:40]!r} is not a number of seconds") from None
        if not math.isfinite(value) or value < least or value > 86400:
            raise ValueError(f"{raw[:40]!r} is not between {least:g} and 86400 seconds")
        return value

    return check


DEFAULT = Network()
SETTINGS = (
    Setting("timeout", ("CLEW_HTTP_TIMEOUT",), default=DEFAULT.timeout, check=_seconds(0.1)),
    Setting("backoff", ("CLEW_RETRY_BACKOFF",), default=DEFAULT.backoff, check=_seconds(0)),
    Setting("secondary_wait", ("CLEW_SECONDARY_RATE_WAIT",), default=DEFAULT.secondary_wait, check=_seconds(0)),
    Setting("wait_max", ("CLEW_RETRY_WAIT_MAX",), default=DEFAULT.wait_max, check=_seconds(0)),
    Setting("budget", ("CLEW_RETRY_BUDGET",), default=DEFAULT.budget, check=_seconds(0)),
)


def network(env: Mapping[str, str]) -> Network:
    """The network settings of the environment, or a ClewError naming each one that is wrong."""
    return Network(**read(SETTINGS, env, "network settings"))


class WaitTooLong(Exception):
    """A forge asked for a wait past the bounds: the request is given up now, not retried."""


class Waits:
    """The waits of one client, against the bounds: `allow(seconds, why)` before each sleep."""

    def __init__(self, settings: Network) -> None:
        self.settings = settings
        self.spent = 0.0

    def allow(self, seconds: float, why: str) -> float:
        s = self.settings
        if seconds > s.wait_max:
            raise WaitTooLong(
                f"{why} asked clew to wait {seconds:.0f} s before retrying; clew waits at most {s.wait_max:g} s "
                "at a time (CLEW_RETRY_WAIT_MAX), so it gave up"
            )
        if self.spent + seconds > s.budget:
            raise WaitTooLong(
                f"{why} asked clew to wait again after {self.spent:.0f} s of waiting; clew waits at most {s.budget:g} s "
                "in all (CLEW_RETRY_BUDGET), so it gave up"
            )
        self.spent += seconds
        return seconds

    def sleep(self, seconds: float, why: str) -> None:
        if seconds > 0:
            time.sleep(self.allow(seconds, why))


MAX_PAGES = 5_000  # pages of one listing: 500,000 pull requests, or 250,000 repositories


def next_page(cursor: str | None, seen: set[str], pages: int, what: str, limit: int = MAX_PAGES) -> str:
    """The cursor of the next page, checked: a forge that gives a cursor it gave before, none at
    all, or more pages than any real listing has, is not followed further (ApiError)."""
    from checker.errors import ApiError

    if not cursor:
        raise ApiError(f"{what}: the forge said there were more pages but gave no cursor")
    if cursor in seen:
        raise ApiError(f"{what}: the forge gave the same page cursor twice; clew stopped reading (it would never end)")
    if pages >= limit:
        raise ApiError(f"{what}: more than {limit} pages; clew stopped reading")
    seen.add(cursor)
    return cursor
