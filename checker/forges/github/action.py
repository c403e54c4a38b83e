"""`clew check` inside GitHub Actions: the event's own item (zero API calls),
one GraphQL read for the thread, annotations, step summary and outputs, then
at most one comment write and one label write. Fork PRs and read-only tokens
get everything but the writes, and one notice saying why."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from checker import app, references
from checker.errors import EXIT_USAGE, ClewError
from checker.findings import FAIL_ON
from checker.forges.github.check import Access, EventSource
from checker.forges.github.event import read_event
from checker.forges.github.sticky import StickyComment
from checker.goals.file import goals_file
from checker.outputs import FORMATS
from checker.outputs import github as render
from checker.outputs.workflow import command, fenced, output_lines


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


def _flag(env: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    raw = env.get(f"INPUT_{name.upper()}", "").strip().lower()
    if raw == "":
        return default
    if raw in ("true", "false"):
        return raw == "true"
    problems.append(f"input {name}: {raw!r} is not true or false")
    return default


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str, problems: list[str]) -> str:
    raw = env.get(f"INPUT_{name.upper()}", "").strip().lower() or default
    if raw not in choices:
        problems.append(f"input {name}: {raw!r} is not one of {', '.join(choices)}")
        return default
    return raw


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """The action's inputs, validated here: GitHub does not enforce `required:` or types."""
    problems: list[str] = []
    fail_on = _choice(env, "fail_on", ("", *FAIL_ON), "", problems)
    inputs = Inputs(
        goals=env.get("INPUT_GOALS", "").strip() or None,
        policy=env.get("INPUT_POLICY", "").strip() or None,
        token=env.get("INPUT_TOKEN", "").strip() or env.get("GITHUB_TOKEN", "").strip(),
        fail_on=FAIL_ON.get(fail_on) if fail_on else None,
        comment=_flag(env, "comment", True, problems),
        on_aligned=_choice(env, "comment_on_aligned", ("edit", "delete"), "edit", problems),
        label=_flag(env, "label", True, problems),
        label_name=env.get("INPUT_LABEL_NAME", "").strip() or "potential-waste",
        format=_choice(env, "format", FORMATS, "text", problems),
        on_api_error=_choice(env, "on_api_error", ("warn", "fail"), "warn", problems),
        pr_number=None,
    )
    raw_number = env.get("INPUT_PR_NUMBER", "").strip()
    if raw_number and not references.number_ok(raw_number):
        problems.append(f"input pr_number: {raw_number[:40]!r} is not a pull request number")
    if problems:
        raise ClewError("invalid action inputs: " + "; ".join(problems))
    return inputs._replace(pr_number=int(raw_number) if raw_number else None)


def _payload(env: Mapping[str, str]) -> tuple[str, dict[str, object]]:
    name, path = env.get("GITHUB_EVENT_NAME", ""), env.get("GITHUB_EVENT_PATH", "")
    if not name or not path:
        raise ClewError("GITHUB_EVENT_NAME and GITHUB_EVENT_PATH must be set (clew reads the event payload GitHub Actions writes)")
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClewError(f"cannot read the event payload {path}: {exc}") from None
    if not isinstance(payload, dict):
        raise ClewError(f"the event payload {path} is not a JSON object")
    return name, payload


def _append(path: str | None, content: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(content)


def run(env: Mapping[str, str], cwd: Path, today: dt.date, goals: str | None = None, fmt: str | None = None) -> int:
    """The event through the pipeline (checker.app), then what only GitHub shows: annotations,
    notices, the step summary and the step outputs."""
    inputs = read_inputs(env)
    name, payload = _payload(env)
    root = Path(env.get("GITHUB_WORKSPACE") or cwd)
    source = EventSource(read_event(name, payload), root, Access(inputs.token, inputs.pr_number, inputs.on_api_error))
    file = goals_file(root, goals or inputs.goals, None, inputs.policy)
    jira = {name: value for name in ("JIRA_URL", "JIRA_USER", "JIRA_TOKEN") if (value := env.get(f"INPUT_{name}", "").strip())}
    context = app.Context(file, source, today, publisher=StickyComment(source, inputs), env={**env, **jira})
    outcome = app.run(context, app.Options(format=fmt or inputs.format, fail_on=inputs.fail_on))
    result = outcome.result
    print(
        fenced(outcome.output) if (fmt or inputs.format) == "text" else outcome.output, end=""
    )  # the log: text fenced from workflow commands
    if (fmt or inputs.format) != "github":  # that format is the annotations already
        for line in render.annotation_lines(result):
            print(line)
    for note in result.notes:
        print(command("notice", f"clew: {note}", title="clew"))
    _append(env.get("GITHUB_STEP_SUMMARY"), render.summary(result, result.notes))
    _append(env.get("GITHUB_OUTPUT"), output_lines(render.step_outputs(result)))
    if source.client is not None:
        print(f"clew: GitHub API requests: {source.client.reads} read, {source.client.writes} write")
    return outcome.exit_code


__all__ = ["EXIT_USAGE", "read_inputs", "run"]
