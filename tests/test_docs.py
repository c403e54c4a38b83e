"""Generated docs are current, and the docs name what exists."""

from __future__ import annotations

from checker.docsgen import goals_reference, rules_reference
from checker.rules import REGISTRY
from tests.conftest import ROOT


def test_goals_reference_is_current() -> None:
    assert (ROOT / "docs" / "goals.md").read_text(encoding="utf-8") == goals_reference(), "run `python -m checker.docsgen`"


def test_rules_reference_is_current() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_reference(), "run `python -m checker.docsgen`"


def test_rule_catalogue_has_every_rule_with_how_to_fix() -> None:
    text = rules_reference()
    for rule_id in REGISTRY:
        assert f"## {rule_id}" in text
    assert text.count("How to fix") == len(REGISTRY)


def test_every_model_field_is_described() -> None:
    text = goals_reference()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows
    assert all(not line.endswith("|  |") for line in rows), [line for line in rows if line.endswith("|  |")]
