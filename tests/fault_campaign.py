"""The fault campaign: for every API call clew makes, on GitHub and GitLab, for
the check and for the report, inject each fault once and record what clew did.
Used by tests/test_fault_campaign.py (assertions) and
benchmarks/fault_campaign.py (a table of cases × outcomes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from tests.conftest import contract, goals_text, make_repo
from tests.github_server import FakeGitHub, Fault, Issue, Pull
from tests.gitlab_server import FakeGitLab, GlIssue

FAULTS = ("500", "502", "403-secondary", "429", "404", "timeout", "truncated")
TIMEOUT = 1.0  # seconds a request may take (PyGithub takes whole seconds); a "timeout" fault answers after it
TRANSIENT = {"500", "502", "403-secondary", "429", "timeout"}


def transient(surface: str, fault: str) -> bool:
    """GitHub signals secondary rate limits with 403 and Retry-After; GitLab rate-limits with
    429, and its 403 means forbidden: reported, not retried."""
    return fault in TRANSIENT and not (surface.startswith("gitlab") and fault == "403-secondary")


REPO = "/repos/Codertocat/Hello-World"
GL = "/api/v4/projects/42"
BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"


class Call(NamedTuple):
    surface: str
    name: str
    method: str
    path: str
    scenario: str  # which world makes clew make this call


class Outcome(NamedTuple):
    code: int
    traceback: bool
    sticky: int  # comments or notes clew wrote
    report_commits: int
    expected_writes_done: bool  # the comment/label/commit clew should end up with is there
    told: bool  # the output says something was incomplete or failed
    requests: int


CALLS = [
    Call("github check", "GraphQL read", "POST", "/graphql", "gh-untraced"),
    Call("github check", "create comment", "POST", f"{REPO}/issues/2/comments", "gh-untraced"),
    Call("github check", "add label", "POST", f"{REPO}/issues/2/labels", "gh-untraced"),
    Call("github check", "edit comment", "PATCH", f"{REPO}/issues/comments/", "gh-changed"),
    Call("github check", "delete comment", "DELETE", f"{REPO}/issues/comments/", "gh-aligned"),
    Call("github check", "remove label", "DELETE", f"{REPO}/issues/2/labels/", "gh-aligned"),
    Call("github report", "GraphQL page", "POST", "/graphql", "gh-report"),
    Call("github report", "create tree", "POST", f"{REPO}/git/trees", "gh-report"),
    Call("github report", "create commit", "POST", f"{REPO}/git/commits", "gh-report"),
    Call("github report", "update ref", "PATCH", f"{REPO}/git/refs/", "gh-report"),
    Call("gitlab check", "closes_issues", "GET", f"{GL}/merge_requests/7/closes_issues", "gl-untraced"),
    Call("gitlab check", "issues by iid", "GET", f"{GL}/issues", "gl-other-target"),
    Call("gitlab check", "merge request", "GET", f"{GL}/merge_requests/7", "gl-truncated"),
    Call("gitlab check", "list notes", "GET", f"{GL}/merge_requests/7/notes", "gl-untraced"),
    Call("gitlab check", "current user", "GET", "/api/v4/user", "gl-changed"),
    Call("gitlab check", "create note", "POST", f"{GL}/merge_requests/7/notes", "gl-untraced"),
    Call("gitlab check", "update note", "PUT", f"{GL}/merge_requests/7/notes/", "gl-changed"),
    Call("gitlab check", "set label", "PUT", f"{GL}/merge_requests/7", "gl-untraced"),
    Call("gitlab check", "delete note", "DELETE", f"{GL}/merge_requests/7/notes/", "gl-aligned"),
    Call("gitlab report", "merged merge requests", "GET", f"{GL}/merge_requests", "gl-report"),
    Call("gitlab report", "read report file", "GET", f"{GL}/repository/files/", "gl-report"),
    Call("gitlab report", "create commit", "POST", f"{GL}/repository/commits", "gl-report"),
]

MARKERS = ("<!-- clew:sticky-comment v1 -->", "<!-- clew:sticky-note v1 -->")
TOLD = ("failed", "passes open", "may be out of date", "not found", "gave up", "cannot write", "could not")


def _env(extra: dict[str, str]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "CLEW_", "INPUT_"))}
    return {
        **keep,
        "CLEW_HTTP_TIMEOUT": str(TIMEOUT),
        "CLEW_RETRY_BACKOFF": "0.01",
        "CLEW_SECONDARY_RATE_WAIT": "0.1",
        "CLEW_TODAY": "2026-11-21",
        **extra,
    }


# One case per surface runs clew as a real process, as CI does; the others run it in this
# process through checker.main.main (the same code, without a Python start for each case).
AS_PROCESS = {("github check", "500"), ("github report", "500"), ("gitlab check", "500"), ("gitlab report", "500")}
_HOW = {"process": False}


def _clew(cwd: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if _HOW["process"]:
        return subprocess.run(
            [sys.executable, "-m", "checker", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
        )
    return in_process(cwd, args, env)


def in_process(cwd: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m checker ARGS` in this process: the environment, the working directory and the
    standard streams are clew's for the call, and given back after."""
    import contextlib
    import io

    from checker.main import main

    saved, here = dict(os.environ), Path.cwd()
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(here)
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["clew", *args], code, out.getvalue(), err.getvalue())


def _github_check(tmp: Path, gh: FakeGitHub, url: str, scenario: str) -> tuple[subprocess.CompletedProcess[str], Callable[[], bool]]:
    (tmp / "goals.yml").write_text(goals_text())
    gh.add_issue(Issue(17, "Users log out", labels=("mobile",)))
    gh.blobs[f"{BASE_SHA}:goals.yml"] = goals_text()
    body = {"gh-untraced": "wip", "gh-changed": "still wip", "gh-aligned": "Objective: growth"}[scenario]
    labels = ("bug",) if scenario == "gh-untraced" else ("bug", "potential-waste")
    gh.add_pull(Pull(2, "Work", body=body, labels=labels))
    if scenario != "gh-untraced":
        gh.add_comment(2, f"{MARKERS[0]}\nan older result", gh.login)
    payload = contract("github/webhooks/payloads/pull_request.opened.json")
    payload["pull_request"]["body"] = body
    payload["pull_request"]["labels"] = [{**payload["pull_request"]["labels"][0], "name": n} for n in labels]
    (tmp / "event.json").write_text(json.dumps(payload))
    env = _env(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(tmp / "event.json"),
            "GITHUB_WORKSPACE": str(tmp),
            "GITHUB_API_URL": url,
            "GITHUB_GRAPHQL_URL": url + "/graphql",
            "INPUT_TOKEN": "t",
            "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "GITHUB_OUTPUT": str(tmp / "out.txt"),
            "INPUT_COMMENT_ON_ALIGNED": "delete" if scenario == "gh-aligned" else "edit",
        }
    )
    run = _clew(tmp, ["check"], env)

    def done() -> bool:
        mine = [c for c in gh.comments.get(2, []) if c.author == gh.login]
        if scenario == "gh-aligned":
            return not mine and "potential-waste" not in gh.labels[2]
        return len(mine) == 1 and "traces nowhere" in mine[0].body and "potential-waste" in gh.labels[2]

    return run, done


def _github_report(tmp: Path, gh: FakeGitHub, url: str, scenario: str) -> tuple[subprocess.CompletedProcess[str], Callable[[], bool]]:
    (tmp / "goals.yml").write_text(goals_text())
    gh.add_issue(Issue(17, "Users log out", labels=("mobile",)))
    for n in range(1, 151):
        stamp = f"2026-10-{1 + n % 28:02d}T10:00:00Z"
        gh.add_pull(
            Pull(n, f"Change {n}", body="Closes #17" if n % 2 else "wip", closing=(17,) if n % 2 else (), merged_at=stamp, updated_at=stamp)
        )
    env = _env({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": gh.repository, "GITHUB_API_URL": url})
    run = _clew(tmp, ["report", "--commit"], env)
    return run, lambda: len(gh.report_commits()) == 1 and json.loads(gh.head_files()["alignment.json"])["headline"]["merged"] == 150


def _gitlab_check(tmp: Path, gl: FakeGitLab, url: str, scenario: str) -> tuple[subprocess.CompletedProcess[str], Callable[[], bool]]:
    repo = make_repo(tmp / "project")
    base = repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("Work", {"src/app.py": "print(1)\n"})
    gl.issues[12] = GlIssue(12, "Logged out", labels=("onboarding",))
    gl.closes = []
    description = {
        "gl-untraced": "wip",
        "gl-changed": "still wip",
        "gl-other-target": "See #12",
        "gl-truncated": "Long...",
        "gl-aligned": "Objective: growth",
    }[scenario]
    gl.description = "Long...\n\nInitiative: onboarding"
    if scenario in ("gl-changed", "gl-aligned"):
        gl.add_note(f"{MARKERS[1]}\nan older result", gl.login)
    if scenario == "gl-aligned":
        gl.labels = {"potential-waste"}
    env = _env(
        {
            "GITLAB_CI": "true",
            "CI_API_V4_URL": url + "/api/v4",
            "CI_PROJECT_ID": "42",
            "CI_PROJECT_PATH": gl.project_path,
            "CI_PROJECT_DIR": str(repo.path),
            "CI_DEFAULT_BRANCH": "main",
            "CI_MERGE_REQUEST_IID": "7",
            "CI_MERGE_REQUEST_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_PROJECT_PATH": gl.project_path,
            "CI_MERGE_REQUEST_TITLE": "Work",
            "CI_MERGE_REQUEST_DESCRIPTION": description,
            "CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED": "true" if scenario == "gl-truncated" else "false",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "release" if scenario == "gl-other-target" else "main",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
            "CLEW_GITLAB_TOKEN": "glpat",
            "CI_MERGE_REQUEST_LABELS": "potential-waste" if scenario == "gl-aligned" else "",
            "CLEW_NOTE_ON_ALIGNED": "delete",
        }
    )
    run = _clew(repo.path, ["check"], env)

    def done() -> bool:
        mine = [n for n in gl.notes if n.author == gl.login]
        if scenario == "gl-aligned":
            return not mine and "potential-waste" not in gl.labels
        if scenario in ("gl-other-target", "gl-truncated"):
            return not mine and "objective growth" in run.stdout
        return len(mine) == 1 and "traces nowhere" in mine[0].body and "potential-waste" in gl.labels

    return run, done


def _gitlab_report(tmp: Path, gl: FakeGitLab, url: str, scenario: str) -> tuple[subprocess.CompletedProcess[str], Callable[[], bool]]:
    (tmp / "goals.yml").write_text(goals_text())
    for n in range(1, 121):
        stamp = f"2026-10-{1 + n % 28:02d}T10:00:00Z"
        gl.merged[n] = {"iid": n, "title": f"Change {n}", "description": "wip", "merged_at": stamp, "updated_at": stamp, "labels": []}
    env = _env(
        {
            "GITLAB_CI": "true",
            "CLEW_GITLAB_TOKEN": "glpat",
            "CI_API_V4_URL": url + "/api/v4",
            "CI_PROJECT_ID": "42",
            "CI_PROJECT_PATH": gl.project_path,
            "CI_DEFAULT_BRANCH": "main",
        }
    )
    run = _clew(tmp, ["report", "--commit"], env)
    return run, lambda: len(gl.commits) == 1 and json.loads(gl.files["alignment.json"][0])["headline"]["merged"] == 120


def run_case(call: Call, fault: str, *, process: bool | None = None) -> Outcome:
    """`process`: run clew as a real process (None: only the cases of AS_PROCESS)."""
    github = call.surface.startswith("github")
    server: Any = FakeGitHub() if github else FakeGitLab()
    server.timeout = TIMEOUT
    server.retry_after = "0"  # the waits themselves are tested in tests/test_attacks.py; here, what follows them
    url = server.start()
    _HOW["process"] = (call.surface, fault) in AS_PROCESS if process is None else process
    try:
        server.faults.append(Fault(call.method, call.path, fault, times=1))
        with tempfile.TemporaryDirectory() as name:
            tmp = Path(name)
            if call.surface == "github check":
                run, done = _github_check(tmp, server, url, call.scenario)
            elif call.surface == "github report":
                run, done = _github_report(tmp, server, url, call.scenario)
            elif call.surface == "gitlab check":
                run, done = _gitlab_check(tmp, server, url, call.scenario)
            else:
                run, done = _gitlab_report(tmp, server, url, call.scenario)
            hit = any(r.method == call.method and r.path.startswith(call.path) for r in server.requests)
            assert hit, f"{call.surface} {call.name}: the scenario never made this call"
            if github:
                sticky = sum(
                    1 for comments in server.comments.values() for c in comments if c.author == server.login and MARKERS[0] in c.body
                )
                commits = len(server.report_commits())
            else:
                sticky = sum(1 for n in server.notes if n.author == server.login and MARKERS[1] in n.body)
                commits = len(server.commits)
            output = (run.stdout + run.stderr).lower()
            return Outcome(
                run.returncode, "Traceback" in run.stderr, sticky, commits, done(), any(t in output for t in TOLD), len(server.requests)
            )
    finally:
        server.stop()


def table(rows: list[tuple[Call, str, Outcome]]) -> str:
    head = f"{'surface':14} {'call':22} {'fault':14} {'exit':>4} {'reqs':>4} {'sticky':>6} {'commits':>7} {'complete':>8} {'told':>5}"
    lines = [head, "-" * len(head)]
    for call, fault, out in rows:
        lines.append(
            f"{call.surface:14} {call.name:22} {fault:14} {out.code:>4} {out.requests:>4} {out.sticky:>6} {out.report_commits:>7} "
            f"{'yes' if out.expected_writes_done else 'no':>8} {'yes' if out.told else '-':>5}"
        )
    return "\n".join(lines)
