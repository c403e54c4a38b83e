"""The GitHub API, through PyGithub (the only module that imports it): GraphQL reads and REST
writes, with bounded retries and timeouts, every request counted. A token only ever goes to the
API this client was made for: PyGithub refuses a redirect to another host."""

from __future__ import annotations

import math
import os
from typing import Any
from urllib.parse import quote

from checker.errors import ApiError, AuthError, QueryRejected
from checker.forges.network import Network, Waits, WaitTooLong, network

TOKEN_HELP = "set the action's `token` input (or GITHUB_TOKEN, or GH_TOKEN outside Actions) to a valid token"


def graphql_data(data: Any) -> dict[str, Any]:
    """The `data` of a GraphQL answer. No `data` key at all means GitHub rejected the document
    itself (a validation error: clew's own doing, never an outage); `data: null` is an outage."""
    errors = [str(e.get("message", e))[:200] for e in (data or {}).get("errors") or [] if isinstance(e, dict)]
    if isinstance(data, dict) and errors and "data" not in data:
        raise QueryRejected(
            f"GitHub rejected clew's GraphQL query ({'; '.join(errors[:3])}). This is a bug in clew, not an outage, "
            "so the check fails instead of passing open; please report it with the pull request's title and body"
        )
    if not isinstance((data or {}).get("data"), dict):
        raise ApiError(f"GitHub GraphQL returned no data: {'; '.join(errors) or 'empty response'}")
    return dict(data["data"])


class Client:
    """A PyGithub requester with bounded retries, waits and timeouts (checker.forges.network);
    counts what it does."""

    def __init__(self, token: str, api_url: str | None = None, settings: Network | None = None) -> None:
        from github import Auth, Github

        _quiet_pygithub()
        settings = settings or network(os.environ)
        base = (api_url or os.environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
        self.waits = Waits(settings)
        self.github = Github(
            auth=Auth.Token(token),
            base_url=base,
            timeout=int(max(1, math.ceil(settings.timeout))),  # PyGithub takes whole seconds
            retry=_retry(settings, self.waits),
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self.requester = self.github.requester
        graphql = os.environ.get("GITHUB_GRAPHQL_URL")
        self.graphql_url = graphql or self.requester.graphql_url
        self.reads = self.writes = 0

    def _call(self, verb: str, url: str, payload: dict[str, Any] | None = None) -> Any:
        from github import GithubException

        if verb in ("GET",) or url == self.graphql_url:
            self.reads += 1
        else:
            self.writes += 1
        try:
            _, data = self.requester.requestJsonAndCheck(verb, url, input=payload)
        except WaitTooLong as exc:
            raise ApiError(f"GitHub API {verb} {_short(url)}: {exc}") from None
        except GithubException as exc:
            if exc.status == 401:
                raise AuthError(f"GitHub rejected the token (HTTP 401: {_message(exc.data)}): {TOKEN_HELP}") from None
            raise ApiError(f"GitHub API {verb} {_short(url)} failed with HTTP {exc.status}: {_message(exc.data)}", exc.status) from None
        except Exception as exc:  # timeouts, broken connections, truncated JSON after retries
            raise ApiError(f"GitHub API {verb} {_short(url)} failed: {type(exc).__name__}: {str(exc)[:200]}") from None
        return data

    def post_graphql(self, query: str, variables: dict[str, Any]) -> Any:
        """One GraphQL request, counted, its answer as GitHub gave it (errors and all)."""
        return self._call("POST", self.graphql_url, {"query": query, "variables": variables})

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """One GraphQL request, counted; its `data` (checker's rules on errors: _graphql_data)."""
        return graphql_data(self.post_graphql(query, variables))

    def read_blob(self, repository: str, expression: str) -> str | None:
        """A file's text at `ref:path` in any repository the token can read (None when absent)."""
        owner, _, name = repository.partition("/")
        query = (
            "query($owner: String!, $name: String!, $expression: String!) "
            "{ repository(owner: $owner, name: $name) { object(expression: $expression) { ... on Blob { text } } } }"
        )
        repo = self.graphql(query, {"owner": owner, "name": name, "expression": expression}).get("repository")  # null: absent or hidden
        blob = repo.get("object") if isinstance(repo, dict) else None
        return str(blob["text"]) if isinstance(blob, dict) and isinstance(blob.get("text"), str) else None

    def create_comment(self, repo: str, number: int, body: str) -> None:
        self._call("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body})

    def edit_comment(self, repo: str, comment_id: int, body: str) -> None:
        self._call("PATCH", f"/repos/{repo}/issues/comments/{comment_id}", {"body": body})

    def delete_comment(self, repo: str, comment_id: int) -> None:
        self._call("DELETE", f"/repos/{repo}/issues/comments/{comment_id}")

    def add_label(self, repo: str, number: int, label: str) -> None:
        self._call("POST", f"/repos/{repo}/issues/{number}/labels", {"labels": [label]})

    def remove_label(self, repo: str, number: int, label: str) -> None:
        self._call("DELETE", f"/repos/{repo}/issues/{number}/labels/{quote(label, safe='')}")


def _quiet_pygithub() -> None:
    """PyGithub writes its own lines to the stderr it found at import (`Request POST … failed with
    403`), after clew has said what failed and what to do: clew's messages are the only ones a
    user reads. With CLEW_DEBUG set, PyGithub's lines are kept."""
    import logging

    if os.environ.get("CLEW_DEBUG"):
        return
    logger = logging.getLogger("github")
    logger.handlers[:] = [logging.NullHandler()]
    logger.propagate = False


def _retry(settings: Network, waits: Waits) -> Any:
    """PyGithub's retry (secondary rate limits, 5xx, Retry-After), each wait checked against the
    bounds first: urllib3 would sleep any Retry-After it is sent."""
    from github import GithubRetry
    from urllib3.util import Retry

    class Bounded(GithubRetry):
        bounds: Waits = waits  # one tally for the client: every copy urllib3 makes of the retry shares it

        def sleep(self, response: Any = None) -> None:
            after = self.get_retry_after(response) if response is not None and self.respect_retry_after_header else None
            seconds = after if after is not None else self.get_backoff_time()
            self.bounds.sleep(seconds, "GitHub")

    # PATCH (edit a comment, move a ref) and DELETE are safe to repeat; POST is retried as PyGithub does
    methods = Retry.DEFAULT_ALLOWED_METHODS.union({"GET", "POST", "PATCH"})
    limit = min(settings.wait_max, settings.budget)
    retry = Bounded(
        total=3,
        backoff_factor=settings.backoff,
        secondary_rate_wait=settings.secondary_wait,
        max_rate_limit_wait=limit,
        allowed_methods=methods,
    )
    return retry


def _short(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[-1][:80] if "://" in url else url[:80]


def _message(data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get("message", ""))[:200]
    return str(data)[:200]


def is_forbidden(error: ApiError) -> bool:
    return error.status == 403 and ("not accessible" in str(error).lower() or "permission" in str(error).lower())
