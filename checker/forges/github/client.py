"""The GitHub API, through PyGithub (the only module that imports it).

One read per check: a single GraphQL document fetches the linked issues and
their parent chains (closingIssuesReferences plus every issue the text
references, because the API leaves closing references empty when the base is
not the default branch), the changed paths, the existing comments (to find
the sticky one, written by the token's own identity), and the goals file at
the base commit when the checkout does not have it. Writes go through the
REST API: at most one comment write and one label write per check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import quote

from checker.errors import ApiError, AuthError, QueryRejected
from checker.work import WorkItem

PARENT_DEPTH = 4
ISSUE = "number title body state updatedAt url repository { nameWithOwner } labels(first: 50) { nodes { name } } milestone { title }"
PR = (
    "number title body prState: state updatedAt url headRefName baseRefName author { login __typename } "
    "repository { nameWithOwner } labels(first: 50) { nodes { name } } milestone { title }"
)


TOKEN_HELP = "set the action's `token` input (or GITHUB_TOKEN, or GH_TOKEN outside Actions) to a valid token"


def _graphql_data(data: Any) -> dict[str, Any]:
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


class Comment(NamedTuple):
    id: int
    body: str


class Fetched(NamedTuple):
    linked: dict[str, WorkItem]
    closing: tuple[str, ...]
    paths: tuple[str, ...]
    comments: tuple[Comment, ...]  # those the token's identity wrote
    goals: str | None
    item: WorkItem | None
    missing: tuple[str, ...]  # references that resolve to nothing the token can see


def _chain(depth: int) -> str:
    inner = ISSUE
    for _ in range(depth):
        inner = f"{ISSUE} parent {{ {inner} }}"
    return inner


def build_query(
    kind: str, number: int | None, refs: list[tuple[str | None, int]], goals_expr: str | None, own: str
) -> tuple[str, dict[str, Any]]:
    """The one GraphQL document for a check, and its variables (untrusted text only ever in variables)."""
    variables: dict[str, Any] = {"owner": own.split("/", maxsplit=1)[0], "name": own.split("/")[1]}
    declared = ["$owner: String!", "$name: String!"]
    parts = []
    if goals_expr is not None:
        declared.append("$goals: String!")
        variables["goals"] = goals_expr
        parts.append("goals: object(expression: $goals) { ... on Blob { text } }")
    if number is not None and kind in ("pr", "issue"):
        declared.append("$number: Int!")
        variables["number"] = number
        comments = "comments(last: 100) { nodes { databaseId body viewerDidAuthor } }"
        if kind == "pr":
            parts.append(
                f"item: pullRequest(number: $number) {{ {PR} files(first: 100) {{ nodes {{ path }} }} {comments} "
                f"closingIssuesReferences(first: 25) {{ nodes {{ {_chain(PARENT_DEPTH)} }} }} }}"
            )
        else:
            parts.append(f"item: issue(number: $number) {{ {_chain(PARENT_DEPTH)} {comments} }}")
    outside = []
    for index, (project, ref_number) in enumerate(refs):
        selection = f"... on Issue {{ {_chain(PARENT_DEPTH)} }} ... on PullRequest {{ {PR} }}"
        if project is None or project.lower() == own.lower():
            parts.append(f"r{index}: issueOrPullRequest(number: {int(ref_number)}) {{ __typename {selection} }}")
        else:
            declared += [f"$o{index}: String!", f"$n{index}: String!"]
            variables[f"o{index}"], variables[f"n{index}"] = project.split("/", 1)
            lookup = f"issueOrPullRequest(number: {int(ref_number)}) {{ __typename {selection} }}"
            outside.append(f"x{index}: repository(owner: $o{index}, name: $n{index}) {{ {lookup} }}")
    body = " ".join(parts) or "id"
    query = f"query Clew({', '.join(declared)}) {{ repository(owner: $owner, name: $name) {{ {body} }} {' '.join(outside)} }}"
    return query, variables


def _key(node: dict[str, Any], own: str) -> str:
    project = (node.get("repository") or {}).get("nameWithOwner") or own
    return f"#{node['number']}" if project.lower() == own.lower() else f"{project}#{node['number']}"


def _issue(node: dict[str, Any], own: str) -> WorkItem:
    parent = node.get("parent")
    author = node.get("author") or {}
    return WorkItem(
        kind="issue" if "headRefName" not in node else "pr",
        key=str(node.get("number")),
        title=node.get("title") or "",
        body=node.get("body") or "",
        author=author.get("login") or "",
        author_is_bot=author.get("__typename") == "Bot",
        labels=tuple(label["name"] for label in ((node.get("labels") or {}).get("nodes") or []) if label),
        milestone=(node.get("milestone") or {}).get("title"),
        branch=node.get("headRefName"),
        base_branch=node.get("baseRefName"),
        parent=_key(parent, own) if isinstance(parent, dict) else None,
        state=(node.get("state") or node.get("prState") or "").lower(),
        updated_at=node.get("updatedAt"),
        url=node.get("url"),
    )


def _walk(node: Any, own: str) -> Iterator[tuple[str, WorkItem]]:
    """An issue and its parent chain, flattened."""
    while isinstance(node, dict) and node.get("number") is not None:
        yield _key(node, own), _issue(node, own)
        node = node.get("parent")


def parse_response(data: dict[str, Any], refs: list[tuple[str | None, int]], own: str) -> Fetched:
    repo = data.get("repository") or {}
    linked: dict[str, WorkItem] = {}
    item_node = repo.get("item") or {}
    closing = []
    for node in (item_node.get("closingIssuesReferences") or {}).get("nodes") or []:
        for key, issue in _walk(node, own):
            linked.setdefault(key, issue)
        if isinstance(node, dict) and node.get("number") is not None:
            closing.append(_key(node, own))
    for key, issue in list(_walk(item_node, own))[1:] if "headRefName" not in item_node else []:
        linked.setdefault(key, issue)
    missing = []
    for index, (project, number) in enumerate(refs):
        node = repo.get(f"r{index}") if f"r{index}" in repo else (data.get(f"x{index}") or {}).get("issueOrPullRequest")
        if not isinstance(node, dict):
            missing.append(f"{project or ''}#{number}")
            continue
        for key, issue in _walk(node, own):
            linked.setdefault(key, issue)
    for key, issue in list(linked.items()):
        if not key.startswith("#"):
            continue
        linked.setdefault(f"{own}{key}", issue)
    comments = tuple(
        Comment(int(c["databaseId"]), c.get("body") or "")
        for c in (item_node.get("comments") or {}).get("nodes") or []
        if isinstance(c, dict) and c.get("viewerDidAuthor") and c.get("databaseId") is not None
    )
    paths = tuple(f["path"] for f in (item_node.get("files") or {}).get("nodes") or [] if isinstance(f, dict) and f.get("path"))
    goals = (repo.get("goals") or {}).get("text") if isinstance(repo.get("goals"), dict) else None
    item = _issue(item_node, own) if item_node.get("number") is not None else None
    return Fetched(linked, tuple(closing), paths, comments, goals, item, tuple(missing))


class Client:
    """A PyGithub requester with bounded retries and timeouts; counts what it does."""

    def __init__(self, token: str, api_url: str | None = None, timeout: float | None = None) -> None:
        from github import Auth, Github, GithubRetry

        base = (api_url or os.environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
        wait = float(os.environ.get("CLEW_SECONDARY_RATE_WAIT", "60"))
        from urllib3.util import Retry

        # PATCH (edit a comment, move a ref) and DELETE are safe to repeat; POST is retried as PyGithub does
        methods = Retry.DEFAULT_ALLOWED_METHODS.union({"GET", "POST", "PATCH"})
        backoff = float(os.environ.get("CLEW_RETRY_BACKOFF", "1"))
        retry = GithubRetry(total=3, backoff_factor=backoff, secondary_rate_wait=wait, max_rate_limit_wait=120, allowed_methods=methods)
        seconds = timeout if timeout is not None else float(os.environ.get("CLEW_HTTP_TIMEOUT", "20"))
        self.github = Github(
            auth=Auth.Token(token),
            base_url=base,
            timeout=int(max(1, seconds)),
            retry=retry,
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
        except GithubException as exc:
            if exc.status == 401:
                raise AuthError(f"GitHub rejected the token (HTTP 401: {_message(exc.data)}): {TOKEN_HELP}") from None
            raise ApiError(f"GitHub API {verb} {_short(url)} failed with HTTP {exc.status}: {_message(exc.data)}", exc.status) from None
        except Exception as exc:  # timeouts, broken connections, truncated JSON after retries
            raise ApiError(f"GitHub API {verb} {_short(url)} failed: {type(exc).__name__}: {str(exc)[:200]}") from None
        return data

    def fetch(
        self, kind: str, number: int | None, refs: list[tuple[str | None, int]], goals_expr: str | None, own: str
    ) -> tuple[Fetched, list[str]]:
        """The one read. Partial data is kept: a deleted issue is reported, not fatal."""
        query, variables = build_query(kind, number, refs, goals_expr, own)
        data = self._call("POST", self.graphql_url, {"query": query, "variables": variables})
        errors = [str(e.get("message", e))[:200] for e in (data or {}).get("errors") or [] if isinstance(e, dict)]
        return parse_response(_graphql_data(data), refs, own), errors

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """One GraphQL request, counted; its `data` (checker's rules on errors: _graphql_data)."""
        return _graphql_data(self._call("POST", self.graphql_url, {"query": query, "variables": variables}))

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


def _short(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[-1][:80] if "://" in url else url[:80]


def _message(data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get("message", ""))[:200]
    return str(data)[:200]


def is_forbidden(error: ApiError) -> bool:
    return error.status == 403 and ("not accessible" in str(error).lower() or "permission" in str(error).lower())


REPORT_PR = (
    "number title body mergedAt updatedAt url headRefName baseRefName author { login __typename } "
    "labels(first: 20) { nodes { name } } milestone { title } "
    f"closingIssuesReferences(first: 10) {{ nodes {{ {_chain(2)} }} }}"
)


# When each label was put on an open issue: how long it has been blocked is counted from there.
LABEL_EVENTS = (
    "labelEvents: timelineItems(itemTypes: [LABELED_EVENT], last: 20) { nodes { ... on LabeledEvent { createdAt label { name } } } }"
)


def _label_times(node: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    events = (node.get("labelEvents") or {}).get("nodes") or []
    return tuple(
        (str((e.get("label") or {}).get("name") or ""), str(e["createdAt"])) for e in events if isinstance(e, dict) and e.get("createdAt")
    )


def report_query(first_page: bool, html: bool = False) -> str:
    """One page of merged pull requests (newest update first) with their linked issues; the
    first page also carries the open issues (the backlog), the open pull requests, the
    default branch's head and tree, and the report files as committed there (the page too,
    with `html`)."""
    extra = (
        "openIssues: issues(states: OPEN, first: 100, orderBy: {field: UPDATED_AT, direction: DESC}) "
        f"{{ nodes {{ {_chain(2)} {LABEL_EVENTS} }} }} "
        f"openPulls: pullRequests(states: OPEN, first: 50, orderBy: {{field: UPDATED_AT, direction: DESC}}) {{ nodes {{ {REPORT_PR} }} }} "
        "defaultBranchRef { name target { oid ... on Commit { message tree { oid } } } } "
        "reportJson: object(expression: $json) { ... on Blob { text } } "
        "reportMarkdown: object(expression: $markdown) { ... on Blob { text } }"
        + (" reportHtml: object(expression: $html) { ... on Blob { text } }" if html else "")
        if first_page
        else ""
    )
    files = (", $json: String!, $markdown: String!" + (", $html: String!" if html else "")) if first_page else ""
    return (
        f"query ClewReport($owner: String!, $name: String!, $after: String{files}) {{ repository(owner: $owner, name: $name) {{ "
        "merged: pullRequests(states: MERGED, first: 100, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) "
        f"{{ pageInfo {{ hasNextPage endCursor }} nodes {{ {REPORT_PR} }} }} {extra} }} }}"
    )


class Head(NamedTuple):
    branch: str
    sha: str
    tree: str
    message: str
    files: dict[str, str]  # report path -> text at the head


class ReportPage(NamedTuple):
    merged: list[WorkItem]
    linked: dict[str, WorkItem]
    open_issues: list[WorkItem]
    open_pulls: list[WorkItem]
    oldest_update: str | None
    cursor: str | None
    more: bool
    head: Head | None


def _pull(node: dict[str, Any], own: str, linked: dict[str, WorkItem]) -> WorkItem:
    closing = []
    for issue in (node.get("closingIssuesReferences") or {}).get("nodes") or []:
        for key, item in _walk(issue, own):
            linked.setdefault(key, item)
        if isinstance(issue, dict) and issue.get("number") is not None:
            closing.append(_key(issue, own))
    return _issue(node, own)._replace(kind="pr", merged_at=node.get("mergedAt"), linked=tuple(closing))


def parse_report_page(data: dict[str, Any], own: str) -> ReportPage:
    repo = data.get("repository") or {}
    linked: dict[str, WorkItem] = {}
    merged_conn = repo.get("merged") or {}
    merged = [_pull(n, own, linked) for n in merged_conn.get("nodes") or [] if isinstance(n, dict)]
    open_issues = []
    for node in (repo.get("openIssues") or {}).get("nodes") or []:
        chain = list(_walk(node, own))
        for key, item in chain:
            linked.setdefault(key, item)
        if chain:
            open_issues.append(chain[0][1]._replace(labelled_at=_label_times(node)))
    pulls = [_pull(n, own, linked) for n in (repo.get("openPulls") or {}).get("nodes") or [] if isinstance(n, dict)]
    info = merged_conn.get("pageInfo") or {}
    updates: list[str] = [str(n["updatedAt"]) for n in merged_conn.get("nodes") or [] if isinstance(n, dict) and n.get("updatedAt")]
    head = None
    ref = repo.get("defaultBranchRef")
    if isinstance(ref, dict) and isinstance(ref.get("target"), dict):
        target = ref["target"]
        texts = {key: (repo.get(key) or {}).get("text") for key in ("reportJson", "reportMarkdown", "reportHtml")}
        files = {k: v for k, v in texts.items() if isinstance(v, str)}
        head = Head(
            ref.get("name") or "main",
            target.get("oid") or "",
            (target.get("tree") or {}).get("oid") or "",
            target.get("message") or "",
            files,
        )
    oldest = min(updates) if updates else None
    return ReportPage(merged, linked, open_issues, pulls, oldest, info.get("endCursor"), bool(info.get("hasNextPage")), head)


def fetch_report_page(
    client: Client, own: str, after: str | None, paths: tuple[str, ...] = ("alignment.json", "ALIGNMENT.md")
) -> ReportPage:
    """`paths`: the JSON report, the Markdown report, and the page when it is asked for."""
    owner, name = own.split("/", 1)
    variables: dict[str, Any] = {"owner": owner, "name": name, "after": after}
    html = len(paths) > 2
    if after is None:
        variables.update(json=f"HEAD:{paths[0]}", markdown=f"HEAD:{paths[1]}", **({"html": f"HEAD:{paths[2]}"} if html else {}))
    page = parse_report_page(client.graphql(report_query(after is None, html), variables), own)
    if page.head is not None:  # the report files, keyed by their paths
        names = dict(zip(("reportJson", "reportMarkdown", "reportHtml"), paths, strict=False))
        page = page._replace(head=page.head._replace(files={names[k]: v for k, v in page.head.files.items()}))
    return page


def commit_files(client: Client, repository: str, head: Head, files: dict[str, str], message: str) -> str:
    """One commit with every file (Git Data API: a tree with inline contents, a commit, then a
    non-forced ref update). Returns the new commit's sha; ApiError with HTTP 422 on a lost race."""
    entries = [{"path": path, "mode": "100644", "type": "blob", "content": text} for path, text in files.items()]
    tree = client._call("POST", f"/repos/{repository}/git/trees", {"base_tree": head.tree, "tree": entries})
    commit = client._call("POST", f"/repos/{repository}/git/commits", {"message": message, "tree": tree["sha"], "parents": [head.sha]})
    client._call("PATCH", f"/repos/{repository}/git/refs/heads/{quote(head.branch, safe='/')}", {"sha": commit["sha"], "force": False})
    return str(commit["sha"])


def read_head(client: Client, repository: str, branch: str, paths: list[str]) -> Head:
    """The branch's head again after a lost race: its ref, its commit, the report files there."""
    import base64

    ref = client._call("GET", f"/repos/{repository}/git/ref/heads/{quote(branch, safe='/')}")
    sha = ref["object"]["sha"]
    commit = client._call("GET", f"/repos/{repository}/git/commits/{sha}")
    files = {}
    for path in paths:
        try:
            blob = client._call("GET", f"/repos/{repository}/contents/{quote(path)}?ref={sha}")
        except ApiError:
            continue
        files[path] = base64.b64decode(blob.get("content") or "").decode("utf-8", "replace")
    return Head(branch, sha, commit["tree"]["sha"], commit.get("message") or "", files)
