"""Fuzzing: hostile text in every field of a piece of work, through the tracer
and every renderer (text, GitHub log and annotations, comment, step summary,
GitLab note, Code Quality, SARIF, JSON, the report). Never a traceback, and
nothing in the input comes out live: no workflow command, no table break, no
marker, no HTML comment, no mention, no bidi control, no broken Mermaid label.
Also the reference parser and the event-payload reader on arbitrary input."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from checker import app
from checker.forges.github.event import read_event
from checker.outputs import github, gitlab, jsonfmt, sarif, text
from checker.outputs.workflow import fenced, output_lines
from checker.references import branch_references, parse
from checker.report.page import page
from checker.report.render import json_text, markdown
from checker.work import WorkItem
from tests.conftest import goals_text
from tests.helpers import config, report_of

pytestmark = pytest.mark.slow  # minutes, not seconds: `pytest -m 'not slow'` leaves it out

ATTACKS = [
    '},{"name":"forged"}',  # where alignment.json splits its rows into lines
    "\x00",
    "::set-output name=aligned::true",
    "\n::error::owned",
    "%0A::warning::x",
    "::add-mask::secret",
    "::stop-commands::x",
    "<!-- clew:sticky-comment v1 -->",
    "<!-- clew:sticky-note v1 -->",
    "<!--",
    "-->",
    "| a | b |",
    "|",
    "\\|",
    "@octocat",
    "@org/team",
    "@everyone",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\u202e",
    "\u2066",
    "\u200f",
    "```",
    "`",
    "\r\n",
    "\r",
    "[x](javascript:alert(1))",
    "]]",
    '"',
    "}",
    ";",
    "#",
    "Objective: retention",
    "Closes #17",
    "Unaligned: n/a",
    "%",
    "%25",
    "\x00",
    "\x1b[31m",
    "pie",
    "\t",
    "x" * 300,
]
hostile = st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(max_size=12)), max_size=8).map("".join)
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MENTION = re.compile(r"(?<![\w\u200b])@[A-Za-z0-9]")
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _item(title: str, body: str, branch: str, label: str, author: str) -> WorkItem:
    return WorkItem(
        kind="pr",
        key="7",
        title=title,
        body=body,
        branch=branch or None,
        labels=(label,) if label else (),
        author=author,
        url="https://github.com/o/r/pull/7",
        merged_at="2026-11-20T10:00:00Z",
    )


def _log_is_safe(out: str) -> None:
    fence = None
    for line in out.splitlines():
        if fence is None and line.startswith("::stop-commands::"):
            fence = line.split("::")[2]
        elif fence is not None:
            fence = None if line == f"::{fence}::" else fence
        elif line.startswith("::"):
            assert re.match(r"::(error|warning|notice) title=clew", line), line[:120]
            assert "\n" not in line


def _markdown_is_safe(markdown_text: str, marker: str | None = None) -> None:
    body = markdown_text
    if marker is not None:
        assert body.startswith(marker)
        assert body.count(marker) == 1
        body = body.replace(marker, "", 1)
    assert "<!--" not in body
    assert "<script" not in body.lower()
    assert not MENTION.search(body)
    assert not BIDI.search(body)
    lines = body.splitlines()
    for at, line in enumerate(lines):  # every row of a table has as many cells as its separator line
        if line.startswith("|---"):
            cells = line.count("|")
            header, rows = lines[at - 1], []
            for row in lines[at + 1 :]:
                if not row.startswith("| "):
                    break
                rows.append(row)
            for row in [header, *rows]:
                assert len(re.split(r"(?<!\\)\|", row)) - 1 == cells, row[:200]


@SETTINGS
@given(title=hostile, body=hostile, branch=hostile, label=hostile, author=hostile)
def test_renderers_never_leak(tmp_path: Path, title: str, body: str, branch: str, label: str, author: str) -> None:
    cfg = config(tmp_path, goals_text("strict"))
    item = _item(title, body, branch, label, author)
    result = app.evaluate_config(cfg, [item], today=dt.date(2026, 11, 21))
    _log_is_safe(fenced(text.render(result, color=False)) + "\n".join(github.annotation_lines(result)))
    _markdown_is_safe(github.comment(result, [title]), github.MARKER)
    state = gitlab.State("0" * 16, label=False)
    _markdown_is_safe(gitlab.note(result, [body], state), f"{gitlab.MARKER}\n{state.line()}")
    _markdown_is_safe(github.summary(result, [branch]))
    for document in (jsonfmt.render(result), sarif.render(result), gitlab.code_quality_json(result)):
        json.loads(document)
    outputs = output_lines(github.step_outputs(result))
    assert set(re.findall(r"^(\w+)<<clew_[0-9a-f]+$", outputs, re.M)) == {"aligned", "objectives", "findings", "thread"}


@SETTINGS
@given(titles=st.lists(hostile, min_size=1, max_size=4), label=hostile)
def test_report_never_leaks(tmp_path: Path, titles: list[str], label: str) -> None:
    cfg = config(tmp_path)
    work = [_item(t, t, "", label, t)._replace(url=t or None) for t in titles]  # the URL too: a forge could send anything
    issues = [WorkItem(kind="issue", key="9", title=titles[0], labels=("mobile", label), updated_at="2026-11-01T00:00:00Z")]
    report = report_of(
        cfg.pyramid(),
        work,
        today=dt.date(2026, 11, 21),
        window_start=dt.date(2026, 8, 23),
        source="github",
        open_issues=issues,
        open_prs=work[:1],
    )
    text_md = markdown(report)
    _markdown_is_safe(text_md)
    for block in re.findall(r"```mermaid\n(.*?)```", text_md, re.S):
        for line in block.splitlines()[1:]:
            assert re.fullmatch(r'    "[^"\n`<>{}\[\];:|#]*" : \d+|    title .*|    x-axis \[.*\]|    y-axis .*|    bar \[.*\]', line), line
    text_json = json_text(report)
    data = json.loads(text_json)
    assert data["items"] == report.items
    assert data["waste"] == report.waste
    assert len(re.findall(r'^    \{"name":', text_json, re.M)) == len(report.items) + len(report.waste)  # one line per row
    _page_is_safe(page(report))


_ELEMENTS = """html head meta title style body a header h1 h2 h3 p b nav ul ol li main table thead tbody tr th td code article span
label progress details summary small svg line polyline circle text rect figure figcaption select option div button footer time"""
PAGE_TAGS = frozenset(_ELEMENTS.split())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _page_is_safe(html: str) -> None:
    """Only the page's own elements; no handler, no inline style, no link but http(s); one script."""
    tags = _Tags()
    tags.feed(html)
    names = [t for t, _ in tags.found]
    assert names.count("script") == 1
    assert set(names) - {"script"} <= PAGE_TAGS, set(names) - PAGE_TAGS
    for tag, attrs in tags.found:
        assert not any(name.startswith("on") or name in ("style", "src", "srcdoc", "formaction") for name in attrs), (tag, attrs)
        if "href" in attrs:
            assert re.fullmatch(r"(https?://[^\s<>\"'`]+|#[\w-]+)", attrs["href"] or ""), attrs["href"]
    assert not BIDI.search(html)


@settings(max_examples=400, deadline=None)
@given(source=st.text(max_size=400) | hostile)
def test_reference_parser_never_raises(source: str) -> None:
    for ref in parse(source):
        assert ref.kind in ("goal", "issue", "pr", "mr", "escape")
        assert "\n" not in ref.target
    for ref in branch_references(source):
        assert re.fullmatch(r"#\d+", ref.target)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=10), kids, max_size=4),
    max_leaves=20,
)
payload_keys = st.sampled_from(
    [
        "pull_request",
        "issue",
        "repository",
        "commits",
        "merge_group",
        "ref",
        "before",
        "action",
        "head",
        "base",
        "user",
        "labels",
        "milestone",
        "body",
        "title",
        "number",
        "full_name",
        "deleted",
        "head_commit",
    ]
)


@settings(max_examples=300, deadline=None)
@example(name="pull_request", payload={"pull_request": {"labels": True}})  # found by this test: labels not a list
@given(
    name=st.sampled_from(["pull_request", "issues", "push", "merge_group", "workflow_dispatch", "schedule", "other"]),
    payload=st.dictionaries(payload_keys, json_values | st.dictionaries(payload_keys, json_values, max_size=6), max_size=8),
)
def test_event_reader_never_raises(name: str, payload: dict[str, object]) -> None:
    event = read_event(name, payload)
    assert event.name == name
    if event.item is not None:
        assert isinstance(event.item.title, str)


_HEADS = st.sampled_from(
    [
        '{\n  "format": 1,\n  "generated_at": "{}",\n',
        "# Alignment report\n\n_Window a → b (3 days) · source: git · clew 1 · generated {}_\n",
        '> **Mission:** "generated_at": "x"\n\n_Window a → b · generated {}_\n',  # both patterns in one head
        "no timestamp at all {}\n",
    ]
)
_STAMPS = st.sampled_from(["2026-11-21T08:00:00+00:00", "2026-11-22T09:30:00+00:00", "", "2026-11-21"])


@settings(max_examples=300, deadline=None)
@given(
    head=_HEADS,
    stamps=st.tuples(_STAMPS, _STAMPS),
    body=st.text(max_size=40),
    edit=st.one_of(st.none(), st.floats(0, 1, exclude_max=True)),
    size=st.sampled_from([1, 3000, 7000]),
)
@example(head='{\n  "generated_at": "{}",\n', stamps=("a", "b"), body="", edit=0.99, size=7000)  # past the first slice
def test_unchanged_is_without_timestamp_compared(head: str, stamps: tuple[str, str], body: str, edit: float | None, size: int) -> None:
    """The in-place comparison says what comparing the two texts without their timestamps says,
    whatever the head, across the 64 KiB slices and with a change anywhere in the rows."""
    from checker.report.render import unchanged, without_timestamp

    rows = (body + "\n    {row}") * size
    old = head.replace("{}", stamps[0]) + rows
    new = head.replace("{}", stamps[1]) + rows
    if edit is not None:  # a change somewhere in the rows
        at = len(new) - len(rows) + int(edit * len(rows))
        new = new[:at] + "Δ" + new[at + 1 :]
    assert unchanged(old, new) == (without_timestamp(old) == without_timestamp(new))
    assert unchanged(new, new)
