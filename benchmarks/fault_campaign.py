"""The fault campaign as a table: every API call clew makes (GitHub and GitLab,
check and report) × 500, 502, 403 secondary rate limit, 429, 404, timeout,
truncated JSON, against the local servers. Needs the test extras.

Run: .venv/bin/python benchmarks/fault_campaign.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fault_campaign import CALLS, FAULTS, run_case, table, transient


def main() -> int:
    start = time.perf_counter()
    rows = [(call, fault, run_case(call, fault)) for call in CALLS for fault in FAULTS]
    print(table(rows))
    tally: Counter[str] = Counter()
    for call, fault, out in rows:
        passing = transient(call.surface, fault)
        tally["cases"] += 1
        tally["crashed"] += out.traceback
        tally["duplicate sticky"] += out.sticky > 1
        tally["doubled report commit"] += out.report_commits > 1
        tally["transient"] += passing
        tally["transient, recovered"] += passing and out.expected_writes_done
        tally["lasting"] += not passing
        tally["lasting, told or complete"] += not passing and (out.told or out.expected_writes_done)
    print()
    print(", ".join(f"{k}: {v}" for k, v in tally.items()), f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
