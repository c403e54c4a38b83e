"""The CI jobs the tests run clew in, in-process: a GitHub Actions job around one event
(`Action`), a GitLab merge request pipeline job around a real git checkout (`Job`), with the
payloads and worlds their tests share."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from tests.conftest import contract, goals_text, make_repo
from tests.github_server import Comment, FakeGitHub, Issue, Pull
from tests.gitlab_server import FakeGitLab

BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"


class Action:
    """A GitHub Actions job environment around one event, run in-process."""

    def __init__(self, tmp: Path, gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp, self.gh, self.monkeypatch, self.capsys = tmp, gh, monkeypatch, capsys
        self.workspace = tmp / "workspace"
        self.workspace.mkdir()
        (self.workspace / "goals.yml").write_text(goals_text())
        self.summary, self.output = tmp / "summary.md", tmp / "output.txt"
        self.extra: dict[str, str] = {}  # more of the job's environment, over the defaults

    def run(self, name: str, payload: dict[str, Any], **inputs: str) -> tuple[int, str]:
        event = self.tmp / "event.json"
        event.write_text(json.dumps(payload))
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": name,
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": "Codertocat/Hello-World",
            "GITHUB_API_URL": self.gh.base_url,
            "GITHUB_GRAPHQL_URL": self.gh.base_url.removesuffix("/api/v3")
            + ("/api/graphql" if self.gh.base_url.endswith("/api/v3") else "/graphql"),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "INPUT_TOKEN": "ghs_test",
            "CLEW_HTTP_TIMEOUT": "1",
            "CLEW_RETRY_BACKOFF": "0.05",
            "CLEW_SECONDARY_RATE_WAIT": "1",
            **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
            **self.extra,
        }
        for key, value in env.items():
            self.monkeypatch.setenv(key, value)
        self.monkeypatch.chdir(self.workspace)
        self.capsys.readouterr()
        code = main(["check"])
        captured = self.capsys.readouterr()
        self.err = captured.err
        return code, captured.out

    def outputs(self) -> dict[str, str]:
        text = self.output.read_text() if self.output.exists() else ""
        return {m[1]: m[3] for m in re.finditer(r"(\w+)<<(\S+)\n(.*?)\n\2\n", text, re.S)}


def pr_payload(body: str | None = "Closes #17", labels: tuple[str, ...] = ("bug",), **changes: Any) -> dict[str, Any]:
    payload = contract("github/webhooks/payloads/pull_request.opened.json")
    pr = payload["pull_request"]
    pr["body"] = body
    pr["labels"] = [{**pr["labels"][0], "name": name} for name in labels] if pr["labels"] else []
    for key, value in changes.items():
        pr[key] = value
    return payload


def world(gh: FakeGitHub, body: str = "Closes #17", closing: tuple[int, ...] = (17,)) -> None:
    gh.add_issue(Issue(17, "Users get logged out on mobile", labels=("mobile",)))
    gh.add_pull(Pull(2, "Update the README with new information", body=body, closing=closing, labels=("bug",)))
    gh.blobs[f"{BASE_SHA}:goals.yml"] = goals_text()


def comments(gh: FakeGitHub, number: int = 2) -> list[Comment]:
    return gh.comments.get(number, [])


def _known_variables() -> set[str]:
    data = contract("gitlab/ci-predefined-variables.json")
    return {v["name"] for section in ("merge_request_pipeline_variables", "general_variables_subset") for v in data[section]["variables"]}


class Job:
    """A GitLab merge request pipeline job around a real git checkout, run in-process."""

    def __init__(self, tmp: Path, gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.gl, self.monkeypatch, self.capsys = gl, monkeypatch, capsys
        self.repo = make_repo(tmp / "project")
        self.base = self.repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
        self.repo.git("checkout", "-q", "-b", "feature")
        self.repo.commit("Work", {"src/app.py": "print(1)\n"})

    def run(self, *, token: bool = True, **variables: str) -> tuple[int, str]:
        ci = {
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_API_V4_URL": f"{self.gl.base}/api/v4",
            "CI_SERVER_URL": self.gl.base,
            "CI_PROJECT_ID": str(self.gl.project_id),
            "CI_PROJECT_PATH": self.gl.project_path,
            "CI_PROJECT_DIR": str(self.repo.path),
            "CI_DEFAULT_BRANCH": "main",
            "CI_MERGE_REQUEST_IID": "7",
            "CI_MERGE_REQUEST_PROJECT_ID": str(self.gl.project_id),
            "CI_MERGE_REQUEST_PROJECT_PATH": self.gl.project_path,
            "CI_MERGE_REQUEST_TITLE": "Work on the app",
            "CI_MERGE_REQUEST_DESCRIPTION": "",
            "CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED": "false",
            "CI_MERGE_REQUEST_LABELS": "",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": self.base,
            "GITLAB_USER_LOGIN": "ann",
        }
        ci.update({k: v for k, v in variables.items() if k.startswith("CI_") or k.startswith("GITLAB_")})
        unknown = set(ci) - _known_variables()
        assert not unknown, f"not predefined GitLab variables: {unknown}"
        settings = {"CLEW_HTTP_TIMEOUT": "1", **{k: v for k, v in variables.items() if k.startswith("CLEW_")}}
        if token:
            settings["CLEW_GITLAB_TOKEN"] = "glpat-test"
        for key in list(ci) + list(settings):
            self.monkeypatch.setenv(key, {**ci, **settings}[key])
        self.monkeypatch.chdir(self.repo.path)
        self.capsys.readouterr()
        code = main(["check"])
        captured = self.capsys.readouterr()
        self.err = captured.err
        return code, captured.out

    def report(self) -> Any:
        return json.loads((self.repo.path / "gl-code-quality-report.json").read_bytes())
