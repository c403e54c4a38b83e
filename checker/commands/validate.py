"""`clew validate`: the goals file and its policy, then the rules about the goals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from checker import app
from checker.config import Config
from checker.errors import EXIT_FINDINGS, EXIT_OK, Diagnostic, GoalsError
from checker.findings import fails
from checker.outputs import text


def run(root: Path, goals: str | None, fmt: str, color: bool, today: dt.date | None = None) -> tuple[int, str]:
    try:
        config = app.configure(root, goals)
    except GoalsError as exc:
        if fmt != "json":
            raise
        # JSON readers get the errors on stdout too (the paragraph still goes to stderr, and exit 2)
        errors = [d._asdict() for d in exc.diagnostics]
        failure = {"file": exc.diagnostics[0].file if exc.diagnostics else None, "valid": False, "errors": errors}
        raise ValidationFailed(exc.diagnostics, json.dumps(failure, indent=2, sort_keys=True) + "\n") from None
    findings = app.goals_findings(config, today or dt.date.today())
    failing = [f for f in findings if fails(f, config.policy.fail_on)]
    locate = lambda location: config.doc.at(location.keys)  # noqa: E731
    if fmt == "json":
        payload = {
            "file": config.file,
            "valid": True,
            "summary": summary_counts(config),
            "packs": list(config.policy.packs),
            "findings": [text.finding_dict(f, locate) for f in findings],
        }
        out = json.dumps(payload, indent=2, sort_keys=True) + "\n"
    else:
        lines = [text.render_finding(f, locate, color) for f in findings]
        lines.append(f"{config.file} is valid: {config.goals.summary()} (policy: {' + '.join(config.policy.packs) or 'default'})")
        out = "\n".join(lines) + "\n"
    return (EXIT_FINDINGS if failing else EXIT_OK), out


class ValidationFailed(GoalsError):
    """An invalid goals file under --format json: the errors as JSON for stdout, the paragraph for stderr."""

    def __init__(self, diagnostics: list[Diagnostic], payload: str) -> None:
        super().__init__(diagnostics)
        self.payload = payload


def summary_counts(config: Config) -> dict[str, int]:
    goals = config.goals
    return {
        "objectives": len(goals.objectives),
        "key_results": goals.key_result_count(),
        "initiatives": len(goals.initiatives()),
        "budgets": len(goals.budgets),
    }
