"""`clew check` inside a GitLab CI merge request pipeline: the MR's own fields
from CI_MERGE_REQUEST_* (zero API calls); with a token, the linked issues, the
full description when it was truncated (checker.forges.gitlab.check), and one sticky
note and one label, written only when they change (checker.forges.gitlab.sticky). The
Code Quality report is always written; the log is in CLEW_FORMAT (default text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from checker import app
from checker.forges import org_goals
from checker.forges.gitlab.check import MergeRequestSource
from checker.forges.gitlab.ci import read_env
from checker.forges.gitlab.settings import read_settings
from checker.forges.gitlab.sticky import StickyNote
from checker.goals.file import goals_file
from checker.outputs import gitlab as render


def run(env: Mapping[str, str], cwd: Path, today: dt.date, goals: str | None = None, fmt: str | None = None) -> int:
    """The merge request through the pipeline (checker.app), then what only GitLab shows: the
    Code Quality report, always written."""
    settings = read_settings(env)
    root = Path(env.get("CI_PROJECT_DIR") or cwd)
    source = MergeRequestSource(read_env(env), root, env, token=settings.token, on_api_error=settings.on_api_error)
    file = goals_file(root, goals or settings.goals, None, settings.policy, env, org_goals.fetch)
    context = app.Context(file, source, today, publisher=StickyNote(source, settings), env=env)
    outcome = app.run(context, app.Options(format=fmt or settings.format, fail_on=settings.fail_on))
    (root / settings.report).write_text(render.code_quality_json(outcome.result), encoding="utf-8")
    print(outcome.output, end="")
    if source.client is not None:
        print(f"clew: GitLab API requests: {source.client.reads} read, {source.client.writes} write")
    return outcome.exit_code
