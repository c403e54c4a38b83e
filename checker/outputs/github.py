"""GitHub renderings, pure text: annotations (workflow commands within the
platform's caps), the step summary (Markdown, under 1 MiB), the sticky comment
(under 65,536 characters, found again by its hidden marker) and the step
outputs. All untrusted text goes through outputs.markdown or is escaped as
workflow-command data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.findings import Finding
from checker.outputs import markdown as md
from checker.outputs.workflow import command
from checker.trace import Trace

if TYPE_CHECKING:
    from checker.app import Result

MARKER = "<!-- clew:sticky-comment v1 -->"
STEP_CAP = {"error": 10, "warning": 10, "notice": 10}
JOB_CAP = 50
SUMMARY_LIMIT = 1_000_000  # bytes; GitHub refuses step summaries over 1 MiB
COMMENT_LIMIT = 65_000  # characters; GitHub refuses bodies over 65,536
STATUS = {
    "aligned": "✅ aligned",
    "budget": "✅ budget",
    "exempt": "⚪ exempt",
    "escape": "🟡 declared unaligned",
    "unaligned": "❌ traces nowhere",
    "broken": "❌ unknown reference",
}


def annotation_lines(result: Result, where: str = "the step summary") -> list[str]:
    """At most 10 errors, 10 warnings and 10 notices, then one notice saying where the rest is."""
    used = dict.fromkeys(STEP_CAP, 0)
    lines: list[str] = []
    left = 0
    for finding in sorted(result.findings, key=lambda f: ("error", "warning", "notice").index(f.severity)):
        if used[finding.severity] >= STEP_CAP[finding.severity] or len(lines) >= JOB_CAP - 1:
            left += 1
            continue
        used[finding.severity] += 1
        lines.append(_annotation(result, finding))
    if left:
        lines.append(
            command(
                "notice",
                f"clew: {left} more finding{'s' if left != 1 else ''} not annotated (GitHub caps annotations); all of them are in {where}.",
                title="clew",
            )
        )
    return lines


def _annotation(result: Result, finding: Finding) -> str:
    message = f"{finding.message}" + (f"\n{finding.hint}" if finding.hint else "")
    props: dict[str, str | int] = {"title": f"clew [{finding.rule}]"}
    if finding.location is not None:
        line, col = result.locate(finding.location)
        props.update(file=finding.location.file, line=line, col=col)
    return command(finding.severity, message, **props)


def _thread(trace: Trace) -> str:
    return " → ".join(md.text(step, 120) for step in trace.thread().split(" → "))


def _body(result: Result, notes: list[str], limit: int) -> str:
    failing = result.failing
    head = "❌ fails the policy" if failing else "✅ passes the policy"
    lines = [f"### clew: {head}", "", "| item | status | thread |", "|---|---|---|"]
    for trace in result.traces:
        title = f": {md.text(trace.item.title, 120)}" if trace.item.title else ""
        lines.append(f"| {md.text(trace.item.name, 80)}{title} | {STATUS[trace.status]} | {_thread(trace)} |")
    for trace in result.traces:
        ideas = result.suggestions.get(trace.item.name, [])
        if trace.status in ("unaligned", "broken"):
            lines += ["", f"**{md.text(trace.item.name, 80)}** — where the thread breaks: {md.text(trace.breaks, 300)}"]
            if ideas:
                lines.append("Closest objectives (add one line to the description):")
                lines += [
                    f"- `{'Initiative' if i.kind == 'initiative' else 'Objective'}: {i.id}` — {md.text(i.title, 120)} "
                    f"(score {i.score:.2f}; matched: {md.text(', '.join(i.matched[:5]), 120)})"
                    for i in ideas
                ]
            lines.append("If it serves no objective, say why with a line `Unaligned: <reason>`.")
    findings = sorted(result.findings, key=lambda f: ("error", "warning", "notice").index(f.severity))
    if findings:
        lines += ["", "| severity | rule | finding |", "|---|---|---|"]
        rows = [
            f"| {f.severity} | `{f.rule}` | {md.text(f.message, 400)}{' — ' + md.text(f.hint, 200) if f.hint else ''} |" for f in findings
        ]
        lines += rows
    if notes:
        lines += ["", *[f"> {md.text(n, 500)}" for n in notes]]
    return _bounded("\n".join(lines) + "\n", limit)


def _bounded(text: str, limit: int) -> str:
    if len(text.encode()) <= limit:
        return text
    cut = text.encode()[: limit - 200].decode("utf-8", "ignore")
    return cut[: cut.rfind("\n")] + "\n\n… (truncated to fit GitHub's limit; the full result is in the job log)\n"


def summary(result: Result, notes: list[str]) -> str:
    return _body(result, notes, SUMMARY_LIMIT)


def comment(result: Result, notes: list[str]) -> str:
    return f"{MARKER}\n{_body(result, notes, COMMENT_LIMIT)}"


def resolved(result: Result) -> str:
    threads = "\n".join(f"- {_thread(t)}" for t in result.traces)
    return f"{MARKER}\n### clew: ✅ resolved\n\nThis now traces:\n\n{threads}\n"


def step_outputs(result: Result) -> dict[str, str]:
    traces = result.traces
    objectives = sorted({t.objective for t in traces if t.objective})
    aligned = bool(traces) and all(t.status in ("aligned", "budget", "exempt", "escape") for t in traces)
    return {
        "aligned": "true" if aligned else "false",
        "objectives": ",".join(objectives),
        "findings": str(len(result.findings)),
        "thread": " | ".join(t.thread().replace("\n", " ") for t in traces),
    }
