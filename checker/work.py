"""The forge-neutral work model: what every source returns, whatever the forge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal, NamedTuple

Kind = Literal["pr", "mr", "issue", "commit", "branch", "review"]
RefKind = Literal["goal", "issue", "pr", "mr", "escape"]


class Reference(NamedTuple):
    """One reference found in text: an id of the pyramid, a linked issue/PR/MR, or the escape hatch.

    `target` is the id (kind goal), the issue/PR/MR key such as ``#12``,
    ``owner/repo#12`` or ``group/project!7`` (kinds issue, pr, mr), or the
    reason (kind escape). `evidence` is the text that was read; `via` names the
    syntax that matched (trailer, closing keyword, URL, squash subject, ...).
    """

    kind: RefKind
    target: str
    evidence: str
    via: str
    closing: bool = False


class WorkItem(NamedTuple):
    """A PR, MR, issue, commit or branch, as far as clew needs to know it."""

    kind: Kind
    key: str
    title: str = ""
    body: str = ""
    author: str = ""
    author_is_bot: bool = False
    labels: tuple[str, ...] = ()
    milestone: str | None = None
    branch: str | None = None
    base_branch: str | None = None
    paths: tuple[str, ...] = ()
    linked: tuple[str, ...] = ()
    parent: str | None = None
    state: str = "open"
    created_at: str | None = None
    updated_at: str | None = None
    merged_at: str | None = None
    url: str | None = None
    commits: tuple[WorkItem, ...] = ()
    parents: tuple[str, ...] = ()
    labelled_at: tuple[tuple[str, str], ...] = ()  # (label, when it was added), where the forge said
    # What a tracker adds beyond the forge's fields, as (name, value): a Jira issue's project,
    # components and fix versions (`("component", "Billing")`).
    facets: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """How people call it: 'PR #42', 'branch mobile/login', 'commit 1a2b3c4d'."""
        if self.kind == "commit":
            return f"commit {self.key[:10]}"
        if self.facets:  # a tracker's issue: its key says it all (`Jira PAY-12`)
            return f"Jira {self.key}"
        if self.kind == "branch":
            return f"range {self.key}" if ".." in self.key else f"branch {self.key}"
        if self.kind == "review":  # a Gerrit change, a Phabricator revision: named by its review
            return f"review {self.key}"
        sign = "!" if self.kind == "mr" else "#"
        key = self.key if sign in self.key else f"{sign}{self.key}"  # `GNOME/gnome-shell!4346` is already a reference
        return f"{self.kind.upper() if self.kind != 'issue' else 'issue'} {key}"

    @property
    def texts(self) -> tuple[str, ...]:
        """The messages to read references from: its own, then its commits'."""
        own = "" if self.kind == "branch" else f"{self.title}\n\n{self.body}" if self.body else self.title
        return (own, *(f"{c.title}\n\n{c.body}" if c.body else c.title for c in self.commits))


class Work(NamedTuple):
    """What a check source gathered: the items to judge, the issues they link (by every key they
    are named by), the goals file's text at the base (None: judge against the checked-out file),
    the notes to show, and whether the forge's API failed with the settings saying warn."""

    items: list[WorkItem]
    linked: Mapping[str, WorkItem] = {}
    base_goals: bytes | None = None
    notes: Sequence[str] = ()
    passes_open: bool = False  # the forge's API failed and the settings say warn: exit 0
    # Someone else's proposal (a pull or merge request in CI): what its own goals file names
    # outside the repository (`extends:`, `jira.url`) is not read; the base's is.
    proposed: bool = False
    unread: str | None = None  # why no linked issue was read (`local history`, `no token`); None: they were
    tracked: Callable[[], Iterable[str]] | None = None  # the repository's files, where a work tree says (how rare a path word is)


class Window(NamedTuple):
    """The days a report covers, both included: its work merged from `start` to `end`."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


LARGEST = 1e15  # a key-result reading beyond this (either way) is refused as absurd: no key result measures it


class Measured(NamedTuple):
    """A key result's value at this run, or why there is none (checker.forges.metrics)."""

    value: float | None
    error: str | None
    origin: str  # what was read: `metrics/churn.json $.monthly`, or the command line
