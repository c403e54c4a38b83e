"""Work that traces to no objective: potential waste.

A PR, MR, issue, branch or commit passes when a thread leads from it to an
objective or a budget: an `Objective:`/`Initiative:` trailer, a `goal:<id>`
label, a linked issue that traces, a label, milestone, branch or author named
in an initiative's `match`, or a changed path under `match.paths`.
Exempt work and work with a real `Unaligned: <reason>` line pass too.

How to fix: add a trailer line naming the objective or initiative it serves,
for example `Objective: retention`, or one of the suggested ids. If the work
truly serves no objective, say why with `Unaligned: <reason>`. Work by a bot
(dependabot, renovate, a GitHub App) gets no such request: count it in a budget
with `match: {bots: true}`, or exempt it with `policy: {exempt: {bots: true}}`.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding
from checker.rules.base import ItemContext, ItemRule, Options


def check(ctx: ItemContext, options: Options) -> Iterator[Finding]:
    trace = ctx.trace
    if trace.status != "unaligned":
        return
    from checker.suggest import suggest

    item = trace.item
    ideas = suggest(ctx.pyramid, item, rarity=ctx.rarity)
    message = f"{item.name} traces to no objective: {trace.breaks}"
    if trace.refused_escape is not None:
        message += f"; 'Unaligned: {trace.refused_escape}' is a placeholder, not a reason"
    if item.author_is_bot:
        hint = bot_hint(item.author)
    elif ideas and ideas[0].matched:
        names = ", ".join(f"{s.id} ({s.score:.2f}: {', '.join(s.matched[:3])})" for s in ideas)
        key = "Initiative" if ideas[0].kind == "initiative" else "Objective"
        hint = f"add '{key}: {ideas[0].id}' (closest: {names}), or 'Unaligned: <reason>'"
    elif ideas:
        hint = f"add a line 'Objective: <id>' with one of {', '.join(s.id for s in ideas)} (no words in common), or 'Unaligned: <reason>'"
    else:
        hint = "add a line 'Objective: <id>' naming the objective it serves, or 'Unaligned: <reason>'"
    yield Finding("unaligned-work", RULE.severity, message, item.name, hint)


# A bot cannot add a line to its PR: the fix is in the goals file. Said after the bot's name.
BOT_FIX = (
    "is a bot and will not add a line: count its work in a budget (`match: {bots: true}`), or exempt it (`policy: {exempt: {bots: true}}`)"
)


def bot_hint(author: str) -> str:
    return f"{author or 'the author'} {BOT_FIX}"


RULE = ItemRule("unaligned-work", "warning", check, __doc__ or "", Options)
