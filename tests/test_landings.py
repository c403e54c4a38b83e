"""checker.landings: how a mainline commit says its change landed, on 360 real messages from
twelve public histories of distinct shapes (tests/fidelity/landings.json, each with its source),
and the traps among them. Every number carries the repository it belongs to."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from checker.landings import Landing, gitlab_hosted, landings, named, own_branch, same_project

ROWS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "fidelity" / "landings.json").read_text(encoding="utf-8"))


def _read(row: dict[str, Any]) -> list[str]:
    out = []
    found = landings(row["subject"], row["body"], merge=row["merge"])
    for landing in named(found, gitlab=row["forge"] == "gitlab"):
        own = same_project(landing.project, row["repository"]) or landing.kind == "review"
        out.append(f"{landing.kind} {landing.number}" + ("" if own else f" in {landing.project}"))
    return out


def test_the_set_is_large_varied_and_sourced() -> None:
    assert len(ROWS) >= 300
    assert len({r["repository"] for r in ROWS}) >= 12
    assert all("@" in r["source"] and r["source"].startswith(r["repository"]) for r in ROWS)
    kinds = Counter(e.split()[0] for r in ROWS for e in r["expect"])
    assert kinds["pr"] >= 100
    assert kinds["mr"] >= 20
    assert kinds["review"] >= 20
    assert sum(1 for r in ROWS if not r["expect"]) >= 50  # messages that land nothing


@pytest.mark.parametrize("repository", sorted({r["repository"] for r in ROWS}))
def test_every_landing_of_a_history_is_read_and_nothing_else(repository: str) -> None:
    rows = [r for r in ROWS if r["repository"] == repository]
    wrong = [(r["source"], r["expect"], _read(r)) for r in rows if _read(r) != r["expect"]]
    assert wrong == []


@pytest.mark.parametrize("row", [r for r in ROWS if "shape" in r], ids=lambda r: f"{r['shape']}@{r['source'].split('@')[1]}")
def test_the_hard_shapes(row: dict[str, Any]) -> None:
    assert _read(row) == row["expect"]


def test_numbers_the_text_calls_issues_or_other_changes_are_no_landing() -> None:
    body = "Tracking issue: https://github.com/rust-lang/cargo/issues/9096\nOriginal PR: https://github.com/rust-lang/cargo/pull/9992"
    assert landings("Backport the fix", body, merge=False) == []
    assert [x.number for x in landings("Backport the fix (#10001)", body, merge=False)] == ["10001"]


def test_another_repositorys_number_carries_its_repository() -> None:
    body = "Summary: Pull Request resolved: https://github.com/facebook/CacheLib/pull/439\n\nDifferential Revision: D99315659"
    (found,) = landings("flip opensource to use pyrefly (#439)", body, merge=False)
    assert (found.kind, found.number, found.project) == ("pr", "439", "facebook/CacheLib")
    assert not same_project(found.project, "facebook/watchman")


def test_a_pull_request_merged_into_a_forks_branch_is_the_forks() -> None:
    fork = Landing("pr", "12913", None, "bors merge", "master", None, "anupj")
    own = Landing("pr", "2600", None, "merge subject", "feature", None, "pallets")
    assert not own_branch(fork, "rust-lang/cargo")
    assert own_branch(own, "pallets/flask")
    assert not own_branch(own, None)  # who the repository is, unknown: not ours


def test_a_history_of_merge_requests_is_gitlabs_and_there_a_bare_number_lands_nothing() -> None:
    gnome = [r for r in ROWS if r["repository"] == "GNOME/gnome-shell"]
    flask = [r for r in ROWS if r["repository"] == "pallets/flask"]
    assert gitlab_hosted([landings(r["subject"], r["body"], merge=r["merge"]) for r in gnome])
    assert not gitlab_hosted([landings(r["subject"], r["body"], merge=r["merge"]) for r in flask])
    bug = landings("Implement Telepathy Debug interface (#652816)", "", merge=False)
    assert [x.number for x in bug] == ["652816"]  # on GitHub, a squash subject
    assert named(bug, gitlab=True) == []  # on GitLab, `#N` is an issue: no change landed
    closes = landings("import: fix get_default_app_info usage", "Closes #129", merge=False)
    assert named(closes, gitlab=True) == []
    assert len(named(closes, gitlab=False)) == 1
    part_of = landings("shell: Fix it", "Part-of: <https://gitlab.gnome.org/GNOME/gnome-shell/-/merge_requests/12>", merge=False)
    assert named(part_of, gitlab=True) == part_of  # the evidence that names its kind stays
