"""How faithfully clew reads PR and MR references, on real messages.

Two measures, printed per kind of reference (merge subjects, squash `(#N)`,
`See merge request`, `Part-of:`, `Closes:`/`Fixes:` URLs):

- `--labelled` (the default): the labelled set shipped in
  tests/fidelity/messages.json, 126 real commit messages from public GitHub and
  GitLab repositories (each names its source) plus traps (dates, versions,
  quotes, negations, prose mentions). Recall, and false links: references clew
  reads that the label does not hold.
- `--repo PATH`: any local clone. clew clones nothing; give it a path. An
  independent, deliberately simple recogniser (a handful of anchored regular
  expressions, below) finds the PR/MR references of every commit message, and
  the benchmark prints which share of them clew's parser finds. Links clew
  reads beyond those (closing keywords, mentions) are counted, not judged:
  without labels nobody can say they are false.

With `--repo PATH` it also measures the units of work: the changes as they landed
on the mainline (first-parent history, and the maintenance branches merged into
it). A second independent recogniser walks the history and names every pull
request, merge request or review that landed, from the shapes real histories have
(GitHub merges, bors and bors-ng, GitLab merges in the long and short form, squash
subjects, `Part-of:`, exported `Pull Request resolved:` lines, Gerrit's
`Reviewed-on:`, Phabricator's `Differential Revision:`, curl's rebased `Closes #N`).
It prints, per kind, which share of them clew's units name, the units clew names
that the recogniser does not (false), and clew's unit count against the first-parent
history. `--repository owner/name` says which repository the history is (else the
clone's `origin`, else the project its own landings name most).

The corpus it is measured on: twelve public histories of distinct shapes, cloned
whole (`git clone https://github.com/<owner>/<name>`, gnome-shell from
https://gitlab.gnome.org/GNOME/gnome-shell, fdroidserver from
https://gitlab.com/fdroid/fdroidserver), each run with `--repository owner/name`:

  rust-lang/cargo            bors/homu `Auto merge of #N`, then a merge queue's `(#N)`; fork PRs; subtrees
  rust-lang/rust-clippy      bors merges and rollups, subtree syncs with rust-lang/rust
  crossbeam-rs/crossbeam     bors-ng batches `Merge #N #M` (octopus merges)
  bevyengine/bevy            GitHub's merge queue, squash `(#N)`, dependabot
  pallets/flask              GitHub merges, maintenance branches merged forward, nested PRs
  GNOME/gnome-shell          GitLab through Marge-bot: rebased `Part-of:` series; Bugzilla `(#N)`
  f-droid/fdroidserver       GitLab merges, `See merge request group/project!N` and `!N`
  curl/curl                  rebased PRs whose commits end `Closes #N` or `Closes <PR URL>`
  facebook/watchman          an exported monorepo history: `Pull Request resolved:`, `Differential Revision:`
  golang/net                 Gerrit: `Change-Id:`, `Reviewed-on:`
  phacility/arcanist         Phabricator: `Differential Revision: DN`
  renovatebot/github-action  a bot-heavy history (renovate's squashed PRs)

Run: .venv/bin/python benchmarks/fidelity.py [--repo PATH] [--max-count N] [--repository owner/name]
Goal: recall >= 99.5% of PR/MR references and of PR/MR units on every history;
0 false links in the labelled set, 0 false units.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checker.references import parse  # noqa: E402

SIMPLE = {  # kind -> (pattern, group of the number); independent of clew's parser
    "merge subject": (re.compile(r"\AMerge pull request #(\d+) from "), 1),
    "squash (#N)": (re.compile(r"\A[^\n]*\(#(\d+)\)[ \t]*$", re.M), 1),
    "See merge request": (re.compile(r"^[ \t]*See merge request \S+!(\d+)[ \t]*$", re.M), 1),
    "Part-of:": (re.compile(r"^Part-of:[ \t]*<?https?://\S+?/merge_requests/(\d+)>?[ \t]*$", re.M), 1),
    "Closes: URL": (re.compile(r"^(?:Closes|Fixes):[ \t]*<?https?://\S+?/(?:issues|pull|merge_requests)/(\d+)>?[ \t]*$", re.M), 1),
}


def simple_references(message: str) -> list[tuple[str, str]]:
    found = []
    subject = message.split("\n", 1)[0]
    for kind, (pattern, group) in SIMPLE.items():
        text = subject if kind == "squash (#N)" else message
        found.extend((kind, m[group]) for m in pattern.finditer(text))
    return found


def clew_numbers(message: str) -> set[str]:
    return {ref.target.rsplit("!" if "!" in ref.target else "#", 1)[-1] for ref in parse(message) if ref.kind in ("pr", "mr", "issue")}


def measure(messages: list[str]) -> tuple[Counter[str], Counter[str], int]:
    seen, found, extra = Counter(), Counter(), 0
    for message in messages:
        numbers = clew_numbers(message)
        simple = simple_references(message)
        for kind, number in simple:
            seen[kind] += 1
            found[kind] += number in numbers
        extra += len(numbers - {n for _, n in simple})
    return seen, found, extra


def table(title: str, seen: Counter[str], found: Counter[str]) -> float:
    print(title)
    print(f"  {'kind':<20} {'found':>7} {'of':>7} {'recall':>8}")
    for kind in SIMPLE:
        if seen[kind]:
            print(f"  {kind:<20} {found[kind]:>7} {seen[kind]:>7} {100 * found[kind] / seen[kind]:>7.2f}%")
    total, hit = sum(seen.values()), sum(found.values())
    recall = 100 * hit / total if total else 100.0
    print(f"  {'all':<20} {hit:>7} {total:>7} {recall:>7.2f}%")
    return recall


def labelled() -> int:
    rows = json.loads((ROOT / "tests" / "fidelity" / "messages.json").read_text(encoding="utf-8"))
    worst = 100.0
    for style in ("github", "gitlab"):
        seen, found, _ = measure([r["message"] for r in rows if r["style"] == style])
        worst = min(worst, table(f"labelled set, {style}-style messages ({sum(r['style'] == style for r in rows)})", seen, found))
    false_links, missed = 0, 0
    for row in rows:
        got = {f"{r.kind} {r.target}{'+' if r.closing else ''}" for r in parse(row["message"])}
        false_links += len(got - set(row["expect"]))
        missed += len(set(row["expect"]) - got)
    traps = [r for r in rows if r["style"] == "trap"]
    trap_links = sum(len(parse(r["message"])) for r in traps)
    print(f"labelled references missed: {missed}; false links: {false_links} (traps: {trap_links} links in {len(traps)} traps)")
    return 0 if worst >= 99.5 and false_links == 0 else 1


def repository(path: Path, max_count: int | None) -> int:
    args = ["git", "-C", str(path), "log", "--format=%B%x00", *([f"--max-count={max_count}"] if max_count else [])]
    out = subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8", "replace")
    messages = [m.strip("\n") for m in out.split("\0") if m.strip()]
    seen, found, extra = measure(messages)
    recall = table(f"{path} ({len(messages)} commits)", seen, found)
    print(f"other links clew reads there (closing keywords, mentions; not judged): {extra}")
    return 0 if recall >= 99.5 else 1


# --- units, by an independent walk of the history ------------------------------------------

LANDED = [  # (kind, pattern on the subject of a merge, group of the number), for merges only
    ("pr", re.compile(r"\AMerge pull request #(\d+) from \S"), 1, "GitHub merge"),
    ("pr", re.compile(r"\A(?i:auto merge of) #(\d+)\b"), 1, "bors"),
    ("pr", re.compile(r"\A(?i:rollup merge of) #(\d+)\b"), 1, "bors rollup"),
]
BORS_NG = re.compile(r"\AMerge((?: #\d+)+)\s*\Z")
GITLAB_MERGE = re.compile(r"\AMerge branch '[^']+' into '[^']+'")
SEE_MR = re.compile(r"^\s*See merge request (\S*?)!(\d+)\s*$", re.M)
TRAILERS = [  # (kind, pattern on the body), any mainline commit
    ("pr", re.compile(r"Pull Request resolved: https?://[^/\s]+/([\w.-]+/[\w.-]+)/pull/(\d+)"), "Pull Request resolved"),
    ("mr", re.compile(r"(?i)^Part-of:\s*<?https?://[^/\s]+/((?:[\w.-]+/)+?[\w.-]+)/-/merge_requests/(\d+)", re.M), "Part-of"),
    ("review", re.compile(r"^Reviewed-on: https?://[^/\s]+/(?:c/(.+?)/\+/)?(\d+)", re.M), "Reviewed-on"),
    ("review", re.compile(r"^Differential Revision:\s*(?:https?://[^/\s]+/)?()(D\d+)", re.M), "Differential Revision"),
]
SQUASH_SUBJECT = re.compile(r"\(#(\d+)\)\s*\Z")
CLOSES_LAST = re.compile(r"\nCloses (?:#|https?://[^/\s]+/([\w.-]+/[\w.-]+)/pull/)(\d+)[ \t]*(?=\n|\Z)")  # the last paragraph's last


def _history(path: Path) -> dict[str, tuple[list[str], str, str]]:
    out = subprocess.run(["git", "-C", str(path), "log", "--format=%H%x1f%P%x1f%s%x1f%b%x1e", "HEAD"], capture_output=True, check=True)
    commits = {}
    for record in out.stdout.decode("utf-8", "replace").split("\x1e"):
        if record.strip():
            sha, parents, subject, body = record.strip("\n").split("\x1f", 3)
            commits[sha] = (parents.split(), subject, body)
    return commits


class Walk:
    """The independent walk: the mainline's first-parent line, then every merge oldest first, so
    that a commit belongs to the merge that first brought it in."""

    def __init__(self, path: Path, repository: str | None) -> None:
        self.commits = _history(path)
        self.head = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        self.own = (repository or "").lower()
        self.found: Counter[str] = Counter()
        self.where: dict[str, str] = {}  # each expected unit's first commit, to say where a miss is
        self.walked: set[str] = set()
        self.mainline = self.chain(self.head)
        self.gitlab = hosted_on_gitlab(self.commits.values())  # there `#N` is an issue: no `(#N)` or `Closes #N` unit

    def key(self, kind: str, project: str, number: str) -> str:
        if not project or project.lower() == self.own or kind == "review":
            return f"{kind} {number}"
        return f"{kind} {project}{'!' if kind == 'mr' else '#'}{number}"

    def count(self, key: str, sha: str) -> None:
        self.found[key] += 1
        self.where.setdefault(key, f"{sha[:10]} {self.commits[sha][1][:60]}")

    def chain(self, tip: str) -> list[str]:
        """A first-parent line down to what an older merge (or the mainline) brought in already."""
        out, sha = [], tip
        while sha in self.commits and sha not in self.walked:
            self.walked.add(sha)
            out.append(sha)
            sha = self.commits[sha][0][0] if self.commits[sha][0] else ""
        return out

    def line(self, shas: list[str], *, inside: bool, fork: bool = False, rolled: frozenset[str] = frozenset()) -> None:
        """A first-parent line: the mainline, a maintenance branch merged into it, or inside a pull
        request (`fork`: one whose branch is in a fork, where the pull requests merged are the fork's;
        `rolled`: the pull requests the bors rollup being walked lists, the base repository's).
        A line that ends at a root commit of its own is another repository's history, imported."""
        if shas and not self.commits[shas[-1]][0] and shas[-1] != self.mainline[-1]:
            inside, fork, rolled = True, True, frozenset()  # its numbers are the other repository's
        for sha in reversed(shas):  # oldest first: a commit is the first merge's
            parents, subject, body = self.commits[sha]
            if len(parents) > 1:
                self.merge(sha, parents, subject, body, inside=inside, fork=fork, rolled=rolled)
            elif not inside:
                self.single(sha, subject, body)

    def merge(self, sha: str, parents: list[str], subject: str, body: str, *, inside: bool, fork: bool, rolled: frozenset[str]) -> None:
        side = self.chain(parents[1])
        for kind, pattern, group, via in LANDED:
            if m := pattern.match(subject):
                rollup = not fork and re.search(r"(?m)^Rollup of \d+ pull requests", body)  # a fork's rollup lists the fork's
                listed = frozenset(re.findall(r"(?m)^\s*[-*]\s*#(\d+)", body)) if rollup else frozenset()
                container = bool(listed) and all(len(self.commits[c][0]) > 1 for c in side)  # a rollup of merges only: no work of its own
                if (not fork or (via == "bors rollup" and m[group] in rolled)) and not container:
                    self.count(f"{kind} {m[group]}", sha)
                owner = head_owner(subject)  # pull requests merged into a fork's branch (or an unknown owner's) are not ours
                return self.line(side, inside=True, fork=fork or owner is None or owner.lower() != self.own.split("/")[0], rolled=listed)
        if m := BORS_NG.match(subject):
            for number in m[1].split():
                if not fork:
                    self.count(f"pr {number.lstrip('#')}", sha)
            for parent in parents[1:]:
                self.line(side if parent == parents[1] else self.chain(parent), inside=True, fork=fork)
            return None
        if GITLAB_MERGE.match(subject) and (see := SEE_MR.search(body)):
            if not fork:
                self.count(self.key("mr", see[1], see[2]), sha)
            return self.line(side, inside=True, fork=fork)
        if not inside and (hit := self.trailer(body)):
            self.count(hit, sha)
            return self.line(side, inside=True)
        if not self.gitlab and (m := SQUASH_SUBJECT.search(subject)):  # a merge titled by its pull request (merge queues)
            if not fork:
                self.count(f"pr {m[1]}", sha)
            return self.line(side, inside=True, fork=True)  # its branch's owner is not said
        return self.line(side, inside=inside, fork=fork)  # a plain merge: the units are those of the line it brings in

    def trailer(self, body: str) -> str | None:
        for kind, pattern, _ in TRAILERS:
            if m := list(pattern.finditer(body)):
                return self.key(kind, m[-1][1] or "", m[-1][2])
        if see := SEE_MR.search(body):
            return self.key("mr", see[1], see[2])
        return None

    def single(self, sha: str, subject: str, body: str) -> None:
        if hit := self.trailer(body):
            self.count(hit, sha)
        elif m := SQUASH_SUBJECT.search(subject):
            if not self.gitlab:  # on GitLab `#N` is an issue
                self.count(f"pr {m[1]}", sha)
        elif closes := CLOSES_LAST.findall("\n" + body.rstrip().split("\n\n")[-1]):  # noqa: SIM102 -- the last of the chain
            if closes[-1][0] or not self.gitlab:  # a pull request's URL says its kind; `#N` does not
                self.count(self.key("pr", *closes[-1]), sha)


def hosted_on_gitlab(commits: object) -> bool:
    """More merge-request evidence than pull-request evidence in the whole history."""
    mr = pr = 0
    for _, subject, body in commits:  # type: ignore[attr-defined]
        mr += bool(SEE_MR.search(body) or re.search(r"(?im)^Part-of:.*merge_requests", body))
        pr += bool(LANDED[0][1].match(subject) or LANDED[1][1].match(subject) or "Pull Request resolved:" in body)
    return mr > 2 * pr  # clearly more


_OWNER = re.compile(r"\AMerge pull request #\d+ from ([^/\s]+)/|\A(?i:(?:auto|rollup) merge of) #\d+\s*(?:-\s*([^\s:]+)|:\s*([^/\s]+)/)")


def head_owner(subject: str) -> str | None:
    m = _OWNER.match(subject)
    return next((g for g in m.groups() if g), None) if m else None


def expected_units(path: Path, repository: str | None) -> tuple[Counter[str], int, dict[str, str]]:
    """Every change that landed, as `kind key` (`pr 12`, `pr other/repo#12`, `mr 7`, `review D1`),
    the number of first-parent commits, and where each was first seen."""
    walk = Walk(path, repository)
    walk.line(walk.mainline, inside=False)
    return walk.found, len(walk.mainline), walk.where


def clew_units(path: Path, repository: str | None) -> Counter[str]:
    import datetime as dt

    from checker.forges.local import units

    found = units.units(units.start(path, dt.date(1970, 1, 1)), identity=repository)
    out: Counter[str] = Counter()
    for unit in found:
        if unit.kind in ("pr", "mr", "review"):
            out[f"{unit.kind} {unit.key}"] += 1
        else:
            out["commit"] += 1
    return out


def unit_table(path: Path, repository: str | None) -> int:
    expected, first_parent, where = expected_units(path, repository)
    got = clew_units(path, repository)
    kinds = sorted({k.split()[0] for k in expected})
    print(
        f"units of {path} (first-parent commits: {first_parent}; clew's units: {sum(got.values())}, "
        f"{100 * (sum(got.values()) - first_parent) / max(1, first_parent):+.2f}%)"
    )
    print(f"  {'kind':<8} {'named':>7} {'of':>7} {'recall':>8} {'false':>6}")
    worst, false_total = 100.0, 0
    for kind in kinds:
        want = {k for k in expected if k.split()[0] == kind}
        have = {k for k in got if k.split()[0] == kind}
        hit, false = len(want & have), len(have - want)
        recall = 100 * hit / len(want) if want else 100.0
        worst, false_total = min(worst, recall), false_total + false
        print(f"  {kind:<8} {hit:>7} {len(want):>7} {recall:>7.2f}% {false:>6}")
    extra = sorted({k for k in got if k != "commit" and k.split()[0] not in kinds})
    false_total += len(extra)
    if extra:
        print(f"  named by clew only: {', '.join(extra[:10])}")
    missed = sorted(set(expected) - set(got))[:10]
    if missed:
        print("  missed, e.g.:")
        for key in missed[:6]:
            print(f"    {key}: {where.get(key, '?')}")
    wrong = sorted({k for k in got if k != "commit"} - set(expected))[:10]
    if wrong:
        print(f"  false, e.g.: {', '.join(wrong)}")
    return 0 if worst >= 99.5 and false_total == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, help="a local clone to measure (nothing is cloned)")
    parser.add_argument("--max-count", type=int, help="only the newest N commits")
    parser.add_argument("--repository", help="which repository the history is (owner/name); default: its origin")
    options = parser.parse_args()
    if not options.repo:
        return labelled()
    references_code = repository(options.repo, options.max_count)
    return references_code | unit_table(options.repo, options.repository or _origin(options.repo))


def _origin(path: Path) -> str | None:
    from checker.forges.local.git import identity

    return identity(path)


if __name__ == "__main__":
    sys.exit(main())
