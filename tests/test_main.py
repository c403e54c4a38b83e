"""The lean start of `clew check` and `clew validate`: on a cache hit they import
no click, no YAML parser and no validating models, and say exactly what the full
path says; the git directory is found without running git, exactly where git
finds it; anything unusual in the arguments goes to the click CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.forges.local.gitdir import head_branch, locate
from checker.main import Lean, parse_lean
from tests.conftest import clew_process, goals_text, make_repo

HEAVY = ("pydantic", "ruamel", "click", "github", "gitlab", "jinja2")
PROBE = (
    "import sys\nfrom checker.main import main\ncode = main(sys.argv[1:])\n"
    f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
    "print('HEAVY', heavy, file=sys.stderr)\nsys.exit(code)\n"
)
# No owner for `growth`, no due date for `retention`: the goals rules have something to say, at a line.
GOALS = goals_text().replace('    owner: "@omar"\n', "").replace("    due: 2027-03-31\n", "")


def _probe(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITLAB_CI")}
    return subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, check=False, env=env)


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("validate", "--format", "json"),
        ("check", "--range", "HEAD~2..HEAD"),
        ("check", "--range=HEAD~2..HEAD", "--format=json"),
        ("--color", "never", "check", "--range", "HEAD~2..HEAD", "--per-commit", "--format", "sarif"),
    ],
)
def test_a_cache_hit_imports_nothing_heavy_and_says_the_same(tmp_path: Path, args: tuple[str, ...]) -> None:
    repo = make_repo(tmp_path / "w")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": GOALS})
    repo.commit("Faster wizard\n\nInitiative: onboarding")
    repo.commit("Tidy up")
    cold = _probe(repo.path, *args)
    assert cold.returncode in (0, 1), cold.stderr
    assert "pydantic" in cold.stderr.split("HEAVY")[1], "the first run builds the cache with the validating loader"
    assert "click" not in cold.stderr.split("HEAVY")[1]
    warm = _probe(repo.path, *args)
    assert warm.stderr.split("HEAVY")[1].startswith(" []"), warm.stderr
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    assert cold.stdout.strip()


def test_the_goals_rules_point_at_the_same_lines_from_the_cache(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "w")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": GOALS})
    lines = GOALS.splitlines()
    growth = next(n for n, line in enumerate(lines, 1) if line.strip() == "- id: growth")
    retention = next(n for n, line in enumerate(lines, 1) if line.strip() == "- id: retention")
    for _ in range(2):  # cold, then from the cache
        run = clew_process(repo.path, "validate")
        assert run.code == 0, run.err
        assert f"goals.yml:{growth}:9: warning [objective-has-owner] objective growth has no owner" in run.out
        assert f"goals.yml:{retention}:9: notice [objective-has-due-date] objective retention has no due date" in run.out
        assert run.out.rstrip().endswith("goals.yml is valid: 2 objectives, 1 key result, 2 initiatives, 1 budget (policy: default)")


def test_the_cache_follows_the_file_when_it_changes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "w")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": GOALS})
    assert clew_process(repo.path, "validate").code == 0
    repo.write("goals.yml", GOALS.replace("version: 1", "version: 7"))
    broken = clew_process(repo.path, "validate")
    assert broken.code == 2
    assert "goals.yml:1:10: version: unsupported version 7" in broken.err
    repo.write("goals.yml", goals_text())
    fixed = clew_process(repo.path, "validate")
    assert fixed.code == 0
    assert "warning" not in fixed.out


@pytest.mark.parametrize(
    ("args", "lean"),
    [
        (["validate"], Lean("validate")),
        (["--color=always", "validate", "--goals", "g.yml"], Lean("validate", "always", "g.yml")),
        (["check", "--range", "a..b", "--per-commit"], Lean("check", spec="a..b", per_commit=True)),
        (["check", "--format=sarif", "--goals=x"], Lean("check", goals="x", fmt="sarif")),
        (["check", "--help"], None),
        (["check", "-h"], None),
        (["validate", "--per-commit"], None),  # not an option of validate: click says so
        (["check", "--format", "xml"], None),
        (["check", "--range"], None),
        (["check", "--color", "never"], None),  # --color belongs before the command
        (["--color", "sometimes", "check"], None),
        (["report"], None),
        ([], None),
    ],
)
def test_which_arguments_take_the_lean_path(args: list[str], lean: Lean | None) -> None:
    assert parse_lean(args) == lean


def test_unusual_arguments_get_click_s_messages(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "w")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    bad = clew_process(repo.path, "check", "--format", "xml")
    assert bad.code == 2
    assert "Invalid value for '--format'" in bad.err
    helped = clew_process(repo.path, "validate", "--help")
    assert helped.code == 0
    assert "Validate the goals file" in helped.out
    outside = clew_process(tmp_path, "check", "--range", "HEAD~1..HEAD")
    assert outside.code == 2
    assert "is not inside a git repository" in outside.err


def _git_dirs(cwd: Path) -> tuple[Path, Path]:
    out = subprocess.run(
        ["git", "rev-parse", "--show-toplevel", "--git-common-dir"], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    common = Path(out[1])
    return Path(out[0]).resolve(), (common if common.is_absolute() else cwd / common).resolve()


def test_the_git_directory_is_where_git_finds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = make_repo(tmp_path / "main")
    main.commit("Start", {"src/deep/a.txt": "a"})
    assert locate(main.path / "src" / "deep") == _git_dirs(main.path / "src" / "deep")
    main.git("worktree", "add", "-q", str(tmp_path / "linked"), "-b", "linked")
    assert locate(tmp_path / "linked") == _git_dirs(tmp_path / "linked")
    assert locate(tmp_path / "linked")[1] == (main.path / ".git").resolve()  # type: ignore[index]
    lib = make_repo(tmp_path / "lib")
    lib.commit("Lib")
    main.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.path), "vendor/lib")
    sub = main.path / "vendor" / "lib"
    assert (sub / ".git").is_file()
    assert locate(sub) == _git_dirs(sub)
    assert locate(tmp_path) is None  # not a repository: the caller asks git, which says so
    # The branch HEAD is on, as `git symbolic-ref` says it: here, in the linked worktree, in the
    # submodule (detached by `submodule add`? then empty), and detached on purpose.
    for where in (main.path, tmp_path / "linked", sub):
        asked = subprocess.run(["git", "symbolic-ref", "--short", "-q", "HEAD"], cwd=where, capture_output=True, text=True, check=False)
        assert head_branch(where) == asked.stdout.strip(), where
    main.git("checkout", "-q", "--detach")
    assert head_branch(main.path) == ""
    monkeypatch.setenv("GIT_DIR", str(main.path / ".git"))
    assert locate(main.path) is None  # git would honour GIT_DIR: ask git
    assert head_branch(main.path) is None
