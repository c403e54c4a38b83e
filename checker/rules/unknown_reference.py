"""A reference names an id that is not in the goals file.

An `Objective:`/`Initiative:`/`Goal:` trailer or a `goal:<id>` label must name
an objective, initiative, budget or key result (`objective.kr`) of the goals
file. A typo is an error, not unaligned work: the author meant to link it.

How to fix: correct the id (clew suggests the closest one), or add the
objective to the goals file in a change of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding
from checker.rules.base import ItemContext, ItemRule, Options


def check(ctx: ItemContext, options: Options) -> Iterator[Finding]:
    item = ctx.trace.item
    for ref, close in ctx.trace.unknown:
        message = f"{item.name}: {ref.evidence!r} names {ref.target!r}, which is not an id in {ctx.pyramid.file}"
        hint = f"did you mean {close!r}?" if close else "check the id against the goals file"
        yield Finding("unknown-reference", RULE.severity, message, item.name, hint, identity=(ref.target,))


RULE = ItemRule("unknown-reference", "error", check, __doc__ or "", Options)
