"""A newcomer can add a forge: a `Source`, a `Publisher`, a small adapter calling `app.run`, a
report source and target for `app.report`, and one line in `checker.forges.surfaces.SURFACES`.
This module is such a forge, "Tangle", a test double: its CI sets TANGLE_CI=true and writes the
change to TANGLE_EVENT_PATH as JSON, with the issues it links inline; its API lists the merged
changes (TANGLE_HISTORY, exported from the same repository) and keeps the committed report in a
folder. Nothing in clew knows about it but the one line the tests add.

It must give the same verdicts as `clew check` on local git (the surfaces agree), follow a
linked issue's label to an initiative, judge against the goals at the base, print every
format, publish through its publisher only when there is something to say, and build from the
same history the report local git builds."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from checker import app
from checker.forges import surfaces as ci
from checker.forges.local import git
from checker.goals.file import GoalsFile, goals_file
from checker.report.history import History
from checker.result import Result
from checker.work import WorkItem
from tests.conftest import make_repo
from tests.test_app import CASES, GOALS, GOALS_RULES

# ---- the third forge: what a newcomer writes ----------------------------------------------


class TangleSource:
    """A `Source`: the change from the event file, its linked issues inline (no API call)."""

    def __init__(self, event: Path, root: Path) -> None:
        self.event, self.root = event, root
        self.gathered = 0

    def gather(self, goals: GoalsFile) -> app.Work:
        self.gathered += 1
        data = json.loads(self.event.read_text(encoding="utf-8"))
        issues = {f"#{i['number']}": WorkItem("issue", str(i["number"]), i["title"], labels=tuple(i["labels"])) for i in data["issues"]}
        item = WorkItem(
            "pr",
            str(data["number"]),
            data["title"],
            data["body"],
            branch=data["branch"],
            paths=tuple(git.changed_paths(data["base_sha"], "HEAD", self.root)),
            linked=tuple(issues),
        )
        base = git.show(data["base_sha"], goals.display, self.root)
        return app.Work([item], issues, base, [f"Tangle change {data['number']}"])


class TanglePublisher:
    """A `Publisher`: one sticky comment per change, in a file standing for the forge."""

    def __init__(self, where: Path) -> None:
        self.where = where

    def publish(self, result: Result) -> list[str]:
        trace = result.traces[0]
        if trace.status in ("unaligned", "broken"):
            self.where.write_text(f"{trace.item.name} traces nowhere: {trace.breaks}\n", encoding="utf-8")
            return ["Tangle: comment written"]
        return []


def run(env: Mapping[str, str], cwd: Path, today: dt.date, goals: str | None = None, fmt: str | None = None) -> int:
    """The adapter: a context, the pipeline, the log."""
    root = Path(env.get("TANGLE_WORKSPACE") or cwd)
    source = TangleSource(Path(env["TANGLE_EVENT_PATH"]), root)
    context = app.Context(goals_file(root, goals, None), source, today, publisher=TanglePublisher(root / "tangle-comment.txt"))
    outcome = app.run(context, app.Options(format=fmt or "text"))
    print(outcome.output, end="")
    return outcome.exit_code


class TangleReport:
    """A report source and target: the merged changes from Tangle's export (one JSON record per
    change, as its API would list them), the report kept in a folder standing for the forge."""

    name = "tangle"
    unread = None

    def __init__(self, export: Path, store: Path) -> None:
        self.export, self.store = export, store

    def history(self, pyramid: Any, window: Any, previous: Any, tracer: Any) -> History:
        merged = [
            WorkItem(c["kind"], c["key"], c["title"], c["body"], author=c["author"], merged_at=c["merged_at"], paths=tuple(c["paths"]))
            for c in json.loads(self.export.read_text(encoding="utf-8"))
            if c["merged_at"][:10] >= window.start.isoformat()
        ]
        return History("tangle", merged, notes=["Tangle: read the export"])

    def current(self, paths: Any) -> dict[str, str]:
        return {p: (self.store / p).read_text(encoding="utf-8") if (self.store / p).is_file() else "" for p in paths}

    def commit(self, written: Any) -> str:
        for path in written.changed:
            (self.store / path).parent.mkdir(parents=True, exist_ok=True)
            (self.store / path).write_text(written.files[path], encoding="utf-8")
        return f"Tangle: committed {', '.join(written.changed) or 'nothing'}\n"

    def tally(self) -> str:
        return ""


def source(env: Mapping[str, str], root: Path) -> TangleReport:
    return TangleReport(Path(env["TANGLE_HISTORY"]), root / ".tangle-store")


def target(source: TangleReport, env: Mapping[str, str], root: Path) -> TangleReport:
    return source


ONE_LINE = ci.Surface("tangle", "TANGLE_CI", "TANGLE_EVENT_PATH", __name__, __name__)

# ---- the tests ---------------------------------------------------------------------------


@pytest.fixture
def tangle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ci, "SURFACES", [*ci.SURFACES, ONE_LINE])
    for name in ("GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_EVENT_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TANGLE_CI", "true")


def _change(tmp: Path, title: str, body: str, files: dict[str, str] | None = None, issues: list[dict[str, Any]] | None = None) -> Any:
    repo = make_repo(tmp)
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": GOALS})
    base = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "work")
    repo.commit(f"{title}\n\n{body}" if body else title, files or {"src/app.py": "print(1)\n"})
    event = {"number": 12, "title": title, "body": body, "branch": "work", "base_sha": base, "issues": issues or []}
    (tmp / "event.json").write_text(json.dumps(event), encoding="utf-8")
    return repo


def _json(out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize("case", list(CASES))
def test_a_third_forge_gets_the_verdict_local_git_gets(
    case: str, tmp_path: Path, tangle: None, clew: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    title, body, status, item_rules = CASES[case]
    repo = _change(tmp_path / "repo", title, body)
    monkeypatch.setenv("TANGLE_EVENT_PATH", str(tmp_path / "repo" / "event.json"))
    forge = clew(repo.path, "check", "--format", "json")
    data = _json(forge.out)
    (item,) = data["items"]
    assert item["status"] == status
    rules = {f["rule"] for f in data["findings"]}
    assert rules == item_rules  # the item rules only: the goals rules are not every change's business
    assert not rules & GOALS_RULES
    local = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--range", "main..work", "--format", "json"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    local_data = _json(local.stdout)
    assert local_data["items"][0]["status"] == status
    assert {f["rule"] for f in local_data["findings"]} - GOALS_RULES == item_rules
    assert forge.code == local.returncode
    comment = repo.path / "tangle-comment.txt"
    assert comment.exists() == (status in ("unaligned", "broken"))
    if comment.exists():
        assert comment.read_text(encoding="utf-8").startswith("PR #12 traces nowhere")
        assert "Tangle: comment written" in data["notes"]


def test_a_third_forge_follows_its_linked_issues(tmp_path: Path, tangle: None, clew: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No trailer on the change: the thread runs through the linked issue's label to the initiative."""
    repo = _change(
        tmp_path / "repo", "Redo the settings screen", "", issues=[{"number": 5, "title": "Settings on phones", "labels": ["mobile"]}]
    )
    monkeypatch.setenv("TANGLE_EVENT_PATH", str(tmp_path / "repo" / "event.json"))
    result = clew(repo.path, "check", "--format", "json")
    (item,) = _json(result.out)["items"]
    assert item["status"] == "aligned"
    assert item["objective"] == "retention"
    assert "mobile-ux" in json.dumps(item["hops"])
    assert "#5" in json.dumps(item["hops"])
    assert result.code == 0
    assert not (repo.path / "tangle-comment.txt").exists()


def test_a_third_forge_judges_against_the_goals_at_the_base(
    tmp_path: Path, tangle: None, clew: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change that adds the id it names is judged against the goals it started from."""
    new_goals = GOALS.replace("  - id: growth\n", "  - id: payments\n    title: Take card payments\n  - id: growth\n")
    repo = _change(tmp_path / "repo", "Card form", "Objective: payments", files={"goals.yml": new_goals})
    monkeypatch.setenv("TANGLE_EVENT_PATH", str(tmp_path / "repo" / "event.json"))
    data = _json(clew(repo.path, "check", "--format", "json").out)
    (item,) = data["items"]
    assert item["status"] == "broken"
    assert {f["rule"] for f in data["findings"]} == {"unknown-reference", "goals-changed-in-change"}


@pytest.mark.parametrize("fmt", ["text", "sarif", "github", "gitlab"])
def test_a_third_forge_prints_every_format(fmt: str, tmp_path: Path, tangle: None, clew: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _change(tmp_path / "repo", "Rename a variable", "")
    monkeypatch.setenv("TANGLE_EVENT_PATH", str(tmp_path / "repo" / "event.json"))
    out = clew(repo.path, "check", "--format", fmt).out
    expected = {
        "text": "PR #12",
        "sarif": '"ruleId": "unaligned-work"',
        "github": "::warning title=clew [unaligned-work]::PR #12 traces to no objective",
        "gitlab": '"check_name": "unaligned-work"',
    }[fmt]
    assert expected in out


def test_without_its_line_clew_does_not_know_the_forge(tmp_path: Path, clew: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one line is what makes the difference: without it, `clew check` judges local git."""
    for name in ("GITHUB_ACTIONS", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TANGLE_CI", "true")
    repo = _change(tmp_path / "repo", "Rename a variable", "")
    monkeypatch.setenv("TANGLE_EVENT_PATH", str(tmp_path / "repo" / "event.json"))
    data = _json(clew(repo.path, "check", "--format", "json").out)
    assert data["items"][0]["name"].startswith("branch work")
    assert not (repo.path / "tangle-comment.txt").exists()


def _merged_history(tmp: Path) -> tuple[Any, list[dict[str, Any]]]:
    """A repository whose main line is a direct commit and three merged pull requests (one
    untraced), and the same changes as Tangle's export lists them."""
    repo = make_repo(tmp)
    root = repo.commit("Add goals\n\nObjective: retention", {"goals.yml": GOALS})
    first = {
        "kind": "commit",
        "key": root,
        "title": "Add goals",
        "body": "Objective: retention",
        "author": "Test Dev",
        "paths": ["goals.yml"],
    }
    export = [{**first, "merged_at": repo.git("log", "-1", "--format=%cI")}]
    for number, (branch, subject, body, path) in enumerate(
        [
            ("mobile/login", "Login screen", "", "apps/mobile/login.kt"),
            ("signup", "Signup wizard", "Initiative: onboarding", "src/signup.py"),
            ("tweaks", "Rename a variable", "", "src/util.py"),
        ],
        start=21,
    ):
        repo.git("checkout", "-q", "-b", branch, "main")
        repo.commit(f"{subject}\n\n{body}".strip(), {path: f"{subject}\n"})
        repo.git("checkout", "-q", "main")
        message = f"Merge pull request #{number} from acme/{branch}\n\n{subject}\n\n{body}".strip()
        repo.git("merge", "-q", "--no-ff", branch, "-m", message)
        merged_at = repo.git("log", "-1", "--format=%cI")
        export.append(
            {
                "kind": "pr",
                "key": str(number),
                "title": subject,
                "body": f"{subject}\n\n{body}".strip(),
                "author": "Test Dev",
                "merged_at": merged_at,
                "paths": [path],
            }
        )
    (tmp / "export.json").write_text(json.dumps(export), encoding="utf-8")
    return repo, export


def test_a_third_forges_report_is_the_report_local_git_builds(
    tmp_path: Path, tangle: None, clew: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = _merged_history(tmp_path / "repo")
    monkeypatch.setenv("TANGLE_HISTORY", str(tmp_path / "repo" / "export.json"))
    forge = clew(repo.path, "report", "--source", "tangle", "--format", "json")
    local = clew(repo.path, "report", "--source", "git", "--format", "json")
    assert forge.code == local.code == 0, forge.err + local.err
    ours, theirs = json.loads(forge.out), json.loads(local.out)
    assert ours["source"] == "tangle"
    assert "Tangle: read the export" in ours["notes"]
    assert ours["headline"] == theirs["headline"]
    assert {(i["name"], i["status"], i["target"]) for i in ours["items"]} == {
        (i["name"], i["status"], i["target"]) for i in theirs["items"]
    }
    assert [(o["id"], o["status"], o["merged"]) for o in ours["objectives"]] == [
        (o["id"], o["status"], o["merged"]) for o in theirs["objectives"]
    ]


def test_a_third_forge_keeps_the_committed_report(tmp_path: Path, tangle: None, clew: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = _merged_history(tmp_path / "repo")
    monkeypatch.setenv("TANGLE_HISTORY", str(tmp_path / "repo" / "export.json"))
    first = clew(repo.path, "report", "--source", "tangle", "--commit")
    assert first.code == 0, first.err
    assert "Tangle: committed ALIGNMENT.md, alignment.json" in first.out
    assert json.loads((repo.path / ".tangle-store" / "alignment.json").read_text())["headline"]["merged"] == 4
    again = clew(repo.path, "report", "--source", "tangle", "--commit")
    assert "Tangle: committed nothing" in again.out  # the store holds this report: only the timestamp would change
