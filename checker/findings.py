"""Findings: what a rule says about a work item or the goals file.

Locations stay symbolic (a file and a path of keys) until an output resolves
them to line:col. Fingerprints leave line numbers out, so moving text does not
make a finding new.
"""

from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple

from checker.sha import sha256_hex

Severity = Literal["error", "warning", "notice", "off"]
RANK: dict[str, int] = {"off": 0, "notice": 1, "warning": 2, "error": 3}
SEVERITIES: tuple[str, ...] = ("error", "warning", "notice", "off")
# a CI setting's fail-on value -> the lowest severity that fails the job
FAIL_ON: dict[str, str] = {"error": "error", "warning": "warning", "notice": "notice", "never": "off"}


class Location(NamedTuple):
    """A symbolic place in a file: the path of keys and indices to a node."""

    file: str
    keys: tuple[str | int, ...] = ()
    line: int = 1
    col: int = 1


class Finding(NamedTuple):
    rule: str
    severity: Severity
    message: str
    subject: str
    hint: str = ""
    location: Location | None = None
    identity: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Stable across runs and line moves: rule, subject and what it is about."""
        parts = (self.rule, self.subject, *self.identity)
        return sha256_hex("\x1f".join(parts).encode())[:32]

    def with_severity(self, severity: Severity) -> "Finding":
        return self._replace(severity=severity)


def fails(finding: Finding, fail_on: str) -> bool:
    return fail_on != "off" and RANK[finding.severity] >= RANK[fail_on] and finding.severity != "off"


def apply_severities(findings: Iterable[Finding], severities: Mapping[str, str]) -> list[Finding]:
    """The policy's severities, in one pass after the rules; rules switched off are dropped."""
    out = [f.with_severity(severities.get(f.rule, f.severity)) for f in findings]  # type: ignore[arg-type]
    return [f for f in out if f.severity != "off"]
