"""Writing and committing the report safely: no write through a symlink or outside the
repository, atomic files, a `--commit` that finishes what an interrupted run left, and a
report commit that passes clew's own checks in any repository."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from checker.safewrite import TEMP_PREFIX
from tests.conftest import Repo, clew_process, goals_text


def _history(repo: Repo, goals: str | None = None) -> None:
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals or goals_text()})
    repo.commit("Faster wizard (#42)\n\nInitiative: onboarding", {"src/wizard.py": "x = 1\n"})


def _with_report(goals: str, **paths: str) -> str:
    lines = "".join(f"  {key}: {value!r}\n" for key, value in paths.items())
    return goals + f"report:\n{lines}"


# --- writes stay inside the repository (item 3)


def test_a_committed_report_symlink_is_not_written_through(repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    _history(repo)
    os.symlink(outside, repo.path / "ALIGNMENT.md")
    repo.git("add", "ALIGNMENT.md")
    repo.git("commit", "-q", "-m", "Link\n\nObjective: retention")
    run = clew_process(repo.path, "report")
    assert run.code == 2, run.out + run.err
    assert "report.markdown (default 'ALIGNMENT.md'): 'ALIGNMENT.md' is a symbolic link" in run.err
    assert outside.read_text() == "precious\n"
    assert "Traceback" not in run.err


def test_a_symlinked_report_directory_creates_nothing_outside(repo: Repo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _history(repo, _with_report(goals_text(), markdown="out/ALIGNMENT.md", json="out/alignment.json"))
    os.symlink(elsewhere, repo.path / "out")
    run = clew_process(repo.path, "report")
    assert run.code == 2
    assert "goes through 'out', which is a symbolic link" in run.err
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        (".git/hooks/pre-commit", "is inside .git"),
        ("sub/.GIT/config", "is inside .git"),
        ("goals.yml", "is the goals file itself"),
        ("alignment.json", "name the same file"),
    ],
)
def test_report_paths_that_must_never_be_written_are_refused_at_their_line(repo: Repo, markdown: str, message: str) -> None:
    goals = _with_report(goals_text(), markdown=markdown)
    line = goals.splitlines().index(f"  markdown: {markdown!r}") + 1
    _history(repo, goals)
    before = {p: p.read_bytes() for p in (repo.path / ".git" / "hooks").iterdir() if p.is_file()}
    run = clew_process(repo.path, "report")
    assert run.code == 2, run.err
    assert message in run.err
    assert f"goals.yml:{line}: report.markdown" in run.err or f"goals.yml:{line + 1}: report.json" in run.err
    assert not (repo.path / ".git" / "hooks" / "pre-commit").exists()
    assert {p: p.read_bytes() for p in (repo.path / ".git" / "hooks").iterdir() if p.is_file()} == before
    assert (repo.path / "goals.yml").read_text() == goals


def test_a_directory_where_the_report_goes_is_a_clear_error(repo: Repo) -> None:
    _history(repo, _with_report(goals_text(), markdown="docs"))
    (repo.path / "docs").mkdir()
    run = clew_process(repo.path, "report")
    assert run.code == 2, run.err
    assert "'docs' is a directory" in run.err


def test_files_are_written_whole_with_the_usual_mode(repo: Repo) -> None:
    _history(repo)
    assert clew_process(repo.path, "report").code == 0
    json.loads((repo.path / "alignment.json").read_text())
    assert stat.S_IMODE((repo.path / "ALIGNMENT.md").stat().st_mode) & 0o644 == 0o644
    assert not [p for p in repo.path.iterdir() if p.name.startswith(TEMP_PREFIX)]


# --- --commit compares with the committed report and finishes an interrupted run (item 4)


def test_commit_after_a_plain_report_still_commits(repo: Repo) -> None:
    _history(repo)
    assert clew_process(repo.path, "report").code == 0
    run = clew_process(repo.path, "report", "--commit")
    assert run.code == 0, run.err
    assert "committed ALIGNMENT.md, alignment.json" in run.out
    assert repo.git("status", "--porcelain") == ""


def test_a_run_killed_before_its_commit_is_finished_by_the_next(repo: Repo, tmp_path: Path) -> None:
    _history(repo)
    shim = tmp_path / "shim"
    shim.mkdir()
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    (shim / "git").write_text(
        f'#!/bin/sh\nfor a in "$@"; do [ "$a" = commit ] && {{ kill -TERM $PPID; sleep 5; exit 1; }}; done\nexec {real} "$@"\n'
    )
    (shim / "git").chmod(0o755)
    killed = clew_process(repo.path, "report", "--commit", env={"PATH": f"{shim}:{os.environ['PATH']}"})
    assert killed.code == -15, (killed.code, killed.err)
    assert "alignment.json" in repo.git("diff", "--cached", "--name-only"), "the kill came after staging"
    (repo.path / f"{TEMP_PREFIX}999-alignment.json").write_text('{"trunc')  # what a kill during a write leaves
    again = clew_process(repo.path, "report", "--commit")
    assert again.code == 0, again.err
    assert "committed" in again.out
    committed = repo.git("show", "HEAD:alignment.json")
    assert json.loads(committed)["headline"]["merged"] >= 1
    assert repo.git("status", "--porcelain") == ""
    assert not [p for p in repo.path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_a_truncated_working_copy_is_repaired_and_committed(repo: Repo) -> None:
    _history(repo)
    assert clew_process(repo.path, "report", "--commit").code == 0
    repo.commit("More work\n\nObjective: growth", {"src/more.py": "y = 2\n"})
    (repo.path / "alignment.json").write_text('{"generated_at": "2026')
    run = clew_process(repo.path, "report", "--commit")
    assert run.code == 0, run.err
    json.loads((repo.path / "alignment.json").read_text())
    assert repo.git("status", "--porcelain") == ""


def test_two_concurrent_report_commits_make_one_commit_and_both_succeed(repo: Repo) -> None:
    _history(repo)
    before = int(repo.git("rev-list", "--count", "HEAD"))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "checker", "report", "--commit"],
            cwd=repo.path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    assert int(repo.git("rev-list", "--count", "HEAD")) == before + 1
    assert repo.git("status", "--porcelain") == ""


# --- the report commit passes clew's own checks everywhere (item 5)


def _strict(goals: str) -> str:
    assert "  extends: default\n" in goals
    return goals.replace("  extends: default\n", "  extends: strict\n")


@pytest.mark.parametrize("page", [(), ("--html",)], ids=["markdown-and-json", "with-the-page"])
def test_the_report_commit_passes_the_strict_pre_push_hook_without_a_report_id(repo: Repo, tmp_path: Path, page: tuple[str, ...]) -> None:
    goals = _strict(goals_text())
    assert "id: report" not in goals
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "remote.git")], check=True)
    repo.git("remote", "add", "origin", str(tmp_path / "remote.git"))
    _history(repo, goals)
    assert clew_process(repo.path, "hook", "install").code == 0
    assert subprocess.run(["git", "push", "-q", "origin", "main"], cwd=repo.path, capture_output=True, check=False).returncode == 0
    assert clew_process(repo.path, "report", "--commit", *page).code == 0
    assert ("alignment.html" in repo.git("show", "--name-only", "--format=", "HEAD")) == bool(page)
    push = subprocess.run(["git", "push", "origin", "main"], cwd=repo.path, capture_output=True, text=True, check=False)
    assert push.returncode == 0, push.stderr
    per_commit = clew_process(repo.path, "check", "--range", "HEAD~1..HEAD", "--per-commit")
    assert per_commit.code == 0, per_commit.out + per_commit.err
    assert "clew's own report commit" in per_commit.out


def test_the_trailer_on_real_work_exempts_nothing(repo: Repo) -> None:
    _history(repo, _strict(goals_text()))
    repo.commit("Sneaky change\n\nClew-Report: v1", {"src/app.py": "z = 3\n"})
    run = clew_process(repo.path, "check", "--range", "HEAD~1..HEAD", "--per-commit")
    assert run.code == 1, run.out
    assert "clew's own report commit" not in run.out


def test_the_local_report_counts_its_own_commits_as_exempt(repo: Repo) -> None:
    _history(repo)
    assert clew_process(repo.path, "report", "--commit").code == 0
    repo.commit("More work\n\nObjective: growth", {"src/more.py": "y = 2\n"})
    assert clew_process(repo.path, "report", "--commit").code == 0
    data = json.loads((repo.path / "alignment.json").read_text())
    rows = [row for row in data["items"] if row["title"].startswith("clew: update the alignment report")]
    assert rows
    assert {row["status"] for row in rows} == {"exempt"}, rows


# --- a shallow clone says what it misses (item 8)


def test_a_shallow_clone_says_what_the_report_misses_and_how_to_fix_it(repo: Repo, tmp_path: Path) -> None:
    import datetime as dt

    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    today = dt.date.today()
    for days_ago in range(60, 0, -6):
        stamp = f"{(today - dt.timedelta(days=days_ago)).isoformat()}T10:00:00+00:00"
        repo.write(f"src/f{days_ago}.py", "x\n")
        repo.git("add", "-A")
        repo.git(
            "commit", "-q", "-m", f"Change {days_ago}\n\nObjective: growth", env={"GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}
        )
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{repo.path}", str(shallow)], check=True)
    run = clew_process(shallow, "report", env={"GITHUB_ACTIONS": "true"})
    assert run.code == 0, run.err
    assert "this is a shallow clone: history stops at" in run.err
    assert "set `fetch-depth: 0` on actions/checkout" in run.err
    assert "shallow clone" in (shallow / "ALIGNMENT.md").read_text()
    gitlab = clew_process(shallow, "report", "--dry-run", env={"GITLAB_CI": "true"})
    assert "`GIT_DEPTH: 0`" in gitlab.err
    full = clew_process(repo.path, "report", "--dry-run")
    assert "shallow" not in full.err
