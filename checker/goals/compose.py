"""A repository's goals file laid over its organisation's (checker.goals.org): the parsed
documents, with their positions, merged before validation. The organisation's file is validated
on its own first (laid over the goals it extends in turn, if any), so its errors name it; what
the merge adds can only be wrong in the repository's file, whose positions it keeps."""

from __future__ import annotations

from typing import Any

from checker.errors import Diagnostic
from checker.goals.document import Document
from checker.goals.yamldoc import PosDict, PosList

INHERITED = ("version", "mission", "policy", "report", "jira")  # taken from the organisation when the repository leaves them out


def _copy(node: PosDict) -> PosDict:
    out = PosDict(node)
    out.pos, out.key_pos, out.value_pos, out.source = node.pos, dict(node.key_pos), dict(node.value_pos), node.source
    return out


def _list(items: list[tuple[Any, tuple[int, int]]], pos: tuple[int, int]) -> PosList:
    out = PosList(item for item, _ in items)
    out.pos, out.item_pos = pos, [where for _, where in items]
    return out


def _entries(data: PosDict, key: str) -> list[tuple[Any, tuple[int, int]]]:
    value = data.get(key)
    return list(zip(value, value.item_pos, strict=True)) if isinstance(value, PosList) else []


def compose(org: Document, repo: Document) -> tuple[Document, list[Diagnostic]]:
    """The merged document (named as the repository's file) and what the repository may not do."""
    data = _copy(repo.data)
    here = repo.data.key_pos.get("extends", repo.data.pos)
    for key in INHERITED:
        if key not in data and key in org.data:
            data[key] = org.data[key]
            data.key_pos[key] = data.value_pos[key] = here
    problems: list[Diagnostic] = []
    own = {str(o.get("id")): (o, where, i) for i, (o, where) in enumerate(_entries(repo.data, "objectives")) if isinstance(o, PosDict)}
    merged: list[tuple[Any, tuple[int, int]]] = []
    for org_index, (objective, where) in enumerate(_entries(org.data, "objectives")):
        ident = str(objective.get("id")) if isinstance(objective, PosDict) else ""
        if isinstance(objective, PosDict) and objective.source is None:
            objective.source = org.display  # goals that extend others: the file each objective comes from
        mine = own.pop(ident, None)
        if mine is None:
            merged.append((objective, where))
            continue
        entry, at, index = mine
        extra = sorted(set(entry) - {"id", "initiatives"})
        if not extra:  # initiatives added under the organisation's objective
            combined = _copy(objective)
            combined["initiatives"] = _list(_entries(objective, "initiatives") + _entries(entry, "initiatives"), objective.pos)
            combined.key_pos.setdefault("initiatives", entry.key_pos.get("initiatives", at))
            merged.append((combined, where))
        elif objective.get("locked") is True:
            line, origin = org.at(("objectives", org_index, "id"))[0], objective.source or org.display
            problems.append(
                repo.diagnostic(
                    ("objectives", index, extra[0]),
                    f"objective {ident} is locked by the organisation's goals ({origin}:{line}); "
                    "a repository adds initiatives to it, and cannot redefine or drop it",
                    "keep only `id` and `initiatives` in this entry",
                    key=True,
                )
            )
        else:
            merged.append((entry, at))  # the repository's own version of it
    merged += [(entry, at) for entry, at, _ in own.values()]
    data["objectives"] = _list(merged, repo.data.value_pos.get("objectives", here))
    data.key_pos.setdefault("objectives", here)
    data.value_pos.setdefault("objectives", here)
    budgets = _entries(org.data, "budgets") + _entries(repo.data, "budgets")
    if budgets:
        data["budgets"] = _list(budgets, repo.data.value_pos.get("budgets", here))
        data.key_pos.setdefault("budgets", here)
        data.value_pos.setdefault("budgets", here)
    data.pop("extends", None)
    return Document(repo.path, repo.display, data), problems
