"""SHA-256 for cache keys and fingerprints. The interpreter's built-in implementation imports
in microseconds, where `hashlib` loads OpenSSL (a tenth of a small check's start); the
digests are the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_impl: Callable[[bytes], Any]
try:
    from _sha256 import sha256 as _impl  # type: ignore[import-not-found,no-redef]
except ImportError:  # an interpreter built without it
    from hashlib import sha256 as _impl


def sha256_hex(data: bytes) -> str:
    """The hexadecimal SHA-256 of `data`."""
    return str(_impl(data).hexdigest())
