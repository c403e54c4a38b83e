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
    **dict.fromkeys(("references", "landings", "trace", "suggest", "status", "result", "rules", "outputs", "report"), 2),
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


# Where a module has no test file named after it, the test file that exercises it: the table is
# held true below (every module has its own test file or a line here, and each line's file exists).
COVERED = {
    "checker.__main__": "tests/test_main.py",  # `python -m checker`, as the hook and the tests run it
    "checker.clock": "tests/forges/gitlab/test_report.py",  # CLEW_TODAY pins the day
    "checker.commands.explain": "tests/forges/local/test_check.py",
    "checker.commands.hook": "tests/forges/local/test_check.py",
    "checker.commands.init": "tests/test_cli.py",
    "checker.commands.org_report": "tests/report/test_org.py",
    "checker.commands.report": "tests/report/test_render.py",
    "checker.commands.validate": "tests/test_cli.py",
    "checker.docsgen": "tests/test_docs.py",
    "checker.errors": "tests/test_cli.py",
    "checker.findings": "tests/outputs/test_outputs.py",
    "checker.forges.github.check": "tests/forges/github/test_action.py",
    "checker.forges.github.client": "tests/forges/github/test_action.py",
    "checker.forges.github.event": "tests/forges/github/test_action.py",
    "checker.forges.github.nodes": "tests/forges/github/test_report.py",
    "checker.forges.github.org": "tests/report/test_org.py",
    "checker.forges.github.settings": "tests/forges/github/test_action.py",
    "checker.forges.github.sticky": "tests/forges/github/test_action.py",
    "checker.forges.github.thread": "tests/forges/github/test_action.py",
    "checker.forges.gitlab.check": "tests/forges/gitlab/test_job.py",
    "checker.forges.gitlab.ci": "tests/forges/gitlab/test_job.py",
    "checker.forges.gitlab.client": "tests/forges/gitlab/test_job.py",
    "checker.forges.gitlab.org": "tests/report/test_org.py",
    "checker.forges.gitlab.settings": "tests/forges/gitlab/test_job.py",
    "checker.forges.gitlab.sticky": "tests/forges/gitlab/test_job.py",
    "checker.forges.local.git": "tests/forges/local/test_check.py",
    "checker.forges.local.gitdir": "tests/test_main.py",
    "checker.forges.local.prepush": "tests/forges/local/test_check.py",
    "checker.forges.local.range": "tests/forges/local/test_check.py",
    "checker.forges.org_goals": "tests/goals/test_org.py",
    "checker.forges.organisation": "tests/report/test_org.py",
    "checker.forges.warehouse": "tests/report/test_org.py",
    "checker.globs": "tests/test_trace.py",
    "checker.goals.compose": "tests/goals/test_org.py",
    "checker.goals.config": "tests/goals/test_document.py",
    "checker.goals.discover": "tests/test_cli.py",
    "checker.goals.file": "tests/goals/test_compiled.py",
    "checker.goals.model": "tests/goals/test_document.py",
    "checker.goals.policy": "tests/goals/test_document.py",
    "checker.goals.yamldoc": "tests/goals/test_document.py",
    "checker.outputs.gitlab": "tests/forges/gitlab/test_job.py",
    "checker.outputs.jsonfmt": "tests/outputs/test_outputs.py",
    "checker.outputs.markdown": "tests/outputs/test_outputs.py",
    "checker.outputs.review": "tests/test_trace.py",
    "checker.outputs.sarif": "tests/outputs/test_outputs.py",
    "checker.outputs.text": "tests/outputs/test_outputs.py",
    "checker.outputs.workflow": "tests/outputs/test_github.py",
    "checker.regex": "tests/goals/test_document.py",
    "checker.report.build": "tests/report/test_render.py",
    "checker.report.history": "tests/test_third_forge.py",
    "checker.report.schema": "tests/report/test_render.py",
    "checker.result": "tests/outputs/test_outputs.py",
    "checker.sha": "tests/outputs/test_outputs.py",
    "checker.term": "tests/test_cli.py",
    "checker.work": "tests/test_trace.py",
    **{
        f"checker.rules.{name}": "tests/test_rules.py"
        for name in (
            "base",
            "escape_hatch_used",
            "goals_changed_in_change",
            "key_result_measurable",
            "objective_has_due_date",
            "objective_has_owner",
            "objective_overdue",
            "reference_to_closed_objective",
            "unaligned_work",
            "unknown_reference",
        )
    },
}


def _own_test(module: str) -> Path | None:
    """tests/<package path>/test_<name>.py for checker/<package path>/<name>.py (a package: its name)."""
    parts = module.split(".")[1:]
    path = PACKAGE.joinpath(*parts)
    if path.is_dir():  # a package's tests sit beside it or in its folder
        candidates = [ROOT / "tests" / Path(*parts[:-1]) / f"test_{parts[-1]}.py", ROOT / "tests" / Path(*parts) / f"test_{parts[-1]}.py"]
    else:
        candidates = [ROOT / "tests" / Path(*parts[:-1]) / f"test_{parts[-1]}.py"]
    return next((c for c in candidates if c.is_file()), None)


def test_the_test_of_a_module_is_found_by_its_name() -> None:
    modules = [m for m in _modules() if m != "checker"]
    unplaced = [
        m
        for m in modules
        if _own_test(m) is None
        and m not in COVERED
        and not m.endswith(("forges", "forges.github", "forges.gitlab", "forges.local", "commands", "report", "outputs"))
    ]
    assert unplaced == [], "give each module a test file named after it, or name in COVERED the file that tests it"
    stale = [m for m in COVERED if m not in modules or _own_test(m) is not None]
    assert stale == [], "COVERED names modules that have gone, or that have a test file of their own now"
    assert all((ROOT / f).is_file() for f in COVERED.values())
