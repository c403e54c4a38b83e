"""Attacks on clew, one test each, as SECURITY.md lists them: what a pull request (or a member
repository, or a hostile server) can make clew leak, and what one bad input can make it hang or
crash. Each test failed before its fix."""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, clew_process, goals_text, make_repo
from tests.github_server import FakeGitHub
from tests.jobs import BASE_SHA, Action, pr_payload, world

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
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


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


@pytest.mark.slow
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
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
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
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
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
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
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


# --- 11. and 12. one text or one push naming thousands of things is read in linear time


@pytest.mark.slow
def test_ten_thousand_references_in_a_pr_body_take_a_moment(action: Action, gh: FakeGitHub) -> None:
    import time

    body = "\n".join(f"Closes #{n}" for n in range(100, 10_100))
    world(gh, body=body, closing=())
    started = time.monotonic()
    code, out = action.run("pull_request", pr_payload(body=body), format="json", comment="false", label="false")
    assert time.monotonic() - started < 10, "quadratic again"
    assert code == 0, out
    assert gh.reads == 1
    (item,) = json.loads(out[: out.rindex("}") + 1].split("\n::", 1)[0])["items"]
    assert "and 490 more could not be followed" in item["thread"]  # 500 references read (MAX_REFERENCES), 10 named
    assert len(item["thread"]) < 400  # ten links named, the rest counted


@pytest.mark.parametrize("lines", [10_000, 100_000])
@pytest.mark.slow
def test_a_commit_message_naming_thousands_is_read_linearly(lines: int) -> None:
    import time

    from checker import references

    for text in ("\n".join(f"Closes #{n}" for n in range(1, lines + 1)), "Closes " + ", ".join(f"#{n}" for n in range(1, lines + 1))):
        started = time.monotonic()
        found = references.parse(text)
        assert time.monotonic() - started < 2
        assert len(found) == references.MAX_REFERENCES  # the documented cap


@pytest.mark.slow
def test_twenty_thousand_identical_pre_push_lines(repo: Repo) -> None:
    import time

    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    head = repo.git("rev-parse", "HEAD")
    line = f"refs/heads/main {head} refs/heads/main {'0' * 40}\n"
    started = time.monotonic()
    run = clew_process(repo.path, "pre-push", "origin", "url", stdin=line * 20_000)
    assert time.monotonic() - started < 20
    assert run.code == 0, run.err
    assert run.err.count("✓ branch main") == 1


# --- 13. a message, never an internal error


def test_a_full_disk_during_a_report_commit_is_a_message_and_loses_nothing(repo: Repo, clew: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    assert clew(repo.path, "report", "--commit").code == 0
    before = (repo.path / "alignment.json").read_text()
    repo.commit("More work\n\nObjective: retention", {"src/a.py": "a = 1\n"})

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    run = clew(repo.path, "report", "--commit")
    assert run.code == 2, run.err
    assert "No space left on device" in run.err
    assert "kept whole" in run.err
    assert "internal error" not in run.err
    assert (repo.path / "alignment.json").read_text() == before
    assert repo.git("status", "--porcelain") == ""  # no leftover, nothing staged


@pytest.mark.parametrize(("name", "value"), [("CLEW_HTTP_TIMEOUT", "abc"), ("CLEW_RETRY_BACKOFF", "-5"), ("CLEW_RETRY_WAIT_MAX", "nan")])
def test_a_bad_network_setting_is_a_configuration_error(name: str, value: str, action: Action, gh: FakeGitHub) -> None:
    world(gh)
    action.extra = {name: value}
    code, _ = action.run("pull_request", pr_payload())
    assert code == 2
    assert f"invalid network settings: {name}: {value!r}" in action.err
    assert "internal error" not in action.err


# --- 6. and 7. every wait and every page loop is bounded


@pytest.mark.parametrize("setting", ["warn", "fail"])
def test_a_retry_after_of_a_day_is_not_waited_for(action: Action, gh: FakeGitHub, setting: str) -> None:
    import time

    from tests.github_server import Fault

    world(gh)
    gh.retry_after = "100000"
    gh.faults.append(Fault("POST", "/graphql", "429", times=5))
    started = time.monotonic()
    code, out = action.run("pull_request", pr_payload(), on_api_error=setting)
    assert time.monotonic() - started < 10
    assert re.search(r"asked clew to wait \d{5,} s before retrying; clew waits at most 60 s", out + action.err)
    assert code == (0 if setting == "warn" else 2)


def test_the_report_commit_does_not_wait_a_day_either(gh: FakeGitHub, workspace: Path, clew: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from tests.github_server import Fault, Pull

    gh.add_pull(Pull(1, "Change", body="Objective: retention", merged_at="2026-11-20T10:00:00Z"))
    for name, value in {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": gh.repository, "GITHUB_API_URL": gh.base_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", gh.base_url + "/graphql")
    gh.retry_after = "100000"
    gh.faults.append(Fault("POST", f"/repos/{gh.repository}/git/trees", "429", times=5))
    started = time.monotonic()
    run = clew(workspace, "report", "--commit", "--source", "github")
    assert time.monotonic() - started < 10
    assert run.code == 2
    assert re.search(r"asked clew to wait \d{5,} s", run.err)
    assert gh.report_commits() == []


def test_the_gitlab_client_does_not_wait_a_day(gl: Any) -> None:
    import time

    from checker.errors import ApiError
    from checker.forges.gitlab.client import Client
    from tests.github_server import Fault

    gl.retry_after = "100000"
    gl.faults.append(Fault("GET", "/api/v4/projects/42/repository/files/", "429", times=5))
    started = time.monotonic()
    with pytest.raises(ApiError, match="asked clew to wait 100000 s"):
        Client(gl.base_url + "/api/v4", "glpat").read_file("42", "alignment.json", "main")
    assert time.monotonic() - started < 10


def test_a_forge_that_always_has_a_next_page_is_not_followed_forever() -> None:
    from checker.errors import ApiError
    from checker.forges.github import org

    class Endless:
        reads = 0

        def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
            self.reads += 1
            page = {"pageInfo": {"hasNextPage": True, "endCursor": "same"}, "nodes": []}
            return {"repositoryOwner": {"repositories": page}}

    endless = Endless()
    with pytest.raises(ApiError, match="same page cursor twice"):
        org.read_all(endless, "acme", "alignment.json")  # type: ignore[arg-type]
    assert endless.reads == 2


# --- 14. to 18. the gate and clew's own state


@pytest.mark.parametrize("reason", ["<reason>", "< reason >", "[why]", "{explain}", "<why this serves no objective>", "TODO.", "r"])
def test_a_placeholder_reason_does_not_pass_the_strict_gate(reason: str, repo: Repo, clew: Any) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text("strict")})
    repo.git("checkout", "-q", "-b", "work")
    repo.commit(f"Tweak\n\nUnaligned: {reason}", {"src/a.py": "a = 1\n"})
    run = clew(repo.path, "check", "--range", "main..work", "--format", "json")
    (item,) = json.loads(run.out)["items"]
    assert item["status"] == "unaligned"
    assert run.code == 1


def test_a_real_reason_still_passes(repo: Repo, clew: Any) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text("strict")})
    repo.git("checkout", "-q", "-b", "work")
    repo.commit("Tweak\n\nUnaligned: <b>legal</b> asked for the new cookie banner", {"src/a.py": "a = 1\n"})
    assert json.loads(clew(repo.path, "check", "--range", "main..work", "--format", "json").out)["items"][0]["status"] == "escape"


def test_a_jira_400_naming_no_key_does_not_pass_open(repo: Repo, clew: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.jira_server import FakeJira

    jira = FakeJira()
    jira.start()
    try:
        jira.fail_with = 400
        for name, value in {"JIRA_URL": jira.base, "JIRA_USER": FakeJira.USER, "JIRA_TOKEN": FakeJira.TOKEN}.items():
            monkeypatch.setenv(name, value)
        repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text("strict") + "jira: {deployment: cloud}\n"})
        repo.git("checkout", "-q", "-b", "work")
        repo.commit("PAY-12 Card form", {"src/a.py": "a = 1\n"})
        run = clew(repo.path, "check", "--range", "main..work")
    finally:
        jira.stop()
    assert run.code == 2, run.out + run.err
    assert "not an outage" in run.err
    assert "passes open" not in run.out + run.err


def test_a_planted_copy_of_pinned_organisation_goals_is_not_trusted_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A persistent self-hosted runner keeps .git/clew from job to job: in CI the copy is not read."""
    from checker.goals import org
    from checker.goals.org import OrgRef
    from checker.sha import sha256_hex

    pinned = "github:acme/.github/goals.yml@" + "a" * 40
    cache = tmp_path / "clew"
    (cache / "org").mkdir(parents=True)
    (cache / "org" / f"{sha256_hex(pinned.encode())[:32]}.yml").write_text("version: 1\nmission: planted\nobjectives: []\n")
    fetched: list[str] = []

    def fetch(ref: OrgRef, env: Any) -> bytes:
        fetched.append(ref.text)
        return b"version: 1\nmission: the real one\nobjectives: []\n"

    assert org.resolve(pinned, cache, {}, fetch).text.startswith(b"version: 1\nmission: planted")  # a developer's machine: the copy
    assert fetched == []
    for ci in ({"GITHUB_ACTIONS": "true"}, {"GITLAB_CI": "true"}):
        assert b"the real one" in org.resolve(pinned, cache, ci, fetch).text
    assert fetched == [pinned, pinned]


def test_a_user_whose_login_ends_in_bot_is_not_a_bot(action: Action, gh: FakeGitHub) -> None:
    """bots: true trusts the account type GitHub gives (a User named `x[bot]` is possible on other hosts)."""
    from tests.github_server import Pull

    goals = goals_text().replace('  exempt:\n    authors: ["release-please[bot]"]', "  exempt:\n    bots: true")
    (action.workspace / "goals.yml").write_text(goals)
    gh.blobs[f"{BASE_SHA}:goals.yml"] = goals
    gh.add_pull(Pull(2, "Tweak", body="wip", author="mallory[bot]"))
    payload = pr_payload(body="wip", labels=())
    payload["pull_request"]["user"] = {**payload["pull_request"]["user"], "login": "mallory[bot]", "type": "User"}
    _, out = action.run("pull_request", payload, format="json", comment="false", label="false")
    (item,) = json.loads(out[: out.rindex("}") + 1].split("\n::", 1)[0])["items"]
    assert item["status"] == "unaligned"


def test_a_pushers_commits_are_a_bots_only_when_github_says_the_pusher_is_one() -> None:
    from checker.forges.github.event import read_event

    payload = {
        "ref": "refs/heads/main",
        "before": "a" * 40,
        "after": "b" * 40,
        "repository": {"full_name": "acme/shop"},
        "sender": {"login": "mallory[bot]", "type": "User"},
        "commits": [{"id": "c" * 40, "message": "Tweak", "author": {"username": "mallory[bot]"}}],
    }
    assert read_event("push", payload).commits[0].author_is_bot is False
    payload["sender"]["type"] = "Bot"
    assert read_event("push", payload).commits[0].author_is_bot is True
