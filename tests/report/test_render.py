"""The alignment report: golden files for a fixed dataset, every Mermaid block
checked by Mermaid's own parser, alignment.json against its published schema,
local history collected from a real repository, and committing back."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from checker.forges.local import units as collect_local
from checker.report.render import json_text, markdown, mermaid_label, without_timestamp
from checker.report.schema import render as schema_render
from checker.work import WorkItem
from tests.conftest import ROOT, Repo, clew_process, goals_text
from tests.helpers import GOLDEN, config, golden, report_of

MERMAID = ROOT / "tests" / "mermaid"
TODAY = dt.date(2026, 11, 21)
START = TODAY - dt.timedelta(days=90)


def merged(kind: str, key: str, title: str, body: str = "", days_ago: int = 1, **fields: object) -> WorkItem:
    when = f"{(TODAY - dt.timedelta(days=days_ago)).isoformat()}T10:00:00+00:00"
    return WorkItem(kind=kind, key=key, title=title, body=body, merged_at=when, url=f"https://github.com/o/r/pull/{key}", **fields)  # type: ignore[arg-type]


def dataset(tmp: Path):  # type: ignore[no-untyped-def]
    cfg = config(tmp)
    work = [
        merged("pr", "41", "Login screen", "Closes #17", days_ago=2),
        merged("pr", "42", "Faster wizard", "Initiative: onboarding", days_ago=3),
        merged("pr", "43", "chore(deps): bump lodash", days_ago=9, author="dependabot[bot]"),
        merged("pr", "44", "Tweak the onboarding wizard copy | @octocat <!-- x --> `y`", days_ago=10),
        merged("pr", "45", 'A "quoted" title]; pie', "Objective: retension", days_ago=17),
        merged("pr", "46", "Hotfix", "Unaligned: production outage", days_ago=25),
        merged("pr", "47", "Release 2.0", days_ago=30, author="release-please[bot]"),
    ]
    issues = [
        WorkItem(kind="issue", key="17", title="Users log out", labels=("mobile",), state="closed", updated_at="2026-11-19T00:00:00Z"),
        WorkItem(kind="issue", key="18", title="Blocked by the SDK", labels=("mobile", "blocked"), updated_at="2026-11-10T00:00:00Z"),
        WorkItem(kind="issue", key="19", title="Old idea", labels=("onboarding",), updated_at="2026-09-01T00:00:00Z"),
    ]
    prs = [WorkItem(kind="pr", key="50", title="Offline mode", labels=("mobile",), url="https://github.com/o/r/pull/50")]
    linked = {"#17": issues[0]}
    return cfg, report_of(
        cfg.pyramid(),
        work,
        today=TODAY,
        window_start=START,
        source="github",
        open_issues=issues[1:],
        open_prs=prs,
        linked=linked,
        generated_at="2026-11-21T08:00:00+00:00",
    )


def test_golden_markdown(tmp_path: Path) -> None:
    golden("ALIGNMENT.md", markdown(dataset(tmp_path)[1]))


def test_golden_json(tmp_path: Path) -> None:
    golden("alignment.json", json_text(dataset(tmp_path)[1]))


def test_report_numbers(tmp_path: Path) -> None:
    report = dataset(tmp_path)[1]
    h = report.headline
    assert (h.merged, h.aligned, h.budget, h.escape, h.exempt, h.waste) == (6, 2, 1, 1, 1, 2)
    assert h.aligned_share == pytest.approx(33.3)
    assert [w["name"] for w in report.waste] == ["PR #44", "PR #45"]
    assert report.waste[0]["suggestions"][0]["id"] == "onboarding"
    retention = next(o for o in report.objectives if o.id == "retention")
    assert retention.blocked == 1
    assert [w["name"] for w in report.review_first] == (["PR #50"] if retention.status in ("at-risk", "off-track") else [])
    assert {b.objective for b in report.backlog} == {"retention", "growth"}
    order = ["off-track", "at-risk", "no-data", "on-track", "achieved"]
    assert [order.index(b.status or "achieved") for b in report.backlog] == sorted(
        order.index(b.status or "achieved") for b in report.backlog
    )
    assert report.watermark.last_merged_at == "2026-11-19T10:00:00+00:00"


def test_untrusted_text_is_inert_in_the_report(tmp_path: Path) -> None:
    text = markdown(dataset(tmp_path)[1])
    assert "<!--" not in text
    assert not re.search(r"(?<![\w\u200b])@octocat", text)
    for line in text.splitlines():
        if line.startswith("| PR #44") or line.startswith("| [PR #44"):
            assert len(re.split(r"(?<!\\)\|", line)) == 5
    assert mermaid_label('a "b" ]; pie\nx') == "a  b     pie x"


def test_alignment_json_matches_its_schema(tmp_path: Path) -> None:
    schema = json.loads((ROOT / "schema" / "alignment.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(json_text(dataset(tmp_path)[1])))


def test_committed_alignment_schema_is_in_sync() -> None:
    assert (ROOT / "schema" / "alignment.schema.json").read_text() == schema_render(), (
        "run `clew schema --alignment > schema/alignment.schema.json`"
    )


def _node() -> str:
    node = shutil.which("node")
    assert node, "node is needed to check Mermaid blocks with Mermaid's own parser"
    if not (MERMAID / "node_modules" / "mermaid").is_dir():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install Mermaid for the tests"
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund"], cwd=MERMAID, check=True, timeout=600)
    return node


def mermaid_parse(blocks: list[str]) -> list[dict[str, object]]:
    proc = subprocess.run(
        [_node(), str(MERMAID / "parse.mjs")], input=json.dumps(blocks), capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


@pytest.mark.slow
def test_every_mermaid_block_parses(tmp_path: Path) -> None:
    from tests.pagedata import rich_report

    (tmp_path / "rich").mkdir()
    with_readings = markdown(rich_report(tmp_path / "rich", rows=50))  # a key result's line chart, with its forecast
    assert "## Key results over time" in with_readings
    texts = [markdown(dataset(tmp_path)[1]), (GOLDEN / "ALIGNMENT.md").read_text(), with_readings]
    blocks = [b for text in texts for b in re.findall(r"```mermaid\n(.*?)```", text, re.S)]
    assert len(blocks) >= 7
    assert any("line [4.5, 4.4, 4.2, 4.1, " in b for b in blocks)
    results = mermaid_parse([*blocks, 'pie title broken\n  "a : 1'])
    assert [r["ok"] for r in results[:-1]] == [True] * len(blocks), results
    assert results[-1]["ok"] is False, "the parser must reject a broken block, or this test proves nothing"
    assert {r["type"] for r in results[:-1]} == {"pie", "xychart"}


# --- local history


def _history(repo: Repo) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.git("checkout", "-q", "-b", "mobile-login")
    repo.commit("Login form\n\nInitiative: mobile-ux")
    repo.commit("Login tests")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "mobile-login", "-m", "Merge pull request #41 from octo/mobile-login\n\nLogin screen")
    repo.commit("Faster wizard (#42)\n\nInitiative: onboarding")
    repo.commit("Tweak colours")
    repo.commit("Part one\n\nPart-of: https://gitlab.com/g/p/-/merge_requests/9\nObjective: growth")
    repo.commit("Part two\n\nPart-of: https://gitlab.com/g/p/-/merge_requests/9")
    repo.git("checkout", "-q", "-b", "gl-branch")
    repo.commit("Offline mode")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "gl-branch",
        "-m",
        "Merge branch 'gl-branch' into 'main'\n\nOffline mode\n\nCloses #3\n\nSee merge request g/p!12",
    )


def test_local_history_units(repo: Repo) -> None:
    _history(repo)
    units = {u.name: u for u in collect_local.units(collect_local.start(repo.path, dt.date.today() - dt.timedelta(days=1)))}
    assert set(units) >= {"PR #41", "PR #42", "MR !12", "MR !9"}  # GitLab's do not clearly dominate: `(#42)` is a PR
    assert units["PR #41"].title == "Login screen"
    assert {c.title for c in units["PR #41"].commits} == {"Login form", "Login tests"}
    grouped = [u for u in units.values() if len(u.commits) == 2 and {c.title for c in u.commits} == {"Part one", "Part two"}]
    assert len(grouped) == 1
    assert any(u.title == "Tweak colours" and u.kind == "commit" for u in units.values())


def test_clew_report_writes_commits_and_is_idempotent(repo: Repo) -> None:
    _history(repo)
    dry = clew_process(repo.path, "report", "--dry-run")
    assert dry.code == 0, dry.err
    assert "+# Alignment report" in dry.out
    assert not (repo.path / "ALIGNMENT.md").exists()
    first = clew_process(repo.path, "report", "--commit")
    assert first.code == 0, first.err
    assert "committed ALIGNMENT.md, alignment.json" in first.out
    assert repo.git("log", "-1", "--format=%s") == "clew: update the alignment report [skip ci]"
    assert repo.git("show", "--stat", "--format=", "HEAD").count("|") == 2
    data = json.loads((repo.path / "alignment.json").read_text())
    assert data["headline"]["merged"] >= 5
    again = clew_process(repo.path, "report", "--commit")
    assert "HEAD is clew's own report commit" in again.out
    repo.commit("Another change\n\nObjective: growth")
    before = repo.git("rev-list", "--count", "HEAD")
    third = clew_process(repo.path, "report", "--commit")
    assert third.code == 0
    assert int(repo.git("rev-list", "--count", "HEAD")) == int(before) + 1


def test_only_the_timestamp_changed_means_no_write(repo: Repo) -> None:
    _history(repo)
    assert clew_process(repo.path, "report").code == 0
    stamp = (repo.path / "alignment.json").read_text()
    second = clew_process(repo.path, "report")
    assert "unchanged" in second.out
    assert (repo.path / "alignment.json").read_text() == stamp
    other = re.sub(r'"generated_at": "[^"]*"', '"generated_at": "2030-01-01T00:00:00+00:00"', stamp)
    assert other != stamp
    assert without_timestamp(stamp) == without_timestamp(other)


def test_clew_status(repo: Repo) -> None:
    _history(repo)
    run = clew_process(repo.path, "status")
    assert run.code == 0, run.err
    assert "retention: Increase customer retention by 5%" in run.out
    assert "merged changes trace to an objective" in run.out
    as_json = json.loads(clew_process(repo.path, "status", "--format", "json").out)
    assert {o["id"] for o in as_json["objectives"]} == {"retention", "growth"}


def test_commit_and_dry_run_exclude_each_other(repo: Repo) -> None:
    _history(repo)
    run = clew_process(repo.path, "report", "--commit", "--dry-run")
    assert run.code == 2
