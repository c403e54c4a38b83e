"""The report from GitHub: one GraphQL page per 100 merged pull requests (their linked issues in
the same page), newest update first; the first page also carries the backlog, the open pull
requests, the default branch's head and the report files committed there. Paging stops at the
window's start, or at the previous report's watermark, so a warm run reads one page. The report
target commits through the Git Data API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from checker.errors import ApiError, ClewError
from checker.forges import commits
from checker.forges.github import nodes
from checker.forges.github.client import Client
from checker.forges.network import next_page
from checker.report.history import History
from checker.term import progress
from checker.work import WorkItem

if TYPE_CHECKING:
    from checker.goals.compiled import Pyramid
    from checker.report import model as m
    from checker.report.files import Written
    from checker.trace import Tracer
    from checker.work import Window

REPORT_PR = (
    "number title body mergedAt updatedAt url headRefName baseRefName author { login __typename } "
    "labels(first: 20) { nodes { name } } milestone { title } "
    f"closingIssuesReferences(first: 10) {{ nodes {{ {nodes.chain(2)} }} }}"
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
        f"{{ nodes {{ {nodes.chain(2)} {LABEL_EVENTS} }} }} "
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
        for key, item in nodes.walk(issue, own):
            linked.setdefault(key, item)
        if isinstance(issue, dict) and issue.get("number") is not None:
            closing.append(nodes.key(issue, own))
    return nodes.issue(node, own)._replace(kind="pr", merged_at=node.get("mergedAt"), linked=tuple(closing))


def parse_report_page(data: dict[str, Any], own: str) -> ReportPage:
    repo = data.get("repository") or {}
    linked: dict[str, WorkItem] = {}
    merged_conn = repo.get("merged") or {}
    merged = [_pull(n, own, linked) for n in merged_conn.get("nodes") or [] if isinstance(n, dict)]
    open_issues = []
    for node in (repo.get("openIssues") or {}).get("nodes") or []:
        chain = list(nodes.walk(node, own))
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


def collect(
    client: Client,
    repository: str,
    since: dt.date,
    watermark: str | None,
    paths: tuple[str, ...],
    *,
    first_page: ReportPage | None = None,
) -> tuple[list[WorkItem], dict[str, WorkItem], ReportPage]:
    """The merged pull requests of the window updated since `watermark` (what was updated before
    it is in the previous report already), the issues they link, and the first page."""
    stop = max(since.isoformat(), watermark or "")
    merged: list[WorkItem] = []
    linked: dict[str, WorkItem] = {}
    first: ReportPage | None = None
    after: str | None = None
    seen: set[str] = set()
    while True:
        page = first_page if first_page is not None and after is None else fetch_report_page(client, repository, after, paths)
        first = first or page
        linked.update(page.linked)
        merged.extend(pr for pr in page.merged if (pr.merged_at or "") >= since.isoformat() and (pr.updated_at or "") >= stop)
        progress(f"read {len(merged)} merged pull requests…")
        if not page.more or page.oldest_update is None or page.oldest_update < stop:
            break
        after = next_page(page.cursor, seen, len(seen) + 1, f"GitHub's merged pull requests of {repository}")
    progress("")
    return merged, linked, first


class Repository:
    """A report source and a report target: the repository GitHub Actions runs for (or
    GITHUB_REPOSITORY), read with one GraphQL page per 100 pull requests, committed to through
    the Git Data API. The first page, which also holds the committed report, serves both."""

    name = "github"
    unread = None

    def __init__(self, client: Client, repository: str, env: Mapping[str, str]) -> None:
        self.client, self.repository, self.env = client, repository, env
        self.first: ReportPage | None = None
        self.paths: tuple[str, ...] = ()

    def current(self, paths: Sequence[str]) -> dict[str, str]:
        """The report files as the default branch holds them: the first page's read."""
        self.paths = (paths[1], paths[0], *paths[2:])  # the page asks for the JSON first
        self.first = fetch_report_page(self.client, self.repository, None, self.paths)
        held = self.first.head.files if self.first.head is not None else {}
        return {path: held.get(path, "") for path in paths}

    def history(self, pyramid: Pyramid, window: Window, previous: m.Previous | None, tracer: Tracer) -> History:
        if self.first is None:
            self.current([pyramid.report.markdown, pyramid.report.json_path])
        watermark = previous.generated_at if previous else None
        merged, linked, first = collect(self.client, self.repository, window.start, watermark, self.paths, first_page=self.first)
        rows = previous.rows if previous else ()
        return History("github", merged, first.open_issues, first.open_pulls, linked, previous=rows)

    def commit(self, written: Written) -> str:
        """Git Data API: one commit with every file and a non-forced ref update; on a lost race
        (HTTP 409 or 422), re-read the head, unless it already holds this report."""
        head = self.first.head if self.first is not None else None
        if head is None:
            raise ClewError("the repository's default branch could not be read; nothing was committed")
        if self.env.get("GITHUB_EVENT_NAME") == "push" and head.message.startswith(commits.SUBJECT):
            return "clew: this run was triggered by clew's own report commit; not committing again\n"
        state = {"head": head}

        def attempt() -> str:
            now = state["head"]
            if all(commits.unchanged(now.files.get(p, ""), t) for p, t in written.files.items()):
                return "clew: the branch already holds this report; nothing committed\n"
            message = commits.message(written.report)
            sha = commits.racing(lambda: commit_files(self.client, self.repository, now, written.files, message), lost=(409, 422))
            return f"clew: committed {', '.join(written.files)} to {now.branch} ({sha[:12]})\n"

        def reread() -> None:
            state["head"] = read_head(self.client, self.repository, state["head"].branch, list(written.files))

        return commits.retry(attempt, reread)

    def tally(self) -> str:
        return f"clew: GitHub API requests: {self.client.reads} read, {self.client.writes} write\n"


def source(env: Mapping[str, str], root: Path) -> Repository:
    repository = env.get("GITHUB_REPOSITORY", "")
    if "/" not in repository:
        raise ClewError("--source github needs GITHUB_REPOSITORY=owner/name, and GITHUB_TOKEN (or GH_TOKEN) that can read it")
    return Repository(Client(env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""), repository, env)


def target(source: Repository, env: Mapping[str, str], root: Path) -> Repository:
    return source
