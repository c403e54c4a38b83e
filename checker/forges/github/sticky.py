"""On a GitHub pull request: one sticky comment (found by its marker) and one label, written
only when they change, and never on a fork, whose token is read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.errors import ApiError
from checker.outputs import github as render

if TYPE_CHECKING:
    from checker.forges.github.check import EventSource
    from checker.forges.github.settings import Inputs
    from checker.result import Result

FORK = (
    "this pull request comes from a fork: its token is read-only, so clew wrote no comment and no label "
    "(annotations, summary and exit code are complete; docs/github.md shows the two-workflow pattern for forks)"
)


class StickyComment:
    """A publisher: `publish(result)` writes what differs and returns the notes for the output.
    It writes with what the source gathered (its client, the pull request's comments and live
    labels): one read served both."""

    def __init__(self, source: EventSource, inputs: Inputs) -> None:
        self.source, self.inputs = source, inputs

    def publish(self, result: Result) -> list[str]:
        from checker.forges.github.client import is_forbidden

        source = self.source
        if source.client is None or source.event.number is None:  # no token, or no pull request
            return []
        self.client, self.event, self.comments, self.item, self.notes = (
            source.client,
            source.event,
            source.comments,
            source.item,
            source.notes,
        )
        if self.event.is_fork:
            return [FORK]
        unaligned = result.traces[0].status in ("unaligned", "broken") or bool(result.failing)
        try:
            if self.inputs.comment:
                self._comment(result, unaligned)
            if self.inputs.label and self.item is not None:
                self._label(unaligned)
        except ApiError as exc:
            if is_forbidden(exc):
                return [
                    f"the token cannot write to this repository ({exc}); clew wrote no comment or label. "
                    "Grant `pull-requests: write` and `issues: write`, or see docs/github.md for forks and Dependabot"
                ]
            if self.inputs.on_api_error == "fail":
                raise
            return [f"{exc}; the comment or label may be out of date (on_api_error: warn)"]
        return []

    def _comment(self, result: Result, unaligned: bool) -> None:
        from checker.forges.github.thread import Comment

        client, repo, number = self.client, self.event.repository, self.event.number
        if number is None:  # not a pull request: nowhere to comment
            return
        ours = [c for c in self.comments if isinstance(c, Comment) and render.MARKER in c.body]
        existing = ours[-1] if ours else None
        if unaligned:
            body = render.comment(result, self.notes)
            if existing is None:
                client.create_comment(repo, number, body)
            elif existing.body != body:
                client.edit_comment(repo, existing.id, body)
        elif existing is not None:
            if self.inputs.on_aligned == "delete":
                client.delete_comment(repo, existing.id)
            elif existing.body != (body := render.resolved(result)):
                client.edit_comment(repo, existing.id, body)

    def _label(self, unaligned: bool) -> None:
        number = self.event.number
        if number is None or self.item is None:
            return
        name = self.inputs.label_name
        has = name.lower() in {label.lower() for label in self.item.labels}
        if unaligned and not has:
            self.client.add_label(self.event.repository, number, name)
        elif not unaligned and has:
            self.client.remove_label(self.event.repository, number, name)
