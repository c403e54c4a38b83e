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

A key result with recorded readings (a `source:`, or `current` over several
report runs) is judged by its trend instead of by the time elapsed: a
least-squares line through its readings, read at the due date. Short of the
target there: at risk; short by more than `off_track_margin`: off track. A
source that could not be read makes the objective at risk, with the reason.

Initiatives are judged the same way from their own linked issues and merged
work, and an initiative at risk or off track makes its objective at least as
bad, with a reason naming the initiative.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from checker.goals.compiled import DEFAULTS, Thresholds

STATUSES = ("on-track", "at-risk", "off-track", "achieved", "no-data")


class Linked(NamedTuple):
    """An issue linked to the objective, as far as status needs to know it."""

    key: str
    open: bool
    blocked: bool = False
    blocked_since: dt.date | None = None
    updated: dt.date | None = None
    critical: bool = False  # carries one of `report.priority_labels`


class Forecast(NamedTuple):
    """Where a key result's readings lead by the due date."""

    id: str
    progress: float  # now, 0..1
    at_due: float  # the fitted value at the due date
    progress_at_due: float  # 0..1
    target: float
    unit: str
    readings: int
    since: dt.date


class Child(NamedTuple):
    """An initiative's verdict, as its objective needs it."""

    id: str
    status: str
    reason: str


class Inputs(NamedTuple):
    id: str
    title: str
    state: str
    start: dt.date | None
    due: dt.date | None
    kr_progress: tuple[tuple[str, float], ...]  # (key result title, 0..1) for the measurable ones without a forecast
    issues: tuple[Linked, ...]
    merged: int  # merged work in the window
    forecasts: tuple[Forecast, ...] = ()
    unmeasured: tuple[tuple[str, str], ...] = ()  # (key result id, why its source gave no value)
    children: tuple[Child, ...] = ()


def fit(points: list[tuple[dt.date, float]], when: dt.date) -> float | None:
    """The least-squares line through the readings, read at `when`; None under two distinct days."""
    days = {d for d, _ in points}
    if len(days) < 2:
        return None
    origin = min(days)
    xs = [(d - origin).days for d, _ in points]
    ys = [v for _, v in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)
    return mean_y + slope * ((when - origin).days - mean_x)


def forecast(
    kr_id: str, points: list[tuple[dt.date, float]], *, baseline: float | None, target: float | None, due: dt.date | None, unit: str = ""
) -> Forecast | None:
    """A key result's forecast at the due date, from its readings (date, value); None when
    there is no due date still ahead, no target, or fewer than two days of readings."""
    if due is None or target is None or baseline is None or target == baseline or not points:
        return None
    if max(d for d, _ in points) > due:
        return None
    at_due = fit(points, due)
    if at_due is None:
        return None
    latest = max(points)[1]
    span = target - baseline
    return Forecast(
        kr_id,
        min(1.0, max(0.0, (latest - baseline) / span)),
        round(at_due, 6),
        min(1.0, max(0.0, (at_due - baseline) / span)),
        target,
        unit,
        len(points),
        min(d for d, _ in points),
    )


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


DEFAULT = DEFAULTS


def compute(obj: Inputs, today: dt.date, limits: Thresholds = DEFAULT) -> Status:
    open_issues = [i for i in obj.issues if i.open]
    closed = len(obj.issues) - len(open_issues)
    blocked = [i for i in open_issues if i.blocked and (i.blocked_since is None or (today - i.blocked_since).days > limits.blocked_days)]
    stale = [i for i in open_issues if not i.blocked and i.updated is not None and (today - i.updated).days > limits.stale_days]
    every_kr = [p for _, p in obj.kr_progress] + [f.progress for f in obj.forecasts]
    if every_kr:
        progress: float | None = sum(every_kr) / len(every_kr)
        measured = "key-result progress"
    elif obj.issues:
        progress = closed / len(obj.issues)
        measured = "linked issues closed"
    else:
        progress, measured = None, ""
    elapsed = _elapsed(obj.start, obj.due, today)
    reasons: list[str] = []
    # Key results with a forecast are judged by it; the others by the time elapsed.
    if obj.kr_progress:
        compared: float | None = sum(p for _, p in obj.kr_progress) / len(obj.kr_progress)
    else:
        compared = None if obj.forecasts else progress
    status = _decide(obj, today, limits, _Evidence(compared, measured, elapsed, blocked, stale, open_issues), reasons)
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
    """The status, each reason that made it appended in order: the state the goals file says,
    then time, measures, children, then the linked issues."""
    if obj.state in ("achieved", "dropped"):
        reasons.append(f"marked {obj.state} in the goals file")
        return "achieved" if obj.state == "achieved" else "no-data"
    worst = _worse(_time(obj, today, limits, evidence, reasons), _measures(obj, limits, reasons))
    worst = _worse(worst, _issues(obj, limits, evidence, reasons))
    progress = evidence.progress
    if progress is None and obj.merged == 0 and not obj.issues and not obj.forecasts:
        reasons.append("no measurable key result, no linked issues and no merged work in the window")
        return "no-data" if worst == "on-track" else worst
    if worst == "on-track":
        _why_on_track(obj, evidence, reasons)
    return worst


def _time(obj: Inputs, today: dt.date, limits: Thresholds, evidence: _Evidence, reasons: list[str]) -> str:
    """Past due; progress behind the time elapsed."""
    worst = "on-track"
    if obj.due is not None and today > obj.due:
        reasons.append(f"past its due date {obj.due.isoformat()} by {(today - obj.due).days} days")
        worst = "off-track"
    progress, measured, elapsed = evidence.progress, evidence.measured, evidence.elapsed
    if progress is not None and elapsed is not None:
        gap = elapsed - progress
        if gap > limits.at_risk_margin:
            reasons.append(f"{measured} {_pct(progress)} at {_pct(elapsed)} of the time")
            worst = _worse(worst, "off-track" if gap > limits.off_track_margin else "at-risk")
    return worst


def _measures(obj: Inputs, limits: Thresholds, reasons: list[str]) -> str:
    """Forecasts short of the target, key results that could not be measured, initiatives in trouble."""
    worst = "on-track"
    for f in obj.forecasts:
        shortfall = 1.0 - f.progress_at_due
        if shortfall > 0.005:
            reasons.append(pace(f, obj.due))
            worst = _worse(worst, "off-track" if shortfall > limits.off_track_margin else "at-risk")
    for kr_id, why in obj.unmeasured:
        reasons.append(f"key result {kr_id} could not be measured: {why}")
        worst = _worse(worst, "at-risk")
    for child in obj.children:
        if child.status in ("at-risk", "off-track"):
            reasons.append(f"initiative {child.id} is {child.status.replace('-', ' ')}: {child.reason}")
            worst = _worse(worst, child.status)
    return worst


def _issues(obj: Inputs, limits: Thresholds, evidence: _Evidence, reasons: list[str]) -> str:
    """Linked issues blocked too long; half the open ones stale."""
    worst = "on-track"
    blocked, stale, open_issues = evidence.blocked, evidence.stale, evidence.open_issues
    if blocked:
        critical = sum(1 for i in blocked if i.critical)
        of_them = f", {critical} of them critical" if critical else ""
        reasons.append(f"{len(blocked)} of {len(obj.issues)} linked issues blocked for more than {limits.blocked_days} days{of_them}")
        worst = "at-risk"
    if open_issues and len(stale) * 2 >= len(open_issues) and stale:
        reasons.append(f"{len(stale)} of {len(open_issues)} open issues without activity for more than {limits.stale_days} days")
        worst = "at-risk"
    return worst


def _why_on_track(obj: Inputs, evidence: _Evidence, reasons: list[str]) -> None:
    progress, measured, elapsed = evidence.progress, evidence.measured, evidence.elapsed
    if progress is not None and elapsed is not None:
        reasons.append(f"{measured} {_pct(progress)} at {_pct(elapsed)} of the time")
    elif progress is not None:
        reasons.append(f"{measured} {_pct(progress)}")
        if obj.start is None and obj.due is not None:
            reasons.append("no start date, so progress is not compared with the time elapsed (set `start:`)")
    reasons.extend(pace(f, obj.due) for f in obj.forecasts)
    if obj.merged:
        reasons.append(f"{obj.merged} merged change{'s' if obj.merged != 1 else ''} in the window")


def pace(f: Forecast, due: dt.date | None) -> str:
    """The forecast as a reason: the value the line reaches at the due date, and the target."""
    when = due.isoformat() if due else "the due date"
    fitted = f"linear fit over {f.readings} readings since {f.since.isoformat()}"
    return f"at this pace {f.id} reaches {f.at_due:.3g}{f.unit} by {when}; target {f.target:g}{f.unit} ({fitted})"


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
