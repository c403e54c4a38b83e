"""Finding, reading and validating a goals file; every problem as file:line:col."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from checker.errors import ClewError, Diagnostic, GoalsError
from checker.goals import yamldoc
from checker.goals.model import Goals, Policy
from checker.goals.yamldoc import Pos, PosDict, PosList

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data (positions attached) and the name errors use."""

    path: Path
    display: str
    data: Any
    foreign: bool = False  # read from another repository with a token: its text is never quoted

    def at(self, loc: Loc, *, key: bool = False) -> Pos:
        return locate(self.data, loc, key=key)

    def diagnostic(self, loc: Loc, message: str, hint: str = "", *, key: bool = False) -> Diagnostic:
        line, col = self.at(loc, key=key)
        if self.foreign:
            return unquoted(self.display, line, col)
        return Diagnostic(self.display, line, col, dotted(loc), message, hint)


FOREIGN = "not shown: the file was read from another repository with the token"


def unquoted(display: str, line: int, col: int, what: str = "a key or value the goals format does not accept") -> Diagnostic:
    """A problem in a file read from elsewhere, named by its place and kind only: neither the
    message nor the key path quotes what the file holds (it may be any file the token can read)."""
    return Diagnostic(display, line, col, "(not shown)", f"{what} ({FOREIGN})", "run `clew validate` in that repository to see it")


def read_document(path: Path, display: str) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ClewError(f"cannot read {display}: {exc.strerror or exc}") from None
    return document_from_bytes(raw, path, display)


def document_from_bytes(raw: bytes, path: Path, display: str, *, foreign: bool = False) -> Document:
    """The parsed document for a goals file's bytes (read from disk, or from git at a commit).
    `foreign`: read from another repository (organisation goals): errors never quote it."""
    try:
        data = yamldoc.parse(yamldoc.decode(raw))
    except yamldoc.YamlProblem as problem:
        if foreign:
            what = f"not valid YAML, or not UTF-8 text ({len(raw)} bytes)"
            raise GoalsError([unquoted(display, problem.line, problem.col, what)]) from None
        raise GoalsError([problem.diagnostic(display)]) from None
    if data is None:
        raise GoalsError([Diagnostic(display, 1, 1, "(file)", "the file is empty", "run `clew init` for a starter")])
    if not isinstance(data, dict):
        line, col = getattr(data, "pos", (1, 1))
        if foreign:
            what = f"not a goals file: {kind_of(data)} of {len(raw)} bytes, where a mapping of keys belongs"
            raise GoalsError([unquoted(display, line, col, what)])
        message = f"expected a mapping of keys at the top, got {describe(data)}"
        raise GoalsError([Diagnostic(display, line, col, "(file)", message, "start with 'version: 1'")])
    return Document(path, display, data, foreign)


def dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "(file)"


def locate(data: Any, loc: Loc, *, key: bool = False) -> Pos:
    """The position of the node at `loc`, or of its nearest existing parent."""
    pos: Pos = getattr(data, "pos", (1, 1))
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, PosDict) and isinstance(part, str) and part in node:
            child = node[part]
            scalar = not isinstance(child, (dict, list))
            pos = node.value_pos[part] if scalar and not (key and last) else node.key_pos[part]
            node = child
        elif isinstance(node, PosList) and isinstance(part, int) and 0 <= part < len(node):
            pos, node = node.item_pos[part], node[part]
        else:
            break
    return pos


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the text {value!r}"


def kind_of(value: Any) -> str:
    """What a value is, without what it says."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool) or value is None:
        return "a bare word"
    if isinstance(value, (int, float)):
        return "a number"
    return "plain text"


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        else:
            return tp


def _fields(tp: Any) -> list[tuple[str, str | None, Any]]:
    """(name, alias, annotation) of a model's or dataclass's fields; [] for anything else."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [(n, f.alias, f.annotation) for n, f in tp.model_fields.items()]
    if typing.is_typeddict(tp):
        return [(name, None, annotation) for name, annotation in typing.get_type_hints(tp, include_extras=True).items()]
    return []


def keys_at(model: type, loc: Loc) -> list[str]:
    """The keys a mapping at `loc` accepts (empty when it is not a model)."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        fields = _fields(tp)
        if fields:
            found = next((annotation for name, alias, annotation in fields if part in (name, alias)), None)
            if found is None:
                return []
            tp = found
        elif typing.get_origin(tp) in (list, dict):
            tp = typing.get_args(tp)[-1]
        else:
            return []
    return [alias or name for name, alias, _ in _fields(_unwrap(tp))]


def _message(error: Any, model: type, loc: Loc) -> tuple[str, str, bool]:  # noqa: PLR0911 -- one return per kind of validation error
    """(message, hint, point at the key) for one pydantic error."""
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return f"missing required field {loc[-1]!r}", "", False
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        allowed = keys_at(model, loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed) or (f"allowed keys: {', '.join(allowed)}" if allowed else "")
        return f"unknown key {loc[-1]!r}", hint, True
    if kind == "list_type":
        hint = "write each item on its own line starting with '- '" if isinstance(value, dict) else ""
        return f"expected a list, got {describe(value)}", hint, False
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys, got {describe(value)}", "", False
    if kind == "string_type":
        return f"expected text, got {describe(value)}", "quote the value" if value is not None else "", False
    if kind in ("int_parsing", "int_type", "float_parsing", "float_type", "int_from_float"):
        return f"expected a number, got {describe(value)}", "", False
    if kind == "literal_error":
        return f"{value!r} is not allowed; expected {error['ctx']['expected']}", "", False
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, "), "", False
    return f"{error['msg'][0].lower()}{error['msg'][1:]}", "", False


def pydantic_diagnostics(doc: Document, exc: ValidationError, model: type, prefix: Loc = ()) -> Iterator[Diagnostic]:
    for error in exc.errors():
        loc: Loc = tuple(error["loc"])
        message, hint, key = _message(error, model, loc)
        yield doc.diagnostic(prefix + loc, message, hint, key=key)


def _ids(data: PosDict) -> Iterator[tuple[str, Loc]]:
    """Every id in the shared namespace (objectives, initiatives, budgets) with its location."""
    for section in ("objectives", "budgets"):
        items = data.get(section)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), (str, int)):
                yield str(item["id"]), (section, i, "id")
            inner = item.get("initiatives") if isinstance(item, dict) and section == "objectives" else None
            for j, init in enumerate(inner if isinstance(inner, list) else []):
                if isinstance(init, dict) and isinstance(init.get("id"), (str, int)):
                    yield str(init["id"]), (section, i, "initiatives", j, "id")


def _duplicates(doc: Document, ids: Iterator[tuple[str, Loc]], what: str) -> Iterator[Diagnostic]:
    seen: dict[str, Loc] = {}
    for ident, loc in ids:
        if ident in seen:
            line, col = doc.at(seen[ident])
            message = f"duplicate {what} {ident!r}, first defined at {doc.display}:{line}:{col}"
            yield doc.diagnostic(loc, message, "ids are unique across objectives, initiatives and budgets" if what == "id" else "")
        else:
            seen[ident] = loc


def cross_checks(doc: Document) -> Iterator[Diagnostic]:
    yield from _duplicates(doc, _ids(doc.data), "id")
    objectives = doc.data.get("objectives")
    for i, objective in enumerate(objectives if isinstance(objectives, list) else []):
        krs = objective.get("key_results") if isinstance(objective, dict) else None
        entries = (
            (str(kr["id"]), ("objectives", i, "key_results", j, "id"))
            for j, kr in enumerate(krs if isinstance(krs, list) else [])
            if isinstance(kr, dict) and isinstance(kr.get("id"), (str, int))
        )
        yield from _duplicates(doc, entries, "key result id")


def validate_document(doc: Document) -> tuple[Goals | None, list[Diagnostic]]:
    diagnostics = list(cross_checks(doc))
    try:
        goals: Goals | None = Goals.model_validate(doc.data)
    except ValidationError as exc:
        diagnostics.extend(pydantic_diagnostics(doc, exc, Goals))
        goals = None
    return goals, diagnostics


def policy_of(doc: Document) -> Policy | None:
    raw = doc.data.get("policy", {})
    try:
        return Policy.model_validate(raw if raw is not None else {})
    except ValidationError:
        return None
