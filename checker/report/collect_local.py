"""Merged work from local git history, with no forge: one `git log` over the
window, then units of work on the main line — merge commits `Merge pull
request #N` (their side commits' messages count too), squash subjects `(#N)`,
GitLab's `See merge request …!N`, plain commits grouped by their `Part-of:`
merge request, and the remaining commits one by one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from checker import references
from checker.sources import git
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
    touched: git.Touched | None  # the second log: the paths, when the main one has none

    def close(self) -> None:
        self.log.close()
        if self.touched is not None:
            self.touched.close()


def start(
    root: Path, since: dt.date, until: dt.date | None = None, *, paths: bool | Sequence[str] = True, beside: bool = False
) -> History | None:
    """git starts reading the window's history now; None when the repository has no commit.
    `paths`: True, each commit's paths; False, none; a list of directories, only the paths
    under them (an empty list: none). Paths limited to directories always come from a second
    `git log` run beside the main one; every path does too with `beside` (on two cores, the
    main log is read while the other one diffs trees)."""
    head = git.git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], root, check=False).strip()
    if not head:
        return None
    args = [f"--since={since.isoformat()}T00:00:00", "HEAD"]
    if until is not None:
        args.insert(0, f"--until={until.isoformat()}T23:59:59")
    log = git.Log(args, root, paths=paths is True and not beside)
    try:
        if paths is True:
            touched = git.Touched(args, root, None) if beside else None
        else:
            touched = git.Touched(args, root, paths) if paths else None
    except BaseException:
        log.close()
        raise
    return History(root, head, log, touched)


def units(history: History | None) -> list[WorkItem]:
    """Units of merged work on the current branch's main line, newest first."""
    try:
        return assemble(read(history)).items
    finally:
        if history is not None:
            history.close()


class Reading(NamedTuple):
    head: str
    commits: dict[str, WorkItem]
    touched: git.Touched | None


def read(history: History | None) -> Reading | None:
    """The commits, parsed as git writes them."""
    if history is None:
        return None
    with history.log as log:
        commits = {commit.key: commit for commit in log}
    return Reading(history.head, commits, history.touched)


class Units(NamedTuple):
    items: list[WorkItem]  # newest first
    commits: list[tuple[str, ...]]  # each unit's commits (a merge: the ones it brought in)


def assemble(reading: Reading | None) -> Units:
    return complete(reading, arrange(reading))


def arrange(reading: Reading | None) -> Units:
    """The units, with the paths the main log carried: the second log may still be running."""
    if reading is None:
        return Units([], [])
    head, commits, _ = reading
    chain = _mainline(head, commits)
    mainline = set(chain)
    items: list[WorkItem] = []
    members: list[tuple[str, ...]] = []
    groups: dict[str, int] = {}
    for sha in chain:
        commit = commits[sha]
        if len(commit.parents) > 1:
            side = _side(commit, commits, mainline)
            unit = _unit(commit, side)
            items.append(unit)
            members.append(tuple(c.key for c in unit.commits))
            continue
        unit = _unit(commit, [])
        key = _group_key(commit) if unit.kind == "commit" else None
        if key is None:
            items.append(unit)
            members.append((sha,))
        elif key in groups:
            at = groups[key]
            first = items[at]
            items[at] = first._replace(commits=(*first.commits, commit), paths=_union((*first.commits, commit)))
            members[at] += (sha,)
        else:
            groups[key] = len(items)
            items.append(
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
            members.append((sha,))
    return Units(items, members)


def complete(reading: Reading | None, arranged: Units) -> Units:
    """The units with the paths of the second log, once git is done with it."""
    if reading is None or reading.touched is None:
        return arranged
    answers = reading.touched.answers()
    items = list(arranged.items)
    for at, shas in enumerate(arranged.commits):
        if not any(sha in answers for sha in shas):
            continue
        unit = items[at]
        if unit.commits:  # a merge or a group: its commits' paths, in order
            commits = tuple(c._replace(paths=answers[c.key]) if c.key in answers else c for c in unit.commits)
            items[at] = unit._replace(commits=commits, paths=_union(commits))
        else:
            items[at] = unit._replace(paths=answers[shas[0]])
    return Units(items, arranged.commits)


def all_paths(root: Path, found: Units, which: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Every path the units at `which` change, in one `git diff-tree` (a log limited to the
    rules' directories left out the rest)."""
    asker = git.Paths(root)
    try:
        wanted = list(which)
        for sha in dict.fromkeys(sha for at in wanted for sha in found.commits[at]):
            asker.ask(sha)
        answers = asker.answers()
    finally:
        asker.close()
    return {at: tuple(dict.fromkeys(p for sha in found.commits[at] for p in answers.get(sha, ()))) for at in wanted}


def _union(commits: tuple[WorkItem, ...] | list[WorkItem]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for c in commits for p in c.paths))
