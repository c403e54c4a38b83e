"""`clew report --org`: every repository's committed alignment.json, read 50 repositories per
GraphQL request from the local GitHub server (each query validated against GitHub's schema),
rolled up into one organisation report; later runs read only what was pushed since; the
records go to DuckDB or Parquet for years of history."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from checker.commands import org_report
from tests.conftest import ROOT
from tests.github_server import FakeGitHub

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


def _graphql(gh: FakeGitHub) -> int:
    return sum(1 for r in gh.requests if r.path.endswith("graphql"))


def _run(out: Path, now: dt.datetime, **options: Any) -> dict[str, Any]:
    env = {"GITHUB_TOKEN": "ghs_test"}
    printed, summary = org_report.run(org_report.Options("acme", out, **options), env, now)
    assert printed == ""
    assert "GitHub API requests" in summary
    data: dict[str, Any] = json.loads((out / "org-alignment.json").read_text(encoding="utf-8"))
    return data


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
    _run(tmp_path, START)
    page = (tmp_path / "ORG-ALIGNMENT.md").read_text(encoding="utf-8")
    assert "<img" not in page
    assert "@everyone" not in page


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
