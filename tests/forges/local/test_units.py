"""Units of work on history shapes that real public repositories have: pull requests
merged into a maintenance branch that is merged forward (twice), merge commits titled
`… (#N)`, dependabot PRs merged by a maintainer, backports. Each merged PR reachable from
the default branch is one unit, once, with its changed paths and its author."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from checker.forges.local import units as collect_local
from checker.work import WorkItem
from tests.conftest import Repo, clew_process, goals_text


def _merge(repo: Repo, branch: str, message: str) -> None:
    repo.git("merge", "-q", "--no-ff", branch, "-m", message)


def _flask_like(repo: Repo) -> None:
    """The shape of pallets/flask: PRs land on `main` as merge commits; fixes land on the
    maintenance branch `2.3.x` (PR merges and squashes), which is merged forward into main
    as `Merge branch '2.3.x'`, more than once."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.git("checkout", "-q", "-b", "2.3.x")
    repo.git("checkout", "-q", "-b", "feature", "main")
    repo.commit("Add a login form", {"apps/mobile/login.py": "x = 1\n"})
    repo.commit("Test the login form", {"apps/mobile/test_login.py": "x = 2\n"})
    repo.git("checkout", "-q", "main")
    _merge(repo, "feature", "Merge pull request #5001 from octo/feature\n\nLogin form on mobile")
    repo.git("checkout", "-q", "-b", "titled", "main")
    repo.commit("Swipe gestures", {"apps/mobile/swipe.py": "x = 3\n"})
    repo.git("checkout", "-q", "main")
    _merge(repo, "titled", "Swipe gestures on mobile (#5002)")
    repo.git("checkout", "-q", "-b", "dependabot/pip/click-8.1.8", "2.3.x")
    repo.commit("Bump click from 8.1.7 to 8.1.8", {"requirements.txt": "click==8.1.8\n"}, author="dependabot[bot]")
    repo.git("checkout", "-q", "2.3.x")
    _merge(repo, "dependabot/pip/click-8.1.8", "Merge pull request #5003 from pallets/dependabot/pip/click-8.1.8\n\nBump click")
    repo.commit("Fix a crash on empty sessions (#5004)", {"src/sessions.py": "x = 4\n"})
    repo.commit("Release 2.3.1", {"CHANGES.rst": "2.3.1\n"})
    repo.git("checkout", "-q", "main")
    _merge(repo, "2.3.x", "Merge branch '2.3.x'")
    repo.git("checkout", "-q", "2.3.x")
    repo.commit("Fix the fix (#5005)", {"src/sessions.py": "x = 5\n"})
    repo.git("checkout", "-q", "main")
    _merge(repo, "2.3.x", "Merge branch '2.3.x'")


def _units(repo: Repo) -> dict[str, WorkItem]:
    found = collect_local.units(collect_local.start(repo.path, dt.date.today() - dt.timedelta(days=1)))
    names = [u.name for u in found]
    assert len(names) == len(set(names)), f"a unit twice: {names}"
    return {u.name: u for u in found}


def test_every_merged_pr_is_one_unit_once(repo: Repo) -> None:
    _flask_like(repo)
    units = _units(repo)
    assert {"PR #5001", "PR #5002", "PR #5003", "PR #5004", "PR #5005"} <= set(units)
    assert not [name for name, u in units.items() if u.title.startswith("Merge branch")], "a branch merge is no work of its own"
    assert any(u.kind == "commit" and u.title == "Release 2.3.1" for u in units.values())


def test_a_merge_commit_titled_with_its_pr_keeps_the_paths_it_brought_in(repo: Repo) -> None:
    _flask_like(repo)
    pr = _units(repo)["PR #5002"]
    assert pr.title == "Swipe gestures on mobile (#5002)"
    assert pr.paths == ("apps/mobile/swipe.py",)
    assert [c.title for c in pr.commits] == ["Swipe gestures"]


def test_a_pr_merged_by_a_maintainer_is_its_authors(repo: Repo) -> None:
    _flask_like(repo)
    bump = _units(repo)["PR #5003"]
    assert bump.author == "dependabot[bot]"
    assert bump.author_is_bot


def test_the_report_traces_maintenance_prs_by_their_paths(repo: Repo) -> None:
    _flask_like(repo)
    assert clew_process(repo.path, "report").code == 0
    rows = {row["name"]: row for row in json.loads((repo.path / "alignment.json").read_text())["items"]}
    assert rows["PR #5002"]["status"] == "aligned", "apps/mobile/** traces to mobile-ux"
    assert rows["PR #5003"]["status"] == "budget", "dependabot[bot] is in the maintenance budget"
    assert sum(1 for name in rows if name == "PR #5005") == 1


def test_a_backported_pr_is_one_unit(repo: Repo) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.git("checkout", "-q", "-b", "1.x")
    repo.commit("Fix the parser (#77)", {"src/parser.py": "a = 1\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("Fix the parser (#77)", {"src/parser.py": "a = 1\n", "src/more.py": "b = 2\n"})
    _merge(repo, "1.x", "Merge branch '1.x'")
    units = _units(repo)
    assert set(units["PR #77"].paths) == {"src/parser.py", "src/more.py"}
    assert len(units["PR #77"].commits) == 2


def test_bots_true_exempts_every_bot_and_only_bots(tmp_path: Path) -> None:
    from checker import app
    from tests.helpers import config

    goals = goals_text()
    assert "  exempt:\n" in goals
    cfg = config(tmp_path, goals.replace("  exempt:\n", "  exempt:\n    bots: true\n", 1))
    renovate = WorkItem(kind="pr", key="8", title="Update dependency x", author="renovate[bot]", author_is_bot=True)
    person = WorkItem(kind="pr", key="9", title="Update dependency x", author="renovate-fan")
    traces = app.evaluate_config(cfg, [renovate, person], today=dt.date(2026, 11, 21)).traces
    assert traces[0].status == "exempt"
    assert traces[0].exempt_because == "bot renovate[bot]"
    assert traces[1].status == "unaligned"


def test_a_budget_can_match_every_bot(tmp_path: Path) -> None:
    from checker import app
    from tests.helpers import config

    goals = goals_text()
    by_login = '    match:\n      authors: ["dependabot[bot]"]'
    assert by_login in goals
    cfg = config(tmp_path, goals.replace(by_login, "    match:\n      bots: true\n      authors: []"))
    bot = WorkItem(kind="pr", key="8", title="Bump lodash", author="some-app[bot]", author_is_bot=True)
    trace = app.evaluate_config(cfg, [bot], today=dt.date(2026, 11, 21)).traces[0]
    assert trace.status == "budget"
    assert "bot some-app[bot]" in trace.thread()


def test_a_bot_is_never_asked_to_add_a_line(tmp_path: Path) -> None:
    from checker import app
    from checker.outputs import review
    from tests.helpers import config

    cfg = config(tmp_path)
    bot = WorkItem(kind="pr", key="8", title="Bump the thing", author="some-app[bot]", author_is_bot=True)
    result = app.evaluate_config(cfg, [bot], today=dt.date(2026, 11, 21))
    (finding,) = [f for f in result.findings if f.rule == "unaligned-work"]
    assert "is a bot and will not add a line" in finding.hint
    assert "Objective:" not in finding.hint
    comment = review.body(result, [])
    assert "`match: {bots: true}`" in comment
    assert "Closest objectives" not in comment


def test_check_range_judges_each_unit_not_the_tip(repo: Repo) -> None:
    _flask_like(repo)
    first = repo.git("rev-list", "--max-parents=0", "HEAD")
    run = clew_process(repo.path, "check", "--range", f"{first}..main", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    names = [t["item"] for t in data["traces"]] if "traces" in data else [i["name"] for i in data["items"]]
    assert {"PR #5001", "PR #5002", "PR #5003", "PR #5004", "PR #5005"} <= set(names), names
    assert not any(name.startswith("branch") for name in names), "the tip does not stand for the range"
    text = clew_process(repo.path, "check", "--range", f"{first}..main")
    assert "judged each unit of the range, as the report does: " in text.out


def test_a_tag_at_the_end_of_a_range_is_not_called_a_branch(repo: Repo) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    start = repo.git("rev-parse", "HEAD")
    repo.commit("Faster wizard\n\nInitiative: onboarding", {"src/w.py": "x = 1\n"})
    repo.git("tag", "v1.0")
    run = clew_process(repo.path, "check", "--range", f"{start}..v1.0")
    assert run.code == 0, run.err
    assert f"range {start}..v1.0" in run.out
    assert "branch v1.0" not in run.out
    assert f"judged {start}..v1.0 as one unit (1 commit)" in run.out


def test_status_does_not_change_with_the_window(tmp_path: Path) -> None:
    """Without `start`, elapsed time used to run from the window's start: on track at 90 days,
    at risk at 1,005, for the same objective and the same work."""
    from tests.helpers import config, report_of

    cfg = config(tmp_path)
    today = dt.date(2026, 11, 21)
    pr = WorkItem(kind="pr", key="1", title="Login", body="Initiative: mobile-ux", merged_at="2026-11-01T10:00:00+00:00")
    issue = WorkItem(kind="issue", key="17", title="Users log out", labels=("mobile",), updated_at="2026-11-19T00:00:00Z")
    seen = set()
    for days in (30, 90, 365, 1005):
        report = report_of(
            cfg.pyramid(), [pr], today=today, window_start=today - dt.timedelta(days=days), source="git", open_issues=[issue]
        )
        seen.add(tuple((o.id, o.status, tuple(o.reasons)) for o in report.objectives))
    assert len(seen) == 1, seen


def test_a_gitlab_part_of_group_is_named_and_never_fails_to_follow_itself(repo: Repo) -> None:
    """gnome-shell's shape: Marge-bot rebases an MR's commits onto main and adds
    `Part-of: <…/merge_requests/N>` to each; there is no merge commit."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    url = "https://gitlab.gnome.org/GNOME/gnome-shell/-/merge_requests/4346"
    repo.commit(f"panel: Tidy the date menu\n\nPart-of: <{url}>", {"js/ui/dateMenu.js": "a\n"})
    repo.commit(f"panel: Show the week number\n\nInitiative: mobile-ux\nPart-of: <{url}>", {"js/ui/calendar.js": "b\n"})
    other = "https://gitlab.gnome.org/GNOME/gnome-shell/-/merge_requests/4350"
    repo.commit(f"st: Rename a variable\n\nPart-of: <{other}>", {"src/st/theme.c": "c\n"})
    units = _units(repo)
    assert "MR !4346" in units
    run = clew_process(repo.path, "report")
    assert run.code == 0, run.err
    rows = {row["name"]: row for row in json.loads((repo.path / "alignment.json").read_text())["items"]}
    row = rows["MR !4346"]
    assert row["status"] == "aligned"
    assert "could not be followed" not in row["thread"]
    waste = rows["MR !4350"]
    assert waste["status"] == "unaligned"
    assert "could not be followed" not in waste["thread"], "its own Part-of link is the unit itself"


def test_per_commit_lines_show_the_subject_and_why_exempt(repo: Repo) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.commit("chore: release 2.0", {"CHANGES": "2.0\n"}, author="release-please[bot]")
    run = clew_process(repo.path, "check", "--range", "HEAD~1..HEAD", "--per-commit")
    assert run.code == 0, run.err
    assert "“chore: release 2.0” — exempt: author release-please[bot]" in run.out
    assert "as one unit" not in run.out


def test_an_empty_window_says_so_and_local_issues_read_as_not_read(repo: Repo) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    stamp = "2020-01-06T10:00:00+00:00"
    repo.write("old.txt", "x\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Old work\n\nObjective: growth", env={"GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp})
    repo.git("commit", "-q", "--amend", "--no-edit", "--date", stamp, env={"GIT_COMMITTER_DATE": stamp})
    run = clew_process(repo.path, "report", "--window", "7")
    text = (repo.path / "ALIGNMENT.md").read_text()
    assert run.code == 0, run.err
    assert "**No merged work in the window**" in text or "1 of 1" in text
    assert "| not read |" in text, "local history reads no issues: not 0 / 0 / 0"
    assert "0 / 0 / 0" not in text


def test_a_ten_year_window_is_charted_by_month_with_every_month(tmp_path: Path) -> None:
    from tests.helpers import config, report_of

    cfg = config(tmp_path)
    today = dt.date(2026, 11, 21)
    work = [
        WorkItem(kind="pr", key=str(n), title="x", body="Objective: growth", merged_at=f"{2017 + n}-03-01T10:00:00+00:00") for n in range(9)
    ]
    report = report_of(cfg.pyramid(), work, today=today, window_start=today - dt.timedelta(days=3650), source="git")
    labels = [w.week for w in report.weeks]
    assert len(labels) <= 121
    assert labels[0] == "2016-11"
    assert labels[-1] == "2026-11"
    assert len(labels) == len(set(labels)) == 121
    assert sum(w.merged for w in report.weeks) == 9
    recent = work[-1]._replace(merged_at="2026-11-02T10:00:00+00:00")
    short = report_of(cfg.pyramid(), [recent], today=today, window_start=today - dt.timedelta(days=90), source="git")
    assert len(short.weeks) in (13, 14), "every week of a 90-day window, empty ones included"
    empty = report_of(cfg.pyramid(), [], today=today, window_start=today - dt.timedelta(days=90), source="git")
    from checker.report.render import markdown

    assert "**No merged work in the window** (2026-08-23 → 2026-11-21)" in markdown(empty)
    assert "0% of merged work" not in markdown(empty)


def _dated(repo: Repo, message: str, stamp: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        repo.write(rel, text)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})


def _fifteen_years(repo: Repo) -> None:
    """pallets/flask's span: 2010 to 2025, a change a quarter, PR merges and squashes, quiet years."""
    _dated(repo, "Add goals\n\nObjective: retention", "2010-04-06T10:00:00+00:00", {"goals.yml": goals_text()})
    number = 100
    for year in range(2010, 2026):
        if year in (2013, 2014):
            continue  # nothing merged: gaps, not 0%
        for month in (2, 5, 8, 11):
            number += 1
            stamp = f"{year}-{month:02d}-15T10:00:00+00:00"
            body = "Objective: growth" if month in (2, 8) else "wip"
            if month == 5:
                repo.git("checkout", "-q", "-b", f"topic-{number}")
                _dated(repo, f"Change {number}\n\n{body}", stamp, {f"src/c{number}.py": "x\n"})
                repo.git("checkout", "-q", "main")
                repo.git(
                    "merge",
                    "-q",
                    "--no-ff",
                    f"topic-{number}",
                    "-m",
                    f"Merge pull request #{number} from acme/topic-{number}\n\nChange {number}",
                    env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
                )
            else:
                _dated(repo, f"Change {number} (#{number})\n\n{body}", stamp, {f"src/c{number}.py": "x\n"})


def test_since_and_until_cover_fifteen_years_or_any_past_span(repo: Repo) -> None:
    _fifteen_years(repo)
    run = clew_process(repo.path, "report", "--since", "2010-01-01", "--until", "2025-12-31", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["window"] == {"start": "2010-01-01", "end": "2025-12-31", "days": 5843}
    assert data["headline"]["merged"] == 14 * 4 + 1, "every change of fifteen years, and the goals file's first commit"
    months = {w["week"]: w for w in data["weeks"]}
    assert len(months) == 16 * 12
    assert months["2013-05"]["share"] is None, "a quiet month is a gap"
    assert months["2013-05"]["merged"] == 0
    assert months["2011-02"]["share"] == 100.0
    assert months["2011-05"]["share"] == 0.0, "merged and unaligned: 0%, not a gap"
    past = clew_process(repo.path, "report", "--since", "2010-01-01", "--until", "2012-12-31", "--format", "json")
    assert past.code == 0, past.err
    then = json.loads(past.out)
    assert then["headline"]["merged"] == 3 * 4 + 1, "as of 2012: nothing merged later"
    assert {i["name"] for i in then["items"]} >= {"PR #101", "PR #112"}
    assert max(i["merged_at"] for i in then["items"]) < "2013"
    wide = clew_process(repo.path, "report", "--window", "7000", "--format", "json")
    assert wide.code == 0, wide.err
    assert json.loads(wide.out)["headline"]["merged"] == 14 * 4 + 1, "no ceiling on --window"
    both = clew_process(repo.path, "report", "--since", "2010-01-01", "--window", "30")
    assert both.code == 2
    assert "give one of them" in both.err
    backwards = clew_process(repo.path, "report", "--since", "2020-01-01", "--until", "2019-01-01")
    assert backwards.code == 2
    assert "after the window's end" in backwards.err


def test_report_format_prints_one_document_and_writes_nothing(repo: Repo) -> None:
    _flask_like(repo)
    as_json = clew_process(repo.path, "report", "--format", "json")
    assert as_json.code == 0, as_json.err
    assert json.loads(as_json.out)["headline"]["merged"] >= 5
    as_md = clew_process(repo.path, "report", "--format", "markdown")
    assert as_md.out.startswith("# Alignment report")
    assert not (repo.path / "ALIGNMENT.md").exists()
    assert not (repo.path / "alignment.json").exists()
    refused = clew_process(repo.path, "report", "--format", "json", "--commit")
    assert refused.code == 2
    assert "excludes --commit" in refused.err


def test_blocked_labels_are_configurable_and_critical_issues_are_named(tmp_path: Path) -> None:
    from tests.helpers import config, report_of

    today = dt.date(2026, 11, 21)
    week_ago = "2026-11-14T00:00:00Z"
    issues = [
        WorkItem(kind="issue", key="1", title="SDK", labels=("mobile", "on-hold", "P1"), updated_at=week_ago),
        WorkItem(kind="issue", key="2", title="Store", labels=("mobile", "on-hold"), updated_at=week_ago),
        WorkItem(kind="issue", key="3", title="Docs", labels=("mobile", "blocked"), updated_at=week_ago),
    ]
    start = today - dt.timedelta(days=90)
    default = report_of(config(tmp_path).pyramid(), [], today=today, window_start=start, source="github", open_issues=issues)
    retention = next(o for o in default.objectives if o.id == "retention")
    assert retention.blocked == 1, "by default only `blocked` and `status::blocked` block"
    (tmp_path / "custom").mkdir()
    custom = config(tmp_path / "custom", goals_text() + "report:\n  blocked_labels: [on-hold]\n")
    report = report_of(custom.pyramid(), [], today=today, window_start=today - dt.timedelta(days=90), source="github", open_issues=issues)
    retention = next(o for o in report.objectives if o.id == "retention")
    assert retention.blocked == 2
    # the issues are the initiative's: it names them, and the objective names it
    mobile = next(i for i in retention.initiatives if i.id == "mobile-ux")
    assert mobile.reasons == ["2 of 3 linked issues blocked for more than 3 days, 1 of them critical"]
    assert "initiative mobile-ux is at risk: 2 of 3 linked issues blocked for more than 3 days, 1 of them critical" in retention.reasons


def test_alignment_json_keeps_the_newest_rows_whole_and_the_rest_short(tmp_path: Path) -> None:
    from checker.report import model as m
    from checker.report.render import json_text
    from tests.helpers import config, report_of

    today = dt.date(2026, 11, 21)
    start = today - dt.timedelta(days=90)
    work = [
        WorkItem(
            kind="pr",
            key=str(n),
            title=f"Change {n} " + "with a long title " * 5,
            body="Initiative: onboarding" if n % 3 else "wip",
            merged_at=f"2026-11-{1 + n % 20:02d}T{n % 24:02d}:00:00+00:00",
        )
        for n in range(1, 61)
    ]
    small = config(tmp_path, goals_text() + "report:\n  max_items: 10\n").pyramid()
    (tmp_path / "all").mkdir()
    whole = config(tmp_path / "all", goals_text()).pyramid()
    bounded = report_of(small, work, today=today, window_start=start, source="github")
    full = report_of(whole, work, today=today, window_start=start, source="github")
    assert len(bounded.items) == 10
    assert len(bounded.archived) == 50
    assert bounded.items[0]["merged_at"] >= bounded.archived[0]["merged_at"]
    assert bounded.headline == full.headline, "the counts include the archived rows"
    assert [o.merged for o in bounded.objectives] == [o.merged for o in full.objectives]
    assert bounded.weeks == full.weeks
    text = json_text(bounded)
    assert len(text) < len(json_text(full)) / 2
    again = m.adapter().validate_json(text)
    assert again.archived == bounded.archived
    rebuilt = report_of(small, [], today=today, window_start=start, source="github", previous=m.all_rows(again))
    assert rebuilt.headline == full.headline, "a later run reads the archived rows back"
    assert len(rebuilt.items) == 10
    aligned = next(a for a in bounded.archived if a["status"] == "aligned")
    assert aligned["via"] == "Initiative: onboarding", "an archived row still says why it is aligned"
    waste = next(a for a in bounded.archived if a["status"] == "unaligned")
    assert waste["via"] is None, "nothing matched: the default, not written on every row"
    assert all(len(a["via"] or "") <= m.VIA_CHARS for a in bounded.archived)
    assert rebuilt.items[0]["thread"] == bounded.items[0]["thread"]
    recorded = report_of(small, work, today=today, window_start=start, source="github", goals_digest="d1")
    older = m.read_previous(json_text(recorded), "d1")
    assert older is not None
    back = {r["name"]: r for r in older.rows}
    assert back[aligned["name"]]["thread"] == f"{aligned['name']} → Initiative: onboarding", "read back with its hop"


# --- the shapes of real histories, each named after the public repository it comes from ------


def _shaped(repo: Repo, identity: str | None = None) -> dict[str, WorkItem]:
    found = collect_local.units(collect_local.start(repo.path, dt.date.today() - dt.timedelta(days=1)), identity)
    return {u.name: u for u in found}


def _first_parent(repo: Repo) -> int:
    return len(repo.git("rev-list", "--first-parent", "HEAD").split())


def _topic(repo: Repo, branch: str, *subjects: str, start: str = "main") -> None:
    repo.git("checkout", "-q", "-b", branch, start)
    for subject in subjects:
        repo.commit(subject)
    repo.git("checkout", "-q", start)


def test_bors_merges_are_the_units_and_their_commits_are_not(repo: Repo) -> None:
    """rust-lang/cargo: homu merges `Auto merge of #N - user:branch, r=reviewer`; the PR's own
    commits are inside it. A PR merged into the contributor's fork branch is the fork's."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    _topic(repo, "member", "fix: Allow win/mac credential managers to build", "test: cover the managers")
    _merge(
        repo,
        "member",
        "Auto merge of #11993 - epage:member, r=weihanglo\n\nfix: Allow win/mac credential managers to build on all platforms",
    )
    repo.git("checkout", "-q", "-b", "anupj-master", "main")
    _topic(repo, "inner", "Typo in the guide", start="anupj-master")
    _merge(repo, "inner", "Merge pull request #1 from friend/inner\n\nTypo")
    repo.git("checkout", "-q", "main")
    _merge(repo, "anupj-master", "Auto merge of #12913 - anupj:master, r=epage\n\nFix the guide")
    units = _shaped(repo, "rust-lang/cargo")
    assert set(units) == {"PR #11993", "PR #12913", next(n for n in units if n.startswith("commit"))}
    assert {c.title for c in units["PR #11993"].commits} == {"fix: Allow win/mac credential managers to build", "test: cover the managers"}
    assert units["PR #11993"].title == "fix: Allow win/mac credential managers to build on all platforms"
    assert units["PR #11993"].branch == "member"
    assert "PR #1" not in units, "the fork's own pull request #1 is not cargo's #1"
    assert "Typo in the guide" in {c.title for c in units["PR #12913"].commits}
    assert len(units) == _first_parent(repo)


def test_a_bors_rollup_is_the_pull_requests_it_rolled_up(repo: Repo) -> None:
    """rust-lang/rust-clippy: a rollup branch merges each PR as `Rollup merge of #N - …`; the
    rollup's own `Auto merge of` lists them and is no work of its own."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.git("checkout", "-q", "-b", "rollup-abc1234")
    _topic(repo, "fix-lint", "Fix a false positive", start="rollup-abc1234")
    _merge(repo, "fix-lint", "Rollup merge of #98 - alice:fix-lint, r=bob\n\nFix a false positive in needless_return")
    _topic(repo, "docs", "Document the lint", start="rollup-abc1234")
    _merge(repo, "docs", "Rollup merge of #99 - carol:docs, r=bob\n\nDocument needless_return")
    repo.git("checkout", "-q", "main")
    body = (
        "Rollup of 2 pull requests\n\nSuccessful merges:\n\n - #98 (Fix a false positive)\n - #99 (Document the lint)\n\n"
        "Failed merges:\n\nr? @ghost"
    )
    _merge(repo, "rollup-abc1234", f"Auto merge of #100 - matthiaskrgr:rollup-abc1234, r=matthiaskrgr\n\n{body}")
    units = _shaped(repo, "rust-lang/rust-clippy")
    assert {"PR #98", "PR #99"} <= set(units)
    assert "PR #100" not in units, "the rollup holds no work of its own"
    assert [c.title for c in units["PR #98"].commits] == ["Fix a false positive"]
    assert units["PR #99"].title == "Document needless_return"


def test_a_bors_ng_batch_is_one_unit_per_pull_request(repo: Repo) -> None:
    """crossbeam-rs/crossbeam: bors-ng merges a batch as an octopus, `Merge #12 #13`, one parent
    per pull request, and lists each PR's title in the body."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    _topic(repo, "a", "Add an unbounded channel")
    _topic(repo, "b", "Fix a race in select", "Test the race")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "a",
        "b",
        "-m",
        "Merge #12 #13\n\n12: Add an unbounded channel r=taiki-e a=jeehoonkang\n\n13: Fix a race r=taiki-e a=ibraheemdev",
    )
    units = _shaped(repo, "crossbeam-rs/crossbeam")
    assert units["PR #12"].title == "Add an unbounded channel"
    assert units["PR #13"].title == "Fix a race"
    assert [c.title for c in units["PR #12"].commits] == ["Add an unbounded channel"]
    assert {c.title for c in units["PR #13"].commits} == {"Fix a race in select", "Test the race"}


def test_a_pull_request_merged_into_another_ones_branch_is_a_unit_of_its_own(repo: Repo) -> None:
    """pallets/flask #2559: a PR merged into another PR's branch in the same repository."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    _topic(repo, "feature", "Start the feature")
    _topic(repo, "sub", "A piece of it", start="feature")
    _merge_into(repo, "feature", "sub", "Merge pull request #9 from pallets/sub\n\nA piece")
    _merge(repo, "feature", "Merge pull request #10 from pallets/feature\n\nThe feature")
    units = _shaped(repo, "pallets/flask")
    assert [c.title for c in units["PR #9"].commits] == ["A piece of it"]
    assert [c.title for c in units["PR #10"].commits] == ["Start the feature"]


def _merge_into(repo: Repo, into: str, branch: str, message: str) -> None:
    repo.git("checkout", "-q", into)
    _merge(repo, branch, message)
    repo.git("checkout", "-q", "main")


def test_an_imported_history_brings_no_pull_request_numbers(repo: Repo) -> None:
    """A subtree or an unrelated history merged in: its `(#5)` is the other repository's."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.git("checkout", "-q", "--orphan", "vendor")
    repo.git("rm", "-rq", "--cached", ".")
    repo.commit("Initial import of the vendored library", {"vendor/lib.c": "int x;\n"})
    repo.commit("Fix an overflow (#5)", {"vendor/lib.c": "int y;\n"})
    repo.git("checkout", "-q", "-f", "main")
    repo.git("merge", "-q", "--no-ff", "--allow-unrelated-histories", "vendor", "-m", "Merge commit 'abc123' as 'vendor'")
    units = _shaped(repo, "acme/app")
    assert "PR #5" not in units
    (imported,) = [u for u in units.values() if len(u.commits) == 2]
    assert {c.title for c in imported.commits} == {"Initial import of the vendored library", "Fix an overflow (#5)"}


def test_an_exported_history_names_each_change_by_its_own_repository(repo: Repo) -> None:
    """facebook/watchman: Meta's export writes `(#12)` of the repository the change came in by,
    and `Pull Request resolved:` names it; another repository's number is never this one's."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.commit(
        "flip opensource to use pyrefly (#439)\n\nSummary: Pull Request resolved: https://github.com/facebook/CacheLib/pull/439\n\n"
        "Differential Revision: D99315659"
    )
    repo.commit(
        "Fix the watch of a removed root (#9169)\n\nSummary: Pull Request resolved: https://github.com/facebook/watchman/pull/1055\n\n"
        "Reviewed By: chadaustin\n\nDifferential Revision: D21870"
    )
    repo.commit("Internal cleanup\n\nSummary: nothing public\n\nDifferential Revision: D100")
    units = _shaped(repo, "facebook/watchman")
    assert "PR #1055" in units
    assert "PR #9169" not in units
    assert "PR #439" not in units
    assert "PR facebook/CacheLib#439" in units
    assert "review D100" in units


def test_rebased_commits_closing_the_same_pull_request_are_one_unit(repo: Repo) -> None:
    """curl/curl: a PR is rebased onto master and each commit ends its trailers with `Closes #N`."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.commit("lib: prepare the connection cache\n\nReported-by: Someone\nCloses #77")
    repo.commit("lib: use the connection cache\n\nCloses #77")
    repo.commit("tests: cover the connection cache\n\nAssisted-by: Another\nCloses #77")
    repo.commit("http2: fix a stall\n\nFixes #70\nCloses #71")
    repo.commit("docs: spelling")
    units = _shaped(repo, "curl/curl")
    assert len(units["PR #77"].commits) == 3
    assert "PR #70" not in units, "Fixes names the issue; Closes the pull request"
    assert "PR #71" in units
    assert sum(1 for name in units if name.startswith("commit")) == 2  # the goals commit and the spelling fix


def test_the_branch_and_title_of_a_merge_come_from_its_message(repo: Repo) -> None:
    """GitHub's merge: `Merge pull request #12 from acme/onboarding/wizard`, the PR's title in the
    body. A rule on `onboarding/*` branches traces it."""
    goals = goals_text().replace("branches: [onboarding/*]", "branches: [onboarding/*]")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals})
    _topic(repo, "wizard", "Wip")
    _merge(repo, "wizard", "Merge pull request #12 from acme/onboarding/wizard\n\nOnboarding wizard for new accounts")
    units = _shaped(repo, "acme/app")
    assert units["PR #12"].branch == "onboarding/wizard"
    assert units["PR #12"].title == "Onboarding wizard for new accounts"


def test_gerrit_and_phabricator_changes_are_named_by_their_review(repo: Repo) -> None:
    """golang/net (Gerrit) and phacility/arcanist (Phabricator): no pull request anywhere."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.commit(
        "http2: close the conn on a GOAWAY\n\nChange-Id: I5f3c1c0\nReviewed-on: https://go-review.googlesource.com/c/net/+/795860\n"
        "Reviewed-by: Damien Neil <dneil@google.com>"
    )
    repo.commit(
        "Make lint faster\n\nSummary: Fixes T123.\n\nTest Plan: ran it\n\nDifferential Revision: https://secure.phabricator.com/D21870"
    )
    repo.commit("Fix (#4) in the parser\n\nChange-Id: I0000")  # a Gerrit change not yet reviewed-on: no review named
    units = _shaped(repo, "golang/net")
    assert {"review 795860", "review D21870"} <= set(units)
    assert not any(name.startswith("PR") for name in units if name != "PR #4")


def test_gitlabs_short_form_and_its_history_of_issues(repo: Repo) -> None:
    """f-droid/fdroidserver: GitLab wrote `See merge request !120` before the long form; in a
    GitLab history `#N` is an issue, so `Closes #129` on a commit is no merge request."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    _topic(repo, "cache", "update: cache the SHA-256")
    _merge(repo, "cache", "Merge branch 'cache' into 'master'\n\nupdate: cache the SHA-256\n\nSee merge request !120")
    _topic(repo, "status", "Write status json")
    _merge(repo, "status", "Merge branch 'status' into 'master'\n\nWrite status json\n\nSee merge request fdroid/fdroidserver!1237")
    repo.commit("import: fix get_default_app_info usage\n\nCloses #129")
    units = _shaped(repo, "fdroid/fdroidserver")
    assert {"MR !120", "MR !1237"} <= set(units)
    assert units["MR !120"].branch == "cache"
    assert "PR #129" not in units


def test_a_gnome_series_with_wrapped_and_preceded_part_of_is_one_merge_request(repo: Repo) -> None:
    """GNOME/gnome-shell: Marge-bot's `Part-of:` wrapped onto the next line, or below a bare MR URL."""
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    url = "https://gitlab.gnome.org/GNOME/gnome-shell/-/merge_requests/2986"
    repo.commit(f"status/volume: Fix the slider\n\n{url}\n\nPart-of: <{url}>")
    repo.commit(f"status/volume: Tidy\n\nPart-of:\n<{url}>")
    repo.commit(f"status/volume: Close the MR\n\nCloses: {url}\nPart-of: <{url}>")
    units = _shaped(repo, "GNOME/gnome-shell")
    assert len(units["MR !2986"].commits) == 3
    run = clew_process(repo.path, "report")
    assert run.code == 0, run.err
    rows = {row["name"]: row for row in json.loads((repo.path / "alignment.json").read_text())["items"]}
    assert "could not be followed" not in rows["MR !2986"]["thread"]
    assert "not read" not in rows["MR !2986"]["thread"], "its own MR is the unit, not a link"


def test_offline_a_link_is_not_read_and_the_goals_file_is_work_on_the_goals(repo: Repo) -> None:
    repo.commit("Add goals", {"goals.yml": goals_text()})
    repo.commit("Fix the crash (#42)\n\nFixes #17", {"src/app.py": "x = 1\n"})
    repo.commit("goals: tighten the churn target", {"goals.yml": goals_text() + "\n# tightened\n"})
    repo.commit("Tidy the goals and the docs", {"goals.yml": goals_text() + "\n# tidied\n", "docs/x.md": "x\n"})
    run = clew_process(repo.path, "report")
    assert run.code == 0, run.err
    data = json.loads((repo.path / "alignment.json").read_text())
    rows = {row["name"]: row for row in data["items"]}
    assert rows["PR #42"]["thread"].endswith("✗ #17 not read (local history)")
    assert "could not be followed" not in json.dumps(data)
    goals_rows = [r for r in data["items"] if r["status"] == "exempt"]
    assert len(goals_rows) == 2
    assert all("work on the goals (changes only goals.yml)" in r["thread"] for r in goals_rows)
    assert data["headline"]["waste"] == 2, "the goals edit that also changes docs/ (outside every path rule) is work"
    assert sum("--source github" in note for note in data["notes"]) == 1, "said once how to read the links"
