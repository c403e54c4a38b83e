"""The pyramid as the tracer and the item rules need it: plain, frozen data.

Built from a validated goals file and its effective policy, and stored as
JSON in the repository's git directory, so that the pre-push path reads it
back without the validating models (pydantic, ruamel.yaml): a push of 100
commits is judged in tens of milliseconds. The cache entry records the hash
of every file it was built from; any change rebuilds it.
"""

import hashlib
import json
from pathlib import Path
from typing import Any, NamedTuple

from checker import __version__

CACHE_FORMAT = 2


class MatchRule(NamedTuple):
    labels: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()


class Node(NamedTuple):
    """An objective, initiative or budget: one id of the shared namespace."""

    kind: str
    id: str
    title: str
    state: str = "active"
    objective: str | None = None
    text: str = ""  # words for suggestions: description, key results, match rules
    match: MatchRule = MatchRule()


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
    window_days: int = 90  # the report's default window: known before the history is read

    def to_json(self) -> dict[str, Any]:
        data = self._asdict()
        data["nodes"] = [{**n._asdict(), "match": n.match._asdict()} for n in self.nodes]
        data["exempt"] = self.exempt._asdict()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Pyramid":
        def rule(d: dict[str, Any]) -> MatchRule:
            return MatchRule(**{k: tuple(v) for k, v in d.items()})

        nodes = tuple(Node(**{**n, "match": rule(n["match"])}) for n in data["nodes"])
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        fields.update(nodes=nodes, exempt=rule(data["exempt"]))
        return cls(**fields)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
        entry = {"deps": {str(p): digest(p.read_bytes()) for p in deps}, "pyramid": pyramid.to_json()}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
