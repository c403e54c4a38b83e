"""The goals file's JSON Schema, generated from the models (and the rules' options)."""

from __future__ import annotations

import json
from typing import Any

from checker.goals.model import Goals
from checker.goals.policy import options_adapter
from checker.rules import REGISTRY

SCHEMA_ID = "https://clew.dev/schema/goals.schema.json"


def goals_schema() -> dict[str, Any]:
    schema = Goals.model_json_schema(by_alias=True, mode="validation")
    rule_properties = {}
    for rule_id, rule in REGISTRY.items():
        options = options_adapter(rule_id).json_schema()
        properties = {"severity": {"enum": ["error", "warning", "notice", "off"]}, **options.get("properties", {})}
        setting = {"type": "object", "properties": properties, "additionalProperties": False, "description": rule.summary}
        rule_properties[rule_id] = {"anyOf": [setting, {"enum": ["error", "warning", "notice", "off"]}]}
    schema["$defs"]["Policy"]["properties"]["rules"] = {
        "type": "object",
        "properties": rule_properties,
        "additionalProperties": False,
        "description": "Per rule id: {severity: ..., options} or just the severity.",
    }
    schema["$defs"]["Policy"]["properties"]["extends"] = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": "Pack names (default, strict) or paths relative to the goals file.",
    }
    share = schema["$defs"]["Budget"]["properties"]["share"]
    schema["$defs"]["Budget"]["properties"]["share"] = {
        "anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": 100}, {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%?\s*$"}],
        "description": share.get("description", ""),
    }
    for name in ("Objective",):
        for key in ("start", "due"):
            schema["$defs"][name]["properties"][key] = {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}], "default": None}
    schema["properties"]["version"] = {"const": 1, "description": "Format version of the goals file."}
    _ids_accept_numbers(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _ids_accept_numbers(schema: dict[str, Any]) -> None:
    for definition in schema["$defs"].values():
        ident = definition.get("properties", {}).get("id")
        if ident is not None:
            definition["properties"]["id"] = {"anyOf": [{"type": "string", "pattern": ident["pattern"]}, {"type": "integer", "minimum": 0}]}


def render() -> str:
    return json.dumps(goals_schema(), indent=2, sort_keys=True) + "\n"
