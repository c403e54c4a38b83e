"""alignment.json's JSON Schema, generated from the report model."""

from __future__ import annotations

import json

from checker.report.model import adapter

SCHEMA_ID = "https://clew.dev/schema/alignment.schema.json"


def render() -> str:
    schema = adapter().json_schema(mode="serialization")
    return (
        json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}, indent=2, sort_keys=True) + "\n"
    )
