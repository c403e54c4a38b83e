"""Jira issues in the thread. A check collects every Jira key its work names (a key leading the
title, a `Jira:` trailer, `Closes PAY-12`, `Refs PAY-12`, a branch such as `feature/PAY-12-card`)
and reads them all in one JQL search (`key in (...)`); their parents (epics) that the first answer
did not hold come in a second. So at most two requests per check; three when a key is not in Jira,
because Jira then refuses the whole search and clew asks again without it.

Cloud (`*.atlassian.net`): `POST /rest/api/3/search/jql`, basic auth with JIRA_USER (the account's
e-mail) and JIRA_TOKEN (an API token). Data Center: `POST /rest/api/2/search` with a personal
access token in JIRA_TOKEN (bearer), or basic auth when JIRA_USER is set. The shapes follow
Atlassian's OpenAPI description (tests/contracts/jira/). The standard library's HTTP client does
it: two fixed requests need no SDK, and an SDK's own start-up requests would spend the budget."""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from checker import references
from checker.errors import ApiError, AuthError, ClewError
from checker.work import WorkItem

KEY = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")
FIELDS = ("summary", "labels", "components", "fixVersions", "parent", "issuetype", "project", "status")
MAX_KEYS = 50
TIMEOUT = 10.0
_MISSING = re.compile(r"'([A-Z][A-Z0-9_]+-[1-9][0-9]*)'")  # the key an error message names


class Settings(NamedTuple):
    url: str
    token: str
    user: str | None
    cloud: bool
    epic_field: str | None = None
    timeout: float = TIMEOUT
    backoff: float = 1.0


def settings(jira: Mapping[str, Any], env: Mapping[str, str], *, untrusted_url: bool = False) -> Settings | str:
    """Where and how to ask, or why clew cannot (said in the check's notes)."""
    url = (env.get("JIRA_URL") or str(jira.get("url") or "")).strip().rstrip("/")
    token = env.get("JIRA_TOKEN", "").strip()
    if not url and untrusted_url:
        return (
            "Jira keys were not followed: this change edits the goals file, and the Jira URL in it is not trusted with "
            "the token until it is merged (set JIRA_URL to follow keys in such changes)"
        )
    if not url:
        return "Jira keys were not followed: no Jira URL (set `jira: {url: ...}` in the goals file, or JIRA_URL)"
    if not re.match(r"^https?://[^\s/]+", url):
        return f"Jira keys were not followed: JIRA_URL {url[:80]!r} is not an http(s) URL"
    if not token:
        return "Jira keys were not followed: JIRA_TOKEN is not set (docs/jira.md)"
    host = urlsplit(url).hostname or ""
    deployment = jira.get("deployment") or ("cloud" if host.endswith(".atlassian.net") else "datacenter")
    from checker.forges.network import network

    found = network(env)  # the forges' clients read the same settings: a bad one is a configuration error
    user = env.get("JIRA_USER", "").strip() or None
    timeout = min(found.timeout, TIMEOUT) if "CLEW_HTTP_TIMEOUT" not in env else found.timeout
    return Settings(url, token, user, deployment == "cloud", jira.get("epic_field"), timeout, found.backoff)


class Client:
    """Two kinds of request, both JQL searches; `requests` counts them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requests = 0

    def _auth(self) -> str:
        s = self.settings
        if s.user:
            return "Basic " + base64.b64encode(f"{s.user}:{s.token}".encode()).decode()
        return f"Bearer {s.token}"

    def search(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """The issues with these keys (all valid keys, at most MAX_KEYS), with the fields clew reads."""
        s = self.settings
        fields = [*FIELDS, *([s.epic_field] if s.epic_field else [])]
        jql = f"key in ({', '.join(keys)})"
        if s.cloud:
            path, body = "/rest/api/3/search/jql", {"jql": jql, "fields": fields, "maxResults": len(keys)}
        else:
            path, body = "/rest/api/2/search", {"jql": jql, "fields": fields, "maxResults": len(keys), "validateQuery": "warn"}
        data = self._post(path, body)
        issues = data.get("issues")
        if not isinstance(issues, list):
            raise ApiError(f"Jira's search answered without an issue list ({path})")
        return [i for i in issues if isinstance(i, dict)]

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.settings.url + path
        for attempt in (1, 2):
            self.requests += 1
            request = urllib.request.Request(
                url,
                data=json.dumps(body).encode(),
                method="POST",
                headers={"Authorization": self._auth(), "Content-Type": "application/json", "Accept": "application/json"},
            )
            try:
                with _OPENER.open(request, timeout=self.settings.timeout) as response:
                    data = json.loads(response.read().decode("utf-8"))
                    return data if isinstance(data, dict) else {}
            except urllib.error.HTTPError as exc:
                status = exc.code
                if 300 <= status < 400:  # the token is never sent on to wherever Jira points
                    where = urlsplit(exc.headers.get("Location") or "").netloc or "another address"
                    raise ApiError(
                        f"Jira answered {path} with a redirect ({status}) to {where[:100]}; clew sends the token only to "
                        f"JIRA_URL ({urlsplit(url).netloc}) and follows no redirect: set JIRA_URL to the address Jira answers at"
                    ) from None
                text = exc.read().decode("utf-8", "replace")[:2000]
                if status in (401, 403):
                    raise AuthError(
                        f"Jira refused the token ({status} on {path}): check JIRA_TOKEN (and JIRA_USER on Cloud) "
                        "and that it can browse the projects"
                    ) from None
                if status in (429, 500, 502, 503, 504) and attempt == 1:
                    time.sleep(self.settings.backoff)
                    continue
                raise JiraRefused(status, text, path) from None
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
                if attempt == 1:
                    time.sleep(self.settings.backoff)
                    continue
                raise ApiError(f"Jira could not be reached at {self.settings.url} ({getattr(exc, 'reason', exc)})") from None
        raise ApiError(f"Jira did not answer {path}")  # pragma: no cover -- the loop returns or raises


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are answered, not followed: urllib would send the Authorization header on to any host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class JiraRefused(ApiError):
    """Jira answered the search with an error (400: a key it does not know, or bad JQL)."""

    def __init__(self, status: int, text: str, path: str) -> None:
        try:
            messages = [str(m) for m in json.loads(text).get("errorMessages", [])]
        except (ValueError, AttributeError):
            messages = []
        super().__init__(f"Jira refused the search ({status} on {path}): {'; '.join(messages) or text[:200]}", status)
        self.messages = messages


def keys_named(items: Iterable[WorkItem], syntax: references.Syntax, limit: int | None = MAX_KEYS) -> list[str]:
    """The Jira keys the items name, in order, at most `limit`."""
    found: dict[str, None] = {}
    for item in items:
        for text in item.texts:
            for ref in references.parse(text, syntax):
                if ref.kind == "issue" and KEY.match(ref.target) and syntax.jira_key(ref.target):
                    found.setdefault(ref.target)
        if item.branch and item.kind != "issue":
            for key in references.jira_branch_keys(item.branch, syntax):
                found.setdefault(key)
    return list(found)[:limit]


def issue_item(entry: Mapping[str, Any], settings: Settings) -> WorkItem:
    """A Jira issue as a work item: its labels, its parent (or Data Center's epic link) and its
    project, components, fix versions and type as facets."""
    fields = entry.get("fields") or {}
    key = str(entry.get("key") or "")

    def names(value: Any) -> list[str]:
        return [str(v.get("name")) for v in value if isinstance(v, dict) and v.get("name")] if isinstance(value, list) else []

    def mapping(name: str) -> dict[str, Any]:
        value = fields.get(name)
        return value if isinstance(value, dict) else {}

    parent_key = str(mapping("parent").get("key") or "") or None
    epic = fields.get(settings.epic_field) if settings.epic_field else None
    if parent_key is None and isinstance(epic, str):
        parent_key = epic
    project, kind = mapping("project"), mapping("issuetype")
    facets = [("project", str(project.get("key") or key.rsplit("-", 1)[0]))]
    facets += [("component", n) for n in names(fields.get("components"))]
    facets += [("fix version", n) for n in names(fields.get("fixVersions"))]
    if kind.get("name"):
        facets.append(("type", str(kind["name"])))
    labels = fields.get("labels")
    labels = labels if isinstance(labels, list) else []
    return WorkItem(
        kind="issue",
        key=key,
        title=str(fields.get("summary") or ""),
        labels=tuple(str(label) for label in labels),
        parent=parent_key if parent_key and KEY.match(parent_key) else None,
        url=f"{settings.url}/browse/{key}",
        facets=tuple(facets),
    )


class Followed(NamedTuple):
    linked: dict[str, WorkItem]
    notes: list[str]
    failed: bool  # Jira could not be read: the check passes open, as with the forges' APIs
    requests: int


def follow(
    jira: Mapping[str, Any],
    syntax: references.Syntax,
    items: Sequence[WorkItem],
    env: Mapping[str, str],
    *,
    untrusted_url: bool = False,
    every: bool = False,
) -> Followed:
    """The Jira issues the items name and their parents, by key. `untrusted_url`: the goals file's
    URL was left out because the change itself brings it. A check follows at most MAX_KEYS keys
    (two requests); `every` (the report) follows them all, MAX_KEYS per search."""
    keys = keys_named(items, syntax, None if every else MAX_KEYS)
    if not keys:
        return Followed({}, [], False, 0)
    found = settings(jira, env, untrusted_url=untrusted_url)
    if isinstance(found, str):
        return Followed({}, [found], False, 0)
    client = Client(found)
    notes: list[str] = []
    try:
        issues, missing = _search_all(client, keys)
        linked = {item.key: item for item in (issue_item(i, found) for i in issues) if item.key}
        missing += [k for k in keys if k not in linked and k not in missing]  # Data Center leaves them out (validateQuery: warn)
        parents = [p for p in dict.fromkeys(i.parent for i in linked.values() if i.parent) if p and p not in linked]
        if parents:
            more, lost = _search_all(client, parents if every else parents[:MAX_KEYS])
            linked.update({item.key: item for item in (issue_item(i, found) for i in more) if item.key})
            missing += lost
    except JiraRefused as exc:
        if exc.status == 400:  # a search clew built that Jira refuses is no outage: never pass open on it
            raise ClewError(
                f"{exc}. This is not an outage, so the check does not pass open: check `jira.epic_field` and "
                "`jira.projects` in the goals file (docs/jira.md)"
            ) from None
        then = "work that names them traces through its other links only" if every else "clew passes open"
        return Followed({}, [f"{exc}. The Jira keys ({', '.join(keys[:5])}) were not followed; {then}"], True, client.requests)
    except ApiError as exc:
        then = "work that names them traces through its other links only" if every else "clew passes open"
        return Followed({}, [f"{exc}. The Jira keys ({', '.join(keys[:5])}) were not followed; {then}"], True, client.requests)
    if missing := list(dict.fromkeys(missing)):
        notes.append(f"not found in Jira or not visible to the token: {', '.join(missing)}")
    return Followed(linked, notes, False, client.requests)


def _search_all(client: Client, keys: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The issues with these keys, MAX_KEYS per search, and the keys Jira does not know."""
    issues: list[dict[str, Any]] = []
    missing: list[str] = []
    for at in range(0, len(keys), MAX_KEYS):
        found, lost = _search_known(client, keys[at : at + MAX_KEYS])
        issues += found
        missing += lost
    return issues, missing


def _search_known(client: Client, keys: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """One search; when Jira refuses it for keys it does not know, one more without them."""
    try:
        return client.search(keys), []
    except JiraRefused as exc:
        unknown = [k for message in exc.messages for k in _MISSING.findall(message) if k in keys]
        rest = [k for k in keys if k not in unknown]
        if exc.status != 400 or not unknown:
            raise
        return (client.search(rest) if rest else []), unknown
