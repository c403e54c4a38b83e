"""checker.suggest: the closest objectives for untraced work, by the words they share, with path
words weighed by how rare they are among the repository's files (pallets/flask's own list,
tests/cases/paths/pallets-flask.txt): `src`, `flask` and `py` are in most of them and point
nowhere; a file's own name points somewhere."""

from __future__ import annotations

from pathlib import Path

from checker import app
from checker.suggest import PathRarity, suggest
from checker.work import Work, WorkItem
from tests.helpers import TODAY, config

FLASK = [
    line
    for line in (Path(__file__).parent / "cases" / "paths" / "pallets-flask.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]

GOALS = """\
version: 1
mission: A small, dependable web framework
objectives:
  - id: typing
    title: Complete type hints
    owner: davidism
    due: 2027-06-30
    match:
      paths: ["src/flask/typing.py"]
  - id: helpers
    title: Stable helper functions
    owner: davidism
    due: 2027-06-30
    match:
      paths: ["src/flask/helpers.py"]
  - id: docs
    title: Documentation people finish reading
    owner: davidism
    due: 2027-06-30
"""


def _change(*paths: str, title: str = "Tidy") -> WorkItem:
    return WorkItem(kind="pr", key="5001", title=title, paths=paths)


def test_words_most_paths_share_weigh_little_and_a_files_own_name_a_lot() -> None:
    rarity = PathRarity(FLASK)
    assert len(FLASK) > 200
    assert rarity.weight("py") < 0.05
    assert rarity.weight("src") < 0.25
    assert rarity.weight("flask") < 0.25
    assert rarity.weight("helper") > 0.7
    assert rarity.weight("nowhere-in-flask") == 1.0
    assert PathRarity(["src/flask/helpers.py"]).weight("flask") == 1.0, "one path: nothing to compare"


def test_a_change_to_helpers_is_closest_to_helpers_not_to_typing(tmp_path: Path) -> None:
    pyramid = config(tmp_path, GOALS).pyramid()
    item = _change("src/flask/helpers.py")
    ideas = suggest(pyramid, item, rarity=PathRarity(FLASK))
    assert ideas[0].id == "helpers"
    assert ideas[0].matched == ("helper",)
    assert all(s.id != "typing" for s in ideas), "typing shares only src, flask and py with it"
    alone = suggest(pyramid, item)  # no repository to compare with: the old weighing
    assert {"src", "flask"} <= set(alone[0].matched)


def test_a_change_to_docs_only_gets_no_word_from_the_source_tree(tmp_path: Path) -> None:
    pyramid = config(tmp_path, GOALS).pyramid()
    ideas = suggest(
        pyramid, _change("docs/api.rst", "docs/patterns/celery.rst", title="Documentation for celery"), rarity=PathRarity(FLASK)
    )
    assert ideas[0].id == "docs"
    assert "rst" not in ideas[0].matched


def test_the_check_weighs_path_words_by_the_repositorys_files(tmp_path: Path) -> None:
    cfg = config(tmp_path, GOALS)
    asked: list[int] = []

    def tracked() -> list[str]:
        asked.append(1)
        return FLASK

    result = app.evaluate(cfg.pyramid(), Work([_change("src/flask/sansio/helpers.py")], tracked=tracked), today=TODAY)
    (ideas,) = result.suggestions.values()
    assert ideas[0].id == "helpers"
    assert asked == [1], "the files are listed once, and only when something needs a suggestion"
    traced = app.evaluate(
        cfg.pyramid(), Work([WorkItem(kind="pr", key="1", title="x", body="Objective: docs")], tracked=tracked), today=TODAY
    )
    assert traced.suggestions == {}
    assert asked == [1], "nothing untraced: the files are not listed"
