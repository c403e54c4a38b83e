"""checker.settings: a surface's settings read in one pass, every problem named at once."""

from __future__ import annotations

import pytest

from checker.errors import ClewError
from checker.settings import Setting, read

SETTINGS = (
    Setting("name", ("NAME", "FALLBACK"), default="x"),
    Setting("on", ("ON",), "flag", True),
    Setting("mode", ("MODE",), "choice", "a", ("a", "b")),
    Setting("count", ("COUNT",), check=int),
)


def test_defaults_fallbacks_and_values() -> None:
    assert read(SETTINGS, {}, "settings") == {"name": "x", "on": True, "mode": "a", "count": None}
    values = read(SETTINGS, {"FALLBACK": " y ", "ON": "FALSE", "MODE": "B", "COUNT": "3"}, "settings")
    assert values == {"name": "y", "on": False, "mode": "b", "count": 3}
    assert read(SETTINGS, {"NAME": "first", "FALLBACK": "second"}, "settings")["name"] == "first"


def test_every_problem_at_once() -> None:
    with pytest.raises(ClewError) as raised:
        read(SETTINGS, {"ON": "yes", "MODE": "c", "COUNT": "many"}, "clew settings")
    said = str(raised.value)
    assert said.startswith("invalid clew settings: ")
    assert "ON: 'yes' is not true or false" in said
    assert "MODE: 'c' is not one of a, b" in said
    assert "COUNT: invalid literal" in said
