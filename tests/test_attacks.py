"""Attacks on clew, one test each, as SECURITY.md lists them: what a pull request (or a member
repository, or a hostile server) can make clew leak, and what one bad input can make it hang or
crash. Each test failed before its fix."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, clew_process, goals_text, make_repo
from tests.github_server import FakeGitHub
from tests.test_github import BASE_SHA, Action, pr_payload, world

SECRET = "AKIAIOSFODNN7EXAMPLE-wJalrXUtnFEMI"


class Listener:
    """A server on another port that records what reaches it (as a host a redirect points to)."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                seen.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def action(tmp_path: Path, gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Action:
    return Action(tmp_path, gh, monkeypatch, capsys)


@pytest.fixture
def elsewhere() -> Any:
    listener = Listener()
    yield listener
    listener.stop()


# --- 1. a PR's goals file cannot make clew read another file with the token, nor quote it


def _secret_world(gh: FakeGitHub) -> None:
    world(gh, body="Objective: retention", closing=())
    gh.pulls[2] = gh.pulls[2]._replace(files=("goals.yml",))
    gh.issues.setdefault("acme/private", {})  # a repository the token can read
    gh.blobs["main:.env"] = f"AWS_SECRET_ACCESS_KEY={SECRET}\n"


def test_a_prs_extends_is_not_read_with_the_token(action: Action, gh: FakeGitHub) -> None:
    _secret_world(gh)
    (action.workspace / "goals.yml").write_text("extends: github:acme/private/.env@main\n" + goals_text())
    code, out = action.run("pull_request", pr_payload(body="Objective: retention"), format="json", comment="false", label="false")
    text = out + action.err
    assert SECRET not in text
    assert not [r for r in gh.requests if "acme" in json.dumps(r.body)], "the PR's extends: was read"
    assert gh.reads == 1  # the check's own read, nothing more
    assert "clew reads organisation goals only as the base's goals file names them" in text
    assert code == 0, text  # judged against the base's goals, where `retention` exists


def test_a_fetched_file_is_never_quoted_in_an_error(action: Action, gh: FakeGitHub) -> None:
    """Even an `extends:` the base names (trusted) may point at a file that is no goals file."""
    _secret_world(gh)
    text = "extends: github:acme/private/.env@main\n" + goals_text()
    gh.blobs[f"{BASE_SHA}:goals.yml"] = text
    (action.workspace / "goals.yml").write_text(text)
    code, out = action.run("pull_request", pr_payload(body="Objective: retention"), comment="false", label="false")
    said = out + action.err
    assert code == 2
    assert SECRET not in said
    assert "AWS_SECRET" not in said
    assert "github:acme/private/.env@main:1:1" in said
    assert f"not a goals file: plain text of {len(gh.blobs['main:.env'])} bytes" in said
    assert "not shown: the file was read from another repository" in said


def test_a_goals_file_cannot_name_a_policy_pack_outside_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yml"
    outside.write_text(f"token: {SECRET}\n")
    repo = make_repo(tmp_path / "repo")
    for named in ("/etc/passwd", "../secret.yml", str(outside)):
        repo.write("goals.yml", goals_text().replace("  extends: default\n", f"  extends: [{json.dumps(named)}]\n"))
        run = clew_process(repo.path, "validate")
        assert run.code == 2
        assert "is outside the repository" in run.err
        assert SECRET not in run.err
        assert "root:" not in run.err


# --- 2. a key-result command sees no credential: not in its environment, not in clew's own


READER = r"""
import os
names = ["GITHUB_TOKEN", "github_token", "CLEW_GITLAB_TOKEN", "CI_REPOSITORY_URL", "CI_REGISTRY_PASSWORD",
         "CI_DEPENDENCY_PROXY_PASSWORD", "CI_JOB_JWT_V2", "JIRA_USER", "JIRA_TOKEN", "CLEW_ORG_TOKEN", "ACTIONS_RUNTIME_TOKEN"]
print(sum(1 for n in names if n in os.environ))
"""
SECRETS = {
    "GITHUB_TOKEN": "ghs_x",
    "github_token": "ghs_y",
    "CLEW_GITLAB_TOKEN": "glpat",
    "CI_REPOSITORY_URL": "https://gitlab-ci-token:glcbt@gitlab.example/acme/shop.git",
    "CI_REGISTRY_PASSWORD": "p",
    "CI_DEPENDENCY_PROXY_PASSWORD": "p",
    "CI_JOB_JWT_V2": "jwt",
    "JIRA_USER": "me@example.com",
    "JIRA_TOKEN": "jira",
    "CLEW_ORG_TOKEN": "org",
    "ACTIONS_RUNTIME_TOKEN": "rt",
}


def test_a_key_result_command_sees_no_credential_in_its_environment(repo: Repo) -> None:
    goals = goals_text().replace(
        "        current: 4.1\n",
        f"        source:\n          command: [{json.dumps(sys.executable)}, -c, {json.dumps(READER)}]\n",
    )
    repo.commit("Goals\n\nObjective: retention", {"goals.yml": goals})
    run = clew_process(repo.path, "report", "--format", "json", "--source", "git", env=SECRETS)
    assert run.code == 0, run.err
    (kr,) = json.loads(run.out)["objectives"][0]["key_results"]
    assert kr["error"] is None, kr["error"]
    assert kr["current"] == 0, "the command saw credentials in its environment"


def test_clew_is_not_readable_by_the_commands_it_starts(tmp_path: Path) -> None:
    """/proc/<clew>/environ keeps every token clew started with: clew makes itself non-dumpable
    before a command runs, so a process of the same (non-root) user cannot read it."""
    probe = (
        "import ctypes, sys; from pathlib import Path; from checker.forges.metrics import _run; "
        "_run(Path('.'), [sys.executable, '-c', 'print(1)'], 10); print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))"
    )
    import subprocess

    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"  # PR_GET_DUMPABLE: not dumpable


# --- 3. and 4. a credential goes only to the host, and the forge, it was configured for


def test_the_jira_token_does_not_follow_a_redirect(tmp_path: Path, elsewhere: Listener, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.forges import jira

    class Redirecting(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", f"{elsewhere.url}/rest/api/3/search/jql")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"JIRA_URL": f"http://127.0.0.1:{server.server_address[1]}", "JIRA_TOKEN": SECRET, "CLEW_RETRY_BACKOFF": "0"}
        from checker.references import Syntax
        from tests.helpers import commit

        found = jira.follow({"deployment": "cloud"}, Syntax(jira=()), [commit("PAY-12 Card form")], env)
    finally:
        server.shutdown()
        server.server_close()
    assert elsewhere.seen == [], "the redirect was followed"
    assert found.failed
    assert "redirect (302)" in found.notes[0]
    assert "follows no redirect" in found.notes[0]


def test_the_gitlab_token_does_not_follow_a_redirect(elsewhere: Listener) -> None:
    from checker.errors import ApiError
    from checker.forges.gitlab.client import Client

    class Redirecting(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", f"{elsewhere.url}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Client(f"http://127.0.0.1:{server.server_address[1]}/api/v4", SECRET)
        with pytest.raises(ApiError, match="redirected to another address"):
            client.read_file("acme/handbook", "goals.yml", "main")
    finally:
        server.shutdown()
        server.server_close()
    assert elsewhere.seen == []


def test_the_github_token_does_not_follow_a_redirect(elsewhere: Listener, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.errors import ClewError
    from checker.forges.github.client import Client

    class Redirecting(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", f"{elsewhere.url}/graphql")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", f"{base}/graphql")
    monkeypatch.setenv("CLEW_RETRY_BACKOFF", "0")
    try:
        with pytest.raises(ClewError):
            Client(SECRET, base).read_blob("acme/.github", "main:goals.yml")
    finally:
        server.shutdown()
        server.server_close()
    assert elsewhere.seen == []


def test_a_github_token_never_goes_to_gitlab(tmp_path: Path, elsewhere: Listener) -> None:
    """A GitHub PR's goals naming GitLab goals: CLEW_ORG_TOKEN (GitHub's, in Actions) is not sent there."""
    from checker.forges.org_goals import token_for
    from checker.goals.org import parse_ref

    env = {"GITHUB_ACTIONS": "true", "CLEW_ORG_TOKEN": SECRET, "GITHUB_TOKEN": "ghs_own", "CLEW_GITLAB_URL": elsewhere.url}
    assert token_for("gitlab", env) is None
    assert token_for("github", env) == SECRET
    assert token_for("gitlab", {**env, "GITHUB_ACTIONS": "", "GITLAB_CI": "true"}) == SECRET
    assert token_for("github", {"CLEW_ORG_TOKEN": SECRET}) is None  # a developer's machine: neither forge's
    from checker.errors import ClewError
    from checker.forges.org_goals import fetch

    with pytest.raises(ClewError, match="needs a GitLab token"):
        fetch(parse_ref("gitlab:mallory/evil:goals.yml@main"), env)
    assert elsewhere.seen == []


# --- 5. a member repository's report is data: escaped, or refused against its schema


def test_a_member_repositorys_status_is_not_written_raw() -> None:
    from checker.report import org

    hostile = {
        "headline": {"merged": 3, "aligned": 1, "waste": 2},
        "objectives": [{"id": "x", "title": "X", "status": "<img src=x onerror=alert(1)>", "reasons": [], "progress": 5}],
    }
    row = org.entry("acme/evil", None, "b" * 40, json.dumps(hostile))
    assert row["objectives"][0]["status"] == "unknown"
    assert row["objectives"][0]["progress"] is None
    doc = org.build("acme", "alignment.json", [row], generated_at="t", watermark="t", requests=1, full=True)
    page = org.render(doc)
    assert "<img" not in page
    assert "| x: X | unknown |" in page


@pytest.mark.parametrize("value", ["9" * 5000, "NaN", "Infinity"])
def test_a_number_no_report_holds_is_that_rows_error(value: str) -> None:
    from checker.report import org

    text = '{"headline": {"merged": ' + value + '}, "objectives": []}'
    row = org.entry("acme/big", None, "b" * 40, text)
    assert row["error"]
    assert "holds what no report holds" in row["error"]
