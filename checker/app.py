"""The pipeline spelled out once: load, collect, trace, evaluate, decide.

The item pipeline works on the compiled pyramid only; the rules about the
goals file itself need the full models and run where they are loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.compiled import Pyramid
from checker.findings import Finding, apply_severities
from checker.result import Result
from checker.rules import REGISTRY, goals_findings
from checker.rules.base import ItemContext
from checker.trace import Tracer
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
    return Result(pyramid, traces, findings, suggestions=ideas, notes=list(notes), doc=doc, located=located)


def evaluate_config(
    config: Config, items: Sequence[WorkItem], *, today: dt.date, with_goals_rules: bool = True, **kwargs: object
) -> Result:
    """Items against a fully loaded configuration, with the goals rules when asked."""
    pyramid = config.pyramid()
    extra = goals_findings(pyramid, today) if with_goals_rules else []
    return evaluate(pyramid, items, today=today, extra=extra, doc=config.doc, **kwargs)  # type: ignore[arg-type]


__all__ = ["Result", "configure", "evaluate", "evaluate_config", "goals_findings"]
