"""GitHub's GraphQL nodes as work items: the selections clew asks for an issue and a pull
request, the parent chain, and the reading of the answers (a node → a WorkItem, keyed as the
thread names it). Shared by the check's one read and the report's pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checker.work import WorkItem

PARENT_DEPTH = 4
ISSUE = "number title body state updatedAt url repository { nameWithOwner } labels(first: 50) { nodes { name } } milestone { title }"
PR = (
    "number title body prState: state updatedAt url headRefName baseRefName author { login __typename } "
    "repository { nameWithOwner } labels(first: 50) { nodes { name } } milestone { title }"
)


def chain(depth: int) -> str:
    inner = ISSUE
    for _ in range(depth):
        inner = f"{ISSUE} parent {{ {inner} }}"
    return inner


def key(node: dict[str, Any], own: str) -> str:
    project = (node.get("repository") or {}).get("nameWithOwner") or own
    return f"#{node['number']}" if project.lower() == own.lower() else f"{project}#{node['number']}"


def issue(node: dict[str, Any], own: str) -> WorkItem:
    parent = node.get("parent")
    author = node.get("author") or {}
    return WorkItem(
        kind="issue" if "headRefName" not in node else "pr",
        key=str(node.get("number")),
        title=node.get("title") or "",
        body=node.get("body") or "",
        author=author.get("login") or "",
        author_is_bot=author.get("__typename") == "Bot",
        labels=tuple(label["name"] for label in ((node.get("labels") or {}).get("nodes") or []) if label),
        milestone=(node.get("milestone") or {}).get("title"),
        branch=node.get("headRefName"),
        base_branch=node.get("baseRefName"),
        parent=key(parent, own) if isinstance(parent, dict) else None,
        state=(node.get("state") or node.get("prState") or "").lower(),
        updated_at=node.get("updatedAt"),
        url=node.get("url"),
    )


def walk(node: Any, own: str) -> Iterator[tuple[str, WorkItem]]:
    """An issue and its parent chain, flattened."""
    while isinstance(node, dict) and node.get("number") is not None:
        yield key(node, own), issue(node, own)
        node = node.get("parent")
