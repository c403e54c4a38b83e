"""Random YAML and random bytes: clean errors only, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import ClewError, GoalsError
from checker.goals.config import load_config
from tests.conftest import clew_process

pytestmark = pytest.mark.slow  # minutes, not seconds: `pytest -m 'not slow'` leaves it out

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), st.dates().map(str))
keys = st.sampled_from(
    [
        "version",
        "mission",
        "objectives",
        "id",
        "title",
        "due",
        "owner",
        "key_results",
        "initiatives",
        "match",
        "budgets",
        "share",
        "policy",
        "extends",
        "rules",
        "report",
        "markdown",
        "labels",
        "x",
    ]
)
trees = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(keys, kids, max_size=5)), max_leaves=30)


def _dump(value: object, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "\n" + "\n".join(f"{pad}{k}: {_dump(v, indent + 2)}" for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return "[]"
        return "\n" + "\n".join(f"{pad}- {_dump(v, indent + 2).lstrip()}" for v in value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else repr(value)


def _load(tmp: Path, data: bytes) -> None:
    path = tmp / "goals.yml"
    path.write_bytes(data)
    diagnostics = []
    try:
        load_config(path, "goals.yml")
    except GoalsError as exc:
        diagnostics = exc.diagnostics
        assert diagnostics
    except ClewError:
        pass
    for d in diagnostics:
        assert d.line >= 1
        assert d.col >= 1
        assert d.render().startswith("goals.yml:")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees)
def test_random_yaml_gives_clean_errors(tmp_path: Path, tree: object) -> None:
    _load(tmp_path, _dump({"version": 1, "mission": "m", "objectives": tree} if isinstance(tree, list) else tree).encode())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_give_clean_errors(tmp_path: Path, data: bytes) -> None:
    _load(tmp_path, data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("version: 1\n-[]{}&*!|>'\"#%@`\t ,?:abc")), max_size=120))
def test_random_yaml_punctuation_gives_clean_errors(tmp_path: Path, text: str) -> None:
    _load(tmp_path, text.encode())


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nmission: x\nobjectives: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "version: 1\nmission: x\nobjectives: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
        "version: 1\nmission: x\nobjectives:\n" + "".join("  " * i + "-\n" for i in range(1, 3_000)),
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_a_ten_thousand_deep_yaml_is_a_goals_error_not_a_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "goals.yml"
    path.write_text(text)
    with pytest.raises(GoalsError) as caught:
        load_config(path, "goals.yml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.line >= 3
    assert "nests more than 64 levels deep" in diagnostic.message
    run = clew_process(tmp_path, "validate")
    assert run.code == 2
    assert "Traceback" not in run.err
    assert "internal error" not in run.err
