"""`clew report --org OWNER`: one report across a GitHub organisation's repositories or a GitLab
group's projects, from the alignment.json each one commits (checker.forges.github.org,
checker.report.org).

The first run reads every repository (50 per request). A later run with the previous
org-alignment.json beside it reads only what was pushed since (GitHub: one search; GitLab: the
most recently active projects, back to the previous run), unless `--full`, or the previous run
is more than a week old (a full read also drops deleted repositories)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from checker.errors import ClewError
from checker.forges.organisation import PAGE
from checker.report import org as build

JSON_NAME, MARKDOWN_NAME = "org-alignment.json", "ORG-ALIGNMENT.md"
FULL_EVERY = dt.timedelta(days=7)
SKEW = dt.timedelta(minutes=5)  # pushes GitHub had not indexed yet when the previous run searched
# GitLab moves a project's last activity forward at most once an hour
# (Event::RESET_PROJECT_ACTIVITY_INTERVAL): a push within that hour keeps the older time.
ACTIVITY_SLACK = dt.timedelta(hours=1, minutes=5)
_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_GITLAB_GROUP = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*")


class Options(NamedTuple):
    owner: str
    out: Path
    report_path: str = "alignment.json"
    full: bool = False
    fmt: str = "files"  # files | json | markdown
    export: str | None = None


def where(owner: str, env: Mapping[str, str]) -> tuple[str, str]:
    """(forge, owner): `gitlab:<group>` or `github:<owner>`; a bare name is a GitLab group in a
    GitLab CI job and a GitHub organisation (or user) elsewhere."""
    forge, sep, name = owner.partition(":")
    if not sep:
        forge, name = ("gitlab" if env.get("GITLAB_CI") == "true" else "github"), owner
    if forge == "github" and _GITHUB_OWNER.fullmatch(name):
        return forge, name
    if forge == "gitlab" and _GITLAB_GROUP.fullmatch(name):
        return forge, name
    raise ClewError(
        f"--org {owner!r} is not an organisation: give a GitHub organisation or user (acme, github:acme) or a GitLab "
        "group by its full path (gitlab:acme/platform)"
    )


def _previous(out: Path, forge: str, owner: str, options: Options) -> dict[str, Any] | None:
    try:
        data = json.loads((out / JSON_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != build.FORMAT or data.get("forge", "github") != forge:
        return None
    if data.get("owner") != owner or data.get("path") != options.report_path or not isinstance(data.get("repositories"), list):
        return None
    return data


def _since(previous: dict[str, Any] | None, options: Options, stamp: dt.datetime) -> dt.datetime | None:
    """When a partial read may start (the previous run's watermark), or None for a full read."""
    if previous is None or options.full:
        return None
    try:
        last = dt.datetime.fromisoformat(str(previous["watermark"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return last if stamp - last < FULL_EVERY else None


class Read(NamedTuple):
    repos: list[Any]  # collect_org.Repo
    full: bool
    requests: int
    note: str
    unreadable: int = 0  # repositories listed that the token could not see


def _github(owner: str, options: Options, env: Mapping[str, str], since: dt.datetime | None) -> Read:
    from checker.forges.github import org as collect_org
    from checker.forges.github.client import Client

    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if not token:
        raise ClewError(
            "clew report --org reads GitHub: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the organisation's repositories"
        )
    client = Client(token)
    changed = None
    if since is not None:
        changed = collect_org.read_pushed_since(client, owner, options.report_path, (since - SKEW).strftime("%Y-%m-%dT%H:%M:%SZ"))
    full = changed is None
    listed = collect_org.read_all(client, owner, options.report_path) if changed is None else changed
    return Read(listed.repos, full, client.reads, "GitHub API requests", listed.unreadable)


def _gitlab(owner: str, options: Options, env: Mapping[str, str], since: dt.datetime | None, previous: Any) -> tuple[Read, int]:
    """The group's projects, starting at the page size the previous run found GitLab accepts."""
    from checker.forges.gitlab import org as collect_org
    from checker.forges.gitlab.client import Client, api_url

    token = env.get("CLEW_GITLAB_TOKEN") or env.get("GITLAB_TOKEN")
    if not token:
        raise ClewError(
            "clew report --org reads a GitLab group: set CLEW_GITLAB_TOKEN (or GITLAB_TOKEN) to a token with the read_api "
            "scope that can see the group's projects (a group access token with the Reporter role); a job's CI_JOB_TOKEN "
            "cannot read other projects through GraphQL"
        )
    graphql = env.get("CI_API_GRAPHQL_URL") if env.get("CI_API_V4_URL") else None
    client = Client(api_url(env), token, graphql)
    start = None if since is None else since - ACTIVITY_SLACK
    before = previous.get("read") if isinstance(previous, dict) else None
    page = before.get("page") if isinstance(before, dict) else None
    page = page if isinstance(page, int) and 0 < page <= PAGE else PAGE
    found = collect_org.read_group(client, owner, options.report_path, start, page)
    return Read(found.repos, found.complete, client.reads, "GitLab API requests", found.unreadable), found.page


def run(options: Options, env: Mapping[str, str], now: dt.datetime) -> tuple[str, str]:
    """(what to print on stdout, the summary for stderr)."""
    forge, owner = where(options.owner, env)
    if options.export:
        from checker.forges.warehouse import check_target

        check_target(options.export)
    previous = _previous(options.out, forge, owner, options)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    since = _since(previous, options, stamp)
    page = 0
    if forge == "github":
        read = _github(owner, options, env, since)
    else:
        read, page = _gitlab(owner, options, env, since, previous)
    rows = [build.entry(r.name, r.pushed_at, r.oid, r.text, archived=r.archived, error=r.error) for r in read.repos]
    rows = build.merge([] if read.full or previous is None else previous["repositories"], rows)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = build.build(
        owner, options.report_path, rows, generated_at=iso, watermark=iso, requests=read.requests, full=read.full, forge=forge
    )
    if page:
        doc["read"]["page"] = page
    if read.unreadable:
        doc["notes"].append(
            f"{read.unreadable} repositories were listed but the token could not read them (SAML single sign-on not "
            "authorised for the token, or an access rule): they are not in this report"
        )
    text, page_text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n", build.render(doc)
    notes = [f"clew: {owner}: {doc['headline']['reporting']} of {len(rows)} repositories report; {read.requests} {read.note}"]
    notes += [f"clew: warning: {n}" for n in doc["notes"]]
    if read.full:
        notes.append("clew: read every repository")
    elif forge == "github":
        notes.append(f"clew: read the {len(read.repos)} repositories pushed since the previous run")
    else:
        notes.append(f"clew: read the {len(read.repos)} most recently active projects, back to the previous run")
    if 0 < page < PAGE:
        notes.append(f"clew: GitLab found {PAGE} projects per query too complex; read {page} per query")
    if options.export:
        from checker.forges.warehouse import export

        notes.append(f"clew: {export(doc, options.export)}")
    if options.fmt == "json":
        return text, "\n".join(notes) + "\n"
    if options.fmt == "markdown":
        return page_text, "\n".join(notes) + "\n"
    from checker.safewrite import replace

    replace(options.out / JSON_NAME, text.encode("utf-8"))
    replace(options.out / MARKDOWN_NAME, page_text.encode("utf-8"))
    notes.append(f"clew: wrote {options.out / MARKDOWN_NAME} and {options.out / JSON_NAME}")
    return "", "\n".join(notes) + "\n"
