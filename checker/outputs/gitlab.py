"""GitLab renderings: the Code Quality report (a subset of Code Climate JSON:
description, check_name, fingerprint, severity, location.path and line; no BOM,
unique fingerprints free of line numbers, relative paths) and the sticky note."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from checker.outputs import review

if TYPE_CHECKING:
    from checker.app import Result

MARKER = "<!-- clew:sticky-note v1 -->"
SEVERITY = {"error": "critical", "warning": "major", "notice": "info"}


def code_quality(result: Result) -> list[dict[str, Any]]:
    out, seen = [], set()
    for finding in result.findings:
        if finding.fingerprint in seen:
            continue
        seen.add(finding.fingerprint)
        line = result.locate(finding.location)[0] if finding.location is not None else 1
        path = finding.location.file if finding.location is not None else result.pyramid.file
        description = f"{finding.message}" + (f" — {finding.hint}" if finding.hint else "")
        out.append(
            {
                "description": description[:1000],
                "check_name": finding.rule,
                "fingerprint": finding.fingerprint,
                "severity": SEVERITY[finding.severity],
                "location": {"path": path.split("@", 1)[0].lstrip("/"), "lines": {"begin": line}},
            }
        )
    return out


def code_quality_json(result: Result) -> str:
    return json.dumps(code_quality(result), indent=2, ensure_ascii=False) + "\n"


def note(result: Result, notes: list[str]) -> str:
    return review.sticky(MARKER, result, notes)


def resolved(result: Result) -> str:
    return review.resolved(MARKER, result)
