"""The GitHub Action's inputs (`INPUT_*`, as action.yml declares them), as one typed model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from checker.findings import FAIL_ON
from checker.outputs import FORMATS
from checker.settings import Setting, read


class Inputs(NamedTuple):
    goals: str | None
    policy: str | None
    token: str
    fail_on: str | None
    comment: bool
    on_aligned: str
    label: bool
    label_name: str
    format: str
    on_api_error: str
    pr_number: int | None


def _pr_number(raw: str) -> int:
    from checker.references import number_ok

    if not number_ok(raw):
        raise ValueError(f"{raw[:40]!r} is not a pull request number")
    return int(raw)


def _input(name: str, *more: str) -> tuple[str, ...]:
    return (f"INPUT_{name.upper()}", *more)


SETTINGS = (
    Setting("goals", _input("goals"), shown="input goals"),
    Setting("policy", _input("policy"), shown="input policy"),
    Setting("token", _input("token", "GITHUB_TOKEN"), default="", shown="input token"),
    Setting("fail_on", _input("fail_on"), "choice", None, tuple(FAIL_ON), FAIL_ON.get, "input fail_on"),
    Setting("comment", _input("comment"), "flag", True, shown="input comment"),
    Setting("on_aligned", _input("comment_on_aligned"), "choice", "edit", ("edit", "delete"), shown="input comment_on_aligned"),
    Setting("label", _input("label"), "flag", True, shown="input label"),
    Setting("label_name", _input("label_name"), default="potential-waste", shown="input label_name"),
    Setting("format", _input("format"), "choice", "text", FORMATS, shown="input format"),
    Setting("on_api_error", _input("on_api_error"), "choice", "warn", ("warn", "fail"), shown="input on_api_error"),
    Setting("pr_number", _input("pr_number"), check=_pr_number, shown="input pr_number"),
)


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """The action's inputs, validated here: GitHub does not enforce `required:` or types."""
    return Inputs(**read(SETTINGS, env, "action inputs"))
