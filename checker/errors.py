"""The error tree and the exit codes.

Exit codes (documented in the README):

* 0 — nothing at or above the failing severity;
* 1 — findings that fail the policy;
* 2 — usage, configuration or goals-file error;
* 3 — an internal error in clew itself (a bug: please report it).
"""

from typing import NamedTuple

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class Diagnostic(NamedTuple):
    """One problem in a file, at a line and column (1-based)."""

    file: str
    line: int
    col: int
    path: str
    message: str
    hint: str = ""

    def render(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: {self.path}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


class ClewError(Exception):
    """An error the user can act on: printed as one paragraph, exit code 2."""

    exit_code = EXIT_USAGE

    def render(self) -> str:
        return str(self)


class GoalsError(ClewError):
    """Every problem found in a goals or policy file, reported at once."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.file, d.line, d.col))
        super().__init__(self.render())

    def render(self) -> str:
        lines = [d.render() for d in self.diagnostics]
        count = len(self.diagnostics)
        files = sorted({d.file for d in self.diagnostics})
        lines.append(f"{count} error{'s' if count != 1 else ''} in {', '.join(files)}")
        return "\n".join(lines)


class ApiError(ClewError):
    """A forge's API could not give what clew needed, after retries: an outage, a rate limit,
    a refusal. `status` is the HTTP status when there was one (None for a timeout or a broken
    answer). Both forges raise this one class."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ClewError):
    """A forge rejected the token: a configuration error (exit 2), never an outage to pass open."""


class QueryRejected(ClewError):
    """A forge rejected the request clew built (not an outage): a bug in clew, so the check fails closed."""

    exit_code = EXIT_INTERNAL


class GitError(ClewError):
    """git failed or the repository is not in the state we need."""


def report(exc: BaseException) -> int:
    """Print an error as one paragraph on stderr and return its exit code."""
    import os
    import sys
    import traceback

    if isinstance(exc, ClewError):
        text = exc.render()
        sys.stderr.write((text if "\n" in text else f"clew: {text}") + "\n")
        return exc.exit_code
    if os.environ.get("CLEW_DEBUG"):
        traceback.print_exception(exc)
    sys.stderr.write(f"clew: internal error ({type(exc).__name__}); please report it, with CLEW_DEBUG=1 for details\n")
    return EXIT_INTERNAL
