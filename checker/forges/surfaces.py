"""Where clew runs: GitHub Actions, GitLab CI, or a developer's machine. Every place that
behaves differently in CI asks here, so that the surfaces agree on what "in CI" means.

`SURFACES` is the one list of forges `clew check` knows: a new forge is one line here, naming
its adapter (a module whose `run(env, cwd, today, goals, fmt)` builds a `Source` and a `Publisher`
and calls `checker.app.run`; docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path


class Surface(NamedTuple):
    """A forge's CI: the variable it sets to `true`, the variable `clew check` also needs to judge
    the forge's own event (None: its CI variables are enough), and the adapter module."""

    forge: str
    detect: str
    event: str | None
    adapter: str


SURFACES: list[Surface] = [
    # GitHub Actions sets GITHUB_ACTIONS=true and writes the event to GITHUB_EVENT_PATH.
    Surface("github", "GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "checker.forges.github.action"),
    # GitLab CI sets GITLAB_CI=true; the merge request comes in CI_MERGE_REQUEST_* variables.
    Surface("gitlab", "GITLAB_CI", None, "checker.forges.gitlab.job"),
]


class Adapter(Protocol):
    """What a surface's module offers: the event judged, printed, published; the exit code.
    `goals` and `fmt` (from `clew check --goals/--format`) override the CI's own settings."""

    def run(self, env: Mapping[str, str], cwd: Path, today: dt.date, goals: str | None = None, fmt: str | None = None) -> int: ...


def surface(env: Mapping[str, str]) -> Surface | None:
    """The CI clew runs in, from its documented variable."""
    return next((s for s in SURFACES if env.get(s.detect) == "true"), None)


def forge(env: Mapping[str, str]) -> str | None:
    """The name of the CI clew runs in (`github`, `gitlab`), or None on a developer's machine."""
    found = surface(env)
    return found.forge if found is not None else None


def checks_its_event(env: Mapping[str, str]) -> Surface | None:
    """The surface whose own event `clew check` (without a range) judges: in its CI, with the
    variables that carry the event."""
    found = surface(env)
    return found if found is not None and (found.event is None or env.get(found.event)) else None


def adapter(found: Surface) -> Adapter:
    from importlib import import_module

    module: Adapter = import_module(found.adapter)
    return module


def reads_its_api(env: Mapping[str, str]) -> str | None:
    """The forge `clew report --source auto` reads: GitHub with a token and a repository,
    GitLab in its CI with a token; else local git."""
    if (env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")) and env.get("GITHUB_REPOSITORY"):
        return "github"
    if forge(env) == "gitlab" and (env.get("CLEW_GITLAB_TOKEN") or env.get("GITLAB_TOKEN")):
        return "gitlab"
    return None
