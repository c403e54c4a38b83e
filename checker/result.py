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

    def __init__(  # noqa: PLR0913 -- the result's parts, the optional ones keyword-only
        self,
        pyramid: Pyramid,
        traces: list[Trace],
        findings: list[Finding],
        *,
        suggestions: dict[str, list[Suggestion]] | None = None,
        notes: list[str] | None = None,
        doc: Document | None = None,
        located: Pyramid | None = None,
    ) -> None:
        """`located`: the goals whose compiled positions place the findings about the goals file
        (the current file, when `pyramid` is the version at the base)."""
        self.pyramid, self.traces, self.findings = pyramid, traces, findings
        self.suggestions = suggestions or {}
        self.notes = notes or []
        self.doc = doc
        self.located = located or pyramid

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
