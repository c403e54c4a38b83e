"""The two pipelines, each spelled out once, on the same seams:

- `run(context, options)`, the check: gather the work from a `Source`, compile the goals it is
  judged against (those at its base), trace it, apply the rules, publish the result through a
  `Publisher`, render it in one of `outputs.FORMATS`, give the exit code;
- `report(context, options)`, the report: the goals, the previous report as its `ReportTarget`
  holds it, the history from a `ReportSource`, the key-result readings, then build, render, and
  write or commit.

Every surface is an adapter that builds a context and calls one of them: the check adapters in
forges/<place>/ (local check and pre-push, the GitHub Action, the GitLab job), `clew explain`,
`clew report`. forges/surfaces.py names each place's adapter, report source and report target;
docs/architecture.md draws the flow.

Which rules run where is decided in one place: the item rules on every surface, the goals rules
(about the goals file itself) when `Options.goals_rules` is set, which `clew check` does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from checker.findings import Finding, apply_severities
from checker.goals.compiled import Pyramid
from checker.result import Result
from checker.rules import ITEM_RULES, goals_findings
from checker.rules.base import ItemContext
from checker.trace import Tracer
from checker.work import Measured, Work, WorkItem

if TYPE_CHECKING:
    from checker.goals.config import Config
    from checker.goals.document import Document
    from checker.goals.file import GoalsFile
    from checker.report import model as m
    from checker.report.files import Written
    from checker.report.history import History
    from checker.suggest import Suggestion
    from checker.work import Window


class Source(Protocol):
    """Where the work comes from: local git, git's pre-push lines, a GitHub event, a GitLab job.
    `gather` reads the items, their links and the goals at their base, in as few requests as the
    place allows; it raises ClewError for bad input and ApiError when it must fail closed."""

    def gather(self, goals: GoalsFile) -> Work: ...


@runtime_checkable
class Publisher(Protocol):
    """Writes the result to the change where it lives (the sticky comment or note and the label)
    and returns the notes to show (why nothing was written, what could not be). It writes only
    what differs from what is there, with what its source gathered: one read serves both."""

    def publish(self, result: Result) -> list[str]: ...


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
    if work.tracked is None:
        work = work._replace(tracked=lambda: _tracked(goals))
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
        work._replace(notes=[*goals.notes, *notes, *work.notes]),
        today=context.today,
        edited=goals.display if changed else None,
        extra=goals_findings(current, context.today) if options.goals_rules else (),
        located=current,
    )
    if context.publisher is not None and not work.passes_open and result.traces:
        result.notes.extend(context.publisher.publish(result))
    return Outcome(result, render(result, options.format, options.color), EXIT_OK if work.passes_open else result.exit_code)


def _tracked(goals: GoalsFile) -> list[str]:
    """The files of the work tree the goals file is in (a checkout in CI, the clone locally)."""
    from checker.forges.local import git, gitdir

    found = gitdir.find(goals.path.parent) if goals.path.parent.is_dir() else None
    return git.tracked(found[0]) if found else []


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


# --- the report


class ReportSource(Protocol):
    """Where a report's history comes from: local git, GitHub, GitLab (forges/<place>/report.py).
    `history` reads the window's merged work as units, the open issues and changes, the issues
    they link; `previous` is the last report, built against the same goals (None: read it all)."""

    name: str
    unread: str | None  # why the links of its work are not read (`local history`); None: it reads them

    def history(self, pyramid: Pyramid, window: Window, previous: m.Previous | None, tracer: Tracer) -> History: ...


class ReportTarget(Protocol):
    """Where the report is kept: `current` gives the report files as that place holds them (the
    previous report), `commit` commits the new ones in one commit, writing only what changed, and
    `tally` says what it cost (API requests)."""

    def current(self, paths: Sequence[str]) -> dict[str, str]: ...

    def commit(self, written: Written) -> str: ...

    def tally(self) -> str: ...


class ReportContext(NamedTuple):
    goals: GoalsFile
    source: ReportSource
    target: ReportTarget
    root: Path  # the work tree: key-result sources run there, and plain runs write there
    today: dt.date
    env: Mapping[str, str]


class ReportOptions(NamedTuple):
    format: str = "files"  # or json / markdown / html: print that document, write nothing
    commit: bool = False
    dry_run: bool = False
    html: bool = False  # also the self-contained page (report.html)
    days: int | None = None  # the window's length (default: the goals file's report.window_days)
    since: dt.date | None = None  # the window's first day (instead of `days`)
    until: dt.date | None = None  # its last day (default: today): a report as of a past date


class ReportOutcome(NamedTuple):
    report: m.Report
    written: Written
    output: str  # for stdout
    warnings: list[str]  # for stderr: what the figures miss, key results not measured


def report(context: ReportContext, options: ReportOptions) -> ReportOutcome:
    """The goals, the previous report, the history, the key-result readings; build, render; then
    write, commit, show the diff, or print one document."""
    from checker.report import files
    from checker.report import model as m
    from checker.report.build import build, readings_of

    goals = context.goals
    text = goals.read()
    pyramid = goals.compile(text)
    window = report_window(pyramid, options, context.today)
    page = options.html or options.format == "html"
    current = context.target.current(list(files.paths(pyramid, page).values()))
    committed = current.get(pyramid.report.json_path)
    digest = goals.digest(text)
    previous = m.read_previous(committed, digest)
    if previous is not None and (window.end < context.today or not previous.start or previous.start > window.start.isoformat()):
        previous = None  # a report as of a past date, or a window reaching before the previous one's: read it all
    with _bulk():
        tracer = Tracer(pyramid, context.source.unread)
        history = context.source.history(pyramid, window, previous, tracer)._replace(goals=digest)
        history = _with_trackers(pyramid, tracer, history, context.env)
        measured, warnings = _measure(context.root, pyramid)
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        built = build(pyramid, history, window, generated_at=stamp, measured=measured, readings=readings_of(committed))
    if not history.complete:
        warnings.insert(0, f"clew: warning: {history.notes[0]}\n")
    from checker.goals.file import report_settings_where

    written = files.render(pyramid, built, current, report_settings_where(text, goals.display, pyramid.report), html=page)
    return ReportOutcome(built, written, _deliver(context, options, written, current), warnings)


def report_window(pyramid: Pyramid, options: ReportOptions, today: dt.date) -> Window:
    """The days the report covers: `since` to `until` (today), or the last `days` (the goals
    file's `report.window_days`) up to `until`."""
    from checker.errors import ClewError
    from checker.work import Window

    end = options.until or today
    start = options.since or end - dt.timedelta(days=options.days or pyramid.window_days)
    if start > end:
        raise ClewError(f"--since {start.isoformat()} is after the window's end ({end.isoformat()}): nothing to report")
    return Window(start, end)


def _deliver(context: ReportContext, options: ReportOptions, written: Written, current: Mapping[str, str]) -> str:
    from checker.report import files

    if options.format != "files":
        return files.document(written, options.format)
    if options.dry_run:
        out = files.diff(current, written)
    elif options.commit:
        out = context.target.commit(written)
    else:
        from checker.forges.local.report import write

        out = write(context.root, written)
    return out + context.target.tally()


def _with_trackers(pyramid: Pyramid, tracer: Tracer, history: History, env: Mapping[str, str]) -> History:
    """The Jira issues, and their epics, that the history's work names (every key, 50 per
    search) join its links; units a source traced already that name them are traced again."""
    if not pyramid.jira:
        return history
    from checker.forges.jira import follow, keys_named
    from checker.trace import syntax_of

    syntax = syntax_of(pyramid)
    found = follow(pyramid.jira, syntax, [*history.merged, *history.open_issues, *history.open_changes], env, every=True)
    notes = [f"Jira: {note}" if not note.startswith("Jira") else note for note in found.notes]
    if found.requests and not found.failed:
        notes.append(f"Jira: {len(found.linked)} issues and epics read in {found.requests} searches")
    linked = {**history.linked, **found.linked}
    traces = history.traces
    if traces is not None and found.linked:
        traces = [tracer.trace(t.item, linked) if t.status != "exempt" and keys_named([t.item], syntax, 1) else t for t in traces]
    return history._replace(linked=linked, traces=traces, notes=[*history.notes, *notes])


def _measure(root: Path, pyramid: Pyramid) -> tuple[dict[str, Measured], list[str]]:
    """This run's value of every key result with a `source:`, and the warnings for those that
    failed (each recorded with its reason: checker.forges.metrics); the report goes on."""
    from checker.forges.metrics import measure_all
    from checker.term import progress

    sources = {f"{o.id}.{k.id}": k.source for o in pyramid.objectives for k in o.key_results if k.source}
    if not sources:
        return {}, []
    progress(f"measuring {len(sources)} key result{'s' if len(sources) != 1 else ''}…")
    measured = measure_all(root, sources)
    progress("")
    warnings = [
        f"clew: warning: key result {key} was not measured ({taken.origin}): {taken.error}\n"
        for key, taken in measured.items()
        if taken.error
    ]
    return measured, warnings


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while the report is built: it allocates tens of thousands
    of small acyclic records, and the collector would rescan them hundreds of times (a tenth
    of the run). Whatever cycles there are get collected when this ends."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def configure(root: Path, goals: str | None) -> Config:
    """The goals file fully loaded (models and document), over the organisation's goals it
    extends or the repository inherits."""
    return configured(root, goals)[0]


def configured(root: Path, goals: str | None) -> tuple[Config, str]:
    """The configuration, and a digest of everything it was built from (the file and the
    organisation's goals): a report made against other goals is not reused."""
    from checker.forges import org_goals
    from checker.goals.compiled import digest
    from checker.goals.config import load_bytes
    from checker.goals.file import goals_file

    file = goals_file(root, goals, None, fetch=org_goals.fetch)
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


def evaluate(
    pyramid: Pyramid,
    work: Work,
    *,
    today: dt.date,
    edited: str | None = None,
    extra: Sequence[Finding] = (),
    located: Pyramid | Document | None = None,
) -> Result:
    """`edited`: the goals file, when the work edits it (each item that changes it, or whose
    paths are unknown, is told so: one commit of a push, not all of them). `located`: what places
    the findings about the goals file, the parsed file or the compiled goals whose positions it
    keeps (the current file, when `pyramid` is the version at the base)."""
    tracer = Tracer(pyramid, work.unread)
    traces = [tracer.trace(item, work.linked) for item in work.items]
    notes = list(work.notes)
    if work.unread and any(t.unresolved for t in traces):
        notes.append(
            f"links to issues were not read ({work.unread}); to follow them, check where the forge's API can be read: "
            "in GitHub Actions or GitLab CI with a token, or `clew report --source github|gitlab`"
        )
    item_rules = [(rule, pyramid.options.get(rule.id, {})) for rule in ITEM_RULES]
    raw: list[Finding] = []
    from checker.suggest import PathRarity, suggest

    rarity = PathRarity(lambda: [*(p for item in work.items for p in item.paths), *(work.tracked() if work.tracked else ())])
    for trace in traces:
        edits = edited is not None and (not trace.item.paths or edited in trace.item.paths)
        ctx = ItemContext(pyramid, trace, today, edits, rarity)
        raw.extend(f for rule, settings in item_rules for f in rule.check(ctx, settings))
    findings = apply_severities(raw, pyramid.severities) + list(extra)
    untraced = [t for t in traces if t.status in ("unaligned", "broken")]
    ideas: dict[str, list[Suggestion]] = {}
    if untraced:
        ideas = {t.item.name: suggest(pyramid, t.item, rarity=rarity) for t in untraced}
    return Result(pyramid, traces, findings, suggestions=ideas, notes=notes, located=located)


def evaluate_config(
    config: Config,
    items: Sequence[WorkItem],
    *,
    today: dt.date,
    with_goals_rules: bool = True,
    linked: Mapping[str, WorkItem] | None = None,
    edited: str | None = None,
) -> Result:
    """Items against a fully loaded configuration, with the goals rules when asked."""
    pyramid = config.pyramid()
    extra = goals_findings(pyramid, today) if with_goals_rules else []
    return evaluate(pyramid, Work(list(items), linked or {}), today=today, edited=edited, extra=extra, located=config.doc)


__all__ = [
    "Context",
    "Options",
    "Outcome",
    "Publisher",
    "ReportContext",
    "ReportOptions",
    "ReportOutcome",
    "ReportSource",
    "ReportTarget",
    "Result",
    "Source",
    "Work",
    "configure",
    "evaluate",
    "evaluate_config",
    "goals_findings",
    "report",
    "run",
]
