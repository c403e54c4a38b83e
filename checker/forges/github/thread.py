"""The check's one read: a single GraphQL document fetches the linked issues and their parent
chains (closingIssuesReferences plus every issue the text references, because the API leaves
closing references empty when the base is not the default branch), the changed paths, the
existing comments (to find the sticky one, written by the token's own identity), and the goals
file at the base commit when the checkout does not have it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from checker.forges.github import nodes
from checker.forges.github.nodes import PARENT_DEPTH, PR
from checker.work import WorkItem

if TYPE_CHECKING:
    from checker.forges.github.client import Client


class Comment(NamedTuple):
    id: int
    body: str


class Fetched(NamedTuple):
    linked: dict[str, WorkItem]
    closing: tuple[str, ...]
    paths: tuple[str, ...]
    comments: tuple[Comment, ...]  # those the token's identity wrote
    goals: str | None
    item: WorkItem | None
    missing: tuple[str, ...]  # references that resolve to nothing the token can see
    base: str | None = None  # the pull request's base commit


def build_query(
    kind: str, number: int | None, refs: list[tuple[str | None, int]], goals_expr: str | None, own: str
) -> tuple[str, dict[str, Any]]:
    """The one GraphQL document for a check, and its variables (untrusted text only ever in variables)."""
    variables: dict[str, Any] = {"owner": own.split("/", maxsplit=1)[0], "name": own.split("/")[1]}
    declared = ["$owner: String!", "$name: String!"]
    parts = []
    if goals_expr is not None:
        declared.append("$goals: String!")
        variables["goals"] = goals_expr
        parts.append("goals: object(expression: $goals) { ... on Blob { text } }")
    if number is not None and kind in ("pr", "issue"):
        declared.append("$number: Int!")
        variables["number"] = number
        comments = "comments(last: 100) { nodes { databaseId body viewerDidAuthor } }"
        if kind == "pr":
            parts.append(
                f"item: pullRequest(number: $number) {{ {PR} baseRefOid files(first: 100) {{ nodes {{ path }} }} {comments} "
                f"closingIssuesReferences(first: 25) {{ nodes {{ {nodes.chain(PARENT_DEPTH)} }} }} }}"
            )
        else:
            parts.append(f"item: issue(number: $number) {{ {nodes.chain(PARENT_DEPTH)} {comments} }}")
    outside = []
    for index, (project, ref_number) in enumerate(refs):
        selection = f"... on Issue {{ {nodes.chain(PARENT_DEPTH)} }} ... on PullRequest {{ {PR} }}"
        if project is None or project.lower() == own.lower():
            parts.append(f"r{index}: issueOrPullRequest(number: {int(ref_number)}) {{ __typename {selection} }}")
        else:
            declared += [f"$o{index}: String!", f"$n{index}: String!"]
            variables[f"o{index}"], variables[f"n{index}"] = project.split("/", 1)
            lookup = f"issueOrPullRequest(number: {int(ref_number)}) {{ __typename {selection} }}"
            outside.append(f"x{index}: repository(owner: $o{index}, name: $n{index}) {{ {lookup} }}")
    body = " ".join(parts) or "id"
    query = f"query Clew({', '.join(declared)}) {{ repository(owner: $owner, name: $name) {{ {body} }} {' '.join(outside)} }}"
    return query, variables


def parse_response(data: dict[str, Any], refs: list[tuple[str | None, int]], own: str) -> Fetched:
    repo = data.get("repository") or {}
    linked: dict[str, WorkItem] = {}
    item_node = repo.get("item") or {}
    closing = []
    for node in (item_node.get("closingIssuesReferences") or {}).get("nodes") or []:
        for key, issue in nodes.walk(node, own):
            linked.setdefault(key, issue)
        if isinstance(node, dict) and node.get("number") is not None:
            closing.append(nodes.key(node, own))
    for key, issue in list(nodes.walk(item_node, own))[1:] if "headRefName" not in item_node else []:
        linked.setdefault(key, issue)
    missing = []
    for index, (project, number) in enumerate(refs):
        node = repo.get(f"r{index}") if f"r{index}" in repo else (data.get(f"x{index}") or {}).get("issueOrPullRequest")
        if not isinstance(node, dict):
            missing.append(f"{project or ''}#{number}")
            continue
        for key, issue in nodes.walk(node, own):
            linked.setdefault(key, issue)
    for key, issue in list(linked.items()):
        if not key.startswith("#"):
            continue
        linked.setdefault(f"{own}{key}", issue)
    comments = tuple(
        Comment(int(c["databaseId"]), c.get("body") or "")
        for c in (item_node.get("comments") or {}).get("nodes") or []
        if isinstance(c, dict) and c.get("viewerDidAuthor") and c.get("databaseId") is not None
    )
    paths = tuple(f["path"] for f in (item_node.get("files") or {}).get("nodes") or [] if isinstance(f, dict) and f.get("path"))
    goals = (repo.get("goals") or {}).get("text") if isinstance(repo.get("goals"), dict) else None
    item = nodes.issue(item_node, own) if item_node.get("number") is not None else None
    base = item_node.get("baseRefOid") if isinstance(item_node.get("baseRefOid"), str) else None
    return Fetched(linked, tuple(closing), paths, comments, goals, item, tuple(missing), base)


def fetch(
    client: Client, kind: str, number: int | None, refs: list[tuple[str | None, int]], goals_expr: str | None, own: str
) -> tuple[Fetched, list[str]]:
    """The one read. Partial data is kept: a deleted issue is reported, not fatal."""
    from checker.forges.github.client import graphql_data

    query, variables = build_query(kind, number, refs, goals_expr, own)
    data = client.post_graphql(query, variables)
    errors = [str(e.get("message", e))[:200] for e in (data or {}).get("errors") or [] if isinstance(e, dict)]
    return parse_response(graphql_data(data), refs, own), errors
