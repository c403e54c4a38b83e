"""alignment.json, format 1: the report's data under a published JSON Schema
(`schema/alignment.schema.json`, kept in sync by a test).

Plain dataclasses and dicts, not pydantic models: a local report is built and
written without importing pydantic at all (its import and model set-up cost a
sixth of the run). pydantic reads the same classes where it is needed: to
validate a report read back (`adapter()`) and to publish the schema; the
attribute docstrings are the schema's descriptions."""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any, NamedTuple

from typing_extensions import TypedDict  # pydantic reads TypedDicts from here before Python 3.12

if TYPE_CHECKING:
    from pydantic import TypeAdapter

FORMAT = 1
_STRICT = {"extra": "forbid", "use_attribute_docstrings": True}  # pydantic's ConfigDict, read from __pydantic_config__


class Strict:
    __slots__ = ()
    __pydantic_config__ = _STRICT


@dataclasses.dataclass(slots=True, kw_only=True)
class Window(Strict):
    start: str
    """First day of the window (ISO date)."""
    end: str
    """Last day of the window (ISO date)."""
    days: int


@dataclasses.dataclass(slots=True, kw_only=True)
class Headline(Strict):
    merged: int
    """Merged work in the window."""
    aligned: int
    """Merged work that traces to an objective."""
    aligned_share: float
    budget: int
    escape: int
    exempt: int
    waste: int
    """Merged work that traces nowhere: potential waste."""
    waste_share: float


@dataclasses.dataclass(slots=True, kw_only=True)
class BudgetSpend(Strict):
    id: str
    title: str
    ceiling: float
    """Declared ceiling, percent of merged work."""
    spent: float
    """Spent, percent of merged work."""
    count: int
    over: bool


@dataclasses.dataclass(slots=True, kw_only=True)
class Reading(Strict):
    date: str
    """The report run's day (ISO date)."""
    value: float


@dataclasses.dataclass(slots=True, kw_only=True)
class Projection(Strict):
    """Where the readings lead: a least-squares line, read at the due date."""

    date: str
    """The objective's due date."""
    value: float
    progress: float
    """0..1 of the way from baseline to target at the due date."""
    reason: str


@dataclasses.dataclass(slots=True, kw_only=True)
class KeyResultRow(Strict):
    id: str
    title: str
    baseline: float | None
    target: float | None
    current: float | None
    """From the goals file, or read from `source` at this run (None when the source failed)."""
    unit: str | None
    progress: float | None
    source: str | None = None
    """What the value is read from: `file pointer`, or the command line."""
    error: str | None = None
    """Why the source gave no value at this run."""
    history: list[Reading] = dataclasses.field(default_factory=list)
    """One reading per report day, oldest first, at most the newest 120 days with a reading."""
    forecast: Projection | None = None


@dataclasses.dataclass(slots=True, kw_only=True)
class InitiativeRow(Strict):
    id: str
    title: str
    state: str
    status: str
    """Judged from its own linked issues and merged work; rolls up to its objective."""
    reasons: list[str]
    merged: int
    open: int
    blocked: int
    stale: int


@dataclasses.dataclass(slots=True, kw_only=True)
class ObjectiveRow(Strict):
    id: str
    title: str
    owner: str | None
    due: str | None
    status: str
    """on-track, at-risk, off-track, achieved or no-data."""
    reasons: list[str]
    update: str
    """A drafted one-paragraph update built from the reasons."""
    progress: float | None
    elapsed: float | None
    key_results: list[KeyResultRow]
    merged: int
    share: float
    """Share of merged work, percent."""
    open: int
    blocked: int
    stale: int
    initiatives: list[InitiativeRow] = dataclasses.field(default_factory=list)


class SuggestionRow(TypedDict):
    id: str
    kind: str
    score: float
    matched: list[str]


# A plain dict, not a model: a report holds tens of thousands of these, built from already
# typed data (constructing models cost more than tracing); pydantic validates them when read.
class Work(TypedDict):
    """One piece of merged (or open) work and the thread from it to the mission, or where it breaks."""

    name: str
    kind: str
    key: str
    title: str
    url: str | None
    author: str
    merged_at: str | None
    status: str
    objective: str | None
    target: str | None
    thread: str
    suggestions: list[SuggestionRow]


@dataclasses.dataclass(slots=True, kw_only=True)
class BacklogIssue(Strict):
    key: str
    title: str
    url: str | None
    blocked: bool
    stale: bool


@dataclasses.dataclass(slots=True, kw_only=True)
class Backlog(Strict):
    objective: str | None
    status: str | None
    issues: list[BacklogIssue]


@dataclasses.dataclass(slots=True, kw_only=True)
class Week(Strict):
    week: str
    """ISO week, e.g. 2026-W45; a month, e.g. 2026-11, when the window is longer than a year."""
    merged: int
    aligned: int
    share: float | None
    """The aligned share in percent; null when nothing was merged in the period (a gap, not 0%)."""


class Archived(TypedDict):
    """An older row, past `report.max_items`: what the counts need, and the thread's deciding hop
    (`via`: what in the unit led where it leads, why it is exempt or where it breaks; null when
    nothing in it matched anything; at most VIA_CHARS characters), not the whole thread."""

    name: str
    merged_at: str | None
    status: str
    objective: str | None
    target: str | None
    via: str | None


VIA_CHARS = 160


@functools.cache
def _nothing_matches() -> str:
    from checker.trace import NOTHING_MATCHES

    return f"✗ {NOTHING_MATCHES}"


def deciding_hop(row: Work) -> str | None:
    """The first step of a row's thread after the unit itself, bounded; None when the thread
    says only that nothing matched (most potential waste: the default, not written each time)."""
    _, _, rest = row["thread"].partition(" → ")
    step, _, _ = rest.partition(" → ")
    if step == _nothing_matches():
        return None
    return (step if len(step) <= VIA_CHARS else step[: VIA_CHARS - 1] + "…") or None


@dataclasses.dataclass(slots=True, kw_only=True)
class Watermark(Strict):
    last_merged_at: str | None
    """The newest merge seen: the next run fetches only what is newer."""
    cursor: str | None = None
    goals: str | None = None
    """Digest of the goals file the items were traced against."""


@dataclasses.dataclass(slots=True, kw_only=True)
class Report(Strict):
    format: int = FORMAT
    tool: str
    generated_at: str
    """When the report was built; ignored when deciding whether to commit."""
    source: str
    """git, github or gitlab."""
    complete: bool
    """False when some data could not be read (see notes)."""
    notes: list[str]
    mission: str
    window: Window
    headline: Headline
    budgets: list[BudgetSpend]
    objectives: list[ObjectiveRow]
    waste: list[Work]
    backlog: list[Backlog]
    review_first: list[Work]
    weeks: list[Week]
    items: list[Work]
    watermark: Watermark
    archived: list[Archived] = dataclasses.field(default_factory=list)
    """Rows older than the newest `report.max_items`, kept short so the file stays small. The
    headline, the weekly figures and the objectives count them; a later run reads them back."""


for _row in (SuggestionRow, Work, Archived):
    setattr(_row, "__pydantic_config__", _STRICT)  # noqa: B010 -- a TypedDict body takes no assignments


_KINDS = {"PR": "pr", "MR": "mr", "issue": "issue", "commit": "commit", "branch": "branch", "range": "branch", "review": "review"}


def all_rows(report: Report) -> list[Work]:
    """Every row of a report, the archived ones as rows again (without their threads)."""
    return report.items + [_unarchived(a) for a in report.archived]


class Previous(NamedTuple):
    """What a later run reuses of a committed report built against the same goals: when it was
    built, the newest merge it saw, and its rows (the archived ones as rows without threads)."""

    generated_at: str
    last_merged_at: str | None
    rows: list[Work]
    start: str = ""  # the first day of its window (YYYY-MM-DD): it holds no row before


_TEXT = ("name", "kind", "key", "title", "author", "status", "thread")
_MAYBE = ("url", "merged_at", "objective", "target")


def _is_row(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and all(isinstance(value.get(k), str) for k in _TEXT)
        and all(value.get(k) is None or isinstance(value.get(k), str) for k in _MAYBE)
        and isinstance(value.get("suggestions"), list)
    )


def _is_archived(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and isinstance(value.get("status"), str)
        and all(value.get(k) is None or isinstance(value.get(k), str) for k in ("merged_at", "objective", "target", "via"))
    )


def read_previous(text: str | None, digest: str) -> Previous | None:
    """The previous report's reusable part, read with the json module alone (a warm run must not
    pay for pydantic), or None: no report, another format or other goals, or rows of the wrong
    shape (a hand-edited file is read again in full, never trusted)."""
    import json

    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    mark = data.get("watermark") if isinstance(data, dict) else None
    if not isinstance(mark, dict) or data.get("format") != FORMAT or mark.get("goals") != digest:
        return None
    items, archived, stamp = data.get("items"), data.get("archived", []), data.get("generated_at")
    if not isinstance(items, list) or not isinstance(archived, list) or not isinstance(stamp, str):
        return None
    if not all(_is_row(r) for r in items) or not all(_is_archived(a) for a in archived):
        return None
    newest = mark.get("last_merged_at") if isinstance(mark.get("last_merged_at"), str) else None
    rows = list(items) + [_unarchived(a) for a in archived]
    window = data.get("window")
    start: str = window["start"] if isinstance(window, dict) and isinstance(window.get("start"), str) else ""
    return Previous(stamp, newest, rows, start)


def _unarchived(a: Archived) -> Work:
    return Work(
        name=a["name"],
        kind=_KINDS.get(a["name"].split(" ", 1)[0], "commit"),
        key=a["name"].split(" ", 1)[-1].lstrip("#!"),
        title="",
        url=None,
        author="",
        merged_at=a["merged_at"],
        status=a["status"],
        objective=a["objective"],
        target=a["target"],
        thread=f"{a['name']} → {a['via']}" if a.get("via") else "",
        suggestions=[],
    )


def plain(value: Any) -> Any:
    """A report part as JSON-ready data: dataclasses become dicts, in field order."""
    if isinstance(value, Strict):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}  # type: ignore[arg-type]
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@functools.cache
def adapter() -> TypeAdapter[Report]:
    """pydantic's reader and schema writer for the report."""
    from pydantic import TypeAdapter

    return TypeAdapter(Report)
