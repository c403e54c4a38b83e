"""Merged merge requests, open issues and open merge requests from GitLab for
the report, fully paginated (100 per page), updated since the window's start or
the previous report; the issues their descriptions name, in batches of 100."""

from __future__ import annotations

from typing import Any, NamedTuple

from checker import references
from checker.forges.gitlab.client import Client, issue_item
from checker.term import progress
from checker.work import WorkItem


class Collected(NamedTuple):
    merged: list[WorkItem]
    linked: dict[str, WorkItem]
    open_issues: list[WorkItem]
    open_requests: list[WorkItem]


def _request(data: dict[str, Any]) -> WorkItem:
    author = data.get("author") or {}
    milestone = data.get("milestone") if isinstance(data.get("milestone"), dict) else None
    return WorkItem(
        kind="mr",
        key=str(data.get("iid")),
        title=data.get("title") or "",
        body=data.get("description") or "",
        author=str(author.get("username") or ""),
        author_is_bot=bool(author.get("bot")),
        labels=tuple(str(label) for label in data.get("labels") or []),
        milestone=milestone.get("title") if milestone else None,
        branch=data.get("source_branch"),
        base_branch=data.get("target_branch"),
        state=data.get("state") or "",
        updated_at=data.get("updated_at"),
        merged_at=data.get("merged_at"),
        url=data.get("web_url"),
    )


def collect(client: Client, project: str, project_path: str, updated_after: str, blocking: frozenset[str] = frozenset()) -> Collected:
    """`blocking`: the labels that block (lowered); an open issue carrying one is asked when it
    got it, one read each, so that blocked-since is not the issue's last update."""
    progress("reading merged merge requests…")
    merged = [_request(d) for d in client.merged_requests(project, updated_after)]
    open_requests = [_request(d) for d in client.open_items(project, "merge_requests")]
    open_issues = [issue_item(d, project_path) for d in client.open_items(project, "issues")]
    open_issues = [
        i._replace(labelled_at=client.label_times(project, int(i.key))) if blocking & {x.lower() for x in i.labels} else i
        for i in open_issues
    ]
    linked = {f"#{i.key}": i for i in open_issues}
    wanted = sorted(
        {
            int(ref.target.rsplit("#", 1)[1])
            for item in [*merged, *open_requests]
            for ref in references.parse(item.texts[0])
            if ref.kind == "issue" and ref.target.startswith("#") and ref.target[1:].isdigit() and ref.target not in linked
        }
    )
    for start in range(0, len(wanted), 100):
        progress(f"reading linked issues {start + 1}–{min(start + 100, len(wanted))} of {len(wanted)}…")
        for data in client.issues(project, wanted[start : start + 100]):
            issue = issue_item(data, project_path)
            linked[f"#{issue.key}"] = issue
    progress("")
    return Collected(merged, linked, open_issues, open_requests)
