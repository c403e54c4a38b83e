"""The report from local git, with no forge: the report source (`Repository.history`: one `git
log` over the window, its units traced while a second log lists the paths the rules need) and the
report target (the report files in the work tree, committed with `git commit` when asked), on the
seams of checker.app.report."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker import safewrite
from checker.errors import ClewError, GitError
from checker.forges import commits
from checker.forges.local import git, gitdir, units
from checker.report.history import History
from checker.term import progress
from checker.trace import Trace, claims_report

if TYPE_CHECKING:
    from checker.goals.compiled import Pyramid
    from checker.report import model as m
    from checker.report.files import Written
    from checker.trace import Tracer
    from checker.work import Window

LOCK_WAIT = 10.0  # seconds a local report commit waits for another git process (another report run) to finish


class Repository:
    """A report source and a report target: the repository at `root`."""

    name = "git"
    unread = "local history"

    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self.root, self.env = root, env
        self.common = gitdir.repo_dirs(root)[1]

    def history(self, pyramid: Pyramid, window: Window, previous: m.Previous | None, tracer: Tracer) -> History:
        """The window's units of merged work, traced: most are settled while git still lists the
        paths; those that get suggestions, or claim to be clew's report commit, with every path."""
        del previous  # every run reads the window again
        progress("reading the git history…")
        prefixes = tracer.index.path_prefixes()
        goals = tracer.goals_path
        if prefixes is not None and not Path(goals).is_absolute() and not goals.startswith("../"):
            prefixes = (*prefixes, goals)  # which units edit the goals file (in the repository): work on the goals
        log = units.start(self.root, window.start, window.end, paths=True if prefixes is None else prefixes, beside=True)
        try:
            reading = units.read(log)
            arranged = units.arrange(reading, git.identity(self.root))
            progress(f"tracing {len(arranged.items)} units of work…")
            settled = [tracer.settle(unit) for unit in arranged.items]
            found = units.complete(reading, arranged)
        finally:
            if log is not None:
                log.close()
        traces = [
            early if isinstance(early, Trace) else tracer.trace(unit, refs=early) for early, unit in zip(settled, found.items, strict=True)
        ]
        if prefixes is not None:
            self._every_path(tracer, found, traces)
        notes = [
            "local history: no open issues or pull requests were read, and the issues the work links were not followed "
            "(`clew report --source github` with GITHUB_TOKEN, or `--source gitlab` in GitLab CI, reads them)"
        ]
        shallow = (cut := git.shallow_since(self.common, self.root)) is not None and cut > window.start.isoformat()
        if shallow and cut is not None:
            notes.insert(0, shallow_note(cut, window.start, self.env))
        progress("")
        return History("git", found.items, notes=notes, complete=not shallow, traces=traces, unread=self.unread)

    def _every_path(self, tracer: Tracer, found: units.Units, traces: list[Trace]) -> None:
        """A log limited to the rules' directories (and the goals file) left out the other paths:
        the units that get suggestions, those claiming to be clew's report commit and those that
        edit the goals file (work on the goals only if they change nothing else) read all of theirs."""
        from checker.report.build import suggested

        claimed = {at for at, trace in enumerate(traces) if trace.status != "exempt" and claims_report(trace.item)}
        claimed |= {
            at for at, t in enumerate(traces) if t.status in ("unaligned", "broken", "exempt") and tracer.goals_path in t.item.paths
        }
        for at, paths in units.all_paths(self.root, found, [*suggested(traces), *sorted(claimed)]).items():
            item = traces[at].item._replace(paths=paths)
            traces[at] = tracer.trace(item) if at in claimed else traces[at]._replace(item=item)

    # --- the target
    def current(self, paths: Sequence[str]) -> dict[str, str]:
        """The report files as the work tree holds them (the previous run wrote them)."""
        return {path: safewrite.current(self.root / path) for path in paths}

    def commit(self, written: Written) -> str:
        """The report committed locally, one run at a time in this repository."""
        with self.turn():
            return commit_local(
                self.root,
                written,
                lambda stale: write(self.root, written._replace(changed=stale)),
                lambda: safewrite.clean_leftovers(self.root, list(written.files)),
                LOCK_WAIT,
            )

    def tally(self) -> str:
        return ""

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Local report runs in one repository take turns (a lock in the git directory), so a
        second run sees what the first committed instead of racing it."""
        import fcntl

        (self.common / "clew").mkdir(exist_ok=True)
        with open(self.common / "clew" / "report.lock", "w", encoding="utf-8") as handle:
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


def source(env: Mapping[str, str], root: Path) -> Repository:
    return Repository(root, env)


def target(source: Repository, env: Mapping[str, str], root: Path) -> Repository:
    return source


def write(root: Path, written: Written) -> str:
    """The changed files, each atomically and inside the repository (checker.safewrite)."""
    safewrite.clean_leftovers(root, list(written.files))
    if not written.changed:
        return "clew: the report is unchanged (only the timestamp would change); nothing written\n"
    for path in written.changed:
        safewrite.write(root, path, written.files[path], setting=written.where.get(path, path))
    return f"clew: wrote {', '.join(written.changed)}\n"


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


def commit_local(root: Path, written: Written, write: Callable[[list[str]], str], clean: Callable[[], object], seconds: float) -> str:
    """Both (or all three) files in one commit, `--no-verify`. What is compared is the report
    committed at HEAD, not the working tree: a plain `clew report` before, or a run interrupted
    after writing or staging, leaves files that this run finishes committing."""
    head = git.git(["log", "-1", "--format=%s%n%b"], root, check=False)
    if head.startswith(commits.SUBJECT) and f"\n{commits.TRAILER}:" in head:
        return "clew: HEAD is clew's own report commit; not committing again\n"
    clean()  # what an interrupted run left
    on_disk = {path: safewrite.current(root / path) for path in written.files}
    stale = [p for p, text in written.files.items() if not commits.unchanged(on_disk[p], text)]
    said = write(stale) if stale else ""

    def attempt() -> str:
        committed = {path: (git.show("HEAD", path, root) or b"").decode("utf-8", "replace") for path in written.files}
        pending = [p for p, text in written.files.items() if not commits.unchanged(committed[p], text)]
        if not pending:
            return said + "clew: the report is unchanged (only the timestamp would change); nothing committed\n"
        try:
            git.git(["add", "--", *pending], root)
            git.git(["commit", "-q", "--no-verify", "-m", commits.message(written.report), "--", *pending], root)
        except GitError as exc:
            raise commits.Lost from exc  # another git process holds the index, or committed first: compare with HEAD again
        return said + f"clew: committed {', '.join(pending)}\n"

    try:
        return commits.retry(attempt, lambda: None, seconds=seconds)
    except commits.Lost as lost:
        raise lost.__cause__ or GitError("git commit failed") from None
