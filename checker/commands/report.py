"""`clew report` and `clew status`: the alignment report over a window, from
local git history (no token needed), written to the paths in the goals file's
`report:` section; `--commit` commits both files back, `--dry-run` shows the
diff instead."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from checker import safewrite
from checker.errors import ClewError
from checker.forges import commits
from checker.forges.local import git
from checker.forges.local import history as collect_local
from checker.term import progress
from checker.trace import Trace, Tracer, claims_report

if TYPE_CHECKING:
    from checker.forges.github.client import Client as GitHubClient
    from checker.forges.github.client import Head
    from checker.forges.gitlab.client import Client as GitLabClient
    from checker.forges.metrics import Measured
    from checker.goals.compiled import Pyramid
    from checker.report import model as m
    from checker.work import WorkItem

# The forge sources, the report's builder and renderer are imported inside the functions. A
# local report on a cache hit imports neither pydantic nor ruamel.yaml at all.

COMMIT_SUBJECT = commits.SUBJECT


class Written(NamedTuple):
    report: m.Report
    files: dict[str, str]  # repository path -> new content
    changed: list[str]
    where: dict[str, str]  # repository path -> the setting that names it ("goals.yml:31: report.markdown")


report_message = commits.message


def _text(path: Path) -> str:
    """The goals file's text, for naming where its settings are (none when it is inherited)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _settings_where(goals_text: str, display: str, settings: Any) -> dict[str, str]:
    """Where each report path is set (keyed `markdown`, `json` and `html`): file:line of its key under
    `report:`, or the default it has."""
    lines = goals_text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"report\s*:", line)), None)
    where = {}
    for key, path in (("markdown", settings.markdown), ("json", settings.json_path), ("html", settings.html)):
        found = None
        if start is not None:
            for number in range(start + 1, len(lines)):
                if lines[number][:1] not in (" ", "\t", "#", ""):
                    break
                if re.match(rf"\s+{key}\s*:", lines[number]):
                    found = number + 1
                    break
        where[key] = f"{display}:{found}: report.{key}" if found else f"report.{key} (default {path!r})"
    return where


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while the report is built: it allocates tens of thousands
    of small acyclic records, and the collector would rescan them hundreds of times (a tenth
    of the run). Whatever cycles there are get collected when this ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def measure(root: Path, pyramid: Pyramid) -> dict[str, Measured]:
    """This run's value of every key result with a `source:`; a source that fails is said on
    stderr and recorded with its reason (checker.forges.metrics), and the report goes on."""
    from checker.forges.metrics import measure_all

    sources = {f"{o.id}.{k.id}": k.source for o in pyramid.objectives for k in o.key_results if k.source}
    if not sources:
        return {}
    progress(f"measuring {len(sources)} key result{'s' if len(sources) != 1 else ''}…")
    measured = measure_all(root, sources)
    progress("")
    for key, taken in measured.items():
        if taken.error:
            sys.stderr.write(f"clew: warning: key result {key} was not measured ({taken.origin}): {taken.error}\n")
    return measured


@_bulk()
def make(cwd: Path, goals: str | None, today: dt.date, window_days: int | None, *, html: bool = False) -> tuple[Path, Written]:
    from checker.goals.file import goals_file

    root, common = git.repo_dirs(cwd)
    file = goals_file(root, goals, common / "clew")
    pyramid = file.compile(file.read())  # validated once, then cached: no YAML read here
    start = today - dt.timedelta(days=window_days or pyramid.window_days)
    progress("reading the git history…")
    tracer = Tracer(pyramid)
    # Paths come from a second `git log` beside the main one: limited to the path rules'
    # directories when they have some, every path when a rule can match anywhere.
    prefixes = tracer.index.path_prefixes()
    every = prefixes is None
    history = collect_local.start(root, start, today, paths=True if prefixes is None else prefixes, beside=True)
    try:
        reading = collect_local.read(history)
        arranged = collect_local.arrange(reading)
        progress(f"tracing {len(arranged.items)} units of work…")
        settled = [tracer.settle(unit) for unit in arranged.items]  # while git may still list paths
        found = collect_local.complete(reading, arranged)
    finally:
        if history is not None:
            history.close()
    from checker.report.build import build, suggested

    traces = [
        early if isinstance(early, Trace) else tracer.trace(unit, refs=early) for early, unit in zip(settled, found.items, strict=True)
    ]
    units = found.items
    if not every:  # suggestions, and commits claiming to be clew's report, read all the paths of their units
        claimed = [at for at, trace in enumerate(traces) if trace.status != "exempt" and claims_report(trace.item)]
        for at, paths in collect_local.all_paths(root, found, [*suggested(traces), *claimed]).items():
            item = traces[at].item._replace(paths=paths)
            traces[at] = tracer.trace(item) if at in claimed else traces[at]._replace(item=item)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    notes = ["local history: no open issues or pull requests were read"]
    if pyramid.jira:
        traces, jira_notes = _with_jira(pyramid, tracer, traces)
        notes += jira_notes
    shallow = (cut := git.shallow_since(common, root)) is not None and cut > start.isoformat()
    if shallow and cut is not None:
        notes.insert(0, shallow_note(cut, start, os.environ))
        progress("")
        sys.stderr.write(f"clew: warning: {notes[0]}\n")
    settings = pyramid.report
    current = {p: safewrite.current(root / p) for p in (settings.markdown, settings.json_path, *([settings.html] if html else []))}
    from checker.report.build import readings_of

    report = build(
        pyramid,
        units,
        today=today,
        window_start=start,
        source="git",
        generated_at=now,
        notes=notes,
        complete=not shallow,
        traced=traces,
        measured=measure(root, pyramid),
        readings=readings_of(current[settings.json_path]),
    )
    progress("")
    where = _settings_where(file.read().decode("utf-8", "replace"), file.display, settings)
    return root, _render(pyramid, report, current, where, html=html)


def shallow_note(cut: str, start: dt.date, env: Mapping[str, str]) -> str:
    """What a report over a shallow clone misses, and the one-line fix where clew runs."""
    missing = (dt.date.fromisoformat(cut) - start).days if cut[:1].isdigit() else None
    span = f"the first {missing} days of the {start.isoformat()} window" if missing is not None else "part of the window"
    from checker.forges.surfaces import forge

    fixes = {"github": "set `fetch-depth: 0` on actions/checkout", "gitlab": "set the CI/CD variable `GIT_DEPTH: 0` for this job"}
    fix = fixes.get(forge(env) or "", "fetch the full history")
    return (
        f"this is a shallow clone: history stops at {cut}, so every commit of {span} before that is missing "
        f"and the figures undercount it; {fix} (or run `git fetch --unshallow`)"
    )


class Made(NamedTuple):
    """A report built from a forge: the files, the client, what committing needs, the files as they are."""

    written: Written
    client: GitHubClient | GitLabClient
    state: Head | dict[str, str | None] | None  # GitHub: the branch's head; GitLab: each file's last commit id
    current: dict[str, str]


def _render(pyramid: Pyramid, report: m.Report, current: dict[str, str], where: dict[str, str], *, html: bool = False) -> Written:
    """Both files (three with the page), and which of them changed in more than their timestamp.
    Paths that could never be written safely are refused here, before anything is written or sent."""
    from checker.report.render import json_text, markdown, unchanged

    settings = pyramid.report
    goals = pyramid.file.split("@", 1)[0]
    named = {"markdown": settings.markdown, "json": settings.json_path, **({"html": settings.html} if html else {})}
    seen: dict[str, str] = {}
    for key, path in named.items():
        if path in seen:
            other = seen[path]
            blame = where[key] if "(default" in where[other] else where[other]
            raise safewrite.UnsafePath(f"{blame}: report.{other} and report.{key} name the same file, {path!r}")
        seen[path] = key
    labels = {path: where[key] for key, path in named.items()}
    for path, label in labels.items():
        safewrite.check(path, setting=label, goals=goals)
    files = {settings.markdown: markdown(report), settings.json_path: json_text(report)}
    if html:
        from checker.report.page import page

        files[settings.html] = page(report)
    changed = [p for p, t in files.items() if not unchanged(current.get(p) or "", t)]
    return Written(report, files, changed, labels)


def jira_issues(pyramid: Pyramid, items: Sequence[WorkItem]) -> tuple[dict[str, WorkItem], list[str]]:
    """The Jira issues, and their epics, that the report's work names (checker.forges.jira):
    every key, 50 per search. Nothing is asked without a `jira:` section in the goals file."""
    if not pyramid.jira:
        return {}, []
    from checker.forges.jira import follow
    from checker.trace import syntax_of

    found = follow(pyramid.jira, syntax_of(pyramid), items, os.environ, every=True)
    notes = [f"Jira: {note}" if not note.startswith("Jira") else note for note in found.notes]
    if found.requests and not found.failed:
        notes.append(f"Jira: {len(found.linked)} issues and epics read in {found.requests} searches")
    return found.linked, notes


def _with_jira(pyramid: Pyramid, tracer: Tracer, traces: list[Trace]) -> tuple[list[Trace], list[str]]:
    """The local report's traces, with the units that name Jira keys traced again through them."""
    from checker.forges.jira import keys_named
    from checker.trace import syntax_of

    syntax = syntax_of(pyramid)
    naming = [at for at, trace in enumerate(traces) if trace.status != "exempt" and keys_named([trace.item], syntax, 1)]
    linked, notes = jira_issues(pyramid, [traces[at].item for at in naming])
    if linked:
        traces = list(traces)
        for at in naming:
            traces[at] = tracer.trace(traces[at].item, linked)
    return traces, notes


def _forge_report(  # noqa: PLR0913 -- what the forges gathered, named at the call
    pyramid: Pyramid,
    source: str,
    gathered: Gathered,
    previous: m.Report | None,
    *,
    start: dt.date,
    today: dt.date,
    measured: Mapping[str, Measured],
    committed: str | None,
) -> m.Report:
    """`committed`: the alignment.json on the branch, whose key-result readings this run extends.
    The Jira issues the gathered work names join the issues it links."""
    from checker.report import model
    from checker.report.build import build, readings_of

    jira, notes = jira_issues(pyramid, [*gathered.merged, *gathered.open_issues, *gathered.open_prs])
    return build(
        pyramid,
        gathered.merged,
        today=today,
        window_start=start,
        source=source,
        open_issues=gathered.open_issues,
        open_prs=gathered.open_prs,
        linked={**gathered.linked, **jira},
        notes=notes,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        previous=model.all_rows(previous) if previous else (),
        goals_digest=gathered.goals_digest,
        measured=measured,
        readings=readings_of(committed),
    )


class Gathered(NamedTuple):
    """What a forge's API gave the report: merged work, the backlog, the open changes, the issues they link."""

    merged: list[WorkItem]
    open_issues: list[WorkItem]
    open_prs: list[WorkItem]
    linked: dict[str, WorkItem]
    goals_digest: str


def diff(current: dict[str, str], written: Written) -> str:
    from difflib import unified_diff

    out: list[str] = []
    for path in written.changed:
        old = (current.get(path) or "").splitlines(keepends=True)
        new = written.files[path].splitlines(keepends=True)
        out.extend(unified_diff(old, new, f"a/{path}", f"b/{path}"))
    return "".join(out) or "clew: the report is unchanged (only the timestamp would change)\n"


def write(root: Path, written: Written) -> str:
    """The changed files, each atomically and inside the repository (checker.safewrite)."""
    safewrite.clean_leftovers(root, list(written.files))
    if not written.changed:
        return "clew: the report is unchanged (only the timestamp would change); nothing written\n"
    for path in written.changed:
        safewrite.write(root, path, written.files[path], setting=written.where.get(path, path))
    return f"clew: wrote {', '.join(written.changed)}\n"


LOCK_WAIT = 10.0  # seconds a local report commit waits for another git process (another report run) to finish


def commit(root: Path, written: Written) -> str:
    """The report committed locally (checker.forges.commits), waiting for another git process."""
    return commits.commit_local(
        root,
        written,
        lambda stale: write(root, written._replace(changed=stale)),
        lambda: safewrite.clean_leftovers(root, list(written.files)),
        LOCK_WAIT,
    )


@contextlib.contextmanager
def _one_at_a_time(root: Path) -> Iterator[None]:
    """Local report runs in one repository take turns (a lock in the git directory), so a
    second run sees what the first committed instead of racing it."""
    import fcntl

    _, common = git.repo_dirs(root)
    (common / "clew").mkdir(exist_ok=True)
    with open(common / "clew" / "report.lock", "w", encoding="utf-8") as handle:
        deadline = time.monotonic() + 60
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ClewError("another `clew report` has held this repository for a minute; nothing was written") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Options(NamedTuple):
    commit: bool
    dry_run: bool
    window: int | None
    source: str = "auto"
    format: str = "files"  # or json / markdown / html: print that document, write nothing
    html: bool = False  # also the self-contained page (report.html)


def _source(choice: str) -> str:
    if choice != "auto":
        return choice
    from checker.forges.surfaces import reads_its_api

    return reads_its_api(os.environ) or "git"


def _previous(text: str | None, digest: str) -> m.Report | None:
    """The previous report, if it was built against the same goals file."""
    from checker.report import model as m

    if not text:
        return None
    try:
        report = m.adapter().validate_json(text)
    except ValueError:
        return None
    return report if report.watermark.goals == digest else None


@_bulk()
def make_github(cwd: Path, goals: str | None, today: dt.date, window_days: int | None, *, html: bool = False) -> Made:
    """The report from GitHub: one GraphQL page per 100 merged pull requests, or one page when warm."""
    from checker.app import configured
    from checker.forges.github.client import Client, fetch_report_page
    from checker.forges.github.report import collect as collect_github

    root = git.toplevel(cwd) or cwd
    config, goals_digest = configured(root, goals)
    repository = os.environ["GITHUB_REPOSITORY"]
    client = Client(os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or "")
    pyramid = config.pyramid()
    settings = pyramid.report
    start = today - dt.timedelta(days=window_days or settings.window_days)
    paths = (settings.json_path, settings.markdown, *([settings.html] if html else []))
    page = fetch_report_page(client, repository, None, paths)
    previous = _previous((page.head.files if page.head else {}).get(settings.json_path), goals_digest)
    watermark = previous.generated_at if previous else None
    collected = collect_github(client, repository, start, watermark, paths, first_page=page)
    gathered = Gathered(collected.merged, collected.open_issues, collected.open_pulls, collected.linked, goals_digest)
    current = collected.head.files if collected.head else {}
    measured = measure(root, pyramid)
    report = _forge_report(
        pyramid, "github", gathered, previous, start=start, today=today, measured=measured, committed=current.get(settings.json_path)
    )
    where = _settings_where(_text(config.doc.path), pyramid.file, settings)
    return Made(_render(pyramid, report, current, where, html=html), client, collected.head, current)


def commit_github(made: Made) -> str:
    """Through GitHub's Git Data API (checker.forges.commits)."""
    from checker.forges.github.client import Client, Head

    if not isinstance(made.client, Client) or not (made.state is None or isinstance(made.state, Head)):
        raise TypeError("a GitHub report commit needs what make_github made")
    return commits.commit_github(made.written, made.client, made.state, os.environ["GITHUB_REPOSITORY"], os.environ)


def _gitlab_env() -> tuple[str, str, str, str]:
    env = os.environ
    token = env.get("CLEW_GITLAB_TOKEN") or env.get("GITLAB_TOKEN") or ""
    project = env.get("CI_PROJECT_ID") or env.get("CI_PROJECT_PATH") or ""
    if not token or not project or not (env.get("CI_API_V4_URL") or env.get("CI_SERVER_URL")):
        raise ClewError("--source gitlab needs CLEW_GITLAB_TOKEN, CI_API_V4_URL (or CI_SERVER_URL) and CI_PROJECT_ID (or CI_PROJECT_PATH)")
    from checker.forges.gitlab.client import api_url

    return token, api_url(env), project, env.get("CI_DEFAULT_BRANCH") or "main"


@_bulk()
def make_gitlab(cwd: Path, goals: str | None, today: dt.date, window_days: int | None, *, html: bool = False) -> Made:
    """The report from GitLab's API; the committed report is read through the files API."""
    from checker.app import configured
    from checker.forges.gitlab.client import Client
    from checker.forges.gitlab.report import collect as collect_gitlab

    token, api, project, branch = _gitlab_env()
    root = git.toplevel(cwd) or cwd
    config, goals_digest = configured(root, goals)
    client = Client(api, token)
    pyramid = config.pyramid()
    settings = pyramid.report
    start = today - dt.timedelta(days=window_days or settings.window_days)
    current: dict[str, str] = {}
    versions: dict[str, str | None] = {}
    for path in (settings.json_path, settings.markdown, *([settings.html] if html else [])):
        text, version = client.read_file(project, path, branch)
        current[path], versions[path] = text or "", version
    previous = _previous(current.get(settings.json_path), goals_digest)
    since = max(start.isoformat(), previous.generated_at if previous else "")
    blocking = frozenset(label.lower() for label in settings.blocked_labels)
    collected = collect_gitlab(client, project, os.environ.get("CI_PROJECT_PATH", ""), since, blocking)
    merged = [w for w in collected.merged if (w.merged_at or "")[:10] >= start.isoformat()]
    gathered = Gathered(merged, collected.open_issues, collected.open_requests, collected.linked, goals_digest)
    measured = measure(root, pyramid)
    report = _forge_report(
        pyramid, "gitlab", gathered, previous, start=start, today=today, measured=measured, committed=current.get(settings.json_path)
    )
    where = _settings_where(_text(config.doc.path), pyramid.file, settings)
    return Made(_render(pyramid, report, current, where, html=html), client, versions, current)


def commit_gitlab(made: Made) -> str:
    """Through GitLab's commits API (checker.forges.commits)."""
    from checker.forges.gitlab.client import Client

    if not isinstance(made.client, Client) or not isinstance(made.state, dict):
        raise TypeError("a GitLab report commit needs what make_gitlab made")
    _, _, project, branch = _gitlab_env()
    return commits.commit_gitlab(made.written, made.client, made.state, (project, branch), os.environ)


FORGES = {"github": (make_github, commit_github, "GitHub"), "gitlab": (make_gitlab, commit_gitlab, "GitLab")}


def run(cwd: Path, goals: str | None, today: dt.date, options: Options) -> str:
    if options.commit and options.dry_run:
        raise ClewError("--commit and --dry-run exclude each other")
    if options.format != "files" and (options.commit or options.dry_run):
        raise ClewError(f"--format {options.format} prints the report and writes nothing: it excludes --commit and --dry-run")
    source = _source(options.source)
    page = options.html or options.format == "html"
    if source in FORGES:
        make_from, commit_to, name = FORGES[source]
        made = make_from(cwd, goals, today, options.window, html=page)
        if options.format != "files":
            return _document(made.written, options.format)
        if options.dry_run:
            out = diff(made.current, made.written)
        elif options.commit:
            out = commit_to(made)
        else:
            out = write(git.toplevel(cwd) or cwd, made.written)
        return out + f"clew: {name} API requests: {made.client.reads} read, {made.client.writes} write\n"
    root, written = make(cwd, goals, today, options.window, html=page)
    if options.format != "files":
        return _document(written, options.format)
    if options.dry_run:
        return diff({path: safewrite.current(root / path) for path in written.files}, written)
    with _one_at_a_time(root):
        return commit(root, written) if options.commit else write(root, written)


def _document(written: Written, fmt: str) -> str:
    """The one document asked for, as it would be written (files are in the order markdown, json, html)."""
    return list(written.files.values())[{"markdown": 0, "json": 1, "html": 2}[fmt]]


def status_lines(report: m.Report, color: bool) -> str:
    from checker.report.render import STATUS
    from checker.term import paint

    styles = {"on-track": "ok", "at-risk": "warning", "off-track": "error", "achieved": "ok", "no-data": "dim"}
    lines = []
    for o in report.objectives:
        lines.append(f"{paint(STATUS[o.status], styles[o.status], color)}  {o.id}: {o.title}")
        lines.extend(f"    - {reason}" for reason in o.reasons)
    h = report.headline
    lines.append(
        f"clew: {h.aligned_share:g}% of {h.merged} merged changes trace to an objective; potential waste {h.waste_share:g}% "
        f"(window {report.window.start} → {report.window.end})"
    )
    return "\n".join(lines) + "\n"
