"""checker.report.files: the report as files, which changed in more than their timestamp, the
diff of a dry run, and paths that could never be written safely refused before anything is."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from checker import safewrite
from checker.goals.file import report_settings_where
from checker.report import files
from tests.conftest import goals_text
from tests.helpers import TODAY, config, report_of


def _made(tmp: Path, goals: str) -> tuple[object, object]:
    pyramid = config(tmp, goals).pyramid()
    return pyramid, report_of(pyramid, [], today=TODAY, window_start=TODAY, source="git", generated_at="2026-11-21T08:00:00+00:00")


def test_the_files_and_what_changed(tmp_path: Path) -> None:
    pyramid, report = _made(tmp_path, goals_text())
    where = report_settings_where(goals_text().encode(), "goals.yml", pyramid.report)  # type: ignore[attr-defined]
    first = files.render(pyramid, report, {}, where, html=True)  # type: ignore[arg-type]
    assert list(first.files) == ["ALIGNMENT.md", "alignment.json", "alignment.html"]
    assert first.changed == list(first.files)
    later = dataclasses.replace(report, generated_at="2026-11-22T08:00:00+00:00")  # type: ignore[type-var]
    again = files.render(pyramid, later, first.files, where, html=True)  # type: ignore[arg-type]
    assert again.changed == []
    assert files.diff(first.files, again).startswith("clew: the report is unchanged")
    assert files.document(first, "json") == first.files["alignment.json"]


def test_two_settings_naming_one_file_are_refused_at_the_line_that_names_it(tmp_path: Path) -> None:
    goals = goals_text() + "report:\n  markdown: report.md\n  json: report.md\n"
    pyramid, report = _made(tmp_path, goals)
    where = report_settings_where(goals.encode(), "goals.yml", pyramid.report)  # type: ignore[attr-defined]
    with pytest.raises(
        safewrite.UnsafePath, match=r"goals\.yml:\d+: report\.markdown: report\.markdown and report\.json name the same file"
    ):
        files.render(pyramid, report, {}, where, html=False)  # type: ignore[arg-type]
