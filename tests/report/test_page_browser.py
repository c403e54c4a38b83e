"""The page in a real browser: the system's Chromium, driven by Playwright (no
browser is downloaded: .ci/run installs Debian's `chromium`, and these tests
find it). Opened from a file and served over HTTP as GitHub/GitLab Pages would:
no console error, no request but the page itself; the backlog filter, the
drill-down by keyboard and the "show its backlog" button work; a screenshot is
kept as an artefact (in $CLEW_ARTIFACTS when set)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from checker.report.page import page
from tests.pagedata import rich_report

pytestmark = pytest.mark.slow  # minutes, not seconds: `pytest -m 'not slow'` leaves it out

ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium() -> str:
    """The system's Chromium; a test that needs it fails (never skips) without it."""
    for candidate in (os.environ.get("CLEW_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("Chromium is needed for the page's browser tests: install Debian's `chromium` (.ci/run does), or set CLEW_CHROMIUM")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium(), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    goals = tmp_path_factory.mktemp("goals")
    (folder / "index.html").write_text(page(rich_report(goals, rows=1000)), encoding="utf-8")
    return folder / "index.html"


class Watch:
    """What the page did: its console messages, its errors, every request it made."""

    def __init__(self, tab: Any) -> None:
        self.console: list[str] = []
        self.requests: list[str] = []
        tab.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        tab.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        tab.on("request", lambda r: self.requests.append(r.url))


def _open(browser: Any, url: str) -> tuple[Any, Watch]:
    tab = browser.new_page(viewport={"width": 1280, "height": 1200})
    watch = Watch(tab)
    tab.goto(url)
    tab.wait_for_load_state("load")
    return tab, watch


def _visible_rows(tab: Any) -> int:
    return int(tab.locator("#backlog tbody tr:not([hidden])").count())


def test_filter_drill_down_and_no_request_from_a_file(browser: Any, site: Path, tmp_path: Path) -> None:
    tab, watch = _open(browser, site.as_uri())
    total = tab.locator("#backlog tbody tr").count()
    assert total == 4
    assert tab.locator("#f-count").inner_text() == f"{total} of {total} open issues shown"

    tab.select_option("#f-objective", "retention")
    assert _visible_rows(tab) == 2  # #18 and the hostile #20, both under mobile-ux
    assert tab.locator("#f-count").inner_text() == f"2 of {total} open issues shown"
    tab.select_option("#f-objective", "-")
    assert _visible_rows(tab) == 1
    assert "Nobody knows why" in tab.locator("#backlog tbody tr:not([hidden])").inner_text()
    tab.select_option("#f-objective", "")
    tab.select_option("#f-status", "at-risk")
    assert _visible_rows(tab) == tab.locator('#backlog tbody tr[data-status="at-risk"]').count() > 0

    # The drill-down opens from the keyboard, and lists each hop of the thread.
    drill = tab.locator("#work-retention")
    assert drill.get_attribute("open") is None
    tab.locator("#work-retention summary").focus()
    tab.keyboard.press("Enter")
    assert drill.get_attribute("open") is not None
    first = drill.locator("ol.work > li").first
    assert first.is_visible()
    hops = first.locator("ol.t li").all_inner_texts()
    assert hops[-3:] == ["objective retention", "mission"][-2:] or hops[-2:] == ["objective retention", "mission"], hops

    # "Show its backlog" sets the filter to that objective.
    tab.locator("#objective-growth button[data-backlog]").click()
    assert tab.locator("#f-objective").input_value() == "growth"
    assert tab.locator("#f-status").input_value() == ""
    assert _visible_rows(tab) == 1

    shots = Path(os.environ.get("CLEW_ARTIFACTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    tab.locator("#f-objective").select_option("")
    tab.evaluate("window.scrollTo(0, 0)")
    tab.screenshot(path=str(shots / "report-page.png"))
    assert (shots / "report-page.png").stat().st_size > 20_000

    assert watch.console == []
    assert watch.requests == [site.as_uri()]
    tab.close()


def test_served_like_pages_it_asks_for_nothing_more(browser: Any, site: Path) -> None:
    handler = functools.partial(_Quiet, directory=str(site.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        tab, watch = _open(browser, url)
        tab.select_option("#f-objective", "growth")
        tab.locator("#work-growth summary").click()
        assert tab.locator("#work-growth").get_attribute("open") is not None
        assert watch.console == []
        assert watch.requests == [url], watch.requests
        assert _Quiet.paths == ["/index.html"], _Quiet.paths  # the server saw the page and nothing else (no favicon)
        tab.close()
    finally:
        server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    paths: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        _Quiet.paths.append(self.path)
