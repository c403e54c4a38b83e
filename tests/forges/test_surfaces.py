"""checker.forges.surfaces: which place clew runs in, from the variables its CI sets, and each
place's check adapter and report source and target."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.errors import ClewError
from checker.forges import surfaces


def test_ci_is_told_by_its_own_variable() -> None:
    assert surfaces.forge({}) is None
    assert surfaces.forge({"GITHUB_ACTIONS": "true"}) == "github"
    assert surfaces.forge({"GITLAB_CI": "true"}) == "gitlab"
    assert surfaces.forge({"GITHUB_ACTIONS": "false"}) is None


def test_the_event_is_judged_only_where_its_variables_are() -> None:
    assert surfaces.checks_its_event({"GITHUB_ACTIONS": "true"}) is None  # no event file: a plain `clew check`
    found = surfaces.checks_its_event({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": "/tmp/e.json"})
    assert found is not None
    assert found.check == "checker.forges.github.action"
    assert surfaces.checks_its_event({"GITLAB_CI": "true"}) is not None


def test_the_report_reads_the_forge_whose_api_the_environment_can_read() -> None:
    assert surfaces.reads_its_api({}) is None
    assert surfaces.reads_its_api({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "a/b"}) == "github"
    assert surfaces.reads_its_api({"GITLAB_CI": "true", "CLEW_GITLAB_TOKEN": "t"}) == "gitlab"
    assert surfaces.reads_its_api({"CLEW_GITLAB_TOKEN": "t"}) is None  # GitLab's only in its CI


def test_an_unknown_place_is_named_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ClewError, match="choose one of auto, github, gitlab, git"):
        surfaces.report_place("tangle", {}, tmp_path)
