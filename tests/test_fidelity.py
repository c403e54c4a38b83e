"""The reference parser against a labelled set of real commit messages.

tests/fidelity/messages.json holds 116 commit messages from public GitHub and GitLab
repositories (each names its source; long bodies are cut to the subject and the lines
around their references) and 10 traps: dates, versions, quotes, negations and prose
mentions that must link nothing. Each message is labelled with every reference clew must
read, and nothing else. benchmarks/fidelity.py prints the same figures per kind.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from checker.references import parse

ROWS = json.loads((Path(__file__).parent / "fidelity" / "messages.json").read_text(encoding="utf-8"))


def _read(message: str) -> set[str]:
    return {f"{r.kind} {r.target}{'+' if r.closing else ''}" for r in parse(message)}


def test_the_set_is_large_enough_and_sourced() -> None:
    styles = Counter(r["style"] for r in ROWS)
    assert styles["github"] + styles["gitlab"] >= 100
    assert styles["gitlab"] >= 10
    assert styles["trap"] >= 10
    assert all(r["source"] for r in ROWS)
    expected = Counter(e.split()[0] for r in ROWS for e in r["expect"])
    assert expected["pr"] >= 60
    assert expected["mr"] >= 10


@pytest.mark.parametrize("style", ["github", "gitlab"])
def test_recall_of_pr_and_mr_references(style: str) -> None:
    rows = [r for r in ROWS if r["style"] == style]
    wanted = [(r, e) for r in rows for e in r["expect"] if e.split()[0] in ("pr", "mr")]
    missed = [(r["source"], e) for r, e in wanted if e not in _read(r["message"])]
    assert len(wanted) - len(missed) >= 0.995 * len(wanted), missed


def test_no_false_links_anywhere_in_the_set() -> None:
    false = [(r["source"], sorted(_read(r["message"]) - set(r["expect"]))) for r in ROWS if _read(r["message"]) - set(r["expect"])]
    assert false == []


@pytest.mark.parametrize("row", [r for r in ROWS if r["style"] == "trap"], ids=lambda r: r["message"].split("\n")[0][:40])
def test_traps_link_nothing(row: dict[str, object]) -> None:
    assert _read(str(row["message"])) == set()


def test_every_label_is_read() -> None:
    missed = [(r["source"], sorted(set(r["expect"]) - _read(r["message"]))) for r in ROWS if set(r["expect"]) - _read(r["message"])]
    assert missed == []
