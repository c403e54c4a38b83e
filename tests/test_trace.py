"""The tracer: strongest evidence first, linked issues followed with cycle
protection and a depth limit, budgets, exemptions, the escape hatch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checker.suggest import suggest
from checker.trace import MAX_DEPTH, Tracer
from checker.work import WorkItem
from tests.helpers import commit, config

TODAY = dt.date(2026, 11, 21)


@pytest.fixture
def tracer(tmp_path: Path) -> Tracer:
    return Tracer(config(tmp_path).pyramid())


def pr(body: str = "", **fields: object) -> WorkItem:
    return WorkItem(kind="pr", key="42", title=str(fields.pop("title", "Work")), body=body, **fields)  # type: ignore[arg-type]


def issue(number: int, **fields: object) -> WorkItem:
    return WorkItem(kind="issue", key=str(number), title=str(fields.pop("title", f"Issue {number}")), **fields)  # type: ignore[arg-type]


def test_thread_through_a_closed_issue_and_its_label(tracer: Tracer) -> None:
    trace = tracer.trace(pr("Closes #17"), {"#17": issue(17, labels=("mobile",))})
    assert trace.status == "aligned"
    assert trace.thread() == 'PR #42 → closes #17 → label "mobile" → initiative mobile-ux → objective retention → mission'
    assert [h.signal for h in trace.hops] == ["linked issue", "label match", "pyramid", "pyramid"]


def test_explicit_reference_beats_weaker_signals(tracer: Tracer) -> None:
    trace = tracer.trace(pr("Objective: growth", labels=("mobile",)))
    assert trace.objective == "growth"
    assert trace.extra_targets == ()


def test_goal_label(tracer: Tracer) -> None:
    trace = tracer.trace(pr(labels=("goal:onboarding",)))
    assert trace.target is not None
    assert trace.target.id == "onboarding"
    assert trace.hops[0].signal == "goal label"


def test_parents_followed_recursively(tracer: Tracer) -> None:
    linked = {"#1": issue(1, parent="#2"), "#2": issue(2, parent="#3"), "#3": issue(3, body="Objective: retention")}
    trace = tracer.trace(pr("Fixes #1"), linked)
    assert trace.objective == "retention"
    assert [h.step for h in trace.hops][:3] == ["closes #1", "parent #2", "parent #3"]


def test_milestone_of_a_linked_issue(tmp_path: Path) -> None:
    from tests.conftest import goals_text

    text = goals_text().replace("          labels: [onboarding]\n", "          milestones: [Onboarding v2]\n")
    trace = Tracer(config(tmp_path, text).pyramid()).trace(pr("Fixes #5"), {"#5": issue(5, milestone="Onboarding v2")})
    assert trace.objective == "growth"
    assert 'milestone "Onboarding v2"' in trace.thread()


def test_cycles_terminate(tracer: Tracer) -> None:
    linked = {"#1": issue(1, parent="#2"), "#2": issue(2, parent="#1")}
    trace = tracer.trace(pr("Fixes #1"), linked)
    assert trace.status == "unaligned"


def test_depth_limit(tracer: Tracer) -> None:
    linked = {f"#{n}": issue(n, parent=f"#{n + 1}") for n in range(1, 20)}
    linked["#20"] = issue(20, labels=("mobile",))
    assert tracer.trace(pr("Fixes #1"), linked).status == "unaligned"
    near = {f"#{n}": issue(n, parent=f"#{n + 1}") for n in range(1, MAX_DEPTH - 1)}
    near[f"#{MAX_DEPTH - 1}"] = issue(MAX_DEPTH - 1, labels=("mobile",))
    assert tracer.trace(pr("Fixes #1"), near).status == "aligned"


def test_unfetched_links_say_so(tracer: Tracer) -> None:
    trace = tracer.trace(pr("Fixes #9"))
    assert trace.status == "unaligned"
    assert trace.unresolved == ("#9",)
    assert trace.breaks == "#9 could not be followed"


def test_branch_name_pattern_and_issue_number(tracer: Tracer) -> None:
    assert tracer.trace(WorkItem(kind="branch", key="mobile/login", branch="mobile/login")).objective == "retention"
    linked = {"#17": issue(17, labels=("onboarding",))}
    trace = tracer.trace(WorkItem(kind="branch", key="17-wizard", branch="17-wizard"), linked)
    assert trace.objective == "growth"


def test_changed_paths_are_the_weakest_signal(tracer: Tracer) -> None:
    trace = tracer.trace(commit("Tweak", paths=("README.md", "apps/mobile/src/login.tsx")))
    assert trace.objective == "retention"
    assert trace.hops[0].step == "path apps/mobile/src/login.tsx"


def test_budget_by_title_and_by_author(tracer: Tracer) -> None:
    assert tracer.trace(commit("chore(deps): bump x")).status == "budget"
    bot = tracer.trace(commit("Bump lodash from 4.17.20 to 4.17.21", author="dependabot[bot]", author_is_bot=True))
    assert (bot.status, bot.target and bot.target.id) == ("budget", "maintenance")


def test_exempt_before_anything(tracer: Tracer) -> None:
    trace = tracer.trace(commit("chore: release 2.0\n\nObjective: nope", author="release-please[bot]"))
    assert (trace.status, trace.exempt_because) == ("exempt", "author release-please[bot]")


def test_escape_hatch(tracer: Tracer) -> None:
    trace = tracer.trace(commit("Patch\n\nUnaligned: security patch requested by the auditors"))
    assert (trace.status, trace.escape) == ("escape", "security patch requested by the auditors")
    assert tracer.trace(commit("Patch\n\nUnaligned: TODO")).refused_escape == "TODO"


def test_key_result_reference(tracer: Tracer) -> None:
    assert tracer.trace(commit("x\n\nObjective: retention.churn")).objective == "retention"


def test_branch_unit_reads_every_commit(tracer: Tracer) -> None:
    commits = (commit("wip"), commit("more\n\nInitiative: onboarding"))
    trace = tracer.trace(WorkItem(kind="branch", key="topic", branch="topic", commits=commits))
    assert trace.objective == "growth"


def test_suggestions_are_ranked_deterministic_and_explained(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    item = commit("Make the onboarding wizard faster for new accounts")
    first = suggest(cfg.pyramid(), item)
    assert first == suggest(cfg.pyramid(), item)
    assert first[0].id == "onboarding"
    assert {"onboard", "wizard"} <= set(first[0].matched)
    assert all(0 < s.score <= 1 for s in first)
    assert [s.score for s in first] == sorted((s.score for s in first), reverse=True)
    assert len(suggest(cfg.pyramid(), commit("Make the onboarding wizard faster"), limit=3)) <= 3
    fallback = suggest(cfg.pyramid(), commit("zzz qqq"))
    assert {s.id for s in fallback} == {n.id for n in cfg.pyramid().nodes if n.state == "active"}, "no word matches: every valid id"
    assert all(s.score == 0 and s.matched == () for s in fallback)


def test_work_matching_no_word_still_gets_the_one_line_fix(tmp_path: Path) -> None:
    from checker import app
    from checker.outputs import review, text

    cfg = config(tmp_path)
    result = app.evaluate_config(cfg, [WorkItem(kind="pr", key="9", title="Grwoth experiment zzz")], today=TODAY)
    shown = text.render(result, color=False)
    assert "no words in common with any objective; valid ids, closest first: growth," in shown
    comment = review.body(result, [])
    assert "Valid ids, closest first (add `Objective: <id>`): `growth`" in comment


def test_a_catastrophic_title_pattern_runs_in_linear_time() -> None:
    """`^(a+)+$` against 30 a's and a b took 26 s with a backtracking engine, doubling per character."""
    import time

    from checker.goals.compiled import MatchRule
    from checker.trace import Rule

    rule = Rule(MatchRule(titles=("^(a+)+$",)))
    started = time.perf_counter()
    for length in (30, 1_000, 100_000):
        assert rule.title("a" * length + "b") is None
    assert rule.title("a" * 40) == "^(a+)+$"
    assert time.perf_counter() - started < 1.0
