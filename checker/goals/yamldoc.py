"""YAML text → plain data that remembers where every node came from.

This is the only module that imports ruamel.yaml. It reads the parser's event
stream (libyaml through ruamel's C extension when installed, the pure parser
otherwise) and composes plain dicts and lists that carry their positions, with
the YAML 1.2 core schema. Three choices keep hostile files harmless:

* an alias is the same object as its anchor (never a copy), and the nodes that
  aliases would add if expanded are counted: past ``ALIAS_BUDGET`` the file is
  refused, so a "billion laughs" file fails in microseconds;
* timestamps stay strings (the models parse dates and report bad ones with a
  position); unknown tags and merge keys are refused;
* duplicate keys are an error naming both lines.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from checker.errors import Diagnostic

ALIAS_BUDGET = 10_000

Pos = tuple[int, int]  # 1-based line, column


class PosDict(dict[str, Any]):
    """A mapping that knows where it starts and where each key and value is."""

    pos: Pos = (1, 1)
    key_pos: dict[str, Pos]
    value_pos: dict[str, Pos]
    source: str | None = None  # the file it came from, once documents are laid over each other


class PosList(list[Any]):
    """A sequence that knows where it starts and where each item is."""

    pos: Pos = (1, 1)
    item_pos: list[Pos]


class YamlProblem(Exception):
    def __init__(self, line: int, col: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint

    def diagnostic(self, file: str) -> Diagnostic:
        return Diagnostic(file, self.line, self.col, "(file)", self.message, self.hint)


_INT = re.compile(r"[-+]?[0-9]+$|0o[0-7]+$|0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}
_TAG = "tag:yaml.org,2002:"


def resolve_plain(text: str) -> Any:
    """The YAML 1.2 core schema for an untagged plain scalar."""
    if text in _SPECIAL:
        return _SPECIAL[text]
    if _INT.match(text):
        return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def _tagged(text: str, tag: str, pos: Pos) -> Any:
    kind = tag.removeprefix(_TAG)
    if kind in {"str", "timestamp"}:
        return text
    value = resolve_plain(text)
    kinds: dict[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}
    wanted = kinds.get(kind)
    if wanted is None:
        raise YamlProblem(*pos, f"unsupported YAML tag {tag!r}", "remove the tag")
    if not isinstance(value, wanted) or (kind == "int" and isinstance(value, bool)):
        raise YamlProblem(*pos, f"{text!r} is not a valid {kind}")
    return float(value) if kind == "float" and isinstance(value, (int, float)) else value


def _event_pos(event: Any) -> Pos:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)


def _kind(event: Any) -> str:
    return type(event).__name__


MAX_DEPTH = 64  # collections inside collections; far below Python's recursion limit


class _Composer:
    def __init__(self, events: Iterator[Any]) -> None:
        self.next = events.__next__
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.building: set[str] = set()
        self.expanded = 0
        self.depth = 0

    def document(self) -> Any:
        self.next()  # StreamStart
        event = self.next()
        if _kind(event) == "StreamEndEvent":
            return None
        value, _ = self.node(self.next())
        self.next()  # DocumentEnd
        extra = self.next()
        if _kind(extra) != "StreamEndEvent":
            raise YamlProblem(*_event_pos(extra), "the file holds more than one YAML document", "remove the '---' line")
        return value

    def node(self, event: Any) -> tuple[Any, int]:
        kind = _kind(event)
        if kind == "ScalarEvent":
            value: Any = self.scalar(event)
            size = 1
        elif kind == "AliasEvent":
            return self.alias(event)
        elif kind == "SequenceStartEvent":
            value, size = self.sequence(event)
        else:
            value, size = self.mapping(event)
        if event.anchor:
            self.building.discard(event.anchor)
            self.anchors[event.anchor] = (value, size)
        return value, size

    def alias(self, event: Any) -> tuple[Any, int]:
        name, pos = event.anchor, _event_pos(event)
        if name in self.building:
            raise YamlProblem(*pos, f"alias *{name} refers to a node that contains it", "remove the recursion")
        if name not in self.anchors:
            raise YamlProblem(*pos, f"alias *{name} has no anchor &{name} before it")
        value, size = self.anchors[name]
        self.expanded += size
        if self.expanded > ALIAS_BUDGET:
            raise YamlProblem(
                *pos,
                f"YAML aliases would expand to more than {ALIAS_BUDGET:,} nodes",
                "write the values out instead of nesting aliases",
            )
        return value, size

    def scalar(self, event: Any) -> Any:
        if event.tag and event.tag != "!":
            return _tagged(event.value, event.tag, _event_pos(event))
        text = event.value
        if event.style or not event.implicit[0]:
            return text  # quoted or block scalars are strings
        if text[:1].isalpha() and text not in _SPECIAL:
            return text  # the common case: a plain word
        return resolve_plain(text)

    def start(self, event: Any) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise YamlProblem(
                *_event_pos(event),
                f"the YAML nests more than {MAX_DEPTH} levels deep",
                "a goals file needs about eight; look for a run of brackets or dashes",
            )
        if event.anchor:
            self.building.add(event.anchor)
        if event.tag and event.tag not in (_TAG + "map", _TAG + "seq", "!"):
            raise YamlProblem(*_event_pos(event), f"unsupported YAML tag {event.tag!r}", "remove the tag")

    def sequence(self, start: Any) -> tuple[PosList, int]:
        self.start(start)
        seq, size = PosList(), 1
        seq.pos, seq.item_pos = _event_pos(start), []
        while _kind(event := self.next()) != "SequenceEndEvent":
            seq.item_pos.append(_event_pos(event))
            value, sub = self.node(event)
            seq.append(value)
            size += sub
        self.depth -= 1
        return seq, size

    def mapping(self, start: Any) -> tuple[PosDict, int]:
        self.start(start)
        mapping, size = PosDict(), 1
        mapping.pos, mapping.key_pos, mapping.value_pos = _event_pos(start), {}, {}
        key_pos, value_pos = mapping.key_pos, mapping.value_pos
        while _kind(event := self.next()) != "MappingEndEvent":
            where = _event_pos(event)
            key = self.key(event, where)
            value_event = self.next()
            value, sub = self.node(value_event)
            if key in mapping:
                raise YamlProblem(*where, f"duplicate key {key!r} (first at line {key_pos[key][0]})", "keep one of them")
            mapping[key] = value
            key_pos[key] = where
            value_pos[key] = _event_pos(value_event)
            size += sub + 1
        self.depth -= 1
        return mapping, size

    def key(self, event: Any, where: Pos) -> str:
        key, _ = self.node(event)
        if isinstance(key, (dict, list)):
            raise YamlProblem(*where, "a mapping key must be a plain value")
        if key == "<<":
            raise YamlProblem(*where, "YAML merge keys (<<) are not supported", "write the keys out")
        return "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)


def _events(text: str) -> Iterator[Any]:
    """libyaml's events through ruamel's C parser; the pure parser without it."""
    try:
        from ruamel.yaml.cyaml import CSafeLoader
    except ImportError:  # no C extension on this platform
        from ruamel.yaml import YAML

        return iter(YAML(typ="safe", pure=True).parse(text))
    parser = CSafeLoader(text)
    return iter(parser.get_event, None)


def _problem_from_yaml(error: Exception, text: str) -> YamlProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).split("\n")[0]
    if mark is None:
        offset = getattr(error, "position", 0)
        line, col = _line_col(text, offset if isinstance(offset, int) else 0)
        return YamlProblem(line, col, f"YAML error: {problem}")
    lines = text.split("\n")
    source = lines[mark.line] if mark.line < len(lines) else ""
    indent = source[: len(source) - len(source.lstrip(" \t"))]
    if "\t" in indent or source[mark.column : mark.column + 1] == "\t":
        col = source.index("\t") + 1
        return YamlProblem(mark.line + 1, col, "tab character used for indentation", "indent with spaces only")
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None and context_mark.line != mark.line:
        problem = f"{problem} ({context} that started at line {context_mark.line + 1})"
    return YamlProblem(mark.line + 1, mark.column + 1, f"YAML syntax error: {problem}")


def _line_col(text: str, offset: int) -> Pos:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a BOM) or a YamlProblem naming the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start]
        raise YamlProblem(line, col, f"the file is not UTF-8 (byte 0x{bad:02x})", "save it as UTF-8") from None


def parse(text: str) -> Any:
    """Compose one YAML document into position-carrying plain data."""
    try:
        return _Composer(_events(text)).document()
    except YamlProblem:
        raise
    except Exception as exc:  # ruamel's error tree
        if type(exc).__module__.startswith("ruamel"):
            raise _problem_from_yaml(exc, text) from None
        raise
