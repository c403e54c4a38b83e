"""The work of a GitLab merge request pipeline: the MR's own fields from CI_MERGE_REQUEST_*
(zero API calls); with a token, the full description when CI truncated it, and the issues its
description, title, branch and commits name, in one list request."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from checker import references
from checker.forges.gitlab.ci import MergeRequestJob
from checker.forges.local import git
from checker.work import Work, WorkItem

if TYPE_CHECKING:
    from checker.forges.gitlab.client import Client
    from checker.goals.file import GoalsFile


def _refs(texts: list[str], branch: str, project_path: str) -> dict[int, bool]:
    """Same-project issue numbers the MR's texts and branch name give, each with whether a
    closing keyword names it."""
    found: dict[int, bool] = {}
    refs = [r for text in texts for r in references.parse(text)]
    for ref in [*refs, *references.branch_references(branch)]:
        if ref.kind != "issue" or "#" not in ref.target:
            continue
        project, _, number = ref.target.rpartition("#")
        if number.isdigit() and (not project or project == project_path):
            found[int(number)] = found.get(int(number), False) or ref.closing
    return dict(list(found.items())[:100])


class MergeRequestSource:
    """A `Source`. `job` is None outside a merge request pipeline: then there is nothing to judge
    and the goals file is only validated. After `gather`, `client` serves the publisher."""

    def __init__(self, job: MergeRequestJob | None, root: Path, env: Mapping[str, str], *, token: str, on_api_error: str) -> None:
        self.job, self.root, self.env, self.token, self.on_api_error = job, root, env, token, on_api_error
        self.client: Client | None = None
        self.notes: list[str] = []
        self.api_failed = False

    def _client(self, job: MergeRequestJob) -> Client | None:
        if self.client is None and self.token:
            from checker.forges.gitlab.client import Client

            self.client = Client(job.api_url, self.token)
        return self.client

    def _commit_texts(self, job: MergeRequestJob) -> list[str]:
        """The messages of the merge request's commits, from the checkout (no API call)."""
        if not job.diff_base_sha or not git.exists(job.diff_base_sha, self.root):
            return []
        return [text for commit in git.log([f"{job.diff_base_sha}..HEAD"], self.root, paths=False) for text in commit.texts]

    def _linked(self, client: Client, job: MergeRequestJob, item: WorkItem) -> tuple[WorkItem, dict[str, WorkItem]]:
        """One read: the issues the MR's description, title, branch and commits name, in one
        list request; only when they name none, the API's closes_issues (which also knows the
        project's own closing pattern), and only when the MR targets the default branch, where
        GitLab fills it."""
        from checker.forges.gitlab.client import issue_item

        wanted = _refs([item.texts[0], *self._commit_texts(job)], item.branch or "", job.project_path)
        data: list[dict[str, object]] = []
        if wanted:
            data = client.issues(job.project, list(wanted))
            closes = tuple(f"#{n}" for n, closing in wanted.items() if closing)
        elif job.default_branch is not None and job.target_branch == job.default_branch:
            data = client.closes_issues(job.project, job.iid)
            closes = tuple(f"#{i.get('iid')}" for i in data)
        else:
            closes = ()
        linked: dict[str, WorkItem] = {}
        for entry in data:
            issue = issue_item(entry, job.project_path)
            linked[f"#{issue.key}"] = issue
            linked[f"{job.project_path}#{issue.key}"] = issue
            epic = entry.get("epic")
            if issue.parent and isinstance(epic, dict):  # Premium tiers return the epic inline; others have no such hop
                linked.setdefault(issue.parent, WorkItem(kind="issue", key=issue.parent, title=str(epic.get("title") or "")))
        if lost := [f"#{n}" for n in wanted if f"#{n}" not in linked]:
            self.notes.append(f"not found or not accessible to the token: {', '.join(lost)}")
        return item._replace(linked=closes), linked

    def gather(self, goals: GoalsFile) -> Work:
        job, display = self.job, goals.display
        if job is None:
            self.notes.append("not a merge request pipeline (CI_MERGE_REQUEST_IID is unset): the goals file was validated only")
            return Work([], notes=self.notes)
        item = job.item
        linked: dict[str, WorkItem] = {}
        if not item.author and self.env.get("GITLAB_USER_LOGIN"):
            item = item._replace(author=self.env["GITLAB_USER_LOGIN"])
        client = self._client(job)
        if client is None:
            self.notes.append("no token (CLEW_GITLAB_TOKEN): linked issues were not read and no note or label was written")
        else:
            from checker.errors import ApiError

            try:
                if job.description_truncated:
                    mr = client.merge_request(job.project, job.iid)
                    author = mr.get("author") or {}
                    item = item._replace(
                        body=str(mr.get("description") or ""),
                        author=str(author.get("username") or item.author),
                        author_is_bot=bool(author.get("bot")),
                    )
                item, linked = self._linked(client, job, item)
            except ApiError as exc:
                if self.on_api_error == "fail":
                    raise
                self.api_failed = True
                self.notes.append(f"{exc}. clew judged the merge request's own fields only and passes open (CLEW_ON_API_ERROR: warn)")
        base_sha = job.diff_base_sha if goals.own else None  # an inherited file has no version in this repository
        base = git.show(base_sha, display, self.root) if base_sha and git.exists(base_sha, self.root) else None
        if base is None and goals.own:
            self.notes.append(f"{display} at the merge request's base is not in the checkout: judged against the checked-out file")
        changed_paths = git.changed_paths(job.diff_base_sha, "HEAD", self.root) if base is not None and job.diff_base_sha else ()
        item = item._replace(paths=changed_paths or item.paths)
        return Work([item], linked, base, self.notes, self.api_failed, proposed=True, unread="no token" if client is None else None)
