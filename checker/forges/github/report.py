"""Merged pull requests, open issues and open pull requests from GitHub for the
report: one GraphQL request per 100 merged pull requests (their linked issues in
the same request), newest update first; paging stops at the window's start, or
at the previous report's watermark, so a warm run reads one page."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from checker.forges.github.client import Client, Head, ReportPage, fetch_report_page
from checker.term import progress
from checker.work import WorkItem


class Collected(NamedTuple):
    merged: list[WorkItem]
    linked: dict[str, WorkItem]
    open_issues: list[WorkItem]
    open_pulls: list[WorkItem]
    head: Head | None
    requests: int


def collect(  # noqa: PLR0913 -- the request's inputs; the first page keyword-only
    client: Client,
    repository: str,
    since: dt.date,
    watermark: str | None,
    paths: tuple[str, ...],
    *,
    first_page: ReportPage | None = None,
) -> Collected:
    """`watermark`: when the previous report was built; what was updated before it is in it already."""
    stop = max(since.isoformat(), watermark or "")
    merged: list[WorkItem] = []
    linked: dict[str, WorkItem] = {}
    first = None
    after: str | None = None
    requests = 0
    while True:
        page = first_page if first_page is not None and after is None else fetch_report_page(client, repository, after, paths)
        requests += 1
        first = first or page
        linked.update(page.linked)
        merged.extend(pr for pr in page.merged if (pr.merged_at or "") >= since.isoformat() and (pr.updated_at or "") >= stop)
        progress(f"read {len(merged)} merged pull requests…")
        if not page.more or page.oldest_update is None or page.oldest_update < stop:
            break
        after = page.cursor
    progress("")
    return Collected(merged, linked, first.open_issues, first.open_pulls, first.head, requests)
