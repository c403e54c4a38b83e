"""The HTML page (`clew report --html`) without a browser: self-contained (a
Content-Security-Policy that allows only its own style and script, by hash),
every untrusted text escaped, the weight budget for 1,000 rows, and the CLI:
written, printed, committed, and left alone when only the timestamp changed."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.report.page import page
from checker.report.render import unchanged
from tests.conftest import ROOT, Repo, clew_process, goals_text
from tests.helpers import golden
from tests.pagedata import rich_report

BUDGET = 300 * 1024


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.data[self._in].append(data)


def _parse(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    return parser


def test_the_page_is_self_contained_and_its_policy_admits_only_its_own_code(tmp_path: Path) -> None:
    html = page(rich_report(tmp_path))
    found = _parse(html)
    tags = [t for t, _ in found.tags]
    assert tags.count("script") == 1
    assert tags.count("style") == 1
    csp = next(a["content"] for t, a in found.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None
    assert csp.startswith("default-src 'none';")
    for kind in ("script", "style"):
        body = "".join(found.data[kind])
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{kind}-src 'sha256-{digest}'" in csp
    for tag, attrs in found.tags:  # nothing that loads: no src, no stylesheet link, no inline handlers or styles
        assert "src" not in attrs or (tag == "script" and attrs["src"] is None), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        assert tag != "link"
    assert not re.search(r"(?i)\b(src|href)\s*=\s*[\"']?(//|https?://(?!github\.com/acme/people/pull/))", html)


def test_the_page_golden(tmp_path: Path) -> None:
    """The whole page for a fixed report, byte for byte (the browser tests drive the same page)."""
    golden("alignment.html", page(rich_report(tmp_path, rows=12)))


def test_untrusted_text_is_escaped_everywhere(tmp_path: Path) -> None:
    html = page(rich_report(tmp_path))
    assert "<script>alert" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "javascript:" not in html  # an unsafe URL is shown as text, never as a link
    assert "\u202e" not in html  # bidi controls are removed
    assert "<tr><td>PR #999 &lt;script&gt;" in html  # the row is there, as text, without a link


def test_a_thousand_rows_weigh_under_the_budget(tmp_path: Path) -> None:
    report = rich_report(tmp_path, rows=1000)
    assert len(report.items) == 1001
    html = page(report)
    size = len(html.encode("utf-8"))
    assert size <= BUDGET, f"{size} bytes for 1,000 rows (budget {BUDGET})"
    # every merged change is there: aligned ones under their objective, the rest as potential waste
    assert html.count('<li><a href="https://github.com/acme/people/pull/') + html.count(
        '<tr><td><a href="https://github.com/acme/people/pull/'
    ) == sum(1 for r in report.items[:1000] if r["status"] in ("aligned", "unaligned", "broken") and r["url"] and "acme" in r["url"])


def test_the_drill_down_shows_each_hop_of_the_thread(tmp_path: Path) -> None:
    html = page(rich_report(tmp_path, rows=20))
    block = html[html.index('id="work-retention"') :]
    block = block[: block.index("</details>")]
    assert (
        '<a href="https://github.com/acme/people/pull/1003">PR #1003</a> docs: explain the SSO setup for Azure AD tenants (#1003) '
        '<small>2026-11-17</small><ol class="t"><li>closes #17<li>label &#34;mobile&#34;<li>initiative mobile-ux'
        "<li>objective retention<li>mission</ol>"
    ) in block


def test_charts_have_text_alternatives(tmp_path: Path) -> None:
    html = page(rich_report(tmp_path))
    found = _parse(html)
    svgs = [a for t, a in found.tags if t == "svg"]
    assert len(svgs) >= 3  # effort, trend, the churn burn-up
    for attrs in svgs:
        assert attrs.get("role") == "img"
        assert attrs.get("aria-label") or attrs.get("aria-labelledby")
    assert "Burn-up. churn: 4 readings from 2026-09-01 (4.5) to 2026-11-21 (4.1); target 3; at this pace" in html


def _repo(repo: Repo) -> None:
    repo.commit("Start\n\nObjective: retention", {"goals.yml": goals_text(), "app.py": "x = 1\n"})
    repo.commit("Mobile login\n\nInitiative: mobile-ux")


@pytest.mark.slow
def test_clew_report_html_writes_prints_and_commits_the_page(repo: Repo) -> None:
    _repo(repo)
    printed = clew_process(repo.path, "report", "--format", "html")
    assert printed.code == 0
    assert printed.out.startswith("<!DOCTYPE html>")
    assert not (repo.path / "alignment.html").exists()  # --format prints, writes nothing
    wrote = clew_process(repo.path, "report", "--html")
    assert wrote.code == 0, wrote.err
    assert wrote.out == "clew: wrote ALIGNMENT.md, alignment.json, alignment.html\n"
    again = clew_process(repo.path, "report", "--html")
    assert again.code == 0, again.err
    assert "the report is unchanged" in again.out, again.out  # the page's own timestamp is no change
    run = clew_process(repo.path, "report", "--html", "--commit")
    assert run.code == 0, run.err
    assert repo.git("show", "--name-only", "--format=", "HEAD").split() == ["ALIGNMENT.md", "alignment.html", "alignment.json"]
    assert repo.git("status", "--porcelain") == ""
    assert "objective retention" in (repo.path / "alignment.html").read_text()


def test_only_the_timestamp_changing_is_no_change(tmp_path: Path) -> None:
    report = rich_report(tmp_path, rows=5)
    import dataclasses

    first = page(report)
    later = page(dataclasses.replace(report, generated_at="2026-11-21T09:30:00+00:00"))
    assert first != later
    assert unchanged(first, later)
    moved = page(dataclasses.replace(report, mission="Another mission"))
    assert not unchanged(first, moved)


def test_report_html_path_is_checked_like_the_others(repo: Repo) -> None:
    _repo(repo)
    repo.write("goals.yml", goals_text() + "report:\n  html: ALIGNMENT.md\n")
    run = clew_process(repo.path, "report", "--html")
    assert run.code == 2
    assert "goals.yml:49: report.html" in run.err or "report.markdown and report.html name the same file" in run.err, run.err
    repo.write("goals.yml", goals_text() + "report:\n  html: .git/hooks/pre-commit\n")
    run = clew_process(repo.path, "report", "--html")
    assert run.code == 2
    assert "is inside .git" in run.err, run.err
    assert not (repo.path / ".git/hooks/pre-commit").exists()


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_status_colours_hold_white_text_at_aa_contrast() -> None:
    css = (ROOT / "checker/report/assets/page.css").read_text()
    colours = dict(re.findall(r"--(on-track|at-risk|off-track|achieved|no-data|budget):(#[0-9a-f]{6})", css))
    assert set(colours) == {"on-track", "at-risk", "off-track", "achieved", "no-data", "budget"}
    for name, colour in colours.items():
        ratio = 1.05 / (_luminance(colour) + 0.05)
        assert ratio >= 4.5, f"white on --{name} {colour}: {ratio:.2f}:1"
