"""What a rule is: an id, a default severity, typed options and one function.

Options are TypedDicts: validated by the policy loader (with positions),
plain dictionaries at run time, so the pre-push path needs no validating models.
Numeric options are counts (days, items) and may not be negative.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypedDict, TypeVar

from checker.findings import Finding, Severity

if TYPE_CHECKING:
    from checker.compiled import Objective, Pyramid
    from checker.trace import Trace


class Options(TypedDict, total=False):
    """A rule without options."""


T = TypeVar("T")


def options(cls: T) -> T:
    """Mark an options TypedDict as closed: unknown keys are errors at load."""
    cls.__pydantic_config__ = {"extra": "forbid"}  # type: ignore[attr-defined]
    return cls


options(Options)


class GoalsContext(NamedTuple):
    """The goals rules read the compiled objectives, so they run from the cache too."""

    objectives: "tuple[Objective, ...]"
    goals_file: str
    today: dt.date


class ItemContext(NamedTuple):
    pyramid: "Pyramid"
    trace: "Trace"
    today: dt.date
    goals_changed: bool = False


class Rule(NamedTuple):
    id: str
    severity: Severity
    scope: Literal["goals", "item"]
    check: Callable[[Any, Any], Iterable[Finding]]
    doc: str
    options: Any = Options  # a TypedDict class

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0]
