"""Merged work from local git history, with no forge: one `git log` over the
window, then units of work on the main line — merge commits `Merge pull
request #N` (their side commits' messages count too), squash subjects `(#N)`,
GitLab's `See merge request …!N`, plain commits grouped by their `Part-of:`
merge request, and the remaining commits one by one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import NamedTuple

from checker import references
from checker.sources import git
from checker.trace import Tracer
from checker.work import Kind, WorkItem

_MERGE_PR = re.compile(r"^Merge pull request #(\d+) from ")
_SQUASH = re.compile(r"\(#(\d+)\)\s*$")
_SEE_MR = re.compile(r"^\s*See merge request (\S+)!(\d+)\s*$", re.M)


def _mainline(head: str, commits: dict[str, WorkItem]) -> list[str]:
    chain, sha = [], head
    while sha in commits:
        chain.append(sha)
        parents = commits[sha].parents
        sha = parents[0] if parents else ""
    return chain


def _side(merge: WorkItem, commits: dict[str, WorkItem], mainline: set[str]) -> list[WorkItem]:
    """Commits brought in by a merge: reachable from its second parent, not on the main line."""
    out, stack, seen = [], list(merge.parents[1:]), set()
    while stack:
        sha = stack.pop()
        if sha in seen or sha in mainline or sha not in commits:
            continue
        seen.add(sha)
        out.append(commits[sha])
        stack.extend(commits[sha].parents)
    return out


def _merged(kind: Kind, key: str, commit: WorkItem, side: list[WorkItem]) -> WorkItem:
    """A merge commit as the pull or merge request it merged: its title is the message's
    first body line; its commits and paths are the ones it brought in."""
    message = commit.body
    title = message.strip().splitlines()[0] if message.strip() else commit.title
    paths = tuple(dict.fromkeys(p for c in side for p in c.paths))
    return WorkItem(
        kind=kind, key=key, title=title, body=message, author=commit.author, merged_at=commit.updated_at, paths=paths, commits=tuple(side)
    )


def _unit(commit: WorkItem, side: list[WorkItem], paths: tuple[str, ...] | None = None) -> WorkItem:
    """`paths`: the commit's own, when the log came without them."""
    if match := _MERGE_PR.match(commit.title):
        return _merged("pr", match[1], commit, side)
    if "See merge request" in commit.body and (see := _SEE_MR.search(commit.body)):
        return _merged("mr", see[2], commit, side)
    paths = commit.paths if paths is None else paths
    if squash := _SQUASH.search(commit.title):
        return commit._replace(kind="pr", key=squash[1], merged_at=commit.updated_at, paths=paths)
    return commit._replace(merged_at=commit.updated_at, paths=paths)


def _group_key(commit: WorkItem) -> str | None:
    if "part-of:" not in commit.body.lower():
        return None
    for ref in references.parse(f"{commit.title}\n\n{commit.body}"):
        if ref.via == "Part-of trailer":
            return ref.target
    return None


class History(NamedTuple):
    root: Path
    head: str
    log: git.Log


def start(root: Path, since: dt.date, until: dt.date | None = None, *, paths: bool = True) -> History | None:
    """git starts reading the window's history now; None when the repository has no commit.
    `paths=False`: the log carries no paths; `units` asks for the ones the tracer needs."""
    head = git.git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], root, check=False).strip()
    if not head:
        return None
    args = [f"--since={since.isoformat()}T00:00:00", "HEAD"]
    if until is not None:
        args.insert(0, f"--until={until.isoformat()}T23:59:59")
    return History(root, head, git.Log(args, root, paths=paths))


def collect(root: Path, since: dt.date, until: dt.date | None = None) -> list[WorkItem]:
    return units(start(root, since, until))


def units(history: History | None, tracer: Tracer | None = None) -> list[WorkItem]:
    """Units of merged work on the current branch's main line, newest first."""
    return assemble(read(history, tracer))


class Reading(NamedTuple):
    head: str
    commits: dict[str, WorkItem]
    paths: git.Paths | None


def read(history: History | None, tracer: Tracer | None = None) -> Reading | None:
    """The commits as git writes them. With a tracer, each message's references are parsed
    (and memoised for it), and a log started without paths asks git for the paths of the
    commits whose message does not already name an objective: only those can need them.
    git answers while clew goes on; `assemble` collects the answers."""
    if history is None:
        return None
    root, head, log = history
    commits: dict[str, WorkItem] = {}
    asker = git.Paths(root) if tracer is not None and not log.paths else None
    try:
        with log:
            for commit in log:
                commits[commit.key] = commit
                if tracer is not None:
                    refs = references.parse_memo(commit.texts[0], tracer.syntax)
                    if asker is not None and len(commit.parents) < 2 and tracer.needs_paths(commit, refs):
                        asker.ask(commit.key)
    except BaseException:
        if asker is not None:
            asker.close()
        raise
    return Reading(head, commits, asker)


def assemble(reading: Reading | None) -> list[WorkItem]:
    if reading is None:
        return []
    head, commits, asker = reading
    answers: dict[str, tuple[str, ...]] = {}
    if asker is not None:
        try:
            answers = asker.answers()
        finally:
            asker.close()

    def paths(commit: WorkItem) -> WorkItem:
        found = answers.get(commit.key)
        return commit if found is None else commit._replace(paths=found)

    chain = _mainline(head, commits)
    mainline = set(chain)
    units: list[WorkItem] = []
    groups: dict[str, int] = {}
    for sha in chain:
        commit = commits[sha]
        if len(commit.parents) > 1:
            units.append(_unit(commit, [paths(c) for c in _side(commit, commits, mainline)]))
            continue
        unit = _unit(commit, [], answers.get(sha))
        key = _group_key(commit) if unit.kind == "commit" else None
        if key is None:
            units.append(unit)
            continue
        commit = paths(commit)
        if key in groups:
            first = units[groups[key]]
            units[groups[key]] = first._replace(commits=(*first.commits, commit), paths=tuple(dict.fromkeys((*first.paths, *commit.paths))))
        else:
            groups[key] = len(units)
            units.append(
                WorkItem(
                    kind="mr" if "!" in key else "pr",
                    key=key,
                    title=commit.title,
                    body=commit.body,
                    author=commit.author,
                    merged_at=commit.updated_at,
                    paths=commit.paths,
                    commits=(commit,),
                )
            )
    return units
