"""The work of a GitHub Actions event: the event's own item from its payload (zero API calls),
then one GraphQL read for the thread: the pull request's closing issues and changed paths, the
issues its text names, the goals file at the base and the existing sticky comment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker import references
from checker.forges.local import git

if TYPE_CHECKING:
    from checker.app import Work
    from checker.forges.github.client import Client
    from checker.forges.github.event import Event
    from checker.goals.file import GoalsFile
    from checker.work import WorkItem


class Access(NamedTuple):
    """What the source may read with: the token, the pull request number a `workflow_run`
    passes on, and whether an API failure fails the check or passes it open."""

    token: str
    pr_number: int | None = None
    on_api_error: str = "warn"


def link_refs(item: WorkItem, repository: str) -> list[tuple[str | None, int]]:
    """Issues the item's text and branch reference, to fetch in the same query."""
    found: list[tuple[str | None, int]] = []
    refs = [*references.parse(item.texts[0]), *references.branch_references(item.branch or "")]
    for ref in refs:
        if ref.kind not in ("issue", "pr") or ref.via in ("squash subject", "merge subject") or "#" not in ref.target:
            continue
        project, _, number = ref.target.rpartition("#")
        key = (None if not project or project.lower() == repository.lower() else project, int(number))
        if number.isdigit() and key not in found:
            found.append(key)
    return found[:50]


def _has_links(item: WorkItem | None, event: Event) -> bool:
    return item is not None and bool(link_refs(item, event.repository))


class EventSource:
    """A `Source`. After `gather`, `client`, `comments` and `item` hold what the publisher needs."""

    def __init__(self, event: Event, root: Path, access: Access) -> None:
        self.event, self.root, self.access = event, root, access
        self.client: Client | None = None
        self.comments: tuple[object, ...] = ()
        self.item: WorkItem | None = None
        self.notes: list[str] = [event.note] if event.note else []
        self.api_failed = False

    def _client(self) -> Client | None:
        if self.client is None and self.access.token:
            from checker.forges.github.client import Client

            self.client = Client(self.access.token)
        return self.client

    def gather(self, goals: GoalsFile) -> Work:  # noqa: PLR0912 -- one branch per case of the event and the token, in the order docs/github.md gives them
        from checker.app import Work

        event, access, display = self.event, self.access, goals.display
        base_sha = event.base_sha if goals.own else None  # an inherited file has no version in this repository
        base_goals = git.show(base_sha, display, self.root) if base_sha and git.exists(base_sha, self.root) else None
        goals_expr = f"{base_sha}:{display}" if base_sha and base_goals is None else None
        item, linked = event.item, {}
        if item is None and access.pr_number is not None:  # workflow_run: the number came from an artifact
            self.event = event = event._replace(number=access.pr_number)
        client = self._client()
        if client is None:
            self.notes.append("no token given: linked issues were not read; the check used the event's own fields")
        elif (item is not None and item.kind in ("pr", "issue")) or goals_expr or access.pr_number or _has_links(item, event):
            from checker.errors import ApiError

            kind = item.kind if item is not None else "pr" if access.pr_number is not None else "none"
            refs = link_refs(item, event.repository) if item is not None else []
            try:
                fetched, errors = client.fetch(kind, event.number, refs, goals_expr, event.repository)
            except ApiError as exc:
                if access.on_api_error == "fail":
                    raise
                self.api_failed = True
                self.notes.append(f"{exc}. clew judged the event's own fields only and passes open (on_api_error: warn)")
            else:
                linked = fetched.linked
                if errors and not fetched.missing:
                    self.notes.append(f"GitHub GraphQL reported: {'; '.join(errors[:3])}")
                if fetched.missing:
                    self.notes.append(f"not found or not accessible to the token: {', '.join(fetched.missing)}")
                if item is None and fetched.item is not None and access.pr_number is not None:
                    item = fetched.item
                if item is not None:
                    item = item._replace(linked=fetched.closing, paths=fetched.paths or item.paths)
                if item is not None and fetched.item is not None:  # live labels: the payload's are stale on "Re-run jobs"
                    item = item._replace(labels=fetched.item.labels)
                self.comments = fetched.comments
                if fetched.goals is not None:
                    base_goals = fetched.goals.encode()
        if base_goals is None and base_sha:
            self.notes.append(f"{display} at the base commit could not be read: judged against the checked-out file")
        self.item = item
        if item is not None and display in item.paths:
            self.notes.append(f"this change edits {display}: it was judged against the goals at its base")
        proposed = event.name in ("pull_request", "pull_request_target", "merge_group")
        return Work([item] if item is not None else [], linked, base_goals, self.notes, passes_open=self.api_failed, proposed=proposed)
