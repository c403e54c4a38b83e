"""Goals file + effective policy, loaded and validated together: every error of
every file at once, or a ready configuration and its compiled pyramid."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import GoalsError
from checker.goals import compiled
from checker.goals import document as load
from checker.goals.compiled import MatchRule, Node, Pyramid
from checker.goals.document import Document
from checker.goals.model import Exempt, Goals, Match
from checker.goals.policy import EffectivePolicy, resolve

if TYPE_CHECKING:
    from checker.goals.org import Org


@dataclass(frozen=True)
class Config:
    goals: Goals
    policy: EffectivePolicy
    doc: Document

    @property
    def file(self) -> str:
        return self.doc.display

    def pyramid(self) -> Pyramid:
        return compile_pyramid(self)


def from_document(doc: Document, extends: str | None = None) -> Config:
    goals, diagnostics = load.validate_document(doc)
    policy_model = goals.policy if goals is not None else load.policy_of(doc)
    if extends and policy_model is not None:
        policy_model = policy_model.model_copy(update={"extends": [extends]})
    effective = None
    if policy_model is not None:
        effective, more = resolve(doc, policy_model)
        diagnostics.extend(more)
    if diagnostics or goals is None or effective is None:
        raise GoalsError(diagnostics)
    if extends:
        goals = goals.model_copy(update={"policy": policy_model})
    return Config(goals, effective, doc)


def load_config(path: Path, display: str) -> Config:
    return from_document(load.read_document(path, display))


def load_bytes(text: bytes, display: str, path: Path, extends: str | None = None, org: Org | None = None) -> Config:
    """A goals file's bytes (read from disk, or from git at the base commit), resolved as if at `path`;
    laid over the organisation's goals when there are some (empty `text`: the organisation's alone)."""
    if org is None:
        return from_document(load.document_from_bytes(text, path, display), extends)
    from checker.goals.compose import compose

    org_doc = _organisation(org, path)
    if not text:
        return from_document(org_doc, extends)
    composed, problems = compose(org_doc, load.document_from_bytes(text, path, display))
    if problems:
        raise GoalsError(problems)
    return from_document(composed, extends)


def _organisation(org: Org, path: Path) -> Document:
    """The organisation's goals, laid over the goals they extend in turn, each level validated
    first so that its errors name its own file."""
    from checker.goals.compose import compose

    doc = load.document_from_bytes(org.text, path, org.ref.text, foreign=True)
    if org.parent is not None:
        doc, problems = compose(_organisation(org.parent, path), doc)
        if problems:
            raise GoalsError(problems)
    _, diagnostics = load.validate_document(doc)
    if diagnostics:
        raise GoalsError(diagnostics)
    return doc


def _rule(match: Match | Exempt) -> MatchRule:
    fields = ("labels", "milestones", "branches", "paths", "authors", "titles")
    rule = MatchRule(**{f: tuple(getattr(match, f, ())) for f in fields}, bots=match.bots)
    jira = getattr(match, "jira", None)
    if jira is None or jira.is_empty():
        return rule
    return rule._replace(
        jira_projects=tuple(jira.projects),
        jira_epics=tuple(jira.epics),
        jira_labels=tuple(jira.labels),
        jira_components=tuple(jira.components),
        jira_versions=tuple(jira.fix_versions),
    )


def _words(match: Match) -> str:
    return " ".join([*match.labels, *match.milestones, *match.branches, *match.paths, *match.jira.labels, *match.jira.components])


def compile_pyramid(config: Config) -> Pyramid:
    goals, policy = config.goals, config.policy
    nodes: list[Node] = []
    for o in goals.objectives:
        krs = " ".join(k.title for k in o.key_results)
        nodes.append(Node("objective", o.id, o.title, o.state, None, f"{o.description or ''} {krs} {_words(o.match)}", _rule(o.match)))
        for i in o.initiatives:
            state = i.state if o.state == "active" else o.state
            nodes.append(Node("initiative", i.id, i.title, state, o.id, f"{i.description or ''} {_words(i.match)}", _rule(i.match)))
    nodes.extend(Node("budget", b.id, b.title, "active", None, _words(b.match), _rule(b.match)) for b in goals.budgets)
    refs = policy.references
    objectives = tuple(
        compiled.Objective(
            o.id,
            o.title,
            o.owner,
            o.start.isoformat() if o.start else None,
            o.due.isoformat() if o.due else None,
            o.state,
            tuple(
                compiled.KeyResult(k.id, k.title, k.baseline, k.target, k.current, k.unit, k.source.model_dump() if k.source else None)
                for k in o.key_results
            ),
        )
        for o in goals.objectives
    )
    return Pyramid(
        file=config.file,
        mission=goals.mission,
        nodes=tuple(nodes),
        key_results={f"{o.id}.{k.id}": o.id for o in goals.objectives for k in o.key_results},
        exempt=_rule(policy.exempt),
        trailers=tuple(refs.trailers),
        escape=refs.escape_hatch,
        label_prefix=refs.label_prefix,
        severities=dict(policy.severities),
        options={rule_id: dict(options) for rule_id, options in policy.options.items()},
        fail_on=policy.fail_on,
        packs=policy.packs,
        objectives=objectives,
        budgets=tuple(compiled.Budget(b.id, b.title, b.share) for b in goals.budgets),
        report=compiled.report_settings(goals.report.model_dump(by_alias=False)),
        positions=compiled.positions_for(objectives, config.doc.at),
        jira=goals.jira.model_dump(exclude_none=True) if goals.jira is not None else {},
    )
