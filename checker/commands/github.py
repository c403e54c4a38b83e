"""`clew check` inside GitHub Actions: the event's own item (zero API calls),
one GraphQL read for the thread, annotations, step summary and outputs, then
at most one comment write and one label write. Fork PRs and read-only tokens
get everything but the writes, and one notice saying why."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker import app, references
from checker.errors import EXIT_OK, EXIT_USAGE, ClewError
from checker.findings import FAIL_ON
from checker.goals.discover import discover, display_name
from checker.loading import pyramid_for
from checker.outputs import FORMATS
from checker.outputs import github as render
from checker.outputs import render as render_as
from checker.outputs.workflow import command, fenced, output_lines
from checker.sources import git
from checker.sources.github_event import Event, read_event
from checker.work import WorkItem

if TYPE_CHECKING:
    from checker.sources.github import Client


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


def link_refs(item: WorkItem, repository: str) -> list[tuple[str | None, int]]:
    """Issues the item's text and branch reference, to fetch in the same query."""
    found: list[tuple[str | None, int]] = []
    refs = [*references.parse(item.texts[0]), *references.branch_references(item.branch or "")]
    for ref in refs:
        if ref.kind not in ("issue", "pr") or ref.via in ("squash subject", "merge subject") or "#" not in ref.target:
            continue
        project, _, number = ref.target.rpartition("#")
        key = (None if not project or project.lower() == repository.lower() else project, int(number))
        if number.isdigit() and key not in found:
            found.append(key)
    return found[:50]


def _has_links(item: WorkItem | None, event: Event) -> bool:
    return item is not None and bool(link_refs(item, event.repository))


class Outcome(NamedTuple):
    result: app.Result
    notes: list[str]
    api_failed: bool


class Check:
    def __init__(self, env: Mapping[str, str], cwd: Path, today: dt.date) -> None:
        self.env, self.today = env, today
        self.inputs = read_inputs(env)
        name, payload = _payload(env)
        self.event: Event = read_event(name, payload)
        self.root = Path(env.get("GITHUB_WORKSPACE") or cwd)
        self.client: Client | None = None
        self.comments: tuple[object, ...] = ()
        self.item: WorkItem | None = None
        self.notes: list[str] = [self.event.note] if self.event.note else []

    def _client(self) -> Client | None:
        if self.client is None and self.inputs.token:
            from checker.sources.github import Client

            self.client = Client(self.inputs.token)
        return self.client

    def evaluate(self) -> Outcome:  # noqa: PLR0912 -- one branch per case of the event and the token, in the order docs/github.md gives them
        event, inputs = self.event, self.inputs
        path = discover(inputs.goals, self.root)
        display = display_name(path, self.root)
        base_goals = git.show(event.base_sha, display, self.root) if event.base_sha and git.exists(event.base_sha, self.root) else None
        goals_expr = f"{event.base_sha}:{display}" if event.base_sha and base_goals is None else None
        item, linked, api_failed = event.item, {}, False
        if item is None and inputs.pr_number is not None:  # workflow_run: the number came from an artifact
            self.event = event = event._replace(number=inputs.pr_number)
        client = self._client()
        if client is None:
            self.notes.append("no token given: linked issues were not read; the check used the event's own fields")
        elif (item is not None and item.kind in ("pr", "issue")) or goals_expr or inputs.pr_number or _has_links(item, event):
            from checker.errors import ApiError

            kind = item.kind if item is not None else "pr" if inputs.pr_number is not None else "none"
            refs = link_refs(item, event.repository) if item is not None else []
            try:
                fetched, errors = client.fetch(kind, event.number, refs, goals_expr, event.repository)
            except ApiError as exc:
                if inputs.on_api_error == "fail":
                    raise
                api_failed = True
                self.notes.append(f"{exc}. clew judged the event's own fields only and passes open (on_api_error: warn)")
            else:
                linked = fetched.linked
                if errors and not fetched.missing:
                    self.notes.append(f"GitHub GraphQL reported: {'; '.join(errors[:3])}")
                if fetched.missing:
                    self.notes.append(f"not found or not accessible to the token: {', '.join(fetched.missing)}")
                if item is None and fetched.item is not None and inputs.pr_number is not None:
                    item = fetched.item
                if item is not None:
                    item = item._replace(linked=fetched.closing, paths=fetched.paths or item.paths)
                if item is not None and fetched.item is not None:  # live labels: the payload's are stale on "Re-run jobs"
                    item = item._replace(labels=fetched.item.labels)
                self.comments = fetched.comments
                if fetched.goals is not None:
                    base_goals = fetched.goals.encode()
        if base_goals is None and event.base_sha:
            self.notes.append(f"{display} at the base commit could not be read: judged against the checked-out file")
        current = pyramid_for(path.read_bytes(), display, path, None, inputs.policy)  # the checked-out file must be valid
        pyramid = pyramid_for(base_goals, f"{display}@base", path, None, inputs.policy) if base_goals is not None else current
        pyramid = pyramid._replace(fail_on=inputs.fail_on or pyramid.fail_on, file=display)
        self.item = item
        items = [item] if item is not None else []
        changed = item is not None and display in item.paths
        if changed:
            self.notes.append(f"this change edits {display}: it was judged against the goals at its base")
        result = app.evaluate(pyramid, items, today=self.today, linked=linked, goals_changed=changed, notes=self.notes)
        return Outcome(result, self.notes, api_failed)


def _append(path: str | None, content: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(content)


def publish(check: Check, outcome: Outcome) -> list[str]:
    """The sticky comment and the label (checker.publish.github): when there is a pull request,
    a token and a trace, and the API answered."""
    event, client, result = check.event, check.client, outcome.result
    if client is None or event.number is None or not result.traces or outcome.api_failed:
        return []
    from checker.publish.github import StickyComment

    return StickyComment(client, event, inputs=check.inputs, comments=check.comments, item=check.item, notes=outcome.notes).publish(result)


def run(env: Mapping[str, str], cwd: Path, today: dt.date) -> int:
    check = Check(env, cwd, today)
    outcome = check.evaluate()
    result = outcome.result
    late = publish(check, outcome)
    result.notes.extend(late)
    shown = render_as(result, check.inputs.format)
    print(fenced(shown) if check.inputs.format == "text" else shown, end="")  # the log: text fenced from workflow commands
    for line in render.annotation_lines(result):
        print(line)
    for note in result.notes:
        print(command("notice", f"clew: {note}", title="clew"))
    _append(env.get("GITHUB_STEP_SUMMARY"), render.summary(result, result.notes))
    _append(env.get("GITHUB_OUTPUT"), output_lines(render.step_outputs(result)))
    if check.client is not None:
        print(f"clew: GitHub API requests: {check.client.reads} read, {check.client.writes} write")
    if outcome.api_failed:
        return EXIT_OK
    return result.exit_code


__all__ = ["EXIT_USAGE", "read_inputs", "run"]
