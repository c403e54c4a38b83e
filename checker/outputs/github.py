"""GitHub renderings, pure text: annotations (workflow commands within the
platform's caps), the step summary (Markdown, under 1 MiB), the sticky comment
(under 65,536 characters, found again by its hidden marker) and the step
outputs. All untrusted text goes through outputs.markdown or is escaped as
workflow-command data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.findings import Finding
from checker.outputs import review
from checker.outputs.workflow import command

if TYPE_CHECKING:
    from checker.result import Result

MARKER = "<!-- clew:sticky-comment v1 -->"
STEP_CAP = {"error": 10, "warning": 10, "notice": 10}
JOB_CAP = 50
SUMMARY_LIMIT = 1_000_000  # bytes; GitHub refuses step summaries over 1 MiB


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


def render(result: Result) -> str:
    """The `github` format: the annotations as workflow commands, one per line. In a GitHub
    Actions log they become annotations on the diff; elsewhere they are a greppable list."""
    return "".join(line + "\n" for line in annotation_lines(result, "the other formats"))


def _annotation(result: Result, finding: Finding) -> str:
    message = f"{finding.message}" + (f"\n{finding.hint}" if finding.hint else "")
    props: dict[str, str | int] = {"title": f"clew [{finding.rule}]"}
    if finding.location is not None:
        line, col = result.locate(finding.location)
        props.update(file=finding.location.file, line=line, col=col)
    return command(finding.severity, message, **props)


def summary(result: Result, notes: list[str]) -> str:
    return review.body(result, notes, SUMMARY_LIMIT)


def comment(result: Result, notes: list[str]) -> str:
    return review.sticky(MARKER, result, notes)


def resolved(result: Result) -> str:
    return review.resolved(MARKER, result)


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
