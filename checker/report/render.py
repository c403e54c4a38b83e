"""ALIGNMENT.md and alignment.json from the report's data. Pure.

The Markdown renders on GitHub and GitLab with no plugin: tables, and Mermaid
for the charts. Every piece of PR and issue text is escaped for Markdown, HTML
and Mermaid, and mentions are neutralised."""

from __future__ import annotations

import dataclasses
import json
import re

from checker.outputs import markdown as md
from checker.report import model as m

STATUS = {
    "on-track": "🟢 on track",
    "at-risk": "🟠 at risk",
    "off-track": "🔴 off track",
    "achieved": "✅ achieved",
    "no-data": "⚪ no data",
}
WASTE_ROWS = 100  # the table lists the newest; alignment.json has every item
_MERMAID_UNSAFE = re.compile(r'["`<>{}\[\]#;:\\|\n\r\x00-\x1f\x7f-\x9f\u2028\u2029]')


def mermaid_label(value: str, limit: int = 40) -> str:
    """A label Mermaid cannot misread: no quotes, brackets, separators or control characters."""
    cleaned = md._BIDI.sub("", _MERMAID_UNSAFE.sub(" ", value)).strip() or "?"
    return cleaned[:limit]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _kr(row: m.KeyResultRow) -> str:
    unit = row.unit or ""
    if row.error is not None:
        return f"{md.text(row.title, 80)}: ⚠️ not measured ({md.text(row.error, 200)})"
    if row.current is None or row.target is None:
        return md.text(row.title, 80)
    return f"{md.text(row.title, 80)}: {row.current:g}{md.text(unit, 8)} → {row.target:g}{md.text(unit, 8)} ({_pct(row.progress)})"


def _burnups(report: m.Report) -> list[str]:
    """One Mermaid line chart per key result with readings on two days or more: the readings
    (and, as the last point, the forecast at the due date) and the target as a flat line."""
    out: list[str] = []
    for o in report.objectives:
        for k in o.key_results:
            if len(k.history) < 2:
                continue
            labels = [r.date for r in k.history]
            values = [r.value for r in k.history]
            if k.forecast is not None:
                labels.append(k.forecast.date)
            extra = [v for v in (k.target, k.forecast.value if k.forecast else None) if v is not None]
            low, high = min(values + extra), max(values + extra)
            pad = (high - low) * 0.1 or 1
            title = mermaid_label(f"{o.id}.{k.id}: {k.title}", 80)
            out += [
                "```mermaid",
                "xychart-beta",
                f'    title "{title}"',
                f"    x-axis [{', '.join(f'{chr(34)}{d}{chr(34)}' for d in labels)}]",
                f'    y-axis "{mermaid_label(k.unit or "value", 12)}" {low - pad:.4g} --> {high + pad:.4g}',
                f"    line [{', '.join([*(f'{v:g}' for v in values), *([f'{k.forecast.value:.4g}'] if k.forecast else [])])}]",
            ]
            if k.target is not None:
                out.append(f"    line [{', '.join(f'{k.target:g}' for _ in labels)}]")
            out += ["```", ""]
            note = f"last point: the forecast at the due date; {k.forecast.reason}" if k.forecast else f"{len(values)} readings"
            out += [f"_{md.text(note, 300)}._", ""]
    return out


def _link(work: m.Work) -> str:
    name = md.text(work["name"], 60)
    title = md.text(work["title"], 100)
    url = work["url"] if work["url"] and re.match(r"^https?://[^\s()<>]+$", work["url"]) else None
    label = f"{name}: {title}" if title else name
    return f"[{label}]({url})" if url else label


def _pie(report: m.Report) -> list[str]:
    rows = [(o.id, o.merged) for o in report.objectives if o.merged]
    rows += [(f"budget {b.id}", b.count) for b in report.budgets if b.count]
    if report.headline.escape:
        rows.append(("declared unaligned", report.headline.escape))
    if report.headline.waste:
        rows.append(("potential waste", report.headline.waste))
    if not rows:
        return ["_No merged work in the window._"]
    body = [f'    "{mermaid_label(label)}" : {count}' for label, count in rows]
    return ["```mermaid", "pie showData title Merged work by objective", *body, "```"]


def _trend(report: m.Report) -> list[str]:
    if not any(w.merged for w in report.weeks):
        return ["_No merged work in the window._"]
    weeks = ", ".join(f'"{w.week}"' for w in report.weeks)
    unit = "month" if "-W" not in report.weeks[0].week else "week"
    shares = ", ".join(f"{w.share:g}" if w.share is not None else "0" for w in report.weeks)  # Mermaid has no gap: no bar
    gaps = [w.week for w in report.weeks if w.share is None]
    out = [
        "```mermaid",
        "xychart-beta",
        f'    title "Share of merged work that traces to an objective, by {unit} (%)"',
        f"    x-axis [{weeks}]",
        '    y-axis "aligned %" 0 --> 100',
        f"    bar [{shares}]",
        "```",
    ]
    if gaps:
        listed = ", ".join(gaps[:GAPS_SHOWN]) + (f" and {len(gaps) - GAPS_SHOWN} more" if len(gaps) > GAPS_SHOWN else "")
        out += ["", f"_Nothing merged in {len(gaps)} of {len(report.weeks)} {unit}s ({listed}): gaps, not 0%._"]
    return out


GAPS_SHOWN = 8


def _headline(report: m.Report) -> str:
    h = report.headline
    if not h.merged:
        return (
            f"**No merged work in the window** ({report.window.start} → {report.window.end}): nothing to measure"
            f"{f' (exempt: {h.exempt})' if h.exempt else ''}. Widen it with `clew report --window DAYS` or `report.window_days`, "
            "or run clew on the branch that work is merged into."
        )
    return (
        f"**{h.aligned_share:g}% of merged work traces to an objective** ({h.aligned} of {h.merged}). "
        f"Potential waste: **{h.waste_share:g}%** ({h.waste}). Budgets: {h.budget}; declared unaligned: {h.escape}; exempt: {h.exempt}."
    )


def markdown(report: m.Report) -> str:
    out = [
        "# Alignment report",
        "",
        f"> **Mission:** {md.text(report.mission, 500)}",
        "",
        f"_Window {report.window.start} → {report.window.end} ({report.window.days} days) · source: {report.source} · "
        f"{report.tool} · generated {report.generated_at}_",
        "",
        "## Headline",
        "",
        _headline(report),
        "",
        *_budget_table(report),
    ]
    if not report.complete:
        out += ["> ⚠️ **Incomplete data:** " + md.text("; ".join(report.notes), 600), ""]
    out += ["## Effort by objective", "", *_pie(report), "", "## Objectives", "", *_objective_table(report), *_initiative_table(report)]
    out += ["", "## Updates", ""]
    out += [f"- {STATUS[o.status]} — {md.text(o.update, 800)}" for o in report.objectives]
    if burnups := _burnups(report):
        out += ["", "## Key results over time", "", *burnups]
    out += ["", "## Potential waste", "", *_waste_table(report), "", "## Backlog by objective", "", *_backlog(report)]
    out += ["## Review these first", ""]
    out += [f"- {_link(w)} → `{w['objective']}`" for w in report.review_first] or ["_No open pull request advances an objective at risk._"]
    out += ["", "## Aligned share over time", "", *_trend(report), ""]
    return "\n".join(out)


def _budget_table(report: m.Report) -> list[str]:
    if not report.budgets:
        return []
    rows = [
        f"| {md.text(b.title, 80)} (`{b.id}`) | {b.spent:g}% ({b.count}) | {b.ceiling:g}% | {'🔴 over' if b.over else '🟢'} |"
        for b in report.budgets
    ]
    return ["| budget | spent | ceiling | |", "|---|---|---|---|", *rows, ""]


def _objective_table(report: m.Report) -> list[str]:
    out = [
        "| objective | status | owner | due | key results | merged | open / blocked / stale | share of effort |",
        "|---|---|---|---|---|---|---|---|",
    ]
    read_issues = report.source != "git"  # local history holds no issues
    for o in report.objectives:
        krs = "<br>".join(_kr(k) for k in o.key_results) or "—"
        issues = f"{o.open} / {o.blocked} / {o.stale}" if read_issues else "not read"
        out.append(
            f"| **{md.text(o.title, 100)}** (`{o.id}`) | {STATUS[o.status]} | {md.text(o.owner or '—', 40)} | {o.due or '—'} | "
            f"{krs} | {o.merged} | {issues} | {o.share:g}% |"
        )
    return out


def _initiative_table(report: m.Report) -> list[str]:
    initiatives = [(o, i) for o in report.objectives for i in o.initiatives]
    if not initiatives:
        return []
    out = ["", "## Initiatives", "", "| initiative | objective | status | merged | why |", "|---|---|---|---|---|"]
    out += [
        f"| {md.text(i.title, 80)} (`{i.id}`) | `{o.id}` | {STATUS[i.status]} | {i.merged} | {md.text('; '.join(i.reasons), 300)} |"
        for o, i in initiatives
    ]
    return out


def _waste_table(report: m.Report) -> list[str]:
    if not report.waste:
        return ["_None: all merged work traces to an objective, a budget, or says why not._"]
    out = ["| work | where the thread breaks | closest objectives |", "|---|---|---|"]
    for w in report.waste[:WASTE_ROWS]:
        ideas = ", ".join(f"`{s['id']}` ({s['score']:.2f})" for s in w["suggestions"]) or "—"
        out.append(f"| {_link(w)} | {md.text(w['thread'].rsplit('✗', 1)[-1], 200)} | {ideas} |")
    if len(report.waste) > WASTE_ROWS:
        out += ["", f"_… and {len(report.waste) - WASTE_ROWS} more, newest first, in alignment.json._"]
    return out


def _backlog(report: m.Report) -> list[str]:
    if not report.backlog:
        return ["_No open issues were read (the local history has none; run with a forge token)._", ""]
    out: list[str] = []
    for group in report.backlog:
        head = f"`{group.objective}` — {STATUS[group.status]}" if group.objective and group.status else "traces nowhere"
        out += [f"**{head}**", ""]
        out += [
            f"- {md.text(i.key, 40)}: {md.text(i.title, 120)}{' — blocked' if i.blocked else ''}{' — stale' if i.stale else ''}"
            for i in group.issues
        ]
        out.append("")
    return out


def json_text(report: m.Report) -> str:
    """Pretty at the top, one line per work item (in `waste` and `items`): readable diffs.
    The rows are encoded in one call, then broken into lines where a row begins: `},{"name":`
    cannot occur inside an encoded string (its quotes are escaped there) nor between a row's
    own parts (its nested objects begin with other keys), and an encoded text holds no raw
    newline. A row in both lists is encoded once."""
    data = m.plain(dataclasses.replace(report, items=[], waste=[], archived=[]))
    del data["items"], data["waste"], data["archived"]
    head = json.dumps(data, indent=2, ensure_ascii=False)
    lines = _lines(report.items)
    at = {id(row): n for n, row in enumerate(report.items)}
    waste = [lines[at[id(row)]] if id(row) in at else _lines([row])[0] for row in report.waste]
    archived = _lines(report.archived)  # type: ignore[arg-type]  # rows of another shape, also led by "name"
    return "".join(
        (head[:-2], ',\n  "waste": ', _list(waste), ',\n  "items": ', _list(lines), ',\n  "archived": ', _list(archived), "\n}\n")
    )


def _lines(rows: list[m.Work]) -> list[str]:
    encoded = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), check_circular=False)
    return encoded[1:-1].replace('},{"name":', '}\n{"name":').split("\n") if rows else []


def _list(lines: list[str]) -> str:
    return "[\n    " + ",\n    ".join(lines) + "\n  ]" if lines else "[]"


_STAMP_JSON = re.compile(r'"generated_at": "[^"]*"')
_STAMP_MD = re.compile(r"^(_Window [^\n]*?) · generated [^_\n]*_", re.M)
_STAMP_HTML = re.compile(r'(<time class="generated">)[^<]*(</time>)')
_HEAD = 16384  # the timestamp comes before the rows: after the page's style and at most 2,500 characters of escaped mission


def unchanged(old: str, new: str) -> bool:
    """`without_timestamp(old) == without_timestamp(new)`, without copying 12 MB texts: the
    text before the one timestamp, then the rest in slices."""
    if old == new:
        return True
    a, b = _stamps(old), _stamps(new)
    if len(a) != 1 or len(b) != 1:  # an unusual head: the plain comparison
        return without_timestamp(old) == without_timestamp(new)
    (start_a, end_a), (start_b, end_b) = a[0], b[0]
    if old[:start_a] != new[:start_b] or len(old) - end_a != len(new) - end_b:
        return False
    step = 1 << 16
    return all(old[end_a + i : end_a + i + step] == new[end_b + i : end_b + i + step] for i in range(0, len(old) - end_a, step))


def _stamps(text: str) -> list[tuple[int, int]]:
    """What `without_timestamp` takes out of the head: the JSON value, the Markdown phrase."""
    head = text[:_HEAD]
    found = []
    if match := _STAMP_JSON.search(head):
        found.append((match.start() + len('"generated_at": "'), match.end() - 1))
    if match := _STAMP_MD.search(head):
        found.append((match.end(1), match.end() - 1))
    if match := _STAMP_HTML.search(head):
        found.append((match.end(1), match.start(2)))
    return found


def without_timestamp(text: str) -> str:
    """The content that matters for deciding whether to commit. Only the head is searched:
    a 12 MB alignment.json is not scanned for a line it does not have."""
    head = _STAMP_MD.sub(r"\1_", _STAMP_JSON.sub('"generated_at": ""', text[:_HEAD], count=1), count=1)
    head = _STAMP_HTML.sub(r"\1\2", head, count=1)
    return head + text[_HEAD:]
