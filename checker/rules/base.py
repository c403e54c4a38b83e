"""What a rule is: an id, a default severity, typed options and one function.

Options are plain frozen dataclasses (validated by the policy loader, with
positions), so the pre-push path builds them without the validating models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from checker.findings import Finding, Severity

if TYPE_CHECKING:
    from checker.compiled import Pyramid
    from checker.goals.model import Goals
    from checker.trace import Trace


@dataclass(frozen=True)
class Options:
    """A rule's options; every field has a default so packs can set only some."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


@dataclass(frozen=True)
class GoalsContext:
    goals: Goals
    goals_file: str
    today: dt.date


@dataclass(frozen=True)
class ItemContext:
    pyramid: Pyramid
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
