"""`clew check` in a simulated GitHub Actions job against the local GitHub
server (tests/github_server.py): API requests per check and whole-process
wall time. Needs the test extras.

Run: .venv/bin/python benchmarks/github_check.py
Goals: ≤ 1 read + ≤ 2 writes when something changed, 0 writes when nothing
changed; the same for a PR closing 10 issues nested 3 parents deep.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import contract, goals_text
from tests.github_server import FakeGitHub, Issue, Pull

BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"


def payload(body: str, labels: tuple[str, ...]) -> dict[str, object]:
    data = contract("github/webhooks/payloads/pull_request.opened.json")
    data["pull_request"]["body"] = body
    data["pull_request"]["labels"] = [{**data["pull_request"]["labels"][0], "name": n} for n in labels]
    return data


def run(gh: FakeGitHub, url: str, tmp: Path, body: str, labels: tuple[str, ...]) -> tuple[float, int, int, int]:
    (tmp / "event.json").write_text(json.dumps(payload(body, labels)))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME="pull_request",
        GITHUB_EVENT_PATH=str(tmp / "event.json"),
        GITHUB_WORKSPACE=str(tmp),
        GITHUB_API_URL=url,
        GITHUB_GRAPHQL_URL=url + "/graphql",
        GITHUB_STEP_SUMMARY=str(tmp / "summary.md"),
        GITHUB_OUTPUT=str(tmp / "out.txt"),
        INPUT_TOKEN="t",
    )
    gh.requests.clear()
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "checker", "check"], cwd=tmp, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, proc.returncode, gh.reads, gh.writes


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "goals.yml").write_text(goals_text())
        gh = FakeGitHub()
        url = gh.start()
        gh.blobs[f"{BASE_SHA}:goals.yml"] = goals_text()
        gh.add_issue(Issue(17, "Users get logged out", labels=("mobile",)))
        for n in range(100, 110):
            gh.add_issue(Issue(n, f"Child {n}", parent=n + 100))
            gh.add_issue(Issue(n + 100, f"Parent {n}", parent=n + 200))
            gh.add_issue(Issue(n + 200, f"Grandparent {n}", parent=n + 300))
            gh.add_issue(Issue(n + 300, f"Epic {n}", labels=("onboarding",) if n == 109 else ()))
        scenarios = [
            ("aligned PR (closes #17)", Pull(2, "Login", body="Closes #17", closing=(17,)), "Closes #17", ("bug",)),
            ("untraced PR, first run", Pull(2, "Tweak", body="wip"), "wip", ("bug",)),
            ("untraced PR, nothing changed", Pull(2, "Tweak", body="wip"), "wip", ("bug", "potential-waste")),
            ("untraced PR becomes aligned", Pull(2, "Tweak", body="Objective: growth"), "Objective: growth", ("bug", "potential-waste")),
            ("PR closing 10 issues, 3 parents deep", Pull(2, "Many", body="", closing=tuple(range(100, 110))), "", ("bug",)),
        ]
        run(gh, url, tmp, "warm-up", ("bug",))
        for label, pull, body, labels in scenarios:
            gh.add_pull(pull)
            times, first = [], (0, 0, 0)
            for attempt in range(5):
                gh.comments.clear()
                gh.labels[2] = set(labels)
                if "nothing changed" in label:
                    run(gh, url, tmp, body, ("bug",))  # the first run wrote the comment and the label
                if "becomes aligned" in label:
                    gh.add_comment(2, "<!-- clew:sticky-comment v1 -->\nold", gh.login)
                elapsed, code, reads, writes = run(gh, url, tmp, body, labels)
                times.append(elapsed)
                if attempt == 0:
                    first = (code, reads, writes)
            rows.append((label, *first, statistics.median(times)))
        gh.stop()
        assert not gh.violations, gh.violations
    print(f"{'scenario':38} {'exit':>4} {'reads':>5} {'writes':>6} {'wall (median of 5)':>20}")
    for label, code, reads, writes, wall in rows:
        print(f"{label:38} {code:>4} {reads:>5} {writes:>6} {wall * 1000:>17.0f} ms")
    ok = all(r[2] <= 1 and r[3] <= 2 for r in rows) and rows[2][3] == 0
    print(f"goals (≤ 1 read, ≤ 2 writes, 0 writes when nothing changed): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
