"""The `clew` entry point. The pre-push hook, and `clew check` / `clew validate` in
their plain forms, take a lean path: no click, and (when the compiled goals are
cached in the git directory) no YAML parser and no validating models. Anything
else, `--help` and every error in the arguments included, goes through the
click CLI, which owns the usage messages."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import NamedTuple


class Lean(NamedTuple):
    command: str  # check or validate
    color: str = "auto"
    goals: str | None = None
    fmt: str = "text"
    spec: str | None = None
    per_commit: bool = False


_VALUED = {"check": ("--goals", "--format", "--range"), "validate": ("--goals", "--format")}


def parse_lean(args: Sequence[str]) -> Lean | None:
    """`[--color C] check|validate [options]`, or None when click should read the arguments."""
    rest = list(args)
    color = "auto"
    while rest and rest[0].startswith("--color"):
        key, eq, value = rest.pop(0).partition("=")
        if key != "--color" or (not eq and not rest):
            return None
        color = value if eq else rest.pop(0)
    if not rest or rest[0] not in _VALUED or color not in ("auto", "always", "never"):
        return None
    command, rest = rest[0], rest[1:]
    values: dict[str, str] = {}
    per_commit = False
    while rest:
        arg = rest.pop(0)
        key, eq, value = arg.partition("=")
        if key in _VALUED[command]:
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            values[key] = value
        elif arg == "--per-commit" and command == "check":
            per_commit = True
        else:
            return None
    fmt = values.get("--format", "text")
    from checker.outputs import FORMATS

    if fmt not in FORMATS:
        return None
    return Lean(command, color, values.get("--goals"), fmt, values.get("--range"), per_commit)


def run_lean(lean: Lean) -> int:
    """`clew check` on local git, or `clew validate`, printed to stdout."""
    from pathlib import Path

    from checker.clock import today as clock_today
    from checker.errors import report
    from checker.term import use_color

    try:
        today = clock_today()
        color = use_color(sys.stdout, lean.color)  # type: ignore[arg-type]
        if lean.command == "validate":
            from checker.commands import validate

            try:
                code, out = validate.run(Path.cwd(), lean.goals, lean.fmt, color, today)
            except validate.ValidationFailed as failed:
                sys.stdout.write(failed.payload)
                raise
            sys.stdout.write(out)
            return code
        from checker.forges.local import check

        outcome = check.run(Path.cwd(), lean.goals, lean.spec, lean.per_commit, today, fmt=lean.fmt, color=color)
        sys.stdout.write(outcome.output)
        return outcome.exit_code
    except Exception as exc:
        return report(exc)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["pre-push"] and not {"-h", "--help"} & set(args):
        from checker.forges.local.prepush import main as pre_push

        return pre_push(args[1:])
    lean = parse_lean(args)
    if lean is not None:
        from checker.forges.surfaces import checks_its_event

        if lean.command == "validate" or lean.spec is not None or lean.per_commit or checks_its_event(os.environ) is None:
            return run_lean(lean)
    from checker.cli import main as cli

    return cli(args)
