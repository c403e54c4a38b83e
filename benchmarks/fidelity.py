"""How faithfully clew reads PR and MR references, on real messages.

Two measures, printed per kind of reference (merge subjects, squash `(#N)`,
`See merge request`, `Part-of:`, `Closes:`/`Fixes:` URLs):

- `--labelled` (the default): the labelled set shipped in
  tests/fidelity/messages.json, 126 real commit messages from public GitHub and
  GitLab repositories (each names its source) plus traps (dates, versions,
  quotes, negations, prose mentions). Recall, and false links: references clew
  reads that the label does not hold.
- `--repo PATH`: any local clone. clew clones nothing; give it a path. An
  independent, deliberately simple recogniser (a handful of anchored regular
  expressions, below) finds the PR/MR references of every commit message, and
  the benchmark prints which share of them clew's parser finds. Links clew
  reads beyond those (closing keywords, mentions) are counted, not judged:
  without labels nobody can say they are false.

Run: .venv/bin/python benchmarks/fidelity.py [--repo PATH] [--max-count N]
Goal: recall >= 99.5% of PR/MR references on both kinds of history; 0 false
links in the labelled set.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checker.references import parse  # noqa: E402

SIMPLE = {  # kind -> (pattern, group of the number); independent of clew's parser
    "merge subject": (re.compile(r"\AMerge pull request #(\d+) from "), 1),
    "squash (#N)": (re.compile(r"\A[^\n]*\(#(\d+)\)[ \t]*$", re.M), 1),
    "See merge request": (re.compile(r"^[ \t]*See merge request \S+!(\d+)[ \t]*$", re.M), 1),
    "Part-of:": (re.compile(r"^Part-of:[ \t]*<?https?://\S+?/merge_requests/(\d+)>?[ \t]*$", re.M), 1),
    "Closes: URL": (re.compile(r"^(?:Closes|Fixes):[ \t]*<?https?://\S+?/(?:issues|pull|merge_requests)/(\d+)>?[ \t]*$", re.M), 1),
}


def simple_references(message: str) -> list[tuple[str, str]]:
    found = []
    subject = message.split("\n", 1)[0]
    for kind, (pattern, group) in SIMPLE.items():
        text = subject if kind == "squash (#N)" else message
        found.extend((kind, m[group]) for m in pattern.finditer(text))
    return found


def clew_numbers(message: str) -> set[str]:
    return {ref.target.rsplit("!" if "!" in ref.target else "#", 1)[-1] for ref in parse(message) if ref.kind in ("pr", "mr", "issue")}


def measure(messages: list[str]) -> tuple[Counter[str], Counter[str], int]:
    seen, found, extra = Counter(), Counter(), 0
    for message in messages:
        numbers = clew_numbers(message)
        simple = simple_references(message)
        for kind, number in simple:
            seen[kind] += 1
            found[kind] += number in numbers
        extra += len(numbers - {n for _, n in simple})
    return seen, found, extra


def table(title: str, seen: Counter[str], found: Counter[str]) -> float:
    print(title)
    print(f"  {'kind':<20} {'found':>7} {'of':>7} {'recall':>8}")
    for kind in SIMPLE:
        if seen[kind]:
            print(f"  {kind:<20} {found[kind]:>7} {seen[kind]:>7} {100 * found[kind] / seen[kind]:>7.2f}%")
    total, hit = sum(seen.values()), sum(found.values())
    recall = 100 * hit / total if total else 100.0
    print(f"  {'all':<20} {hit:>7} {total:>7} {recall:>7.2f}%")
    return recall


def labelled() -> int:
    rows = json.loads((ROOT / "tests" / "fidelity" / "messages.json").read_text(encoding="utf-8"))
    worst = 100.0
    for style in ("github", "gitlab"):
        seen, found, _ = measure([r["message"] for r in rows if r["style"] == style])
        worst = min(worst, table(f"labelled set, {style}-style messages ({sum(r['style'] == style for r in rows)})", seen, found))
    false_links, missed = 0, 0
    for row in rows:
        got = {f"{r.kind} {r.target}{'+' if r.closing else ''}" for r in parse(row["message"])}
        false_links += len(got - set(row["expect"]))
        missed += len(set(row["expect"]) - got)
    traps = [r for r in rows if r["style"] == "trap"]
    trap_links = sum(len(parse(r["message"])) for r in traps)
    print(f"labelled references missed: {missed}; false links: {false_links} (traps: {trap_links} links in {len(traps)} traps)")
    return 0 if worst >= 99.5 and false_links == 0 else 1


def repository(path: Path, max_count: int | None) -> int:
    args = ["git", "-C", str(path), "log", "--format=%B%x00", *([f"--max-count={max_count}"] if max_count else [])]
    out = subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8", "replace")
    messages = [m.strip("\n") for m in out.split("\0") if m.strip()]
    seen, found, extra = measure(messages)
    recall = table(f"{path} ({len(messages)} commits)", seen, found)
    print(f"other links clew reads there (closing keywords, mentions; not judged): {extra}")
    return 0 if recall >= 99.5 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, help="a local clone to measure (nothing is cloned)")
    parser.add_argument("--max-count", type=int, help="only the newest N commits")
    options = parser.parse_args()
    return repository(options.repo, options.max_count) if options.repo else labelled()


if __name__ == "__main__":
    sys.exit(main())
