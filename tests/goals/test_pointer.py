"""checker.goals.pointer: the `pointer:` grammar of a key result's source, a closed subset of
JSONPath, with an error that says where a pointer breaks."""

from __future__ import annotations

import pytest

from checker.goals.pointer import PointerError, parse_pointer


def test_pointer_grammar() -> None:
    assert parse_pointer("$") == ()
    assert parse_pointer("$.churn.monthly") == ("churn", "monthly")
    assert parse_pointer("$.runs[-1].p95") == ("runs", -1, "p95")
    assert parse_pointer("$['key with spaces'][\"x\"]") == ("key with spaces", "x")
    for bad, said in (
        ("churn", "start it with `$`"),
        ("$.a..b", "at character 4"),
        ("$[*]", "at character 2"),
        ("$.a[?(@.x)]", "at character 4"),
    ):
        with pytest.raises(PointerError, match=said.replace("$", r"\$").replace("[", r"\[")):
            parse_pointer(bad)
