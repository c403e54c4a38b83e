"""A local server that speaks the part of GitLab's REST API clew uses.

Responses are built from GitLab's published example bodies (real shapes, with
their nulls) and checked against GitLab's own response schemas for the field
types clew reads; every request must be one of the endpoints clew is known to
use, with the parameters and body GitLab documents. Lists paginate with Link
headers, so a client that stops at the first page is caught. Requests are
counted and faults can be injected.

`POST /api/graphql` answers the organisation report's query (a group's projects
with their alignment.json), each query validated against the excerpt of GitLab's
GraphQL schema in contracts/gitlab/graphql/. Its complexity limit follows GitLab's
approach: every field counts 1, and a connection adds a hundredth of its complexity
per item asked for (`first: 50` adds half). GitLab lets an authenticated query reach
250 (GitlabSchema::AUTHENTICATED_MAX_COMPLEXITY); a test can lower it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import threading
import time
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from graphql import GraphQLError, build_schema, graphql_sync
from graphql.language import FieldNode, OperationDefinitionNode

from tests.conftest import CONTRACTS
from tests.github_server import Fault, Request
from tests.http_fake import FakeServer, check_graphql


@functools.cache
def graphql_schema() -> Any:
    return build_schema((CONTRACTS / "gitlab" / "graphql" / "org-report.excerpt.graphql").read_text(encoding="utf-8"))


@functools.cache
def example(name: str) -> Any:
    return json.loads((CONTRACTS / "gitlab" / "api-examples" / name).read_text(encoding="utf-8"))


class GlIssue(NamedTuple):
    iid: int
    title: str
    description: str = ""
    labels: tuple[str, ...] = ()
    milestone: str | None = None
    epic_iid: int | None = None
    labelled_at: tuple[tuple[str, str], ...] = ()  # (label, ISO time it was added)


class GlNote(NamedTuple):
    id: int
    body: str
    author: str
    system: bool = False


PROJECT = r"/api/v4/projects/([^/]+)"
ROUTES = [
    ("GET", r"/api/v4/user", "user"),
    ("GET", PROJECT + r"/merge_requests", "mr_list"),
    ("GET", PROJECT + r"/repository/files/([^/]+)", "file_get"),
    ("POST", PROJECT + r"/repository/commits", "commit_create"),
    ("GET", PROJECT + r"/merge_requests/(\d+)", "mr"),
    ("PUT", PROJECT + r"/merge_requests/(\d+)", "mr_update"),
    ("GET", PROJECT + r"/merge_requests/(\d+)/closes_issues", "closes_issues"),
    ("GET", PROJECT + r"/issues", "issues"),
    ("GET", PROJECT + r"/issues/(\d+)/resource_label_events", "label_events"),
    ("GET", PROJECT + r"/merge_requests/(\d+)/notes", "notes"),
    ("POST", PROJECT + r"/merge_requests/(\d+)/notes", "note_create"),
    ("PUT", PROJECT + r"/merge_requests/(\d+)/notes/(\d+)", "note_update"),
    ("DELETE", PROJECT + r"/merge_requests/(\d+)/notes/(\d+)", "note_delete"),
]
BODIES = {
    "mr_update": {"add_labels", "remove_labels"},
    "note_create": {"body"},
    "note_update": {"body"},
    "commit_create": {"branch", "commit_message", "actions"},
}


class FakeGitLab(FakeServer):
    def __init__(self, project_id: int = 42, project_path: str = "group/project", login: str = "project_42_bot_clew") -> None:
        super().__init__()
        self.project_id, self.project_path, self.login = project_id, project_path, login
        self.issues: dict[int, GlIssue] = {}
        self.closes: list[int] = []
        self.description = ""
        self.labels: set[str] = set()
        self.notes: list[GlNote] = []
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.read_only = False
        self.merged: dict[int, dict[str, Any]] = {}  # iid -> MR fields: title, description, merged_at, updated_at, labels
        self.open_issue_iids: list[int] = []
        self.files: dict[str, tuple[str, str]] = {}  # path -> (content, id of the commit that last changed it)
        self.shared: set[str] = set()  # other projects the token can read (URL-encoded paths), e.g. an organisation's goals
        self.commits: list[tuple[str, dict[str, str]]] = []
        self.commit_delay = 0.0
        self.group_projects: dict[str, dict[str, Any]] = {}  # full path -> files, lastActivityAt, archived
        self.max_complexity = 250
        self.timeout = 1.0
        self._next = 500
        self._lock = threading.Lock()

    @property
    def reads(self) -> int:
        return sum(1 for r in self.requests if r.method == "GET")

    @property
    def writes(self) -> int:
        return len(self.requests) - self.reads

    def add_note(self, body: str, author: str, system: bool = False) -> int:
        self._next += 1
        self.notes.append(GlNote(self._next, body, author, system))
        return self._next

    def add_group_project(self, full_path: str, files: dict[str, str], last_activity_at: str, archived: bool = False) -> None:
        self.group_projects[full_path] = {"files": files, "lastActivityAt": last_activity_at, "archived": archived}

    # --- dispatch
    def handle(self, method: str, target: str, raw: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(target)
        query = parse_qs(url.query)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self._lock:
            self.requests.append(Request(method, url.path, body))
            fault = next((f for f in self.faults if f.method == method and url.path.startswith(f.path) and f.times > 0), None)
            if fault is not None:
                self.faults[self.faults.index(fault)] = fault._replace(times=fault.times - 1)
        if self.rejected(headers.get("PRIVATE-TOKEN")):
            return self._json(401, {"message": "401 Unauthorized"})
        if fault is not None and not (fault.kind == "truncated" and method != "GET"):
            return self._fault(fault)
        if method == "POST" and url.path == "/api/graphql":
            return self._graphql(body)
        status, headers, data = self._route(method, url.path, query, body)
        if fault is not None:  # a write was done, and its response was cut short on the way back
            return status, headers, data[: max(1, len(data) // 2)] or b"{"
        return status, headers, data

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(path)
        for verb, pattern, name in ROUTES:
            match = re.fullmatch(pattern, url.path)
            if verb == method and match:
                if match.lastindex and match[1] not in (str(self.project_id), self.project_path.replace("/", "%2F"), *self.shared):
                    return self._json(404, {"message": "404 Project Not Found"})
                allowed = BODIES.get(name)
                if allowed is not None and (not isinstance(body, dict) or not set(body) <= allowed or not body):
                    self.violations.append(f"{method} {url.path}: body {body!r:.120} is not one GitLab documents ({sorted(allowed)})")
                if method != "GET" and self.read_only:
                    return self._json(403, {"message": "403 Forbidden"})
                return getattr(self, f"_{name}")(match, query, body)
        self.violations.append(f"{method} {url.path}: not an endpoint clew is known to use")
        return self._json(404, {"message": "404 Not Found"})

    # --- GraphQL: a group's projects (clew report --org gitlab:<group>)
    def _graphql(self, body: Any) -> tuple[int, dict[str, str], bytes]:
        json_type = {"Content-Type": "application/json; charset=utf-8"}  # what Rails sends
        checked = check_graphql(graphql_schema(), body, self.violations, "GitLab")
        if checked.bad_body:
            return self._json(400, {"message": "400 Bad Request"})
        if checked.errors:
            return self._json(200, {"errors": [{"message": m} for m in checked.errors]}, json_type)
        document, variables = checked.document, body.get("variables") or {}
        complexity = round(
            sum(_complexity(d.selection_set.selections, variables) for d in document.definitions if isinstance(d, OperationDefinitionNode))
        )
        if complexity > self.max_complexity:
            message = f"Query has complexity of {complexity}, which exceeds max complexity of {self.max_complexity}"
            return self._json(200, {"errors": [{"message": message}]}, json_type)
        result = graphql_sync(graphql_schema(), body["query"], root_value={"group": self._group}, variable_values=variables)
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [{"message": e.message, "locations": [], "path": e.path} for e in result.errors]
        return self._json(200, out, json_type)

    def _group(self, info: Any, fullPath: str) -> dict[str, Any] | None:
        prefix = fullPath.lower() + "/"
        if not any(p.lower().startswith(prefix) for p in self.group_projects):
            return None  # GitLab answers null for a group that does not exist or that the token cannot see

        def projects(
            info: Any, includeSubgroups: bool = False, sort: str | None = None, first: int = 100, after: str | None = None, **_: Any
        ) -> Any:
            names = [p for p in self.group_projects if p.lower().startswith(prefix) and (includeSubgroups or "/" not in p[len(prefix) :])]
            if sort == "ACTIVITY_DESC":
                names.sort(key=lambda p: (self.group_projects[p]["lastActivityAt"], p), reverse=True)
            else:
                names.sort()
            first = min(first, 100)  # GitLab's max page size
            start = int(after, 16) if after else 0
            more = start + first < len(names)
            return {
                "count": len(names),
                "pageInfo": {
                    "hasNextPage": more,
                    "endCursor": f"{start + first:x}" if more else None,
                    "hasPreviousPage": start > 0,
                    "startCursor": None,
                },
                "nodes": [self._project_node(p) for p in names[start : start + first]],
            }

        return {"fullPath": fullPath, "name": fullPath.rsplit("/", 1)[-1], "projects": projects}

    def _project_node(self, path: str) -> dict[str, Any]:
        import hashlib

        project = self.group_projects[path]

        def blobs(info: Any, paths: list[str], ref: str | None = None, **_: Any) -> Any:
            if project.get("unreadable"):  # Gitaly could not read the repository: this field is null, the query goes on
                raise GraphQLError("Failed to read the repository")
            found = [(p, project["files"][p]) for p in paths if p in project["files"] and ref in (None, "HEAD")]
            nodes = [
                {
                    "id": f"gid://gitlab/Blob/{i}",
                    "path": p,
                    "name": p.rsplit("/", 1)[-1],
                    "oid": hashlib.sha1(text.encode()).hexdigest(),
                    "rawTextBlob": text,
                    "size": str(len(text)),
                }
                for i, (p, text) in enumerate(found)
            ]
            return {"nodes": nodes, "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "endCursor": None, "startCursor": None}}

        return {
            "id": f"gid://gitlab/Project/{abs(hash(path)) % 10**6}",
            "fullPath": path,
            "name": path.rsplit("/", 1)[-1],
            "path": path.rsplit("/", 1)[-1],
            "archived": project["archived"],
            "lastActivityAt": project["lastActivityAt"],
            "repository": {"empty": not project["files"], "exists": True, "rootRef": "main", "blobs": blobs},
        }

    def _json(self, status: int, data: Any, extra: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "application/json", **(extra or {})}, json.dumps(data).encode()

    def _fault(self, fault: Fault) -> tuple[int, dict[str, str], bytes]:
        if fault.kind == "timeout":
            time.sleep(self.timeout + 1.5)
            return self._json(200, [])
        if fault.kind == "truncated":
            return 200, {"Content-Type": "application/json"}, b'[{"iid": 1, "tit'
        if fault.kind == "429":
            return self._json(429, {"message": "429 Too Many Requests"}, {"Retry-After": self.retry_after})
        status = int(fault.kind.split("-")[0])
        return self._json(status, {"message": f"{status}"}, {"Retry-After": self.retry_after} if status == 403 else None)

    def _page(self, items: list[Any], query: dict[str, list[str]], path: str) -> tuple[int, dict[str, str], bytes]:
        per_page = int(query.get("per_page", ["20"])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items))}
        if page * per_page < len(items):
            rest = "&".join(f"{k}={v}" for k, values in query.items() if k not in ("page",) for v in values)
            headers["Link"] = f'<{self.base}{path}?{rest}&page={page + 1}>; rel="next"'
            headers["X-Next-Page"] = str(page + 1)
        return self._json(200, chunk, headers)

    # --- shapes from the published examples
    def _issue_json(self, issue: GlIssue) -> Any:
        data = copy.deepcopy(example("issue.move-response.json"))
        data.update(iid=issue.iid, title=issue.title, description=issue.description, labels=list(issue.labels), project_id=self.project_id)
        data["milestone"] = {**(data.get("milestone") or {}), "title": issue.milestone} if issue.milestone else None
        data["references"] = {"short": f"#{issue.iid}", "relative": f"#{issue.iid}", "full": f"{self.project_path}#{issue.iid}"}
        data["epic"] = {"id": 9000 + issue.epic_iid, "iid": issue.epic_iid, "title": "An epic", "group_id": 1} if issue.epic_iid else None
        return data

    def _note_json(self, note: GlNote, iid: int) -> Any:
        data = copy.deepcopy(example("note.merge_request.get.docs.json"))
        data.update(id=note.id, body=note.body, system=note.system, noteable_iid=iid)
        data["author"] = {**data["author"], "username": note.author}
        return data

    # --- endpoints
    def _user(self, match: re.Match[str], query: Any, body: Any) -> Any:
        return self._json(
            200,
            {
                "id": 77,
                "username": self.login,
                "name": "clew",
                "state": "active",
                "bot": True,
                "avatar_url": None,
                "web_url": f"https://gitlab.example/{self.login}",
            },
        )

    def _mr(self, match: re.Match[str], query: Any, body: Any) -> Any:
        data = copy.deepcopy(example("merge_request.get.gitlab-com.json"))
        data.update(iid=int(match[2]), description=self.description, labels=sorted(self.labels))
        return self._json(200, data)

    def _mr_update(self, match: re.Match[str], query: Any, body: dict[str, str]) -> Any:
        for name in (body.get("add_labels") or "").split(","):
            if name:
                self.labels.add(name)
        for name in (body.get("remove_labels") or "").split(","):
            self.labels.discard(name)
        return self._mr(match, query, None)

    def _closes_issues(self, match: re.Match[str], query: Any, body: Any) -> Any:
        items = [self._issue_json(self.issues[n]) for n in self.closes if n in self.issues]
        return self._page(items, query, urlsplit(match.group(0)).path)

    def _issues(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        wanted = {int(v) for v in query.get("iids[]", [])}
        if query.get("state") == ["opened"]:
            wanted = set(self.open_issue_iids)
        elif not wanted:
            self.violations.append("GET issues without iids[] or state=opened: clew must not list the whole project")
        items = [self._issue_json(i) for n, i in sorted(self.issues.items()) if n in wanted]
        return self._page(items, query, urlsplit(match.group(0)).path)

    def _label_events(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        """GET /projects/:id/issues/:iid/resource_label_events (the shape of GitLab's Resource label events API)."""
        issue = self.issues.get(int(match[2]))
        if issue is None:
            return self._json(404, {"message": "404 Issue Not Found"})
        items = [
            {
                "id": 100 + n,
                "user": {"id": 1, "username": "ann", "name": "Ann"},
                "created_at": when,
                "resource_type": "Issue",
                "resource_id": issue.iid,
                "label": {"id": 10 + n, "name": name, "color": "#d9534f", "description": None},
                "action": "add",
            }
            for n, (name, when) in enumerate(issue.labelled_at)
        ]
        return self._page(items, query, urlsplit(match.group(0)).path)

    def _notes(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        iid = int(match[2])
        items = [self._note_json(n, iid) for n in reversed(self.notes)]
        return self._page(items, query, urlsplit(match.group(0)).path)

    def _note_create(self, match: re.Match[str], query: Any, body: dict[str, str]) -> Any:
        note_id = self.add_note(body["body"], self.login)
        return self._json(201, self._note_json(self.notes[-1], int(match[2])) | {"id": note_id})

    def _find(self, note_id: int) -> int | None:
        return next((i for i, n in enumerate(self.notes) if n.id == note_id), None)

    def _note_update(self, match: re.Match[str], query: Any, body: dict[str, str]) -> Any:
        index = self._find(int(match[3]))
        if index is None:
            return self._json(404, {"message": "404 Not found"})
        if self.notes[index].author != self.login:
            return self._json(403, {"message": "403 Forbidden"})
        self.notes[index] = self.notes[index]._replace(body=body["body"])
        return self._json(200, self._note_json(self.notes[index], int(match[2])))

    def _note_delete(self, match: re.Match[str], query: Any, body: Any) -> Any:
        index = self._find(int(match[3]))
        if index is None:
            return self._json(404, {"message": "404 Not found"})
        del self.notes[index]
        return 204, {}, b""

    # --- for the report
    def _mr_list(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        state = query.get("state", [""])[0]
        if state == "opened":
            return self._page([], query, urlsplit(match.group(0)).path)
        after = query.get("updated_after", [""])[0]
        if state != "merged" or query.get("order_by") != ["updated_at"]:
            self.violations.append(f"merge request list with unexpected parameters: {query}")
        rows = sorted((m for m in self.merged.values() if m["updated_at"] > after), key=lambda m: m["updated_at"], reverse=True)
        items = []
        for row in rows:
            data = copy.deepcopy(example("merge_request.get.gitlab-com.json"))
            data.update(row, state="merged", source_branch=row.get("source_branch", "feature"), target_branch="main")
            items.append(data)
        return self._page(items, query, urlsplit(match.group(0)).path)

    def _file_get(self, match: re.Match[str], query: dict[str, list[str]], body: Any) -> Any:
        import base64
        from urllib.parse import unquote

        path = unquote(match[2])
        if path not in self.files:
            return self._json(404, {"message": "404 File Not Found"})
        content, last = self.files[path]
        return self._json(
            200,
            {
                "file_name": path.rsplit("/", 1)[-1],
                "file_path": path,
                "size": len(content),
                "encoding": "base64",
                "content": base64.b64encode(content.encode()).decode(),
                "ref": query.get("ref", ["main"])[0],
                "blob_id": "b" * 40,
                "commit_id": "c" * 40,
                "last_commit_id": last,
            },
        )

    def _commit_create(self, match: re.Match[str], query: Any, body: dict[str, Any]) -> Any:
        time.sleep(self.commit_delay)
        with self._lock:
            for action in body["actions"]:
                if not {"action", "file_path"} <= set(action) or action["action"] not in ("create", "update"):
                    self.violations.append(f"commit action not documented: {action}")
                current = self.files.get(action["file_path"])
                if action["action"] == "create" and current is not None:
                    return self._json(400, {"message": "A file with this name already exists"})
                if action["action"] == "update" and (current is None or action.get("last_commit_id") != current[1]):
                    return self._json(
                        400, {"message": "You are attempting to update a file that has changed since you started editing it."}
                    )
            sha = f"{len(self.commits) + 1:040x}"
            for action in body["actions"]:
                self.files[action["file_path"]] = (action["content"], sha)
            self.commits.append((body["commit_message"], {a["file_path"]: a["content"] for a in body["actions"]}))
        return self._json(
            201, {"id": sha, "short_id": sha[:8], "title": body["commit_message"].splitlines()[0], "message": body["commit_message"]}
        )


def _complexity(selections: Any, variables: dict[str, Any]) -> float:
    """A query's complexity the way GitLab counts it: 1 per field, and a connection's part grows
    by a hundredth per item it may return."""
    total = 0.0
    for node in selections:
        if not isinstance(node, FieldNode):
            continue
        inner = 1 + (_complexity(node.selection_set.selections, variables) if node.selection_set else 0)
        first = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
        if first is not None:
            size = variables.get(first.name.value) if hasattr(first, "name") else int(getattr(first, "value", 0))
            inner += inner * min(int(size or 100), 100) * 0.01
        total += inner
    return total
