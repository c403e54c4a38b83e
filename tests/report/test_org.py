"""`clew report --org`: every repository's committed alignment.json, read 50 repositories per
GraphQL request from the local GitHub server (each query validated against GitHub's schema) or
50 projects of a group from the local GitLab server (against GitLab's),
rolled up into one organisation report; later runs read only what was pushed since; the
records go to DuckDB or Parquet for years of history."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.commands import org_report
from tests.conftest import ROOT
from tests.github_server import FakeGitHub
from tests.gitlab_server import FakeGitLab

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def report(statuses: dict[str, str], merged: int = 40, aligned: int = 30, title: str | None = None) -> str:
    """A repository's alignment.json: clew's own committed report, with its objectives' statuses set."""
    data = json.loads((ROOT / "alignment.json").read_text(encoding="utf-8"))
    template = data["objectives"][0]
    data["objectives"] = [
        {
            **copy.deepcopy(template),
            "id": ident,
            "title": title or f"Objective {ident}",
            "status": status,
            "reasons": [f"{ident} is {status} here"],
        }
        for ident, status in statuses.items()
    ]
    data["headline"] = {**data["headline"], "merged": merged, "aligned": aligned, "waste": merged - aligned}
    return json.dumps(data)


@pytest.fixture
def org(gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    for i in range(120):
        statuses = {"retention": "on-track", "growth": "on-track"}
        if i == 7:
            statuses["retention"] = "off-track"
        if i in (3, 90):
            statuses["growth"] = "at-risk"
        gh.add_org_repo(f"acme/service-{i:03}", {"alignment.json": report(statuses)}, "2026-11-20T10:00:00Z")
    gh.add_org_repo("acme/handbook", {"README.md": "# Handbook\n"}, "2026-11-01T10:00:00Z")
    gh.add_org_repo("acme/broken", {"alignment.json": "{not json"}, "2026-11-02T10:00:00Z")
    monkeypatch.setenv("GITHUB_API_URL", gh.base_url)
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", gh.base_url.removesuffix("/api/v3") + "/graphql")
    monkeypatch.setenv("CLEW_HTTP_TIMEOUT", "2")
    return gh


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((ROOT / "schema" / "org-alignment.schema.json").read_text(encoding="utf-8")))


def _written(out: Path) -> dict[str, Any]:
    """The org-alignment.json a run wrote, which must follow the published schema."""
    data: dict[str, Any] = json.loads((out / "org-alignment.json").read_text(encoding="utf-8"))
    _validator().validate(data)
    return data


def test_the_committed_schema_is_in_sync() -> None:
    from checker.report.org import schema

    assert (ROOT / "schema" / "org-alignment.schema.json").read_text(encoding="utf-8") == schema(), (
        "run `clew schema --org > schema/org-alignment.schema.json`"
    )


def _graphql(gh: FakeGitHub) -> int:
    return sum(1 for r in gh.requests if r.path.endswith("graphql"))


def _run(out: Path, now: dt.datetime, **options: Any) -> dict[str, Any]:
    env = {"GITHUB_TOKEN": "ghs_test"}
    printed, summary = org_report.run(org_report.Options("acme", out, **options), env, now)
    assert printed == ""
    assert "GitHub API requests" in summary
    return _written(out)


def test_the_first_run_reads_every_repository_fifty_per_request(org: FakeGitHub, tmp_path: Path) -> None:
    data = _run(tmp_path, START)
    assert _graphql(org) == 3  # 122 repositories
    assert data["read"] == {"requests": 3, "full": True}
    assert data["headline"]["repositories"] == 122
    assert data["headline"]["reporting"] == 120
    assert data["headline"]["merged"] == 120 * 40
    assert data["headline"]["aligned_share"] == 75.0
    objectives = {o["id"]: o for o in data["objectives"]}
    assert objectives["retention"]["status"] == "off-track"
    assert objectives["retention"]["reasons"][0] == "off track in acme/service-007: retention is off-track here"
    assert objectives["retention"]["reasons"][1] == "on track in 119 repositories"
    assert objectives["growth"]["status"] == "at-risk"
    assert objectives["growth"]["reasons"][:2] == [
        "at risk in acme/service-003: growth is at-risk here",
        "at risk in acme/service-090: growth is at-risk here",
    ]
    rows = {r["repository"]: r for r in data["repositories"]}
    assert rows["acme/handbook"]["error"] == "no alignment report committed"
    assert rows["acme/broken"]["error"].startswith("alignment report is not JSON")
    page = (tmp_path / "ORG-ALIGNMENT.md").read_text(encoding="utf-8")
    assert "120 of 122 repositories have an alignment report" in page
    assert "| retention: Objective retention | off track |" in page
    assert org.violations == []


def test_a_later_run_asks_only_for_what_was_pushed(org: FakeGitHub, tmp_path: Path) -> None:
    _run(tmp_path, START)
    before = _graphql(org)
    unchanged = _run(tmp_path, START + dt.timedelta(hours=6))
    assert _graphql(org) - before == 1  # one search: nothing pushed
    assert unchanged["read"] == {"requests": 1, "full": False}
    assert unchanged["headline"]["repositories"] == 122
    org.add_org_repo(
        "acme/service-007", {"alignment.json": report({"retention": "on-track", "growth": "on-track"})}, "2026-12-01T17:00:00Z"
    )
    before = _graphql(org)
    recovered = _run(tmp_path, START + dt.timedelta(hours=12))
    assert _graphql(org) - before == 1  # the search carries the pushed repository's report
    assert {o["id"]: o["status"] for o in recovered["objectives"]}["retention"] == "on-track"
    assert org.violations == []


def test_full_reads_again_and_drops_deleted_repositories(org: FakeGitHub, tmp_path: Path) -> None:
    _run(tmp_path, START)
    del org.org_repos["acme/broken"]
    assert _run(tmp_path, START + dt.timedelta(hours=1))["headline"]["repositories"] == 122  # a search cannot see a deletion
    data = _run(tmp_path, START + dt.timedelta(hours=2), full=True)
    assert data["headline"]["repositories"] == 121
    assert _run(tmp_path, START + dt.timedelta(days=9))["read"]["full"] is True  # a week on, every repository again


def test_untrusted_titles_are_inert_in_the_page(org: FakeGitHub, tmp_path: Path) -> None:
    org.add_org_repo(
        "acme/zz", {"alignment.json": report({"x": "at-risk"}, title="<img src=x onerror=alert(1)> @everyone")}, "2026-11-20T10:00:00Z"
    )
    odd = json.loads(report({"x": "on-track"}))
    odd["generated_at"] = 5
    odd["objectives"][0].update(progress="80%", reasons=["fine", 3], title=None)
    odd["headline"]["merged"] = "many"
    org.add_org_repo("acme/odd", {"alignment.json": json.dumps(odd)}, "2026-11-20T10:00:00Z")
    data = _run(tmp_path, START)  # odd shapes in a repository's report still give a document that follows the schema
    row = next(r for r in data["repositories"] if r["repository"] == "acme/odd")
    assert row["generated_at"] is None
    assert row["objectives"][0]["progress"] is None
    assert row["objectives"][0]["reasons"] == ["fine"]
    assert "merged" not in row["headline"]
    page = (tmp_path / "ORG-ALIGNMENT.md").read_text(encoding="utf-8")
    assert "<img" not in page
    assert "@everyone" not in page


@pytest.mark.slow
def test_the_records_go_to_duckdb_once_per_run_and_to_parquet(org: FakeGitHub, tmp_path: Path) -> None:
    import duckdb

    warehouse = tmp_path / "history.duckdb"
    _run(tmp_path / "out", START, export=f"duckdb:{warehouse}")
    _run(tmp_path / "out", START + dt.timedelta(days=1), export=f"duckdb:{warehouse}")
    _run(tmp_path / "out", START + dt.timedelta(days=1), export=f"duckdb:{warehouse}")  # the same run again: replaced, not doubled
    with duckdb.connect(str(warehouse)) as con:
        runs = con.execute("SELECT count(DISTINCT run_at), count(*) FROM repository_alignment").fetchone()
        assert runs == (2, 2 * 122)
        off = con.execute("SELECT repository FROM objective_status WHERE status = 'off-track' AND objective = 'retention'").fetchall()
        assert off == [("acme/service-007",), ("acme/service-007",)]
    _run(tmp_path / "out2", START, export=f"parquet:{tmp_path / 'lake'}")
    files = sorted((tmp_path / "lake").rglob("*.parquet"))
    assert [f.parent.name for f in files] == ["objective_status", "repository_alignment"]
    with duckdb.connect() as con:
        count = con.execute(f"SELECT count(*) FROM read_parquet('{files[1].as_posix()}')").fetchone()
        assert count == (122,)


def test_the_command_line(org: FakeGitHub, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_test")
    run = clew(tmp_path, "report", "--org", "acme", "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["headline"]["reporting"] == 120
    assert "3 GitHub API requests" in run.err
    assert not (tmp_path / "org-alignment.json").exists()  # --format json prints, writes nothing
    bad = clew(tmp_path, "report", "--org", "acme", "--commit")
    assert bad.code == 2
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.delenv("GH_TOKEN", raising=False)
    missing = clew(tmp_path, "report", "--org", "acme")
    assert missing.code == 2
    assert "set GITHUB_TOKEN" in missing.err
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_test")
    wrong = clew(tmp_path, "report", "--org", "acme", "--export", "mysql:db")
    assert wrong.code == 2
    assert "duckdb:FILE" in wrong.err


# --- GitLab groups: the same report, read with GitLab's GraphQL API (group.projects with each
# project's repository.blobs), every query validated against the excerpt of GitLab's schema.


@pytest.fixture
def group(gl: FakeGitLab) -> FakeGitLab:
    for i in range(100):
        statuses = {"retention": "off-track" if i == 7 else "on-track"}
        gl.add_group_project(f"acme/service-{i:03}", {"alignment.json": report(statuses)}, "2026-11-20T10:00:00Z")
    for i in range(20):  # a subgroup's projects are the group's too
        gl.add_group_project(f"acme/platform/lib-{i:02}", {"alignment.json": report({"retention": "on-track"})}, "2026-11-19T10:00:00Z")
    gl.add_group_project("acme/handbook", {}, "2026-11-01T10:00:00Z")
    gl.add_group_project("acme/old", {"alignment.json": report({"retention": "off-track"})}, "2026-10-01T10:00:00Z", archived=True)
    gl.add_group_project("other/secret", {"alignment.json": report({"retention": "off-track"})}, "2026-11-30T10:00:00Z")
    return gl


def _gitlab_env(gl: FakeGitLab) -> dict[str, str]:
    return {"CLEW_GITLAB_TOKEN": "glpat-test", "CLEW_GITLAB_URL": gl.base_url + "/api/v4", "CLEW_HTTP_TIMEOUT": "2"}


def _gitlab_run(gl: FakeGitLab, out: Path, now: dt.datetime, owner: str = "gitlab:acme", **options: Any) -> tuple[dict[str, Any], int]:
    before = sum(1 for r in gl.requests if r.path == "/api/graphql")
    printed, summary = org_report.run(org_report.Options(owner, out, **options), _gitlab_env(gl), now)
    assert printed == ""
    assert "GitLab API requests" in summary
    data = _written(out)
    return data, sum(1 for r in gl.requests if r.path == "/api/graphql") - before


def test_a_gitlab_group_is_read_fifty_projects_per_request_subgroups_included(group: FakeGitLab, tmp_path: Path) -> None:
    data, requests = _gitlab_run(group, tmp_path, START)
    assert requests == 3  # 122 projects, 50 per request
    assert data["forge"] == "gitlab"
    assert data["owner"] == "acme"
    assert data["read"] == {"requests": 3, "full": True, "page": 50}
    rows = {r["repository"]: r for r in data["repositories"]}
    assert len(rows) == 122
    assert "other/secret" not in rows  # another group's project
    assert rows["acme/platform/lib-03"]["headline"]["merged"] == 40
    assert rows["acme/handbook"]["error"] == "no alignment report committed"
    assert rows["acme/old"]["archived"] is True  # listed, but its report does not count
    assert data["headline"]["reporting"] == 120
    retention = data["objectives"][0]
    assert retention["status"] == "off-track"
    assert retention["reasons"] == ["off track in acme/service-007: retention is off-track here", "on track in 119 repositories"]
    assert (tmp_path / "ORG-ALIGNMENT.md").read_text(encoding="utf-8").startswith("# Alignment across acme\n")
    query = next(r.body for r in group.requests if r.path == "/api/graphql")
    assert query["variables"] == {"group": "acme", "paths": ["alignment.json"], "after": None}


def test_a_later_gitlab_run_reads_back_only_to_the_previous_one(group: FakeGitLab, tmp_path: Path) -> None:
    _gitlab_run(group, tmp_path, START)
    quiet, requests = _gitlab_run(group, tmp_path, START + dt.timedelta(hours=6))
    assert requests == 1  # the most recently active project is older than the previous run
    assert quiet["read"] == {"requests": 1, "full": False, "page": 50}
    assert quiet["headline"]["repositories"] == 122
    group.add_group_project("acme/service-007", {"alignment.json": report({"retention": "on-track"})}, "2026-12-01T17:00:00Z")
    for i in range(60, 69):
        group.add_group_project(f"acme/service-{i:03}", {"alignment.json": report({"retention": "at-risk"})}, "2026-12-01T16:00:00Z")
    after_pushes, requests = _gitlab_run(group, tmp_path, START + dt.timedelta(hours=12))
    assert requests == 1  # ten active projects fit in the first page
    statuses = after_pushes["objectives"][0]["repositories"]
    assert statuses["acme/service-007"] == "on-track"
    assert statuses["acme/service-061"] == "at-risk"
    assert after_pushes["objectives"][0]["status"] == "at-risk"
    assert after_pushes["headline"]["repositories"] == 122
    for i in range(60):
        group.add_group_project(f"acme/service-{i:03}", {"alignment.json": report({"retention": "on-track"})}, "2026-12-02T08:00:00Z")
    many, requests = _gitlab_run(group, tmp_path, START + dt.timedelta(days=1))
    assert requests == 2  # sixty active projects: a second page, then a project older than the previous run
    assert many["objectives"][0]["repositories"]["acme/service-059"] == "on-track"


def test_a_push_gitlab_has_not_dated_yet_is_still_read(group: FakeGitLab, tmp_path: Path) -> None:
    """GitLab moves a project's last activity at most once an hour: a push just after an earlier
    one keeps the earlier time, which may be before the previous run."""
    _gitlab_run(group, tmp_path, START)
    group.add_group_project("acme/service-042", {"alignment.json": report({"retention": "at-risk"})}, "2026-12-01T08:20:00Z")
    data, _ = _gitlab_run(group, tmp_path, START + dt.timedelta(hours=3))  # its activity predates the previous run (09:00)
    assert data["objectives"][0]["repositories"]["acme/service-042"] == "at-risk"


def test_a_query_gitlab_finds_too_complex_is_asked_again_with_smaller_pages(group: FakeGitLab, tmp_path: Path) -> None:
    group.max_complexity = 21  # 50 projects per query cost 22 in this query's shape; 25 cost 19
    data, requests = _gitlab_run(group, tmp_path, START)
    assert requests == 1 + 5  # one refusal, then 122 projects 25 per request
    assert data["read"]["page"] == 25
    assert data["headline"]["repositories"] == 122
    group.requests.clear()
    _, requests = _gitlab_run(group, tmp_path, START + dt.timedelta(days=8))  # a full read again: the page that worked
    assert requests == 5


def test_gitlab_errors_are_clear_and_exit_2(group: FakeGitLab, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in _gitlab_env(group).items():
        monkeypatch.setenv(name, value)
    ok = clew(tmp_path, "report", "--org", "gitlab:acme/platform", "--format", "json")
    assert ok.code == 0, ok.err
    assert json.loads(ok.out)["headline"]["repositories"] == 20
    assert "1 GitLab API requests" in ok.err
    missing = clew(tmp_path, "report", "--org", "gitlab:nobody")
    assert missing.code == 2
    assert "no group 'nobody' is visible to the token" in missing.err
    bad = clew(tmp_path, "report", "--org", "gitlab:acme//x")
    assert bad.code == 2
    assert "gitlab:acme/platform" in bad.err
    monkeypatch.setenv("GITLAB_CI", "true")  # in a GitLab job, a bare name is a group
    bare = clew(tmp_path, "report", "--org", "acme", "--format", "json")
    assert bare.code == 0, bare.err
    assert json.loads(bare.out)["forge"] == "gitlab"
    monkeypatch.setenv("CLEW_GITLAB_TOKEN", group.REVOKED)
    refused = clew(tmp_path, "report", "--org", "gitlab:acme")
    assert refused.code == 2
    assert "GitLab rejected the token" in refused.err
    monkeypatch.delenv("CLEW_GITLAB_TOKEN")
    monkeypatch.delenv("GITLAB_TOKEN", raising=False)
    unset = clew(tmp_path, "report", "--org", "gitlab:acme")
    assert unset.code == 2
    assert "read_api" in unset.err
    assert "Traceback" not in unset.err + refused.err + bad.err + missing.err


@pytest.mark.slow
def test_gitlab_outages_are_retried_then_reported(group: FakeGitLab, tmp_path: Path) -> None:
    from checker.errors import ApiError
    from tests.github_server import Fault

    group.faults.append(Fault("POST", "/api/graphql", "502"))
    data, requests = _gitlab_run(group, tmp_path, START)
    assert requests == 3 + 1  # the 502 was asked again
    assert data["headline"]["repositories"] == 122
    group.faults.append(Fault("POST", "/api/graphql", "500", times=10))
    with pytest.raises(ApiError, match=r"GitLab API POST graphql failed with HTTP 500"):
        org_report.run(org_report.Options("gitlab:acme", tmp_path), _gitlab_env(group), START + dt.timedelta(days=1))
    assert json.loads((tmp_path / "org-alignment.json").read_text(encoding="utf-8")) == data  # the last report is kept


def test_a_project_gitlab_cannot_read_gets_a_row_that_says_so(group: FakeGitLab, tmp_path: Path) -> None:
    """GitLab answers a field it could not resolve with null and an error naming its path; the
    other projects of the page still count."""
    group.group_projects["acme/service-042"]["unreadable"] = True
    data, requests = _gitlab_run(group, tmp_path, START)
    assert requests == 3
    rows = {r["repository"]: r for r in data["repositories"]}
    assert rows["acme/service-042"]["error"] == "GitLab could not read it: Failed to read the repository"
    assert data["headline"]["reporting"] == 119
    assert rows["acme/service-043"]["error"] is None


def test_repositories_the_token_may_not_see_are_counted_and_said(
    org: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With SAML single sign-on, GitHub lists a repository the token is not authorised for as null,
    with an error: the report says how many it could not read instead of dropping them silently."""
    org.add_org_repo("acme/secret-1", {"alignment.json": report({"retention": "off-track"})}, "2026-11-20T10:00:00Z", hidden=True)
    org.add_org_repo("acme/secret-2", {"alignment.json": report({"retention": "off-track"})}, "2026-11-20T10:00:00Z", hidden=True)
    _, summary = org_report.run(org_report.Options("acme", tmp_path), {"GITHUB_TOKEN": "ghs_test"}, START)
    data = _written(tmp_path)
    assert data["headline"]["repositories"] == 122
    assert data["notes"] == [
        "2 repositories were listed but the token could not read them (SAML single sign-on not authorised for the token, "
        "or an access rule): they are not in this report"
    ]
    assert "clew: warning: 2 repositories were listed but the token could not read them" in summary
    assert "> **Note:** 2 repositories were listed" in (tmp_path / "ORG-ALIGNMENT.md").read_text(encoding="utf-8")
    assert org.violations == []
