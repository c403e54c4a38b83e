"""Small helpers shared by the rule, tracer and output tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from checker import app
from checker.findings import Finding
from checker.goals.config import Config, load_config
from checker.work import WorkItem
from tests.conftest import goals_text

TODAY = dt.date(2026, 11, 21)


def config(tmp: Path, text: str | None = None, pack: str = "default") -> Config:
    path = tmp / "goals.yml"
    path.write_text(text if text is not None else goals_text(pack), encoding="utf-8")
    return load_config(path, "goals.yml")


def commit(message: str, **fields: object) -> WorkItem:
    subject, _, body = message.partition("\n")
    key = hashlib.sha1(message.encode()).hexdigest()
    return WorkItem(kind="commit", key=key, title=subject, body=body.strip("\n"), **fields)  # type: ignore[arg-type]


def findings(cfg: Config, item: WorkItem, *, changed: bool = False, today: dt.date = TODAY) -> list[Finding]:
    return app.evaluate_config(cfg, [item], today=today, goals_changed=changed, with_goals_rules=False).findings


def rules_fired(cfg: Config, item: WorkItem | None = None, **kwargs: object) -> set[str]:
    if item is None:
        return {f.rule for f in app.goals_findings(cfg.pyramid(), TODAY)}
    return {f.rule for f in findings(cfg, item, **kwargs)}  # type: ignore[arg-type]
