"""Key results that measure themselves: `source:` read from a JSON/CSV file or a
command at each report run, recorded with its date in alignment.json, forecast
to the due date, and status that follows the trend. A source that fails is a
reason, never a crash and never an old value. Initiatives roll up."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest

from checker.forges.metrics import follow, measure
from checker.report import build as report_build
from checker.status import Child, Inputs, compute, fit, forecast
from tests.conftest import Repo, clew_process

# --- pointers and values --------------------------------------------------------------------------


def test_follow_names_the_step_that_breaks() -> None:
    data = {"churn": {"monthly": [4.4, "4.1%"]}, "flag": True, "text": "n/a"}
    assert follow(data, "$.churn.monthly[0]") == 4.4
    assert follow(data, "$.churn.monthly[-1]") == 4.1  # "4.1%" reads as 4.1
    with pytest.raises(ValueError, match=r"\$.churn has no key 'weekly' \(it has: monthly\)"):
        follow(data, "$.churn.weekly")
    with pytest.raises(ValueError, match=r"has 2 entries, so it has no \[5\]"):
        follow(data, "$.churn.monthly[5]")
    with pytest.raises(ValueError, match="is true, not a number"):
        follow(data, "$.flag")
    with pytest.raises(ValueError, match="is the text 'n/a', not a number"):
        follow(data, "$.text")
    with pytest.raises(ValueError, match="is an object, not a number"):
        follow(data, "$.churn")
    with pytest.raises(ValueError, match="not a finite number"):
        follow({"x": "nan"}, "$.x")


def test_measure_json_csv_and_failures(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "churn.json").write_text('{"monthly": {"value": 3.6}}')
    (tmp_path / "m" / "churn.csv").write_text("month,churn\n2026-10,4.2\n2026-11,3.9\n")
    (tmp_path / "m" / "broken.json").write_text('{"monthly": \n  [1, }')
    assert measure(tmp_path, {"file": "m/churn.json", "pointer": "$.monthly.value"}).value == 3.6
    taken = measure(tmp_path, {"file": "m/churn.csv", "pointer": "$[-1].churn"})
    assert (taken.value, taken.error, taken.origin) == (3.9, None, "m/churn.csv $[-1].churn")
    missing = measure(tmp_path, {"file": "m/nope.json", "pointer": "$.x"})
    assert missing.value is None
    assert "does not exist (the step that writes it must run before `clew report`)" in (missing.error or "")
    broken = measure(tmp_path, {"file": "m/broken.json", "pointer": "$.x"})
    assert broken.value is None
    assert "not valid JSON (line 2, column" in (broken.error or "")


def test_a_metrics_file_linked_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.json"
    outside.write_text('{"x": 1}')
    root = tmp_path / "repo"
    root.mkdir()
    (root / "m.json").symlink_to(outside)
    taken = measure(root, {"file": "m.json", "pointer": "$.x"})
    assert taken.value is None
    assert "leads outside the repository" in (taken.error or "")


@pytest.mark.slow
def test_measure_a_command(tmp_path: Path) -> None:
    py = sys.executable
    assert measure(tmp_path, {"command": [py, "-c", "print(' 12.5 ')"]}).value == 12.5
    assert measure(tmp_path, {"command": [py, "-c", "print('{\"p95\": 180}')"], "pointer": "$.p95"}).value == 180
    failed = measure(tmp_path, {"command": [py, "-c", "import sys; sys.exit('db unreachable')"]})
    assert failed.value is None
    assert failed.error == f"the command {py!r} exited with 1: db unreachable"
    two = measure(tmp_path, {"command": [py, "-c", "print(1); print(2)"]})
    assert "printed 2 lines" in (two.error or "")
    assert "was not found" in (measure(tmp_path, {"command": ["no-such-program-clew"]}).error or "")
    started = dt.datetime.now()
    slow = measure(tmp_path, {"command": [py, "-c", "import time; time.sleep(30)"], "timeout": 1})
    assert "did not finish within 1 s" in (slow.error or "")
    assert (dt.datetime.now() - started).total_seconds() < 10


def test_a_command_does_not_see_the_forge_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    monkeypatch.setenv("CLEW_GITLAB_TOKEN", "glpat_secret")
    code = "import os; print(len([k for k in os.environ if 'TOKEN' in k]))"
    assert measure(tmp_path, {"command": [sys.executable, "-c", code]}).value == 0


# --- the goals file -------------------------------------------------------------------------------

BASE = """\
version: 1
mission: Keep customers
objectives:
  - id: retention
    title: Keep customers longer
    start: 2026-10-01
    due: 2027-03-31
    key_results:
      - id: churn
        title: Monthly churn (%)
        baseline: 5.0
        target: 3.0
        unit: "%"
{source}
"""


@pytest.mark.parametrize(
    ("source", "line", "said"),
    [
        ("        current: 4\n        source: {file: m.json, pointer: $.x}", 9, "remove `current:`"),
        ("        source: {file: m.json, command: [echo, one], pointer: $.x}", 14, "either `file:`"),
        ("        source: {file: m.json}", 14, "`pointer:` is required with `file:`"),
        ("        source:\n          file: m.json\n          pointer: churn", 16, "start it with `$`"),
        ("        source: {file: ../m.json, pointer: $.x}", 14, "leaves the repository"),
        ("        source: {command: 'python \"unclosed', pointer: $.x}", 14, "invalid command"),
    ],
)
def test_bad_sources_are_refused_at_file_line(tmp_path: Path, source: str, line: int, said: str) -> None:
    (tmp_path / "goals.yml").write_text(BASE.format(source=source))
    run = clew_process(tmp_path, "validate")
    assert run.code == 2, run.err + run.out
    text = run.out + run.err
    assert f"goals.yml:{line}" in text, text
    assert said in text, text
    assert "Traceback" not in text


# --- forecasts ------------------------------------------------------------------------------------


def test_fit_is_least_squares_and_deterministic() -> None:
    d = dt.date(2026, 11, 1)
    points = [(d, 5.0), (d + dt.timedelta(days=10), 4.5), (d + dt.timedelta(days=20), 4.0)]
    assert fit(points, d + dt.timedelta(days=40)) == pytest.approx(3.0)
    noisy = [(d, 5.0), (d + dt.timedelta(days=10), 4.7), (d + dt.timedelta(days=20), 4.0)]
    assert fit(noisy, d + dt.timedelta(days=20)) == pytest.approx(4.0 + 0.0666667, abs=1e-4)  # the line, not the last point
    assert fit([(d, 5.0), (d, 4.0)], d) is None  # one day is no trend
    f = forecast("churn", points, baseline=5.0, target=3.0, due=d + dt.timedelta(days=30), unit="%")
    assert f is not None
    assert f.at_due == pytest.approx(3.5)
    assert f.progress_at_due == pytest.approx(0.75)
    assert forecast("churn", points, baseline=5.0, target=3.0, due=d + dt.timedelta(days=5)) is None  # readings past due
    assert forecast("churn", points, baseline=5.0, target=3.0, due=None) is None


def test_status_follows_the_forecast_with_its_reason() -> None:
    d, due = dt.date(2026, 11, 1), dt.date(2027, 3, 31)
    slow = [(d, 5.0), (d + dt.timedelta(days=30), 4.8)]  # 0.2 a month: 4.0 by the end of March
    f = forecast("churn", slow, baseline=5.0, target=3.0, due=due, unit="%")
    assert f is not None
    status = compute(Inputs("r", "Retention", "active", d, due, (), (), 3, forecasts=(f,)), d + dt.timedelta(days=30))
    assert status.status == "off-track"  # 50% short of the target at the due date
    assert status.reasons[0] == (
        "at this pace churn reaches 3.8% by 2027-03-31; target 3% (linear fit over 2 readings since 2026-11-01)"
    ).replace("3.8%", f"{f.at_due:.3g}%")
    close = forecast("churn", [(d, 5.0), (d + dt.timedelta(days=30), 4.7)], baseline=5.0, target=3.0, due=due, unit="%")
    assert close is not None
    assert 0 < 1 - close.progress_at_due <= 0.35
    assert compute(Inputs("r", "R", "active", d, due, (), (), 3, forecasts=(close,)), d + dt.timedelta(days=30)).status == "at-risk"
    fast = forecast("churn", [(d, 5.0), (d + dt.timedelta(days=30), 4.0)], baseline=5.0, target=3.0, due=due, unit="%")
    assert fast is not None
    on = compute(Inputs("r", "R", "active", d, due, (), (), 3, forecasts=(fast,)), d + dt.timedelta(days=30))
    assert on.status == "on-track"
    assert any(r.startswith("at this pace churn reaches") for r in on.reasons)


def test_an_unmeasured_key_result_and_a_struggling_initiative_roll_up() -> None:
    today = dt.date(2026, 12, 1)
    unmeasured = compute(Inputs("r", "R", "active", None, None, (), (), 2, unmeasured=(("churn", "m.json does not exist"),)), today)
    assert unmeasured.status == "at-risk"
    assert unmeasured.reasons[0] == "key result churn could not be measured: m.json does not exist"
    child = Child("mobile-ux", "off-track", "3 of 4 linked issues blocked for more than 3 days")
    rolled = compute(Inputs("r", "R", "active", None, None, (), (), 2, children=(child,)), today)
    assert rolled.status == "off-track"
    assert rolled.reasons[0] == "initiative mobile-ux is off track: 3 of 4 linked issues blocked for more than 3 days"
    fine = compute(Inputs("r", "R", "active", None, None, (), (), 2, children=(child._replace(status="on-track"),)), today)
    assert fine.status == "on-track"


def test_readings_are_bounded_and_old_files_are_tolerated() -> None:
    assert report_build.readings_of("not json") == {}
    assert report_build.readings_of('{"objectives": [{"id": "r", "key_results": [{"id": "k", "history": "x"}]}]}') == {}
    history = [{"date": (dt.date(2026, 1, 1) + dt.timedelta(days=i)).isoformat(), "value": i} for i in range(300)]
    text = json.dumps({"objectives": [{"id": "r", "key_results": [{"id": "k", "history": [*history, {"date": "bad", "value": 1}]}]}]})
    assert len(report_build.readings_of(text)["r.k"]) == 300
    assert report_build.READINGS == 120


# --- end to end: a key result fed by a file ---------------------------------------------------------


GOALS_WITH_SOURCE = BASE.format(source="        source:\n          file: metrics/churn.json\n          pointer: $.monthly.churn")


def _report(repo: Repo, day: str, churn: float | None) -> tuple[dict, str]:  # type: ignore[type-arg]
    if churn is not None:
        repo.write("metrics/churn.json", json.dumps({"monthly": {"churn": churn}}))
    elif (repo.path / "metrics/churn.json").exists():
        os.remove(repo.path / "metrics/churn.json")
    run = clew_process(repo.path, "report", env={"CLEW_TODAY": day})
    assert run.code == 0, run.err
    data = json.loads((repo.path / "alignment.json").read_text())
    return data["objectives"][0], run.err


def test_a_key_result_fed_by_a_file_changes_status_when_the_file_changes(repo: Repo) -> None:
    repo.commit("Start\n\nObjective: retention", {"goals.yml": GOALS_WITH_SOURCE, "app.py": "x = 1\n"})
    row, _ = _report(repo, "2026-11-01", 4.9)
    kr = row["key_results"][0]
    assert kr["current"] == 4.9
    assert kr["source"] == "metrics/churn.json $.monthly.churn"
    assert kr["history"] == [{"date": "2026-11-01", "value": 4.9}]
    assert kr["forecast"] is None
    row, _ = _report(repo, "2026-11-15", 4.8)  # 0.1 in two weeks: nowhere near 3.0 by March
    kr = row["key_results"][0]
    assert [r["value"] for r in kr["history"]] == [4.9, 4.8]
    assert row["status"] == "off-track", row["reasons"]
    assert kr["forecast"]["date"] == "2027-03-31"
    assert kr["forecast"]["value"] == pytest.approx(4.9 - 0.1 * 150 / 14, abs=1e-3)
    assert row["reasons"][0].startswith("at this pace churn reaches 3.83% by 2027-03-31; target 3%")
    row, _ = _report(repo, "2026-11-15", 4.1)  # the same day again: the reading is replaced, not added
    assert [r["value"] for r in row["key_results"][0]["history"]] == [4.9, 4.1]
    row, _ = _report(repo, "2026-11-29", 3.9)  # falling fast now: the line reaches the target
    assert row["status"] == "on-track", row["reasons"]
    assert any(r.startswith("at this pace churn reaches") for r in row["reasons"])
    markdown = (repo.path / "ALIGNMENT.md").read_text()
    assert "## Key results over time" in markdown
    assert "xychart-beta" in markdown

    # The file disappears: the key result is unmeasured (not its last value), and the objective says so.
    row, err = _report(repo, "2026-12-01", None)
    kr = row["key_results"][0]
    assert kr["current"] is None
    assert kr["progress"] is None
    assert "does not exist" in kr["error"]
    assert row["status"] == "at-risk"
    assert "key result churn could not be measured: 'metrics/churn.json' does not exist" in row["reasons"][0]
    assert "clew: warning: key result retention.churn was not measured (metrics/churn.json $.monthly.churn)" in err
    assert [r["date"] for r in kr["history"]] == ["2026-11-01", "2026-11-15", "2026-11-29"]  # the record is kept
    assert "not measured" in (repo.path / "ALIGNMENT.md").read_text()


def test_a_command_source_in_a_report(repo: Repo) -> None:
    goals = BASE.format(source=f"        source:\n          command: [{json.dumps(sys.executable)}, -c, 'print(4.2)']")
    repo.commit("Start\n\nObjective: retention", {"goals.yml": goals})
    row, _ = _report(repo, "2026-11-01", None)
    assert row["key_results"][0]["current"] == 4.2
    assert row["key_results"][0]["error"] is None


def test_an_initiative_with_blocked_issues_names_itself_in_its_objective() -> None:
    import tempfile

    from tests.report.test_render import dataset

    with tempfile.TemporaryDirectory() as tmp:
        _, report = dataset(Path(tmp))
    retention = next(o for o in report.objectives if o.id == "retention")
    mobile = next(i for i in retention.initiatives if i.id == "mobile-ux")
    assert (mobile.status, mobile.blocked) == ("at-risk", 1)
    assert retention.status == "at-risk"
    assert retention.reasons[0] == "initiative mobile-ux is at risk: 1 of 1 linked issues blocked for more than 3 days"
    assert retention.blocked == 1  # the objective's counts cover its initiatives' issues
