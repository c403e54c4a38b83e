"""Reading local history fast without reading it differently: git starts before the
heavy imports and writes into a temporary file; paths come from `git diff-tree
--stdin` only for the commits that can need them; the tracer works out once what a
set of named ids gives. Each shortcut is checked against the plain way."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import tempfile
from pathlib import Path

import pytest

from checker.errors import GitError
from checker.report import collect_local
from checker.report.build import build
from checker.sources import git
from checker.trace import Tracer
from checker.work import WorkItem
from tests.conftest import Repo, clew_process, goals_text
from tests.helpers import config

TODAY = dt.date.today()
SINCE = TODAY - dt.timedelta(days=2)


def _history(repo: Repo) -> None:
    """Every shape of unit, and commits whose thread is found only through their paths."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.git("checkout", "-q", "-b", "mobile-login")
    repo.commit("Login form", {"apps/mobile/login.kt": "form"})
    repo.commit("Login tests\n\nInitiative: mobile-ux", {"apps/mobile/login_test.kt": "tests"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "mobile-login", "-m", "Merge pull request #41 from octo/mobile-login\n\nLogin screen")
    repo.commit("Offline banner (#42)", {"apps/mobile/banner.kt": "banner", "docs/a file with spaces.md": "x"})
    repo.commit("Tweak colours", {"web/colours.css": "red"})
    repo.commit("Part one\n\nPart-of: https://gitlab.com/g/p/-/merge_requests/9", {"apps/mobile/part.kt": "1"})
    repo.commit("Part two\n\nPart-of: https://gitlab.com/g/p/-/merge_requests/9", {"web/part.css": "2"})
    repo.git("commit", "-q", "--allow-empty", "-m", "Empty on purpose")
    repo.commit("Ünïcode päth", {"apps/mobile/ünï.kt": "u"})
    repo.commit("Closes #3 somewhere", {"apps/mobile/x.kt": "x"})
    repo.git("checkout", "-q", "-b", "gl-branch")
    repo.commit("Offline mode", {"apps/mobile/offline.kt": "o"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "gl-branch", "-m", "Merge branch 'gl-branch'\n\nOffline mode\n\nSee merge request g/p!12")


def _both(repo: Repo, tmp: Path) -> tuple[list[WorkItem], list[WorkItem], Tracer]:
    tracer = Tracer(config(tmp).pyramid())
    full = collect_local.units(collect_local.start(repo.path, SINCE, TODAY))
    lazy = collect_local.units(collect_local.start(repo.path, SINCE, TODAY, paths=False), tracer)
    return full, lazy, tracer


def test_paths_on_demand_give_the_same_report_as_the_full_log(repo: Repo, tmp_path: Path) -> None:
    _history(repo)
    full, lazy, tracer = _both(repo, tmp_path)
    assert [u.name for u in lazy] == [u.name for u in full]
    cfg = config(tmp_path)
    reports = [build(cfg.pyramid(), units, today=TODAY, window_start=SINCE, source="git") for units in (full, lazy)]
    assert reports[0].items == reports[1].items
    assert reports[0].headline == reports[1].headline
    by_name = {r["name"]: r for r in reports[1].items}
    assert by_name["PR #42"]["thread"].startswith("PR #42 → path apps/mobile/banner.kt → initiative mobile-ux")
    for unit_full, unit_lazy in zip(full, lazy, strict=True):
        if tracer.needs_paths(unit_full, [r for t in unit_full.texts for r in _refs(tracer, t)]):
            assert unit_lazy.paths == unit_full.paths, unit_full.name
    units = {u.title: u for u in lazy}
    assert units["Ünïcode päth"].paths == ("apps/mobile/ünï.kt",)
    assert units["Empty on purpose"].paths == ()
    assert set(units["Offline banner (#42)"].paths) == {"apps/mobile/banner.kt", "docs/a file with spaces.md"}
    assert set(units["Part two"].paths) == {"apps/mobile/part.kt", "web/part.css"}


def test_the_report_command_traces_before_and_after_the_paths_alike(repo: Repo, tmp_path: Path) -> None:
    """`clew report` traces what needs no paths while git still diffs trees, the rest after:
    row for row the report built from the full `--name-only` log."""
    from checker.commands import report as command

    _history(repo)
    full = collect_local.units(collect_local.start(repo.path, SINCE, TODAY))
    expected = build(config(tmp_path).pyramid(), full, today=TODAY, window_start=SINCE, source="git")
    _, written = command.make(repo.path, None, TODAY, (TODAY - SINCE).days)
    assert written.report.items == expected.items
    assert written.report.headline == expected.headline
    assert written.report.objectives == expected.objectives


def _refs(tracer: Tracer, text: str):  # type: ignore[no-untyped-def]
    from checker import references

    return references.parse(text, tracer.syntax)


def test_only_commits_that_can_need_paths_are_diffed(repo: Repo, tmp_path: Path) -> None:
    _history(repo)
    tracer = Tracer(config(tmp_path).pyramid())
    asked: list[str] = []
    original = git.Paths.ask

    def spy(self: git.Paths, sha: str) -> None:
        asked.append(repo.git("log", "-1", "--format=%s", sha))
        original(self, sha)

    git.Paths.ask = spy  # type: ignore[method-assign]
    try:
        collect_local.units(collect_local.start(repo.path, SINCE, TODAY, paths=False), tracer)
    finally:
        git.Paths.ask = original  # type: ignore[method-assign]
    assert "Login tests" not in asked  # names mobile-ux: its thread never reaches the paths
    assert "Add goals" not in asked
    assert not any(s.startswith("Merge") for s in asked)  # a merge's paths are its side commits'
    assert {"Login form", "Tweak colours", "Part one", "Closes #3 somewhere", "Offline mode"} <= set(asked)


def test_a_history_that_names_its_objectives_runs_no_tree_diff(repo: Repo, tmp_path: Path) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.commit("Faster wizard\n\nInitiative: onboarding")
    reading = collect_local.read(collect_local.start(repo.path, SINCE, TODAY, paths=False), Tracer(config(tmp_path).pyramid()))
    assert reading is not None
    assert reading.paths is not None
    assert reading.paths.answers() == {}  # git diff-tree was never started
    assert [u.title for u in collect_local.assemble(reading)] == ["Faster wizard", "Add goals"]


def test_an_unborn_branch_has_no_history(repo: Repo) -> None:
    assert collect_local.start(repo.path, SINCE, TODAY) is None
    assert collect_local.units(None) == []


def _leftovers(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("clew-log-"))


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "tmp"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def test_a_failing_log_is_a_git_error_and_leaves_no_file(repo: Repo, private_tmp: Path) -> None:
    repo.commit("one")
    log = git.Log(["no-such-revision"], repo.path)
    with pytest.raises(GitError, match=r"git log failed: .*no-such-revision"):
        list(log)
    assert _leftovers(private_tmp) == []


def test_a_log_closed_early_stops_git_and_removes_its_file(repo: Repo, private_tmp: Path) -> None:
    repo.commit("one")
    repo.commit("two")
    with git.Log(["HEAD"], repo.path) as log:
        assert _leftovers(private_tmp)
        first = next(iter(log))
        assert first.title == "two"
    assert _leftovers(private_tmp) == []
    never = git.Log(["HEAD"], repo.path)
    never.close()  # started, never read: an error before reading must not leak git or the file
    assert _leftovers(private_tmp) == []


def test_the_log_reads_what_git_writes_while_it_writes(repo: Repo) -> None:
    for i in range(300):
        repo.git("commit", "-q", "--allow-empty", "-m", f"Change {i}\n\nBody {'x' * 4000}")
    titles = [c.title for c in git.Log(["HEAD"], repo.path)]
    assert titles == [f"Change {i}" for i in reversed(range(300))]  # records split across reads stay whole


def test_named_threads_are_worked_out_once_and_stay_right(tmp_path: Path) -> None:
    pyramid = config(tmp_path).pyramid()
    messages = [
        "A\n\nInitiative: onboarding",
        "B\n\nObjective: retension",
        "C\n\nObjective: retension, growth",
        "D\n\nInitiative: onboarding",
        "E\n\nObjective: growth\nInitiative: mobile-ux",
        "chore(deps): bump",
        "F\n\nUnaligned: production outage",
    ]
    items = [WorkItem(kind="commit", key=f"{i:040x}", title=m.split("\n")[0], body=m.partition("\n\n")[2]) for i, m in enumerate(messages)]
    shared = Tracer(pyramid)
    twice = [shared.trace(item) for item in items + items]
    fresh = [Tracer(pyramid).trace(item) for item in items + items]
    assert twice == fresh
    assert [t.status for t in fresh[:7]] == ["aligned", "broken", "aligned", "aligned", "aligned", "budget", "escape"]
    assert fresh[4].extra_targets == ("mobile-ux",)
    assert fresh[2].unknown[0][1] == "retention"


def test_the_report_leaves_garbage_collection_as_it_found_it(repo: Repo) -> None:
    from checker.commands import report

    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    assert gc.isenabled()
    report.make(repo.path, None, TODAY, None)
    assert gc.isenabled()
    (repo.path / "goals.yml").write_text("version: 1\nmission: [")
    with pytest.raises(Exception, match=r"goals\.yml"):
        report.make(repo.path, None, TODAY, None)
    assert gc.isenabled()


def test_the_default_window_comes_from_the_goals_file_cached_or_not(repo: Repo) -> None:
    old = (TODAY - dt.timedelta(days=10)).isoformat()
    repo.git(
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "Old work",
        env={"GIT_COMMITTER_DATE": f"{old}T12:00:00", "GIT_AUTHOR_DATE": f"{old}T12:00:00"},
    )
    goals = goals_text().replace("version: 1\n", "version: 1\nreport:\n  window_days: 3\n", 1)
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals})
    for _ in range(2):  # the first run builds the compiled cache, the second reads it
        run = clew_process(repo.path, "status", "--format", "json")
        assert run.code == 0, run.err
        assert json.loads(run.out)["headline"]["merged"] == 1  # the old commit is outside 3 days
    assert list((repo.path / ".git" / "clew").glob("pyramid-*.json"))
    assert os.environ.get("CLEW_GOALS") is None


def test_only_the_head_timestamp_is_ignored_when_deciding_to_commit() -> None:
    from checker.report.render import without_timestamp

    mission = "> **Mission:** ship it · generated by hand_\n\n"
    a = mission + "_Window a → b (3 days) · source: git · clew 1 · generated 2026-01-01T00:00:00+00:00_\n| t |"
    b = a.replace("2026-01-01", "2026-01-02")
    assert without_timestamp(a) == without_timestamp(b)
    assert "ship it · generated by hand_" in without_timestamp(a)
    rows = '{\n  "generated_at": "2026-01-01",\n  "items": [\n    {"title":"\\"generated_at\\": \\"x\\""}\n  ]\n}'
    assert without_timestamp(rows).count('"generated_at": ""') == 1
    assert '\\"generated_at\\": \\"x\\"' in without_timestamp(rows)


def test_the_timestamp_is_found_after_the_longest_mission(tmp_path: Path) -> None:
    """Only the head of a report is searched for its timestamp: a 500-character mission of
    characters that each escape to five still leaves it there, in both files."""
    from checker.report.render import json_text, markdown, without_timestamp

    cfg = config(tmp_path)
    pyramid = cfg.pyramid()._replace(mission="&" * 600)
    items = [WorkItem("pr", str(n), f"Change {n}", merged_at=f"{TODAY}T10:00:00Z") for n in range(2000)]

    def report(stamp: str) -> tuple[str, str]:
        made = build(pyramid, items, today=TODAY, window_start=SINCE, source="git", generated_at=stamp)
        return markdown(made), json_text(made)

    for old, new in zip(report("2026-11-21T08:00:00+00:00"), report("2026-11-22T09:00:00+00:00"), strict=True):
        assert old != new
        assert without_timestamp(old) == without_timestamp(new)
        assert len(old) > 16_000
