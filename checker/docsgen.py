"""The goals reference and the rule catalogue, generated from the models and the
registry so the docs cannot drift. `python -m checker.docsgen` rewrites
docs/goals.md and docs/rules.md; a test checks they are current."""

from __future__ import annotations

import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from checker.goals import model
from checker.goals.policy import shipped_packs
from checker.rules import REGISTRY

SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("The file", model.Goals),
    ("objectives[]", model.Objective),
    ("objectives[].key_results[]", model.KeyResult),
    ("objectives[].initiatives[]", model.Initiative),
    ("match (initiatives, objectives, budgets)", model.Match),
    ("match.jira", model.JiraMatch),
    ("budgets[]", model.Budget),
    ("policy", model.Policy),
    ("policy.exempt", model.Exempt),
    ("policy.references", model.References),
    ("report", model.ReportSettings),
    ("jira", model.JiraSettings),
]

GOALS_INTRO = """\
# The goals file

`goals.yml` describes the pyramid: the mission (why), objectives with key
results (what we measure), initiatives (how), and budgets for counted
non-roadmap work. clew finds it at `--goals PATH`, then `CLEW_GOALS`, then
`goals.yml`, `.github/goals.yml` or `.gitlab/goals.yml` at the repository root.

Every error names `file:LINE:COL`, the dotted path of the key, what is wrong
and, where there is one, a hint (`did you mean 'owner'?`). All errors of a file
are reported at once, with exit code 2.

Rules that hold across the file:

- **Ids** start with a letter or digit, then letters, digits, `-`, `_` or `.`.
  Objectives, initiatives and budgets share one namespace: an id is unique
  across all three. Key results are addressed as `objective.kr`
  (`retention.churn`) and are unique within their objective.
- **Dates** are written `YYYY-MM-DD`.
- **Paths** in `report:` are relative to the repository root and never leave it.
- **YAML**: one document, spaces for indentation, no merge keys (`<<`), no
  custom tags. Anchors and aliases are allowed; they are shared, never
  copied, and a file whose aliases would expand past 10,000 nodes is refused.
- The JSON Schema (`clew schema`, or `schema/goals.schema.json`) gives editors
  completion: add `# yaml-language-server: $schema=<url or path>` on line 1.

The tables below are generated from the models (`python -m checker.docsgen`).
"""


def _type_name(tp: Any) -> str:  # noqa: PLR0911 -- one return per kind of type
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(tp)[0])
    if origin in (typing.Union, __import__("types").UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return " or ".join(_type_name(a) for a in args)
    if origin is list:
        return f"list of {_type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        return "mapping"
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in typing.get_args(tp))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "mapping"
    names = {str: "text", int: "integer", float: "number", bool: "true/false"}
    return names.get(tp, getattr(tp, "__name__", str(tp)))


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "see below"
        return f"`{value!r}`" if value not in ([], {}) else "empty"
    return "—" if field.default is None else f"`{field.default}`"


def goals_reference() -> str:
    out = [GOALS_INTRO]
    for title, cls in SECTIONS:
        out += [f"## {title}", "", (cls.__doc__ or "").strip(), "", "| key | type | default | meaning |", "|---|---|---|---|"]
        for name, field in cls.model_fields.items():
            key = field.alias or name
            kind = "date" if "date" in str(field.annotation).lower() else _type_name(field.annotation)
            kind = "id" if name == "id" else kind
            meaning = (field.description or "").replace("|", "\\|")
            out.append(f"| `{key}` | {kind} | {_default(field)} | {meaning} |")
        out.append("")
    return "\n".join(out)


def rules_reference() -> str:
    out = [
        "# Rules",
        "",
        "Each rule has an id (used in the goals file's `policy.rules`, in `[rule-id]` in",
        "the output, as SARIF `ruleId`), a default severity, and what it checks. The",
        "policy packs set severities; the goals file's `policy:` overrides them.",
        "Severities: `error`, `warning`, `notice`, `off`. Generated from the registry",
        "(`python -m checker.docsgen`).",
        "",
        "Where they run: the rules that apply to an `item` (a pull or merge request, a",
        "branch, a commit) run on every surface, `clew check`, the pre-push hook, the",
        "GitHub Action and the GitLab job, and give the same verdict for the same work",
        "(tests/test_app.py checks it). The rules that apply to the `goals` file",
        "itself run where the goals file is the subject, `clew validate` and `clew",
        "check`, and not on every pull request, merge request or push, where they would",
        "repeat the same warning on each change.",
        "",
        f"Shipped packs: {', '.join(f'`{p}`' for p in shipped_packs())} (see [policies.md](policies.md)).",
        "",
        "| rule | built-in | `default` pack | `strict` pack | checks |",
        "|---|---|---|---|---|",
    ]
    packs = {name: _pack_severities(name) for name in ("default", "strict")}
    out += [
        f"| [`{r.id}`](#{r.id}) | {r.severity} | {packs['default'][r.id]} | {packs['strict'][r.id]} | {r.summary} |"
        for r in REGISTRY.values()
    ]
    for rule in REGISTRY.values():
        body = "\n".join(line[4:] if line.startswith("    ") else line for line in rule.doc.strip().splitlines()[1:]).strip()
        out += ["", f"## {rule.id}", "", f"Default severity: **{rule.severity}**. Applies to: {rule.scope} ", "", rule.summary, "", body]
    return "\n".join(out) + "\n"


def _pack_severities(name: str) -> dict[str, str]:
    """The severities a goals file that extends only this pack gets."""
    from checker.goals.document import Document
    from checker.goals.policy import resolve
    from checker.goals.yamldoc import PosDict

    policy = model.Policy(extends=[name])
    effective, problems = resolve(Document(Path("goals.yml"), "goals.yml", PosDict()), policy)
    assert not problems, problems
    return dict(effective.severities)


def write(root: Path) -> None:
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "goals.md").write_text(goals_reference(), encoding="utf-8")
    (root / "docs" / "rules.md").write_text(rules_reference(), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
