"""A local Jira that answers the two JQL searches clew sends, Cloud's and Data Center's. Every
request body and every answer is validated against Atlassian's OpenAPI description
(tests/contracts/jira/); a mismatch is a violation the test fails on. It counts requests."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import jsonschema

from tests.conftest import contract
from tests.http_fake import FakeServer

CLOUD, DATACENTER = "/rest/api/3/search/jql", "/rest/api/2/search"
_JQL = re.compile(r"^key in \(([A-Z][A-Z0-9_]+-[1-9][0-9]*(?:, [A-Z][A-Z0-9_]+-[1-9][0-9]*)*)\)$")


def _validator(schema: str) -> jsonschema.Draft7Validator:
    """An OpenAPI 3.0 schema object checked with a draft-7 validator: the root `$ref` resolves
    inside the excerpt, whose components travel beside it."""
    document = contract("jira/platform-search.excerpt.json")
    return jsonschema.Draft7Validator({"$ref": f"#/components/schemas/{schema}", "components": document["components"]})


class FakeJira(FakeServer):
    USER, TOKEN = "dev@example.com", "jira-token"

    def __init__(self) -> None:
        super().__init__()
        self.issues: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.fail_with: int | None = None  # answer every request with this status
        self.validators = {
            CLOUD: (_validator("SearchAndReconcileRequestBean"), _validator("SearchAndReconcileResults")),
            DATACENTER: (_validator("SearchRequestBean"), _validator("SearchResults")),
        }

    def add(self, key: str, summary: str, **fields: Any) -> None:
        """An issue: `labels=[...]`, `components=["Billing"]`, `fixVersions=["2027.1"]`, `parent="PAY-1"`,
        `issuetype="Epic"`, or any other field as Jira returns it."""
        out: dict[str, Any] = {"summary": summary, "project": {"key": key.rsplit("-", 1)[0], "id": "10000"}}
        for name, value in fields.items():
            if name in ("components", "fixVersions"):
                out[name] = [{"name": v, "id": str(i)} for i, v in enumerate(value)]
            elif name == "parent":
                out[name] = {"key": value, "id": "9", "fields": {"summary": self.issues.get(value, {}).get("summary", "")}}
            elif name == "issuetype":
                out[name] = {"name": value, "id": "1"}
            else:
                out[name] = value
        self.issues[key] = out

    def authorised(self, path: str, header: str) -> bool:
        if path == CLOUD:
            return header == "Basic " + base64.b64encode(f"{self.USER}:{self.TOKEN}".encode()).decode()
        return header == f"Bearer {self.TOKEN}" or header == "Basic " + base64.b64encode(f"{self.USER}:{self.TOKEN}".encode()).decode()

    def handle(self, method: str, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        body = json.loads(raw or b"{}")
        self.requests.append((path, body))
        if method != "POST" or path not in self.validators:
            self.violations.append(f"clew sent {method} {path}, which is not one of the two searches")
            return 404, {}, b"{}"
        request_schema, answer_schema = self.validators[path]
        self.violations += [f"request {path}: {e.message}" for e in request_schema.iter_errors(body)]
        if self.fail_with is not None:
            return self.fail_with, {"Content-Type": "application/json"}, b'{"errorMessages":["unavailable"],"errors":{}}'
        if not self.authorised(path, headers.get("Authorization", "")):
            return 401, {"Content-Type": "application/json"}, b'{"errorMessages":["You are not authenticated."],"errors":{}}'
        match = _JQL.match(str(body.get("jql", "")))
        if match is None:
            self.violations.append(f"unexpected JQL: {body.get('jql')!r}")
            return 400, {}, b'{"errorMessages":["bad JQL"],"errors":{}}'
        keys = match[1].split(", ")
        unknown = [k for k in keys if k not in self.issues]
        if unknown and path == CLOUD:  # strict validation: the whole search is refused
            messages = [f"An issue with key '{k}' does not exist for field 'key'." for k in unknown]
            return 400, {"Content-Type": "application/json"}, json.dumps({"errorMessages": messages, "errors": {}}).encode()
        wanted = set(body.get("fields") or [])
        issues = [
            {
                "id": str(10000 + i),
                "key": k,
                "self": f"{self.base}/rest/api/3/issue/{k}",
                "fields": {f: v for f, v in self.issues[k].items() if f in wanted},
            }
            for i, k in enumerate(keys)
            if k in self.issues
        ]
        answer: dict[str, Any] = {"issues": issues}
        if path == CLOUD:
            answer["isLast"] = True
        else:
            answer.update(startAt=0, maxResults=body.get("maxResults", 50), total=len(issues))
            if unknown:
                answer["warningMessages"] = [f"An issue with key '{k}' does not exist for field 'key'." for k in unknown]
        self.violations += [f"answer {path}: {e.message}" for e in answer_schema.iter_errors(answer)]
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()
