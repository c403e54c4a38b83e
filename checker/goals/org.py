"""Organisation goals: one goals file that many repositories share.

A repository names it with a top-level `extends:`, or inherits it whole when it has no goals file
of its own (`CLEW_ORG_GOALS`; in GitHub Actions the owner's `.github` repository, as GitHub does
for community health files):

    extends: github:acme/.github/goals.yml@main
    extends: gitlab:acme/handbook:goals.yml@main

The repository's file is laid over the organisation's: the mission, policy, report and jira
settings it leaves out are the organisation's; an objective it names by id only, with
`initiatives:`, gets those initiatives added; one it defines again replaces the organisation's,
unless that one is `locked: true`; its own objectives and budgets are added. Errors name the file
and line they come from. An organisation's file may extend another in turn (a team's goals over
the company's), up to MAX_DEPTH levels, never in a circle.

The text is kept in the git directory (`.git/clew/org/`), by reference. A reference pinned to a
commit is read once; another is read again when the copy is older than an hour on a developer's
machine (in CI at every run), and when the forge cannot be reached the copy is used and the note
says how old it is. This module reads no YAML: the pre-push path uses it on a cache hit."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from checker.errors import ApiError, ClewError

_REF = re.compile(
    r"^github:(?P<gh>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(?P<ghpath>[^@\s]+)@(?P<ghref>\S+)$|^gitlab:(?P<gl>[A-Za-z0-9_./-]+):(?P<glpath>[^@\s]+)@(?P<glref>\S+)$"
)
_EXTENDS = re.compile(rb"^extends:[ \t]*[\"']?([^\"'\s#]+)", re.M)
FRESH_LOCALLY = 3600.0  # seconds a fetched copy serves a developer's machine without asking again


class OrgRef(NamedTuple):
    forge: str  # github | gitlab
    project: str  # acme/.github, or the GitLab project path
    path: str  # the file inside it
    ref: str  # branch, tag or commit
    text: str  # as written

    @property
    def pinned(self) -> bool:
        return re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", self.ref) is not None


MAX_DEPTH = 3  # a repository, a team, a division, the company


class Org(NamedTuple):
    """The organisation's goals file: where it is, its text, what to say about the copy used, and
    the goals it builds on in turn (a team's file that extends the company's)."""

    ref: OrgRef
    text: bytes
    note: str | None = None
    parent: Org | None = None

    @property
    def key(self) -> bytes:
        """Everything the composed goals are built from: each level's reference and text."""
        own = self.ref.text.encode() + b"\0" + self.text
        return own if self.parent is None else own + b"\0extends\0" + self.parent.key

    @property
    def chain(self) -> list[str]:
        """The references of every level, nearest first."""
        return [self.ref.text, *(self.parent.chain if self.parent is not None else [])]

    @property
    def notes(self) -> list[str]:
        return [*([self.note] if self.note else []), *(self.parent.notes if self.parent is not None else [])]


def parse_ref(text: str, where: str = "extends") -> OrgRef:
    match = _REF.match(text.strip())
    if match is None:
        raise ClewError(
            f"{where}: {text[:120]!r} is not an organisation goals reference; write "
            "`github:<owner>/<repository>/<path>@<ref>` (e.g. github:acme/.github/goals.yml@main) or "
            "`gitlab:<group>/<project>:<path>@<ref>`"
        )
    if match["gh"]:
        return OrgRef("github", match["gh"], match["ghpath"], match["ghref"], text.strip())
    return OrgRef("gitlab", match["gl"], match["glpath"], match["glref"], text.strip())


def declared(raw: bytes) -> str | None:
    """The `extends:` a goals file's bytes declare at the top level, read without YAML."""
    found = _EXTENDS.search(raw)
    return found[1].decode("utf-8", "replace") if found else None


def inherited(env: Mapping[str, str]) -> str | None:
    """The organisation's goals a repository without its own file inherits: CLEW_ORG_GOALS, else
    in GitHub Actions the owner's `.github` repository, at its default branch."""
    if chosen := env.get("CLEW_ORG_GOALS", "").strip():
        return chosen
    owner = env.get("GITHUB_REPOSITORY", "").partition("/")[0]
    if env.get("GITHUB_ACTIONS") == "true" and owner:
        return f"github:{owner}/.github/goals.yml@HEAD"
    return None


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


Fetch = Callable[[OrgRef, Mapping[str, str]], bytes]  # one read from the reference's forge (checker.forges.org_goals)


def resolve(text: str, cache_dir: Path | None, env: Mapping[str, str], fetch: Fetch, *, where: str = "extends") -> Org:
    """The organisation's goals for a reference, and the goals that file extends in turn (at most
    MAX_DEPTH levels, never in a circle): one request per level, or none from fresh copies."""
    levels = [_one(parse_ref(text, where), cache_dir, env, fetch)]
    while (above := declared(levels[-1].text)) is not None:
        chain = [o.ref.text for o in levels]
        if _REF.match(above.strip()) is None:  # read from elsewhere: say where, never what it holds
            raise ClewError(
                f"the `extends:` in {levels[-1].ref.text} is not an organisation goals reference (it is not shown: the file "
                "was read from another repository); run `clew validate` in that repository"
            )
        ref = parse_ref(above)
        if ref.text in chain:
            raise ClewError(
                f"the organisation's goals extend each other: {' → '.join([*chain, ref.text])}; remove the `extends:` "
                f"from {levels[-1].ref.text} that closes the circle"
            )
        if len(levels) >= MAX_DEPTH:
            raise ClewError(
                f"the organisation's goals extend more than {MAX_DEPTH} levels ({' → '.join([*chain, ref.text])}); "
                "clew follows up to three levels of organisation goals above a repository: let one of these files "
                "extend the one two levels up directly"
            )
        levels.append(_one(ref, cache_dir, env, fetch))
    for at in range(len(levels) - 2, -1, -1):
        levels[at] = levels[at]._replace(parent=levels[at + 1])
    return levels[0]


def _one(ref: OrgRef, cache_dir: Path | None, env: Mapping[str, str], fetch: Fetch) -> Org:
    """One organisation goals file: from the copy in the git directory while it is fresh, else
    from the forge (one request), else from the copy with a note on its age."""
    from checker.sha import sha256_hex

    # In CI the copy is never read: a persistent self-hosted runner keeps the git directory from
    # job to job, and a copy planted there by an earlier job would decide the gate.
    in_ci = env.get("GITHUB_ACTIONS") == "true" or env.get("GITLAB_CI") == "true"
    copy = cache_dir / "org" / f"{sha256_hex(ref.text.encode())[:32]}.yml" if cache_dir is not None and not in_ci else None
    age = time.time() - copy.stat().st_mtime if copy is not None and copy.is_file() else None
    if copy is not None and age is not None and (ref.pinned or age < FRESH_LOCALLY):
        return Org(ref, copy.read_bytes())
    try:
        fetched = fetch(ref, env)
    except (ApiError, ClewError) as exc:
        if copy is None or age is None:
            raise ClewError(f"cannot read the organisation's goals {ref.text}: {exc}") from None
        note = f"the organisation's goals ({ref.text}) could not be read ({exc}); used the copy read {_age(age)} ago"
        return Org(ref, copy.read_bytes(), note)
    if copy is not None:
        from checker.safewrite import replace

        with contextlib.suppress(OSError):  # a copy for the next run; a read-only git directory only costs a request
            replace(copy, fetched)
    return Org(ref, fetched)
