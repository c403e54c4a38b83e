"""`clew check` inside a GitLab CI merge request pipeline: the MR's own fields
from CI_MERGE_REQUEST_* (zero API calls); with a token, the linked issues, the
full description when it was truncated (checker.forges.gitlab.check), and one sticky
note and one label, written only when they change (checker.forges.gitlab.sticky). The
Code Quality report is always written; the log is in CLEW_FORMAT (default text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from checker import app
from checker.errors import ClewError
from checker.findings import FAIL_ON
from checker.forges.gitlab.check import MergeRequestSource
from checker.forges.gitlab.ci import read_env
from checker.forges.gitlab.sticky import StickyNote
from checker.goals.file import goals_file
from checker.outputs import FORMATS
from checker.outputs import gitlab as render


class Settings(NamedTuple):
    goals: str | None
    policy: str | None
    token: str
    fail_on: str | None
    note: bool
    labels: bool
    label_name: str
    on_api_error: str
    report: str
    on_aligned: str
    format: str


def _flag(env: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "true", "false"):
        return default if raw == "" else raw == "true"
    problems.append(f"{name}: {raw!r} is not true or false")
    return default


def read_settings(env: Mapping[str, str]) -> Settings:
    """The component's inputs arrive as CLEW_* variables; validated here."""
    problems: list[str] = []
    fail_on = env.get("CLEW_FAIL_ON", "").strip().lower()
    if fail_on and fail_on not in FAIL_ON:
        problems.append(f"CLEW_FAIL_ON: {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    on_api_error = env.get("CLEW_ON_API_ERROR", "").strip().lower() or "warn"
    if on_api_error not in ("warn", "fail"):
        problems.append(f"CLEW_ON_API_ERROR: {on_api_error!r} is not warn or fail")
    settings = Settings(
        goals=env.get("CLEW_GOALS", "").strip() or None,
        policy=env.get("CLEW_POLICY", "").strip() or None,
        token=env.get("CLEW_GITLAB_TOKEN", "").strip() or env.get("GITLAB_TOKEN", "").strip(),
        fail_on=FAIL_ON.get(fail_on),
        note=_flag(env, "CLEW_NOTE", True, problems),
        labels=_flag(env, "CLEW_LABELS", True, problems),
        label_name=env.get("CLEW_LABEL_NAME", "").strip() or "potential-waste",
        on_api_error=on_api_error,
        report=env.get("CLEW_CODE_QUALITY_REPORT", "").strip() or "gl-code-quality-report.json",
        on_aligned=env.get("CLEW_NOTE_ON_ALIGNED", "").strip().lower() or "edit",
        format=env.get("CLEW_FORMAT", "").strip().lower() or "text",
    )
    if settings.format not in FORMATS:
        problems.append(f"CLEW_FORMAT: {settings.format!r} is not one of {', '.join(FORMATS)}")
    if settings.on_aligned not in ("edit", "delete"):
        problems.append(f"CLEW_NOTE_ON_ALIGNED: {settings.on_aligned!r} is not edit or delete")
    if problems:
        raise ClewError("invalid clew settings: " + "; ".join(problems))
    return settings


def run(env: Mapping[str, str], cwd: Path, today: dt.date, goals: str | None = None, fmt: str | None = None) -> int:
    """The merge request through the pipeline (checker.app), then what only GitLab shows: the
    Code Quality report, always written."""
    settings = read_settings(env)
    root = Path(env.get("CI_PROJECT_DIR") or cwd)
    source = MergeRequestSource(read_env(env), root, env, token=settings.token, on_api_error=settings.on_api_error)
    file = goals_file(root, goals or settings.goals, None, settings.policy)
    context = app.Context(file, source, today, publisher=StickyNote(source, settings), env=env)
    outcome = app.run(context, app.Options(format=fmt or settings.format, fail_on=settings.fail_on))
    (root / settings.report).write_text(render.code_quality_json(outcome.result), encoding="utf-8")
    print(outcome.output, end="")
    if source.client is not None:
        print(f"clew: GitLab API requests: {source.client.reads} read, {source.client.writes} write")
    return outcome.exit_code
