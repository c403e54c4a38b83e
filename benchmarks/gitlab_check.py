"""`clew check` in a simulated GitLab merge request pipeline against the local
GitLab server (tests/gitlab_server.py): API requests and whole-process wall
time. Needs the test extras.

Run: .venv/bin/python benchmarks/gitlab_check.py
Goals: from CI variables only, 0 API calls; with a token ≤ 2 reads + ≤ 2
writes, 0 writes when nothing changed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import goals_text, make_repo
from tests.gitlab_server import FakeGitLab, GlIssue


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        env0 = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for key, value in {
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@x",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@x",
        }.items():
            os.environ.setdefault(key, value)
        repo = make_repo(tmp / "project")
        base = repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
        repo.git("checkout", "-q", "-b", "feature")
        repo.commit("Work", {"src/app.py": "print(1)\n"})
        gl = FakeGitLab()
        url = gl.start()
        gl.issues[12] = GlIssue(12, "Logged out on mobile", labels=("mobile",))

        def run(description: str, labels: str, token: bool) -> tuple[float, int, int, int]:
            env = {
                **env0,
                "GITLAB_CI": "true",
                "CI_API_V4_URL": url + "/api/v4",
                "CI_PROJECT_ID": "42",
                "CI_PROJECT_PATH": "group/project",
                "CI_PROJECT_DIR": str(repo.path),
                "CI_DEFAULT_BRANCH": "main",
                "CI_MERGE_REQUEST_IID": "7",
                "CI_MERGE_REQUEST_PROJECT_ID": "42",
                "CI_MERGE_REQUEST_PROJECT_PATH": "group/project",
                "CI_MERGE_REQUEST_TITLE": "Work",
                "CI_MERGE_REQUEST_DESCRIPTION": description,
                "CI_MERGE_REQUEST_LABELS": labels,
                "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
                "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
            }
            if token:
                env["CLEW_GITLAB_TOKEN"] = "glpat-bench"
            gl.requests.clear()
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "checker", "check"], cwd=repo.path, env=env, capture_output=True, text=True, check=False
            )
            return time.perf_counter() - start, proc.returncode, gl.reads, gl.writes

        scenarios = [
            ("from CI variables only (no token)", "Closes #12\n\nObjective: retention", "", False, None),
            ("linked issue, aligned", "Closes #12", "", True, None),
            ("untraced MR, first run", "wip", "", True, "clear"),
            ("untraced MR, nothing changed", "wip", "potential-waste", True, "first"),
            ("untraced MR becomes aligned", "Objective: growth", "potential-waste", True, "first"),
        ]
        run("warm-up", "", False)
        for label, description, labels, token, setup in scenarios:
            times, first = [], (0, 0, 0)
            for attempt in range(5):
                gl.notes.clear()
                gl.labels = set(filter(None, labels.split(",")))
                gl.closes = [12] if "#12" in description else []
                if setup == "first":
                    run("wip", "", True)
                elapsed, code, reads, writes = run(description, labels, token)
                times.append(elapsed)
                if attempt == 0:
                    first = (code, reads, writes)
            rows.append((label, *first, statistics.median(times)))
        gl.stop()
        assert not gl.violations, gl.violations
    print(f"{'scenario':38} {'exit':>4} {'reads':>5} {'writes':>6} {'wall (median of 5)':>20}")
    for label, code, reads, writes, wall in rows:
        print(f"{label:38} {code:>4} {reads:>5} {writes:>6} {wall * 1000:>17.0f} ms")
    print("0 calls from CI variables:", "met" if rows[0][2] + rows[0][3] == 0 else "NOT met")
    print("0 writes when nothing changed:", "met" if rows[3][3] == 0 else "NOT met")
    print("≤ 2 reads + ≤ 2 writes:", ", ".join(f"{r[0].split(',')[0]}: {r[2]}+{r[3]}" for r in rows[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
