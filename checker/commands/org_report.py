"""`clew report --org OWNER`: one report across an organisation's repositories, from the
alignment.json each one commits (checker.sources.collect_org, checker.report.org).

The first run reads every repository (50 per request). A later run with the previous
org-alignment.json beside it reads only what was pushed since (one search), unless `--full`, or
the previous run is more than a week old (a full read also drops deleted repositories)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from checker.errors import ClewError
from checker.report import org as build

JSON_NAME, MARKDOWN_NAME = "org-alignment.json", "ORG-ALIGNMENT.md"
FULL_EVERY = dt.timedelta(days=7)
SKEW = dt.timedelta(minutes=5)  # pushes GitHub had not indexed yet when the previous run searched


class Options(NamedTuple):
    owner: str
    out: Path
    report_path: str = "alignment.json"
    full: bool = False
    fmt: str = "files"  # files | json | markdown
    export: str | None = None


def _previous(out: Path, options: Options) -> dict[str, Any] | None:
    try:
        data = json.loads((out / JSON_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != build.FORMAT:
        return None
    if data.get("owner") != options.owner or data.get("path") != options.report_path or not isinstance(data.get("repositories"), list):
        return None
    return data


def run(options: Options, env: Mapping[str, str], now: dt.datetime) -> tuple[str, str]:
    """(what to print on stdout, the summary for stderr)."""
    from checker.sources import collect_org
    from checker.sources.github import Client

    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if not token:
        raise ClewError(
            "clew report --org reads GitHub: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the organisation's repositories"
        )
    if options.export:
        from checker.publish.warehouse import check_target

        check_target(options.export)
    client = Client(token)
    previous = _previous(options.out, options)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    changed: list[collect_org.Repo] | None = None
    if previous is not None and not options.full:
        try:
            last = dt.datetime.fromisoformat(str(previous["watermark"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            last = None
        if last is not None and stamp - last < FULL_EVERY:
            since = (last - SKEW).strftime("%Y-%m-%dT%H:%M:%SZ")
            changed = collect_org.read_pushed_since(client, options.owner, options.report_path, since)
    full = changed is None
    repos = collect_org.read_all(client, options.owner, options.report_path) if full else changed or []
    rows = [build.entry(r.name, r.pushed_at, r.oid, r.text, r.archived) for r in repos]
    rows = build.merge([] if full or previous is None else previous["repositories"], rows)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = build.build(options.owner, options.report_path, rows, generated_at=iso, watermark=iso, requests=client.reads, full=full)
    text, page = json.dumps(doc, indent=2, ensure_ascii=False) + "\n", build.render(doc)
    notes = [
        f"clew: {options.owner}: {doc['headline']['reporting']} of {len(rows)} repositories report; {client.reads} GitHub API requests"
    ]
    notes.append("clew: read every repository" if full else f"clew: read the {len(repos)} repositories pushed since the previous run")
    if options.export:
        from checker.publish.warehouse import export

        notes.append(f"clew: {export(doc, options.export)}")
    if options.fmt == "json":
        return text, "\n".join(notes) + "\n"
    if options.fmt == "markdown":
        return page, "\n".join(notes) + "\n"
    from checker.safewrite import replace

    replace(options.out / JSON_NAME, text.encode("utf-8"))
    replace(options.out / MARKDOWN_NAME, page.encode("utf-8"))
    notes.append(f"clew: wrote {options.out / MARKDOWN_NAME} and {options.out / JSON_NAME}")
    return "", "\n".join(notes) + "\n"
