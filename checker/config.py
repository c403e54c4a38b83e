"""Goals file + effective policy, loaded and validated together: every error of
every file at once, or a ready configuration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.errors import Diagnostic, GoalsError
from checker.goals import load
from checker.goals.load import Document
from checker.goals.model import Goals
from checker.policy import EffectivePolicy, resolve
from checker.trace import Tracer


@dataclass(frozen=True)
class Config:
    goals: Goals
    policy: EffectivePolicy
    doc: Document

    @property
    def file(self) -> str:
        return self.doc.display

    def tracer(self) -> Tracer:
        return Tracer(self.goals, self.policy.exempt, self.policy.references)


def from_document(doc: Document) -> Config:
    goals, diagnostics = load.validate_document(doc)
    policy_model = goals.policy if goals is not None else load.policy_of(doc)
    effective = None
    if policy_model is not None:
        effective, more = resolve(doc, policy_model)
        diagnostics.extend(more)
    if diagnostics or goals is None or effective is None:
        raise GoalsError(diagnostics)
    return Config(goals, effective, doc)


def load_config(path: Path, display: str) -> Config:
    return from_document(load.read_document(path, display))


def load_text(text: bytes, display: str, base: Path) -> Config:
    """A goals file read from elsewhere (git at the base commit), resolved as if at `base`."""
    from checker.goals import yamldoc

    try:
        data = yamldoc.parse(yamldoc.decode(text))
    except yamldoc.YamlProblem as problem:
        raise GoalsError([problem.diagnostic(display)]) from None
    if not isinstance(data, dict):
        raise GoalsError([Diagnostic(display, 1, 1, "(file)", "expected a mapping of keys at the top")])
    return from_document(Document(base, display, data))
