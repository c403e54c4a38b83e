"""One line per rule behaviour, plus the registry meta-test."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from checker.rules import REGISTRY
from tests.conftest import ROOT, goals_text
from tests.helpers import commit, config, findings, rules_fired


@pytest.fixture
def cfg(tmp_path: Path):  # type: ignore[no-untyped-def]
    return config(tmp_path)


def _cfg(tmp_path: Path, old: str, new: str):  # type: ignore[no-untyped-def]
    text = goals_text()
    assert old in text
    return config(tmp_path, text.replace(old, new))


# unaligned-work
def test_unaligned_work_fires_on_untraced_work(cfg) -> None:  # type: ignore[no-untyped-def]
    assert "unaligned-work" in rules_fired(cfg, commit("Tweak colours"))


def test_unaligned_work_silent_on_trailer(cfg) -> None:  # type: ignore[no-untyped-def]
    assert "unaligned-work" not in rules_fired(cfg, commit("Tweak\n\nObjective: retention"))


def test_unaligned_work_hint_suggests_closest(cfg) -> None:  # type: ignore[no-untyped-def]
    (finding,) = findings(cfg, commit("Speed up the onboarding wizard for new accounts"))
    assert finding.rule == "unaligned-work"
    assert "Initiative: onboarding" in finding.hint


def test_unaligned_work_refuses_placeholder_escape(cfg) -> None:  # type: ignore[no-untyped-def]
    (finding,) = findings(cfg, commit("Tweak\n\nUnaligned: n/a"))
    assert finding.rule == "unaligned-work"
    assert "'Unaligned: n/a' is a placeholder" in finding.message


# unknown-reference
def test_unknown_reference_names_the_typo_and_suggests(cfg) -> None:  # type: ignore[no-untyped-def]
    (finding,) = findings(cfg, commit("Tweak\n\nObjective: retension"))
    assert (finding.rule, finding.severity, finding.hint) == ("unknown-reference", "error", "did you mean 'retention'?")


def test_unknown_reference_from_goal_label(cfg) -> None:  # type: ignore[no-untyped-def]
    assert "unknown-reference" in rules_fired(cfg, commit("Tweak", labels=("goal:growht",)))


def test_unknown_reference_is_not_also_unaligned(cfg) -> None:  # type: ignore[no-untyped-def]
    assert rules_fired(cfg, commit("Tweak\n\nObjective: nope")) == {"unknown-reference"}


# escape-hatch-used
def test_escape_hatch_used_is_a_notice(cfg) -> None:  # type: ignore[no-untyped-def]
    (finding,) = findings(cfg, commit("Tweak\n\nUnaligned: emergency fix for the outage"))
    assert (finding.rule, finding.severity) == ("escape-hatch-used", "notice")


# reference-to-closed-objective
def test_reference_to_closed_objective(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, "    due: 2027-06-30\n", "    due: 2027-06-30\n    state: achieved\n")
    assert "reference-to-closed-objective" in rules_fired(cfg, commit("Tweak\n\nInitiative: onboarding"))


def test_reference_to_active_objective_is_fine(cfg) -> None:  # type: ignore[no-untyped-def]
    assert "reference-to-closed-objective" not in rules_fired(cfg, commit("Tweak\n\nInitiative: onboarding"))


# goals-changed-in-change
def test_goals_changed_in_change(cfg) -> None:  # type: ignore[no-untyped-def]
    assert "goals-changed-in-change" in rules_fired(cfg, commit("Tweak\n\nObjective: growth"), changed=True)


# objective-has-owner
def test_objective_has_owner(tmp_path: Path) -> None:
    assert "objective-has-owner" in rules_fired(_cfg(tmp_path, '    owner: "@omar"\n', ""))


# objective-has-due-date
def test_objective_has_due_date(tmp_path: Path) -> None:
    assert "objective-has-due-date" in rules_fired(_cfg(tmp_path, "    due: 2027-06-30\n", ""))


# objective-overdue
def test_objective_overdue(tmp_path: Path) -> None:
    assert "objective-overdue" in rules_fired(_cfg(tmp_path, "    due: 2027-06-30\n", "    due: 2026-10-01\n"))


def test_objective_overdue_respects_grace_days(tmp_path: Path) -> None:
    text = goals_text().replace("    due: 2027-06-30\n", "    due: 2026-11-15\n") + "  rules:\n    objective-overdue: {grace_days: 10}\n"
    assert "objective-overdue" not in rules_fired(config(tmp_path, text))


def test_objective_overdue_ignores_achieved(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, "    due: 2027-06-30\n", "    due: 2026-10-01\n    state: achieved\n")
    assert "objective-overdue" not in rules_fired(cfg)


# key-result-measurable
def test_key_result_measurable(tmp_path: Path) -> None:
    assert "key-result-measurable" in rules_fired(_cfg(tmp_path, "        current: 4.1\n", ""))


def test_key_result_target_equal_to_baseline(tmp_path: Path) -> None:
    assert "key-result-measurable" in rules_fired(_cfg(tmp_path, "        target: 3.0\n", "        target: 4.5\n"))


def test_goals_rules_silent_on_a_complete_file(cfg) -> None:  # type: ignore[no-untyped-def]
    assert rules_fired(cfg) == set()


# policy: severities and exemptions after the rules
def test_strict_pack_makes_untraced_work_an_error(tmp_path: Path) -> None:
    (finding,) = findings(config(tmp_path, pack="strict"), commit("Tweak colours"))
    assert finding.severity == "error"


def test_rule_switched_off(tmp_path: Path) -> None:
    cfg = config(tmp_path, goals_text() + "  rules:\n    unaligned-work: off\n")
    assert findings(cfg, commit("Tweak colours")) == []


def test_exempt_author_is_listed_not_judged(cfg) -> None:  # type: ignore[no-untyped-def]
    assert findings(cfg, commit("chore: release 1.2.0", author="release-please[bot]")) == []


def test_fingerprints_ignore_line_numbers(tmp_path: Path) -> None:
    a = config(tmp_path, goals_text().replace('    owner: "@omar"\n', ""))
    b = config(tmp_path, "# a comment moves every line\n\n" + goals_text().replace('    owner: "@omar"\n', ""))
    fa = {f.fingerprint for f in __import__("checker.app").app.goals_findings(a.pyramid(), dt.date(2026, 11, 21))}
    fb = {f.fingerprint for f in __import__("checker.app").app.goals_findings(b.pyramid(), dt.date(2026, 11, 21))}
    assert fa == fb
    assert len(fa) == 1


# the registry
def test_registry_ids_are_unique_kebab_case_and_documented() -> None:
    import re

    for rule_id, rule in REGISTRY.items():
        assert rule_id == rule.id
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule_id)
        assert rule.severity in ("error", "warning", "notice")
        assert len(rule.doc.split()) >= 15, f"{rule_id} needs a docstring that documents it"
        assert "How to fix" in rule.doc, f"{rule_id}'s docstring must say how to fix"


def test_every_rule_has_a_test() -> None:
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    for rule_id in REGISTRY:
        assert f"test_{rule_id.replace('-', '_')}" in {n[: len(rule_id) + 5] for n in names}, f"no test for {rule_id}"


def test_every_rule_module_is_registered() -> None:
    modules = {p.stem for p in (ROOT / "checker" / "rules").glob("*.py")} - {"__init__", "base"}
    assert modules == {rule_id.replace("-", "_") for rule_id in REGISTRY}


def test_default_pack_names_every_rule() -> None:
    text = (ROOT / "policies" / "default.yml").read_text()
    for rule_id in REGISTRY:
        assert f"  {rule_id}:" in text
