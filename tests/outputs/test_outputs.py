"""Golden outputs for text, json and sarif over a fixed dataset; SARIF checked
against the OASIS 2.1.0 schema. Regenerate with CLEW_UPDATE_GOLDEN=1."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from checker import app
from checker.outputs import jsonfmt, sarif, text
from checker.rules import REGISTRY
from checker.work import WorkItem
from tests.conftest import contract, goals_text
from tests.helpers import TODAY, commit, config, golden


def dataset(tmp: Path) -> app.Result:
    cfg = config(tmp, goals_text("strict").replace('    owner: "@omar"\n', ""))
    items = [
        WorkItem(kind="pr", key="42", title="Login screen", body="Closes #17", author="ann"),
        WorkItem(kind="branch", key="mobile/login", branch="mobile/login"),
        commit("Tweak the onboarding wizard copy"),
        commit("Refactor\n\nObjective: retension"),
        commit("chore(deps): bump lodash", author="dependabot[bot]", author_is_bot=True),
        commit("chore: release 2.0", author="release-please[bot]"),
        commit("Hotfix\n\nUnaligned: production outage on 2026-11-20"),
    ]
    linked = {"#17": WorkItem(kind="issue", key="17", title="Users log out", labels=("mobile",))}
    return app.evaluate_config(cfg, items, today=TODAY, linked=linked)


def _stable(rendered: str, tmp: Path) -> str:
    return rendered.replace(str(tmp), "<tmp>")


def test_text_golden(tmp_path: Path) -> None:
    golden("check.txt", _stable(text.render(dataset(tmp_path), color=False), tmp_path))


def test_json_golden(tmp_path: Path) -> None:
    golden("check.json", _stable(jsonfmt.render(dataset(tmp_path)), tmp_path))


def test_sarif_golden(tmp_path: Path) -> None:
    golden("check.sarif", _stable(sarif.render(dataset(tmp_path)), tmp_path))


def test_github_golden(tmp_path: Path) -> None:
    """The workflow commands GitHub Actions reads (annotations), as the log shows them."""
    from checker.outputs import render

    golden("check.github", _stable(render(dataset(tmp_path), "github"), tmp_path))


def test_gitlab_golden(tmp_path: Path) -> None:
    """The Code Quality report GitLab reads."""
    from checker.outputs import render

    golden("check.gitlab.json", _stable(render(dataset(tmp_path), "gitlab"), tmp_path))


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(contract("sarif/sarif-schema-2.1.0.json"))


def test_sarif_validates_against_the_oasis_schema(tmp_path: Path, sarif_validator: jsonschema.Draft4Validator) -> None:
    document = json.loads(sarif.render(dataset(tmp_path)))
    errors = sorted(sarif_validator.iter_errors(document), key=str)
    assert errors == [], errors[:3]


def test_sarif_rules_come_from_the_registry_and_fingerprints_have_no_lines(tmp_path: Path) -> None:
    document = json.loads(sarif.render(dataset(tmp_path)))
    run = document["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(REGISTRY)
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
    moved = config(tmp_path, "# moved\n\n\n" + goals_text("strict").replace('    owner: "@omar"\n', ""))
    again = app.evaluate_config(moved, [], today=TODAY)
    before = {r["partialFingerprints"]["clewFingerprint/v1"] for r in run["results"] if "physicalLocation" in r["locations"][0]}
    after = {f.fingerprint for f in again.findings}
    assert before == after
    assert before


def test_a_bad_sarif_log_is_rejected(sarif_validator: jsonschema.Draft4Validator) -> None:
    assert list(sarif_validator.iter_errors({"version": "2.0", "runs": []}))


def test_json_document_shape(tmp_path: Path) -> None:
    document = json.loads(jsonfmt.render(dataset(tmp_path)))
    assert document["format"] == 1
    statuses = [item["status"] for item in document["items"]]
    assert statuses == ["aligned", "aligned", "unaligned", "broken", "budget", "exempt", "escape"]
    assert document["summary"]["passed"] is False
    unaligned = document["items"][2]
    assert unaligned["suggestions"][0]["id"] == "onboarding"
    assert document["items"][0]["hops"][0] == {"step": "closes #17", "evidence": "Users log out", "signal": "linked issue"}


def test_bare_urls_in_untrusted_text_are_not_linked() -> None:
    """GitHub and GitLab link bare `https://…` and `www.…` by themselves: in a PR title they
    would put an attacker's link in clew's comment and in ALIGNMENT.md."""
    from checker.outputs import markdown as md

    rendered = md.text("Fix login, see https://evil.example/x or WWW.evil.example or ftp://files.example and mailto:a@b.c")
    for live in ("https://", "www.", "WWW.", "ftp://", "mailto:", "a@b"):
        assert live not in rendered, live
    assert "evil.example/x" in rendered, "the text is kept, only not linked"
    assert md.text("wwwhat.example") == "wwwhat.example"
