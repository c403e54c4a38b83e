"""Merged work from local git history, with no forge: one `git log` over the
window, then units of work on the main line — merge commits `Merge pull
request #N` (their side commits' messages count too), squash subjects `(#N)`,
GitLab's `See merge request …!N`, plain commits grouped by their `Part-of:`
merge request, and the remaining commits one by one."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from checker import references
from checker.forges.local import git
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


def _side(merge: WorkItem, commits: dict[str, WorkItem], claimed: set[str]) -> list[WorkItem]:
    """Commits brought in by a merge: reachable from its second parent, neither on the main
    line nor brought in by an earlier merge (the same maintenance branch merged twice brings
    its old commits in once)."""
    out, stack, seen = [], list(merge.parents[1:]), set()
    while stack:
        sha = stack.pop()
        if sha in seen or sha in claimed or sha not in commits:
            continue
        seen.add(sha)
        out.append(commits[sha])
        stack.extend(commits[sha].parents)
    return out


def _sides(chain: list[str], commits: dict[str, WorkItem]) -> dict[str, list[WorkItem]]:
    """Each merge's side commits, claimed oldest merge first: a commit belongs to the merge
    that first brought it into the line."""
    claimed, sides = set(chain), {}
    for sha in reversed(chain):
        if len(commits[sha].parents) > 1:
            sides[sha] = side = _side(commits[sha], commits, claimed)
            claimed.update(c.key for c in side)
    return sides


def _author(commit: WorkItem, side: list[WorkItem]) -> tuple[str, bool]:
    """Who did the work a merge brought in: the author of most of its commits (the merger only
    when it brought none). A dependabot PR merged by a maintainer is dependabot's."""
    if not side:
        return commit.author, commit.author_is_bot
    counts = Counter(c.author for c in side)
    top = max(counts.values())
    head = next((c for c in side if counts[c.author] == top), side[0])  # the PR's head commit first among equals
    return head.author, head.author_is_bot


def _merged(kind: Kind, key: str, commit: WorkItem, side: list[WorkItem], *, title_from_body: bool = True) -> WorkItem:
    """A merge commit as the pull or merge request it merged: its title is the message's
    first body line (or the subject, for a subject ending in `(#N)`); its commits, paths and
    author are the ones it brought in."""
    message = commit.body
    title = message.strip().splitlines()[0] if title_from_body and message.strip() else commit.title
    author, is_bot = _author(commit, side)
    return WorkItem(
        kind=kind,
        key=key,
        title=title,
        body=message,
        author=author,
        author_is_bot=is_bot,
        merged_at=commit.updated_at,
        paths=_union(side),
        commits=tuple(side),
    )


def _unit(commit: WorkItem, side: list[WorkItem]) -> WorkItem:
    if match := _MERGE_PR.match(commit.title):
        return _merged("pr", match[1], commit, side)
    if "See merge request" in commit.body and (see := _SEE_MR.search(commit.body)):
        return _merged("mr", see[2], commit, side)
    if squash := _SQUASH.search(commit.title):
        if len(commit.parents) > 1:  # a merge commit titled `… (#N)`: the work is what it brought in
            return _merged("pr", squash[1], commit, side, title_from_body=False)
        return commit._replace(kind="pr", key=squash[1], merged_at=commit.updated_at)
    return WorkItem._make((*commit[:_MERGED_AT], commit.updated_at, *commit[_MERGED_AT + 1 :]))  # _replace, at a third of the cost


def _merge_units(commit: WorkItem, side: list[WorkItem]) -> list[tuple[WorkItem, tuple[str, ...]]]:
    """The units a merge on the line stands for, newest first, each with its commits. A pull
    or merge request is one unit. A plain `Merge branch 'x'` (a maintenance branch merged
    forward, a feature branch merged by hand) is no work of its own: the units are the ones
    on the branch it merged, its own pull requests included. A plain merge whose message
    names something (`Objective: …`, `Closes #3`) stays one unit with its commits."""
    unit = _unit(commit, side)
    if unit.kind != "commit":
        return [(unit, tuple(c.key for c in unit.commits))]
    if not side or references.parse(f"{commit.title}\n\n{commit.body}"):
        return [(unit._replace(commits=tuple(side), paths=_union(side)), tuple(c.key for c in side) or (commit.key,))]
    inside = {c.key: c for c in side}
    line = _mainline(commit.parents[1], inside)
    sides = _sides(line, inside)
    out: list[tuple[WorkItem, tuple[str, ...]]] = []
    for sha in line:
        if sha in sides:
            out.extend(_merge_units(inside[sha], sides[sha]))
        else:
            out.append((_unit(inside[sha], []), (sha,)))
    return out


_PART_OF = re.compile(r"(?im)^[ \t]*part-of[ \t]*:")


def _group_key(commit: WorkItem) -> str | None:
    if not _PART_OF.search(commit.body):
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
    sides = _sides(chain, commits)
    items: list[WorkItem] = []
    members: list[tuple[str, ...]] = []
    groups: dict[str, int] = {}
    grown: dict[int, list[WorkItem]] = {}  # a `Part-of:` group's later commits, joined once at the end
    for sha in chain:
        commit = commits[sha]
        if sha in sides:
            for unit, shas in _merge_units(commit, sides[sha]):
                _add(items, members, groups, unit, shas)
            continue
        unit = _unit(commit, [])
        key = _group_key(commit) if unit.kind == "commit" else None
        if key is None:
            _add(items, members, groups, unit, (sha,))
        elif key in groups:
            at = groups[key]
            grown.setdefault(at, []).append(commit)
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
                    author_is_bot=commit.author_is_bot,
                    merged_at=commit.updated_at,
                    paths=commit.paths,
                    commits=(commit,),
                )
            )
            members.append((sha,))
    for at, more in grown.items():
        group = (*items[at].commits, *more)
        items[at] = items[at]._replace(commits=group, paths=_union(group))
    return Units(items, members)


def _add(items: list[WorkItem], members: list[tuple[str, ...]], seen: dict[str, int], unit: WorkItem, shas: tuple[str, ...]) -> None:
    """A unit, once: a pull request met again (backported with the same `(#N)`, merged into
    two branches) adds its commits to the first."""
    if unit.kind == "commit":
        items.append(unit)
        members.append(shas)
        return
    key = f"{unit.kind}:{unit.key}"
    if key not in seen:
        seen[key] = len(items)
        items.append(unit)
        members.append(shas)
        return
    at = seen[key]
    first = items[at]
    own = first.commits or (first._replace(kind="commit", key=members[at][0]),)
    extra = unit.commits or (unit._replace(kind="commit", key=shas[0]),)
    known = {c.key for c in own}
    commits = (*own, *(c for c in extra if c.key not in known))
    items[at] = first._replace(commits=commits, paths=_union(commits) if commits else first.paths)
    members[at] += tuple(s for s in shas if s not in members[at])


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
