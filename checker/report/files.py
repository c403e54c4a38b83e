"""The report as files: Markdown, JSON and, when asked, the page; which of them changed in more
than their timestamp; the diff a dry run shows. Pure: a report in, texts out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from checker import safewrite

if TYPE_CHECKING:
    from checker.goals.compiled import Pyramid
    from checker.report import model as m


class Written(NamedTuple):
    report: m.Report
    files: dict[str, str]  # repository path -> new content
    changed: list[str]
    where: dict[str, str]  # repository path -> the setting that names it ("goals.yml:31: report.markdown")


def paths(pyramid: Pyramid, html: bool) -> dict[str, str]:
    """The files the report writes, by the setting that names them, in the order they are written."""
    settings = pyramid.report
    return {"markdown": settings.markdown, "json": settings.json_path, **({"html": settings.html} if html else {})}


def render(pyramid: Pyramid, report: m.Report, current: Mapping[str, str], where: Mapping[str, str], *, html: bool) -> Written:
    """Both files (three with the page), and which of them changed in more than their timestamp.
    Paths that could never be written safely are refused here, before anything is written or sent."""
    from checker.report.render import json_text, markdown, unchanged

    goals = pyramid.file.split("@", 1)[0]
    named = paths(pyramid, html)
    seen: dict[str, str] = {}
    for key, path in named.items():
        if path in seen:
            other = seen[path]
            blame = where[key] if "(default" in where[other] else where[other]
            raise safewrite.UnsafePath(f"{blame}: report.{other} and report.{key} name the same file, {path!r}")
        seen[path] = key
    labels = {path: where[key] for key, path in named.items()}
    for path, label in labels.items():
        safewrite.check(path, setting=label, goals=goals)
    files = {named["markdown"]: markdown(report), named["json"]: json_text(report)}
    if html:
        from checker.report.page import page

        files[named["html"]] = page(report)
    changed = [p for p, t in files.items() if not unchanged(current.get(p) or "", t)]
    return Written(report, files, changed, labels)


def diff(current: Mapping[str, str], written: Written) -> str:
    from difflib import unified_diff

    out: list[str] = []
    for path in written.changed:
        old = (current.get(path) or "").splitlines(keepends=True)
        new = written.files[path].splitlines(keepends=True)
        out.extend(unified_diff(old, new, f"a/{path}", f"b/{path}"))
    return "".join(out) or "clew: the report is unchanged (only the timestamp would change)\n"


def document(written: Written, fmt: str) -> str:
    """The one document asked for (`markdown`, `json` or `html`), as it would be written."""
    return list(written.files.values())[{"markdown": 0, "json": 1, "html": 2}[fmt]]
