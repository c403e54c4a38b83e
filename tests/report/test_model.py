"""checker.report.model: the previous report's reusable part, read with the json module alone,
and refused whenever it was not built against the same goals or holds rows of the wrong shape."""

from __future__ import annotations

import json
from pathlib import Path

from checker.report import model as m
from checker.report.render import json_text
from checker.work import WorkItem
from tests.helpers import TODAY, config, report_of


def _report(tmp: Path, digest: str) -> str:
    items = [WorkItem("pr", str(n), f"Change {n}", "Objective: retention", merged_at=f"2026-11-{n:02d}T10:00:00Z") for n in range(1, 6)]
    built = report_of(config(tmp).pyramid(), items, today=TODAY, window_start=TODAY.replace(day=1), source="github", goals_digest=digest)
    return json_text(built)


def test_a_report_built_against_the_same_goals_is_reused(tmp_path: Path) -> None:
    found = m.read_previous(_report(tmp_path, "d1"), "d1")
    assert found is not None
    assert [r["name"] for r in found.rows] == [f"PR #{n}" for n in range(5, 0, -1)]
    assert found.last_merged_at == "2026-11-05T10:00:00Z"


def test_other_goals_another_format_or_bad_rows_are_not_reused(tmp_path: Path) -> None:
    text = _report(tmp_path, "d1")
    assert m.read_previous(text, "d2") is None
    data = json.loads(text)
    assert m.read_previous(json.dumps({**data, "format": 99}), "d1") is None
    data["items"][0]["status"] = 7  # a hand-edited row
    assert m.read_previous(json.dumps(data), "d1") is None
    for bad in ("", "{", "[]", '{"watermark": 3}'):
        assert m.read_previous(bad, "d1") is None
