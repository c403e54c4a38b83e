"""GitHub renderings: escaping, caps, and hostile PR text that must never come
out live — not as a workflow command, a table break, an HTML comment, a spoofed
marker, a mention, a bidi trick, or an extra step output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker import app
from checker.findings import Finding, Location
from checker.outputs import github as render
from checker.outputs import markdown as md
from checker.outputs.workflow import command, escape_data, escape_property, output_lines
from tests.conftest import CASES
from tests.helpers import config
from tests.jobs import Action, pr_payload, world

HOSTILE = sorted((CASES / "hostile").glob("*.json"))
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_workflow_command_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    line = command("error", "bad\n::set-output name=x::y", title="clew [rule], x:y", file="goals.yml", line=3)
    assert line == "::error title=clew [rule]%2C x%3Ay,file=goals.yml,line=3::bad%0A::set-output name=x::y"
    assert "\n" not in line


def test_annotations_respect_the_caps_and_say_where_the_rest_is(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    findings = [Finding("unaligned-work", "error", f"e{i}", f"s{i}") for i in range(25)]
    findings += [
        Finding("objective-has-owner", "warning", f"w{i}", f"t{i}", location=Location("goals.yml", ("objectives", 0, "id")))
        for i in range(12)
    ]
    findings += [Finding("escape-hatch-used", "notice", f"n{i}", f"u{i}") for i in range(3)]
    result = app.Result(cfg.pyramid(), [], findings, located=cfg.doc)
    lines = render.annotation_lines(result)
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert sum(line.startswith("::notice ") for line in lines) == 4
    assert "17 more findings not annotated" in lines[-1]
    assert "file=goals.yml,line=4,col=9" in next(line for line in lines if line.startswith("::warning"))


def test_summary_and_comment_stay_under_the_limits(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    findings = [Finding("unaligned-work", "error", "x" * 5000, f"item {i}") for i in range(400)]
    result = app.Result(cfg.pyramid(), [], findings)
    assert len(render.summary(result, []).encode()) <= 1024 * 1024
    comment = render.comment(result, [])
    assert len(comment) <= 65_536
    assert comment.startswith(render.MARKER)
    assert "truncated" in comment


def test_step_outputs_cannot_be_injected() -> None:
    text = output_lines({"thread": "x\naligned<<EOF\ntrue\nEOF", "aligned": "false"})
    parsed = dict(re.findall(r"^(\w+)<<(clew_[0-9a-f]+)\n", text, re.M))
    assert set(parsed) == {"thread", "aligned"}


def test_markdown_text_is_inert() -> None:
    value = md.text("@jane | <!-- x --> `a` [l](u) \u202eevil\n# head")
    assert "@\u200bjane" in value
    assert "\\|" in value
    assert "<!--" not in value
    assert "\n" not in value
    assert not BIDI.search(value)


@pytest.mark.parametrize("prefix", ["", "chore: "], ids=["untraced", "title-in-the-thread"])
@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_pr_text(path: Path, action: Action, prefix: str) -> None:
    """As is (untraced: a comment is written), and with a title that matches the
    maintenance budget, so the hostile title itself is part of the thread."""
    from tests.github_server import Pull

    case = json.loads(path.read_text(encoding="utf-8"))
    case["title"] = prefix + case["title"]
    gh = action.gh
    world(gh, body=case["body"], closing=())
    labels = ("bug", case["label"]) if "label" in case else ("bug",)
    gh.pulls[2] = Pull(2, case["title"], body=case["body"], labels=labels)
    payload = pr_payload(body=case["body"], labels=labels, title=case["title"])
    code, out = action.run("pull_request", payload)
    assert code == 0
    _log_is_safe(out)
    outputs = action.outputs()
    assert set(outputs) == {"aligned", "objectives", "findings", "thread"}
    assert outputs["aligned"] == ("true" if prefix else "false")
    if prefix:
        assert "chore" in outputs["thread"]
    _markdown_is_safe(action.summary.read_text())
    if not prefix:
        comment = next(c.body for c in gh.comments.get(2, []) if c.author == gh.login)
        _markdown_is_safe(comment)
        assert comment.count(render.MARKER) == 1
        assert comment.startswith(render.MARKER)
        assert len(comment) <= 65_536


def _log_is_safe(out: str) -> None:
    fenced = False
    token = None
    for line in out.splitlines():
        if line.startswith("::stop-commands::"):
            fenced, token = True, line.split("::")[2]
            continue
        if fenced:
            if line == f"::{token}::":
                fenced = False
            continue
        if line.startswith("::"):
            assert re.match(r"::(error|warning|notice) title=clew", line), f"a live workflow command came out: {line[:120]}"
    assert not fenced


def _markdown_is_safe(text: str) -> None:
    body = text.replace(render.MARKER, "", 1)
    assert "<!--" not in body
    assert "<script" not in body.lower()
    assert "<img" not in body.lower()
    assert not re.search(r"(?<![\w\u200b])@[A-Za-z0-9]", body), "a live @mention came out"
    assert not BIDI.search(body)
    for line in body.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (5,), f"a table row was broken: {line[:160]}"
