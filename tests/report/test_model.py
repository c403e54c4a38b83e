"""checker.report.model: the previous report's reusable part, read with the json module alone,
and refused whenever it was not built against the same goals or holds rows of the wrong shape."""

from __future__ import annotations

import datetime as dt
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


def test_a_report_as_of_a_past_date_holds_nothing_merged_after_it(tmp_path: Path) -> None:
    """A forge returns what is merged up to today; a report `--until` a past date counts none of
    the later work, neither read again nor from the previous report's rows."""
    pyramid = config(tmp_path).pyramid()
    work = [
        WorkItem(kind="pr", key=str(n), title="x", body="Objective: growth", merged_at=f"2026-{n:02d}-10T10:00:00+00:00")
        for n in range(1, 12)
    ]
    later = {"name": "PR #99", "merged_at": "2026-10-01T10:00:00+00:00"}
    previous = [
        {**report_of(pyramid, work[:1], today=dt.date(2026, 11, 21), window_start=dt.date(2026, 1, 1), source="github").items[0], **later}
    ]
    report = report_of(pyramid, work, today=dt.date(2026, 6, 30), window_start=dt.date(2026, 1, 1), source="github", previous=previous)
    assert [r["name"] for r in report.items] == [f"PR #{n}" for n in range(6, 0, -1)]
    assert report.headline.merged == 6
    assert report.window.end == "2026-06-30"
