"""`clew report` and `clew status`: the alignment report over a window, from
local git history (no token needed), written to the paths in the goals file's
`report:` section; `--commit` commits both files back, `--dry-run` shows the
diff instead."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import NamedTuple

from checker import app
from checker.commands.check import repo_root
from checker.errors import ClewError
from checker.report import model as m
from checker.report.build import build
from checker.report.collect_local import collect
from checker.report.render import json_text, markdown, without_timestamp
from checker.sources import git
from checker.term import progress

COMMIT_SUBJECT = "clew: update the alignment report"


class Written(NamedTuple):
    report: m.Report
    files: dict[str, str]  # repository path -> new content
    changed: list[str]


def make(cwd: Path, goals: str | None, today: dt.date, window_days: int | None) -> tuple[Path, Written]:
    root = repo_root(cwd)
    config = app.configure(root, goals)
    days = window_days or config.goals.report.window_days
    start = today - dt.timedelta(days=days)
    progress("reading the git history…")
    units = collect(root, start, today)
    progress(f"tracing {len(units)} units of work…")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    report = build(
        config.goals,
        config.pyramid(),
        units,
        today=today,
        window_start=start,
        source="git",
        generated_at=now,
        notes=["local history: no open issues or pull requests were read"],
    )
    progress("")
    files = {config.goals.report.markdown: markdown(report), config.goals.report.json_path: json_text(report)}
    changed = [path for path, text in files.items() if without_timestamp(_read(root / path)) != without_timestamp(text)]
    return root, Written(report, files, changed)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def diff(root: Path, written: Written) -> str:
    out: list[str] = []
    for path in written.changed:
        old = _read(root / path).splitlines(keepends=True)
        new = written.files[path].splitlines(keepends=True)
        out.extend(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))
    return "".join(out) or "clew: the report is unchanged (only the timestamp would change)\n"


def write(root: Path, written: Written) -> str:
    if not written.changed:
        return "clew: the report is unchanged (only the timestamp would change); nothing written\n"
    for path in written.changed:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(written.files[path], encoding="utf-8")
    return f"clew: wrote {', '.join(written.changed)}\n"


def commit(root: Path, written: Written) -> str:
    """Both files in one commit, marked [skip ci]; never on clew's own report commit."""
    head_subject = git.git(["log", "-1", "--format=%s"], root, check=False).strip()
    if head_subject.startswith(COMMIT_SUBJECT):
        return "clew: HEAD is clew's own report commit; not committing again\n"
    message = write(root, written)
    if not written.changed:
        return message
    git.git(["add", "--", *written.changed], root)
    h = written.report.headline
    body = f"{h.aligned_share:g}% of merged work traces to an objective; potential waste {h.waste_share:g}%.\n\nObjective: report"
    git.git(["commit", "-q", "--no-verify", "-m", f"{COMMIT_SUBJECT} [skip ci]", "-m", body, "--", *written.changed], root)
    return message + f"clew: committed {', '.join(written.changed)}\n"


class Options(NamedTuple):
    commit: bool
    dry_run: bool
    window: int | None


def run(cwd: Path, goals: str | None, today: dt.date, options: Options) -> str:
    if options.commit and options.dry_run:
        raise ClewError("--commit and --dry-run exclude each other")
    root, written = make(cwd, goals, today, options.window)
    if options.dry_run:
        return diff(root, written)
    return commit(root, written) if options.commit else write(root, written)


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
