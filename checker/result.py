"""What a check found: the traces, the findings after the policy, the suggestions and the
notes. Every surface renders and publishes one of these (checker.outputs, checker.publish)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.compiled import Pyramid, position_key
from checker.errors import EXIT_FINDINGS, EXIT_OK
from checker.findings import Finding, Location, fails

if TYPE_CHECKING:
    from checker.goals.load import Document
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
    ) -> None:
        self.pyramid, self.traces, self.findings = pyramid, traces, findings
        self.suggestions = suggestions or {}
        self.notes = notes or []
        self.doc = doc
        self.positions = (pyramid.file, pyramid.positions)  # where findings about the goals file point

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if fails(f, self.pyramid.fail_on)]

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.failing else EXIT_OK

    def locate(self, location: Location) -> tuple[int, int]:
        """A symbolic location as line and column, once, at output: from the parsed document when
        there is one, else from the positions compiled with the goals (checker.compiled)."""
        if self.doc is not None and location.file == self.doc.display:
            return self.doc.at(location.keys)
        file, positions = self.positions
        if location.keys and location.file == file and (found := positions.get(position_key(location.keys))) is not None:
            return found[0], found[1]
        return location.line, location.col

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("aligned", "budget", "exempt", "escape", "unaligned", "broken"), 0)
        for trace in self.traces:
            counts[trace.status] += 1
        return counts
