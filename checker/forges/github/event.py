"""The GitHub Actions event payload ($GITHUB_EVENT_PATH) → the work to judge.

Zero API calls: the item's own fields come from the payload. Read tolerantly:
the published payloads lag the schema (no `has_discussions`), bodies may be
null, `changes` may be empty, a fork's head repository may be gone.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from checker.work import WorkItem


class Event(NamedTuple):
    name: str
    action: str
    repository: str  # owner/name
    item: WorkItem | None
    number: int | None = None  # PR or issue number for comments and labels
    is_fork: bool = False
    base_sha: str | None = None
    head_sha: str | None = None
    default_branch: str | None = None
    commits: tuple[WorkItem, ...] = ()
    note: str = ""

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def repo(self) -> str:
        return self.repository.split("/", 1)[-1]


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _obj(value: Any) -> dict[str, Any]:
    """A payload field that should be an object; anything else reads as empty."""
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _labels(node: Any) -> tuple[str, ...]:
    labels = node if isinstance(node, list) else []  # a malformed payload reads as no labels
    return tuple(str(label.get("name")) for label in labels if isinstance(label, dict) and label.get("name"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _common(node: dict[str, Any]) -> dict[str, Any]:
    """The fields an issue and a pull request carry alike in a webhook payload."""
    user = _obj(node.get("user"))
    return {
        "key": str(node.get("number", "")),
        "title": _text(node.get("title")),
        "body": _text(node.get("body")),
        "author": _text(user.get("login")),
        "author_is_bot": user.get("type") == "Bot",
        "labels": _labels(node.get("labels")),
        "milestone": _get(node, "milestone", "title"),
        "created_at": node.get("created_at"),
        "updated_at": node.get("updated_at"),
        "url": node.get("html_url"),
    }


def pull_request_item(pr: dict[str, Any]) -> WorkItem:
    return WorkItem(
        kind="pr",
        branch=_get(pr, "head", "ref"),
        base_branch=_get(pr, "base", "ref"),
        state="merged" if pr.get("merged") else _text(pr.get("state")) or "open",
        merged_at=pr.get("merged_at"),
        **_common(pr),
    )


def issue_item(issue: dict[str, Any]) -> WorkItem:
    return WorkItem(kind="issue", state=_text(issue.get("state")) or "open", **_common(issue))


def _push_commits(payload: dict[str, Any]) -> tuple[WorkItem, ...]:
    """A push's commits. GitHub gives no account type for a commit's author, only for the one
    who pushed (`sender`): the pusher's commits are a bot's when GitHub says the pusher is one;
    other authors, by the `[bot]` ending GitHub gives apps' logins."""
    sender = _obj(payload.get("sender"))
    pusher, pusher_is_bot = _text(sender.get("login")), sender.get("type") == "Bot"
    out = []
    commits = payload.get("commits")
    for commit in commits if isinstance(commits, list) else []:
        if not isinstance(commit, dict):
            continue
        message = _text(commit.get("message"))
        subject, _, body = message.partition("\n")
        author = _obj(commit.get("author"))
        paths = tuple(p for key in ("added", "modified", "removed") for p in _strings(commit.get(key)))
        login = _text(author.get("username")) or _text(author.get("name"))
        out.append(
            WorkItem(
                kind="commit",
                key=_text(commit.get("id")),
                title=subject,
                body=body.strip("\n"),
                author=login,
                author_is_bot=pusher_is_bot if login and login == pusher else login.endswith("[bot]"),
                paths=paths,
                url=commit.get("url"),
            )
        )
    return tuple(out)


def _zero_is_none(sha: str) -> str | None:
    return sha if sha.strip("0") else None


_QUEUE_PR = re.compile(r"/pr-(\d+)-")


def read_event(name: str, payload: dict[str, Any]) -> Event:
    """The event's own work, by the event's kind; an event that carries none says so."""
    action = _text(payload.get("action"))
    repository = _text(_get(payload, "repository", "full_name"))
    default_branch = _get(payload, "repository", "default_branch")
    base = Event(name, action, repository, None, default_branch=default_branch)
    if name in ("pull_request", "pull_request_target") and isinstance(payload.get("pull_request"), dict):
        return _pull_request(base, payload["pull_request"])
    if name == "issues" and isinstance(payload.get("issue"), dict) and "pull_request" not in payload["issue"]:
        issue = payload["issue"]
        return base._replace(item=issue_item(issue), number=issue.get("number"))
    if name == "push":
        return _push(base, payload)
    if name == "merge_group" and isinstance(payload.get("merge_group"), dict):
        return _merge_group(base, payload["merge_group"])
    return base._replace(note=f"the {name} event carries no pull request or issue: the goals file is validated only")


def _pull_request(base: Event, pr: dict[str, Any]) -> Event:
    head_repo, base_repo = _get(pr, "head", "repo", "full_name"), _get(pr, "base", "repo", "full_name")
    return base._replace(
        item=pull_request_item(pr),
        number=pr.get("number"),
        is_fork=head_repo != base_repo,
        base_sha=_get(pr, "base", "sha"),
        head_sha=_get(pr, "head", "sha"),
    )


def _push(base: Event, payload: dict[str, Any]) -> Event:
    ref = _text(payload.get("ref"))
    if payload.get("deleted") or not ref.startswith("refs/heads/"):
        return base._replace(default_branch=None, note=f"nothing to judge in a push to {ref or 'a deleted ref'}")
    commits = _push_commits(payload)
    branch = ref.removeprefix("refs/heads/")
    item = WorkItem(
        kind="branch",
        key=branch,
        branch=branch,
        title=commits[-1].title if commits else "",
        paths=tuple(dict.fromkeys(p for c in commits for p in c.paths)),
        commits=tuple(reversed(commits)),
    )
    return base._replace(
        item=item if commits else None,
        base_sha=_zero_is_none(_text(payload.get("before"))),
        head_sha=_text(payload.get("after")) or None,
        commits=commits,
        note="" if commits else "the push carries no commits",
    )


def _merge_group(base: Event, group: dict[str, Any]) -> Event:
    """A merge queue's entry: its head commit, and the pull request its branch name numbers."""
    match = _QUEUE_PR.search(_text(group.get("head_ref")))
    head = _obj(group.get("head_commit"))
    subject, _, body = _text(head.get("message")).partition("\n")
    item = WorkItem(kind="commit", key=_text(group.get("head_sha")), title=subject, body=body)
    return base._replace(item=item, number=int(match[1]) if match else None, base_sha=group.get("base_sha"), head_sha=group.get("head_sha"))
