"""`clew explain REF`: the thread of one commit, branch or pull request, hop by hop, or where it
breaks with the closest objectives; through the check's pipeline (checker.app.run) with a source
for the ref (local git) or for the number (`#N`, GitHub's API), judged against the goals at its
base like every check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from checker import app
from checker.errors import ClewError


def run(cwd: Path, goals: str | None, ref: str, today: dt.date, env: Mapping[str, str], fmt: str = "text") -> app.Outcome:
    from checker.forges import org_goals
    from checker.forges.local import gitdir
    from checker.goals.file import goals_file

    found = gitdir.find(cwd)
    root, common = found if found is not None else (cwd, None)
    source: app.Source
    if ref.startswith("#") or ref.isdigit():
        source = _pull_request(ref.lstrip("#"), root, env)
    elif found is None:
        raise ClewError(f"{cwd} is not inside a git repository; run clew from your repository, or explain a pull request (#N)")
    else:
        from checker.forges.local.range import RefSource

        source = RefSource(root, ref)
    file = goals_file(root, goals, common / "clew" if common is not None else None, env=env, fetch=org_goals.fetch)
    return app.run(app.Context(file, source, today, env=env), app.Options(format=fmt))


def _pull_request(number: str, root: Path, env: Mapping[str, str]) -> app.Source:
    from checker.forges.github.check import NumberSource
    from checker.references import number_ok

    if not number_ok(number):
        raise ClewError(f"#{number[:40]} is not a pull request number (1 to 2147483647)")
    token, repository = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN"), env.get("GITHUB_REPOSITORY")
    if not token or not repository:
        raise ClewError(
            f"explaining #{number} needs GITHUB_TOKEN (or GH_TOKEN) and GITHUB_REPOSITORY=owner/name; locally, name a commit or a branch"
        )
    return NumberSource(repository, int(number), token, root)
