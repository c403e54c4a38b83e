"""Organisation goals: a repository's goals file `extends:` the organisation's, or a repository
without one inherits them, on every surface. The organisation's file is read from the local
GitHub or GitLab server (its requests validated against their contracts), kept in the git
directory, and used from there when the forge cannot be reached, with a note saying how old."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, make_repo
from tests.github_server import FakeGitHub, Pull
from tests.gitlab_server import FakeGitLab
from tests.jobs import Action, Job, pr_payload

ORG = """\
version: 1
mission: Make payroll effortless for every European SME
objectives:
  - id: retention
    title: Increase customer retention by 5%
    owner: "@cto"
    due: 2027-03-31
    locked: true
  - id: growth
    title: Grow self-serve signups
    owner: "@vp-growth"
    due: 2027-06-30
    initiatives:
      - id: onboarding
        title: Faster onboarding
        match: {labels: [onboarding]}
"""

REPO = """\
extends: github:acme/.github/goals.yml@main
objectives:
  - id: retention
    initiatives:
      - id: mobile-ux
        title: Mobile UX redesign
        match: {branches: ["mobile/*"]}
  - id: docs
    title: Documentation people finish
    owner: "@ann"
    due: 2027-01-31
"""


@pytest.fixture
def org(gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    gh.issues.setdefault("acme/.github", {})
    gh.blobs["main:goals.yml"] = ORG
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_test")
    monkeypatch.setenv("GITHUB_API_URL", gh.base_url)
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", gh.base_url.removesuffix("/api/v3") + "/graphql")
    monkeypatch.setenv("CLEW_HTTP_TIMEOUT", "1")
    monkeypatch.setenv("CLEW_RETRY_BACKOFF", "0.01")
    for name in ("GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_REPOSITORY", "CLEW_ORG_GOALS"):
        monkeypatch.delenv(name, raising=False)
    return gh


def _repo(tmp: Path, goals: str | None, branch: str, subject: str) -> Any:
    repo = make_repo(tmp)
    repo.commit("Start\n\nObjective: retention", {"goals.yml": goals} if goals is not None else {"README.md": "hi\n"})
    repo.git("checkout", "-q", "-b", branch)
    repo.commit(subject, {"src/app.py": "print(1)\n"})
    return repo


def _reads(gh: FakeGitHub) -> int:
    return sum(1 for method, path, *_ in gh.requests if method == "POST" and path.endswith("graphql"))


def test_a_repository_adds_initiatives_under_the_organisations_objectives(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", REPO, "mobile/login", "Login screen")
    run = clew(repo.path, "check", "--range", "main..mobile/login", "--format", "json")
    assert run.code == 0, run.err
    (item,) = json.loads(run.out)["items"]
    assert item["status"] == "aligned"
    assert [h["step"] for h in item["hops"]][-2:] == ["initiative mobile-ux", "objective retention"]
    assert _reads(org) == 1
    valid = clew(repo.path, "validate")
    assert valid.code == 0, valid.err
    assert "3 objectives" in valid.out  # the organisation's two and the repository's own
    assert _reads(org) == 1  # the copy in the git directory serves the next runs on this machine


def test_a_locked_objective_cannot_be_redefined(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    goals = REPO.replace("  - id: retention\n    initiatives:", "  - id: retention\n    title: Retention, our way\n    initiatives:")
    repo = _repo(tmp_path / "repo", goals, "work", "Work")
    run = clew(repo.path, "validate")
    assert run.code == 2
    assert "goals.yml:4:" in run.err
    assert "objective retention is locked by the organisation's goals (github:acme/.github/goals.yml@main:4)" in run.err
    assert "Traceback" not in run.err


def test_an_unlocked_objective_can_be_redefined(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    goals = REPO + "  - id: growth\n    title: Grow signups in Spain\n    owner: '@eva'\n    due: 2027-09-30\n"
    repo = _repo(tmp_path / "repo", goals, "work", "Work\n\nObjective: growth")
    run = clew(repo.path, "check", "--range", "main..work", "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["items"][0]["hops"][-1]["evidence"] == "Grow signups in Spain"


def test_errors_in_the_organisations_file_name_it(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    org.blobs["main:goals.yml"] = ORG.replace("    due: 2027-06-30\n", "    due: someday\n")
    repo = _repo(tmp_path / "repo", REPO, "work", "Work")
    run = clew(repo.path, "validate")
    assert run.code == 2
    assert "github:acme/.github/goals.yml@main:12:" in run.err


def test_a_bad_reference_is_refused_at_its_line(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", REPO.replace("github:acme/.github/goals.yml@main", "acme/goals"), "work", "Work")
    run = clew(repo.path, "validate")
    assert run.code == 2
    assert "is not an organisation goals reference" in run.err
    assert "Traceback" not in run.err


def test_a_repository_without_goals_inherits_the_organisations(
    org: FakeGitHub, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEW_ORG_GOALS", "github:acme/.github/goals.yml@main")
    repo = _repo(tmp_path / "repo", None, "work", "Signup form\n\nInitiative: onboarding")
    run = clew(repo.path, "check", "--range", "main..work", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["items"][0]["status"] == "aligned"
    assert data["goals"] == "github:acme/.github/goals.yml@main"


def test_the_pre_push_hook_works_offline_from_the_copy_and_says_how_old(
    org: FakeGitHub, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path / "repo", REPO, "mobile/login", "Login screen")
    base, head = repo.git("rev-parse", "main"), repo.git("rev-parse", "HEAD")
    push = f"refs/heads/mobile/login {head} refs/heads/mobile/login {base}\n"
    assert clew(repo.path, "pre-push", "origin", "url", stdin=push).code == 0
    copy = next((repo.path / ".git" / "clew" / "org").glob("*.yml"))
    two_hours_ago = time.time() - 2 * 3600
    os.utime(copy, (two_hours_ago, two_hours_ago))
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", "http://127.0.0.1:9/graphql")  # nothing listens: offline
    run = clew(repo.path, "pre-push", "origin", "url", stdin=push)
    assert run.code == 0, run.err
    assert "used the copy read 2 hours ago" in run.err
    assert "mobile-ux" in run.err


def test_offline_without_a_copy_is_a_clear_error(org: FakeGitHub, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", "http://127.0.0.1:9/graphql")
    repo = _repo(tmp_path / "repo", REPO, "work", "Work")
    run = clew(repo.path, "validate")
    assert run.code == 2
    assert "cannot read the organisation's goals github:acme/.github/goals.yml@main" in run.err
    assert "Traceback" not in run.err


def test_the_action_inherits_the_owners_dot_github_goals(
    org: FakeGitHub, gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As GitHub does for community health files: no goals file here, the owner's `.github` has one."""
    gh.issues.setdefault("Codertocat/.github", {})
    gh.blobs["HEAD:goals.yml"] = ORG
    action = Action(tmp_path, gh, monkeypatch, capsys)
    (action.workspace / "goals.yml").unlink()
    gh.add_pull(Pull(2, "Signup form", body="Initiative: onboarding"))
    payload = pr_payload(body="Initiative: onboarding", labels=())
    payload["pull_request"]["title"] = "Signup form"
    code, out = action.run("pull_request", payload, format="json", comment="false", label="false")
    data = json.loads(out[: out.rindex("}") + 1].split("\n::", 1)[0])
    assert code == 0, out
    assert data["items"][0]["status"] == "aligned"
    assert data["goals"] == "github:Codertocat/.github/goals.yml@HEAD"
    assert gh.violations == []


@pytest.mark.parametrize("own", [True, False], ids=["extends", "inherits"])
def test_the_gitlab_job_reads_the_organisations_goals_from_a_project(
    own: bool, gl: FakeGitLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a goals file that `extends:` a handbook project's, or with none and CLEW_ORG_GOALS."""
    gl.files["goals.yml"] = (ORG, "b" * 40)
    gl.shared.add("acme%2Fhandbook")
    job = Job(tmp_path, gl, monkeypatch, capsys)
    shared = "gitlab:acme/handbook:goals.yml@main"
    if own:
        (job.repo.path / "goals.yml").write_text(REPO.replace("github:acme/.github/goals.yml@main", shared))
        job.repo.git("add", "goals.yml")
    else:
        job.repo.git("rm", "-q", "goals.yml")
    job.repo.git("commit", "-q", "-m", "The organisation's goals")
    code, out = job.run(CI_MERGE_REQUEST_TITLE="Sign-up", CI_MERGE_REQUEST_DESCRIPTION="Initiative: onboarding", CLEW_ORG_GOALS=shared)
    assert code == 0, job.err
    assert out.lstrip().startswith("✓"), out
    assert "objective growth" in out
    assert gl.violations == []


def test_the_pre_push_hook_without_goals_inherits_clew_org_goals(
    org: FakeGitHub, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEW_ORG_GOALS", "github:acme/.github/goals.yml@main")
    repo = _repo(tmp_path / "repo", None, "work", "Signup form")
    base, head = repo.git("rev-parse", "main"), repo.git("rev-parse", "HEAD")
    run = clew(repo.path, "pre-push", "origin", "url", stdin=f"refs/heads/work {head} refs/heads/work {base}\n")
    assert run.code == 0, run.err  # traces nowhere: a warning under the default policy, the push goes on
    assert "traces to no objective" in run.err
    assert "growth" in run.err  # the organisation's objectives are the suggestions
    repo.git("commit", "-q", "--amend", "-m", "Signup form\n\nInitiative: onboarding")
    head = repo.git("rev-parse", "HEAD")
    run = clew(repo.path, "pre-push", "origin", "url", stdin=f"refs/heads/work {head} refs/heads/work {base}\n")
    assert run.code == 0, run.err
    assert "traces to no objective" not in run.err


def test_the_report_is_built_against_the_composed_goals(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", REPO, "mobile/login", "Login screen")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "mobile/login", "-m", "Merge branch 'mobile/login'")
    run = clew(repo.path, "report", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert [o["id"] for o in data["objectives"]] == ["retention", "growth", "docs"]
    assert data["mission"] == "Make payroll effortless for every European SME"


# --- goals that extend goals: a repository → its team's goals → the company's


TEAM = REPO  # the team's goals build on the company's as a repository's would


def test_a_teams_goals_can_extend_the_companys(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    org.blobs["main:teams/mobile.yml"] = TEAM
    repo = _repo(tmp_path / "repo", "extends: github:acme/.github/teams/mobile.yml@main\n", "mobile/login", "Login screen")
    run = clew(repo.path, "check", "--range", "main..mobile/login", "--format", "json")
    assert run.code == 0, run.err
    (item,) = json.loads(run.out)["items"]
    assert item["status"] == "aligned"
    assert [h["step"] for h in item["hops"]][-2:] == ["initiative mobile-ux", "objective retention"]
    assert _reads(org) == 2  # one request per level
    valid = clew(repo.path, "validate")
    assert valid.code == 0, valid.err
    assert "3 objectives" in valid.out  # the company's two and the team's own (docs)
    chain = ["github:acme/.github/teams/mobile.yml@main", "github:acme/.github/goals.yml@main"]
    assert f"it builds on the organisation's goals: {' → '.join(chain)}" in valid.out
    assert json.loads(clew(repo.path, "validate", "--format", "json").out)["extends"] == chain
    assert _reads(org) == 2  # both copies serve the next runs


def test_a_lock_holds_through_every_level_and_errors_name_their_file(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    org.blobs["main:teams/mobile.yml"] = TEAM
    mine = "extends: github:acme/.github/teams/mobile.yml@main\nobjectives:\n  - id: retention\n    title: Our own retention\n"
    repo = _repo(tmp_path / "repo", mine, "work", "Work")
    run = clew(repo.path, "validate")
    assert run.code == 2
    assert "goals.yml:4:" in run.err
    assert "locked by the organisation's goals (github:acme/.github/goals.yml@main:4)" in run.err  # the company's file, not the team's
    org.blobs["main:teams/mobile.yml"] = TEAM.replace(
        "  - id: retention\n    initiatives:", "  - id: retention\n    owner: '@team'\n    initiatives:"
    )
    for copy in (repo.path / ".git" / "clew" / "org").glob("*.yml"):  # fresh for an hour: drop them to read the change
        copy.unlink()
    team = clew(repo.path, "validate")
    assert team.code == 2
    assert "github:acme/.github/teams/mobile.yml@main:4:" in team.err  # the team's file redefines it
    assert "Traceback" not in run.err + team.err


def test_goals_that_extend_each_other_are_refused(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    org.blobs["main:goals.yml"] = "extends: github:acme/.github/teams/mobile.yml@main\n" + ORG
    org.blobs["main:teams/mobile.yml"] = TEAM
    repo = _repo(tmp_path / "repo", "extends: github:acme/.github/teams/mobile.yml@main\n", "work", "Work")
    run = clew(repo.path, "validate")
    assert run.code == 2
    assert (
        "extend each other: github:acme/.github/teams/mobile.yml@main → github:acme/.github/goals.yml@main → "
        "github:acme/.github/teams/mobile.yml@main" in run.err
    )
    assert "Traceback" not in run.err


def test_every_level_works_offline_from_its_copy_and_says_so(
    org: FakeGitHub, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org.blobs["main:teams/mobile.yml"] = TEAM
    repo = _repo(tmp_path / "repo", "extends: github:acme/.github/teams/mobile.yml@main\n", "mobile/login", "Login screen")
    assert clew(repo.path, "check", "--range", "main..mobile/login").code == 0
    three_hours_ago = time.time() - 3 * 3600
    for copy in (repo.path / ".git" / "clew" / "org").glob("*.yml"):
        os.utime(copy, (three_hours_ago, three_hours_ago))
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", "http://127.0.0.1:9/graphql")  # nothing listens: offline
    run = clew(repo.path, "check", "--range", "main..mobile/login", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["items"][0]["status"] == "aligned"
    notes = [n for n in data["notes"] if "used the copy read 3 hours ago" in n]
    assert [n.split("(")[1].split(")")[0] for n in notes] == [
        "github:acme/.github/teams/mobile.yml@main",
        "github:acme/.github/goals.yml@main",
    ]
    valid = clew(repo.path, "validate")
    assert valid.code == 0, valid.err
    assert valid.out.count("used the copy read 3 hours ago") == 2


def test_the_pages_own_example_validates_as_the_page_says(org: FakeGitHub, clew: Any, tmp_path: Path) -> None:
    """docs/org.md's company, team and repository files, served and validated: the output the
    page shows is the output clew prints."""
    page = (ROOT / "docs" / "org.md").read_text(encoding="utf-8")
    blocks = {b.splitlines()[0]: b for b in re.findall(r"```yaml\n(.*?)```", page, re.S)}
    org.blobs["main:goals.yml"] = blocks["# acme/.github: goals.yml"]
    org.blobs["main:teams/mobile.yml"] = blocks["# acme/.github: teams/mobile.yml"]
    repo = make_repo(tmp_path / "repo")
    repo.commit("Start\n\nObjective: retention", {"goals.yml": blocks["# acme/mobile-app: goals.yml"]})
    run = clew(repo.path, "validate")
    assert run.code == 0, run.err
    for line in run.out.splitlines():
        assert line in page, f"docs/org.md does not show {line!r}"
