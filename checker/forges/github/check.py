"""The work of a GitHub Actions event: the event's own item from its payload (zero API calls),
then one GraphQL read for the thread: the pull request's closing issues and changed paths, the
issues its text names, the goals file at the base and the existing sticky comment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker import references
from checker.forges.local import git
from checker.work import Work

if TYPE_CHECKING:
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


MAX_LINKS = 50  # issues one read follows; the text may name thousands


def link_refs(item: WorkItem, repository: str) -> list[tuple[str | None, int]]:
    """Issues the item's text and branch reference, to fetch in the same query."""
    found: dict[tuple[str | None, int], None] = {}
    refs = [*references.parse(item.texts[0]), *references.branch_references(item.branch or "")]
    for ref in refs:
        if ref.kind not in ("issue", "pr") or ref.via in ("squash subject", "merge subject") or "#" not in ref.target:
            continue
        project, _, number = ref.target.rpartition("#")
        if number.isdigit():
            found.setdefault((None if not project or project.lower() == repository.lower() else project, int(number)))
            if len(found) >= MAX_LINKS:
                break
    return list(found)


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
            from checker.forges.github import thread

            kind = item.kind if item is not None else "pr" if access.pr_number is not None else "none"
            refs = link_refs(item, event.repository) if item is not None else []
            try:
                fetched, errors = thread.fetch(client, kind, event.number, refs, goals_expr, event.repository)
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
        unread = "no token" if client is None else None
        return Work([item] if item is not None else [], linked, base_goals, self.notes, self.api_failed, proposed=proposed, unread=unread)


class NumberSource:
    """A `Source` for `clew explain #N`: the pull request read by its number (one read; a second
    for the issues its text names that the first did not hold), judged against the goals at its
    base commit when it edits them (from the checkout, or a third read)."""

    def __init__(self, repository: str, number: int, token: str, root: Path) -> None:
        self.repository, self.number, self.token, self.root = repository, number, token, root
        self.client: Client | None = None

    def gather(self, goals: GoalsFile) -> Work:
        from checker.errors import ClewError
        from checker.forges.github import thread
        from checker.forges.github.client import Client

        self.client = client = Client(self.token)
        fetched, _ = thread.fetch(client, "pr", self.number, [], None, self.repository)
        if fetched.item is None:
            raise ClewError(f"pull request #{self.number} was not found in {self.repository} (or the token cannot read it)")
        item = fetched.item._replace(linked=fetched.closing, paths=fetched.paths)
        linked = dict(fetched.linked)
        wanted = [ref for ref in link_refs(item, self.repository) if f"{ref[0] + '#' if ref[0] else '#'}{ref[1]}" not in linked]
        if wanted:
            more, _ = thread.fetch(client, "none", None, wanted, None, self.repository)
            linked.update(more.linked)
        base, notes = None, []
        if goals.own and goals.display in item.paths and fetched.base:
            found = git.show(fetched.base, goals.display, self.root) if git.exists(fetched.base, self.root) else None
            expression = f"{fetched.base}:{goals.display}"
            text = found.decode("utf-8", "replace") if found is not None else client.read_blob(self.repository, expression)
            base = text.encode() if text is not None else None
            notes.append(f"this pull request edits {goals.display}: it was judged against the goals at its base")
        return Work([item], linked, base, notes)
