"""An active objective is past its due date.

Options: `grace_days` (default 0): days after the due date before this fires.

How to fix: mark it `state: achieved` or `state: dropped`, or move `due`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TypedDict

from checker.findings import Finding, Location
from checker.rules.base import GoalsContext, GoalsRule, options


@options
class OverdueOptions(TypedDict, total=False):
    """grace_days: days after the due date before the rule fires (default 0)."""

    grace_days: int


def check(ctx: GoalsContext, settings: OverdueOptions) -> Iterator[Finding]:
    for i, objective in enumerate(ctx.objectives):
        due = dt.date.fromisoformat(objective.due) if objective.due else None
        if objective.state == "active" and due and ctx.today > due + dt.timedelta(days=settings.get("grace_days", 0)):
            where = Location(ctx.goals_file, ("objectives", i, "due"))
            days = (ctx.today - due).days
            message = f"objective {objective.id} was due {due.isoformat()} ({days} day{'s' if days != 1 else ''} ago) and is still active"
            hint = "set state: achieved or dropped, or move the due date"
            yield Finding("objective-overdue", RULE.severity, message, f"objective {objective.id}", hint, where)


RULE = GoalsRule("objective-overdue", "warning", check, __doc__ or "", OverdueOptions)
