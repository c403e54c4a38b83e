"""A local server that speaks the part of GitHub's API clew uses.

GraphQL documents are validated against GitHub's published schema and executed
against an in-memory world with graphql-core; REST request and response bodies
are validated against the OpenAPI description. Every request is counted, and
faults can be injected: HTTP errors (with Retry-After), timeouts, truncated JSON.
Contract violations are recorded and fail the test that caused them.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import threading
import time
from typing import Any, NamedTuple

from graphql import GraphQLError, build_schema, graphql_sync
from openapi_schema_validator import OAS30Validator

from tests.conftest import CONTRACTS
from tests.http_fake import FakeServer, check_graphql


@functools.cache
def schema() -> Any:
    return build_schema((CONTRACTS / "github" / "schema.docs.graphql").read_text(encoding="utf-8"), assume_valid_sdl=True)


@functools.cache
def spec() -> dict[str, Any]:
    return json.loads((CONTRACTS / "github" / "rest" / "api.github.com.subset.json").read_text(encoding="utf-8"))


def _validator(node: dict[str, Any]) -> OAS30Validator:
    return OAS30Validator({**node, "components": spec()["components"]})


class Request(NamedTuple):
    method: str
    path: str
    body: Any


class Fault(NamedTuple):
    method: str
    path: str  # a prefix of the request path ("/graphql", "/repos/o/r/issues")
    kind: str  # "500", "502", "403-secondary", "429", "404", "timeout", "truncated"
    times: int = 1


class Issue(NamedTuple):
    number: int
    title: str
    body: str = ""
    labels: tuple[str, ...] = ()
    milestone: str | None = None
    parent: int | None = None
    state: str = "OPEN"
    labelled_at: tuple[tuple[str, str], ...] = ()  # (label, ISO time it was added)


class Pull(NamedTuple):
    number: int
    title: str
    body: str = ""
    head: str = "feature"
    base: str = "main"
    closing: tuple[int, ...] = ()
    files: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    author: str = "octocat"
    merged_at: str | None = None  # ISO time: a merged pull request
    updated_at: str = "2026-11-20T10:00:00Z"
    base_oid: str = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"  # the pull request's base commit


class Comment(NamedTuple):
    id: int
    body: str
    author: str


REST_ROUTES = [
    ("GET", r"/repos/([^/]+)/([^/]+)/git/ref/(.+)", "/repos/{owner}/{repo}/git/ref/{ref}"),
    ("PATCH", r"/repos/([^/]+)/([^/]+)/git/refs/(.+)", "/repos/{owner}/{repo}/git/refs/{ref}"),
    ("POST", r"/repos/([^/]+)/([^/]+)/git/trees", "/repos/{owner}/{repo}/git/trees"),
    ("POST", r"/repos/([^/]+)/([^/]+)/git/commits", "/repos/{owner}/{repo}/git/commits"),
    ("GET", r"/repos/([^/]+)/([^/]+)/git/commits/([0-9a-f]+)", "/repos/{owner}/{repo}/git/commits/{commit_sha}"),
    ("GET", r"/repos/([^/]+)/([^/]+)/contents/(.+)", "/repos/{owner}/{repo}/contents/{path}"),
    ("POST", r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("PATCH", r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("DELETE", r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("POST", r"/repos/([^/]+)/([^/]+)/issues/(\d+)/labels", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("DELETE", r"/repos/([^/]+)/([^/]+)/issues/(\d+)/labels/([^/]+)", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
]


class FakeGitHub(FakeServer):
    def __init__(self, repository: str = "Codertocat/Hello-World", login: str = "github-actions[bot]") -> None:
        super().__init__()
        self.repository, self.login = repository, login
        self.issues: dict[str, dict[int, Issue]] = {repository: {}}
        self.pulls: dict[int, Pull] = {}
        self.comments: dict[int, list[Comment]] = {}
        self.labels: dict[int, set[str]] = {}
        self.blobs: dict[str, str] = {}
        self.org_repos: dict[str, dict[str, Any]] = {}  # nameWithOwner -> files at HEAD, pushedAt, isArchived
        self.requests: list[Request] = []
        self.raw_paths: list[str] = []
        self.faults: list[Fault] = []
        self.read_only = False
        self.timeout = 1.0
        self._next_id = 1000
        # a tiny git object store for the report commits: sha -> (tree files, parents, message)
        self.git_commits: dict[str, tuple[dict[str, str], list[str], str]] = {"c0" * 20: ({}, [], "initial")}
        self.git_trees: dict[str, dict[str, str]] = {"70" * 20: {}}
        self.branch = "main"
        self.git_ref = "c0" * 20
        self.open_issue_numbers: list[int] = []
        self.ref_delay = 0.0  # seconds the ref update waits: lets two runs race
        self._lock = threading.Lock()

    # --- world
    def add_issue(self, issue: Issue, repository: str | None = None) -> None:
        self.issues.setdefault(repository or self.repository, {})[issue.number] = issue

    def add_pull(self, pull: Pull) -> None:
        self.pulls[pull.number] = pull
        self.labels.setdefault(pull.number, set(pull.labels))

    def add_comment(self, number: int, body: str, author: str) -> int:
        self._next_id += 1
        self.comments.setdefault(number, []).append(Comment(self._next_id, body, author))
        return self._next_id

    def count(self, method: str | None = None, graphql: bool | None = None) -> int:
        return sum(
            1 for r in self.requests if (method is None or r.method == method) and (graphql is None or (r.path == "/graphql") == graphql)
        )

    @property
    def reads(self) -> int:
        return sum(1 for r in self.requests if r.method == "GET" or r.path == "/graphql")

    @property
    def writes(self) -> int:
        return len(self.requests) - self.reads

    # --- lifecycle
    def start(self) -> str:
        schema(), spec()  # built before the first request, not during it
        return super().start()

    # --- dispatch
    def handle(self, method: str, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        path = path.split("?", 1)[0]
        self.raw_paths.append(path)
        path = "/graphql" if path == "/api/graphql" else path.removeprefix("/api/v3")  # GitHub Enterprise Server
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self._lock:
            self.requests.append(Request(method, path, body))
            fault = next((f for f in self.faults if f.method == method and path.startswith(f.path) and f.times > 0), None)
            if fault is not None:
                self.faults[self.faults.index(fault)] = fault._replace(times=fault.times - 1)
        if self.rejected(headers.get("Authorization")):
            return self._json(401, {"message": "Bad credentials" if headers.get("Authorization") else "Requires authentication"})
        if fault is not None and not (fault.kind == "truncated" and method != "GET" and path != "/graphql"):
            return self._fault(fault)
        status, out_headers, data = self._graphql(body) if path == "/graphql" and method == "POST" else self._rest(method, path, body)
        if fault is not None:  # a write was done, and its response was cut short on the way back
            return status, out_headers, data[: max(1, len(data) // 2)] or b"{"
        return status, out_headers, data

    def _json(self, status: int, data: Any, extra: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "application/json; charset=utf-8", **(extra or {})}, json.dumps(data).encode()

    def _fault(self, fault: Fault) -> tuple[int, dict[str, str], bytes]:
        if fault.kind == "timeout":
            time.sleep(self.timeout + 1.5)
            return self._json(200, {"data": None})
        if fault.kind == "truncated":
            return 200, {"Content-Type": "application/json"}, b'{"data": {"repository": {"ite'
        if fault.kind == "403-secondary":
            message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
            return self._json(403, {"message": message}, {"Retry-After": self.retry_after})
        if fault.kind == "429":
            return self._json(429, {"message": "Too Many Requests"}, {"Retry-After": self.retry_after})
        status = int(fault.kind)
        return self._json(status, {"message": {404: "Not Found", 500: "Server Error", 502: "Bad Gateway"}.get(status, "error")})

    # --- GraphQL
    def _graphql(self, body: Any) -> tuple[int, dict[str, str], bytes]:
        checked = check_graphql(schema(), body, self.violations, "GitHub")
        if checked.bad_body:
            return self._json(400, {"message": "Problems parsing JSON"})
        if checked.errors:
            return self._json(200, {"errors": [{"message": m} for m in checked.errors]})
        result = graphql_sync(schema(), body["query"], root_value=self._root(), variable_values=body.get("variables") or {})
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [{"message": e.message, "path": e.path, "type": "NOT_FOUND"} for e in result.errors]
        return self._json(200, out)

    def head_files(self) -> dict[str, str]:
        return self.git_commits[self.git_ref][0]

    def report_commits(self) -> list[str]:
        shas, sha = [], self.git_ref
        while sha:
            _, parents, message = self.git_commits[sha]
            if message.startswith("clew: update the alignment report"):
                shas.append(sha)
            sha = parents[0] if parents else ""
        return shas

    def _root(self) -> dict[str, Any]:
        return {
            "repository": lambda info, owner, name, **_: self._repo(f"{owner}/{name}"),
            "viewer": {"login": self.login},
            "repositoryOwner": lambda info, login, **_: self._owner(login),
            "search": lambda info, query, type, first=None, after=None, **_: self._search(query, type, first or 10, after),
        }

    # --- an organisation's repositories (clew report --org)
    def add_org_repo(self, name: str, files: dict[str, str], pushed_at: str, archived: bool = False, hidden: bool = False) -> None:
        """`hidden`: listed, but GitHub will not show it to the token (SAML single sign-on the token is
        not authorised for): its entry is null, with an error."""
        self.org_repos[name] = {"files": files, "pushedAt": pushed_at, "isArchived": archived, "hidden": hidden}

    def _org_node(self, name: str) -> dict[str, Any]:
        repo = self.org_repos[name]

        def blob(info: Any, expression: str | None = None, **_: Any) -> Any:
            ref, _, path = (expression or "").partition(":")
            text = repo["files"].get(path) if ref == "HEAD" else None
            if text is None:
                return None
            import hashlib

            return {"__typename": "Blob", "oid": hashlib.sha1(text.encode()).hexdigest(), "text": text}

        def hidden(info: Any) -> str:
            raise GraphQLError(
                "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this "
                "organization."
            )

        return {
            "__typename": "Repository",
            "nameWithOwner": hidden if repo.get("hidden") else name,
            "isArchived": repo["isArchived"],
            "pushedAt": repo["pushedAt"],
            "object": blob,
        }

    def _owner(self, login: str) -> dict[str, Any] | None:
        names = sorted((n for n in self.org_repos if n.split("/")[0].lower() == login.lower()), key=str.lower)
        if not names:
            return None

        def repositories(info: Any, first: int = 30, after: str | None = None, **_: Any) -> dict[str, Any]:
            if first > 100:
                raise GraphQLError("`first` on the repositories connection cannot exceed 100")
            start = int(after) if after else 0
            page = names[start : start + first]
            more = start + first < len(names)
            return {
                "pageInfo": {"hasNextPage": more, "endCursor": str(start + first) if more else None},
                "nodes": [self._org_node(n) for n in page],
            }

        return {"__typename": "Organization", "login": login, "repositories": repositories}

    def _search(self, query: str, kind: str, first: int, after: str | None) -> dict[str, Any]:
        match = re.fullmatch(r"org:(\S+) pushed:>=(\S+)", query)
        if kind != "REPOSITORY" or match is None:
            self.violations.append(f"unexpected search: {kind} {query!r}")
            return {"repositoryCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}
        owner, since = match[1].lower(), match[2]
        names = sorted(n for n, r in self.org_repos.items() if n.split("/")[0].lower() == owner and r["pushedAt"] >= since)
        start = int(after) if after else 0
        more = start + first < len(names)
        page = names[start : start + first]
        return {
            "repositoryCount": len(names),
            "pageInfo": {"hasNextPage": more, "endCursor": str(start + first) if more else None},
            "nodes": [self._org_node(n) for n in page],
        }

    def _repo(self, full: str) -> dict[str, Any] | None:
        if full not in self.issues and full != self.repository:
            raise GraphQLError(f"Could not resolve to a Repository with the name '{full}'.")
        return {
            "id": "R_kgDO",
            "nameWithOwner": full,
            "object": lambda info, expression=None, **_: self._object(expression),
            "defaultBranchRef": {
                "name": self.branch,
                "target": {
                    "__typename": "Commit",
                    "oid": self.git_ref,
                    "message": self.git_commits[self.git_ref][2],
                    "tree": {"oid": self._tree_of(self.git_ref)},
                },
            },
            "pullRequests": lambda info, states=None, first=100, after=None, **_: self._pulls(states or [], first, after),
            "issues": lambda info, states=None, first=100, **_: {"nodes": [self._issue(full, n) for n in self.open_issue_numbers]},
            "pullRequest": lambda info, number, **_: self._pull(number),
            "issue": lambda info, number, **_: self._issue(full, number),
            "issueOrPullRequest": lambda info, number, **_: (
                self._pull(number) if full == self.repository and number in self.pulls else self._issue(full, number)
            ),
        }

    def _object(self, expression: str | None) -> Any:
        if expression in self.blobs:
            return {"__typename": "Blob", "text": self.blobs[expression]}
        if expression and expression.startswith("HEAD:") and expression[5:] in self.head_files():
            return {"__typename": "Blob", "text": self.head_files()[expression[5:]]}
        return None

    def _tree_of(self, sha: str) -> str:
        files = self.git_commits[sha][0]
        return next((tree_sha for tree_sha, tree in self.git_trees.items() if tree == files), "70" * 20)

    def _pulls(self, states: list[str], first: int, after: str | None) -> dict[str, Any]:
        merged = "MERGED" in states
        pulls = sorted((p for p in self.pulls.values() if bool(p.merged_at) == merged), key=lambda p: p.updated_at, reverse=True)
        start = int(after) if after else 0
        page = pulls[start : start + first]
        more = start + first < len(pulls)
        return {
            "nodes": [self._pull(p.number) for p in page],
            "pageInfo": {"hasNextPage": more, "endCursor": str(start + first) if more else None},
        }

    def _connection(self, nodes: list[Any]) -> Any:
        return lambda info, **_: {"nodes": nodes, "totalCount": len(nodes)}

    def _comments(self, number: int) -> Any:
        nodes = [{"databaseId": c.id, "body": c.body, "viewerDidAuthor": c.author == self.login} for c in self.comments.get(number, [])]
        return self._connection(nodes)

    def _issue(self, full: str, number: int) -> dict[str, Any]:
        issue = self.issues.get(full, {}).get(number)
        if issue is None:
            raise GraphQLError(f"Could not resolve to an issue or pull request with the number of {number}.")
        return {
            "__typename": "Issue",
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "state": issue.state,
            "updatedAt": "2026-11-20T10:00:00Z",
            "url": f"https://github.com/{full}/issues/{number}",
            "repository": {"nameWithOwner": full},
            "labels": self._connection([{"name": label} for label in issue.labels]),
            "milestone": {"title": issue.milestone} if issue.milestone else None,
            "parent": (lambda info, **_: self._issue(full, issue.parent)) if issue.parent else None,
            "comments": self._comments(number),
            "author": {"__typename": "User", "login": "octocat"},
            "timelineItems": lambda info, itemTypes=None, **_: {
                "nodes": [
                    {"__typename": "LabeledEvent", "createdAt": when, "label": {"name": name}}
                    for name, when in issue.labelled_at
                    if itemTypes is None or "LABELED_EVENT" in itemTypes
                ]
            },
        }

    def _pull(self, number: int) -> dict[str, Any]:
        pull = self.pulls.get(number)
        if pull is None:
            raise GraphQLError(f"Could not resolve to a PullRequest with the number of {number}.")
        return {
            "__typename": "PullRequest",
            "number": pull.number,
            "title": pull.title,
            "body": pull.body,
            "state": "MERGED" if pull.merged_at else "OPEN",
            "updatedAt": pull.updated_at,
            "url": f"https://github.com/{self.repository}/pull/{number}",
            "headRefName": pull.head,
            "baseRefName": pull.base,
            "baseRefOid": pull.base_oid,
            "mergedAt": pull.merged_at,
            "author": {"__typename": "Bot" if pull.author.endswith("[bot]") else "User", "login": pull.author.removesuffix("[bot]")},
            "repository": {"nameWithOwner": self.repository},
            "labels": self._connection([{"name": label} for label in sorted(self.labels.get(number, set()))]),
            "milestone": None,
            "files": self._connection([{"path": p} for p in pull.files]),
            "comments": self._comments(number),
            "closingIssuesReferences": self._connection([self._issue(self.repository, n) for n in pull.closing]),
        }

    # --- REST
    def _rest(self, method: str, path: str, body: Any) -> tuple[int, dict[str, str], bytes]:
        for verb, pattern, template in REST_ROUTES:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                operation = spec()["paths"][template][method.lower()]
                schema_node = (((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get("schema")
                if schema_node is not None:
                    errors = list(_validator(schema_node).iter_errors(body))
                    if errors:
                        self.violations.append(f"{method} {template}: request body invalid: {errors[0].message}")
                        return self._json(422, {"message": "Validation Failed"})
                elif body is not None:
                    self.violations.append(f"{method} {template}: a body was sent to an operation that takes none")
                if self.read_only:
                    return self._json(403, {"message": "Resource not accessible by integration"})
                name = template.rsplit("/", 1)[-1].strip("{}")
                status, data = getattr(self, f"_{method.lower()}_{name}")(match, body)
                self._check_response(operation, status, data, f"{method} {template}")
                return self._json(status, data) if status != 204 else (204, {}, b"")
        self.violations.append(f"{method} {path}: not an operation clew is known to use")
        return self._json(404, {"message": "Not Found"})

    def _check_response(self, operation: dict[str, Any], status: int, data: Any, name: str) -> None:
        response = operation["responses"].get(str(status)) or {}
        schema_node = ((response.get("content") or {}).get("application/json") or {}).get("schema")
        if schema_node is not None:
            errors = list(_validator(schema_node).iter_errors(data))
            if errors:
                self.violations.append(f"{name}: our fake's response breaks the contract: {errors[0].message}")

    def _example(self, name: str) -> Any:
        return copy.deepcopy(spec()["components"]["examples"][name]["value"])

    def _comment_json(self, comment: Comment, number: int) -> Any:
        data = self._example("issue-comment")
        data.update(id=comment.id, body=comment.body)
        data["user"]["login"] = comment.author
        data["issue_url"] = f"https://api.github.com/repos/{self.repository}/issues/{number}"
        return data

    def _find_comment(self, comment_id: int) -> tuple[int, int] | None:
        for number, comments in self.comments.items():
            for index, comment in enumerate(comments):
                if comment.id == comment_id:
                    return number, index
        return None

    def _post_comments(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        number = int(match[3])
        comment_id = self.add_comment(number, body["body"], self.login)
        return 201, self._comment_json(Comment(comment_id, body["body"], self.login), number)

    def _patch_comment_id(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        found = self._find_comment(int(match[3]))
        if found is None:
            return 404, {"message": "Not Found"}
        number, index = found
        old = self.comments[number][index]
        if old.author != self.login:
            return 403, {"message": "Resource not accessible by integration"}
        self.comments[number][index] = old._replace(body=body["body"])
        return 200, self._comment_json(self.comments[number][index], number)

    def _delete_comment_id(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        found = self._find_comment(int(match[3]))
        if found is None:
            return 404, {"message": "Not Found"}
        number, index = found
        del self.comments[number][index]
        return 204, None

    def _labels_json(self, number: int) -> Any:
        template = self._example("label")
        return [{**template, "name": name, "id": i + 1} for i, name in enumerate(sorted(self.labels.get(number, set())))]

    def _post_labels(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        number = int(match[3])
        self.labels.setdefault(number, set()).update(body["labels"])
        return 200, self._labels_json(number)

    def _delete_name(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        from urllib.parse import unquote

        number, name = int(match[3]), unquote(match[4])
        if name not in self.labels.get(number, set()):
            return 404, {"message": "Label does not exist"}
        self.labels[number].discard(name)
        return 200, self._labels_json(number)

    # --- the Git Data API and contents, for committing the report
    def _git_sha(self, *parts: object) -> str:
        import hashlib

        return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()

    def _get_ref(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        if match[3] != f"heads/{self.branch}":
            return 404, {"message": "Not Found"}
        data = self._example("git-ref")
        data.update(ref=f"refs/heads/{self.branch}")
        data["object"] = {**data["object"], "sha": self.git_ref, "type": "commit"}
        return 200, data

    def _patch_ref(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        time.sleep(self.ref_delay)
        with self._lock:
            new = body["sha"]
            if new not in self.git_commits:
                return 422, {"message": "Object does not exist"}
            if self.git_commits[new][1] != [self.git_ref] and not body.get("force"):
                return 422, {"message": "Update is not a fast forward"}
            self.git_ref = new
        return self._get_ref(match, None)

    def _post_trees(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        base = self.git_trees.get(body.get("base_tree") or "", {})
        files = {**base, **{e["path"]: e.get("content", "") for e in body["tree"]}}
        sha = self._git_sha("tree", files)
        self.git_trees[sha] = files
        data = self._example("git-tree")
        data.update(sha=sha, truncated=False)
        entry = data["tree"][0]
        data["tree"] = [{**entry, "path": path, "sha": self._git_sha("blob", text), "size": len(text)} for path, text in files.items()]
        return 201, data

    def _post_commits(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        if body["tree"] not in self.git_trees:
            return 422, {"message": "Tree SHA does not exist"}
        sha = self._git_sha("commit", body["tree"], body["parents"], body["message"], time.time())
        self.git_commits[sha] = (self.git_trees[body["tree"]], list(body["parents"]), body["message"])
        return 201, self._commit_json(sha)

    def _commit_json(self, sha: str) -> Any:
        _, parents, message = self.git_commits[sha]
        data = self._example("git-commit")
        data.update(sha=sha, message=message)
        data["tree"] = {**data["tree"], "sha": self._tree_of(sha)}
        data["parents"] = [{**data["parents"][0], "sha": p} for p in parents] if data.get("parents") else []
        return data

    def _get_commit_sha(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        if match[3] not in self.git_commits:
            return 404, {"message": "Not Found"}
        return 200, self._commit_json(match[3])

    def _get_path(self, match: re.Match[str], body: Any) -> tuple[int, Any]:
        import base64
        from urllib.parse import unquote

        files = self.head_files()
        path = unquote(match[3])
        if path not in files:
            return 404, {"message": "Not Found"}
        data = self._example("content-file-response-if-content-is-a-file")
        data.update(path=path, name=path.rsplit("/", 1)[-1], content=base64.b64encode(files[path].encode()).decode(), encoding="base64")
        return 200, data
