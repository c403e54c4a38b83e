"""The rule catalogue: one module per rule, registered here explicitly."""

from __future__ import annotations

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
from checker.rules.base import Rule

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


def get(rule_id: str) -> Rule | None:
    return REGISTRY.get(rule_id)
