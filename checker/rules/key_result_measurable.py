"""A key result cannot be measured: it lacks a baseline, a target, or a current value or `source:`, or its target equals its baseline.

Progress is `(current - baseline) / (target - baseline)`; without the three
numbers the objective's status falls back to the share of linked issues
closed. A key result with a `source:` gets its current value at each report
run, so it needs no `current`.

How to fix: give the key result `baseline` and `target` numbers, and a
`current` number or a `source:`.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding, Location
from checker.rules.base import GoalsContext, GoalsRule, Options


def check(ctx: GoalsContext, options: Options) -> Iterator[Finding]:
    for i, objective in enumerate(ctx.objectives):
        for j, kr in enumerate(objective.key_results):
            missing = [name for name in ("baseline", "target", "current") if getattr(kr, name) is None]
            if kr.source is not None and "current" in missing:
                missing.remove("current")  # read at each report run
            if not missing and kr.target != kr.baseline:
                continue
            problem = f"has no {', '.join(missing)}" if missing else "has its target equal to its baseline"
            where = Location(ctx.goals_file, ("objectives", i, "key_results", j, "id"))
            subject = f"key result {objective.id}.{kr.id}"
            hint = "give it baseline and target numbers, and a current number or a `source:`"
            yield Finding("key-result-measurable", RULE.severity, f"{subject} {problem}", subject, hint, where, (kr.id,))


RULE = GoalsRule("key-result-measurable", "warning", check, __doc__ or "", Options)
