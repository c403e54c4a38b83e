"""The organisation report: every repository's alignment.json rolled up into one document
(org-alignment.json) and one page (ORG-ALIGNMENT.md). Pure: reports in, documents out.

An objective's status across repositories is its worst: off track in one repository makes it
off track for the organisation, with the reasons naming the repositories that drive it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, NotRequired

from typing_extensions import TypedDict  # pydantic reads TypedDicts from here before Python 3.12

from checker import __version__

FORMAT = "clew-org-report/v1"
SCHEMA_ID = "https://clew.dev/schema/org-alignment.schema.json"


# org-alignment.json, under a published JSON Schema (schema/org-alignment.schema.json, `clew schema
# --org`, kept in sync by a test). The docstrings are the schema's descriptions.
class Tool(TypedDict):
    name: str
    version: str


class Read(TypedDict):
    """How this run read the forge."""

    requests: int
    """GraphQL requests this run made."""
    full: bool
    """Every repository was read (else only those pushed since the previous run)."""
    page: NotRequired[int]
    """GitLab: the projects per request that GitLab accepted (the next run starts there)."""


class OrgHeadline(TypedDict):
    repositories: int
    """Repositories listed, with or without a report."""
    reporting: int
    """Repositories with a readable report that are not archived: the figures below sum theirs."""
    merged: int
    aligned: int
    aligned_share: float | None
    waste: int
    """Merged work that traces nowhere: potential waste."""
    waste_share: float | None


class OrgObjective(TypedDict):
    id: str
    title: str
    status: str
    """The worst status any reporting repository gives it: off-track, at-risk or on-track."""
    reasons: list[str]
    """The repositories that drive the status, each with its first reason, then the counts of the others."""
    progress: float | None
    """The mean of the repositories' progress, 0 to 1."""
    repositories: dict[str, str]
    """Each reporting repository's status for it."""


class RepositoryObjective(TypedDict):
    id: str
    title: str
    status: str
    reasons: list[str]
    progress: float | None


class RepositoryRow(TypedDict):
    repository: str
    """owner/name on GitHub, the project's full path on GitLab."""
    pushed_at: str | None
    """GitHub: the last push; GitLab: the project's last activity."""
    oid: str | None
    """The git blob id of the alignment.json that was read."""
    archived: bool
    error: str | None
    """Why the repository's report does not count: none committed, not JSON, no objectives."""
    generated_at: NotRequired[str | None]
    headline: NotRequired[dict[str, int]]
    objectives: NotRequired[list[RepositoryObjective]]


class OrgReport(TypedDict):
    format: str
    tool: Tool
    generated_at: str
    forge: str
    """github or gitlab."""
    owner: str
    """The GitHub organisation or user, or the GitLab group's full path."""
    path: str
    """Where each repository keeps its report."""
    watermark: str
    """When this run started: the next one reads what was pushed since."""
    read: Read
    notes: list[str]
    """What this run could not read."""
    headline: OrgHeadline
    objectives: list[OrgObjective]
    repositories: list[RepositoryRow]


for _shape in (Tool, Read, OrgHeadline, OrgObjective, RepositoryObjective, RepositoryRow, OrgReport):
    setattr(_shape, "__pydantic_config__", {"extra": "forbid", "use_attribute_docstrings": True})  # noqa: B010 -- a TypedDict body takes no assignments


def schema() -> str:
    """org-alignment.json's JSON Schema (draft 2020-12)."""
    from pydantic import TypeAdapter

    found = TypeAdapter(OrgReport).json_schema(mode="serialization")
    return (
        json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **found}, indent=2, sort_keys=True) + "\n"
    )


RANK = {"off-track": 3, "at-risk": 2, "on-track": 1}
WORDS = {"off-track": "off track", "at-risk": "at risk", "on-track": "on track"}


def entry(  # noqa: PLR0911 -- a repository as the forge gave it, one return per way its report fails
    name: str, pushed_at: str | None, oid: str | None, text: str | None, *, archived: bool = False, error: str | None = None
) -> dict[str, Any]:
    """One repository's row, from its committed alignment.json (or why there is none)."""
    row: dict[str, Any] = {"repository": name, "pushed_at": pushed_at, "oid": oid, "archived": archived, "error": None}
    if error is not None:
        return {**row, "error": error}
    if text is None:
        return {**row, "error": "no alignment report committed" if oid is None else "alignment report is not text"}
    if len(text) > MAX_REPORT:
        return {**row, "error": f"alignment report is {len(text)} characters; clew reads reports up to {MAX_REPORT}"}
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return {**row, "error": f"alignment report is not JSON ({exc.msg}, line {exc.lineno})"}
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, NaN, nesting past the parser's limit
        return {**row, "error": f"alignment report holds what no report holds ({str(exc)[:80]})"}
    if not isinstance(data, dict) or not isinstance(data.get("objectives"), list) or not isinstance(data.get("headline"), dict):
        return {**row, "error": "alignment report has no objectives or headline"}
    headline = data["headline"]
    objectives = [
        {
            "id": _bounded(o.get("id"), 120),
            "title": _bounded(o.get("title") or "", 300),
            # Read from another repository: only a status clew writes is kept, anything else is "unknown".
            "status": o["status"] if o.get("status") in STATUSES else "unknown",
            "reasons": [_bounded(r, 500) for r in o.get("reasons") or [] if isinstance(r, str)][:3],
            "progress": _fraction(o.get("progress")),
        }
        for o in data["objectives"][:MAX_OBJECTIVES]
        if isinstance(o, dict) and o.get("id") is not None
    ]
    numbers = {k: v for k in ("merged", "aligned", "waste") if _count(v := headline.get(k))}
    generated = data.get("generated_at") if isinstance(data.get("generated_at"), str) else None
    return {**row, "generated_at": _bounded(generated, 40) if generated else None, "headline": numbers, "objectives": objectives}


MAX_REPORT = 20_000_000  # characters of one repository's alignment.json
MAX_OBJECTIVES = 500
STATUSES = frozenset({"on-track", "at-risk", "off-track", "achieved", "unmeasured", "no-data"})


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _bounded(value: Any, limit: int) -> str:
    return str(value)[:limit]


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**9


def _fraction(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
    return float(value) if ok else None


def merge(previous: Iterable[Mapping[str, Any]], changed: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The previous rows with the changed ones replacing them, by repository name, sorted."""
    rows = {str(r["repository"]): dict(r) for r in previous}
    rows.update({str(r["repository"]): dict(r) for r in changed})
    return [rows[name] for name in sorted(rows, key=str.lower)]


def roll_up(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each objective across the repositories that report it: the worst status, and why."""
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        for o in row.get("objectives") or []:
            found = seen.setdefault(o["id"], {"id": o["id"], "title": o["title"], "by_repository": {}, "reasons": {}, "progress": []})
            found["by_repository"][row["repository"]] = o["status"]
            found["reasons"][row["repository"]] = o["reasons"][0] if o["reasons"] else ""
            if o["progress"] is not None:
                found["progress"].append(float(o["progress"]))
    out = []
    for ident in sorted(seen):
        o = seen[ident]
        statuses = o["by_repository"]
        worst = max(statuses.values(), key=lambda s: RANK.get(s, 0))
        driving = sorted(r for r, s in statuses.items() if s == worst and worst in RANK)
        reasons = [f"{WORDS[worst]} in {r}" + (f": {o['reasons'][r]}" if o["reasons"][r] else "") for r in driving[:5]]
        if len(driving) > 5:
            reasons.append(f"and in {len(driving) - 5} more repositories")
        others = {s: sum(1 for x in statuses.values() if x == s) for s in RANK if s != worst}
        reasons += [f"{WORDS[s]} in {n} repositor{'y' if n == 1 else 'ies'}" for s, n in others.items() if n]
        progress = round(sum(o["progress"]) / len(o["progress"]), 3) if o["progress"] else None
        out.append(
            {
                "id": ident,
                "title": o["title"],
                "status": worst,
                "reasons": reasons,
                "progress": progress,
                "repositories": dict(sorted(statuses.items())),
            }
        )
    return out


def build(
    owner: str,
    path: str,
    rows: list[dict[str, Any]],
    *,
    generated_at: str,
    watermark: str,
    requests: int,
    full: bool,
    forge: str = "github",
) -> dict[str, Any]:
    """org-alignment.json: the headline summed over the reporting repositories, the objectives
    rolled up, every repository's row."""
    reporting = [r for r in rows if not r.get("error") and not r.get("archived")]
    merged = sum(r["headline"].get("merged", 0) for r in reporting)
    aligned = sum(r["headline"].get("aligned", 0) for r in reporting)
    waste = sum(r["headline"].get("waste", 0) for r in reporting)
    return {
        "format": FORMAT,
        "tool": {"name": "clew", "version": __version__},
        "generated_at": generated_at,
        "forge": forge,
        "owner": owner,
        "path": path,
        "watermark": watermark,
        "read": {"requests": requests, "full": full},
        "notes": [],
        "headline": {
            "repositories": len(rows),
            "reporting": len(reporting),
            "merged": merged,
            "aligned": aligned,
            "aligned_share": round(100 * aligned / merged, 1) if merged else None,
            "waste": waste,
            "waste_share": round(100 * waste / merged, 1) if merged else None,
        },
        "objectives": roll_up(reporting),
        "repositories": rows,
    }


def _cell(value: str) -> str:
    """Text from repositories' reports (titles, reasons) is untrusted: inert Markdown."""
    from checker.outputs import markdown as md

    return md.text(value)


def render(doc: Mapping[str, Any]) -> str:
    """ORG-ALIGNMENT.md: the headline, each objective across the repositories, the repositories."""
    h = doc["headline"]
    share = f"{h['aligned_share']}%" if h["aligned_share"] is not None else "n/a"
    lines = [
        f"# Alignment across {doc['owner']}",
        "",
        f"{h['reporting']} of {h['repositories']} repositories have an alignment report. "
        f"{h['aligned']} of {h['merged']} merged changes trace to an objective ({share}); {h['waste']} trace nowhere.",
        "",
        *[f"> **Note:** {_cell(note)}\n" for note in doc.get("notes") or []],
        "## Objectives",
        "",
        "| objective | status | progress | why |",
        "|---|---|---|---|",
    ]
    for o in doc["objectives"]:
        progress = f"{round(100 * o['progress'])}%" if o["progress"] is not None else ""
        word = WORDS.get(o["status"], "unknown")
        lines.append(f"| {_cell(o['id'])}: {_cell(o['title'])} | {word} | {progress} | {_cell('; '.join(o['reasons']))} |")
    lines += ["", "## Repositories", "", "| repository | merged | aligned | potential waste | note |", "|---|---|---|---|---|"]
    for r in doc["repositories"]:
        numbers = r.get("headline") or {}
        note = r.get("error") or ("archived" if r.get("archived") else "")
        counts = " | ".join(str(numbers.get(k, "")) for k in ("merged", "aligned", "waste"))
        lines.append(f"| {_cell(r['repository'])} | {counts} | {_cell(note)} |")
    return "\n".join(lines) + "\n"
