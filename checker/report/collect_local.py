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
_MERGED_AT = WorkItem._fields.index("merged_at")


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
    paths = _union(side)
    return WorkItem(
        kind=kind, key=key, title=title, body=message, author=commit.author, merged_at=commit.updated_at, paths=paths, commits=tuple(side)
    )


def _unit(commit: WorkItem, side: list[WorkItem]) -> WorkItem:
    if match := _MERGE_PR.match(commit.title):
        return _merged("pr", match[1], commit, side)
    if "See merge request" in commit.body and (see := _SEE_MR.search(commit.body)):
        return _merged("mr", see[2], commit, side)
    if squash := _SQUASH.search(commit.title):
        return commit._replace(kind="pr", key=squash[1], merged_at=commit.updated_at)
    return WorkItem._make((*commit[:_MERGED_AT], commit.updated_at, *commit[_MERGED_AT + 1 :]))  # _replace, at a third of the cost


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
    asked: set[str]  # the commits whose paths git is asked for


def read(history: History | None, tracer: Tracer | None = None) -> Reading | None:
    """The commits as git writes them. With a tracer, each message's references are parsed
    (and memoised for it), and a log started without paths asks git for the paths of the
    commits whose message does not already name an objective: only those can need them.
    git answers while clew goes on; `complete` collects the answers."""
    if history is None:
        return None
    root, head, log = history
    commits: dict[str, WorkItem] = {}
    asked: set[str] = set()
    asker = git.Paths(root) if tracer is not None and not log.paths else None
    try:
        with log:
            for commit in log:
                commits[commit.key] = commit
                if tracer is not None:
                    refs = references.parse_memo(commit.texts[0], tracer.syntax)
                    if asker is not None and len(commit.parents) < 2 and tracer.needs_paths(commit, refs):
                        asker.ask(commit.key)
                        asked.add(commit.key)
    except BaseException:
        if asker is not None:
            asker.close()
        raise
    return Reading(head, commits, asker, asked)


class Arranged(NamedTuple):
    """Units of work, newest first; those at `waiting` lack the paths git was asked for."""

    units: list[WorkItem]
    waiting: dict[int, str]  # unit index -> the sha whose paths a single-commit unit takes


def assemble(reading: Reading | None) -> list[WorkItem]:
    return complete(reading, arrange(reading))


def arrange(reading: Reading | None) -> Arranged:
    """The units, without waiting for git's paths: what needs none can be traced meanwhile."""
    if reading is None:
        return Arranged([], {})
    head, commits, _, asked = reading
    chain = _mainline(head, commits)
    mainline = set(chain)
    units: list[WorkItem] = []
    waiting: dict[int, str] = {}
    groups: dict[str, int] = {}
    for sha in chain:
        commit = commits[sha]
        if len(commit.parents) > 1:
            side = _side(commit, commits, mainline)
            if asked and any(c.key in asked for c in side):
                waiting[len(units)] = ""
            units.append(_unit(commit, side))
            continue
        unit = _unit(commit, [])
        key = _group_key(commit) if unit.kind == "commit" else None
        if key is None:
            if sha in asked:
                waiting[len(units)] = sha
            units.append(unit)
            continue
        if key in groups:
            at = groups[key]
            first = units[at]
            units[at] = first._replace(commits=(*first.commits, commit), paths=_union((*first.commits, commit)))
            if sha in asked:
                waiting[at] = ""
        else:
            groups[key] = len(units)
            if sha in asked:
                waiting[len(units)] = ""
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
    return Arranged(units, waiting)


def complete(reading: Reading | None, arranged: Arranged) -> list[WorkItem]:
    """The units with the paths git was asked for (this waits for git)."""
    units, waiting = arranged
    if reading is None or reading.paths is None:
        return units
    try:
        answers = reading.paths.answers()
    finally:
        reading.paths.close()
    units = list(units)
    for at, sha in waiting.items():
        unit = units[at]
        if sha:
            units[at] = unit._replace(paths=answers.get(sha, unit.paths))
        else:  # a merge or a group: its commits' paths, in order
            members = tuple(c._replace(paths=answers[c.key]) if c.key in answers else c for c in unit.commits)
            units[at] = unit._replace(commits=members, paths=_union(members))
    return units


def _union(commits: tuple[WorkItem, ...] | list[WorkItem]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for c in commits for p in c.paths))
