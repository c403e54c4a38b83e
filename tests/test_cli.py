from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from checker import __version__
from checker.commands.init import starter
from checker.goals.config import load_config
from checker.term import use_color
from tests.conftest import ROOT, clew_process, goals_text, make_repo


def test_version(clew, tmp_path: Path) -> None:
    run = clew(tmp_path, "--version")
    assert run.code == 0
    assert run.out.strip() == f"clew {__version__}"


def test_python_dash_m_works(tmp_path: Path) -> None:
    run = clew_process(tmp_path, "--version")
    assert run.code == 0
    assert run.out.strip() == f"clew {__version__}"


def test_validate_summarises_the_pyramid(clew, tmp_path: Path) -> None:
    (tmp_path / "goals.yml").write_text(goals_text())
    run = clew(tmp_path, "validate")
    assert run.code == 0, run.err
    assert "goals.yml is valid: 2 objectives, 1 key result, 2 initiatives, 1 budget (policy: default)" in run.out


def test_validate_exit_1_when_goals_rules_fail(clew, tmp_path: Path) -> None:
    text = goals_text().replace('    owner: "@jane"\n', "") + "  rules:\n    objective-has-owner: error\n"
    (tmp_path / "goals.yml").write_text(text)
    run = clew(tmp_path, "validate")
    assert run.code == 1
    assert re.search(r"goals.yml:4:\d+: error \[objective-has-owner\] objective retention has no owner", run.out)


def test_usage_error_exits_2(clew, tmp_path: Path) -> None:
    run = clew(tmp_path, "check", "--format", "yaml")
    assert run.code == 2
    assert "Invalid value for '--format'" in run.err


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(clew, tmp_path: Path) -> None:
    run = clew(tmp_path, "init")
    assert run.code == 0
    config = load_config(tmp_path / "goals.yml", "goals.yml")
    assert config.goals.summary() == "1 objective, 1 key result, 1 initiative, 1 budget"
    before = (tmp_path / "goals.yml").read_text()
    again = clew(tmp_path, "init")
    assert again.code == 2
    assert "already exists" in again.err
    assert (tmp_path / "goals.yml").read_text() == before


def test_starter_has_comments_and_a_future_due_date() -> None:
    text = starter(dt.date(2026, 1, 1))
    assert text.count("\n#") + text.count("  #") >= 8
    assert "due: 2026-04-01" in text


@pytest.mark.parametrize(
    ("env", "tty", "choice", "expected"),
    [
        ({}, True, "auto", True),
        ({}, False, "auto", False),
        ({"NO_COLOR": "1"}, True, "auto", False),
        ({"NO_COLOR": ""}, True, "auto", True),
        ({"FORCE_COLOR": "1"}, False, "auto", True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, "auto", False),
        ({"CLICOLOR_FORCE": "1"}, False, "auto", True),
        ({"TERM": "dumb"}, True, "auto", False),
        ({"NO_COLOR": "1"}, True, "always", True),
        ({}, True, "never", False),
    ],
)
def test_colour_decision(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tty: bool, choice: str, expected: bool) -> None:
    monkeypatch.delenv("TERM", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    class Stream:
        def isatty(self) -> bool:
            return tty

    assert use_color(Stream(), choice) is expected  # type: ignore[arg-type]


def test_no_colour_codes_when_not_a_terminal(tmp_path: Path) -> None:
    text = goals_text().replace('    owner: "@jane"\n', "")
    (tmp_path / "goals.yml").write_text(text)
    plain = clew_process(tmp_path, "validate", env={"NO_COLOR": "1", "FORCE_COLOR": ""})
    forced = clew_process(tmp_path, "validate", env={"FORCE_COLOR": "1"})
    assert "\033[" not in plain.out
    assert "\033[" in forced.out


def test_validate_does_not_import_the_forges(tmp_path: Path) -> None:
    (tmp_path / "goals.yml").write_text(goals_text())
    code = (
        "import sys\nfrom checker.cli import main\ncode = main(['validate'])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('github', 'gitlab'))\n"
        "print('IMPORTED', bad)\nsys.exit(code)\n"
    )
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "IMPORTED []" in proc.stdout


def test_internal_errors_are_one_paragraph(clew, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.commands import validate

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(validate, "run", boom)
    run = clew(tmp_path, "validate")
    assert run.code == 3
    assert "Traceback" not in run.err
    assert "internal error (RuntimeError)" in run.err


def test_readme_documents_exit_codes_and_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for needle in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "clew validate", "clew check", "clew hook install"):
        assert needle in readme


@pytest.mark.parametrize("name", ["goals.yml", ".github/goals.yml"])
def test_a_goals_link_to_a_file_outside_the_repository_is_not_read(tmp_path: Path, name: str) -> None:
    secret = tmp_path / "netrc"
    secret.write_text("machine api.github.com\n  login me\n  password ghp_s3cretvalue\n")
    repo = make_repo(tmp_path / "work")
    repo.commit("Start\n\nObjective: retention")
    (repo.path / name).parent.mkdir(parents=True, exist_ok=True)
    (repo.path / name).symlink_to(secret)
    for args in (("validate",), ("check", "--range", "..HEAD"), ("report", "--dry-run")):
        run = clew_process(repo.path, *args)
        assert run.code == 2, (args, run.err)
        assert "symbolic link to a file outside the repository" in run.err
        assert "s3cret" not in run.out + run.err
    push = clew_process(repo.path, "pre-push", stdin=f"refs/heads/main {repo.git('rev-parse', 'HEAD')} refs/heads/main {'0' * 40}\n")
    assert push.code == 2
    assert "s3cret" not in push.out + push.err


def test_a_goals_link_inside_the_repository_is_followed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "work")
    repo.write("strategy/goals.yml", goals_text())
    (repo.path / "goals.yml").symlink_to("strategy/goals.yml")
    assert clew_process(repo.path, "validate").code == 0


def test_validate_json_reports_an_invalid_file_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "goals.yml").write_text("version: 1\nmission: x\nobjectives:\n  - id: bad id\n    title: T\n")
    run = clew_process(tmp_path, "validate", "--format", "json")
    assert run.code == 2
    data = json.loads(run.out)
    assert data["valid"] is False
    assert data["errors"][0]["line"] == 4
    assert "invalid id" in data["errors"][0]["message"]
    assert "goals.yml:4:" in run.err, "the paragraph still goes to stderr"
