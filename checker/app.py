"""The pipeline spelled out once: load, collect, trace, evaluate, decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checker.config import Config, load_config
from checker.errors import EXIT_FINDINGS, EXIT_OK
from checker.findings import Finding
from checker.goals import load
from checker.rules import REGISTRY
from checker.rules.base import GoalsContext, ItemContext
from checker.suggest import Suggestion, suggest
from checker.trace import Trace
from checker.work import WorkItem


def configure(root: Path, goals: str | None) -> Config:
    path = load.discover(goals, root)
    return load_config(path, load.display_name(path, root))


def goals_findings(config: Config, today: dt.date) -> list[Finding]:
    ctx = GoalsContext(config.goals, config.file, today)
    raw = [f for rule in REGISTRY.values() if rule.scope == "goals" for f in rule.check(ctx, config.policy.options[rule.id])]
    return config.policy.apply(raw)


@dataclass
class Result:
    config: Config
    traces: list[Trace]
    findings: list[Finding]
    suggestions: dict[str, list[Suggestion]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def failing(self) -> list[Finding]:
        return self.config.policy.failing(self.findings)

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.failing else EXIT_OK

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("aligned", "budget", "exempt", "escape", "unaligned", "broken"), 0)
        for trace in self.traces:
            counts[trace.status] += 1
        return counts


def evaluate(
    config: Config,
    items: Sequence[WorkItem],
    *,
    today: dt.date,
    linked: Mapping[str, WorkItem] | None = None,
    goals_changed: bool = False,
    with_goals_rules: bool = True,
    notes: Sequence[str] = (),
) -> Result:
    tracer = config.tracer()
    traces = [tracer.trace(item, linked) for item in items]
    raw: list[Finding] = []
    item_rules = [rule for rule in REGISTRY.values() if rule.scope == "item"]
    for trace in traces:
        ctx = ItemContext(config.goals, config.file, trace, today, goals_changed)
        raw.extend(f for rule in item_rules for f in rule.check(ctx, config.policy.options[rule.id]))
    findings = config.policy.apply(raw) + (goals_findings(config, today) if with_goals_rules else [])
    ideas = {t.item.name: suggest(config.goals, t.item) for t in traces if t.status in ("unaligned", "broken")}
    return Result(config, traces, findings, ideas, list(notes))
