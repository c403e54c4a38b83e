"""Every repository's committed alignment report, for the organisation report (`clew report
--org`). GitHub's GraphQL API gives 50 repositories per request with their alignment.json in the
same answer: 5,000 repositories cost 100 requests. A later run asks only for the repositories
pushed since the previous one, with one search (`org:acme pushed:>=...`), which also carries
their reports: with nothing pushed, one request."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from checker.errors import ApiError, ClewError

if TYPE_CHECKING:
    from checker.sources.github import Client

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


def _fields(path: str) -> str:
    if not _PATH.match(path) or ".." in path:
        raise ClewError(f"--report-path {path!r} is not a path inside a repository")
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


def read_all(client: Client, owner: str, path: str) -> list[Repo]:
    """Every repository of the owner (an organisation or a user), 50 per request."""
    repos: list[Repo] = []
    after: str | None = None
    while True:
        data = client.graphql(list_query(path), {"owner": owner, "after": after})
        found = data.get("repositoryOwner")
        if not isinstance(found, dict):
            raise ClewError(
                f"no organisation or user {owner!r} is visible to the token; check the name, and that GITHUB_TOKEN can read its "
                "repositories (a GitHub App token or a fine-grained token with Contents: read, docs/org.md)"
            )
        page = found.get("repositories") or {}
        repos += [r for r in map(_repo, page.get("nodes") or []) if r is not None]
        info = page.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return repos
        after = info.get("endCursor")
        if not after:
            raise ApiError("GitHub said there were more repositories but gave no cursor")


def read_pushed_since(client: Client, owner: str, path: str, since: str) -> list[Repo] | None:
    """The repositories pushed since `since` (an ISO time), or None when more changed than the
    search can list (then every repository is read)."""
    repos: list[Repo] = []
    after: str | None = None
    query = f"org:{owner} pushed:>={since}"
    while True:
        data = client.graphql(search_query(path), {"q": query, "after": after})
        search = data.get("search") or {}
        if int(search.get("repositoryCount") or 0) > SEARCH_LIMIT:
            return None
        repos += [r for r in map(_repo, search.get("nodes") or []) if r is not None]
        info = search.get("pageInfo") or {}
        if not info.get("hasNextPage") or not info.get("endCursor"):
            return repos
        after = info["endCursor"]
