"""Objective status, explainable and pure: the same inputs give the same status,
the same reasons and the same drafted update.

Progress is the mean of the measurable key results, `(current - baseline) /
(target - baseline)`, else the share of linked issues closed. Time elapsed runs
from `start` to `due`; without a `start`, progress is not compared with time
(the report's window is no start: status must not change with `--window`). Status:

- `achieved` when the goals file says so;
- `off-track` when past due, or progress trails time by more than `off_track_margin`;
- `at-risk` when progress trails time by more than `at_risk_margin`, or linked
  issues have been blocked longer than `blocked_days`, or half the open ones
  are stale;
- `no-data` when there is nothing to measure;
- `on-track` otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

STATUSES = ("on-track", "at-risk", "off-track", "achieved", "no-data")


class Linked(NamedTuple):
    """An issue linked to the objective, as far as status needs to know it."""

    key: str
    open: bool
    blocked: bool = False
    blocked_since: dt.date | None = None
    updated: dt.date | None = None
    critical: bool = False  # carries one of `report.priority_labels`


class Thresholds(NamedTuple):
    stale_days: int = 14
    blocked_days: int = 3
    at_risk_margin: float = 0.15
    off_track_margin: float = 0.35


class Inputs(NamedTuple):
    id: str
    title: str
    state: str
    start: dt.date | None
    due: dt.date | None
    kr_progress: tuple[tuple[str, float], ...]  # (key result title, 0..1) for the measurable ones
    issues: tuple[Linked, ...]
    merged: int  # merged work in the window


class Status(NamedTuple):
    status: str
    reasons: tuple[str, ...]
    progress: float | None
    elapsed: float | None
    blocked: int
    stale: int
    open: int
    closed: int
    update: str


def _elapsed(start: dt.date | None, due: dt.date | None, today: dt.date) -> float | None:
    if start is None or due is None or due <= start:
        return None
    return max(0.0, min(1.0, (today - start).days / (due - start).days))


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


DEFAULT = Thresholds()


def compute(obj: Inputs, today: dt.date, limits: Thresholds = DEFAULT) -> Status:
    open_issues = [i for i in obj.issues if i.open]
    closed = len(obj.issues) - len(open_issues)
    blocked = [i for i in open_issues if i.blocked and (i.blocked_since is None or (today - i.blocked_since).days > limits.blocked_days)]
    stale = [i for i in open_issues if not i.blocked and i.updated is not None and (today - i.updated).days > limits.stale_days]
    if obj.kr_progress:
        progress: float | None = sum(p for _, p in obj.kr_progress) / len(obj.kr_progress)
        measured = "key-result progress"
    elif obj.issues:
        progress = closed / len(obj.issues)
        measured = "linked issues closed"
    else:
        progress, measured = None, ""
    elapsed = _elapsed(obj.start, obj.due, today)
    reasons: list[str] = []
    status = _decide(obj, today, limits, _Evidence(progress, measured, elapsed, blocked, stale, open_issues), reasons)
    update = draft(obj, status, reasons, today)
    return Status(status, tuple(reasons), progress, elapsed, len(blocked), len(stale), len(open_issues), closed, update)


class _Evidence(NamedTuple):
    progress: float | None
    measured: str
    elapsed: float | None
    blocked: list[Linked]
    stale: list[Linked]
    open_issues: list[Linked]


def _decide(obj: Inputs, today: dt.date, limits: Thresholds, evidence: _Evidence, reasons: list[str]) -> str:
    progress, measured, elapsed, blocked, stale, open_issues = evidence
    if obj.state == "achieved":
        reasons.append("marked achieved in the goals file")
        return "achieved"
    if obj.state == "dropped":
        reasons.append("marked dropped in the goals file")
        return "no-data"
    worst = "on-track"
    if obj.due is not None and today > obj.due:
        reasons.append(f"past its due date {obj.due.isoformat()} by {(today - obj.due).days} days")
        worst = "off-track"
    if progress is not None and elapsed is not None:
        gap = elapsed - progress
        if gap > limits.off_track_margin:
            reasons.append(f"{measured} {_pct(progress)} at {_pct(elapsed)} of the time")
            worst = "off-track"
        elif gap > limits.at_risk_margin:
            reasons.append(f"{measured} {_pct(progress)} at {_pct(elapsed)} of the time")
            worst = _worse(worst, "at-risk")
    if blocked:
        critical = sum(1 for i in blocked if i.critical)
        of_them = f", {critical} of them critical" if critical else ""
        reasons.append(f"{len(blocked)} of {len(obj.issues)} linked issues blocked for more than {limits.blocked_days} days{of_them}")
        worst = _worse(worst, "at-risk")
    if open_issues and len(stale) * 2 >= len(open_issues) and stale:
        reasons.append(f"{len(stale)} of {len(open_issues)} open issues without activity for more than {limits.stale_days} days")
        worst = _worse(worst, "at-risk")
    if progress is None and obj.merged == 0 and not obj.issues:
        reasons.append("no measurable key result, no linked issues and no merged work in the window")
        return "no-data" if worst == "on-track" else worst
    if worst == "on-track":
        if progress is not None and elapsed is not None:
            reasons.append(f"{measured} {_pct(progress)} at {_pct(elapsed)} of the time")
        elif progress is not None:
            reasons.append(f"{measured} {_pct(progress)}")
            if obj.start is None and obj.due is not None:
                reasons.append("no start date, so progress is not compared with the time elapsed (set `start:`)")
        if obj.merged:
            reasons.append(f"{obj.merged} merged change{'s' if obj.merged != 1 else ''} in the window")
    return worst


def _worse(a: str, b: str) -> str:
    order = ("on-track", "at-risk", "off-track")
    return a if order.index(a) >= order.index(b) else b


def draft(obj: Inputs, status: str, reasons: list[str], today: dt.date) -> str:
    """One paragraph, built only from the reasons: '<title> is at risk: …; 12 days to the due date.'"""
    words = {"on-track": "on track", "at-risk": "at risk", "off-track": "off track", "achieved": "achieved", "no-data": "without data"}
    parts = list(reasons)
    if obj.due is not None and today <= obj.due and status not in ("achieved",):
        days = (obj.due - today).days
        parts.append(f"{days} day{'s' if days != 1 else ''} to the due date")
    text = f"{obj.title} is {words[status]}"
    return f"{text}: {'; '.join(parts)}." if parts else f"{text}."
