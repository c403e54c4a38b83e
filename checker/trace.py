"""(Goals, WorkItem, linked items) → Trace: the thread from a piece of work up to
the mission, hop by hop, or the point where it breaks. Pure: no I/O.

Signals, strongest first: an explicit reference in the item's text (trailers),
a `goal:<id>` label, linked issues (followed recursively through their own
references and parents), the item's labels/milestone/branch/author/title
against `match`, then its changed paths. Exemptions come before all of them;
the escape hatch after.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Literal, NamedTuple

from checker import globs, references
from checker.goals.compiled import MatchRule, Pyramid
from checker.references import Syntax, placeholder
from checker.regex import Pattern, compile_user
from checker.work import Reference, WorkItem

Status = Literal["aligned", "budget", "exempt", "escape", "unaligned", "broken"]
MAX_DEPTH = 8
SHOWN = 10  # links named where a thread breaks; the rest are counted
_JIRA_KEY = re.compile(r"[A-Z][A-Z0-9_]+-\d+\Z")


NOTHING_MATCHES = "no reference, goal label, linked issue, label, milestone, branch or path matches an objective"


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

    def thread(self, name: str | None = None) -> str:
        """`name`: the item's, when the caller has it already."""
        steps = [name or self.item.name, *(h.step for h in self.hops)]
        if self.status in ("aligned",):
            steps.append("mission")
        elif self.status in ("unaligned", "broken"):
            steps.append(f"✗ {self.breaks}")
        return " → ".join(steps)


class Rule:
    """A match rule compiled once: names lowered, globs and title patterns compiled."""

    def __init__(self, rule: MatchRule) -> None:
        self.labels = tuple((wanted.lower(), wanted) for wanted in rule.labels)
        self.milestones = frozenset(m.lower() for m in rule.milestones)
        self.branches = tuple((p, globs.compiled(p)) for p in rule.branches)
        self.paths = tuple((p, globs.compiled(p)) for p in rule.paths)
        self.authors = frozenset(a.lower() for a in rule.authors)
        self.bots = rule.bots
        self.titles = rule.titles
        self.jira_projects = frozenset(rule.jira_projects)
        self.jira_epics = frozenset(rule.jira_epics)
        self.jira_labels = tuple((wanted.lower(), wanted) for wanted in rule.jira_labels)
        self.jira_components = frozenset(c.lower() for c in rule.jira_components)
        self.jira_versions = frozenset(v.lower() for v in rule.jira_versions)
        self.jira = bool(self.jira_projects or self.jira_epics or self.jira_labels or self.jira_components or self.jira_versions)
        self._compiled: tuple[tuple[str, Pattern], ...] | None = None  # RE2 is loaded on the first title asked

    def branch(self, branch: str) -> str | None:
        name = branch.strip("/")
        return next((p for p, rx in self.branches if rx.match(name)), None)

    def title(self, title: str) -> str | None:
        if self._compiled is None:
            self._compiled = tuple((p, compile_user(p)) for p in self.titles)
        return next((p for p, rx in self._compiled if rx.search(title)), None)


_Named = tuple[Status, tuple["Hop", ...], "Target", tuple[tuple[Reference, str], ...], tuple[str, ...]]


class Index:
    """Ids of the pyramid (one namespace) and the match rules, looked up once."""

    def __init__(self, pyramid: Pyramid) -> None:
        self.targets: dict[str, Target] = {}
        self.matchers: list[tuple[Target, Rule]] = []
        budgets: list[tuple[Target, Rule]] = []
        objectives: list[tuple[Target, Rule]] = []
        for node in pyramid.nodes:
            target = Target(node.kind, node.id, node.title, node.state, node.objective)  # type: ignore[arg-type]
            self.targets[node.id] = target
            if node.kind == "budget":
                budgets.append((target, Rule(node.match)))
            elif node.kind == "initiative":
                self.matchers.append((target, Rule(node.match)))
            else:
                objectives.append((target, Rule(node.match)))
        self.matchers += objectives + budgets  # initiatives, then objectives, then budgets
        self.with_paths = [(target, rule) for target, rule in self.matchers if rule.paths]
        # Which signals any rule reads: most work (a plain commit) offers none of them.
        rules = [rule for _, rule in self.matchers]
        self.any_labels = any(r.labels for r in rules)
        self.any_milestones = any(r.milestones for r in rules)
        self.any_branches = any(r.branches for r in rules)
        self.with_titles = [(target, rule) for target, rule in self.matchers if rule.titles]
        self.authors = frozenset(a for r in rules for a in r.authors)
        self.any_bots = any(r.bots for r in rules)
        self.any_jira = any(r.jira for r in rules)
        for kr, objective in pyramid.key_results.items():
            self.targets.setdefault(kr, self.targets[objective])

    def path_prefixes(self) -> tuple[str, ...] | None:
        """The paths every path rule lies under, so that a change elsewhere matches none:
        `apps/mobile` for `apps/mobile/**`. None when a rule can match anywhere (`**/*.tf`);
        empty when there is no path rule."""
        found: list[str] = []
        for _, rule in self.with_paths:
            for pattern, _ in rule.paths:
                glob = pattern.strip("/")
                if not glob:
                    continue  # matches no file
                wild = min((i for i in (glob.find("*"), glob.find("?")) if i >= 0), default=len(glob))
                prefix = glob if wild == len(glob) else glob[: glob.rfind("/", 0, wild) + 1].rstrip("/")
                if not prefix:
                    return None
                found.append(prefix)
        return tuple(dict.fromkeys(found))

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


def syntax_of(pyramid: Pyramid) -> Syntax:
    """How the goals file says references are written: its trailers, its escape hatch, and with a
    `jira:` section the projects whose keys count (checker.references.Syntax)."""
    return Syntax(pyramid.trailers, pyramid.escape, tuple(pyramid.jira.get("projects", ())) if pyramid.jira else None)


REPORT_TRAILER = "Clew-Report"
_REPORT_CLAIM = re.compile(rf"(?im)^{REPORT_TRAILER}:[ \t]*\S")


def claims_report(item: WorkItem) -> bool:
    """Whether the item says it is clew's report commit: a commit carrying the trailer, or a
    branch or PR all of whose commits do. Only a claim: see `Tracer._report_commit`."""
    if item.kind == "commit":
        return REPORT_TRAILER in item.body and _REPORT_CLAIM.search(item.body) is not None
    return bool(item.commits) and all(claims_report(c) for c in item.commits)


class Tracer:
    """`unread`: why no linked issue was read where clew runs (`local history`, `no token`): a
    link the walk cannot follow then says it was not read, instead of reading as a break."""

    def __init__(self, pyramid: Pyramid, unread: str | None = None) -> None:
        self.unread = unread
        self.report_paths = frozenset((pyramid.report.markdown, pyramid.report.json_path, pyramid.report.html))
        self.goals_path = pyramid.file.split("@", 1)[0]
        self.index = Index(pyramid)
        self.syntax = syntax_of(pyramid)
        self.label_prefix = pyramid.label_prefix.lower()
        self.exempt = Rule(pyramid.exempt)
        self.exempt_labels = {label.lower() for label, _ in self.exempt.labels}
        self._explicit: dict[tuple[Reference, ...], _Named | Literal[False]] = {}

    def trace(self, item: WorkItem, linked: Mapping[str, WorkItem] | None = None, *, refs: list[Reference] | None = None) -> Trace:
        """`refs`: what `settle` returned for this item's texts (it could not settle it)."""
        if refs is None:
            early = self.settle(item)
            if isinstance(early, Trace):
                return early
            refs = early
        state = _Walk(self, linked or {})
        found = state.follow(item, refs, depth=0, seen=frozenset({_key(item)}))
        unknown = tuple(state.unknown)
        unresolved = tuple(state.unresolved)
        if found is not None:
            hops, target = found
            status: Status = "budget" if target.kind == "budget" else "aligned"
            return Trace(item, status, tuple(hops), target, unknown=unknown, unresolved=unresolved, extra_targets=tuple(state.others))
        escapes = [r for r in refs if r.kind == "escape"]
        if not unknown and not escapes and item.paths and all(path == self.goals_path for path in item.paths):
            return Trace(item, "exempt", exempt_because=f"work on the goals (changes only {self.goals_path})")  # it named nothing else
        breaks = state.where_it_breaks(item)
        if escapes:
            reason = escapes[0].target.strip()
            if not placeholder(reason):
                hop = Hop(f"Unaligned: {reason}", escapes[0].evidence, "escape hatch")
                return Trace(item, "escape", (hop,), escape=reason, unknown=unknown, unresolved=unresolved)
            return Trace(item, "unaligned", breaks=breaks, refused_escape=reason, unknown=unknown, unresolved=unresolved)
        return Trace(item, "broken" if unknown else "unaligned", breaks=breaks, unknown=unknown, unresolved=unresolved)

    def settle(self, item: WorkItem) -> Trace | list[Reference]:
        """The trace when nothing further down the walk (links, labels, paths) could change it:
        the item is exempt, or names an objective, initiative or budget that exists. Otherwise
        the references in its texts, for `trace(item, refs=...)` to go on with. A history read
        in two logs is settled this far while git still lists paths."""
        if reason := self._exempt(item):
            return Trace(item, "exempt", exempt_because=reason)
        refs = [r for text in item.texts for r in references.parse(text, self.syntax)]
        if named := self._named(refs):
            return Trace(item, named[0], named[1], named[2], unknown=named[3], extra_targets=named[4])
        return refs

    def _named(self, refs: list[Reference]) -> _Named | None:
        """The thread when the text names an id that exists: the first signal, and the same for
        every item naming the same ids (most of a history), so it is worked out once."""
        goals = tuple(r for r in refs if r.kind == "goal")
        if not goals:
            return None
        known = self._explicit.get(goals)
        if known is None:
            walk = _Walk(self, {})
            results = list(walk.explicit(WorkItem("commit", ""), refs, 0, frozenset()))
            known = False
            if results:
                hops, target = results[0]
                others = tuple(t.id for _, t in results[1:] if t.id != target.id)
                status: Status = "budget" if target.kind == "budget" else "aligned"
                known = (status, tuple(hops), target, tuple(walk.unknown), others)
            self._explicit[goals] = known
        return known or None

    def _report_commit(self, item: WorkItem) -> bool:
        """clew's own report commit: it claims to be (the trailer clew writes) and changes
        nothing but the report files. The trailer alone exempts nothing: typed on real work,
        the paths give it away; with no paths known, the claim is not taken."""
        return bool(item.paths) and claims_report(item) and self.report_paths.issuperset(item.paths)

    def _exempt(self, item: WorkItem) -> str | None:  # noqa: PLR0911 -- one return per exemption, in the documented order
        if self._report_commit(item):
            return "clew's own report commit"
        ex = self.exempt
        if item.author and item.author.lower() in ex.authors:
            return f"author {item.author}"
        if item.author_is_bot and ex.bots:
            return f"bot {item.author or '(unnamed)'}"
        if item.labels and (labels := sorted(set(map(str.lower, item.labels)) & self.exempt_labels)):
            return f'label "{labels[0]}"'
        if ex.titles and ex.title(item.title) is not None:
            return f'title "{item.title}"'
        if item.branch and ex.branches and ex.branch(item.branch) is not None:
            return f"branch {item.branch}"
        return None


def _is_self(item: WorkItem, ref: Reference) -> bool:
    """A merge request's own link (its commits' `Part-of:`, its `See merge request`) is not a
    link to follow: the unit is that merge request."""
    if item.kind not in ("pr", "mr") or ref.kind != item.kind:
        return False
    sign = "!" if item.kind == "mr" else "#"
    project, _, number = item.key.rpartition(sign)
    other, _, other_number = ref.target.rpartition(sign)
    return number == other_number and (not project or not other or project.lower() == other.lower())


def _key(item: WorkItem) -> str:
    return f"{'!' if item.kind == 'mr' else '#'}{item.key}" if item.kind in ("issue", "pr", "mr") else item.key


Finder = Callable[[WorkItem, list[Reference], int, frozenset[str]], Iterator[tuple[list[Hop], Target]]]


class _Walk:
    """One tracing walk: remembers unknown ids and links it could not follow."""

    def __init__(self, tracer: Tracer, linked: Mapping[str, WorkItem]) -> None:
        self.tracer, self.index, self.linked = tracer, tracer.index, linked
        self.unknown: list[tuple[Reference, str]] = []
        self.unresolved: dict[str, None] = {}  # in the order met
        self.others: list[str] = []

    def follow(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> tuple[list[Hop], Target] | None:
        for finder in self._finders(item):
            results = list(finder(item, refs, depth, seen))
            if results:
                self.others.extend(t.id for _, t in results[1:] if t.id != results[0][1].id)
                return results[0]
        return None

    def _finders(self, item: WorkItem) -> Iterator[Finder]:
        """The signals, strongest first; those the item cannot offer are skipped."""
        yield self.explicit
        if item.labels:
            yield self.goal_labels
        yield self.links
        index = self.index
        if (
            (item.labels and index.any_labels)
            or (item.milestone and index.any_milestones)
            or (item.branch and index.any_branches)
            or (item.author and item.author.lower() in index.authors)
            or (item.author_is_bot and index.any_bots)
            or (item.title and index.with_titles)
            or (item.facets and index.any_jira)
        ):
            yield self.matches
        if item.paths and index.with_paths:
            yield self.paths

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
                self.unresolved.setdefault(key)
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
            if ref.kind in ("issue", "pr", "mr") and ref.via not in {"squash subject", "merge subject"} and not _is_self(item, ref):
                yield ref.target, (f"closes {ref.target}" if ref.closing else f"{ref.via} {ref.target}")
        if item.parent:
            yield item.parent, f"parent {item.parent}"
        for ref in references.branch_references(item.branch) if item.branch and item.kind != "issue" else []:
            yield ref.target, f"branch {item.branch} → {ref.target}"
        for key in references.jira_branch_keys(item.branch, self.tracer.syntax) if item.branch and item.kind != "issue" else []:
            yield key, f"branch {item.branch} → {key}"

    def matches(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> Iterator[tuple[list[Hop], Target]]:
        labels = {label.lower(): label for label in item.labels}
        index = self.index
        titled_only = not (labels or item.milestone or item.branch or item.facets or (item.author and item.author.lower() in index.authors))
        for target, rule in index.with_titles if titled_only else index.matchers:
            hit = _match_signal(rule, item, labels)
            if hit:
                yield [Hop(hit[0], hit[1], hit[2]), *self.index.chain(target)], target

    def paths(self, item: WorkItem, refs: list[Reference], depth: int, seen: frozenset[str]) -> Iterator[tuple[list[Hop], Target]]:
        if not item.paths:
            return
        stripped = [(p, p.strip("/")) for p in item.paths]
        for target, rule in self.index.with_paths:
            for pattern, rx in rule.paths:
                hit = next((p for p, name in stripped if rx.match(name)), None)
                if hit:
                    yield [Hop(f"path {hit}", pattern, "path match"), *self.index.chain(target)], target
                    break

    def where_it_breaks(self, item: WorkItem) -> str:
        if self.unknown:
            ref, hint = self.unknown[0]
            return f"unknown id {ref.target!r}" + (f" (did you mean {hint!r}?)" if hint else "")
        if self.unresolved:
            forge = [k for k in self.unresolved if not _JIRA_KEY.match(k)]  # a Jira key is read from Jira, wherever clew runs
            unread = self.tracer.unread if forge else None
            keys = forge if unread else list(self.unresolved)
            more = f" and {len(keys) - SHOWN} more" if len(keys) > SHOWN else ""
            return f"{', '.join(keys[:SHOWN])}{more} " + (f"not read ({unread})" if unread else "could not be followed")
        return NOTHING_MATCHES


def _match_signal(rule: Rule, item: WorkItem, labels: dict[str, str]) -> tuple[str, str, str] | None:  # noqa: PLR0911 -- one return per signal, strongest first
    if labels:
        for lowered, wanted in rule.labels:
            if lowered in labels:
                return f'label "{labels[lowered]}"', wanted, "label match"
    if item.facets and rule.jira and (jira := _jira_signal(rule, item, labels)):
        return jira
    if item.milestone and item.milestone.lower() in rule.milestones:
        return f'milestone "{item.milestone}"', item.milestone, "milestone match"
    if item.branch and rule.branches and (hit := rule.branch(item.branch)):
        return f'branch pattern "{hit}"', item.branch, "branch match"
    if item.author and item.author.lower() in rule.authors:
        return f"author {item.author}", item.author, "author match"
    if item.author_is_bot and rule.bots:
        return f"bot {item.author or '(unnamed)'}", item.author, "bot match"
    if item.title and rule.titles and (hit := rule.title(item.title)):
        return f'title "{item.title}"', hit, "title match"
    return None


def _jira_signal(rule: Rule, item: WorkItem, labels: dict[str, str]) -> tuple[str, str, str] | None:
    """A Jira issue's own fields against a rule's `match.jira`: epic, project, label, component,
    fix version (docs/jira.md)."""
    if rule.jira_epics and (epic := item.key if item.key in rule.jira_epics else item.parent if item.parent in rule.jira_epics else None):
        return f"Jira epic {epic}", epic, "Jira epic"
    facets: dict[str, list[str]] = {}
    for name, value in item.facets:
        facets.setdefault(name, []).append(value)
    project = next(iter(facets.get("project", [])), None)
    if project is not None and project in rule.jira_projects:
        return f"Jira project {project}", project, "Jira project"
    for lowered, wanted in rule.jira_labels:
        if lowered in labels:
            return f'Jira label "{labels[lowered]}"', wanted, "Jira label"
    for component in facets.get("component", []):
        if component.lower() in rule.jira_components:
            return f'Jira component "{component}"', component, "Jira component"
    for version in facets.get("fix version", []):
        if version.lower() in rule.jira_versions:
            return f'Jira fix version "{version}"', version, "Jira fix version"
    return None
