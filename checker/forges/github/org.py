"""Every repository's committed alignment report, for the organisation report (`clew report
--org`). GitHub's GraphQL API gives 50 repositories per request with their alignment.json in the
same answer: 5,000 repositories cost 100 requests. A later run asks only for the repositories
pushed since the previous one, with one search (`org:acme pushed:>=...`), which also carries
their reports: with nothing pushed, one request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checker.forges.network import next_page
from checker.forges.organisation import PAGE, Listed, Repo, checked, connection, listed

if TYPE_CHECKING:
    from checker.forges.github.client import Client

SEARCH_LIMIT = 1000  # GitHub's search returns at most this many results: past it, list them all


def _fields(path: str) -> str:
    checked(path)
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


def read_all(client: Client, owner: str, path: str) -> Listed:
    """Every repository of the owner (an organisation or a user), 50 per request."""
    repos: list[Repo] = []
    unreadable = 0
    after: str | None = None
    seen: set[str] = set()
    while True:
        data = client.graphql(list_query(path), {"owner": owner, "after": after})
        page = connection(
            data.get("repositoryOwner"),
            "repositories",
            f"no organisation or user {owner!r} is visible to the token; check the name, and that GITHUB_TOKEN can read its "
            "repositories (a GitHub App token or a fine-grained token with Contents: read, docs/org.md)",
        )
        found = listed(page.get("nodes"), _repo)
        repos, unreadable = repos + found.repos, unreadable + found.unreadable
        info = page.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return Listed(repos, unreadable)
        after = next_page(info.get("endCursor"), seen, len(seen) + 1, f"GitHub's repositories of {owner}")


def read_pushed_since(client: Client, owner: str, path: str, since: str) -> Listed | None:
    """The repositories pushed since `since` (an ISO time), or None when more changed than the
    search can list (then every repository is read)."""
    repos: list[Repo] = []
    unreadable = 0
    after: str | None = None
    seen: set[str] = set()
    query = f"org:{owner} pushed:>={since}"
    while True:
        data = client.graphql(search_query(path), {"q": query, "after": after})
        search = data.get("search") or {}
        count = search.get("repositoryCount")
        if not isinstance(count, int) or count > SEARCH_LIMIT:
            return None
        found = listed(search.get("nodes"), _repo)
        repos, unreadable = repos + found.repos, unreadable + found.unreadable
        info = search.get("pageInfo") or {}
        if not info.get("hasNextPage") or not info.get("endCursor"):
            return Listed(repos, unreadable)
        after = next_page(info["endCursor"], seen, len(seen) + 1, f"GitHub's search of {owner}'s repositories")
