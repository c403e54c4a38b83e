"""A report with the shapes real ones have, for the page's tests: a thousand merged
pull requests (conventional and free-form titles, squash `(#N)` suffixes, bots),
most traced through labels, closing issues and trailers, some potential waste;
a backlog with blocked and stale issues; a key result with readings and a
forecast; hostile text where an attacker controls it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from checker.report import model as m
from checker.work import WorkItem
from tests.helpers import config, report_of

TODAY = dt.date(2026, 11, 21)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> \u202eevil\u202c @everyone'
SUBJECTS = (
    "fix(api): handle an empty page cursor in the members list",
    "feat(mobile): offline mode for the time-off request screen",
    "Bump eslint from 9.12.0 to 9.13.0",
    "docs: explain the SSO setup for Azure AD tenants",
    "refactor(onboarding): split the wizard into steps",
    "Improve the payroll export for German Lohnsteuer files",
    "chore(ci): cache the pnpm store between jobs",
    "perf(search): index employee names by trigram",
)


def _pr(n: int) -> WorkItem:
    day = TODAY - dt.timedelta(days=1 + n % 85)
    subject = SUBJECTS[n % len(SUBJECTS)]
    labels: tuple[str, ...] = ()
    body = ""
    if n % 10 in (1, 5):
        labels = ("mobile",)
    elif n % 10 in (2, 6):
        body = "Initiative: onboarding"
    elif n % 10 == 3:
        body = "Closes #17"
    elif n % 10 == 4:
        body = "Objective: growth"
    elif n % 10 == 7:
        labels = ("mobile", "performance")
    author = "dependabot[bot]" if subject.startswith("Bump") else f"dev{n % 17}"
    return WorkItem(
        kind="pr",
        key=str(1000 + n),
        title=f"{subject} (#{1000 + n})",
        body=body,
        labels=labels,
        author=author,
        merged_at=f"{day.isoformat()}T{n % 24:02d}:00:00+00:00",
        url=f"https://github.com/acme/people/pull/{1000 + n}",
    )


def rich_report(tmp: Path, rows: int = 1000) -> m.Report:
    cfg = config(tmp)
    work = [_pr(n) for n in range(rows)]
    work.append(
        WorkItem(
            kind="pr",
            key="999",
            title=HOSTILE,
            body="",
            merged_at=f"{TODAY.isoformat()}T23:00:00+00:00",
            url="javascript:alert(1)",
        )
    )
    issues = [
        WorkItem(kind="issue", key="17", title="Users log out", labels=("mobile",), state="closed", updated_at="2026-11-19T00:00:00Z"),
        WorkItem(kind="issue", key="18", title="Blocked by the SDK", labels=("mobile", "blocked"), updated_at="2026-11-10T00:00:00Z"),
        WorkItem(kind="issue", key="19", title="Old idea for the wizard", labels=("onboarding",), updated_at="2026-09-01T00:00:00Z"),
        WorkItem(kind="issue", key="20", title=HOSTILE, labels=("mobile",), updated_at="2026-11-20T00:00:00Z"),
        WorkItem(kind="issue", key="21", title="Nobody knows why", updated_at="2026-11-20T00:00:00Z"),
    ]
    readings = {"retention.churn": [("2026-09-01", 4.5), ("2026-10-01", 4.4), ("2026-11-01", 4.2)]}
    return report_of(
        cfg.pyramid(),
        work,
        today=TODAY,
        window_start=TODAY - dt.timedelta(days=90),
        source="github",
        open_issues=issues[1:],
        linked={"#17": issues[0]},
        generated_at="2026-11-21T08:00:00+00:00",
        readings=readings,
    )
