"""A newcomer's path: a fresh repository, clew init, validate, hook install, a
commit, a push to a bare remote, the message the developer sees; then the
README's two commands, verbatim, on a fresh clone of this repository."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, clew_process, make_repo

pytestmark = pytest.mark.slow  # minutes, not seconds: `pytest -m 'not slow'` leaves it out


def test_first_hour_with_clew(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "remote.git")], check=True)
    repo = make_repo(tmp_path / "project")
    repo.git("remote", "add", "origin", str(tmp_path / "remote.git"))
    init = clew_process(repo.path, "init")
    assert init.code == 0, init.err
    assert "wrote goals.yml" in init.out
    validate = clew_process(repo.path, "validate")
    assert validate.code == 0, validate.err
    assert "goals.yml is valid: 1 objective, 1 key result, 1 initiative, 1 budget (policy: default)" in validate.out
    assert clew_process(repo.path, "hook", "install").code == 0
    repo.commit("Add the goals file\n\nObjective: first-objective", {"goals.yml": (repo.path / "goals.yml").read_text()})
    first = subprocess.run(["git", "push", "origin", "main"], cwd=repo.path, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert "✓ branch main → Objective: first-objective → objective first-objective → mission" in first.stderr
    repo.git("checkout", "-q", "-b", "tweak")
    repo.commit("Rename a variable")
    second = subprocess.run(["git", "push", "origin", "tweak"], cwd=repo.path, capture_output=True, text=True, check=False)
    assert second.returncode == 0, "the default pack warns but lets the push through"
    assert "warning [unaligned-work] branch tweak traces to no objective" in second.stderr
    assert "hint: add a line 'Objective: <id>'" in second.stderr or "hint: add 'Objective:" in second.stderr


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [blocks[0].strip(), blocks[1].strip()]


def test_readme_commands_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clew"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clew"], "the clone must have nothing beside it"
    try_it, tests = _readme_commands()
    assert try_it.startswith("python3 -m venv .venv")
    assert "clew report" in try_it
    assert tests.endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci, ".ci/run must run the README's test command verbatim"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "CLEW_", "INPUT_", "PYTEST"))}
    # The README's test command, verbatim; in the clone it runs the tests that prove a clean clone
    # has what they need (the vendored contracts, the goals cases, the CLI): the whole suite runs
    # once already, here.
    env.update(
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTEST_ADDOPTS="-q tests/test_contracts.py tests/goals/test_document.py tests/test_cli.py tests/test_attacks.py",
    )
    first = subprocess.run(["bash", "-c", try_it], cwd=clone, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert "goals.yml is valid" in first.stdout
    assert "merged changes trace to an objective" in first.stdout
    assert (clone / "ALIGNMENT.md").is_file()
    assert (clone / "alignment.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    second = subprocess.run(["bash", "-c", tests], cwd=clone, env=env, capture_output=True, text=True, timeout=1800, check=False)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-2000:]
    assert re.search(r"\d+ passed", second.stdout)
