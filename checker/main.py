"""The `clew` entry point: the pre-push hook takes a lean path (no click), every
other command goes through the click CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["pre-push"] and not {"-h", "--help"} & set(args):
        from checker.commands.prepush import main as pre_push

        return pre_push(args[1:])
    from checker.cli import main as cli

    return cli(args)
