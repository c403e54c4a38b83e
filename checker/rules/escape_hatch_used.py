"""Work declared unaligned with `Unaligned: <reason>`.

The escape hatch is accepted, counted and shown in the report, so that work
outside the roadmap is visible rather than hidden. A placeholder reason
(`n/a`, `TODO`, `none`, ...) is refused: the work is then reported as
unaligned.

How to fix: nothing, if the reason is true; if the work does serve an
objective, name it with `Objective: <id>` instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding
from checker.rules.base import ItemContext, ItemRule, Options


def check(ctx: ItemContext, options: Options) -> Iterator[Finding]:
    trace = ctx.trace
    if trace.status == "escape" and trace.escape:
        message = f"{trace.item.name} is declared unaligned: {trace.escape}"
        yield Finding("escape-hatch-used", RULE.severity, message, trace.item.name)


RULE = ItemRule("escape-hatch-used", "notice", check, __doc__ or "", Options)
