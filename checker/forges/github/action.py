"""`clew check` inside GitHub Actions: the event's own item (zero API calls),
one GraphQL read for the thread, annotations, step summary and outputs, then
at most one comment write and one label write. Fork PRs and read-only tokens
get everything but the writes, and one notice saying why."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path

from checker import app
from checker.errors import EXIT_USAGE, ClewError
from checker.forges import org_goals
from checker.forges.github.check import Access, EventSource
from checker.forges.github.event import read_event
from checker.forges.github.settings import read_inputs
from checker.forges.github.sticky import StickyComment
from checker.goals.file import goals_file
from checker.outputs import github as render
from checker.outputs.workflow import command, fenced, output_lines


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
    file = goals_file(root, goals or inputs.goals, None, inputs.policy, env, org_goals.fetch)
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
