"""`clew check --range A..B --per-commit` over a generated history, against
`git log --name-only --format=%H%n%B` over the same commits, in the same run.

    .venv/bin/python benchmarks/check_per_commit.py [--commits 1000] [--shape github|gnome] [--runs 5]

Goal (issue #14): per-commit checks cost about what the report costs per commit,
not eleven times git log."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_local import ENV, build


def once(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, check=False, env=ENV)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode()[-400:]}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--shape", choices=("github", "gnome"), default="github")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        repo = build(Path(name), args.commits, args.shape)
        spec = f"HEAD~{args.commits}..HEAD"
        git_log = ["git", "log", "--name-only", "--format=%H%n%B", spec]
        check = [str(Path(sys.executable).parent / "clew"), "check", "--range", spec, "--per-commit"]
        once(check, repo)  # warm-up: bytecode, the compiled goals
        times: dict[str, list[float]] = {"git": [], "check": [], "json": []}
        for _ in range(args.runs):
            times["git"].append(once(git_log, repo))
            times["check"].append(once(check, repo))
            times["json"].append(once([*check, "--format", "json"], repo))
        git_time, text, json_time = (statistics.median(times[k]) for k in ("git", "check", "json"))
        print(f"{args.commits} commits ({args.shape} shape), median of {args.runs} interleaved runs")
        print(f"git log --name-only --format=%H%n%B:        {git_time * 1000:7.0f} ms")
        print(f"clew check --range … --per-commit:          {text * 1000:7.0f} ms  ratio {text / git_time:.2f}×")
        print(f"clew check --range … --per-commit --format json: {json_time * 1000:7.0f} ms  ratio {json_time / git_time:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
