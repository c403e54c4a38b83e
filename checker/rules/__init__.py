"""The rule catalogue: one module per rule, registered here explicitly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checker.findings import Finding, apply_severities
from checker.rules import (
    escape_hatch_used,
    goals_changed_in_change,
    key_result_measurable,
    objective_has_due_date,
    objective_has_owner,
    objective_overdue,
    reference_to_closed_objective,
    unaligned_work,
    unknown_reference,
)
from checker.rules.base import GoalsContext, GoalsRule, ItemRule, Rule

if TYPE_CHECKING:
    import datetime as dt

    from checker.goals.compiled import Pyramid

REGISTRY: dict[str, Rule] = {
    module.RULE.id: module.RULE
    for module in (
        unaligned_work,
        unknown_reference,
        escape_hatch_used,
        reference_to_closed_objective,
        goals_changed_in_change,
        objective_has_owner,
        objective_has_due_date,
        objective_overdue,
        key_result_measurable,
    )
}

# Which rules run where, decided here: the item rules on every surface, the goals rules where the
# goals file is the subject (docs/rules.md, "Where each rule runs").
ITEM_RULES: tuple[ItemRule[Any], ...] = tuple(rule for rule in REGISTRY.values() if isinstance(rule, ItemRule))
GOALS_RULES: tuple[GoalsRule[Any], ...] = tuple(rule for rule in REGISTRY.values() if isinstance(rule, GoalsRule))


def get(rule_id: str) -> Rule | None:
    return REGISTRY.get(rule_id)


def goals_findings(pyramid: Pyramid, today: dt.date) -> list[Finding]:
    """The rules about the goals file itself, on its compiled form (no YAML, no models), after
    the policy's severities."""
    ctx = GoalsContext(pyramid.objectives, pyramid.file, today)
    raw = [f for rule in GOALS_RULES for f in rule.check(ctx, pyramid.options.get(rule.id, {}))]
    return apply_severities(raw, pyramid.severities)
