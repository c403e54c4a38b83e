"""The report from GitLab's API, committed back through the commits API (one
atomic commit, a concurrent change refused and retried), against the local
GitLab server."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.conftest import Run, clew_process
from tests.gitlab_server import FakeGitLab, GlIssue


def world(gl: FakeGitLab, merged: int = 150) -> None:
    gl.issues[12] = GlIssue(12, "Logged out", labels=("mobile",))
    gl.issues[13] = GlIssue(13, "Blocked", labels=("mobile", "blocked"))
    gl.open_issue_iids = [13]
    for n in range(1, merged + 1):
        stamp = f"2026-{9 + (n % 75) // 28:02d}-{1 + (n % 75) % 28:02d}T10:00:00Z"
        body = ["Closes #12", "Initiative: onboarding", "wip"][n % 3]
        gl.merged[n] = {"iid": n, "title": f"Change {n}", "description": body, "merged_at": stamp, "updated_at": stamp, "labels": []}


def report(gl: FakeGitLab, cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    environment = {
        "GITLAB_CI": "true",
        "CLEW_GITLAB_TOKEN": "glpat",
        "CI_API_V4_URL": f"{gl.base}/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_PROJECT_PATH": gl.project_path,
        "CI_DEFAULT_BRANCH": "main",
        "CLEW_TODAY": "2026-11-21",
        "CLEW_HTTP_TIMEOUT": "5",
        **(env or {}),
    }
    return clew_process(cwd, "report", *args, env=environment)


def test_cold_then_warm(gl: FakeGitLab, workspace: Path) -> None:
    world(gl)
    cold = report(gl, workspace, "--commit")
    assert cold.code == 0, cold.err + cold.out
    assert len(gl.commits) == 1
    message, files = gl.commits[0]
    assert message.startswith("clew: update the alignment report [skip ci]")
    assert set(files) == {"ALIGNMENT.md", "alignment.json"}
    data = json.loads(files["alignment.json"])
    assert (data["source"], data["headline"]["merged"]) == ("gitlab", 150)
    assert sum("merge_requests" in r.path and r.method == "GET" for r in gl.requests) >= 2, "150 merge requests: 2 pages"
    gl.requests.clear()
    warm = report(gl, workspace, "--commit")
    assert warm.code == 0, warm.err
    assert len(gl.commits) == 1
    assert "already holds this report" in warm.out
    assert gl.writes == 0


@pytest.mark.slow
def test_a_concurrent_change_is_refused_and_retried(gl: FakeGitLab, workspace: Path) -> None:
    world(gl, merged=40)
    gl.commit_delay = 0.5
    results: list[Run] = []
    threads = [threading.Thread(target=lambda: results.append(report(gl, workspace, "--commit"))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.code == 0 for r in results), [r.err + r.out for r in results]
    assert len(gl.commits) == 1, "no doubled report commit"
    assert json.loads(gl.files["alignment.json"][0])["headline"]["merged"] == 40


def test_needs_a_token(gl: FakeGitLab, workspace: Path) -> None:
    run = report(gl, workspace, "--source", "gitlab", env={"CLEW_GITLAB_TOKEN": ""})
    assert run.code == 2
    assert "CLEW_GITLAB_TOKEN" in run.err


def test_dry_run_compares_with_the_committed_report(gl: FakeGitLab, workspace: Path) -> None:
    world(gl, merged=20)
    assert report(gl, workspace, "--commit").code == 0
    dry = report(gl, workspace, "--dry-run")
    assert dry.code == 0
    assert "unchanged (only the timestamp would change)" in dry.out
    assert len(gl.commits) == 1


def test_blocked_since_comes_from_the_label_event(gl: FakeGitLab, workspace: Path) -> None:
    """Only an open issue that carries a blocking label is asked when it got it: one read each."""
    world(gl, merged=3)
    gl.issues[13] = gl.issues[13]._replace(labelled_at=(("mobile", "2026-10-01T09:00:00Z"), ("blocked", "2026-11-20T09:00:00Z")))
    gl.issues[14] = GlIssue(14, "Not blocked", labels=("mobile",))
    gl.open_issue_iids = [13, 14]
    run = report(gl, workspace)
    assert run.code == 0, run.err
    asked = [r.path for r in gl.requests if r.path.endswith("/resource_label_events")]
    assert asked == ["/api/v4/projects/42/issues/13/resource_label_events"]
    data = json.loads((workspace / "alignment.json").read_text())
    retention = next(o for o in data["objectives"] if o["id"] == "retention")
    assert retention["blocked"] == 0, "blocked since yesterday, not since the issue's old last update"
    gl.issues[13] = gl.issues[13]._replace(labelled_at=(("blocked", "2026-10-20T09:00:00Z"),))
    (workspace / "alignment.json").unlink()
    assert report(gl, workspace).code == 0
    retention = next(o for o in json.loads((workspace / "alignment.json").read_text())["objectives"] if o["id"] == "retention")
    assert retention["blocked"] == 1


def test_the_page_is_committed_with_the_report(gl: FakeGitLab, workspace: Path) -> None:
    world(gl, merged=30)
    cold = report(gl, workspace, "--html", "--commit")
    assert cold.code == 0, cold.err + cold.out
    _message, files = gl.commits[0]
    assert set(files) == {"ALIGNMENT.md", "alignment.json", "alignment.html"}
    assert files["alignment.html"].startswith("<!DOCTYPE html>")
    gl.requests.clear()
    warm = report(gl, workspace, "--html", "--commit")
    assert warm.code == 0, warm.err
    assert len(gl.commits) == 1
    assert "already holds this report" in warm.out
    assert gl.writes == 0
    assert sum("repository/files" in r.path for r in gl.requests) == 3, "one read for each of the three files"
