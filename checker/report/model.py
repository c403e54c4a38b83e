"""alignment.json, format 1: the report's data under a published JSON Schema
(`schema/alignment.schema.json`, kept in sync by a test)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, with_config
from typing_extensions import TypedDict  # pydantic reads TypedDicts from here before Python 3.12

FORMAT = 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Window(Strict):
    start: str = Field(description="First day of the window (ISO date).")
    end: str = Field(description="Last day of the window (ISO date).")
    days: int


class Headline(Strict):
    merged: int = Field(description="Merged work in the window.")
    aligned: int = Field(description="Merged work that traces to an objective.")
    aligned_share: float
    budget: int
    escape: int
    exempt: int
    waste: int = Field(description="Merged work that traces nowhere: potential waste.")
    waste_share: float


class BudgetSpend(Strict):
    id: str
    title: str
    ceiling: float = Field(description="Declared ceiling, percent of merged work.")
    spent: float = Field(description="Spent, percent of merged work.")
    count: int
    over: bool


class KeyResultRow(Strict):
    id: str
    title: str
    baseline: float | None
    target: float | None
    current: float | None
    unit: str | None
    progress: float | None


class ObjectiveRow(Strict):
    id: str
    title: str
    owner: str | None
    due: str | None
    status: str = Field(description="on-track, at-risk, off-track, achieved or no-data.")
    reasons: list[str]
    update: str = Field(description="A drafted one-paragraph update built from the reasons.")
    progress: float | None
    elapsed: float | None
    key_results: list[KeyResultRow]
    merged: int
    share: float = Field(description="Share of merged work, percent.")
    open: int
    blocked: int
    stale: int


@with_config(ConfigDict(extra="forbid"))
class SuggestionRow(TypedDict):
    id: str
    kind: str
    score: float
    matched: list[str]


# A plain dict, not a model: a report holds tens of thousands of these, built from already
# typed data (constructing models cost more than tracing); pydantic validates them when read.
@with_config(ConfigDict(extra="forbid"))
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


class BacklogIssue(Strict):
    key: str
    title: str
    url: str | None
    blocked: bool
    stale: bool


class Backlog(Strict):
    objective: str | None
    status: str | None
    issues: list[BacklogIssue]


class Week(Strict):
    week: str = Field(description="ISO week, e.g. 2026-W45.")
    merged: int
    aligned: int
    share: float


class Watermark(Strict):
    last_merged_at: str | None = Field(description="The newest merge seen: the next run fetches only what is newer.")
    cursor: str | None = None
    goals: str | None = Field(default=None, description="Digest of the goals file the items were traced against.")


class Report(Strict):
    format: int = FORMAT
    tool: str
    generated_at: str = Field(description="When the report was built; ignored when deciding whether to commit.")
    source: str = Field(description="git, github or gitlab.")
    complete: bool = Field(description="False when some data could not be read (see notes).")
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
