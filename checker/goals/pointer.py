"""The `pointer:` of a key result's `source:`: a small, closed subset of JSONPath. `$`, then
`.name`, `[index]` (negative counts from the end) or `['any name']`. No filters, no wildcards:
a pointer names one value. Part of the goals vocabulary (the model validates pointers at load);
checker.forges.metrics follows them through what a source read."""

from __future__ import annotations

import re

_STEP = re.compile(r"""\.([A-Za-z_][A-Za-z0-9_-]*)|\[(-?\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]""")


class PointerError(ValueError):
    pass


def parse_pointer(text: str) -> tuple[str | int, ...]:
    """`$.a[0]['b c']` → ('a', 0, 'b c'); a clear error for anything else."""
    pointer = text.strip()
    if not pointer.startswith("$"):
        raise PointerError(f"invalid pointer {text!r}: start it with `$`, e.g. `$.value` or `$[-1].churn`")
    steps: list[str | int] = []
    at = 1
    while at < len(pointer):
        match = _STEP.match(pointer, at)
        if match is None:
            raise PointerError(
                f"invalid pointer {text!r} at character {at + 1} ({pointer[at : at + 12]!r}): write `.name`, `[index]` or `['name']`"
            )
        name, index, single, double = match.groups()
        if index is not None:
            steps.append(int(index))
        else:
            quoted = single if single is not None else double
            steps.append(name if name is not None else re.sub(r"\\(.)", r"\1", quoted or ""))
        at = match.end()
    return tuple(steps)
