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
from checker.forges.local import git
from checker.forges.local import units as collect_local
from checker.trace import Trace, Tracer
from checker.work import Reference, WorkItem
from tests.conftest import Repo, clew_process, goals_text
from tests.helpers import config, local_report, report_of

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
    repo.commit("Polish", {"web/onboarding/wizard.css": "w"})  # traces nowhere; its path's words suggest onboarding


def test_paths_under_the_rules_directories_give_the_same_threads_as_the_full_log(repo: Repo, tmp_path: Path) -> None:
    _history(repo)
    full = collect_local.units(collect_local.start(repo.path, SINCE, TODAY))
    limited = collect_local.units(collect_local.start(repo.path, SINCE, TODAY, paths=("apps/mobile",)))
    assert [u.name for u in limited] == [u.name for u in full]
    for whole, part in zip(full, limited, strict=True):
        assert part.paths == tuple(p for p in whole.paths if p.startswith("apps/mobile/")), whole.name
    units = {u.title: u for u in limited}
    assert units["Ünïcode päth"].paths == ("apps/mobile/ünï.kt",)
    assert units["Offline banner (#42)"].paths == ("apps/mobile/banner.kt",)
    assert units["Part two"].paths == ("apps/mobile/part.kt",)  # the group of Part two and Part one
    assert units["Tweak colours"].paths == ()
    pyramid = config(tmp_path).pyramid()
    reports = [report_of(pyramid, units, today=TODAY, window_start=SINCE, source="git") for units in (full, limited)]
    assert [(r["name"], r["status"], r["thread"]) for r in reports[0].items] == [
        (r["name"], r["status"], r["thread"]) for r in reports[1].items
    ]
    by_name = {r["name"]: r for r in reports[1].items}
    assert by_name["PR #42"]["thread"].startswith("PR #42 → path apps/mobile/banner.kt → initiative mobile-ux")


RULES = {
    "under a directory": '["apps/mobile/**"]',
    "anywhere": '["**/*.kt"]',
    "none": None,
}


@pytest.mark.parametrize("rule", RULES)
def test_the_report_command_gives_the_report_of_the_full_log(repo: Repo, tmp_path: Path, rule: str) -> None:
    """`clew report` reads paths from a second log (limited to the rules' directories, or every
    path, or none), traces what is settled before they arrive, and diffs in full the units that
    get suggestions: row for row the report built from the full `--name-only` log."""

    _history(repo)
    paths = RULES[rule]
    goals = goals_text().replace('          paths: ["apps/mobile/**"]\n', f"          paths: {paths}\n" if paths else "")
    (repo.path / "goals.yml").write_text(goals)
    full = collect_local.units(collect_local.start(repo.path, SINCE, TODAY))
    expected = report_of(config(tmp_path, goals).pyramid(), full, today=TODAY, window_start=SINCE, source="git")
    _, written = local_report(repo.path, TODAY, (TODAY - SINCE).days)
    assert written.report.items == expected.items
    assert written.report.headline == expected.headline
    assert written.report.objectives == expected.objectives
    assert any(r["suggestions"] for r in written.report.items)


def _spy(monkeypatch: pytest.MonkeyPatch, repo: Repo) -> tuple[list[str], list[tuple[str, ...] | None]]:
    """The subjects of the commits diff-tree is asked about, and the prefixes of each second log
    (None: every path)."""
    asked: list[str] = []
    limited: list[tuple[str, ...] | None] = []
    ask, touched = git.Paths.ask, git.Touched.__init__

    def spy_ask(self: git.Paths, sha: str) -> None:
        asked.append(repo.git("log", "-1", "--format=%s", sha).strip())
        ask(self, sha)

    def spy_touched(self: git.Touched, rev_args: list[str], cwd: Path, prefixes: list[str] | None) -> None:
        limited.append(None if prefixes is None else tuple(prefixes))
        touched(self, rev_args, cwd, prefixes)

    monkeypatch.setattr(git.Paths, "ask", spy_ask)
    monkeypatch.setattr(git.Touched, "__init__", spy_touched)
    return asked, limited


def test_only_the_rules_directories_and_the_units_that_get_suggestions_are_diffed(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:

    _history(repo)
    asked, limited = _spy(monkeypatch, repo)
    _, written = local_report(repo.path, TODAY, (TODAY - SINCE).days)
    assert limited == [("apps/mobile", "goals.yml")]  # the rules' directories, and which units edit the goals
    untraced = {r["title"] for r in written.report.items if r["status"] in ("unaligned", "broken")}
    assert untraced == {"Tweak colours", "Empty on purpose", "Polish"}
    assert sorted(asked) == sorted(untraced)  # in full, for their suggestions; nothing else
    polish = next(r for r in written.report.items if r["title"] == "Polish")
    assert {"onboard", "wizard"} <= set(polish["suggestions"][0]["matched"])  # words of web/onboarding/wizard.css


def test_a_history_that_names_its_objectives_runs_no_diff_tree(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:

    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.commit("Faster wizard\n\nInitiative: onboarding", {"web/wizard.css": "w"})
    asked, limited = _spy(monkeypatch, repo)
    _, written = local_report(repo.path, TODAY, 2)
    assert [r["status"] for r in written.report.items] == ["aligned", "aligned"]
    assert asked == []
    assert limited == [("apps/mobile", "goals.yml")]


def test_without_path_rules_git_diffs_only_for_suggestions(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:

    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text().replace('          paths: ["apps/mobile/**"]\n', "")})
    repo.commit("Wizard colours", {"web/onboarding/wizard.css": "w"})
    repo.commit("Faster wizard\n\nInitiative: onboarding", {"web/wizard.css": "w"})
    asked, limited = _spy(monkeypatch, repo)
    _, written = local_report(repo.path, TODAY, 2)
    assert limited == [("goals.yml",)]  # no path rule: only which units edit the goals file
    assert asked == ["Wizard colours"]
    colours = next(r for r in written.report.items if r["title"] == "Wizard colours")
    assert "onboard" in colours["suggestions"][0]["matched"]


def test_a_rule_that_can_match_anywhere_reads_every_path(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:

    goals = goals_text().replace('paths: ["apps/mobile/**"]', 'paths: ["**/*.kt"]')
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals})
    repo.commit("Deep change", {"libs/deep/x.kt": "k"})
    asked, limited = _spy(monkeypatch, repo)
    _, written = local_report(repo.path, TODAY, 2)
    assert (limited, asked) == ([None], [])  # the second log carried every path
    assert "→ path libs/deep/x.kt → initiative mobile-ux" in written.report.items[0]["thread"]


def test_the_limited_log_reads_its_paths_literally(repo: Repo) -> None:
    repo.commit("Draft", {"docs/[draft]/a.md": "a"})
    repo.commit("Plain", {"docs/d/a.md": "b"})  # `[draft]` as a pattern would match docs/d
    found = git.Touched(["HEAD"], repo.path, ["docs/[draft]"]).answers()
    assert [(repo.git("log", "-1", "--format=%s", sha).strip(), paths) for sha, paths in found.items()] == [
        ("Draft", ("docs/[draft]/a.md",))
    ]
    with pytest.raises(GitError, match=r"git log failed"):
        git.Touched(["no-such-revision"], repo.path, ["docs"]).answers()


def test_the_second_log_keeps_any_file_name_whole(repo: Repo) -> None:
    names = ["\nleading newline.md", "docs/tab\there.md", "docs/ünï côde.md", "docs/a\nb"]
    repo.commit("Odd names", dict.fromkeys(names, "x"))
    (paths,) = git.Touched(["HEAD"], repo.path, None).answers().values()
    assert sorted(paths) == sorted(names)


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


def test_a_history_closed_unread_stops_both_logs(repo: Repo, private_tmp: Path) -> None:
    repo.commit("one", {"apps/mobile/a.kt": "a"})
    history = collect_local.start(repo.path, SINCE, TODAY, paths=("apps/mobile",))
    assert history is not None
    assert history.touched is not None
    history.close()
    assert history.touched._proc is not None
    assert history.touched._proc.poll() is not None
    assert _leftovers(private_tmp) == []


@pytest.mark.slow
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

    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    assert gc.isenabled()
    local_report(repo.path, TODAY, None)
    assert gc.isenabled()
    (repo.path / "goals.yml").write_text("version: 1\nmission: [")
    with pytest.raises(Exception, match=r"goals\.yml"):
        local_report(repo.path, TODAY, None)
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
        made = report_of(pyramid, items, today=TODAY, window_start=SINCE, source="git", generated_at=stamp)
        return markdown(made), json_text(made)

    for old, new in zip(report("2026-11-21T08:00:00+00:00"), report("2026-11-22T09:00:00+00:00"), strict=True):
        assert old != new
        assert without_timestamp(old) == without_timestamp(new)
        assert len(old) > 16_000


def test_a_settled_trace_is_the_trace(repo: Repo, tmp_path: Path) -> None:
    """What is traced before the paths arrive is what tracing with them gives; what could need
    them waits, with its references already read."""
    _history(repo)
    tracer = Tracer(config(tmp_path).pyramid())
    units = collect_local.units(collect_local.start(repo.path, SINCE, TODAY))
    settled = {u.title: tracer.settle(u) for u in units}
    for unit in units:
        early = settled[unit.title]
        assert (early if isinstance(early, Trace) else tracer.trace(unit, refs=early)) == tracer.trace(unit)
    assert isinstance(settled["Add goals"], Trace)
    assert isinstance(settled["Login screen"], Trace)  # PR #41: one of its commits names mobile-ux
    assert settled["Closes #3 somewhere"] == [Reference("issue", "#3", "Closes #3", "closing keyword", closing=True)]
    assert settled["Tweak colours"] == []
