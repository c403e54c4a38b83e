"""The day clew judges on: today, or `CLEW_TODAY` (YYYY-MM-DD) for reproducible runs and tests."""

from __future__ import annotations

import datetime as dt
import os

from checker.errors import ClewError


def today() -> dt.date:
    fixed = os.environ.get("CLEW_TODAY")
    try:
        return dt.date.fromisoformat(fixed) if fixed else dt.date.today()
    except ValueError as exc:
        raise ClewError(f"CLEW_TODAY: {exc}; write it as YYYY-MM-DD, or unset it to use today's date") from None
