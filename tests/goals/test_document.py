"""Case folders of good and bad goals files, parametrized automatically.

Each bad case starts with `# expect: LINE message`: its error must name that
line and contain that message, with exit code 2 and no traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from checker.errors import GoalsError
from checker.goals import yamldoc
from checker.goals.config import load_config
from checker.goals.schema import goals_schema
from tests.conftest import CASES

GOOD = sorted((CASES / "goals" / "good").glob("*.yml"))
BAD = sorted((CASES / "goals" / "bad").glob("*.yml"))


def expectation(path: Path) -> tuple[int, str]:
    first = path.read_bytes().split(b"\n", 1)[0].decode("latin-1")
    match = re.match(r"# expect: (\d+) (.+)$", first)
    assert match, f"{path.name} must start with '# expect: LINE message'"
    return int(match[1]), match[2]


def test_there_are_enough_cases() -> None:
    assert len(GOOD) >= 6
    assert len(BAD) >= 30


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_case_loads(path: Path) -> None:
    config = load_config(path, path.name)
    assert config.goals.version == 1


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_schema_accepts_good_case(path: Path) -> None:
    data = yamldoc.parse(yamldoc.decode(path.read_bytes()))
    plain = json.loads(json.dumps(data))
    jsonschema.Draft202012Validator(goals_schema()).validate(plain)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_case_names_its_line(path: Path) -> None:
    line, message = expectation(path)
    with pytest.raises(GoalsError) as caught:
        load_config(path, path.name)
    rendered = caught.value.render()
    hits = [d for d in caught.value.diagnostics if d.line == line and message in d.render()]
    assert hits, f"expected an error at {path.name}:{line} containing {message!r}, got:\n{rendered}"
    assert all(d.render().startswith(f"{d.file}:{d.line}:{d.col}: ") for d in caught.value.diagnostics)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_case_through_the_cli_exits_2_without_traceback(path: Path, clew, tmp_path: Path) -> None:
    line, _ = expectation(path)
    run = clew(path.parent, "validate", "--goals", path.name)
    assert run.code == 2
    assert "Traceback" not in run.err + run.out
    assert f"{path.name}:{line}:" in run.err
    assert run.err.strip().splitlines()[-1].endswith(path.name)


def test_all_errors_of_a_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "goals.yml"
    path.write_text(
        "version: 1\nmision: x\nobjectives:\n  - id: a\n    title: A\n    due: 2027-13-01\n  - id: a\n    title: B\n"
        "policy:\n  extends: strickt\n  rules:\n    unaligned-wrk: error\n"
    )
    with pytest.raises(GoalsError) as caught:
        load_config(path, "goals.yml")
    lines = {d.line for d in caught.value.diagnostics}
    assert {2, 6, 7, 10, 12} <= lines, caught.value.render()


def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    import time

    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    levels += [f"{c}: &{c} [{', '.join(['*' + chr(ord(c) - 1)] * 10)}]" for c in "bcdefghijklmnop"]
    path = tmp_path / "goals.yml"
    path.write_text("version: 1\nmission: x\nobjectives: []\n" + "\n".join(levels) + "\n")
    start = time.perf_counter()
    with pytest.raises(GoalsError, match="aliases would expand"):
        load_config(path, "goals.yml")
    assert time.perf_counter() - start < 1.0


def test_duplicate_ids_name_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "goals.yml"
    path.write_text(
        "version: 1\nmission: x\nobjectives:\n  - id: a\n    title: A\nbudgets:\n  - id: a\n    title: B\n    share: 5\n    match: {}\n"
    )
    with pytest.raises(GoalsError) as caught:
        load_config(path, "goals.yml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.line == 7
    assert "goals.yml:4:" in diagnostic.message
