"""`clew init`: a commented starter goals.yml. Never overwrites a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from checker.errors import ClewError

STARTER = """\
# yaml-language-server: $schema=https://clew.dev/schema/goals.schema.json
# The goals file of this repository: mission -> objectives (with key results)
# -> initiatives. clew checks that every PR, MR, branch and commit traces to an
# objective, and reports the rest as potential waste. Reference: docs/goals.md
version: 1

# Why the team exists, in one sentence.
mission: Describe why this team exists

objectives:
  # An id is a letter or digit, then letters, digits, '-', '_' or '.';
  # ids are unique across objectives, initiatives and budgets.
  - id: first-objective
    title: What you want to achieve this quarter
    owner: "@your-login"
    due: {due}
    key_results:                 # progress = (current - baseline) / (target - baseline)
      - id: main-metric
        title: The number that tells you it worked
        baseline: 0
        target: 100
        current: 0
    initiatives:
      - id: first-initiative
        title: How you will get there
        match:                   # work is recognised by any of these
          labels: [first-initiative]
          branches: ["first-initiative/*"]
          paths: []

# Non-roadmap work, counted against a ceiling instead of hidden.
budgets:
  - id: maintenance
    title: Keep the lights on
    share: 20%
    match:
      authors: ["dependabot[bot]", "renovate[bot]"]
      titles: ["^(chore|build|ci)(\\\\(.+\\\\))?:"]

policy:
  extends: default               # or: strict (untraced work fails the check)
  exempt:                        # not work at all: counted nowhere
    authors: []
    labels: []

report:
  markdown: ALIGNMENT.md
  json: alignment.json
  window_days: 90
"""


def starter(today: dt.date) -> str:
    return STARTER.format(due=(today + dt.timedelta(days=90)).isoformat())


def run(path: Path, today: dt.date | None = None) -> str:
    if path.exists():
        raise ClewError(f"{path} already exists; clew init never overwrites a file (edit it, or remove it first)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(starter(today or dt.date.today()))
    return f"wrote {path}; next: edit it, then run `clew validate`\n"
