"""A merge request pipeline's own fields, from the CI_MERGE_REQUEST_* variables
GitLab sets: zero API calls. Absent in branch pipelines; the description is
truncated there (CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED), so the API is
asked for it when a token is given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from checker.forges.gitlab.client import api_url
from checker.work import WorkItem


class MergeRequestJob(NamedTuple):
    item: WorkItem
    iid: int
    project: str  # numeric id or path, for the API
    project_path: str
    api_url: str
    default_branch: str | None
    target_branch: str | None
    diff_base_sha: str | None
    description_truncated: bool


def read_env(env: Mapping[str, str]) -> MergeRequestJob | None:
    iid = env.get("CI_MERGE_REQUEST_IID", "").strip()
    if not iid.isdigit():
        return None
    labels = tuple(label.strip() for label in env.get("CI_MERGE_REQUEST_LABELS", "").split(",") if label.strip())
    path = env.get("CI_MERGE_REQUEST_PROJECT_PATH") or env.get("CI_PROJECT_PATH", "")
    api = api_url(env)
    item = WorkItem(
        kind="mr",
        key=iid,
        title=env.get("CI_MERGE_REQUEST_TITLE", ""),
        body=env.get("CI_MERGE_REQUEST_DESCRIPTION", ""),
        labels=labels,
        milestone=env.get("CI_MERGE_REQUEST_MILESTONE") or None,
        branch=env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") or None,
        base_branch=env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") or None,
        url=(env.get("CI_MERGE_REQUEST_PROJECT_URL", "") + f"/-/merge_requests/{iid}") if env.get("CI_MERGE_REQUEST_PROJECT_URL") else None,
    )
    return MergeRequestJob(
        item=item,
        iid=int(iid),
        project=env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID") or path,
        project_path=path,
        api_url=api.rstrip("/"),
        default_branch=env.get("CI_DEFAULT_BRANCH") or None,
        target_branch=item.base_branch,
        diff_base_sha=env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") or None,
        description_truncated=env.get("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED", "").lower() == "true",
    )
