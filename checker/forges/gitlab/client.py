"""The GitLab API through python-gitlab (the only module that imports it).

Lazy objects only, so no request happens by accident; lists are fully
paginated (python-gitlab stops at 20 by default); transient errors and 429 are
retried within bounds, honouring Retry-After; every call is counted."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from checker.errors import ApiError, AuthError
from checker.forges.network import Network, Waits, WaitTooLong, network
from checker.work import WorkItem

MAX_RETRIES = 3
MAX_ITEMS = 100_000  # what one list may hold: a forge that keeps paging past it is not followed further


def _bounded(items: Any, what: str) -> list[Any]:
    """A list's every page, up to MAX_ITEMS items: python-gitlab follows `next` links for as long
    as the server gives them."""
    out: list[Any] = []
    for item in items:
        out.append(item)
        if len(out) > MAX_ITEMS:
            raise ApiError(f"GitLab API {what} kept listing past {MAX_ITEMS} items; clew stopped reading it")
    return out


class Note(NamedTuple):
    id: int
    body: str
    author: str


def issue_item(data: dict[str, Any], project_path: str) -> WorkItem:
    """A GitLab issue (REST shape) as a work item; `epic` becomes its parent."""
    refs = data.get("references") or {}
    full = refs.get("full") if isinstance(refs, dict) else None
    own = not full or full.rsplit("#", 1)[0] == project_path
    epic = data.get("epic") if isinstance(data.get("epic"), dict) else None
    milestone = data.get("milestone") if isinstance(data.get("milestone"), dict) else None
    return (
        WorkItem(
            kind="issue",
            key=str(data.get("iid")),
            title=data.get("title") or "",
            body=data.get("description") or "",
            labels=tuple(label if isinstance(label, str) else str(label.get("name")) for label in data.get("labels") or []),
            milestone=milestone.get("title") if milestone else None,
            parent=f"&{epic['iid']}" if epic and epic.get("iid") is not None else None,
            state=data.get("state") or "",
            updated_at=data.get("updated_at"),
            url=data.get("web_url"),
        )
        if own
        else WorkItem(kind="issue", key=str(data.get("iid")), title=data.get("title") or "", url=data.get("web_url"))
    )


def api_url(env: Mapping[str, str]) -> str:
    """The GitLab REST API to talk to: the CI job's own instance, else CLEW_GITLAB_URL, else gitlab.com."""
    if env.get("CI_API_V4_URL"):
        return env["CI_API_V4_URL"]
    if env.get("CI_SERVER_URL"):
        return env["CI_SERVER_URL"].rstrip("/") + "/api/v4"
    return env.get("CLEW_GITLAB_URL") or "https://gitlab.com/api/v4"


def _session(waits: Waits) -> Any:
    """A requests session that follows no redirect to another host (requests strips only its own
    Authorization header there, and would send GitLab's PRIVATE-TOKEN on to wherever it points),
    and lets python-gitlab wait only within the bounds (it would sleep any Retry-After)."""
    import requests

    class Refused(requests.RequestException):
        """A wait past the bounds: the request is given up, not retried."""

    def bounded(response: Any, *args: Any, **kwargs: Any) -> Any:
        if response.status_code in (429, 500, 502, 503, 504):
            after = response.headers.get("Retry-After") or ""
            reset = response.headers.get("RateLimit-Reset") or ""
            seconds = float(after) if after.isdigit() else max(0.0, float(reset) - time.time()) if reset.isdigit() else 0.0
            try:
                waits.allow(seconds, "GitLab")
            except WaitTooLong as exc:
                raise Refused(str(exc)) from None
        return response

    class SameHost(requests.Session):
        def rebuild_auth(self, prepared_request: Any, response: Any) -> None:
            before, after = urlsplit(response.request.url), urlsplit(prepared_request.url)
            if (before.scheme, before.netloc) != (after.scheme, after.netloc):
                raise requests.exceptions.InvalidURL(
                    f"GitLab redirected to another address ({after.netloc[:100]}); clew sends the token only to "
                    f"{before.netloc}: set the GitLab URL to the address GitLab answers at"
                )
            super().rebuild_auth(prepared_request, response)

    session = SameHost()
    session.hooks["response"].append(bounded)
    return session


class Client:
    def __init__(self, url: str, token: str, graphql_url: str | None = None, settings: Network | None = None) -> None:
        import gitlab

        base = url.removesuffix("/").removesuffix("/api/v4")
        settings = settings or network(os.environ)
        self.waits = Waits(settings)
        self.gl = gitlab.Gitlab(
            base, private_token=token, timeout=settings.timeout, retry_transient_errors=True, per_page=100, session=_session(self.waits)
        )
        self.graphql_url = graphql_url or f"{base}/api/graphql"
        self.reads = self.writes = 0

    def _call(self, write: bool, what: str, action: Callable[[], Any]) -> Any:
        import gitlab
        import requests

        if write:
            self.writes += 1
        else:
            self.reads += 1
        try:
            found = action()
            return _bounded(found, what) if isinstance(found, gitlab.base.RESTObjectList) else found
        except gitlab.exceptions.GitlabError as exc:
            if exc.response_code == 401:
                raise AuthError(
                    f"GitLab rejected the token (HTTP 401 on {what}): set CLEW_GITLAB_TOKEN (or GITLAB_TOKEN) to a valid, "
                    "unexpired project access token with the api scope, in a masked CI/CD variable"
                ) from None
            raise ApiError(
                f"GitLab API {what} failed with HTTP {exc.response_code}: {str(exc.error_message)[:200]}", exc.response_code
            ) from None
        except (requests.RequestException, ValueError) as exc:
            raise ApiError(f"GitLab API {what} failed: {type(exc).__name__}: {str(exc)[:200]}") from None

    def graphql(self, query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """One GraphQL query (a read, counted): its data and the errors of fields GitLab could not
        resolve (their values are null). A query GitLab answers with errors only is an ApiError
        with its words."""
        body = {"query": query, "variables": variables}
        answer = self._call(False, "POST graphql", lambda: self.gl.http_post(self.graphql_url, post_data=body, max_retries=MAX_RETRIES))
        if not isinstance(answer, dict):
            raise ApiError(
                f"GitLab did not answer {self.graphql_url} with JSON: check that it is the instance's GraphQL endpoint "
                "(set CLEW_GITLAB_URL to the instance's API, or CI_API_GRAPHQL_URL in a job)"
            )
        found = answer.get("errors")
        errors = [e if isinstance(e, dict) else {"message": str(e)} for e in found] if isinstance(found, list) else []
        data = answer.get("data")
        if errors and not (isinstance(data, dict) and any(v is not None for v in data.values())):
            words = "; ".join(str(e.get("message")) for e in errors[:3])
            raise ApiError(f"GitLab GraphQL query failed: {words[:300]}")
        return (data if isinstance(data, dict) else {}), errors

    def _mr(self, project: str, iid: int) -> Any:
        return self.gl.projects.get(project, lazy=True).mergerequests.get(iid, lazy=True)

    def merge_request(self, project: str, iid: int) -> dict[str, Any]:
        mr = self._call(
            False, "GET merge request", lambda: self.gl.projects.get(project, lazy=True).mergerequests.get(iid, max_retries=MAX_RETRIES)
        )
        return dict(mr.attributes)

    def closes_issues(self, project: str, iid: int) -> list[dict[str, Any]]:
        issues = self._call(False, "GET closes_issues", lambda: self._mr(project, iid).closes_issues(per_page=100, max_retries=MAX_RETRIES))
        return [dict(i.attributes) for i in issues]

    def issues(self, project: str, iids: list[int]) -> list[dict[str, Any]]:
        def call() -> Any:
            return self.gl.projects.get(project, lazy=True).issues.list(iids=iids, iterator=True, per_page=100, max_retries=MAX_RETRIES)

        return [dict(i.attributes) for i in self._call(False, "GET issues", call)]

    def label_times(self, project: str, iid: int) -> tuple[tuple[str, str], ...]:
        """When each label was added to an issue (Resource label events API): one read."""

        def call() -> Any:
            issue = self.gl.projects.get(project, lazy=True).issues.get(iid, lazy=True)
            return issue.resourcelabelevents.list(iterator=True, per_page=100, max_retries=MAX_RETRIES)

        events = self._call(False, f"GET issue {iid} label events", call)
        return tuple(
            (str((e.label or {}).get("name") or ""), str(e.created_at))
            for e in events
            if getattr(e, "action", "add") == "add" and isinstance(getattr(e, "label", None), dict)
        )

    def notes(self, project: str, iid: int) -> list[Note]:
        def call() -> Any:
            return self._mr(project, iid).notes.list(
                iterator=True, per_page=100, sort="desc", order_by="updated_at", max_retries=MAX_RETRIES
            )

        return [
            Note(n.id, n.body or "", (n.author or {}).get("username", "")) for n in self._call(False, "GET notes", call) if not n.system
        ]

    def username(self) -> str:
        """Who the token is: the sticky note must have been written by it."""
        user = self._call(False, "GET user", lambda: self.gl.http_get("/user", max_retries=MAX_RETRIES))
        return str(user.get("username", "")) if isinstance(user, dict) else ""

    def create_note(self, project: str, iid: int, body: str) -> None:
        self._call(True, "POST note", lambda: self._mr(project, iid).notes.create({"body": body}, max_retries=MAX_RETRIES))

    def edit_note(self, project: str, iid: int, note_id: int, body: str) -> None:
        self._call(True, "PUT note", lambda: self._mr(project, iid).notes.update(note_id, {"body": body}, max_retries=MAX_RETRIES))

    def delete_note(self, project: str, iid: int, note_id: int) -> None:
        self._call(True, "DELETE note", lambda: self._mr(project, iid).notes.delete(note_id, max_retries=MAX_RETRIES))

    def set_label(self, project: str, iid: int, label: str, present: bool) -> None:
        key = "add_labels" if present else "remove_labels"
        call = lambda: self.gl.projects.get(project, lazy=True).mergerequests.update(iid, {key: label}, max_retries=MAX_RETRIES)  # noqa: E731
        self._call(True, "PUT merge request labels", call)

    # --- for the report
    def merged_requests(self, project: str, updated_after: str) -> list[dict[str, Any]]:
        def call() -> Any:
            manager = self.gl.projects.get(project, lazy=True).mergerequests
            return manager.list(
                state="merged",
                updated_after=updated_after,
                order_by="updated_at",
                sort="desc",
                iterator=True,
                per_page=100,
                max_retries=MAX_RETRIES,
            )

        return [dict(m.attributes) for m in self._call(False, "GET merged merge requests", call)]

    def open_items(self, project: str, kind: str) -> list[dict[str, Any]]:
        def call() -> Any:
            project_obj = self.gl.projects.get(project, lazy=True)
            manager = project_obj.issues if kind == "issues" else project_obj.mergerequests
            return manager.list(state="opened", order_by="updated_at", sort="desc", iterator=True, per_page=100, max_retries=MAX_RETRIES)

        return [dict(i.attributes) for i in self._call(False, f"GET open {kind}", call)]

    def read_file(self, project: str, path: str, ref: str) -> tuple[str | None, str | None]:
        """A file's text and the id of the commit that last changed it (None, None when absent)."""

        def call() -> Any:
            return self.gl.projects.get(project, lazy=True).files.get(file_path=path, ref=ref, max_retries=MAX_RETRIES)

        try:
            found = self._call(False, f"GET file {path}", call)
        except ApiError as exc:
            if exc.status == 404:
                return None, None
            raise
        return found.decode().decode("utf-8", "replace"), str(found.last_commit_id)

    def commit(self, project: str, branch: str, message: str, actions: list[dict[str, Any]]) -> str:
        """One atomic commit with several file actions (the commits API)."""
        data = {"branch": branch, "commit_message": message, "actions": actions}
        result = self._call(
            True, "POST commit", lambda: self.gl.projects.get(project, lazy=True).commits.create(data, max_retries=MAX_RETRIES)
        )
        return str(getattr(result, "id", ""))
