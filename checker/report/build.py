"""Traces + goals → the report's data. Pure: the same inputs, the same report
(but for `generated_at`)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from checker import __version__
from checker.goals.compiled import KeyResult, Node, Objective, Pyramid, Thresholds, progress
from checker.report import model as m
from checker.report.history import History
from checker.status import Child, Forecast, Inputs, Linked, compute, forecast, pace
from checker.suggest import PathRarity, suggest
from checker.trace import Trace, Tracer
from checker.work import LARGEST, Measured, Window, WorkItem

ALIGNED = ("aligned",)
SUGGESTED = 200  # the newest potential waste gets suggestions; the rest is listed without
READINGS = 120  # report days kept per key result in alignment.json


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _work(trace: Trace, pyramid: Pyramid, rarity: PathRarity | None) -> m.Work:
    """A unit's row; `rarity` (how rare path words are in the history): it gets suggestions."""
    item = trace.item
    ideas = (
        [s for s in suggest(pyramid, item, rarity=rarity) if s.matched] if rarity is not None else []
    )  # the report lists words that matched, not every id
    name = item.name
    return {
        "name": name,
        "kind": item.kind,
        "key": item.key,
        "title": item.title,
        "url": item.url,
        "author": item.author,
        "merged_at": item.merged_at,
        "status": trace.status,
        "objective": trace.objective,
        "target": trace.target.id if trace.target else None,
        "thread": trace.thread(name) + (f" → exempt: {trace.exempt_because}" if trace.exempt_because else ""),
        "suggestions": [{"id": s.id, "kind": s.kind, "score": s.score, "matched": list(s.matched)} for s in ideas],
    }


def _newest_first(traces: Sequence[Trace]) -> list[int]:
    return sorted(range(len(traces)), key=lambda at: traces[at].item.merged_at or "", reverse=True)


def suggested(traces: Sequence[Trace]) -> list[int]:
    """Which traces get suggestions: the newest potential waste (by index)."""
    return [at for at in _newest_first(traces) if traces[at].status in ("unaligned", "broken")][:SUGGESTED]


def _blocked_since(issue: WorkItem, blocking: frozenset[str]) -> dt.date | None:
    """When a blocking label was last put on the issue, where the forge said; else its last update."""
    added = [when for label, when in issue.labelled_at if label.lower() in blocking]
    return _date(max(added)[:10]) if added else _date(issue.updated_at)


def _has(issue: WorkItem, labels: frozenset[str]) -> bool:
    return any(label.lower() in labels for label in issue.labels)


def _linked(issues: list[WorkItem], labels: tuple[frozenset[str], frozenset[str]]) -> tuple[Linked, ...]:
    return tuple(
        Linked(
            i.name,
            open=i.state not in ("closed", "merged"),
            blocked=_has(i, labels[0]),
            blocked_since=_blocked_since(i, labels[0]),
            critical=_has(i, labels[1]),
            updated=_date(i.updated_at),
        )
        for i in issues
    )


class Context(NamedTuple):
    """What every objective row is judged with."""

    today: dt.date
    limits: Thresholds
    labels: tuple[frozenset[str], frozenset[str]]
    merged: Counter[str]  # aligned merged work per objective and per initiative
    total: int
    issues: dict[str | None, list[WorkItem]]  # open issues per objective (its initiatives' included)
    by_initiative: dict[str, list[WorkItem]]  # open issues per initiative
    measured: Mapping[str, Measured]
    readings: Mapping[str, list[tuple[str, float]]]


def _key_result(objective: Objective, k: KeyResult, ctx: Context) -> tuple[m.KeyResultRow, Forecast | None]:
    """The row, with this run's reading added to the recorded ones, and the forecast they give."""
    key = f"{objective.id}.{k.id}"
    taken = ctx.measured.get(key) if k.source else None
    value = taken.value if taken else k.current
    readings = dict(ctx.readings.get(key, []))
    if value is not None:
        readings[ctx.today.isoformat()] = value
    kept = sorted(readings.items())[-READINGS:]
    due = dt.date.fromisoformat(objective.due) if objective.due else None
    points = [(d, v) for day, v in kept if (d := _date(day)) is not None]
    ahead = forecast(k.id, points, baseline=k.baseline, target=k.target, due=due, unit=k.unit or "") if value is not None else None
    projection = None
    if ahead is not None and due is not None:
        reason = pace(ahead, due)
        projection = m.Projection(date=due.isoformat(), value=ahead.at_due, progress=round(ahead.progress_at_due, 3), reason=reason)
    row = m.KeyResultRow(
        id=k.id,
        title=k.title,
        baseline=k.baseline,
        target=k.target,
        current=value,
        unit=k.unit,
        progress=progress(k.baseline, k.target, value),
        source=taken.origin if taken else None,
        error=taken.error if taken else None,
        history=[m.Reading(date=day, value=v) for day, v in kept],
        forecast=projection,
    )
    return row, ahead


def _initiative_row(node: Node, ctx: Context) -> m.InitiativeRow:
    """An initiative judged from its own issues and merged work; its objective's dates are not
    its own, so progress is not compared with time here."""
    issues = ctx.by_initiative.get(node.id, [])
    inputs = Inputs(node.id, node.title, node.state, None, None, (), _linked(issues, ctx.labels), ctx.merged[node.id])
    status = compute(inputs, ctx.today, ctx.limits)
    return m.InitiativeRow(
        id=node.id,
        title=node.title,
        state=node.state,
        status=status.status,
        reasons=list(status.reasons),
        merged=ctx.merged[node.id],
        open=status.open,
        blocked=status.blocked,
        stale=status.stale,
    )


def _objective_row(objective: Objective, initiatives: Sequence[Node], ctx: Context) -> m.ObjectiveRow:
    krs, forecasts, unmeasured = [], [], []
    rows = []
    for k in objective.key_results:
        row, ahead = _key_result(objective, k, ctx)
        rows.append(row)
        if row.error is not None:
            unmeasured.append((k.id, row.error))
        elif ahead is not None:
            forecasts.append(ahead)
        elif row.progress is not None:
            krs.append((k.title, row.progress))
    children = [_initiative_row(node, ctx) for node in initiatives]
    # The objective is judged on the issues linked to it directly, and on its initiatives' verdicts
    # (each names the initiative); its counts cover every issue under it.
    every = _linked(ctx.issues.get(objective.id, []), ctx.labels)
    through = {i.name for node in initiatives for i in ctx.by_initiative.get(node.id, [])}
    inputs = Inputs(
        objective.id,
        objective.title,
        objective.state,
        dt.date.fromisoformat(objective.start) if objective.start else None,  # never the window: status must not depend on it
        dt.date.fromisoformat(objective.due) if objective.due else None,
        tuple(krs),
        tuple(i for i in every if i.key not in through),
        ctx.merged[objective.id],
        forecasts=tuple(forecasts),
        unmeasured=tuple(unmeasured),
        children=tuple(Child(c.id, c.status, c.reasons[0] if c.reasons else "") for c in children),
    )
    status = compute(inputs, ctx.today, ctx.limits)
    counts = compute(inputs._replace(issues=every, children=()), ctx.today, ctx.limits) if through else status
    return m.ObjectiveRow(
        id=objective.id,
        title=objective.title,
        owner=objective.owner,
        due=objective.due,
        status=status.status,
        reasons=list(status.reasons),
        update=status.update,
        progress=None if status.progress is None else round(status.progress, 3),
        elapsed=None if status.elapsed is None else round(status.elapsed, 3),
        key_results=rows,
        merged=ctx.merged[objective.id],
        share=_share(ctx.merged[objective.id], ctx.total),
        open=counts.open,
        blocked=counts.blocked,
        stale=counts.stale,
        initiatives=children,
    )


def readings_of(text: str | None) -> dict[str, list[tuple[str, float]]]:
    """The key results' recorded readings in a previous alignment.json, by `objective.kr`.
    Whatever it holds, a report is built: an unreadable file gives no readings."""
    import json

    try:
        data = json.loads(text or "")
    except ValueError:
        return {}
    found: dict[str, list[tuple[str, float]]] = {}
    objectives = data.get("objectives") if isinstance(data, dict) else None
    for o in objectives if isinstance(objectives, list) else []:
        for k in (o.get("key_results") or []) if isinstance(o, dict) else []:
            history = k.get("history") if isinstance(k, dict) else None
            points = [
                (r["date"], float(r["value"]))
                for r in (history if isinstance(history, list) else [])
                if isinstance(r, dict) and isinstance(r.get("date"), str) and _date(r["date"]) is not None and _reading(r.get("value"))
            ]
            if points:
                found[f"{o.get('id')}.{k.get('id')}"] = points
    return found


def _reading(value: object) -> bool:
    """A recorded reading worth keeping: a finite number no key result would call absurd."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value) and abs(value) <= LARGEST
    except OverflowError:  # an integer of thousands of digits
        return False


MONTHLY_AFTER_DAYS = 366  # a longer window is bucketed by month: ten years by week would be 520 bars


def _weeks(work: Sequence[m.Work], start: dt.date, end: dt.date) -> list[m.Week]:
    """The aligned share per ISO week (per month past a year), every bucket of the window
    included: a week with no merged work is a gap in the chart, not a week left out."""
    monthly = (end - start).days > MONTHLY_AFTER_DAYS
    buckets: dict[str, list[m.Work]] = {label: [] for label in _labels(start, end, monthly=monthly)}
    labels: dict[str, str | None] = {}  # one date parse per day, not per row
    for row in work:
        stamp = row["merged_at"] or ""
        label = labels.get(stamp[:10], "")
        if label == "":
            day = _date(stamp[:10])
            labels[stamp[:10]] = label = _label(day, monthly=monthly) if day else None
        if label is not None:
            buckets.setdefault(label, []).append(row)
    rows = []
    for label in sorted(buckets):
        group = buckets[label]
        aligned = sum(1 for t in group if t["status"] in ALIGNED)
        share = _share(aligned, len(group)) if group else None  # nothing merged: a gap in the trend, not 0%
        rows.append(m.Week(week=label, merged=len(group), aligned=aligned, share=share))
    return rows


def _label(day: dt.date, *, monthly: bool) -> str:
    return f"{day.year}-{day.month:02d}" if monthly else "{}-W{:02d}".format(*day.isocalendar()[:2])


def _labels(start: dt.date, end: dt.date, *, monthly: bool) -> list[str]:
    step = dt.timedelta(days=1 if monthly else 7)
    found, day = {_label(end, monthly=monthly)}, start
    while day <= end:
        found.add(_label(day, monthly=monthly))
        day += step
    return sorted(found)


def build(
    pyramid: Pyramid,
    history: History,
    window: Window,
    *,
    generated_at: str = "",
    measured: Mapping[str, Measured] | None = None,
    readings: Mapping[str, list[tuple[str, float]]] | None = None,
) -> m.Report:
    """The report of a window's history (its end is the day the report is made for). `measured`:
    this run's values of the key results that have a `source:` (by `objective.kr`); `readings`:
    the readings recorded by earlier runs (`readings_of` the previous alignment.json)."""
    tracer = Tracer(pyramid, history.unread)
    rows = _rows(pyramid, tracer, history, window)
    counted = [r for r in rows if r["status"] != "exempt"]
    ctx = _context(pyramid, tracer, history, counted, window.end, measured or {}, readings or {})
    children: dict[str, list[Node]] = {}
    for node in pyramid.nodes:
        if node.kind == "initiative" and node.objective:
            children.setdefault(node.objective, []).append(node)
    objectives = [_objective_row(o, children.get(o.id, []), ctx) for o in pyramid.objectives]
    listed = rows[: pyramid.report.max_items]  # the newest in full; the rest archived, counted all the same
    return m.Report(
        tool=f"clew {__version__}",
        generated_at=generated_at,
        source=history.source,
        complete=history.complete,
        notes=list(history.notes),
        mission=pyramid.mission,
        window=m.Window(start=window.start.isoformat(), end=window.end.isoformat(), days=window.days),
        headline=_headline(rows, counted),
        budgets=_budgets(pyramid, counted),
        objectives=objectives,
        waste=[r for r in listed if r["status"] in ("unaligned", "broken")],
        backlog=_backlog(ctx, {o.id: o.status for o in objectives}, window.end),
        review_first=_review_first(pyramid, tracer, history, {o.id for o in objectives if o.status in ("at-risk", "off-track")}),
        weeks=_weeks(counted, window.start, window.end),
        items=listed,
        watermark=m.Watermark(
            last_merged_at=max((r["merged_at"] for r in rows if r["merged_at"]), default=None), cursor=None, goals=history.goals
        ),
        archived=[
            m.Archived(
                name=r["name"],
                merged_at=r["merged_at"],
                status=r["status"],
                objective=r["objective"],
                target=r["target"],
                via=m.deciding_hop(r),
            )
            for r in rows[len(listed) :]
        ],
    )


def _rows(pyramid: Pyramid, tracer: Tracer, history: History, window: Window) -> list[m.Work]:
    """Every unit's row, newest first: traced here unless the source traced it, with the rows of
    the previous report that this run did not read again."""
    end = window.end.isoformat()
    if history.traces is not None:  # a report as of `end`: nothing merged later
        traces = [t for t in history.traces if (t.item.merged_at or "")[:10] <= end]
    else:
        traces = [tracer.trace(item, history.linked) for item in history.merged if (item.merged_at or "")[:10] <= end]
    ideas = set(suggested(traces))
    rarity = PathRarity(lambda: (p for t in traces for p in t.item.paths))  # the history's paths, read if a row needs it
    rows = [_work(traces[at], pyramid, rarity if at in ideas else None) for at in _newest_first(traces)]
    if history.previous:
        fresh = {r["name"] for r in rows}
        start = window.start.isoformat()
        rows += [r for r in history.previous if r["name"] not in fresh and start <= (r["merged_at"] or "")[:10] <= end]
    rows.sort(key=lambda r: r["merged_at"] or "", reverse=True)
    return rows


def _context(
    pyramid: Pyramid,
    tracer: Tracer,
    history: History,
    counted: list[m.Work],
    today: dt.date,
    measured: Mapping[str, Measured],
    readings: Mapping[str, list[tuple[str, float]]],
) -> Context:
    kinds = {n.id: n.kind for n in pyramid.nodes}
    merged = Counter(r["objective"] for r in counted if r["objective"] and r["status"] in ALIGNED)
    merged.update(r["target"] for r in counted if r["target"] and r["status"] in ALIGNED and kinds.get(r["target"]) == "initiative")
    by_objective: dict[str | None, list[WorkItem]] = {}
    by_initiative: dict[str, list[WorkItem]] = {}
    for trace in (tracer.trace(issue, history.linked) for issue in history.open_issues):
        by_objective.setdefault(trace.objective, []).append(trace.item)
        if trace.target is not None and trace.target.kind == "initiative":
            by_initiative.setdefault(trace.target.id, []).append(trace.item)
    settings = pyramid.report
    limits = Thresholds(settings.stale_days, settings.blocked_days, settings.at_risk_margin, settings.off_track_margin)
    labels = (frozenset(x.lower() for x in settings.blocked_labels), frozenset(x.lower() for x in settings.priority_labels))
    return Context(today, limits, labels, merged, len(counted), by_objective, by_initiative, measured, readings)


def _headline(rows: list[m.Work], counted: list[m.Work]) -> m.Headline:
    by_status = Counter(r["status"] for r in counted)
    total, aligned = len(counted), by_status["aligned"]
    waste = by_status["unaligned"] + by_status["broken"]
    return m.Headline(
        merged=total,
        aligned=aligned,
        aligned_share=_share(aligned, total),
        budget=by_status["budget"],
        escape=by_status["escape"],
        exempt=len(rows) - total,
        waste=waste,
        waste_share=_share(waste, total),
    )


def _budgets(pyramid: Pyramid, counted: list[m.Work]) -> list[m.BudgetSpend]:
    spent = Counter(r["target"] for r in counted if r["status"] == "budget" and r["target"])
    total = len(counted)
    return [
        m.BudgetSpend(
            id=b.id,
            title=b.title,
            ceiling=b.share,
            spent=_share(spent[b.id], total),
            count=spent[b.id],
            over=_share(spent[b.id], total) > b.share,
        )
        for b in pyramid.budgets
    ]


_ORDER = {"off-track": 0, "at-risk": 1, "unmeasured": 2, "no-data": 3, "on-track": 4, "achieved": 5, None: 6}


def _backlog(ctx: Context, status_of: Mapping[str, str], today: dt.date) -> list[m.Backlog]:
    """Open issues grouped by the objective they serve, the objectives in trouble first."""

    def order(entry: tuple[str | None, list[WorkItem]]) -> tuple[int, str]:
        key = entry[0]
        return _ORDER.get(status_of.get(key or ""), 6), key or "~"

    stale_after = ctx.limits.stale_days
    return [
        m.Backlog(
            objective=key,
            status=status_of.get(key) if key else None,
            issues=[
                m.BacklogIssue(
                    key=i.name,
                    title=i.title,
                    url=i.url,
                    blocked=_has(i, ctx.labels[0]),
                    stale=(d := _date(i.updated_at)) is not None and (today - d).days > stale_after,
                )
                for i in issues
            ],
        )
        for key, issues in sorted(ctx.issues.items(), key=order)
    ]


def _review_first(pyramid: Pyramid, tracer: Tracer, history: History, at_risk: set[str]) -> list[m.Work]:
    """The open changes that serve an objective at risk: what a manager reviews first."""
    traces = (tracer.trace(change, history.linked) for change in history.open_changes)
    return [_work(t, pyramid, None) for t in traces if t.objective in at_risk]
