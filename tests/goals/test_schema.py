from __future__ import annotations

import json

import jsonschema

from checker.goals.schema import goals_schema, render
from checker.rules import REGISTRY
from tests.conftest import ROOT


def test_committed_schema_is_in_sync() -> None:
    committed = (ROOT / "schema" / "goals.schema.json").read_text(encoding="utf-8")
    assert committed == render(), "run `clew schema > schema/goals.schema.json` and commit it"


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(goals_schema())


def test_schema_knows_every_rule_and_rejects_unknown_keys() -> None:
    schema = goals_schema()
    rules = schema["$defs"]["Policy"]["properties"]["rules"]["properties"]
    assert set(rules) == set(REGISTRY)
    validator = jsonschema.Draft202012Validator(schema)
    base = {"version": 1, "mission": "m", "objectives": [{"id": "a", "title": "A", "ownr": "x"}]}
    errors = list(validator.iter_errors(json.loads(json.dumps(base))))
    assert any("ownr" in e.message for e in errors)
    assert not list(
        validator.iter_errors({"version": 1, "mission": "m", "objectives": [], "policy": {"rules": {"unaligned-work": "error"}}})
    )
    assert list(validator.iter_errors({"version": 2, "mission": "m", "objectives": []}))
