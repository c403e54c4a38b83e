"""The same piece of work gets the same verdict on every surface: `clew check` on
local git, the pre-push hook, the GitHub Action on a pull request and the GitLab
job on a merge request. The thread's status and the item rules that fire must
agree; only the names differ (a branch, PR #2, !7). The rules about the goals
file itself run where the goals file is the subject (`clew validate`, `clew
check`), not on every pull request: that choice is checked here too."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import goals_text, make_repo
from tests.github_server import FakeGitHub, Pull
from tests.gitlab_server import FakeGitLab
from tests.jobs import BASE_SHA, Action, Job, pr_payload

GOALS_RULES = {"objective-has-owner", "objective-has-due-date", "objective-overdue", "key-result-measurable"}
# Each case: the title and description of the work, the status the thread must have, the item rules that must fire.
CASES = {
    "names-an-initiative": ("Faster onboarding wizard", "Initiative: onboarding", "aligned", set()),
    "traces-nowhere": ("Rename a variable", "", "unaligned", {"unaligned-work"}),
    "names-an-unknown-id": ("Tweak the copy", "Objective: retension", "broken", {"unknown-reference"}),
    "declares-a-reason": ("Hotfix the outage", "Unaligned: production outage on the login page", "escape", {"escape-hatch-used"}),
}
# No owner for growth: a goals rule has something to say, wherever it runs.
GOALS = goals_text().replace('    owner: "@omar"\n', "")


def _rules(findings: list[dict[str, Any]]) -> set[str]:
    return {f["rule"] for f in findings}


def _local(tmp: Path, title: str, body: str) -> tuple[str, set[str], set[str]]:
    """`clew check --range main..work --format json`, and the pre-push hook on the same branch."""
    repo = make_repo(tmp / "local")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": GOALS})
    repo.git("checkout", "-q", "-b", "work")
    head = repo.commit(f"{title}\n\n{body}" if body else title, {"src/app.py": "print(1)\n"})
    run = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--range", "main..work", "--format", "json"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    data = json.loads(run.stdout)
    (item,) = data["items"]
    base = repo.git("rev-parse", "main")
    hook = subprocess.run(
        [sys.executable, "-m", "checker", "pre-push", "origin", "url"],
        cwd=repo.path,
        input=f"refs/heads/work {head} refs/heads/work {base}\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert hook.returncode in (0, 1), hook.stderr
    return item["status"], _rules(data["findings"]), set(re.findall(r"\[([a-z-]+)\]", hook.stderr))


@pytest.mark.parametrize("case", list(CASES))
def test_the_same_work_gets_the_same_verdict_everywhere(
    case: str,
    tmp_path: Path,
    gh: FakeGitHub,
    gl: FakeGitLab,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    title, body, status, item_rules = CASES[case]
    local_status, local_rules, hook_rules = _local(tmp_path, title, body)

    (tmp_path / "gh").mkdir()
    action = Action(tmp_path / "gh", gh, monkeypatch, capsys)
    (action.workspace / "goals.yml").write_text(GOALS)
    gh.blobs[f"{BASE_SHA}:goals.yml"] = GOALS
    gh.add_pull(Pull(2, title, body=body))
    payload = pr_payload(body=body, labels=())
    payload["pull_request"]["title"] = title
    payload["pull_request"]["head"]["ref"] = "work"
    _, out = action.run("pull_request", payload, format="json", comment="false", label="false")
    github = json.loads(out[: out.rindex("}") + 1].split("\n::", 1)[0])
    (github_item,) = github["items"]

    (tmp_path / "gl").mkdir()
    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_PATH"):
        monkeypatch.delenv(name, raising=False)
    job = Job(tmp_path / "gl", gl, monkeypatch, capsys)  # its goals file has every owner: the item rules are the same
    gl_code, gl_out = job.run(CI_MERGE_REQUEST_TITLE=title, CI_MERGE_REQUEST_DESCRIPTION=body, CI_MERGE_REQUEST_SOURCE_BRANCH_NAME="work")
    assert gl_code in (0, 1), job.err
    gitlab_rules = set(re.findall(r"\[([a-z-]+)\]", gl_out))
    gitlab_status = {"✓": "aligned", "✗": "unaligned"}.get(gl_out.lstrip()[:1])

    # One verdict for the work itself.
    assert local_status == github_item["status"] == status
    assert local_rules - GOALS_RULES == hook_rules - GOALS_RULES == _rules(github["findings"]) - GOALS_RULES == item_rules
    assert gitlab_rules - GOALS_RULES == item_rules, gl_out
    if status in ("aligned", "unaligned"):
        assert gitlab_status == status, gl_out
    # The goals file's own rules: where the goals file is the subject, not on every change.
    assert "objective-has-owner" in local_rules
    assert not (hook_rules | _rules(github["findings"]) | gitlab_rules) & GOALS_RULES
