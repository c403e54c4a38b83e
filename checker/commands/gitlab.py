"""`clew check` inside a GitLab CI merge request pipeline: the MR's own fields
from CI_MERGE_REQUEST_* (zero API calls); with a token, the linked issues, the
full description when it was truncated, and one sticky note and one label,
written only when they change. The Code Quality report is always written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker import app, references
from checker.errors import EXIT_OK, ClewError
from checker.findings import FAIL_ON
from checker.goals.discover import discover, display_name
from checker.loading import pyramid_for
from checker.outputs import gitlab as render
from checker.outputs import text
from checker.sources import git
from checker.sources.gitlab_ci import MergeRequestJob, read_env
from checker.work import WorkItem

if TYPE_CHECKING:
    from checker.sources.gitlab import Client


class Settings(NamedTuple):
    goals: str | None
    policy: str | None
    token: str
    fail_on: str | None
    note: bool
    labels: bool
    label_name: str
    on_api_error: str
    report: str
    on_aligned: str


def _flag(env: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "true", "false"):
        return default if raw == "" else raw == "true"
    problems.append(f"{name}: {raw!r} is not true or false")
    return default


def read_settings(env: Mapping[str, str]) -> Settings:
    """The component's inputs arrive as CLEW_* variables; validated here."""
    problems: list[str] = []
    fail_on = env.get("CLEW_FAIL_ON", "").strip().lower()
    if fail_on and fail_on not in FAIL_ON:
        problems.append(f"CLEW_FAIL_ON: {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    on_api_error = env.get("CLEW_ON_API_ERROR", "").strip().lower() or "warn"
    if on_api_error not in ("warn", "fail"):
        problems.append(f"CLEW_ON_API_ERROR: {on_api_error!r} is not warn or fail")
    settings = Settings(
        goals=env.get("CLEW_GOALS", "").strip() or None,
        policy=env.get("CLEW_POLICY", "").strip() or None,
        token=env.get("CLEW_GITLAB_TOKEN", "").strip() or env.get("GITLAB_TOKEN", "").strip(),
        fail_on=FAIL_ON.get(fail_on),
        note=_flag(env, "CLEW_NOTE", True, problems),
        labels=_flag(env, "CLEW_LABELS", True, problems),
        label_name=env.get("CLEW_LABEL_NAME", "").strip() or "potential-waste",
        on_api_error=on_api_error,
        report=env.get("CLEW_CODE_QUALITY_REPORT", "").strip() or "gl-code-quality-report.json",
        on_aligned=env.get("CLEW_NOTE_ON_ALIGNED", "").strip().lower() or "edit",
    )
    if settings.on_aligned not in ("edit", "delete"):
        problems.append(f"CLEW_NOTE_ON_ALIGNED: {settings.on_aligned!r} is not edit or delete")
    if problems:
        raise ClewError("invalid clew settings: " + "; ".join(problems))
    return settings


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


class Run:
    def __init__(self, env: Mapping[str, str], cwd: Path, today: dt.date) -> None:
        self.env, self.today = env, today
        self.settings = read_settings(env)
        self.job: MergeRequestJob | None = read_env(env)
        self.root = Path(env.get("CI_PROJECT_DIR") or cwd)
        self.client: Client | None = None
        self.notes: list[str] = []
        self.api_failed = False

    def _client(self, job: MergeRequestJob) -> Client | None:
        if self.client is None and self.settings.token:
            from checker.sources.gitlab import Client

            self.client = Client(job.api_url, self.settings.token)
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
        from checker.sources.gitlab import issue_item

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

    def evaluate(self) -> app.Result:
        settings, job = self.settings, self.job
        path = discover(settings.goals, self.root)
        display = display_name(path, self.root)
        current = pyramid_for(path.read_bytes(), display, path, None, settings.policy)
        if job is None:
            self.notes.append("not a merge request pipeline (CI_MERGE_REQUEST_IID is unset): the goals file was validated only")
            return app.evaluate(current._replace(fail_on=settings.fail_on or current.fail_on), [], today=self.today, notes=self.notes)
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
                if settings.on_api_error == "fail":
                    raise
                self.api_failed = True
                self.notes.append(f"{exc}. clew judged the merge request's own fields only and passes open (CLEW_ON_API_ERROR: warn)")
        base = git.show(job.diff_base_sha, display, self.root) if job.diff_base_sha and git.exists(job.diff_base_sha, self.root) else None
        pyramid = pyramid_for(base, f"{display}@base", path, None, settings.policy) if base is not None else current
        if base is None:
            self.notes.append(f"{display} at the merge request's base is not in the checkout: judged against the checked-out file")
        changed_paths = git.changed_paths(job.diff_base_sha, "HEAD", self.root) if base is not None and job.diff_base_sha else ()
        item = item._replace(paths=changed_paths or item.paths)
        changed = display in item.paths
        pyramid = pyramid._replace(fail_on=settings.fail_on or pyramid.fail_on, file=display)
        return app.evaluate(pyramid, [item], today=self.today, linked=linked, goals_changed=changed, notes=self.notes)

    def publish(self, result: app.Result) -> None:
        """The sticky note and the label (checker.publish.gitlab), when there is a merge request,
        a token and a trace, and the API answered."""
        if self.job is None or self.client is None or self.api_failed or not result.traces:
            return
        from checker.publish.gitlab import StickyNote

        result.notes.extend(StickyNote(self.client, self.job, self.settings, self.notes).publish(result))


def run(env: Mapping[str, str], cwd: Path, today: dt.date) -> int:
    job = Run(env, cwd, today)
    result = job.evaluate()
    job.publish(result)
    report = job.root / job.settings.report
    report.write_text(render.code_quality_json(result), encoding="utf-8")
    print(text.render(result, color=False), end="")
    if job.client is not None:
        print(f"clew: GitLab API requests: {job.client.reads} read, {job.client.writes} write")
    if job.api_failed:
        return EXIT_OK
    return result.exit_code
