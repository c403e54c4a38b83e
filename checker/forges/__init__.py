"""What clew writes back to a forge: the sticky comment or note and the label on the change
(`github.StickyComment`, `gitlab.StickyNote`), and the report commits (`commits`: local git,
GitHub's Git Data API, GitLab's commits API, with one message and one retry loop).

Publishers change shared state, so each writes only what differs from what is there, and
survives losing a race. A surface that adds a forge adds its publisher here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from checker.result import Result


@runtime_checkable
class Publisher(Protocol):
    """Writes the result to the change where it lives; returns the notes to show in the output
    (why nothing was written, what could not be)."""

    def publish(self, result: Result) -> list[str]: ...
