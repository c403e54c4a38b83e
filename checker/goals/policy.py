"""Policy packs, `extends`, per-rule severities and options, applied in one
pass after the rules (rules never see the policy).

A pack is a YAML file in the format of the goals file's `policy:` section.
Shipped packs (`default`, `strict`) are reached by name; anything containing
a `/` or ending in `.yml`/`.yaml` is a path relative to the file naming it.
With no `extends`, the goals file extends `default`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from checker.errors import Diagnostic, GoalsError
from checker.findings import SEVERITIES, Severity
from checker.goals import document as load
from checker.goals.document import Document, Loc
from checker.goals.model import Exempt, Policy, References
from checker.rules import REGISTRY


def packs_dir() -> Path:
    """Shipped packs: inside the wheel, or `policies/` beside the package in a checkout."""
    package = Path(__file__).resolve().parents[1]  # checker/
    for candidate in (package / "policies", package.parent / "policies"):
        if candidate.is_dir():
            return candidate
    return package / "policies"


def shipped_packs() -> list[str]:
    return sorted(p.stem for p in packs_dir().glob("*.yml"))


@dataclass
class Layer:
    """One policy source (a pack or the goals file) and where it was written."""

    doc: Document
    prefix: Loc
    policy: Policy
    name: str


@dataclass(frozen=True)
class EffectivePolicy:
    severities: dict[str, Severity]
    options: dict[str, dict[str, Any]]
    exempt: Exempt
    references: References
    fail_on: Severity
    packs: tuple[str, ...] = field(default=())
    files: tuple[Path, ...] = field(default=())


@functools.cache
def options_adapter(rule_id: str) -> TypeAdapter[Any]:
    """A validator for a rule's options TypedDict. pydantic wants typing_extensions'
    TypedDict on Python < 3.12; the rules use typing's (cheaper to import on the
    pre-push path), so the class is restated here, closed to unknown keys."""
    import typing

    import typing_extensions

    declared = REGISTRY[rule_id].options
    fields = typing.get_type_hints(declared)
    make: Any = typing_extensions.TypedDict
    restated: Any = make(declared.__name__, fields, total=False)
    restated.__pydantic_config__ = {"extra": "forbid"}
    restated.__doc__ = declared.__doc__
    return TypeAdapter(restated)


def validate_options(rule_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = options_adapter(rule_id).validate_python(raw)
    return options


class _Resolver:
    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.layers: list[Layer] = []
        self.visiting: list[Path] = []
        self.top: Path | None = None  # where pack paths must stay: the goals file's repository

    def extends(self, layer: Layer) -> None:
        """Depth-first: a layer's packs come before the layer itself."""
        for index, name in enumerate(layer.policy.extends):
            loc = (*layer.prefix, "extends", index)
            path = self.find_pack(name, layer, loc)
            if path is None:
                continue
            if path in self.visiting:
                self.diagnostics.append(layer.doc.diagnostic(loc, f"pack {name!r} extends itself", "remove the cycle"))
                continue
            self.visiting.append(path)
            self.load_pack(path, name)
            self.visiting.pop()
        self.layers.append(layer)

    def find_pack(self, name: str, layer: Layer, loc: Loc) -> Path | None:
        if "/" in name or name.endswith((".yml", ".yaml")):
            if layer.doc.foreign:  # a path in another repository's file would name a file of this one, or of the machine
                self.diagnostics.append(layer.doc.diagnostic(loc, "", key=False))
                return None
            top = self.top
            path = (layer.doc.path.parent / name).resolve()
            if top is not None and path != top and top not in path.parents:
                self.diagnostics.append(
                    layer.doc.diagnostic(
                        loc,
                        f"policy pack file {name!r} is outside the repository",
                        "a pack is one of the shipped packs or a file of this repository; nothing outside it is read",
                    )
                )
                return None
            if path.is_file():
                return path
            self.diagnostics.append(
                layer.doc.diagnostic(loc, f"policy pack file {name!r} not found", f"paths are relative to {layer.doc.display}")
            )
            return None
        path = packs_dir() / f"{name}.yml"
        if path.is_file():
            return path.resolve()
        known = shipped_packs()
        hint = load.did_you_mean(name, known) or f"shipped packs: {', '.join(known)}"
        self.diagnostics.append(layer.doc.diagnostic(loc, f"unknown policy pack {name!r}", hint))
        return None

    def load_pack(self, path: Path, name: str) -> None:
        display = name if path.parent == packs_dir().resolve() else str(path)
        try:
            doc = load.read_document(path, f"{display}" if display.endswith((".yml", ".yaml")) else f"policies/{name}.yml")
        except GoalsError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return
        try:
            policy = Policy.model_validate(doc.data)
        except ValidationError as exc:
            self.diagnostics.extend(load.pydantic_diagnostics(doc, exc, Policy))
            return
        self.extends(Layer(doc, (), policy, name))


def _top(doc: Document) -> Path | None:
    """The directory a goals file's pack paths must stay in: the repository's top, found by
    taking the file's repository-relative name (`.github/goals.yml`) off its path. A file named
    by an absolute path (`--goals /etc/team/goals.yml`, chosen on purpose) keeps its directory."""
    shown = Path(doc.display.split("@", 1)[0])
    if shown.is_absolute() or ".." in shown.parts or not shown.parts:
        return doc.path.resolve().parent
    here = doc.path.resolve()
    depth = len(shown.parts)
    if here.parts[-depth:] != shown.parts:
        return here.parent
    return here.parents[depth - 1]


def _rule_diagnostics(layer: Layer) -> Iterator[Diagnostic]:
    for rule_id, setting in layer.policy.rules.items():
        loc = (*layer.prefix, "rules", rule_id)
        rule = REGISTRY.get(rule_id)
        if rule is None:
            hint = load.did_you_mean(rule_id, list(REGISTRY)) or "`clew rules` lists the rules"
            yield layer.doc.diagnostic(loc, f"unknown rule {rule_id!r}", hint, key=True)
            continue
        severity = setting.get("severity")
        if severity is not None and severity not in SEVERITIES:
            yield layer.doc.diagnostic((*loc, "severity"), f"{severity!r} is not a severity; expected one of {', '.join(SEVERITIES)}")
        options = {k: v for k, v in setting.items() if k != "severity"}
        try:
            valid = validate_options(rule_id, options)
        except ValidationError as exc:
            yield from load.pydantic_diagnostics(layer.doc, exc, rule.options, loc)
            continue
        for key, value in valid.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                yield layer.doc.diagnostic((*loc, key), f"{key} must be 0 or more, not {value}")


def resolve(doc: Document, policy: Policy, prefix: Loc = ("policy",)) -> tuple[EffectivePolicy, list[Diagnostic]]:
    """Merge the packs and the goals file's own policy; collect every problem."""
    resolver = _Resolver()
    resolver.top = _top(doc)
    if not policy.extends:
        policy = policy.model_copy(update={"extends": ["default"]})
    resolver.extends(Layer(doc, prefix, policy, doc.display))
    for layer in resolver.layers:
        resolver.diagnostics.extend(_rule_diagnostics(layer))
    return _merge(resolver.layers), resolver.diagnostics


def _merge(layers: list[Layer]) -> EffectivePolicy:
    severities: dict[str, Severity] = {rule_id: rule.severity for rule_id, rule in REGISTRY.items()}
    raw_options: dict[str, dict[str, Any]] = {rule_id: {} for rule_id in REGISTRY}
    exempt: dict[str, list[str]] = {"authors": [], "labels": [], "titles": [], "branches": []}
    bots = False
    references, fail_on = References(), "error"
    for layer in layers:
        for rule_id, setting in layer.policy.rules.items():
            if rule_id in REGISTRY:
                if setting.get("severity") in SEVERITIES:
                    severities[rule_id] = setting["severity"]
                raw_options[rule_id].update({k: v for k, v in setting.items() if k != "severity"})
        for key, values in exempt.items():
            values.extend(v for v in getattr(layer.policy.exempt, key) if v not in values)
        bots = bots or layer.policy.exempt.bots
        if "references" in layer.policy.model_fields_set:
            references = layer.policy.references
        if layer.policy.fail_on is not None:
            fail_on = layer.policy.fail_on
    options: dict[str, dict[str, Any]] = {}
    for rule_id in REGISTRY:
        try:
            options[rule_id] = validate_options(rule_id, raw_options[rule_id])
        except ValidationError:
            options[rule_id] = {}
    packs = tuple(layer.name for layer in layers[:-1])
    files = tuple(layer.doc.path for layer in layers[:-1])
    return EffectivePolicy(severities, options, Exempt(**exempt, bots=bots), references, fail_on, packs, files)  # type: ignore[arg-type]
