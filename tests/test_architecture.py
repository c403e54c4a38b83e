"""The shape docs/architecture.md draws, held: no import cycle (lazy imports included), no import
against the layering but those the page lists with their reasons, no function over 60 lines or
over 8 parameters (click commands aside), every place on its line of the registry."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "checker"
LAYERS = {
    "checker": 0,
    **dict.fromkeys(("errors", "work", "findings", "settings", "safewrite", "clock", "term", "sha", "globs", "regex"), 0),
    "goals": 1,
    **dict.fromkeys(("references", "trace", "suggest", "status", "result", "rules", "outputs", "report"), 2),
    "forges": 3,
    "app": 4,
    **dict.fromkeys(
        (
            "forges.local.check",
            "forges.local.prepush",
            "forges.github.action",
            "forges.gitlab.job",
            "commands",
            "cli",
            "main",
            "docsgen",
            "__main__",
        ),
        5,
    ),
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of the package this one imports, at the top or inside a function."""
    out = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or node.level):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in known else base)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return {m for m in out if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(name, path, known) for name, path in known.items()}


def _layer(module: str) -> int:
    rest = module.removeprefix("checker.") if module != "checker" else "checker"
    best = max((key for key in LAYERS if rest == key or rest.startswith(key + ".")), key=len, default="checker")
    return LAYERS[best]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_imports_against_the_layering_are_those_the_page_lists() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = page.split("<!-- layering-exceptions -->")[1].split("<!-- /layering-exceptions -->")[0]
    listed = set(re.findall(r"`([\w.]+) -> ([\w.]+)`", block))
    graph = _graph()
    against = {(a, b) for a, targets in graph.items() for b in targets if _layer(b) > _layer(a)}
    assert against == listed, "docs/architecture.md lists the imports against the layering, with their reasons"


def _functions() -> list[tuple[str, int, int, bool]]:
    """(where, lines, parameters, is a click command) for every function of the package."""
    out = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                count = len(args.posonlyargs) + len(args.args) + len(args.kwonlyargs) + bool(args.vararg) + bool(args.kwarg)
                count -= bool(args.args) and args.args[0].arg in ("self", "cls")
                click = any("click" in ast.unparse(d) or ast.unparse(d).startswith("clew.") for d in node.decorator_list)
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                out.append((f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", lines, count, click))
    return out


def test_no_function_is_over_sixty_lines() -> None:
    long = [(where, lines) for where, lines, _, click in _functions() if lines > 60 and not click]
    assert long == []


def test_no_function_takes_more_than_eight_parameters() -> None:
    many = [(where, count) for where, _, count, click in _functions() if count > 8 and not click]
    assert many == []


def test_every_place_names_its_check_adapter_report_source_and_target() -> None:
    from importlib import import_module

    from checker.forges import surfaces

    for line in surfaces.SURFACES:
        report = import_module(line.report)
        assert callable(report.source)
        assert callable(report.target)
        if line.check is not None:
            assert callable(import_module(line.check).run)
        assert (PACKAGE / "forges" / ("local" if line.forge == "git" else line.forge)).is_dir()
