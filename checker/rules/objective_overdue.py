"""An active objective is past its due date.

Options: `grace_days` (default 0): days after the due date before this fires.

How to fix: mark it `state: achieved` or `state: dropped`, or move `due`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from checker.findings import Finding, Location
from checker.rules.base import GoalsContext, Options, Rule


@dataclass(frozen=True)
class OverdueOptions(Options):
    """grace_days: days after the due date before the rule fires."""

    grace_days: int = 0

    def __post_init__(self) -> None:
        if self.grace_days < 0:
            raise ValueError(f"grace_days must be 0 or more, not {self.grace_days}")


def check(ctx: GoalsContext, options: OverdueOptions) -> Iterator[Finding]:
    for i, objective in enumerate(ctx.goals.objectives):
        due = objective.due
        if objective.state == "active" and due and ctx.today > due + dt.timedelta(days=options.grace_days):
            where = Location(ctx.goals_file, ("objectives", i, "due"))
            days = (ctx.today - due).days
            message = f"objective {objective.id} was due {due.isoformat()} ({days} day{'s' if days != 1 else ''} ago) and is still active"
            hint = "set state: achieved or dropped, or move the due date"
            yield Finding("objective-overdue", RULE.severity, message, f"objective {objective.id}", hint, where)


RULE = Rule("objective-overdue", "warning", "goals", check, __doc__ or "", OverdueOptions)
