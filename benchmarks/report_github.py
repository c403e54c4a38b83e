"""`clew report --commit` over 10,000 merged pull requests with linked issues on
the local GitHub server: requests cold and warm, and clew's own CPU time and
peak memory (the server runs in this process, clew in a child process).

Run: .venv/bin/python benchmarks/report_github.py [--pulls N]
Goals: ≤ 101 requests cold, ≤ 2 warm; ≤ 3 s CPU and ≤ 300 MB peak for clew.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import goals_text
from tests.github_server import FakeGitHub, Issue, Pull


def run(gh: FakeGitHub, url: str, cwd: Path) -> tuple[float, float, float, int, int]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(GITHUB_TOKEN="t", GITHUB_REPOSITORY=gh.repository, GITHUB_API_URL=url, CLEW_TODAY="2026-11-21", CLEW_HTTP_TIMEOUT="60")
    gh.requests.clear()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "report", "--commit"], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, gh.reads, gh.writes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pulls", type=int, default=10_000)
    args = parser.parse_args()
    gh = FakeGitHub()
    url = gh.start()
    for n in range(1, 51):
        gh.add_issue(Issue(n, f"Issue {n}", labels=("mobile",) if n % 2 else ("onboarding",), parent=n + 1000))
        gh.add_issue(Issue(n + 1000, f"Epic {n}", labels=("goal:growth",)))
    gh.open_issue_numbers = list(range(30, 51))
    for n in range(1, args.pulls + 1):
        stamp = f"2026-{9 + (n % 75) // 28:02d}-{1 + (n % 75) % 28:02d}T{n % 24:02d}:00:00Z"  # September to 19 November
        body = [f"Closes #{1 + n % 50}", "Initiative: onboarding", "wip", "Objective: retention"][n % 4]
        gh.add_pull(Pull(n + 100, f"Change {n}", body=body, closing=(1 + n % 50,) if n % 4 == 0 else (), merged_at=stamp, updated_at=stamp))
    with tempfile.TemporaryDirectory() as name:
        cwd = Path(name)
        (cwd / "goals.yml").write_text(goals_text())
        cold = run(gh, url, cwd)
        warm = run(gh, url, cwd)
    gh.stop()
    assert not gh.violations, gh.violations[:3]
    print(f"merged pull requests: {args.pulls}")
    for label, (wall, cpu, rss, reads, writes) in (("cold", cold), ("warm", warm)):
        print(
            f"{label}: {reads} read + {writes} write requests, wall {wall:.1f} s (server included), clew CPU {cpu:.2f} s, peak {rss:.0f} MB"
        )
    print(
        f"goals: cold ≤ 101 requests to build the report: {'met' if cold[3] <= 101 else 'NOT met'} (then {cold[4]} to commit it); "
        f"warm ≤ 2: {'met' if warm[3] + warm[4] <= 2 else 'NOT met'}; "
        f"CPU ≤ 3 s: {'met' if cold[1] <= 3 else 'NOT met'}; peak ≤ 300 MB: {'met' if cold[2] <= 300 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
