"""Where clew runs: GitHub Actions, GitLab CI, or a developer's machine. Every place that
behaves differently in CI asks here, so that the surfaces agree on what "in CI" means."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Forge = Literal["github", "gitlab"]


def forge(env: Mapping[str, str]) -> Forge | None:
    """The CI clew runs in, from its documented variables: GitHub Actions sets
    `GITHUB_ACTIONS=true` (and writes the event to `GITHUB_EVENT_PATH`), GitLab CI sets
    `GITLAB_CI=true`."""
    if env.get("GITHUB_ACTIONS") == "true":
        return "github"
    if env.get("GITLAB_CI") == "true":
        return "gitlab"
    return None


def checks_its_event(env: Mapping[str, str]) -> Forge | None:
    """The forge whose own event `clew check` (without a range) judges: the GitHub event needs
    its payload file; a GitLab job reads its CI variables."""
    where = forge(env)
    if where == "github" and not env.get("GITHUB_EVENT_PATH"):
        return None
    return where


def reads_its_api(env: Mapping[str, str]) -> Forge | None:
    """The forge `clew report --source auto` reads: GitHub with a token and a repository,
    GitLab in its CI with a token; else local git."""
    if (env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")) and env.get("GITHUB_REPOSITORY"):
        return "github"
    if forge(env) == "gitlab" and (env.get("CLEW_GITLAB_TOKEN") or env.get("GITLAB_TOKEN")):
        return "gitlab"
    return None
