"""The report from GitHub and committed back through the Git Data API, against
the local GitHub server: one GraphQL page per 100 merged pull requests cold, one
request and no commit warm, one report commit when two runs race."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.conftest import Run, clew_process
from tests.github_server import FakeGitHub, Issue, Pull


def world(gh: FakeGitHub, merged: int = 250) -> None:
    gh.add_issue(Issue(17, "Users log out", labels=("mobile",)))
    gh.add_issue(Issue(18, "Blocked by the SDK", labels=("mobile", "blocked")))
    gh.add_issue(Issue(19, "An idea", labels=("onboarding",)))
    gh.open_issue_numbers = [18, 19]
    for n in range(1, merged + 1):
        day = 1 + n % 60
        body = "Closes #17" if n % 3 == 0 else "Initiative: onboarding" if n % 3 == 1 else "wip"
        stamp = f"2026-{9 + day // 30:02d}-{1 + day % 28:02d}T10:00:00Z"
        gh.add_pull(Pull(n, f"Change {n}", body=body, closing=(17,) if n % 3 == 0 else (), merged_at=stamp, updated_at=stamp))
    gh.add_pull(Pull(merged + 1, "Offline mode", body="", labels=("mobile",)))


def report(gh: FakeGitHub, cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    environment = {
        "GITHUB_TOKEN": "t",
        "GITHUB_REPOSITORY": gh.repository,
        "GITHUB_API_URL": gh.base_url,
        "CLEW_TODAY": "2026-11-21",
        "CLEW_HTTP_TIMEOUT": "5",
        **(env or {}),
    }
    return clew_process(cwd, "report", *args, env=environment)


def test_cold_then_warm(gh: FakeGitHub, workspace: Path) -> None:
    world(gh)
    cold = report(gh, workspace, "--commit")
    assert cold.code == 0, cold.err + cold.out
    assert gh.count(graphql=True) == 3, "250 merged pull requests: 3 pages of 100"
    assert (gh.reads, gh.writes) == (3, 3), gh.requests
    assert len(gh.report_commits()) == 1
    data = json.loads(gh.head_files()["alignment.json"])
    assert data["source"] == "github"
    assert data["headline"]["merged"] == 250
    assert {b["objective"] for b in data["backlog"]} >= {"retention"}
    assert "Offline mode" in gh.head_files()["ALIGNMENT.md"] or data["review_first"] == []
    gh.requests.clear()
    warm = report(gh, workspace, "--commit")
    assert warm.code == 0, warm.err
    assert len(gh.requests) <= 2
    assert gh.writes == 0
    assert len(gh.report_commits()) == 1
    assert "already holds this report" in warm.out


def test_new_work_since_the_last_report_is_added(gh: FakeGitHub, workspace: Path) -> None:
    world(gh, merged=120)
    assert report(gh, workspace, "--commit").code == 0
    gh.add_pull(Pull(500, "Brand new", body="Objective: growth", merged_at="2026-11-20T12:00:00Z", updated_at="2030-01-01T00:00:00Z"))
    gh.requests.clear()
    again = report(gh, workspace, "--commit")
    assert again.code == 0, again.err
    assert gh.count(graphql=True) == 1
    data = json.loads(gh.head_files()["alignment.json"])
    assert data["headline"]["merged"] == 121
    assert len(gh.report_commits()) == 2


def test_dry_run_writes_nothing(gh: FakeGitHub, workspace: Path) -> None:
    world(gh, merged=30)
    run = report(gh, workspace, "--dry-run")
    assert run.code == 0
    assert "+# Alignment report" in run.out
    assert gh.writes == 0


def test_never_on_its_own_report_commit(gh: FakeGitHub, workspace: Path) -> None:
    world(gh, merged=30)
    assert report(gh, workspace, "--commit").code == 0
    gh.add_pull(Pull(99, "Late", body="wip", merged_at="2026-11-20T12:00:00Z", updated_at="2030-01-01T00:00:00Z"))
    run = report(gh, workspace, "--commit", env={"GITHUB_EVENT_NAME": "push"})
    assert "triggered by clew's own report commit" in run.out
    assert len(gh.report_commits()) == 1


@pytest.mark.slow
def test_two_runs_at_once_make_one_report_commit(gh: FakeGitHub, workspace: Path) -> None:
    world(gh, merged=60)
    gh.ref_delay = 0.5
    results: list[Run] = []
    threads = [threading.Thread(target=lambda: results.append(report(gh, workspace, "--commit"))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.code == 0 for r in results), [r.err for r in results]
    assert len(gh.report_commits()) == 1, "no doubled report commit"
    data = json.loads(gh.head_files()["alignment.json"])
    assert data["headline"]["merged"] == 60, "no lost update"
    assert sum("already holds this report" in r.out for r in results) == 1


def test_blocked_since_comes_from_when_the_label_was_added(gh: FakeGitHub, workspace: Path) -> None:
    """The issue was updated yesterday (a comment), but has been blocked for three weeks."""
    world(gh, merged=3)
    gh.issues[gh.repository][18] = gh.issues[gh.repository][18]._replace(
        labelled_at=(("mobile", "2026-10-01T09:00:00Z"), ("blocked", "2026-10-30T09:00:00Z"))
    )
    run = report(gh, workspace)
    assert run.code == 0, run.err
    assert gh.violations == [], "the timeline query is valid against GitHub's schema"
    data = json.loads((workspace / "alignment.json").read_text())
    retention = next(o for o in data["objectives"] if o["id"] == "retention")
    assert retention["blocked"] == 1
    assert any("blocked for more than 3 days" in reason for reason in retention["reasons"])
    gh.issues[gh.repository][18] = gh.issues[gh.repository][18]._replace(labelled_at=(("blocked", "2026-11-20T09:00:00Z"),))
    (workspace / "alignment.json").unlink()
    assert report(gh, workspace).code == 0
    fresh = json.loads((workspace / "alignment.json").read_text())
    assert next(o for o in fresh["objectives"] if o["id"] == "retention")["blocked"] == 0, "blocked since yesterday only"


@pytest.mark.slow
def test_the_page_is_committed_with_the_report_and_read_back_in_the_same_request(gh: FakeGitHub, workspace: Path) -> None:
    world(gh, merged=120)
    cold = report(gh, workspace, "--html", "--commit")
    assert cold.code == 0, cold.err + cold.out
    assert gh.count(graphql=True) == 2, "120 merged pull requests: 2 pages; the page's text comes with the first"
    assert (gh.reads, gh.writes) == (2, 3), gh.requests
    files = gh.head_files()
    assert set(files) >= {"ALIGNMENT.md", "alignment.json", "alignment.html"}
    assert files["alignment.html"].startswith("<!DOCTYPE html>")
    assert "Change 120" in files["alignment.html"]
    gh.requests.clear()
    warm = report(gh, workspace, "--html", "--commit")
    assert warm.code == 0, warm.err
    assert (gh.reads, gh.writes) == (1, 0), gh.requests
    assert "already holds this report" in warm.out
