"""Every project's committed alignment report across a GitLab group, for the organisation
report (`clew report --org gitlab:GROUP`). GitLab's GraphQL API gives a group's projects,
subgroups included, 50 per request with `repository.blobs(paths:)`, most recently active first.
A later run stops at the first page that reaches a project not active since the previous one:
with nothing pushed, one request."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, NamedTuple

from checker.errors import ApiError
from checker.forges.network import next_page
from checker.forges.organisation import PAGE, Repo, checked, connection

if TYPE_CHECKING:
    from checker.forges.gitlab.client import Client

MIN_PAGE = 5


def group_query(page: int) -> str:
    return (
        "query($group: ID!, $paths: [String!]!, $after: String) { group(fullPath: $group) { "
        f"projects(includeSubgroups: true, sort: ACTIVITY_DESC, first: {page}, after: $after) "
        "{ pageInfo { hasNextPage endCursor } nodes { fullPath archived lastActivityAt "
        "repository { blobs(paths: $paths) { nodes { path oid rawTextBlob } } } } } } }"
    )


def _when(stamp: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None


def _project(node: Any, path: str) -> Repo | None:
    if not isinstance(node, dict) or not node.get("fullPath"):
        return None
    repository: dict[str, Any] = node["repository"] if isinstance(node.get("repository"), dict) else {}
    found = repository.get("blobs")
    blobs = (found.get("nodes") if isinstance(found, dict) else None) or []
    blob = next((b for b in blobs if isinstance(b, dict) and b.get("path") == path), {})
    text = blob.get("rawTextBlob") if isinstance(blob.get("rawTextBlob"), str) else None
    return Repo(str(node["fullPath"]), bool(node.get("archived")), node.get("lastActivityAt"), blob.get("oid"), text)


def _unread(errors: list[dict[str, Any]]) -> dict[int, str]:
    """The projects GitLab could not read a field of (by their place in the page), and why: an
    error's `path` is ["group", "projects", "nodes", <index>, ...]."""
    found: dict[int, str] = {}
    for error in errors:
        where = error.get("path")
        if isinstance(where, list) and len(where) > 3 and where[:3] == ["group", "projects", "nodes"] and isinstance(where[3], int):
            found.setdefault(where[3], str(error.get("message") or "an error")[:200])
        else:
            raise ApiError(f"GitLab GraphQL query failed: {str(error.get('message'))[:300]}")
    return found


class GroupRead(NamedTuple):
    repos: list[Repo]
    page: int  # the page size GitLab accepted
    complete: bool  # every project was read (no `since`, or it reached the oldest)
    unreadable: int = 0  # null entries in GitLab's list


def read_group(client: Client, group: str, path: str, since: dt.datetime | None = None, page: int = PAGE) -> GroupRead:
    """The group's projects, subgroups included, most recently active first, with their reports.
    With `since`, stops after the first page that reaches a project not active since then. A
    query GitLab finds too complex is asked again with half the projects per page."""
    repos: list[Repo] = []
    unreadable = 0
    after: str | None = None
    seen: set[str] = set()
    variables: dict[str, Any] = {"group": group, "paths": [checked(path)]}
    while True:
        try:
            data, errors = client.graphql(group_query(page), {**variables, "after": after})
        except ApiError as exc:
            if "complexity" in str(exc) and page > MIN_PAGE:
                page = max(MIN_PAGE, page // 2)
                continue
            raise
        projects = connection(
            data.get("group"),
            "projects",
            f"no group {group!r} is visible to the token; check its full path, and that CLEW_GITLAB_TOKEN can read its "
            "projects (a group access token with the Reporter role and the read_api scope, docs/org.md)",
        )
        unread = _unread(errors)
        nodes: list[Repo] = []
        for at, node in enumerate(projects.get("nodes") or []):
            unreadable += node is None
            if (found := _project(node, path)) is not None:
                nodes.append(found._replace(error=f"GitLab could not read it: {unread[at]}") if at in unread else found)
        repos += nodes
        info = projects.get("pageInfo") or {}
        if since is not None and nodes:
            oldest = _when(nodes[-1].pushed_at)
            if oldest is not None and oldest < since:
                return GroupRead(repos, page, False, unreadable)
        if not info.get("hasNextPage"):
            return GroupRead(repos, page, True, unreadable)
        after = next_page(info.get("endCursor"), seen, len(seen) + 1, f"GitLab's projects of {group}")
