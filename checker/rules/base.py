"""What a rule is: an id, a default severity, typed options and one function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from checker.findings import Finding, Severity

if TYPE_CHECKING:
    from checker.goals.model import Goals
    from checker.trace import Trace


class Options(BaseModel):
    """A rule's options; every field has a default so packs can set only some."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class GoalsContext:
    goals: Goals
    goals_file: str
    today: dt.date


@dataclass(frozen=True)
class ItemContext:
    goals: Goals
    goals_file: str
    trace: Trace
    today: dt.date
    goals_changed: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    scope: Literal["goals", "item"]
    check: Callable[[Any, Any], Iterable[Finding]]
    doc: str
    options: type[Options] = Options

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0]
