"""`clew validate` on a generated 2,000-objective goals file: whole-process wall time.

Run: .venv/bin/python benchmarks/validate_large.py [--objectives N] [--runs R]
Goal: under 1 s.
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


def generate(n: int) -> str:
    out = ["version: 1", "mission: A generated pyramid for the benchmark", "objectives:"]
    for i in range(n):
        out += [
            f"  - id: objective-{i}",
            f"    title: Objective number {i} improves the product for customers",
            f'    owner: "@owner{i % 50}"',
            "    due: 2027-03-31",
            "    key_results:",
            f"      - id: kr-{i}",
            f"        title: Metric {i} reaches its target",
            "        baseline: 10",
            "        target: 20",
            "        current: 12",
            "    initiatives:",
            f"      - id: initiative-{i}",
            f"        title: Initiative {i}",
            "        match:",
            f"          labels: [area-{i}]",
            f"          branches: ['area-{i}/*']",
            f"          paths: ['services/area-{i}/**']",
        ]
    out += ["budgets:", "  - id: maintenance", "    title: Keep the lights on", "    share: 20%", "    match: {labels: [chore]}"]
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objectives", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "goals.yml"
        path.write_text(generate(args.objectives))
        lines = path.read_text().count("\n")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run([sys.executable, "-m", "checker", "--version"], capture_output=True, check=False, env=env)  # writes bytecode
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "checker", "validate"], cwd=tmp, capture_output=True, text=True, check=False, env=env
            )
            times.append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                print(proc.stdout, proc.stderr)
                return 1
        print(f"clew validate, {args.objectives} objectives ({lines} lines): {proc.stdout.strip().splitlines()[-1]}")
        print(f"  wall time over {args.runs} runs: min {min(times):.3f} s, median {statistics.median(times):.3f} s, max {max(times):.3f} s")
        print(f"  goal < 1 s: {'met' if statistics.median(times) < 1 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
