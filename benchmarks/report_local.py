"""`clew report` over a generated 20,000-commit repository, against `git log
--name-only --format=%H%n%B` over the same commits, measured in the same run.

Run: .venv/bin/python benchmarks/report_local.py [--commits N] [--shape github|gnome] [--path-rule '**/*.kt']
Goal: clew's wall time ≤ 2× git log's; ≤ 1.5× on the gnome-shell shape (`--shape gnome`: every
commit carries a `Part-of: <merge request URL>` trailer, and commits are grouped by it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import goals_text

GNOME_SUBJECTS = (
    "panel: Keep the date menu open while the calendar loads",
    "st/theme-node: Cache the border image for the frame",
    "overview: Animate the workspace thumbnails on swipe",
    "js/ui/messageTray: Drop the unused banner timeout",
    "tests: Add a test for the app grid folders",
)


def gnome_message(i: int) -> tuple[str, int]:
    """A gnome-shell-shaped message: a `component: Subject`, a wrapped body, sometimes an issue
    closed by URL, and the `Part-of:` trailer Marge Bot adds to every commit of a merge request
    (1 to 4 commits each), rebased onto main without merge commits."""
    mr = 2000 + i // 3
    subject = GNOME_SUBJECTS[i % len(GNOME_SUBJECTS)]
    body = (
        "The previous code recomputed the layout on every allocation, which made\n"
        "the panel stutter when many indicators were shown. Keep the result and\n"
        "invalidate it when the theme changes.\n"
    )
    closes = f"\nCloses: https://gitlab.gnome.org/GNOME/gnome-shell/-/issues/{7000 + i % 900}\n" if i % 4 == 0 else ""
    part_of = f"Part-of: <https://gitlab.gnome.org/GNOME/gnome-shell/-/merge_requests/{mr}>"
    return f"{subject}\n\n{body}{closes}\n{part_of}\n", mr


def build(root: Path, count: int, shape: str = "github") -> Path:
    repo = root / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "goals.yml").write_text(goals_text())
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x"}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "goals"], cwd=repo, check=True, env=env)
    now = int(time.time())
    trailers = ["Objective: retention", "Initiative: onboarding", "", "Closes #12", "chore: bump"]
    lines = []
    for i in range(count):
        if shape == "gnome":
            message, _ = gnome_message(i)
        else:
            message = f"Change {i} to the service\n\nBody of change {i}.\n\n{trailers[i % len(trailers)]}\n"
        data = message.encode()
        stamp = now - (count - i) * 300
        lines.append(f"commit refs/heads/main\nmark :{i + 1}\ncommitter b <b@x> {stamp} +0000\ndata {len(data)}\n{message}")
        lines.append("from refs/heads/main^0\n" if i == 0 else f"from :{i}\n")
        where = f"js/ui/file{i % 200}.js" if shape == "gnome" else f"src/file{i % 200}.txt"
        lines.append(f"M 644 inline {where}\ndata {len(str(i))}\n{i}\n\n")
    subprocess.run(["git", "fast-import", "--quiet", "--force"], cwd=repo, input="".join(lines).encode(), check=True, env=env)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True, env=env)
    return repo


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # measure what an install has


def once(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, capture_output=True, check=True, env=ENV)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, help="an existing repository built by an earlier run (kept between runs)")
    parser.add_argument(
        "--shape",
        choices=("github", "gnome"),
        default="github",
        help="github: one commit per change with trailers; gnome: gnome-shell's shape, Part-of: trailers grouping rebased commits",
    )
    parser.add_argument(
        "--path-rule",
        default="apps/mobile/**",
        help="the mobile-ux initiative's path rule; one that can match anywhere (**/*.kt) makes clew read every path",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        repo = args.repo or build(Path(name), args.commits, args.shape)
        goals = repo / "goals.yml"
        original = goals.read_text()
        goals.write_text(original.replace('paths: ["apps/mobile/**"]', f"paths: [{json.dumps(args.path_rule)}]"))
        try:
            return measure(repo, args)
        finally:
            goals.write_text(original)


def measure(repo: Path, args: argparse.Namespace) -> int:
    count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()
    days = args.commits * 300 // 86400 + 2
    git_log = ["git", "log", "--name-only", "--format=%H%n%B"]
    report = [sys.executable, "-m", "checker", "report", "--window", str(days)]
    files = [repo / "ALIGNMENT.md", repo / "alignment.json"]
    once(report, repo)  # warm-up: bytecode, page cache
    times: dict[str, list[float]] = {"git": [], "first": [], "cold": [], "warm": []}
    for _ in range(args.runs):  # interleaved, so that a busy moment hurts all of them alike
        times["git"].append(once(git_log, repo))
        shutil.rmtree(repo / ".git" / "clew", ignore_errors=True)
        for f in files:
            f.unlink(missing_ok=True)
        times["first"].append(once(report, repo))  # a fresh clone: the goals file validated and cached too
        for f in files:
            f.unlink(missing_ok=True)
        times["cold"].append(once(report, repo))  # no report yet: everything traced and written
        times["warm"].append(once(report, repo))  # the same report already there: nothing written
    out = subprocess.run(
        [sys.executable, "-m", "checker", "status", "--window", str(days)], cwd=repo, capture_output=True, text=True, check=False
    )
    git_time, first, cold, warm = (statistics.median(times[k]) for k in ("git", "first", "cold", "warm"))
    print(f"commits: {count} ({args.shape} shape); path rule {args.path_rule}; median of {args.runs} interleaved runs")
    print(f"git log --name-only --format=%H%n%B: {git_time * 1000:.0f} ms")
    print(f"clew report, fresh clone:           {first * 1000:.0f} ms  ratio {first / git_time:.2f}× (no compiled goals yet)")
    print(f"clew report, no report yet:         {cold * 1000:.0f} ms  ratio {cold / git_time:.2f}× (goal ≤ 2×)")
    print(f"clew report, report unchanged:      {warm * 1000:.0f} ms  ratio {warm / git_time:.2f}×")
    print(out.stdout.strip().splitlines()[-1] if out.stdout else out.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
