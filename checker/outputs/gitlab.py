"""GitLab renderings: the Code Quality report (a subset of Code Climate JSON:
description, check_name, fingerprint, severity, location.path and line; no BOM,
unique fingerprints free of line numbers, relative paths) and the sticky note."""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from checker.outputs import review

if TYPE_CHECKING:
    from checker.result import Result

MARKER = "<!-- clew:sticky-note v1 -->"
_STATE = re.compile(r"^<!-- clew:state owner=([0-9a-f]{16}) label=([01]) -->$", re.M)


class State(NamedTuple):
    """What clew wrote last, kept in its own note: whose note it is (a fingerprint of the
    token, never the token) and whether clew had put the label on. CI_MERGE_REQUEST_LABELS is
    a snapshot taken when the pipeline was created, stale on a retried job; this is not."""

    owner: str
    label: bool

    def line(self) -> str:
        return f"<!-- clew:state owner={self.owner} label={int(self.label)} -->"


def owner_of(token: str) -> str:
    """The fingerprint that marks the notes written with this token."""
    return hashlib.sha256(b"clew-sticky-note:" + token.encode()).hexdigest()[:16]


def read_state(body: str) -> State | None:
    found = _STATE.search(body) if body.startswith(MARKER) else None
    return State(found[1], found[2] == "1") if found else None


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


def render(result: Result) -> str:
    """The `gitlab` format: a Code Quality report (a JSON array), as the merge request job
    writes to CLEW_CODE_QUALITY_REPORT."""
    return code_quality_json(result)


def note(result: Result, notes: list[str], state: State) -> str:
    return review.sticky(f"{MARKER}\n{state.line()}", result, notes)


def resolved(result: Result, state: State) -> str:
    return review.resolved(f"{MARKER}\n{state.line()}", result)
