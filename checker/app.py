"""The pipeline spelled out once: load, collect, trace, evaluate, decide.

The item pipeline works on the compiled pyramid only; the rules about the
goals file itself need the full models and run where they are loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.compiled import Pyramid, position_key
from checker.errors import EXIT_FINDINGS, EXIT_OK
from checker.findings import Finding, Location, apply_severities, fails
from checker.rules import REGISTRY, goals_findings
from checker.rules.base import ItemContext
from checker.trace import Trace, Tracer
from checker.work import WorkItem

if TYPE_CHECKING:
    from checker.config import Config
    from checker.goals.load import Document
    from checker.suggest import Suggestion


def configure(root: Path, goals: str | None) -> Config:
    from checker.config import load_config
    from checker.goals.discover import discover, display_name

    path = discover(goals, root)
    return load_config(path, display_name(path, root))


class Result:
    """What a check found: the traces, the findings after the policy, the suggestions."""

    def __init__(  # noqa: PLR0913 -- the result's parts, the optional ones keyword-only
        self,
        pyramid: Pyramid,
        traces: list[Trace],
        findings: list[Finding],
        *,
        suggestions: dict[str, list[Suggestion]] | None = None,
        notes: list[str] | None = None,
        doc: Document | None = None,
    ) -> None:
        self.pyramid, self.traces, self.findings = pyramid, traces, findings
        self.suggestions = suggestions or {}
        self.notes = notes or []
        self.doc = doc
        self.positions = (pyramid.file, pyramid.positions)  # where findings about the goals file point

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if fails(f, self.pyramid.fail_on)]

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.failing else EXIT_OK

    def locate(self, location: Location) -> tuple[int, int]:
        """A symbolic location as line and column, once, at output: from the parsed document when
        there is one, else from the positions compiled with the goals (checker.compiled)."""
        if self.doc is not None and location.file == self.doc.display:
            return self.doc.at(location.keys)
        file, positions = self.positions
        if location.keys and location.file == file and (found := positions.get(position_key(location.keys))) is not None:
            return found[0], found[1]
        return location.line, location.col

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("aligned", "budget", "exempt", "escape", "unaligned", "broken"), 0)
        for trace in self.traces:
            counts[trace.status] += 1
        return counts


def evaluate(  # noqa: PLR0913 -- one pipeline for every surface: what differs is named at the call, keyword-only
    pyramid: Pyramid,
    items: Sequence[WorkItem],
    *,
    today: dt.date,
    linked: Mapping[str, WorkItem] | None = None,
    goals_changed: bool = False,
    goals_file: str | None = None,
    extra: Sequence[Finding] = (),
    notes: Sequence[str] = (),
    doc: Document | None = None,
    located: Pyramid | None = None,
) -> Result:
    """`located`: the goals whose compiled positions place the findings about the goals file
    (the current file, when `pyramid` is the version at the base)."""
    tracer = Tracer(pyramid)
    traces = [tracer.trace(item, linked) for item in items]
    item_rules = [(rule, pyramid.options.get(rule.id, {})) for rule in REGISTRY.values() if rule.scope == "item"]
    raw: list[Finding] = []
    for trace in traces:
        # With `goals_file`, only the items that edit it are told so (one commit of a push, not all of them).
        edits = goals_changed and (goals_file is None or not trace.item.paths or goals_file in trace.item.paths)
        ctx = ItemContext(pyramid, trace, today, edits)
        raw.extend(f for rule, settings in item_rules for f in rule.check(ctx, settings))
    findings = apply_severities(raw, pyramid.severities) + list(extra)
    untraced = [t for t in traces if t.status in ("unaligned", "broken")]
    ideas: dict[str, list[Suggestion]] = {}
    if untraced:
        from checker.suggest import suggest

        ideas = {t.item.name: suggest(pyramid, t.item) for t in untraced}
    result = Result(pyramid, traces, findings, suggestions=ideas, notes=list(notes), doc=doc)
    if located is not None:
        result.positions = (located.file, located.positions)
    return result


def evaluate_config(
    config: Config, items: Sequence[WorkItem], *, today: dt.date, with_goals_rules: bool = True, **kwargs: object
) -> Result:
    """Items against a fully loaded configuration, with the goals rules when asked."""
    pyramid = config.pyramid()
    extra = goals_findings(pyramid, today) if with_goals_rules else []
    return evaluate(pyramid, items, today=today, extra=extra, doc=config.doc, **kwargs)  # type: ignore[arg-type]


__all__ = ["Result", "configure", "evaluate", "evaluate_config", "goals_findings"]
