"""Random YAML and random bytes: clean errors only, never a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.config import load_config
from checker.errors import ClewError, GoalsError

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
