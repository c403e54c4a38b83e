"""Objective status: pure, explainable, deterministic."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.status import Inputs, Linked, Thresholds, compute

TODAY = dt.date(2026, 11, 21)
START, DUE = dt.date(2026, 7, 1), dt.date(2027, 3, 31)


def obj(**changes: object) -> Inputs:
    base = Inputs("retention", "Retention", "active", START, DUE, (), (), 0)
    return base._replace(**changes)


def test_the_example_from_the_issue() -> None:
    issues = tuple(Linked(f"#{n}", open=True, blocked=n < 3, blocked_since=TODAY - dt.timedelta(days=5)) for n in range(7))
    result = compute(
        obj(kr_progress=(("churn", 0.30),), issues=issues, due=TODAY + dt.timedelta(days=12), start=TODAY - dt.timedelta(days=28)), TODAY
    )
    assert result.status == "off-track"
    assert "3 of 7 linked issues blocked for more than 3 days" in result.update
    assert "key-result progress 30% at 70% of the time" in result.update
    assert result.update.endswith("12 days to the due date.")
    assert result.update.startswith("Retention is off track:")


def test_on_track() -> None:
    result = compute(obj(kr_progress=(("a", 0.5),), merged=4), TODAY)
    assert result.status == "on-track"
    assert result.reasons == ("key-result progress 50% at 52% of the time", "4 merged changes in the window")


def test_at_risk_when_progress_trails() -> None:
    assert compute(obj(kr_progress=(("a", 0.30),)), TODAY).status == "at-risk"


def test_off_track_when_past_due() -> None:
    result = compute(obj(due=dt.date(2026, 11, 1), kr_progress=(("a", 0.9),)), TODAY)
    assert result.status == "off-track"
    assert "past its due date 2026-11-01 by 20 days" in result.reasons


def test_issue_share_without_key_results() -> None:
    issues = (Linked("#1", open=False), Linked("#2", open=False), Linked("#3", open=True, updated=TODAY))
    result = compute(obj(issues=issues), TODAY)
    assert result.progress == pytest.approx(2 / 3)
    assert result.status == "on-track"


def test_stale_issues_put_it_at_risk() -> None:
    old = TODAY - dt.timedelta(days=30)
    issues = (Linked("#1", open=True, updated=old), Linked("#2", open=True, updated=old), Linked("#3", open=True, updated=TODAY))
    result = compute(obj(issues=issues, start=None), TODAY, Thresholds(stale_days=14))
    assert result.status == "at-risk"
    assert result.stale == 2


def test_no_data_and_achieved() -> None:
    assert compute(obj(), TODAY).status == "no-data"
    assert compute(obj(state="achieved"), TODAY).status == "achieved"


def test_same_inputs_same_output() -> None:
    a = obj(kr_progress=(("a", 0.3),), issues=(Linked("#1", open=True, blocked=True),))
    assert compute(a, TODAY) == compute(a, TODAY)


def test_thresholds_are_configurable() -> None:
    o = obj(kr_progress=(("a", 0.30),))
    assert compute(o, TODAY, Thresholds(at_risk_margin=0.5, off_track_margin=0.9)).status == "on-track"
