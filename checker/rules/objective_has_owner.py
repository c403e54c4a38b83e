"""An active objective names no owner.

Someone must answer for an objective's status; the report shows the owner
beside it.

How to fix: add `owner: "@login"` to the objective.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding, Location
from checker.rules.base import GoalsContext, GoalsRule, Options


def check(ctx: GoalsContext, options: Options) -> Iterator[Finding]:
    for i, objective in enumerate(ctx.objectives):
        if objective.state == "active" and not (objective.owner or "").strip():
            where = Location(ctx.goals_file, ("objectives", i, "id"))
            message = f"objective {objective.id} has no owner"
            yield Finding("objective-has-owner", RULE.severity, message, f"objective {objective.id}", 'add owner: "@login"', where)


RULE = GoalsRule("objective-has-owner", "warning", check, __doc__ or "", Options)
