"""The report from GitLab: merged merge requests, open issues and open merge requests, fully
paginated (100 per page), updated since the window's start or the previous report; the issues
their descriptions name, in batches of 100. The report files are read through the files API,
and the report target commits them through the commits API in one atomic commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from checker import references
from checker.errors import ClewError
from checker.forges import commits
from checker.forges.gitlab.client import Client, api_url, issue_item
from checker.report.history import History
from checker.term import progress
from checker.work import WorkItem

if TYPE_CHECKING:
    from checker.goals.compiled import Pyramid
    from checker.report import model as m
    from checker.report.files import Written
    from checker.trace import Tracer
    from checker.work import Window


class Collected(NamedTuple):
    merged: list[WorkItem]
    linked: dict[str, WorkItem]
    open_issues: list[WorkItem]
    open_requests: list[WorkItem]


def _request(data: dict[str, Any]) -> WorkItem:
    author = data.get("author") or {}
    milestone = data.get("milestone") if isinstance(data.get("milestone"), dict) else None
    return WorkItem(
        kind="mr",
        key=str(data.get("iid")),
        title=data.get("title") or "",
        body=data.get("description") or "",
        author=str(author.get("username") or ""),
        author_is_bot=bool(author.get("bot")),
        labels=tuple(str(label) for label in data.get("labels") or []),
        milestone=milestone.get("title") if milestone else None,
        branch=data.get("source_branch"),
        base_branch=data.get("target_branch"),
        state=data.get("state") or "",
        updated_at=data.get("updated_at"),
        merged_at=data.get("merged_at"),
        url=data.get("web_url"),
    )


def collect(client: Client, project: str, project_path: str, updated_after: str, blocking: frozenset[str] = frozenset()) -> Collected:
    """`blocking`: the labels that block (lowered); an open issue carrying one is asked when it
    got it, one read each, so that blocked-since is not the issue's last update."""
    progress("reading merged merge requests…")
    merged = [_request(d) for d in client.merged_requests(project, updated_after)]
    open_requests = [_request(d) for d in client.open_items(project, "merge_requests")]
    open_issues = [issue_item(d, project_path) for d in client.open_items(project, "issues")]
    open_issues = [
        i._replace(labelled_at=client.label_times(project, int(i.key))) if blocking & {x.lower() for x in i.labels} else i
        for i in open_issues
    ]
    linked = {f"#{i.key}": i for i in open_issues}
    wanted = sorted(
        {
            int(ref.target.rsplit("#", 1)[1])
            for item in [*merged, *open_requests]
            for ref in references.parse(item.texts[0])
            if ref.kind == "issue" and ref.target.startswith("#") and ref.target[1:].isdigit() and ref.target not in linked
        }
    )
    for start in range(0, len(wanted), 100):
        progress(f"reading linked issues {start + 1}–{min(start + 100, len(wanted))} of {len(wanted)}…")
        for data in client.issues(project, wanted[start : start + 100]):
            issue = issue_item(data, project_path)
            linked[f"#{issue.key}"] = issue
    progress("")
    return Collected(merged, linked, open_issues, open_requests)


class Project:
    """A report source and a report target: the project a GitLab CI job runs for."""

    name = "gitlab"
    unread = None

    def __init__(self, client: Client, project: str, path: str, branch: str, env: Mapping[str, str]) -> None:
        self.client, self.project, self.path, self.branch, self.env = client, project, path, branch, env
        self.versions: dict[str, str | None] = {}  # each report file's last commit id: the commit names them

    def current(self, paths: Sequence[str]) -> dict[str, str]:
        found = {}
        for path in paths:
            text, self.versions[path] = self.client.read_file(self.project, path, self.branch)
            found[path] = text or ""
        return found

    def history(self, pyramid: Pyramid, window: Window, previous: m.Previous | None, tracer: Tracer) -> History:
        since = max(window.start.isoformat(), previous.generated_at if previous else "")
        blocking = frozenset(label.lower() for label in pyramid.report.blocked_labels)
        found = collect(self.client, self.project, self.path, since, blocking)
        merged = [w for w in found.merged if (w.merged_at or "")[:10] >= window.start.isoformat()]
        rows = previous.rows if previous else ()
        return History("gitlab", merged, found.open_issues, found.open_requests, found.linked, previous=rows)

    def commit(self, written: Written) -> str:
        """One atomic commit through the commits API; each action names the commit that last
        changed its file, so a concurrent change is refused (HTTP 400 or 409), and clew re-reads."""
        if self.env.get("CI_PIPELINE_SOURCE") == "push" and self.env.get("CI_COMMIT_TITLE", "").startswith(commits.SUBJECT):
            return "clew: this pipeline runs on clew's own report commit; not committing again\n"
        versions = self.versions
        state = {"changed": list(written.changed)}

        def attempt() -> str:
            if not state["changed"]:
                return "clew: the branch already holds this report; nothing committed\n"
            actions = [
                {
                    "action": "update" if versions.get(p) else "create",
                    "file_path": p,
                    "content": t,
                    **({"last_commit_id": versions[p]} if versions.get(p) else {}),
                }
                for p, t in written.files.items()
            ]
            message = commits.message(written.report)
            sha = commits.racing(lambda: self.client.commit(self.project, self.branch, message, actions), lost=(400, 409))
            return f"clew: committed {', '.join(written.files)} to {self.branch} ({sha[:12]})\n"

        def reread() -> None:
            current = self.current(list(written.files))
            state["changed"] = [p for p, t in written.files.items() if not commits.unchanged(current[p], t)]

        return commits.retry(attempt, reread)

    def tally(self) -> str:
        return f"clew: GitLab API requests: {self.client.reads} read, {self.client.writes} write\n"


def source(env: Mapping[str, str], root: Path) -> Project:
    token = env.get("CLEW_GITLAB_TOKEN") or env.get("GITLAB_TOKEN") or ""
    project = env.get("CI_PROJECT_ID") or env.get("CI_PROJECT_PATH") or ""
    if not token or not project or not (env.get("CI_API_V4_URL") or env.get("CI_SERVER_URL")):
        raise ClewError("--source gitlab needs CLEW_GITLAB_TOKEN, CI_API_V4_URL (or CI_SERVER_URL) and CI_PROJECT_ID (or CI_PROJECT_PATH)")
    branch = env.get("CI_DEFAULT_BRANCH") or "main"
    return Project(Client(api_url(env), token), project, env.get("CI_PROJECT_PATH", ""), branch, env)


def target(source: Project, env: Mapping[str, str], root: Path) -> Project:
    return source
