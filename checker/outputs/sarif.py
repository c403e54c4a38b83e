"""SARIF 2.1.0: rule descriptors from the registry, fingerprints without lines."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from checker import __version__
from checker.findings import Finding
from checker.rules import REGISTRY

if TYPE_CHECKING:
    from checker.result import Result

LEVEL = {"error": "error", "warning": "warning", "notice": "note"}
DOCS = "https://github.com/clew-dev/clew/blob/main/docs/rules.md"


def _rule(rule_id: str) -> dict[str, Any]:
    rule = REGISTRY[rule_id]
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.doc.split())},
        "helpUri": f"{DOCS}#{rule.id}",
        "defaultConfiguration": {"level": LEVEL.get(rule.severity, "none")},
    }


def _result(result: Result, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": LEVEL[finding.severity],
        "message": {"text": f"{finding.message}" + (f" ({finding.hint})" if finding.hint else "")},
        "partialFingerprints": {"clewFingerprint/v1": finding.fingerprint},
    }
    if finding.location is not None:
        line, col = result.locate(finding.location)
        region = {"startLine": line, "startColumn": col}
        physical = {"artifactLocation": {"uri": finding.location.file}, "region": region}
        out["locations"] = [{"physicalLocation": physical}]
    else:
        out["locations"] = [{"logicalLocations": [{"name": finding.subject, "kind": "resource"}]}]
    return out


def document(result: Result) -> dict[str, Any]:
    index = {rule_id: i for i, rule_id in enumerate(REGISTRY)}
    driver = {
        "name": "clew",
        "version": __version__,
        "informationUri": "https://github.com/clew-dev/clew",
        "rules": [_rule(rule_id) for rule_id in REGISTRY],
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": [_result(result, f, index) for f in result.findings]}],
    }


def render(result: Result) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
