"""`clew report` and `clew status`: the command line's adapters onto `checker.app.report`. The
place the history comes from (`--source`: local git, GitHub, GitLab) gives the report source and
target its line of forges/surfaces.py names; the window is `--window` days, or `--since` to
`--until`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker import app
from checker.errors import ClewError

if TYPE_CHECKING:
    from checker.report import model as m


class Options(NamedTuple):
    commit: bool = False
    dry_run: bool = False
    window: int | None = None
    source: str = "auto"
    format: str = "files"  # or json / markdown / html: print that document, write nothing
    html: bool = False  # also the self-contained page (report.html)
    since: dt.date | None = None
    until: dt.date | None = None


def context(cwd: Path, goals: str | None, today: dt.date, source: str, env: Mapping[str, str]) -> app.ReportContext:
    """The goals file of the work tree at `cwd`, and the report source and target of the place
    `source` names (auto: the forge whose API the environment can read, else local git)."""
    from checker.forges import org_goals, surfaces
    from checker.forges.local import gitdir
    from checker.goals.file import goals_file

    root, common = gitdir.find(cwd) or (cwd, None)
    place = source if source != "auto" else surfaces.reads_its_api(env) or "git"
    if place == "git" and common is None:
        raise ClewError(f"{cwd} is not inside a git repository; the local report reads its history (or pass --source github|gitlab)")
    file = goals_file(root, goals, common / "clew" if common is not None else None, env=env, fetch=org_goals.fetch)
    report_source, report_target = surfaces.report_place(place, env, root)
    return app.ReportContext(file, report_source, report_target, root, today, env)


def run(cwd: Path, goals: str | None, today: dt.date, options: Options, env: Mapping[str, str]) -> app.ReportOutcome:
    if options.commit and options.dry_run:
        raise ClewError("--commit and --dry-run exclude each other")
    if options.format != "files" and (options.commit or options.dry_run):
        raise ClewError(f"--format {options.format} prints the report and writes nothing: it excludes --commit and --dry-run")
    if options.window is not None and options.since is not None:
        raise ClewError("--window counts days back from --until; --since names the first day: give one of them")
    chosen = app.ReportOptions(options.format, options.commit, options.dry_run, options.html, options.window, options.since, options.until)
    return app.report(context(cwd, goals, today, options.source, env), chosen)


def status_lines(report: m.Report, color: bool) -> str:
    from checker.report.render import STATUS
    from checker.term import paint

    styles = {"on-track": "ok", "at-risk": "warning", "off-track": "error", "achieved": "ok", "no-data": "dim", "unmeasured": "dim"}
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
