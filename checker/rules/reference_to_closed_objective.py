"""Work traces to an objective or initiative that is achieved or dropped.

Effort spent on a closed objective is likely misdirected, or the goals file
is out of date.

How to fix: point the work at an active objective, or set the objective's
`state` back to `active` if it is still pursued.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding
from checker.rules.base import ItemContext, ItemRule, Options


def check(ctx: ItemContext, options: Options) -> Iterator[Finding]:
    target = ctx.trace.target
    if target is not None and target.state in ("achieved", "dropped"):
        item = ctx.trace.item
        message = f"{item.name} traces to {target.kind} {target.id}, which is {target.state}"
        yield Finding("reference-to-closed-objective", RULE.severity, message, item.name, identity=(target.id,))


RULE = ItemRule("reference-to-closed-objective", "warning", check, __doc__ or "", Options)
