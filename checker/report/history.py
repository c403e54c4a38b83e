"""What a report source returns, whatever the place: the merged work of the window as units (a
merge, a squash, a run of rebased commits), the open issues and changes, the issues they link,
what to say about the read, and the threads a source traced already. Pure data: the local git
source, the GitHub and GitLab sources and any new one return this one shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from checker.report import model as m
    from checker.trace import Trace
    from checker.work import WorkItem


class History(NamedTuple):
    source: str  # what alignment.json calls where it came from: git, github, gitlab
    merged: Sequence[WorkItem]  # units of merged work in the window, any order
    open_issues: Sequence[WorkItem] = ()  # the backlog
    open_changes: Sequence[WorkItem] = ()  # open pull or merge requests
    linked: Mapping[str, WorkItem] = {}
    notes: Sequence[str] = ()
    complete: bool = True  # False: the read missed part of the window (a shallow clone), and the report says so
    traces: Sequence[Trace] | None = None  # `merged`'s traces, when the source made them (local git does, while git reads)
    previous: Sequence[m.Work] = ()  # rows of an earlier report the source did not read again (a warm run)
    goals: str | None = None  # the digest of the goals the history was traced against (the next run's reuse test)
    unread: str | None = None  # why the issues its work links were not read (`local history`); None: they were
