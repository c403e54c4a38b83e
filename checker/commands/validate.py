"""`clew validate`: the goals file and its policy, then the rules about the goals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from checker.errors import EXIT_FINDINGS, EXIT_OK, Diagnostic, GoalsError
from checker.findings import Location, fails
from checker.goals.compiled import summary
from checker.goals.file import current_goals
from checker.outputs import text
from checker.rules import goals_findings


def run(cwd: Path, goals: str | None, fmt: str, color: bool, today: dt.date | None = None) -> tuple[int, str]:
    """From the compiled cache when the goals file and its packs are unchanged (a cache entry is
    only ever written for a valid file), else through the validating loader. Outside a git
    repository, from `cwd` and without a cache."""
    from checker.forges import org_goals
    from checker.forges.local.gitdir import find

    root, common = found if (found := find(cwd)) is not None else (cwd, None)
    try:
        current = current_goals(root, goals, common, org_goals.fetch)
    except GoalsError as exc:
        if fmt != "json":
            raise
        # JSON readers get the errors on stdout too (the paragraph still goes to stderr, and exit 2)
        errors = [d._asdict() for d in exc.diagnostics]
        failure = {"file": exc.diagnostics[0].file if exc.diagnostics else None, "valid": False, "errors": errors}
        raise ValidationFailed(exc.diagnostics, json.dumps(failure, indent=2, sort_keys=True) + "\n") from None
    pyramid = current.pyramid
    findings = goals_findings(pyramid, today or dt.date.today())
    failing = [f for f in findings if fails(f, pyramid.fail_on)]

    def locate(location: Location) -> tuple[int, int]:
        return pyramid.at(location.keys) or (location.line, location.col)

    counts = pyramid.counts()
    chain, notes = (current.org.chain, current.org.notes) if current.org is not None else ([], [])  # the levels read to compile it
    if fmt == "json":
        payload = {
            "file": pyramid.file,
            "valid": True,
            "summary": counts,
            "packs": list(pyramid.packs),
            "extends": chain,
            "notes": notes,
            "findings": [text.finding_dict(f, locate) for f in findings],
        }
        out = json.dumps(payload, indent=2, sort_keys=True) + "\n"
    else:
        lines = [text.render_finding(f, locate, color) for f in findings]
        lines.append(f"{pyramid.file} is valid: {summary(counts)} (policy: {' + '.join(pyramid.packs) or 'default'})")
        if chain:
            lines.append(f"  it builds on the organisation's goals: {' → '.join(chain)}")
        lines += [f"  note: {n}" for n in notes]
        out = "\n".join(lines) + "\n"
    return (EXIT_FINDINGS if failing else EXIT_OK), out


class ValidationFailed(GoalsError):
    """An invalid goals file under --format json: the errors as JSON for stdout, the paragraph for stderr."""

    def __init__(self, diagnostics: list[Diagnostic], payload: str) -> None:
        super().__init__(diagnostics)
        self.payload = payload
