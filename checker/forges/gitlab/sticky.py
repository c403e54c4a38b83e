"""On a GitLab merge request: one sticky note (marked, with the token's fingerprint and the
label state in it) and one label, written only when they change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.errors import ApiError
from checker.outputs import gitlab as render

if TYPE_CHECKING:
    from checker.forges.gitlab.check import MergeRequestSource
    from checker.forges.gitlab.client import Note
    from checker.forges.gitlab.settings import Settings
    from checker.result import Result


class StickyNote:
    """A publisher: `publish(result)` writes what differs and returns the notes for the output."""

    def __init__(self, source: MergeRequestSource, settings: Settings) -> None:
        self.source, self.settings = source, settings

    def publish(self, result: Result) -> list[str]:
        """Whether the label is on comes from the state clew wrote in its note, not from
        CI_MERGE_REQUEST_LABELS, a snapshot that a retried job keeps."""
        if self.source.job is None or self.source.client is None:  # no merge request, or no token
            return []
        self.job, self.client, self.notes = self.source.job, self.source.client, self.source.notes
        job, client, settings = self.job, self.client, self.settings
        trace = result.traces[0]
        unaligned = trace.status in ("unaligned", "broken") or bool(result.failing)
        try:
            ours = self._ours() if settings.note else None
            state = render.read_state(ours.body) if ours is not None else None
            labelled = state.label if state is not None else settings.label_name.lower() in {x.lower() for x in job.item.labels}
            if settings.labels and unaligned != labelled:
                client.set_label(job.project, job.iid, settings.label_name, unaligned)
                labelled = unaligned
            if settings.note:
                self._note(result, ours, render.State(render.owner_of(settings.token), labelled and settings.labels), unaligned)
        except ApiError as exc:
            if exc.status in (401, 403):
                return [
                    f"the token cannot write to this project ({exc}); CI_JOB_TOKEN cannot post notes: "
                    "use a project access token with the api scope in a masked CLEW_GITLAB_TOKEN variable (docs/gitlab.md)"
                ]
            if settings.on_api_error == "fail":
                raise
            return [f"{exc}; the note or label may be out of date (CLEW_ON_API_ERROR: warn)"]
        return []

    def _ours(self) -> Note | None:
        """clew's own note: marked, with this token's fingerprint. A note clew wrote before it kept
        a fingerprint is recognised by its author, which costs one more read, once."""
        client, job = self.client, self.job
        owner = render.owner_of(self.settings.token)
        marked = [n for n in client.notes(job.project, job.iid) if n.body.startswith(render.MARKER)]
        mine = [n for n in marked if (s := render.read_state(n.body)) is not None and s.owner == owner]
        if mine:  # the first written: a copy of its fingerprint pasted by someone else can only come later
            return min(mine, key=lambda n: n.id)
        legacy = [n for n in marked if render.read_state(n.body) is None]
        if legacy:
            me = client.username()
            return next((n for n in legacy if n.author == me), None)
        return None

    def _note(self, result: Result, ours: Note | None, state: render.State, unaligned: bool) -> None:
        client, job = self.client, self.job
        wanted = render.note(result, self.notes, state) if unaligned else render.resolved(result, state)
        if ours is not None and ours.body == wanted:
            return  # already says exactly this
        if ours is None:
            if unaligned:
                client.create_note(job.project, job.iid, wanted)
        elif unaligned or self.settings.on_aligned != "delete":
            client.edit_note(job.project, job.iid, ours.id, wanted)
        else:
            client.delete_note(job.project, job.iid, ours.id)
