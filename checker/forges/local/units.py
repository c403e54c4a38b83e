"""Merged work from local git history, with no forge: one `git log` over the window, then the
units of work on the main line (the first-parent history of the branch, and the maintenance
branches merged into it): each change as it landed, a merge, a squash or a run of rebased
commits naming the same pull or merge request (checker.landings reads how each landed). The
commits inside a merged pull request are never units of their own; a number another
repository gave never becomes this repository's."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from checker import references
from checker.forges.local import git
from checker.landings import Landing, gitlab_hosted, landings, named, own_branch, rolled_up, same_project
from checker.work import WorkItem

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
    if head and until is not None:  # the main line as it stood on `until`: its newest commit then
        head = git.git(["rev-list", "-1", "--first-parent", f"--until={until.isoformat()}T23:59:59", head], root, check=False).strip()
    if not head:
        return None
    args = [f"--since={since.isoformat()}T00:00:00", head]
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


def units(history: History | None, identity: str | None = None) -> list[WorkItem]:
    """Units of merged work on the current branch's main line, newest first."""
    try:
        return assemble(read(history), identity).items
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


def assemble(reading: Reading | None, identity: str | None = None) -> Units:
    return complete(reading, arrange(reading, identity))


def arrange(reading: Reading | None, identity: str | None = None) -> Units:
    """The units, with the paths the main log carried: the second log may still be running.
    `identity`: the repository's own path (`owner/name`, `group/project`); None: the project the
    history's own landings name most (a mirror has no remote to say it)."""
    if reading is None:
        return Units([], [])
    head, commits, _ = reading
    chain = _mainline(head, commits)
    sides = _sides(chain, commits)
    found = {sha: _landings_of(commits[sha]) for sha in chain}
    builder = _Builder(identity or _named_most(found.values()), gitlab=gitlab_hosted(found.values()))
    if builder.gitlab:
        found = {sha: named(group, gitlab=True) for sha, group in found.items()}
    for sha in chain:
        commit = commits[sha]
        if sha in sides:
            builder.extend(_merge_units(commit, sides[sha], found[sha], builder))
        else:
            builder.single(commit, found[sha])
    return builder.done()


def _landings_of(commit: WorkItem) -> list[Landing]:
    return landings(commit.title, commit.body, merge=len(commit.parents) > 1)


def _named_most(found: Iterable[list[Landing]]) -> str | None:
    named = Counter(landing.project.lower() for group in found for landing in group if landing.project)
    return named.most_common(1)[0][0] if named else None


class _Builder:
    """The units in mainline order, each change once: a pull request met again (a backport with
    the same `(#N)`, a `Part-of:` series, a rebased run ending `Closes #N`) adds its commits to
    the first."""

    def __init__(self, identity: str | None, *, gitlab: bool = False) -> None:
        self.identity = identity
        self.gitlab = gitlab  # a GitLab history: a bare `#N` is an issue, never a landing
        self.items: list[WorkItem] = []
        self.members: list[tuple[str, ...]] = []
        self.seen: dict[str, int] = {}
        self.grown: dict[int, list[WorkItem]] = {}  # a unit's later commits, joined once at the end

    def unit(self, landing: Landing, commit: WorkItem, side: Sequence[WorkItem]) -> WorkItem:
        """The change a landing names, with the work it brought in (a merge's side commits)."""
        key = (
            landing.number
            if same_project(landing.project, self.identity) or landing.kind == "review"
            else (f"{landing.project}{'!' if landing.kind == 'mr' else '#'}{landing.number}")
        )
        author, is_bot = _author(commit, list(side))
        return WorkItem(
            kind=landing.kind,
            key=key,
            title=landing.title or commit.title,
            body=commit.body,
            author=author,
            author_is_bot=is_bot,
            branch=landing.branch,
            merged_at=commit.updated_at,
            paths=_union(list(side)) if side else commit.paths,
            commits=tuple(side),
        )

    def single(self, commit: WorkItem, found: list[Landing]) -> None:
        unit = self.unit(found[0], commit, ()) if found else None
        if unit is not None and found[0].via == "Closes trailer" and not self._continues(unit):
            unit = None  # `Closes #N` again, away from its run: an issue it closes, not the pull request landing twice
        if unit is None:
            self.add(WorkItem._make((*commit[:_MERGED_AT], commit.updated_at, *commit[_MERGED_AT + 1 :])), (commit.key,))
            return
        self.add(unit, (commit.key,), first=commit)

    def _continues(self, unit: WorkItem) -> bool:
        """Whether a rebased commit's `Closes #N` is new, or continues the run just before it."""
        at = self.seen.get(f"{unit.kind}:{unit.key}")
        return at is None or at == len(self.items) - 1

    def extend(self, found: list[tuple[WorkItem, tuple[str, ...]]]) -> None:
        for unit, shas in found:
            self.add(unit, shas)

    def add(self, unit: WorkItem, shas: tuple[str, ...], first: WorkItem | None = None) -> None:
        if unit.kind == "commit":
            self.items.append(unit)
            self.members.append(shas)
            return
        key = f"{unit.kind}:{unit.key}"
        if key not in self.seen:
            self.seen[key] = len(self.items)
            self.items.append(unit)
            self.members.append(shas)
            if first is not None:  # a landed commit: its own text is the unit's; more commits may join it
                self.grown[len(self.items) - 1] = [first]
            return
        at = self.seen[key]
        self.grown.setdefault(at, list(self.items[at].commits))
        self.grown[at].extend(unit.commits or ((first,) if first is not None else ()))
        self.members[at] += tuple(s for s in shas if s not in self.members[at])

    def done(self) -> Units:
        for at, group in self.grown.items():
            known: dict[str, WorkItem] = {}
            for c in group:
                known.setdefault(c.key, c)
            if len(known) > 1 or self.items[at].commits:
                commits = tuple(known.values())
                self.items[at] = self.items[at]._replace(commits=commits, paths=_union(commits))
        return Units(self.items, self.members)


def _merge_units(commit: WorkItem, side: list[WorkItem], found: list[Landing], builder: _Builder) -> list[tuple[WorkItem, tuple[str, ...]]]:
    """The units a merge on the line stands for, each with its commits. A landed merge is its
    change, with the commits it brought in, less those of the changes merged into its branch
    (a pull request merged into another's branch is a unit of its own; a merge whose side holds
    only such changes, a rollup, is none). A bors-ng batch is one unit per pull request, each
    with what its parent brought. A plain `Merge branch 'x'` (a maintenance branch merged
    forward, a branch merged by hand) is no work of its own: the units are those of the branch
    it merged. A plain merge whose message names something stays one unit with its commits, and
    so does a merge that brings in another repository's history (a subtree, an unrelated
    history: its side reaches a root commit), whose pull request numbers are that repository's."""
    pool = {c.key: c for c in side}
    imported = any(not c.parents for c in side)  # another repository's history (a subtree, an unrelated merge): its numbers are not ours
    if not found:
        if not side or imported or references.parse(f"{commit.title}\n\n{commit.body}"):
            plain = commit._replace(merged_at=commit.updated_at, commits=tuple(side), paths=_union(side))
            return [(plain, tuple(c.key for c in side) or (commit.key,))]
        return _line(commit.parents[1], pool, builder, inside=False)
    if len(found) > 1 and len(commit.parents) == len(found) + 1:  # bors-ng: an octopus, one parent per pull request
        out: list[tuple[WorkItem, tuple[str, ...]]] = []
        claimed: set[str] = set()
        for landing, parent in zip(found, commit.parents[1:], strict=True):
            mine = [c for c in _reachable(parent, pool) if c.key not in claimed]
            claimed.update(c.key for c in mine)
            out.append((builder.unit(landing, commit, mine), tuple(c.key for c in mine)))
        return out
    inner = _line(commit.parents[1], pool, builder, inside=True) if len(commit.parents) > 1 else []
    nested = own_branch(found[0], builder.identity) and not imported  # a fork's own pull requests, merged into its branch, are the fork's
    rolled = rolled_up(commit.body)  # a bors rollup names the pull requests it rolled up: the base repository's

    def ours(unit: WorkItem) -> bool:
        return unit.kind != "commit" and (nested or (unit.kind == "pr" and unit.key in rolled))

    own = [c for unit, _ in inner if not ours(unit) for c in (unit.commits or (unit,))]
    landed = [(unit, shas) for unit, shas in inner if ours(unit)]
    out = [(builder.unit(found[0], commit, own), tuple(c.key for c in own))] if own or not landed else []
    out += [(builder.unit(extra, commit, ()), ()) for extra in found[1:]]
    return out + landed


def _line(tip: str, pool: dict[str, WorkItem], builder: _Builder, *, inside: bool) -> list[tuple[WorkItem, tuple[str, ...]]]:
    """The units of a branch's own first-parent line, within `pool` (what a merge brought in).
    `inside` a pull request, only merges land changes: its commits are its own."""
    line = _mainline(tip, pool)
    sides = _sides(line, pool)
    out: list[tuple[WorkItem, tuple[str, ...]]] = []
    for sha in line:
        commit = pool[sha]
        if sha in sides:
            out.extend(_merge_units(commit, sides[sha], named(_landings_of(commit), gitlab=builder.gitlab), builder))
            continue
        found = [] if inside else named(_landings_of(commit), gitlab=builder.gitlab)
        if found:  # a change landed on a maintenance branch: the commit is its work
            out.append((builder.unit(found[0], commit, (commit,)), (sha,)))
        else:
            out.append((commit._replace(merged_at=commit.updated_at), (sha,)))
    return out


def _reachable(tip: str, pool: dict[str, WorkItem]) -> list[WorkItem]:
    out, stack, seen = [], [tip], set()
    while stack:
        sha = stack.pop()
        if sha in seen or sha not in pool:
            continue
        seen.add(sha)
        out.append(pool[sha])
        stack.extend(pool[sha].parents)
    return out


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
