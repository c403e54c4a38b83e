"""An active objective has no due date.

Without a due date clew cannot compare progress with time elapsed, and the
objective's status stays `no-data` on that count.

How to fix: add `due: YYYY-MM-DD` to the objective.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding, Location
from checker.rules.base import GoalsContext, GoalsRule, Options


def check(ctx: GoalsContext, options: Options) -> Iterator[Finding]:
    for i, objective in enumerate(ctx.objectives):
        if objective.state == "active" and objective.due is None:
            where = Location(ctx.goals_file, ("objectives", i, "id"))
            message = f"objective {objective.id} has no due date"
            yield Finding("objective-has-due-date", RULE.severity, message, f"objective {objective.id}", "add due: YYYY-MM-DD", where)


RULE = GoalsRule("objective-has-due-date", "warning", check, __doc__ or "", Options)
