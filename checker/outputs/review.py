"""The review text shared by the GitHub comment, the step summary and the
GitLab note: every item's thread, where it breaks, the closest objectives and
the findings, in Markdown that untrusted text cannot break."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.outputs import markdown as md
from checker.trace import Trace

if TYPE_CHECKING:
    from checker.result import Result

COMMENT_LIMIT = 65_000  # characters; GitHub refuses bodies over 65,536
STATUS = {
    "aligned": "✅ aligned",
    "budget": "✅ budget",
    "exempt": "⚪ exempt",
    "escape": "🟡 declared unaligned",
    "unaligned": "❌ traces nowhere",
    "broken": "❌ unknown reference",
}


def _thread(trace: Trace) -> str:
    return " → ".join(md.text(step, 120) for step in trace.thread().split(" → "))


def body(result: Result, notes: list[str], limit: int = COMMENT_LIMIT) -> str:
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
            if trace.item.author_is_bot:  # a bot will not add a line: the fix is in the goals file
                from checker.rules.unaligned_work import BOT_FIX

                lines.append(f"{md.text(trace.item.author or 'The author', 80)} {BOT_FIX}.")
                continue
            if ideas and not ideas[0].matched:
                listed = ", ".join(f"`{i.id}`" for i in ideas)
                lines.append(f"No words in common with any objective. Valid ids, closest first (add `Objective: <id>`): {listed}")
            elif ideas:
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


def sticky(marker: str, result: Result, notes: list[str]) -> str:
    """The sticky comment or note: the hidden marker, then the result."""
    return f"{marker}\n{body(result, notes, COMMENT_LIMIT)}"


def resolved(marker: str, result: Result) -> str:
    threads = "\n".join(f"- {_thread(t)}" for t in result.traces)
    return f"{marker}\n### clew: ✅ resolved\n\nThis now traces:\n\n{threads}\n"
