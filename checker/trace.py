"""(Goals, WorkItem, linked items) → Trace: the thread from a piece of work up to
the mission, hop by hop, or the point where it breaks. Pure: no I/O.

Signals, strongest first: an explicit reference in the item's text (trailers),
a `goal:<id>` label, linked issues (followed recursively through their own
references and parents), the item's labels/milestone/branch/author/title
against `match`, then its changed paths. Exemptions come before all of them;
the escape hatch after.
"""

import re
from collections.abc import Iterator, Mapping
from typing import Literal, NamedTuple

from checker import globs, references
from checker.compiled import MatchRule, Pyramid
from checker.references import PLACEHOLDER_REASONS, Syntax
from checker.work import Reference, WorkItem

Status = Literal["aligned", "budget", "exempt", "escape", "unaligned", "broken"]
MAX_DEPTH = 8


class Target(NamedTuple):
    kind: Literal["objective", "initiative", "budget"]
    id: str
    title: str
    state: str = "active"
    objective: str | None = None  # the parent objective of an initiative


class Hop(NamedTuple):
    step: str  # what the thread passes through, e.g. 'closes #17', 'label "mobile"'
    evidence: str  # the text that was read
    signal: str  # which signal matched: trailer, goal label, linked issue, label match, ...


class Trace(NamedTuple):
    item: WorkItem
    status: Status
    hops: tuple[Hop, ...] = ()
    target: Target | None = None
    breaks: str = ""
    unknown: tuple[tuple[Reference, str], ...] = ()
    unresolved: tuple[str, ...] = ()
    escape: str | None = None
    refused_escape: str | None = None
    exempt_because: str | None = None
    extra_targets: tuple[str, ...] = ()

    @property
    def objective(self) -> str | None:
        if self.target is None or self.target.kind == "budget":
            return None
        return self.target.objective or self.target.id

    def thread(self) -> str:
        steps = [self.item.name, *(h.step for h in self.hops)]
        if self.status in ("aligned",):
            steps.append("mission")
        elif self.status in ("unaligned", "broken"):
            steps.append(f"✗ {self.breaks}")
        return " → ".join(steps)


class Index:
    """Ids of the pyramid (one namespace) and the match rules, looked up once."""

    def __init__(self, pyramid: Pyramid) -> None:
        self.targets: dict[str, Target] = {}
        self.matchers: list[tuple[Target, MatchRule]] = []
        self.budgets: list[tuple[Target, MatchRule]] = []
        objectives: list[tuple[Target, MatchRule]] = []
        for node in pyramid.nodes:
            target = Target(node.kind, node.id, node.title, node.state, node.objective)  # type: ignore[arg-type]
            self.targets[node.id] = target
            if node.kind == "budget":
                self.budgets.append((target, node.match))
            elif node.kind == "initiative":
                self.matchers.append((target, node.match))
            else:
                objectives.append((target, node.match))
        self.matchers.extend(objectives)
        for kr, objective in pyramid.key_results.items():
            self.targets.setdefault(kr, self.targets[objective])

    def resolve(self, ident: str) -> Target | None:
        return self.targets.get(ident) or self.targets.get(ident.lower())

    def suggest_id(self, ident: str) -> str:
        import difflib

        names = [k for k in self.targets if "." not in k] + [k for k in self.targets if "." in k]
        close = difflib.get_close_matches(ident, names, n=1, cutoff=0.6)
        return close[0] if close else ""

    def chain(self, target: Target) -> list[Hop]:
        """initiative → objective (the mission is added when the thread is printed)."""
        hops = [Hop(f"{target.kind} {target.id}", target.title, "pyramid")]
        if target.objective:
            objective = self.targets[target.objective]
            hops.append(Hop(f"objective {objective.id}", objective.title, "pyramid"))
        return hops


class Tracer:
    def __init__(self, pyramid: Pyramid) -> None:
        self.index = Index(pyramid)
        self.syntax = Syntax(pyramid.trailers, pyramid.escape)
        self.label_prefix = pyramid.label_prefix.lower()
        self.exempt = pyramid.exempt
        self.exempt_authors = {a.lower() for a in pyramid.exempt.authors}
        self.exempt_labels = {label.lower() for label in pyramid.exempt.labels}

    def trace(self, item: WorkItem, linked: Mapping[str, WorkItem] | None = None) -> Trace:
        if reason := self._exempt(item):
            return Trace(item, "exempt", exempt_because=reason)
        refs = [r for text in item.texts for r in references.parse_memo(text, self.syntax)]
        state = _Walk(self, linked or {})
        found = state.follow(item, refs, depth=0, seen=frozenset({_key(item)}))
        unknown = tuple(state.unknown)
        unresolved = tuple(state.unresolved)
        if found is not None:
            hops, target = found
            status: Status = "budget" if target.kind == "budget" else "aligned"
            return Trace(item, status, tuple(hops), target, unknown=unknown, unresolved=unresolved, extra_targets=tuple(state.others))
        escapes = [r for r in refs if r.kind == "escape"]
        breaks = state.where_it_breaks(item)
        if escapes:
            reason = escapes[0].target.strip()
            if reason.lower().strip(" .") not in PLACEHOLDER_REASONS and len(reason) >= 3:
                hop = Hop(f"Unaligned: {reason}", escapes[0].evidence, "escape hatch")
                return Trace(item, "escape", (hop,), escape=reason, unknown=unknown, unresolved=unresolved)
            return Trace(item, "unaligned", breaks=breaks, refused_escape=reason, unknown=unknown, unresolved=unresolved)
        return Trace(item, "broken" if unknown else "unaligned", breaks=breaks, unknown=unknown, unresolved=unresolved)

    def _exempt(self, item: WorkItem) -> str | None:
        ex = self.exempt
        if item.author and item.author.lower() in self.exempt_authors:
            return f"author {item.author}"
        if item.labels and (labels := sorted(set(map(str.lower, item.labels)) & self.exempt_labels)):
            return f'label "{labels[0]}"'
        if any(re.search(p, item.title) for p in ex.titles):
            return f'title "{item.title}"'
        if item.branch and any(globs.matches(p, item.branch) for p in ex.branches):
            return f"branch {item.branch}"
        return None


def _key(item: WorkItem) -> str:
    return f"{'!' if item.kind == 'mr' else '#'}{item.key}" if item.kind in ("issue", "pr", "mr") else item.key


class _Walk:
    """One tracing walk: remembers unknown ids and links it could not follow."""

    def __init__(self, tracer: Tracer, linked: Mapping[str, WorkItem]) -> None:
        self.tracer, self.index, self.linked = tracer, tracer.index, linked
        self.unknown: list[tuple[Reference, str]] = []
        self.unresolved: list[str] = []
        self.others: list[str] = []

    def follow(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> tuple[list[Hop], Target] | None:
        for finder in (self.explicit, self.goal_labels, self.links, self.matches, self.paths):
            results = list(finder(item, refs, depth, seen))
            if results:
                self.others.extend(t.id for _, t in results[1:] if t.id != results[0][1].id)
                return results[0]
        return None

    def explicit(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> Iterator[tuple[list[Hop], Target]]:
        for ref in refs:
            if ref.kind != "goal":
                continue
            target = self.index.resolve(ref.target)
            if target is None:
                self.unknown.append((ref, self.index.suggest_id(ref.target)))
                continue
            yield [Hop(ref.evidence, ref.evidence, ref.via), *self.index.chain(target)], target

    def goal_labels(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> Iterator[tuple[list[Hop], Target]]:
        prefix = self.tracer.label_prefix
        for label in item.labels:
            if not label.lower().startswith(prefix):
                continue
            ident = label[len(prefix) :].strip()
            target = self.index.resolve(ident)
            if target is None:
                ref = Reference("goal", ident, f'label "{label}"', "goal label")
                self.unknown.append((ref, self.index.suggest_id(ident)))
                continue
            yield [Hop(f'label "{label}"', label, "goal label"), *self.index.chain(target)], target

    def links(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> Iterator[tuple[list[Hop], Target]]:
        if depth >= MAX_DEPTH:
            return
        for key, step in self._link_keys(item, refs):
            if key in seen:
                continue
            other = self.linked.get(key)
            if other is None:
                if key not in self.unresolved:
                    self.unresolved.append(key)
                continue
            other_refs = [r for r in references.parse(other.texts[0], self.tracer.syntax) if r.kind != "escape"]
            found = self.follow(other, other_refs, depth + 1, seen | {key})
            if found is not None:
                hops, target = found
                yield [Hop(step, other.title, "linked issue"), *hops], target

    def _link_keys(self, item: WorkItem, refs: list[Reference]) -> Iterator[tuple[str, str]]:
        for key in item.linked:
            yield key, f"closes {key}"
        for ref in refs:
            if ref.kind in ("issue", "pr", "mr") and ref.via not in {"squash subject", "merge subject"}:
                yield ref.target, (f"closes {ref.target}" if ref.closing else f"{ref.via} {ref.target}")
        if item.parent:
            yield item.parent, f"parent {item.parent}"
        for ref in references.branch_references(item.branch) if item.branch and item.kind != "issue" else []:
            yield ref.target, f"branch {item.branch} → {ref.target}"

    def matches(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> Iterator[tuple[list[Hop], Target]]:
        labels = {label.lower(): label for label in item.labels}
        for target, rule in [*self.index.matchers, *self.index.budgets]:
            hit = _match_signal(rule, item, labels)
            if hit:
                yield [Hop(hit[0], hit[1], hit[2]), *self.index.chain(target)], target

    def paths(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> Iterator[tuple[list[Hop], Target]]:
        for target, rule in [*self.index.matchers, *self.index.budgets]:
            for pattern in rule.paths:
                hit = next((p for p in item.paths if globs.matches(pattern, p)), None)
                if hit:
                    yield [Hop(f"path {hit}", pattern, "path match"), *self.index.chain(target)], target
                    break

    def where_it_breaks(self, item: WorkItem) -> str:
        if self.unknown:
            ref, hint = self.unknown[0]
            return f"unknown id {ref.target!r}" + (f" (did you mean {hint!r}?)" if hint else "")
        if self.unresolved:
            return f"{', '.join(self.unresolved)} could not be followed"
        return "no reference, goal label, linked issue, label, milestone, branch or path matches an objective"


def _match_signal(rule: MatchRule, item: WorkItem, labels: dict[str, str]) -> tuple[str, str, str] | None:
    for wanted in rule.labels:
        if wanted.lower() in labels:
            return f'label "{labels[wanted.lower()]}"', wanted, "label match"
    if item.milestone and any(m.lower() == item.milestone.lower() for m in rule.milestones):
        return f'milestone "{item.milestone}"', item.milestone, "milestone match"
    if item.branch and (hit := next((p for p in rule.branches if globs.matches(p, item.branch)), None)):
        return f'branch pattern "{hit}"', item.branch, "branch match"
    if item.author and any(a.lower() == item.author.lower() for a in rule.authors):
        return f"author {item.author}", item.author, "author match"
    if item.title and (hit := next((p for p in rule.titles if re.search(p, item.title)), None)):
        return f'title "{item.title}"', hit, "title match"
    return None
