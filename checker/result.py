"""What a check found: the traces, the findings after the policy, the suggestions and the
notes. Every surface renders and publishes one of these (checker.outputs, checker.forges)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.errors import EXIT_FINDINGS, EXIT_OK
from checker.findings import Finding, Location, fails
from checker.goals.compiled import Pyramid

if TYPE_CHECKING:
    from checker.goals.document import Document
    from checker.suggest import Suggestion
    from checker.trace import Trace


class Result:
    """What a check found: the traces, the findings after the policy, the suggestions."""

    def __init__(
        self,
        pyramid: Pyramid,
        traces: list[Trace],
        findings: list[Finding],
        *,
        suggestions: dict[str, list[Suggestion]] | None = None,
        notes: list[str] | None = None,
        located: Pyramid | Document | None = None,
    ) -> None:
        """`located`: what places the findings about the goals file: its parsed document, or the
        compiled goals whose positions it keeps (the current file, when `pyramid` is the version
        at the base)."""
        self.pyramid, self.traces, self.findings = pyramid, traces, findings
        self.suggestions = suggestions or {}
        self.notes = notes or []
        self.doc = located if located is not None and not isinstance(located, Pyramid) else None
        self.located = located if isinstance(located, Pyramid) else pyramid

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if fails(f, self.pyramid.fail_on)]

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.failing else EXIT_OK

    def locate(self, location: Location) -> tuple[int, int]:
        """A symbolic location as line and column, once, at output: from the parsed document when
        there is one, else from the positions compiled with the goals (checker.goals.compiled)."""
        if self.doc is not None and location.file == self.doc.display:
            return self.doc.at(location.keys)
        if location.keys and location.file == self.located.file and (found := self.located.at(location.keys)) is not None:
            return found
        return location.line, location.col

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("aligned", "budget", "exempt", "escape", "unaligned", "broken"), 0)
        for trace in self.traces:
            counts[trace.status] += 1
        return counts
