"""Human output: each item's thread, grouped findings, one summary line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from checker.findings import Finding, Location
from checker.term import paint

if TYPE_CHECKING:
    from checker.result import Result

Locate = Callable[[Location], tuple[int, int]]

MARKS = {"aligned": "✓", "budget": "✓", "exempt": "·", "escape": "~", "unaligned": "✗", "broken": "✗"}
STYLE = {"aligned": "ok", "budget": "ok", "exempt": "dim", "escape": "notice", "unaligned": "error", "broken": "error"}


def where(finding: Finding, locate: Locate) -> str:
    if finding.location is None:
        return ""
    line, col = locate(finding.location)
    return f"{finding.location.file}:{line}:{col}: "


def render_finding(finding: Finding, locate: Locate, color: bool) -> str:
    label = paint(finding.severity, finding.severity, color)
    text = f"{where(finding, locate)}{label} [{finding.rule}] {finding.message}"
    return f"{text}\n    hint: {finding.hint}" if finding.hint else text


def finding_dict(finding: Finding, locate: Locate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "subject": finding.subject,
        "hint": finding.hint,
        "fingerprint": finding.fingerprint,
        "location": None,
    }
    if finding.location is not None:
        line, col = locate(finding.location)
        out["location"] = {"file": finding.location.file, "line": line, "col": col}
    return out


def render(result: Result, color: bool) -> str:
    lines: list[str] = []
    for trace in result.traces:
        mark = paint(MARKS[trace.status], STYLE[trace.status], color)
        thread = trace.thread()
        item = trace.item
        if item.kind == "commit" and item.title:  # a bare sha tells a reader nothing: the subject too
            subject = item.title if len(item.title) <= 72 else item.title[:71] + "…"
            thread = thread.replace(item.name, f"{item.name} “{subject}”", 1)
        if trace.status == "exempt":
            thread += f" — exempt: {trace.exempt_because}"
        lines.append(f"{mark} {thread}")
        for hop in trace.hops:
            if hop.signal != "pyramid":
                lines.append(paint(f"    {hop.signal}: {hop.evidence}", "dim", color))
        ideas = result.suggestions.get(trace.item.name, [])
        if ideas and not ideas[0].matched:
            lines.append(f"    no words in common with any objective; valid ids, closest first: {', '.join(i.id for i in ideas)}")
            ideas = []
        for idea in ideas:
            words = ", ".join(idea.matched[:5])
            lines.append(f"    suggestion: {idea.kind} {idea.id} — {idea.title} (score {idea.score:.2f}; matched: {words})")
    findings = sorted(result.findings, key=lambda f: (-_rank(f), f.subject, f.rule))
    if findings:
        lines.append("")
    lines.extend(render_finding(f, result.locate, color) for f in findings)
    lines.extend(paint(f"note: {n}", "dim", color) for n in result.notes)
    lines.append(summary(result, color))
    return "\n".join(lines) + "\n"


def _rank(finding: Finding) -> int:
    return {"error": 3, "warning": 2, "notice": 1}.get(finding.severity, 0)


def summary(result: Result, color: bool) -> str:
    counts = result.counts()
    parts = [f"{n} {status}" for status, n in counts.items() if n]
    items = len(result.traces)
    severities = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "notice")}
    found = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in severities.items() if n) or "no findings"
    verdict = paint("fails the policy", "error", color) if result.failing else paint("passes", "ok", color)
    what = f"{items} item{'s' if items != 1 else ''} ({', '.join(parts)})" if items else "no work to judge"
    return f"clew: {what}; {found}; {verdict} (fail on {result.pyramid.fail_on})"
