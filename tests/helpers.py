"""Small helpers shared by the rule, tracer and output tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

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
    return app.evaluate_config(cfg, [item], today=today, edited="goals.yml" if changed else None, with_goals_rules=False).findings


def rules_fired(cfg: Config, item: WorkItem | None = None, **kwargs: object) -> set[str]:
    if item is None:
        return {f.rule for f in app.goals_findings(cfg.pyramid(), TODAY)}
    return {f.rule for f in findings(cfg, item, **kwargs)}  # type: ignore[arg-type]


def report_of(  # noqa: PLR0913 -- the old keyword form of the report's inputs, for the tests that build reports by hand
    pyramid: Any,
    merged: Any,
    *,
    today: dt.date,
    window_start: dt.date,
    source: str,
    open_issues: Any = (),
    open_prs: Any = (),
    linked: Any = None,
    notes: Any = (),
    complete: bool = True,
    generated_at: str = "",
    previous: Any = (),
    goals_digest: str | None = None,
    traced: Any = None,
    measured: Any = None,
    readings: Any = None,
) -> Any:
    """checker.report.build.build from the report's inputs named one by one: a History, a Window."""
    from checker.report.build import build
    from checker.report.history import History
    from checker.work import Window

    unread = "local history" if source == "git" else None  # what a local history's links say: not read
    history = History(source, list(merged), open_issues, open_prs, linked or {}, notes, complete, traced, previous, goals_digest, unread)
    return build(pyramid, history, Window(window_start, today), generated_at=generated_at, measured=measured, readings=readings)


def local_report(root: Path, today: dt.date, days: int | None) -> tuple[Path, Any]:
    """`clew report --source git` over `days` (the goals file's window when None), as files in
    memory: (the repository, what would be written)."""
    import os

    from checker.commands import report

    outcome = report.run(root, None, today, report.Options(window=days, source="git", format="json"), os.environ)
    return root, outcome.written


GOLDEN = Path(__file__).parent / "golden"


def golden(name: str, rendered: str) -> None:
    """`rendered` is tests/golden/NAME, byte for byte. CLEW_UPDATE_GOLDEN=1 writes it instead
    (then read the diff before committing it)."""
    import os

    path = GOLDEN / name
    if os.environ.get("CLEW_UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert path.is_file(), f"missing golden file {name}: run with CLEW_UPDATE_GOLDEN=1"
    assert rendered == path.read_text(encoding="utf-8"), f"tests/golden/{name} differs (CLEW_UPDATE_GOLDEN=1 rewrites it)"
