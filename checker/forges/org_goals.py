"""Reading an organisation's goals file from its forge (checker.goals.org is given `fetch`):
GitHub's GraphQL `object(expression:)`, GitLab's files API, each with that forge's token only."""

from __future__ import annotations

import os
from collections.abc import Mapping

from checker.errors import ClewError
from checker.goals.org import OrgRef


def token_for(forge: str, env: Mapping[str, str]) -> str | None:
    """The token that belongs to `forge`, and only that one: GitHub's tokens never go to GitLab,
    nor GitLab's to GitHub. CLEW_ORG_TOKEN belongs to the forge whose CI clew runs in (on a
    developer's machine, to none: GH_TOKEN or GITLAB_TOKEN say which is which there)."""
    own = {"github": ("GITHUB_TOKEN", "GH_TOKEN", "INPUT_TOKEN"), "gitlab": ("CLEW_GITLAB_TOKEN", "GITLAB_TOKEN")}[forge]
    running = "github" if env.get("GITHUB_ACTIONS") == "true" else "gitlab" if env.get("GITLAB_CI") == "true" else None
    names = ("CLEW_ORG_TOKEN", *own) if running == forge else own
    return next((env[name] for name in names if env.get(name)), None)


def fetch(ref: OrgRef, env: Mapping[str, str]) -> bytes:
    """One read from the forge: GitHub's GraphQL `object(expression:)`, GitLab's files API; with
    the token of that forge only (token_for), at the address its settings give."""
    token = token_for(ref.forge, env)
    if ref.forge == "github":
        if not token:
            raise ClewError(
                "reading it needs a GitHub token: set GITHUB_TOKEN (or, in GitHub Actions, CLEW_ORG_TOKEN for a token that "
                "can read that repository)"
            )
        from checker.forges.github.client import Client

        api = env.get("GITHUB_API_URL") or os.environ.get("GITHUB_API_URL")
        text = Client(token, api).read_blob(ref.project, f"{ref.ref}:{ref.path}")
    else:
        if not token:
            raise ClewError(
                "reading it needs a GitLab token: set CLEW_GITLAB_TOKEN (or, in GitLab CI, CLEW_ORG_TOKEN) to one that can "
                "read that project"
            )
        from checker.forges.gitlab.client import Client as GitLab
        from checker.forges.gitlab.client import api_url

        text, _ = GitLab(api_url(env), token).read_file(ref.project, ref.path, ref.ref)
    if text is None:
        raise ClewError(f"{ref.path} is not in {ref.project} at {ref.ref} (or the token cannot read it)")
    return text.encode("utf-8")
