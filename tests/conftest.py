"""Shared fixtures: contracts, real git repositories, the CLI, no network."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from checker.cli import main

if TYPE_CHECKING:  # the fakes import this module: they are imported where they are used
    from tests.github_server import FakeGitHub
    from tests.gitlab_server import FakeGitLab

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).resolve().parent / "cases"
CONTRACTS = Path(os.environ.get("CLEW_CONTRACTS") or Path(__file__).resolve().parent / "contracts")


def contract(rel: str) -> Any:
    path = CONTRACTS / rel
    assert path.is_file(), f"contract {rel} missing from {CONTRACTS} (see tests/contracts/README.md)"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only loopback: the tests never reach the internet."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
            raise OSError(f"network access to {host} blocked in tests")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _quiet_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No colour surprises, no CI detection, no user git config."""
    home = tmp_path_factory.mktemp("home")
    for name in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CLEW_GOALS", "GITHUB_ACTIONS", "GITLAB_CI", "CI", "CLEW_TODAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = Test Dev\n\temail = dev@example.com\n")


@dataclass
class Repo:
    path: Path

    def git(self, *args: str, stdin: str | None = None, check: bool = True, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.path, input=stdin, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})}
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout.strip()

    def write(self, rel: str, text: str) -> None:
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str, files: dict[str, str] | None = None, author: str | None = None) -> str:
        default = f"file-{hashlib.sha1(message.encode()).hexdigest()[:10]}.txt"
        for rel, text in (files or {default: message}).items():
            self.write(rel, text)
        self.git("add", "-A")
        env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": f"{author}@example.com"} if author else None
        self.git("commit", "-q", "-m", message, env=env)
        return self.git("rev-parse", "HEAD")


def make_repo(path: Path, *extra: str) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", *extra, str(path)], check=True)
    return Repo(path)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path / "work")


GOALS = """\
version: 1
mission: Become the European leader in HR SaaS
objectives:
  - id: retention
    title: Increase customer retention by 5%
    owner: "@jane"
    due: 2027-03-31
    key_results:
      - id: churn
        title: Monthly churn below 3%
        baseline: 4.5
        target: 3.0
        current: 4.1
    initiatives:
      - id: mobile-ux
        title: Mobile UX redesign
        match:
          labels: [mobile]
          branches: ["mobile/*"]
          paths: ["apps/mobile/**"]
  - id: growth
    title: Grow self-serve signups
    owner: "@omar"
    due: 2027-06-30
    initiatives:
      - id: onboarding
        title: Faster onboarding wizard for new accounts
        match:
          labels: [onboarding]
budgets:
  - id: maintenance
    title: Keep the lights on
    share: 20%
    match:
      authors: ["dependabot[bot]"]
      titles: ["^(chore|build)(\\\\(.+\\\\))?:"]
policy:
  extends: {pack}
  exempt:
    authors: ["release-please[bot]"]
"""


def goals_text(pack: str = "default") -> str:
    return GOALS.replace("{pack}", pack)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def clew(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the CLI in-process from a directory: clew(cwd, *args) -> Run."""

    def run(cwd: Path, *args: str, stdin: str = "") -> Run:
        monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "stdin", _Stdin(stdin))
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


class _Stdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def read(self) -> str:
        return self.text

    def isatty(self) -> bool:
        return False


def clew_process(cwd: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Run:
    """The real process, as a user or a hook runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A directory holding the standard goals file (the forge report tests run clew there)."""
    (tmp_path / "goals.yml").write_text(goals_text())
    return tmp_path


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    """A GitHub API on 127.0.0.1; the test fails if any request broke the contracts."""
    from tests.github_server import FakeGitHub

    server = FakeGitHub()
    server.start()
    yield server
    server.stop()
    assert server.violations == [], server.violations


@pytest.fixture
def gl() -> Iterator[FakeGitLab]:
    """A GitLab API on 127.0.0.1; the test fails if any request broke the contracts."""
    from tests.gitlab_server import FakeGitLab

    server = FakeGitLab()
    server.start()
    yield server
    server.stop()
    assert server.violations == [], server.violations


@pytest.fixture
def action(tmp_path: Path, gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """A GitHub Actions job around one event, run in-process (tests/jobs.py)."""
    from tests.jobs import Action

    return Action(tmp_path, gh, monkeypatch, capsys)
