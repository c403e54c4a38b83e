"""The GitLab CI/CD component's inputs, which arrive as `CLEW_*` variables, as one typed model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from checker.findings import FAIL_ON
from checker.outputs import FORMATS
from checker.settings import Setting, read


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


SETTINGS = (
    Setting("goals", ("CLEW_GOALS",)),
    Setting("policy", ("CLEW_POLICY",)),
    Setting("token", ("CLEW_GITLAB_TOKEN", "GITLAB_TOKEN"), default=""),
    Setting("fail_on", ("CLEW_FAIL_ON",), "choice", None, tuple(FAIL_ON), FAIL_ON.get),
    Setting("note", ("CLEW_NOTE",), "flag", True),
    Setting("labels", ("CLEW_LABELS",), "flag", True),
    Setting("label_name", ("CLEW_LABEL_NAME",), default="potential-waste"),
    Setting("on_api_error", ("CLEW_ON_API_ERROR",), "choice", "warn", ("warn", "fail")),
    Setting("report", ("CLEW_CODE_QUALITY_REPORT",), default="gl-code-quality-report.json"),
    Setting("on_aligned", ("CLEW_NOTE_ON_ALIGNED",), "choice", "edit", ("edit", "delete")),
    Setting("format", ("CLEW_FORMAT",), "choice", "text", FORMATS),
)


def read_settings(env: Mapping[str, str]) -> Settings:
    """The component's inputs, validated here, every problem at once."""
    return Settings(**read(SETTINGS, env, "clew settings"))
