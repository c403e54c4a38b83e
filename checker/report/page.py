"""The report as one self-contained HTML page (`clew report --html`). Pure.

Everything is inside the file: the style, a small script, the charts as inline
SVG. The page makes no request: its Content-Security-Policy allows nothing but
its own style and script (by hash), so it works opened from disk and served by
GitHub or GitLab Pages alike. Untrusted text (titles, branch names, reasons
quoting them) goes through Jinja2's autoescaping, bidi controls are removed,
and only http(s) URLs become links."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from importlib import resources
from typing import Any, NamedTuple

from checker.outputs import markdown as md
from checker.report import model as m

PAGE_ROWS = 1000  # merged work listed under the objectives and as potential waste, newest first
STATUS_TEXT = {"on-track": "on track", "at-risk": "at risk", "off-track": "off track", "achieved": "achieved", "no-data": "no data"}
STATUS_MARK = {"on-track": "●", "at-risk": "▲", "off-track": "■", "achieved": "✓", "no-data": "○"}  # not colour alone
_URL = re.compile(r"^https?://[^\s<>\"'`]+$")


def clean(value: Any, limit: int = 300) -> str:
    """One line of text: no bidi or control characters, bounded. Escaping is the template's."""
    text = md._CONTROL.sub(" ", md._BIDI.sub("", str(value))).replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(value: str | None) -> str | None:
    return value if value and _URL.match(value) else None


class Bar(NamedTuple):
    label: str
    value: float
    width: float  # 0..100 of the plot
    kind: str  # css class: an objective's status, budget, escape, waste


class Column(NamedTuple):
    label: str
    share: float | None  # None: nothing merged, a gap
    merged: int
    aligned: int
    x: float
    height: float


class Chart(NamedTuple):
    """A key result's burn-up: readings, the line to the forecast, the target."""

    points: str  # polyline "x,y x,y"
    dots: list[tuple[float, float, str]]
    forecast: str | None  # "x1,y1 x2,y2"
    target_y: float
    label: str  # the text alternative
    first: str
    last: str
    low: str
    high: str


def _effort(report: m.Report) -> list[Bar]:
    rows = [(f"{o.title} ({o.id})", o.merged, o.status) for o in report.objectives if o.merged]
    rows += [(f"budget: {b.title}", b.count, "budget") for b in report.budgets if b.count]
    if report.headline.escape:
        rows.append(("declared unaligned", report.headline.escape, "escape"))
    if report.headline.waste:
        rows.append(("potential waste", report.headline.waste, "waste"))
    top = max((count for _, count, _ in rows), default=0) or 1
    return [Bar(clean(label, 80), count, round(100 * count / top, 2), kind) for label, count, kind in rows]


def _trend(report: m.Report) -> list[Column]:
    """Bars in a 640×200 box: the plot runs from x=40 to 630, and 100% is 160 high (y=10 to 170)."""
    weeks = report.weeks
    step = 590 / max(1, len(weeks))
    return [
        Column(w.week, w.share, w.merged, w.aligned, round(40 + i * step, 1), round(1.6 * (w.share or 0), 1)) for i, w in enumerate(weeks)
    ]


def _burnup(row: m.KeyResultRow) -> Chart | None:
    """Two readings or more (a forecast needs them too): the readings, the line to the forecast."""
    if len(row.history) < 2:
        return None
    days = [dt.date.fromisoformat(r.date) for r in row.history]
    end = dt.date.fromisoformat(row.forecast.date) if row.forecast else days[-1]
    start = days[0]
    span = max(1, (end - start).days)
    values = [r.value for r in row.history]
    extra = [v for v in (row.target, row.baseline, row.forecast.value if row.forecast else None) if v is not None]
    low, high = min(values + extra), max(values + extra)
    if high == low:
        high, low = high + 1, low - 1

    def x(day: dt.date) -> float:
        return round(4 + 192 * (day - start).days / span, 1)

    def y(value: float) -> float:
        return round(76 - 72 * (value - low) / (high - low), 1)

    unit = row.unit or ""
    dots = [(x(d), y(v), f"{d.isoformat()}: {v:g}{unit}") for d, v in zip(days, values, strict=True)]
    forecast = None
    if row.forecast:
        forecast = f"{dots[-1][0]},{dots[-1][1]} {x(end)},{y(row.forecast.value)}"
    label = (
        f"{row.id}: {len(values)} readings from {days[0].isoformat()} ({values[0]:g}{unit}) to {days[-1].isoformat()} "
        f"({values[-1]:g}{unit})"
        + (f"; target {row.target:g}{unit}" if row.target is not None else "")
        + (f"; at this pace {row.forecast.value:.3g}{unit} by {row.forecast.date}" if row.forecast else "")
    )
    return Chart(
        " ".join(f"{a},{b}" for a, b, _ in dots),
        dots,
        forecast,
        y(row.target) if row.target is not None else -10,
        label,
        days[0].isoformat(),
        end.isoformat(),
        f"{low:g}",
        f"{high:g}",
    )


def _hops(work: m.Work) -> list[str]:
    """The thread, one hop per entry, the item itself left out (it heads the row)."""
    return [clean(hop, 120) for hop in work["thread"].split(" → ")[1:]]


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _asset(name: str) -> str:
    return resources.files("checker.report").joinpath("assets", name).read_text(encoding="utf-8")


def page(report: m.Report) -> str:
    """The whole page, one string."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_asset),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["clean"] = clean
    env.filters["url"] = safe_url
    style, script = _asset("page.css").strip(), _asset("page.js").strip()
    shown = report.items[:PAGE_ROWS]
    by_objective: dict[str, list[m.Work]] = {}
    for row in shown:
        if row["status"] == "aligned" and row["objective"]:
            by_objective.setdefault(row["objective"], []).append(row)
    waste = [r for r in shown if r["status"] in ("unaligned", "broken")]
    backlog = [(group.objective, group.status, issue) for group in report.backlog for issue in group.issues]
    return env.get_template("page.html.j2").render(
        report=report,
        style=style,
        script=script,
        csp=f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; base-uri 'none'; form-action 'none'",
        status_text=STATUS_TEXT,
        status_mark=STATUS_MARK,
        effort=_effort(report),
        trend=_trend(report),
        burnups={(o.id, k.id): _burnup(k) for o in report.objectives for k in o.key_results},
        by_objective=by_objective,
        waste=waste,
        waste_total=len(report.waste),
        hops=_hops,
        backlog=backlog,
        statuses=[s for s in STATUS_TEXT if any(o.status == s for o in report.objectives)],
        more=max(0, len(report.items) - len(shown)),
        read_issues=report.source != "git",
    )
