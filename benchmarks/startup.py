"""How fast clew starts: `clew validate`, `clew check` on a small range and
`clew pre-push` with work to judge, each against bare `python -c pass` measured
in the same run (the ratio is the figure; issue #14 asks for at most 3× on a
cache hit). Each command runs `--runs` times in a fresh process; the median is
reported. Run from the repository root:

    .venv/bin/python benchmarks/startup.py [--runs 30]

It works on a temporary clone of this repository, so the goals file and the
history are real. The first run of each command fills the compiled-goals cache;
the figures are for the runs after it (cache hits), as users meet them."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_ms(argv: list[str], cwd: Path, runs: int, stdin: str = "") -> float:
    env = {**os.environ, "NO_COLOR": "1"}
    for name in ("GITHUB_ACTIONS", "GITLAB_CI", "CI", "CLEW_GOALS", "PYTHONDONTWRITEBYTECODE"):  # bytecode cached, as installed
        env.pop(name, None)
    subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True, env=env, check=False)  # warm: cache, page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True, env=env, check=False)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-400:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--history", type=Path, default=ROOT, help="the repository to clone and run in (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clew"
        subprocess.run(["git", "clone", "-q", str(args.history), str(clone)], check=True)
        py = sys.executable
        clew = str(Path(py).parent / "clew")  # the installed command, as users run it (`python -m` would import the clone's code)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True, check=True).stdout.strip()
        base = subprocess.run(["git", "rev-parse", "HEAD~5"], cwd=clone, capture_output=True, text=True, check=True).stdout.strip()
        push = f"refs/heads/main {head} refs/heads/main {base}\n"
        bare = median_ms([py, "-c", "pass"], clone, args.runs)
        rows = [
            ("clew validate", [clew, "validate"], ""),
            ("clew check --range HEAD~5..HEAD", [clew, "check", "--range", "HEAD~5..HEAD"], ""),
            ("clew check --range HEAD~5..HEAD --format json", [clew, "check", "--range", "HEAD~5..HEAD", "--format", "json"], ""),
            ("clew pre-push (5 commits)", [clew, "pre-push", "origin", "url"], push),
            ("clew rules (the click CLI, for comparison)", [clew, "rules"], ""),
        ]
        print(f"{'python -c pass':48} {bare:7.1f} ms   1.0×")
        for name, argv, stdin in rows:
            ms = median_ms(argv, clone, args.runs, stdin)
            print(f"{name:48} {ms:7.1f} ms {ms / bare:5.1f}×")
        print(f"(median of {args.runs} runs each, same machine, same run)")


if __name__ == "__main__":
    main()
