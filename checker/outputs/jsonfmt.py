"""Machine output, stable and documented in docs/output.md (format version 1)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from checker import __version__
from checker.outputs.text import finding_dict
from checker.trace import Trace

if TYPE_CHECKING:
    from checker.result import Result

FORMAT_VERSION = 1


def trace_dict(trace: Trace) -> dict[str, Any]:
    item, target = trace.item, trace.target
    return {
        "kind": item.kind,
        "key": item.key,
        "name": item.name,
        "title": item.title,
        "author": item.author,
        "status": trace.status,
        "objective": trace.objective,
        "target": None if target is None else {"kind": target.kind, "id": target.id, "title": target.title},
        "thread": trace.thread(),
        "hops": [{"step": h.step, "evidence": h.evidence, "signal": h.signal} for h in trace.hops],
        "breaks": trace.breaks or None,
        "unresolved": list(trace.unresolved),
        "escape": trace.escape,
        "exempt": trace.exempt_because,
        "commits": [c.key for c in item.commits],
    }


def document(result: Result) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "tool": {"name": "clew", "version": __version__},
        "goals": result.pyramid.file,
        "policy": {"packs": list(result.pyramid.packs), "fail_on": result.pyramid.fail_on},
        "items": [
            {**trace_dict(t), "suggestions": [s._asdict() | {"matched": list(s.matched)} for s in result.suggestions.get(t.item.name, [])]}
            for t in result.traces
        ],
        "findings": [finding_dict(f, result.locate) for f in result.findings],
        "summary": {**result.counts(), "failing": len(result.failing), "passed": not result.failing},
        "notes": result.notes,
    }


def render(result: Result) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
