"""The pyramid as the tracer and the item rules need it: plain, frozen data.

Built from a validated goals file and its effective policy, and stored as
JSON in the repository's git directory, so that the pre-push path reads it
back without the validating models (pydantic, ruamel.yaml): a push of 100
commits is judged in tens of milliseconds. The cache entry records the hash
of every file it was built from; any change rebuilds it.
"""

import json
from pathlib import Path
from typing import Any, NamedTuple

from checker import __version__
from checker.sha import sha256_hex

CACHE_FORMAT = 9


class Thresholds(NamedTuple):
    """The thresholds of objective status, declared here once: the goals file's `report:` section
    (checker.goals.model), its compiled form below and checker.status take them from here."""

    stale_days: int = 14
    blocked_days: int = 3
    at_risk_margin: float = 0.15
    off_track_margin: float = 0.35


DEFAULTS = Thresholds()


class MatchRule(NamedTuple):
    labels: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    bots: bool = False  # any work by a bot
    jira_projects: tuple[str, ...] = ()
    jira_epics: tuple[str, ...] = ()
    jira_labels: tuple[str, ...] = ()
    jira_components: tuple[str, ...] = ()
    jira_versions: tuple[str, ...] = ()


class Node(NamedTuple):
    """An objective, initiative or budget: one id of the shared namespace."""

    kind: str
    id: str
    title: str
    state: str = "active"
    objective: str | None = None
    text: str = ""  # words for suggestions: description, key results, match rules
    match: MatchRule = MatchRule()


def progress(baseline: float | None, target: float | None, current: float | None) -> float | None:
    """(current - baseline) / (target - baseline), clamped to 0..1; None when unmeasurable."""
    if baseline is None or target is None or current is None or target == baseline:
        return None
    return min(1.0, max(0.0, (current - baseline) / (target - baseline)))


class KeyResult(NamedTuple):
    id: str
    title: str
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str | None = None
    source: dict[str, Any] | None = None  # the goals file's `source:` (file/command, pointer, format, timeout)

    def progress(self) -> float | None:
        return progress(self.baseline, self.target, self.current)


class Objective(NamedTuple):
    """What the report says of an objective; dates as ISO strings."""

    id: str
    title: str
    owner: str | None = None
    start: str | None = None
    due: str | None = None
    state: str = "active"
    key_results: tuple[KeyResult, ...] = ()


class Budget(NamedTuple):
    id: str
    title: str
    share: float


class Report(NamedTuple):
    """The goals file's `report:` section."""

    markdown: str = "ALIGNMENT.md"
    json_path: str = "alignment.json"
    html: str = "alignment.html"
    window_days: int = 90
    stale_days: int = DEFAULTS.stale_days
    blocked_days: int = DEFAULTS.blocked_days
    at_risk_margin: float = DEFAULTS.at_risk_margin
    off_track_margin: float = DEFAULTS.off_track_margin
    max_items: int = 2000
    blocked_labels: tuple[str, ...] = ("blocked", "status::blocked")
    priority_labels: tuple[str, ...] = ("critical", "priority::critical", "priority::1", "p0", "p1")


def report_settings(data: dict[str, Any]) -> Report:
    """The `report:` section from plain data (the cache's JSON, or the validated model's dump)."""
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return Report(**values)


class Pyramid(NamedTuple):
    file: str
    mission: str
    nodes: tuple[Node, ...]
    key_results: dict[str, str]  # "objective.kr" -> objective id
    exempt: MatchRule
    trailers: tuple[str, ...]
    escape: str
    label_prefix: str
    severities: dict[str, str]
    options: dict[str, dict[str, Any]]
    fail_on: str
    packs: tuple[str, ...] = ()
    # What the report needs of the goals file, so that a report reads no YAML when the cache holds it.
    objectives: tuple[Objective, ...] = ()
    budgets: tuple[Budget, ...] = ()
    report: Report = Report()
    # Where the goals rules point (line, column), by `position_key`: findings about the goals file
    # are placed without parsing it again.
    positions: dict[str, tuple[int, int]] = {}  # noqa: RUF012 -- a NamedTuple default, never mutated
    # The goals file's `jira:` settings (url, projects, deployment, epic_field); empty without Jira.
    jira: dict[str, Any] = {}  # noqa: RUF012 -- a NamedTuple default, never mutated

    @property
    def window_days(self) -> int:
        return self.report.window_days

    def at(self, keys: tuple[str | int, ...]) -> tuple[int, int] | None:
        """Line and column of a place the goals rules name (`positions_for`), if compiled."""
        found = self.positions.get(position_key(keys))
        return (found[0], found[1]) if found is not None else None

    def counts(self) -> dict[str, int]:
        """How many objectives, key results, initiatives and budgets (see `summary`)."""
        return {
            "objectives": len(self.objectives),
            "key_results": sum(len(o.key_results) for o in self.objectives),
            "initiatives": sum(1 for n in self.nodes if n.kind == "initiative"),
            "budgets": len(self.budgets),
        }

    def to_json(self) -> dict[str, Any]:
        data = self._asdict()
        data["nodes"] = [{**n._asdict(), "match": n.match._asdict()} for n in self.nodes]
        data["exempt"] = self.exempt._asdict()
        data["objectives"] = [{**o._asdict(), "key_results": [k._asdict() for k in o.key_results]} for o in self.objectives]
        data["budgets"] = [b._asdict() for b in self.budgets]
        data["report"] = self.report._asdict()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Pyramid":
        def rule(d: dict[str, Any]) -> MatchRule:
            return MatchRule(**{k: tuple(v) for k, v in d.items() if k != "bots"}, bots=bool(d.get("bots")))

        nodes = tuple(Node(**{**n, "match": rule(n["match"])}) for n in data["nodes"])
        objectives = tuple(Objective(**{**o, "key_results": tuple(KeyResult(**k) for k in o["key_results"])}) for o in data["objectives"])
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        fields.update(
            nodes=nodes,
            exempt=rule(data["exempt"]),
            objectives=objectives,
            budgets=tuple(Budget(**b) for b in data["budgets"]),
            report=report_settings(data["report"]),
            positions={k: (v[0], v[1]) for k, v in data.get("positions", {}).items()},
        )
        return cls(**fields)


def summary(counts: dict[str, int]) -> str:
    """`2 objectives, 1 key result, 3 initiatives, 0 budgets`: what `clew validate` says of a file."""
    words = (("objectives", "objective"), ("key_results", "key result"), ("initiatives", "initiative"), ("budgets", "budget"))
    return ", ".join(f"{counts[key]} {word}{'' if counts[key] == 1 else 's'}" for key, word in words)


def position_key(keys: tuple[str | int, ...]) -> str:
    """`("objectives", 0, "due")` → `objectives/0/due`."""
    return "/".join(map(str, keys))


def positions_for(objectives: tuple[Objective, ...], at: Any) -> dict[str, tuple[int, int]]:
    """The places the goals rules name (checker.rules): each objective's id and due date, each
    key result's id. `at(keys)` gives (line, column) in the parsed file."""
    keys: list[tuple[str | int, ...]] = []
    for i, o in enumerate(objectives):
        keys += [("objectives", i, "id"), ("objectives", i, "due")]
        keys += [("objectives", i, "key_results", j, "id") for j in range(len(o.key_results))]
    return {position_key(k): tuple(at(k)) for k in keys}


def digest(data: bytes) -> str:
    return sha256_hex(data)


def cache_path(cache_dir: Path, goals_bytes: bytes, display: str, policy: str | None = None) -> Path:
    key = digest(f"{CACHE_FORMAT}\0{__version__}\0{display}\0{policy or ''}\0".encode() + goals_bytes)[:40]
    return cache_dir / f"pyramid-{key}.json"


def read_cache(path: Path) -> "Pyramid | None":
    """The cached pyramid, if every file it was built from is unchanged."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        for dep, expected in entry["deps"].items():
            if digest(Path(dep).read_bytes()) != expected:
                return None
        return Pyramid.from_json(entry["pyramid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cache(path: Path, pyramid: Pyramid, deps: list[Path]) -> None:
    """Best effort: a read-only git directory only costs speed."""
    try:
        from checker.safewrite import replace

        entry = {"deps": {str(p): digest(p.read_bytes()) for p in deps}, "pyramid": pyramid.to_json()}
        replace(path, json.dumps(entry).encode("utf-8"))
    except OSError:
        pass
