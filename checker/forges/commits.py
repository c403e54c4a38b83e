"""The report commit, on every surface: one message (`message`), one retry loop (`retry`),
and the three ways to commit (local git, GitHub's Git Data API, GitLab's commits API).

Each way compares what it would write with what the branch holds, writes only when they
differ, and when another writer moved the branch first, re-reads and tries again; after the
attempts, it says nothing was lost. Never on clew's own report commit."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from checker import safewrite
from checker.errors import ApiError, ClewError, GitError
from checker.trace import REPORT_TRAILER as TRAILER  # exempt when the commit changes only the report files

if TYPE_CHECKING:
    from checker.forges.github.client import Client as GitHubClient
    from checker.forges.github.client import Head
    from checker.forges.gitlab.client import Client as GitLabClient
    from checker.report import model as m

SUBJECT = "clew: update the alignment report"
GAVE_UP = "the branch kept moving: gave up committing the report after {n} attempts (nothing was lost; run again)"


def message(report: m.Report) -> str:
    """The report commit's message, the same on every surface: `[skip ci]` so that no CI runs on
    it, and the trailer that marks it as clew's own, which needs no id in anyone's goals file."""
    h = report.headline
    summary = f"{h.aligned_share:g}% of merged work traces to an objective; potential waste {h.waste_share:g}%."
    return f"{SUBJECT} [skip ci]\n\n{summary}\n\n{TRAILER}: v1\n"


class Lost(Exception):
    """Another writer moved the branch first: re-read and try again."""


def retry(attempt: Callable[[], str], reread: Callable[[], None], *, attempts: int = 3, seconds: float | None = None) -> str:
    """`attempt()` until it returns, re-reading after each lost race: `attempts` times, or for
    `seconds` (a local repository, where the race is another git process holding the index)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    tried = 0
    while True:
        tried += 1
        try:
            return attempt()
        except Lost:
            if deadline is not None:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
                continue
            reread()
            if tried >= attempts:
                raise ClewError(GAVE_UP.format(n=tried)) from None


class Written(Protocol):
    """What the report command hands over: the report, its files, which of them changed."""

    @property
    def report(self) -> m.Report: ...

    @property
    def files(self) -> dict[str, str]: ...

    @property
    def changed(self) -> list[str]: ...


def _unchanged(old: str, new: str) -> bool:
    from checker.report.render import unchanged

    return unchanged(old, new)


def commit_local(root: Path, written: Written, write: Callable[[list[str]], str], clean: Callable[[], object], seconds: float) -> str:
    """Both (or all three) files in one commit, `--no-verify`. What is compared is the report
    committed at HEAD, not the working tree: a plain `clew report` before, or a run interrupted
    after writing or staging, leaves files that this run finishes committing."""
    from checker.forges.local import git

    head = git.git(["log", "-1", "--format=%s%n%b"], root, check=False)
    if head.startswith(SUBJECT) and f"\n{TRAILER}:" in head:
        return "clew: HEAD is clew's own report commit; not committing again\n"
    clean()  # what an interrupted run left
    on_disk = {path: safewrite.current(root / path) for path in written.files}
    stale = [p for p, text in written.files.items() if not _unchanged(on_disk[p], text)]
    said = write(stale) if stale else ""

    def attempt() -> str:
        committed = {path: (git.show("HEAD", path, root) or b"").decode("utf-8", "replace") for path in written.files}
        pending = [p for p, text in written.files.items() if not _unchanged(committed[p], text)]
        if not pending:
            return said + "clew: the report is unchanged (only the timestamp would change); nothing committed\n"
        try:
            git.git(["add", "--", *pending], root)
            git.git(["commit", "-q", "--no-verify", "-m", message(written.report), "--", *pending], root)
        except GitError as exc:
            raise Lost from exc  # another git process holds the index, or committed first: compare with HEAD again
        return said + f"clew: committed {', '.join(pending)}\n"

    try:
        return retry(attempt, lambda: None, seconds=seconds)
    except Lost as lost:
        raise lost.__cause__ or GitError("git commit failed") from None


def _racing(call: Callable[[], Any], *, lost: tuple[int, ...]) -> str:
    """The forge's answer to a commit; the statuses by which it says another writer came first
    (a ref that moved, a file changed since it was read) become `Lost`."""
    try:
        return str(call())
    except ApiError as exc:
        if exc.status in lost:
            raise Lost from exc
        raise


def commit_github(written: Written, client: GitHubClient, head: Head | None, repository: str, env: Mapping[str, str]) -> str:
    """Git Data API: one commit with every file and a non-forced ref update; on a lost race
    (HTTP 409 or 422), re-read the head, unless it already holds this report."""
    from checker.forges.github.client import commit_files, read_head

    if head is None:
        raise ClewError("the repository's default branch could not be read; nothing was committed")
    if env.get("GITHUB_EVENT_NAME") == "push" and head.message.startswith(SUBJECT):
        return "clew: this run was triggered by clew's own report commit; not committing again\n"
    state = {"head": head}

    def attempt() -> str:
        now = state["head"]
        if all(_unchanged(now.files.get(p, ""), t) for p, t in written.files.items()):
            return "clew: the branch already holds this report; nothing committed\n"
        sha = _racing(lambda: commit_files(client, repository, now, written.files, message(written.report)), lost=(409, 422))
        return f"clew: committed {', '.join(written.files)} to {now.branch} ({sha[:12]})\n"

    def reread() -> None:
        state["head"] = read_head(client, repository, state["head"].branch, list(written.files))

    return retry(attempt, reread)


def commit_gitlab(
    written: Written, client: GitLabClient, versions: dict[str, str | None], where: tuple[str, str], env: Mapping[str, str]
) -> str:
    """One atomic commit through the commits API; each action names the commit that last
    changed its file, so a concurrent change is refused (HTTP 400 or 409), and clew re-reads."""
    project, branch = where
    if env.get("CI_PIPELINE_SOURCE") == "push" and env.get("CI_COMMIT_TITLE", "").startswith(SUBJECT):
        return "clew: this pipeline runs on clew's own report commit; not committing again\n"
    state = {"changed": list(written.changed)}

    def attempt() -> str:
        if not state["changed"]:
            return "clew: the branch already holds this report; nothing committed\n"
        actions = [
            {
                "action": "update" if versions.get(p) else "create",
                "file_path": p,
                "content": t,
                **({"last_commit_id": versions[p]} if versions.get(p) else {}),
            }
            for p, t in written.files.items()
        ]
        sha = _racing(lambda: client.commit(project, branch, message(written.report), actions), lost=(400, 409))
        return f"clew: committed {', '.join(written.files)} to {branch} ({sha[:12]})\n"

    def reread() -> None:
        current = {}
        for path in written.files:
            text, versions[path] = client.read_file(project, path, branch)
            current[path] = text or ""
        state["changed"] = [p for p, t in written.files.items() if not _unchanged(current[p], t)]

    return retry(attempt, reread)
