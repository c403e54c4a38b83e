"""The pipeline spelled out once: `run(context, options)` gathers the work from a `Source`,
compiles the goals it is judged against, traces it, applies the rules, publishes the result
through the source's `Publisher`, renders it in one of `outputs.FORMATS` and gives the exit
code. Every surface (`commands/check.py`, `prepush.py`, `github.py`, `gitlab.py`) is an adapter
that builds a context and calls it; docs/architecture.md draws the flow.

Which rules run where is decided in one place: the item rules on every surface, the goals rules
(about the goals file itself) when `Options.goals_rules` is set, which `clew check` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from checker.findings import Finding, apply_severities
from checker.goals.compiled import Pyramid
from checker.result import Result
from checker.rules import ITEM_RULES, goals_findings
from checker.rules.base import ItemContext
from checker.trace import Tracer
from checker.work import WorkItem

if TYPE_CHECKING:
    from checker.forges import Publisher
    from checker.goals.config import Config
    from checker.goals.document import Document
    from checker.goals.file import GoalsFile
    from checker.suggest import Suggestion


class Work(NamedTuple):
    """What a source gathered: the items to judge, the issues they link (by every key they are
    named by), the goals file's text at the base (None: judge against the checked-out file),
    the notes to show, and whether the forge's API failed with the settings saying warn."""

    items: list[WorkItem]
    linked: Mapping[str, WorkItem] = {}
    base_goals: bytes | None = None
    notes: Sequence[str] = ()
    passes_open: bool = False  # the forge's API failed and the settings say warn: exit 0
    # Someone else's proposal (a pull or merge request in CI): what its own goals file names
    # outside the repository (`extends:`, `jira.url`) is not read; the base's is.
    proposed: bool = False


class Source(Protocol):
    """Where the work comes from: local git, git's pre-push lines, a GitHub event, a GitLab job.
    `gather` reads the items, their links and the goals at their base, in as few requests as the
    place allows; it raises ClewError for bad input and ApiError when it must fail closed."""

    def gather(self, goals: GoalsFile) -> Work: ...


class Context(NamedTuple):
    """A check to run: the goals file, the source of the work, the day, the version of the goals
    file the work brings (None: the file on disk), and where the result is written back (a
    publisher reads what its source gathered: one read serves both)."""

    goals: GoalsFile
    source: Source
    today: dt.date
    current: bytes | None = None
    publisher: Publisher | None = None
    env: Mapping[str, str] | None = None  # where JIRA_URL/JIRA_TOKEN/JIRA_USER are read (None: the process's)


class Options(NamedTuple):
    """How to run it: the output format, the failure threshold that overrides the goals file's,
    whether the goals rules run, and colour for text."""

    format: str = "text"
    fail_on: str | None = None
    goals_rules: bool = False
    color: bool = False


class Outcome(NamedTuple):
    result: Result
    output: str
    exit_code: int


def run(context: Context, options: Options) -> Outcome:
    """Gather, judge against the goals at the base, publish, render, decide the exit code."""
    from checker.errors import EXIT_OK
    from checker.outputs import render

    goals = context.goals
    work = context.source.gather(goals)
    text = context.current if context.current is not None else goals.read()
    notes: list[str] = []
    if work.proposed:
        _trust_the_base(goals, work, context.env)
    current = _current(goals, text, work, notes)  # it must be valid
    judged = goals.compile(work.base_goals, f"{goals.display}@base") if work.base_goals is not None else current
    judged = judged._replace(fail_on=options.fail_on or judged.fail_on, file=goals.display)
    changed = any(goals.display in item.paths for item in work.items) or (work.base_goals is not None and work.base_goals != text)
    if judged.jira:
        # The Jira URL a change brings in its own goals file is not trusted with the token: only the
        # version at its base (or JIRA_URL) says where Jira is.
        work = _with_jira(judged, work, context.env, trust_file_url=not (changed and work.base_goals is None))
    result = evaluate(
        judged,
        work.items,
        today=context.today,
        linked=work.linked,
        goals_changed=changed,
        goals_file=goals.display,
        notes=[*goals.notes, *notes, *work.notes],
        extra=goals_findings(current, context.today) if options.goals_rules else (),
        located=current,
    )
    if context.publisher is not None and not work.passes_open and result.traces:
        result.notes.extend(context.publisher.publish(result))
    return Outcome(result, render(result, options.format, options.color), EXIT_OK if work.passes_open else result.exit_code)


def _trust_the_base(goals: GoalsFile, work: Work, env: Mapping[str, str] | None) -> None:
    """Someone else's change: the organisation's goals read are those the base names (or, when
    the base cannot be read, the ones the workflow names in CLEW_ORG_GOALS), never the change's."""
    import os

    from checker.goals.org import declared

    if work.base_goals is not None:
        ref = declared(work.base_goals)
        goals.trust(frozenset({ref} if ref else ()))
    else:
        named = (os.environ if env is None else env).get("CLEW_ORG_GOALS", "").strip()
        goals.trust(frozenset({named} if named else ()))


def _current(goals: GoalsFile, text: bytes, work: Work, notes: list[str]) -> Pyramid:
    """The version the work brings, compiled: it must be valid. When it names organisation goals
    that may not be read for it, only its YAML is checked, and the work is judged at the base."""
    from checker.goals.file import NotFollowed

    try:
        return goals.compile(text)
    except NotFollowed as refused:
        goals.check_syntax(text)
        if work.base_goals is None:
            from checker.errors import ClewError

            raise ClewError(
                f"{goals.display} in this change extends {refused.ref}, and clew reads organisation goals only as the base "
                "commit's goals file names them (a change cannot make clew read another repository with the token). The base "
                "version could not be read, so there is nothing to judge this change against: fetch the base commit "
                "(`fetch-depth: 0`, `GIT_DEPTH: 0`), or name the reference in CLEW_ORG_GOALS to trust it"
            ) from None
        notes.append(
            f"this change makes {goals.display} extend {refused.ref}; clew reads organisation goals only as the base's goals "
            "file names them, so the new ones were not read (and the new file was checked for its YAML only): the change "
            "is judged against the goals at its base"
        )
        return goals.compile(work.base_goals, f"{goals.display}@base")


def configure(root: Path, goals: str | None) -> Config:
    """The goals file fully loaded (models and document), over the organisation's goals it
    extends or the repository inherits."""
    return configured(root, goals)[0]


def configured(root: Path, goals: str | None) -> tuple[Config, str]:
    """The configuration, and a digest of everything it was built from (the file and the
    organisation's goals): a report made against other goals is not reused."""
    from checker.goals.compiled import digest
    from checker.goals.config import load_bytes
    from checker.goals.file import goals_file

    file = goals_file(root, goals, None)
    text = file.read()
    config = load_bytes(text, file.display, file.path, None, file.org)
    return config, digest(text + (b"\0" + file.org.key if file.org is not None else b""))


def _with_jira(pyramid: Pyramid, work: Work, env: Mapping[str, str] | None, *, trust_file_url: bool) -> Work:
    """The Jira issues the work names, and their epics, added to its links (checker.forges.jira)."""
    import os

    from checker.forges.jira import follow
    from checker.trace import syntax_of

    syntax = syntax_of(pyramid)
    jira = pyramid.jira if trust_file_url else {k: v for k, v in pyramid.jira.items() if k != "url"}
    found = follow(jira, syntax, work.items, os.environ if env is None else env, untrusted_url=not trust_file_url and "url" in pyramid.jira)
    if not found.linked and not found.notes:
        return work
    return work._replace(
        linked={**work.linked, **found.linked}, notes=[*work.notes, *found.notes], passes_open=work.passes_open or found.failed
    )


def evaluate(  # noqa: PLR0913 -- one pipeline for every surface: what differs is named at the call, keyword-only
    pyramid: Pyramid,
    items: Sequence[WorkItem],
    *,
    today: dt.date,
    linked: Mapping[str, WorkItem] | None = None,
    goals_changed: bool = False,
    goals_file: str | None = None,
    extra: Sequence[Finding] = (),
    notes: Sequence[str] = (),
    doc: Document | None = None,
    located: Pyramid | None = None,
) -> Result:
    """`located`: the goals whose compiled positions place the findings about the goals file
    (the current file, when `pyramid` is the version at the base)."""
    tracer = Tracer(pyramid)
    traces = [tracer.trace(item, linked) for item in items]
    item_rules = [(rule, pyramid.options.get(rule.id, {})) for rule in ITEM_RULES]
    raw: list[Finding] = []
    for trace in traces:
        # With `goals_file`, only the items that edit it are told so (one commit of a push, not all of them).
        edits = goals_changed and (goals_file is None or not trace.item.paths or goals_file in trace.item.paths)
        ctx = ItemContext(pyramid, trace, today, edits)
        raw.extend(f for rule, settings in item_rules for f in rule.check(ctx, settings))
    findings = apply_severities(raw, pyramid.severities) + list(extra)
    untraced = [t for t in traces if t.status in ("unaligned", "broken")]
    ideas: dict[str, list[Suggestion]] = {}
    if untraced:
        from checker.suggest import suggest

        ideas = {t.item.name: suggest(pyramid, t.item) for t in untraced}
    return Result(pyramid, traces, findings, suggestions=ideas, notes=list(notes), doc=doc, located=located)


def evaluate_config(
    config: Config, items: Sequence[WorkItem], *, today: dt.date, with_goals_rules: bool = True, **kwargs: object
) -> Result:
    """Items against a fully loaded configuration, with the goals rules when asked."""
    pyramid = config.pyramid()
    extra = goals_findings(pyramid, today) if with_goals_rules else []
    return evaluate(pyramid, items, today=today, extra=extra, doc=config.doc, **kwargs)  # type: ignore[arg-type]


__all__ = ["Context", "Options", "Outcome", "Result", "Source", "Work", "configure", "evaluate", "evaluate_config", "goals_findings", "run"]
