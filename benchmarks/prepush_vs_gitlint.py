"""`clew pre-push` against `gitlint --commits` over the same range, same run.

Whole-process wall time for a push of 100 and 1,000 new commits, and
`clew pre-push` with nothing to push. gitlint runs from its own virtual
environment (it pins an older click): benchmarks/run.sh prepares it.

Run: bash benchmarks/run.sh
Goals: clew ≤ 0.1× gitlint's time at 100 commits; no worse than linear
growth from 100 to 1,000; nothing to push under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = """version: 1
mission: Benchmark
objectives:
  - id: speed
    title: Make things fast
    owner: "@bench"
    due: 2027-01-01
    initiatives:
      - id: perf
        title: Performance work
        match: {branches: ["perf/*"]}
"""


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def sh(args: list[str], cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True, check=False, env=env)


def build(root: Path, commits: int) -> tuple[Path, str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "b@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "b@example.com",
    }
    repo = root / f"repo-{commits}"
    sh(["git", "init", "-q", "-b", "main", str(repo)], root)
    (repo / "goals.yml").write_text(GOALS)
    sh(["git", "add", "-A"], repo)
    sh(["git", "commit", "-q", "-m", "Add goals\n\nObjective: speed"], repo, env=env)
    sh(["git", "init", "-q", "--bare", str(root / f"remote-{commits}.git")], root)
    sh(["git", "remote", "add", "origin", str(root / f"remote-{commits}.git")], repo)
    sh(["git", "push", "-q", "origin", "main"], repo)
    sh(["git", "checkout", "-q", "-b", "topic"], repo)
    # fast-import builds the commits in one process
    lines = []
    parent = sh(["git", "rev-parse", "HEAD"], repo).stdout.strip()
    for i in range(commits):
        message = f"Change number {i} to the service\n\nA body line explaining change {i}.\n\nObjective: speed\n"
        data = message.encode()
        lines.append(f"commit refs/heads/topic\nmark :{i + 1}\ncommitter Bench <b@example.com> {1700000000 + i} +0000\n")
        lines.append(f"data {len(data)}\n{message}")
        lines.append(f"from {parent}\n" if i == 0 else f"from :{i}\n")
        lines.append(f"M 644 inline src/file{i % 50}.txt\ndata {len(str(i))}\n{i}\n\n")
    sh(["git", "fast-import", "--quiet", "--force"], repo, stdin="".join(lines))
    sh(["git", "reset", "-q", "--hard", "topic"], repo)
    return repo, sh(["git", "rev-parse", "HEAD"], repo).stdout.strip()


def timed(args: list[str], cwd: Path, stdin: str = "", runs: int = 5) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Median wall time after one warm-up run (which also writes bytecode, as a real install has)."""
    sh(args, cwd, stdin, ENV)
    times, last = [], None
    for _ in range(runs):
        start = time.perf_counter()
        last = sh(args, cwd, stdin, ENV)
        times.append(time.perf_counter() - start)
    assert last is not None
    return statistics.median(times), last


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gitlint", required=True, help="path to the gitlint executable")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    clew = [sys.executable, "-m", "checker"]
    gitlint = str(Path(args.gitlint).resolve())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in (100, 1000):
            repo, head = build(root, n)
            count = sh(["git", "rev-list", "--count", "main..topic"], repo).stdout.strip()
            stdin = f"refs/heads/topic {head} refs/heads/topic {'0' * 40}\n"
            clew_time, clew_run = timed([*clew, "pre-push", "origin", "url"], repo, stdin, args.runs)
            if clew_run.returncode != 0:
                print(clew_run.stdout, clew_run.stderr)
                return 1
            gitlint_time, _ = timed([gitlint, "--commits", "main..topic"], repo, runs=max(1, args.runs // 2) if n > 100 else args.runs)
            rows.append((n, int(count), clew_time, gitlint_time))
        empty, run = timed([*clew, "pre-push", "origin", "url"], root, "", args.runs * 2)
        assert run.returncode == 0
    print(f"{'commits':>8} {'clew pre-push':>14} {'gitlint --commits':>18} {'ratio':>7}")
    for _, count, c, g in rows:
        print(f"{count:>8} {c * 1000:>11.0f} ms {g * 1000:>15.0f} ms {c / g:>7.3f}")
    growth = rows[1][2] / rows[0][2]
    print(f"clew growth from 100 to 1,000 commits: {growth:.2f}× (linear would be 10×)")
    print(f"clew pre-push with nothing to push: {empty * 1000:.0f} ms")
    ok = rows[0][2] / rows[0][3] <= 0.1 and growth <= 10 and empty < 0.15
    print(f"goals (≤ 0.1× gitlint at 100, ≤ linear growth, empty < 150 ms): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
