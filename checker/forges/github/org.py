"""Every repository's committed alignment report, for the organisation report (`clew report
--org`). GitHub's GraphQL API gives 50 repositories per request with their alignment.json in the
same answer: 5,000 repositories cost 100 requests. A later run asks only for the repositories
pushed since the previous one, with one search (`org:acme pushed:>=...`), which also carries
their reports: with nothing pushed, one request.

GitLab's GraphQL API does the same for a group: its projects, subgroups included, 50 per request
with `repository.blobs(paths:)`, most recently active first. A later run stops at the first page
that reaches a project not active since the previous one: with nothing pushed, one request."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from checker.errors import ApiError, ClewError

if TYPE_CHECKING:
    from checker.forges.github.client import Client
    from checker.forges.gitlab import client as gitlab

PAGE = 50
SEARCH_LIMIT = 1000  # GitHub's search returns at most this many results: past it, list them all
_PATH = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./-]*$")


class Repo(NamedTuple):
    """One repository as the organisation report needs it: its alignment.json (None: absent)."""

    name: str
    archived: bool
    pushed_at: str | None
    oid: str | None
    text: str | None
    error: str | None = None  # the forge could not read it


def _checked(path: str) -> str:
    if not _PATH.match(path) or ".." in path:
        raise ClewError(f"--report-path {path!r} is not a path inside a repository")
    return path


def _fields(path: str) -> str:
    _checked(path)
    return f'nameWithOwner isArchived pushedAt alignment: object(expression: "HEAD:{path}") {{ ... on Blob {{ oid text }} }}'


def list_query(path: str) -> str:
    return (
        "query($owner: String!, $after: String) { repositoryOwner(login: $owner) { "
        f"repositories(first: {PAGE}, after: $after, orderBy: {{field: NAME, direction: ASC}}) "
        f"{{ pageInfo {{ hasNextPage endCursor }} nodes {{ {_fields(path)} }} }} }} }}"
    )


def search_query(path: str) -> str:
    return (
        "query($q: String!, $after: String) { "
        f"search(query: $q, type: REPOSITORY, first: {PAGE}, after: $after) {{ repositoryCount "
        f"pageInfo {{ hasNextPage endCursor }} nodes {{ ... on Repository {{ {_fields(path)} }} }} }} }}"
    )


def _repo(node: Any) -> Repo | None:
    if not isinstance(node, dict) or not node.get("nameWithOwner"):
        return None
    found = node.get("alignment")
    blob: dict[str, Any] = found if isinstance(found, dict) else {}
    text = blob.get("text") if isinstance(blob.get("text"), str) else None
    return Repo(str(node["nameWithOwner"]), bool(node.get("isArchived")), node.get("pushedAt"), blob.get("oid"), text)


class Listed(NamedTuple):
    repos: list[Repo]
    unreadable: int  # null entries: repositories the forge listed but would not show the token


def _listed(nodes: Any, make: Any) -> Listed:
    found = [make(n) for n in nodes] if isinstance(nodes, list) else []
    return Listed([r for r in found if r is not None], sum(1 for n in nodes or [] if n is None))


def _connection(owner: Any, field: str, missing: str) -> dict[str, Any]:
    """The owner's connection (its repositories, its projects); a null owner is one the token cannot see."""
    if not isinstance(owner, dict):
        raise ClewError(missing)
    found = owner.get(field)
    return found if isinstance(found, dict) else {}


def read_all(client: Client, owner: str, path: str) -> Listed:
    """Every repository of the owner (an organisation or a user), 50 per request."""
    repos: list[Repo] = []
    unreadable = 0
    after: str | None = None
    while True:
        data = client.graphql(list_query(path), {"owner": owner, "after": after})
        page = _connection(
            data.get("repositoryOwner"),
            "repositories",
            f"no organisation or user {owner!r} is visible to the token; check the name, and that GITHUB_TOKEN can read its "
            "repositories (a GitHub App token or a fine-grained token with Contents: read, docs/org.md)",
        )
        listed = _listed(page.get("nodes"), _repo)
        repos, unreadable = repos + listed.repos, unreadable + listed.unreadable
        info = page.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return Listed(repos, unreadable)
        after = info.get("endCursor")
        if not after:
            raise ApiError("GitHub said there were more repositories but gave no cursor")


def read_pushed_since(client: Client, owner: str, path: str, since: str) -> Listed | None:
    """The repositories pushed since `since` (an ISO time), or None when more changed than the
    search can list (then every repository is read)."""
    repos: list[Repo] = []
    unreadable = 0
    after: str | None = None
    query = f"org:{owner} pushed:>={since}"
    while True:
        data = client.graphql(search_query(path), {"q": query, "after": after})
        search = data.get("search") or {}
        if int(search.get("repositoryCount") or 0) > SEARCH_LIMIT:
            return None
        listed = _listed(search.get("nodes"), _repo)
        repos, unreadable = repos + listed.repos, unreadable + listed.unreadable
        info = search.get("pageInfo") or {}
        if not info.get("hasNextPage") or not info.get("endCursor"):
            return Listed(repos, unreadable)
        after = info["endCursor"]


# --- GitLab groups
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


def read_group(client: gitlab.Client, group: str, path: str, since: dt.datetime | None = None, page: int = PAGE) -> GroupRead:
    """The group's projects, subgroups included, most recently active first, with their reports.
    With `since`, stops after the first page that reaches a project not active since then. A
    query GitLab finds too complex is asked again with half the projects per page."""
    repos: list[Repo] = []
    unreadable = 0
    after: str | None = None
    variables: dict[str, Any] = {"group": group, "paths": [_checked(path)]}
    while True:
        try:
            data, errors = client.graphql(group_query(page), {**variables, "after": after})
        except ApiError as exc:
            if "complexity" in str(exc) and page > MIN_PAGE:
                page = max(MIN_PAGE, page // 2)
                continue
            raise
        projects = _connection(
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
        after = info.get("endCursor")
        if not after:
            raise ApiError("GitLab said there were more projects but gave no cursor")
