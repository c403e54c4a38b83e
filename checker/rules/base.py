"""What a rule is: an id, a default severity, typed options and one function, of one of two
kinds: a `GoalsRule` reads the compiled goals, an `ItemRule` reads one item's thread.

Options are TypedDicts: validated by the policy loader (with positions),
plain dictionaries at run time, so the pre-push path needs no validating models.
Numeric options are counts (days, items) and may not be negative.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, Literal, NamedTuple, TypedDict, TypeVar

from checker.findings import Finding, Severity

if TYPE_CHECKING:
    from checker.goals.compiled import Objective, Pyramid
    from checker.suggest import PathRarity
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
    rarity: "PathRarity | None" = None  # how rare path words are in the repository, for suggestions


OptionsT = TypeVar("OptionsT")  # a rule's options TypedDict


class GoalsRule(NamedTuple, Generic[OptionsT]):
    """A rule about the goals file itself: it reads the compiled objectives. Runs where the goals
    file is the subject (`clew validate`, `clew check`)."""

    id: str
    severity: Severity
    check: Callable[[GoalsContext, OptionsT], Iterable[Finding]]
    doc: str
    options: type[OptionsT]

    @property
    def scope(self) -> Literal["goals"]:
        return "goals"

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0]


class ItemRule(NamedTuple, Generic[OptionsT]):
    """A rule about one piece of work and its thread. Runs on every surface."""

    id: str
    severity: Severity
    check: Callable[[ItemContext, OptionsT], Iterable[Finding]]
    doc: str
    options: type[OptionsT]

    @property
    def scope(self) -> Literal["item"]:
        return "item"

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0]


# The catalogue holds rules of both kinds, each with its own options type (checked against it when
# the policy is loaded, so a rule's check receives exactly its TypedDict).
Rule = GoalsRule[Any] | ItemRule[Any]
