"""Where clew runs, and what each place offers: the one registry of places. Every part of clew
that behaves differently in CI asks here, so that the surfaces agree on what "in CI" means.

A line names the place, how its CI is recognised, the variable that carries its event (None:
its CI variables are enough), and three modules (docs/architecture.md):

- `check`: the adapter `clew check` runs in that CI, a module whose `run(env, cwd, today, goals,
  fmt)` builds a check `Source` and a `Publisher` and calls `checker.app.run`;
- `report`: the module of its report source and report target, whose `source(env, root)` and
  `target(source, env, root)` give what `checker.app.report` reads from and commits to.

A new forge is a folder in forges/ and one line here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path


class Surface(NamedTuple):
    forge: str  # the place's name: `--source` takes it, alignment.json says it
    detect: str | None  # the variable its CI sets to `true` (None: a developer's machine, the fallback)
    event: str | None  # the variable `clew check` also needs to judge the CI's own event
    check: str | None  # the check adapter in that CI
    report: str  # the report source and target


SURFACES: list[Surface] = [
    # GitHub Actions sets GITHUB_ACTIONS=true and writes the event to GITHUB_EVENT_PATH.
    Surface("github", "GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "checker.forges.github.action", "checker.forges.github.report"),
    # GitLab CI sets GITLAB_CI=true; the merge request comes in CI_MERGE_REQUEST_* variables.
    Surface("gitlab", "GITLAB_CI", None, "checker.forges.gitlab.job", "checker.forges.gitlab.report"),
    # Local git: `clew check --range`, the pre-push hook, and the report from the history alone.
    Surface("git", None, None, None, "checker.forges.local.report"),
]


class Adapter(Protocol):
    """What a surface's check module offers: the event judged, printed, published; the exit code.
    `goals` and `fmt` (from `clew check --goals/--format`) override the CI's own settings."""

    def run(self, env: Mapping[str, str], cwd: Path, today: dt.date, goals: str | None = None, fmt: str | None = None) -> int: ...


def surface(env: Mapping[str, str]) -> Surface | None:
    """The CI clew runs in, from its documented variable."""
    return next((s for s in SURFACES if s.detect is not None and env.get(s.detect) == "true"), None)


def forge(env: Mapping[str, str]) -> str | None:
    """The name of the CI clew runs in (`github`, `gitlab`), or None on a developer's machine."""
    found = surface(env)
    return found.forge if found is not None else None


def checks_its_event(env: Mapping[str, str]) -> Surface | None:
    """The surface whose own event `clew check` (without a range) judges: in its CI, with the
    variables that carry the event."""
    found = surface(env)
    return found if found is not None and found.check and (found.event is None or env.get(found.event)) else None


def adapter(found: Surface) -> Adapter:
    from importlib import import_module

    if found.check is None:
        raise ValueError(f"{found.forge} has no check adapter")
    module: Adapter = import_module(found.check)
    return module


def named(name: str) -> Surface:
    """The place `--source NAME` names."""
    found = next((s for s in SURFACES if s.forge == name), None)
    if found is None:
        from checker.errors import ClewError

        known = ", ".join(["auto", *(s.forge for s in SURFACES)])
        raise ClewError(f"--source {name[:40]!r} is not a place clew reads a report from; choose one of {known}")
    return found


def report_place(name: str, env: Mapping[str, str], root: Path) -> tuple[Any, Any]:
    """The report source and target of the place named `name` (checker.app.ReportSource and
    ReportTarget)."""
    from importlib import import_module

    module = import_module(named(name).report)
    source = module.source(env, root)
    return source, module.target(source, env, root)


def reads_its_api(env: Mapping[str, str]) -> str | None:
    """The forge `clew report --source auto` reads: GitHub with a token and a repository,
    GitLab in its CI with a token; else None (local git)."""
    if (env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")) and env.get("GITHUB_REPOSITORY"):
        return "github"
    if forge(env) == "gitlab" and (env.get("CLEW_GITLAB_TOKEN") or env.get("GITLAB_TOKEN")):
        return "gitlab"
    return None
