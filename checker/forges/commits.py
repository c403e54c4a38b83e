"""The report commit, on every surface: one message (`message`), one retry loop (`retry`), and
the way to commit locally (GitHub's Git Data API and GitLab's commits API are their report
targets', in forges/github/report.py and forges/gitlab/report.py).

Each way compares what it would write with what the branch holds, writes only when they
differ, and when another writer moved the branch first, re-reads and tries again; after the
attempts, it says nothing was lost. Never on clew's own report commit."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from checker.errors import ApiError, ClewError
from checker.trace import REPORT_TRAILER

TRAILER = REPORT_TRAILER  # exempt when the commit changes only the report files

if TYPE_CHECKING:
    from checker.report import model as m

SUBJECT = "clew: update the alignment report"
GAVE_UP = "the branch kept moving: gave up committing the report after {n} attempts (nothing was lost; run again)"


def message(report: m.Report) -> str:
    """The report commit's message, the same on every surface: `[skip ci]` so that no CI runs on
    it, and the trailer that marks it as clew's own, which needs no id in anyone's goals file."""
    h = report.headline
    summary = f"{h.aligned_share:g}% of merged work traces to an objective; potential waste {h.waste_share:g}%."
    return f"{SUBJECT} [skip ci]\n\n{summary}\n\n{TRAILER}: v1\n"


class Lost(Exception):
    """Another writer moved the branch first: re-read and try again."""


def retry(attempt: Callable[[], str], reread: Callable[[], None], *, attempts: int = 3, seconds: float | None = None) -> str:
    """`attempt()` until it returns, re-reading after each lost race: `attempts` times, or for
    `seconds` (a local repository, where the race is another git process holding the index)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    tried = 0
    while True:
        tried += 1
        try:
            return attempt()
        except Lost:
            if deadline is not None:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
                continue
            reread()
            if tried >= attempts:
                raise ClewError(GAVE_UP.format(n=tried)) from None


def unchanged(old: str, new: str) -> bool:
    from checker.report.render import unchanged

    return unchanged(old, new)


def racing(call: Callable[[], Any], *, lost: tuple[int, ...]) -> str:
    """The forge's answer to a commit; the statuses by which it says another writer came first
    (a ref that moved, a file changed since it was read) become `Lost`."""
    try:
        return str(call())
    except ApiError as exc:
        if exc.status in lost:
            raise Lost from exc
        raise
