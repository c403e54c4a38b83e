"""How a change landed on the mainline: the pull request, merge request or review a mainline
commit stands for, read from the strongest evidence on the commit itself. Pure.

The shapes real histories have, strongest first:

- a merge's subject: GitHub's `Merge pull request #N from owner/branch`, bors/homu's `Auto
  merge of #N - user:branch, r=…` and `Rollup merge of #N - …`, bors-ng's `Merge #N #M` (one
  landing per number), GitLab's `Merge branch 'x' into 'y'` with `See merge request …!N`;
- a trailer that names the change's own review: `Pull Request resolved: <url>` (exported
  histories, ghstack), `Part-of: <merge request>` (GNOME's Marge), `See merge request …!N`
  (GitLab's squash), `Reviewed-on: <url>` (Gerrit), `Differential Revision: …` (Phabricator);
- a squash subject ending in `(#N)` (GitHub's squash and merge, merge queues);
- a rebased pull request's commits each closing with `Closes #N` (or `Closes <its URL>`) in their
  last paragraph (curl's workflow: the trailer block's last one names the pull request): the
  weakest, for `#N`.

Every landing carries the project its evidence names (None: the repository's own, implied),
so that a number another repository gave never becomes this repository's unit. Numbers the
text calls issues (`Tracking issue:`) or other changes (`Original PR:`) are not landings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

from checker.references import number_ok

Kind = Literal["pr", "mr", "review"]


class Landing(NamedTuple):
    kind: Kind
    number: str  # `123`; a review's own id (`D21870`, `795860`)
    project: str | None  # the repository the evidence names (`facebook/CacheLib`, `GNOME/gnome-shell`); None: implied
    via: str  # which evidence said so
    branch: str | None = None  # the source branch a merge's subject names
    title: str | None = None  # the change's title, when the merge's message carries it
    owner: str | None = None  # who the source branch belongs to (`anupj` for `anupj:master`), where the subject says


_GITHUB_MERGE = re.compile(r"\AMerge pull request #(\d+) from ([^\s/]+)/(\S+)")
_BORS = re.compile(  # `Auto merge of #N - user:branch, r=x` (homu, bors); early homu wrote `auto merge of #N : owner/repo/branch`
    r"\A(?i:(auto|rollup) merge of) #(\d+)(?:\s*-\s*([^\s:]+)(?::(\S+?))?|\s*:\s*([^\s/]+)/[^\s/]+/(\S+?))?,?\s*(?:r=\S*)?\s*\Z"
)
_BORS_NG = re.compile(r"\AMerge((?: #\d+)+)\s*\Z")
_GITLAB_MERGE = re.compile(r"\AMerge branch '([^']+)' into '[^']+'")
_SEE_MR = re.compile(r"(?m)^[ \t]*See merge request ((?:[\w.-]+/)+[\w.-]+)?!(\d+)[ \t]*$")
_SQUASH = re.compile(r"\(#(\d+)\)\s*\Z")
_TRAILER = re.compile(r"(?im)^[ \t]*(?:summary:[ \t]*)?(pull request resolved|part-of|reviewed-on|differential revision)[ \t]*:[ \t]*(.*)$")
_GITHUB_PULL = re.compile(r"https?://[^/\s]+/([\w.-]+/[\w.-]+)/pull/(\d+)")
_GITLAB_MR_URL = re.compile(r"https?://[^/\s]+/((?:[\w.-]+/)+?[\w.-]+)/-/merge_requests/(\d+)")
_GITLAB_MR_REF = re.compile(r"\A((?:[\w.-]+/)+[\w.-]+)?!(\d+)\Z")
_GERRIT = re.compile(r"https?://([^/\s]+)/(?:c/(.+?)/\+/|#/c/|)(\d+)/?(?:\s|$)")
_PHABRICATOR = re.compile(r"(?:https?://([^/\s]+)/)?(D\d+)\b")
_CLOSES_LINE = re.compile(r"(?m)^Closes (?:#(\d+)|<?https?://[^/\s]+/([\w.-]+/[\w.-]+)/pull/(\d+)>?)[ \t]*$")
_BORS_NG_LINE = re.compile(r"(?m)^(\d+): (.+?)(?: r=\S+)?(?: a=\S+)?[ \t]*$")


def landings(subject: str, body: str, *, merge: bool) -> list[Landing]:
    """What the mainline commit says it landed, strongest evidence first (most commits say one
    change or none; a bors-ng batch says one per pull request it merged)."""
    if merge and (merged := _merge_subject(subject, body)):
        return merged
    if trailer := _own_trailer(body):
        return [trailer]
    if (squash := _SQUASH.search(subject)) and number_ok(squash[1]):
        return [Landing("pr", squash[1], None, "squash subject")]
    closes = _CLOSES_LINE.findall(body.rstrip().rsplit("\n\n", 1)[-1]) if not merge and "Closes " in body else []
    if closes:  # the trailer block's last `Closes #N` (or the pull request's URL): the change's own pull request
        number, project, url_number = closes[-1]
        if number and number_ok(number):
            return [Landing("pr", number, None, "Closes trailer")]
        if url_number and number_ok(url_number):
            return [Landing("pr", url_number, project, "Closes URL")]
    return []


def _merge_subject(subject: str, body: str) -> list[Landing]:
    title = _first_line(body)
    if (m := _GITHUB_MERGE.match(subject)) and number_ok(m[1]):
        return [Landing("pr", m[1], None, "merge subject", m[3], title, m[2])]
    if (m := _BORS.match(subject)) and number_ok(m[2]):
        via = "bors rollup" if m[1].lower() == "rollup" else "bors merge"
        return [Landing("pr", m[2], None, via, m[4] or m[6], title, m[3] or m[5])]
    if m := _BORS_NG.match(subject):
        titles = dict(_BORS_NG_LINE.findall(body))
        numbers = [n for n in m[1].split() if number_ok(n.lstrip("#"))]
        return [Landing("pr", n.lstrip("#"), None, "bors-ng batch", None, titles.get(n.lstrip("#"))) for n in numbers]
    if (m := _GITLAB_MERGE.match(subject)) and (see := _SEE_MR.search(body)) and number_ok(see[2]):
        return [Landing("mr", see[2], see[1], "GitLab merge", m[1], title)]
    return []


_TRAILER_RANK = {"pull request resolved": 0, "part-of": 1, "reviewed-on": 2, "differential revision": 3}


def _own_trailer(body: str) -> Landing | None:
    """A trailer that names the change's own review: the strongest kind, and of one kind the last
    (Gerrit appends the new change's `Reviewed-on:` below a cherry-picked one's). `Part-of:` may
    wrap its value onto the next line (the URL alone there)."""
    lines = body.splitlines() if _TRAILER.search(body) else []  # most bodies hold none: one search, no line loop
    found: dict[str, Landing] = {}
    for at, line in enumerate(lines):
        match = _TRAILER.match(line)
        if match is None:
            continue
        key, value = match[1].lower(), match[2].strip()
        if not value and at + 1 < len(lines):
            value = lines[at + 1].strip()
        if landing := _trailer_value(key, value.strip("<>")):
            found[key] = landing
    if found:
        return found[min(found, key=_TRAILER_RANK.__getitem__)]
    if "See merge request" in body and (see := _SEE_MR.search(body)) and number_ok(see[2]):
        return Landing("mr", see[2], see[1], "See merge request")
    return None


def _trailer_value(key: str, value: str) -> Landing | None:  # noqa: PLR0911 -- one return per trailer and the shape of its value
    if key == "pull request resolved":
        if (m := _GITHUB_PULL.search(value)) and number_ok(m[2]):
            return Landing("pr", m[2], m[1], "Pull Request resolved")
        return None
    if key == "part-of":
        if (m := _GITLAB_MR_URL.search(value)) and number_ok(m[2]):
            return Landing("mr", m[2], m[1], "Part-of trailer")
        if (m := _GITLAB_MR_REF.match(value)) and number_ok(m[2]):
            return Landing("mr", m[2], m[1], "Part-of trailer")
        if (m := _GITHUB_PULL.search(value)) and number_ok(m[2]):
            return Landing("pr", m[2], m[1], "Part-of trailer")
        return None
    if key == "reviewed-on":
        if m := _GERRIT.match(value + " "):
            return Landing("review", m[3], f"{m[1]}/{m[2]}" if m[2] else m[1], "Reviewed-on trailer")
        return None
    if m := _PHABRICATOR.match(value):
        return Landing("review", m[2], m[1], "Differential Revision")
    return None


def _first_line(body: str) -> str | None:
    """A merge message's first line: the change's title on GitHub, bors and GitLab."""
    for line in body.splitlines():
        text = line.strip()
        if text and not _SEE_MR.match(line) and not text.lower().startswith(("signed-off-by:", "co-authored-by:")):
            return text
    return None


def own_branch(landing: Landing, identity: str | None) -> bool:
    """Whether the landed change's source branch is in this repository: then the pull requests
    merged into it are this repository's too; a fork's are the fork's (its `#1` is not ours)."""
    if landing.owner is None:
        return landing.kind == "mr" or landing.via == "bors-ng batch"
    return identity is not None and landing.owner.lower() == identity.split("/", 1)[0].lower()


_ROLLUP = re.compile(r"(?m)^Rollup of \d+ pull requests")
_ROLLED = re.compile(r"(?m)^[ \t]*[-*][ \t]*#(\d+)\b")


def rolled_up(body: str) -> frozenset[str]:
    """The pull requests a bors rollup's message lists (`Successful merges:` then `- #N (title)`):
    its inner `Rollup merge of #N` merges are the base repository's, from whatever branch."""
    return frozenset(_ROLLED.findall(body)) if "Rollup of" in body and _ROLLUP.search(body) else frozenset()


_WEAK = frozenset({"squash subject", "Closes trailer"})  # evidence that is only a `#N`


def gitlab_hosted(found: Iterable[Sequence[Landing]]) -> bool:
    """Whether a history's own landings say it is hosted on GitLab: merge requests clearly
    outnumber pull requests (more than twice as many landed, by the evidence that names its kind:
    merges, trailers; each change once, however many commits a series has). There `#N` is an
    issue, so a subject ending `(#N)` or a `Closes #N` names no change (gnome-shell's `(#652816)`
    is a Bugzilla bug, fdroidserver's `Closes #129` an issue). A history with both, a project
    that moved, reads `#N` as GitHub does unless GitLab's clearly dominate."""
    kinds = Counter(kind for kind, _ in {(x.kind, x.number) for group in found for x in group if x.via not in _WEAK})
    return kinds["mr"] > 2 * kinds["pr"]


def named(found: Sequence[Landing], *, gitlab: bool) -> list[Landing]:
    """The landings a commit's evidence names on its forge: on GitLab, none from a bare `#N`."""
    return [landing for landing in found if landing.via not in _WEAK] if gitlab else list(found)


def same_project(named: str | None, identity: str | None) -> bool:
    """Whether a landing's project is the repository's own: implied, or the same path."""
    return named is None or (identity is not None and named.lower() == identity.lower())
