"""The change edits the goals file itself.

Work is judged against the goals file at the change's base, so a change
cannot make itself aligned by adding an objective in the same change. The new
goals file is checked for validity only; its objectives apply once merged.

How to fix: nothing to fix; to use a new objective at once, land the goals
change first, in a change of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding
from checker.rules.base import ItemContext, ItemRule, Options


def check(ctx: ItemContext, options: Options) -> Iterator[Finding]:
    if ctx.goals_changed:
        item = ctx.trace.item
        message = f"{item.name} edits {ctx.pyramid.file}: it was judged against the goals at its base; the new file was only validated"
        yield Finding("goals-changed-in-change", RULE.severity, message, item.name)


RULE = ItemRule("goals-changed-in-change", "notice", check, __doc__ or "", Options)
