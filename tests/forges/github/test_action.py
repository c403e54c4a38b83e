"""The GitHub surface against a local server that speaks GitHub's API: one
GraphQL read per check, at most two writes, none when nothing changed;
fork-safe; faults retried or failed open with a notice. Every GraphQL document
is validated against GitHub's schema and every REST body against the OpenAPI
description (see tests/github_server.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.cli import main
from checker.outputs.github import MARKER
from tests.conftest import CONTRACTS, contract, goals_text
from tests.github_server import FakeGitHub, Fault, Issue, Pull
from tests.jobs import BASE_SHA, Action, comments, pr_payload, world

# --- the PR check and its request budget


def test_aligned_pr_costs_one_read_and_no_write(action: Action, gh: FakeGitHub) -> None:
    world(gh)
    code, out = action.run("pull_request", pr_payload())
    assert code == 0, out
    assert (gh.reads, gh.writes) == (1, 0)
    assert gh.count(graphql=True) == 1
    outputs = action.outputs()
    assert outputs["aligned"] == "true"
    assert outputs["objectives"] == "retention"
    assert 'closes #17 → label "mobile" → initiative mobile-ux → objective retention → mission' in outputs["thread"]
    assert "initiative mobile\\-ux" in action.summary.read_text()
    assert comments(gh) == []


def test_untraced_pr_gets_one_comment_and_the_label_then_nothing_when_unchanged(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="Refactor the onboarding wizard", closing=())
    code, _ = action.run("pull_request", pr_payload(body="Refactor the onboarding wizard"))
    assert code == 0, "untraced work is a warning under the default pack"
    assert (gh.reads, gh.writes) == (1, 2)
    (comment,) = comments(gh)
    assert comment.body.startswith(MARKER)
    assert "Initiative: onboarding" in comment.body
    assert "potential-waste" in gh.labels[2]
    gh.requests.clear()
    code, _ = action.run("pull_request", pr_payload(body="Refactor the onboarding wizard", labels=("bug", "potential-waste")))
    assert (gh.reads, gh.writes) == (1, 0), gh.requests
    assert len(comments(gh)) == 1


def test_becoming_aligned_resolves_the_comment_and_removes_the_label(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    action.run("pull_request", pr_payload(body="wip"))
    gh.requests.clear()
    gh.pulls[2] = gh.pulls[2]._replace(body="wip\n\nInitiative: onboarding")
    code, _ = action.run("pull_request", pr_payload(body="wip\n\nInitiative: onboarding", labels=("bug", "potential-waste")))
    assert code == 0
    assert (gh.reads, gh.writes) == (1, 2)
    (comment,) = comments(gh)
    assert "resolved" in comment.body
    assert "potential-waste" not in gh.labels[2]


def test_resolved_comment_can_be_deleted_instead(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    action.run("pull_request", pr_payload(body="wip"))
    action.run("pull_request", pr_payload(body="Objective: growth", labels=("bug", "potential-waste")), comment_on_aligned="delete")
    assert comments(gh) == []


def test_a_marker_pasted_by_someone_else_is_ignored(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    gh.add_comment(2, f"{MARKER}\nI copied clew's marker", author="mallory")
    action.run("pull_request", pr_payload(body="wip"))
    mine = [c for c in comments(gh) if c.author == gh.login]
    assert len(mine) == 1
    assert comments(gh)[0].body == f"{MARKER}\nI copied clew's marker"


def test_strict_policy_fails_and_annotates(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    code, out = action.run("pull_request", pr_payload(body="wip"), policy="strict")
    assert code == 1
    assert "::error title=clew [unaligned-work]::PR #2 traces to no objective" in out


def test_fail_on_input_overrides_the_policy(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    code, _ = action.run("pull_request", pr_payload(body="wip"), fail_on="warning")
    assert code == 1


def test_closing_references_empty_on_a_non_default_base_the_body_is_followed(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="Fixes #17", closing=())
    code, _ = action.run("pull_request", pr_payload(body="Fixes #17"))
    assert code == 0
    assert action.outputs()["aligned"] == "true"
    assert gh.reads == 1


def test_ten_issues_nested_three_parents_deep_still_one_read(action: Action, gh: FakeGitHub) -> None:
    for n in range(100, 110):
        gh.add_issue(Issue(n, f"Child {n}", parent=n + 100))
        gh.add_issue(Issue(n + 100, f"Parent {n}", parent=n + 200))
        gh.add_issue(Issue(n + 200, f"Grandparent {n}", parent=n + 300))
        gh.add_issue(Issue(n + 300, f"Epic {n}", labels=("onboarding",) if n == 109 else ()))
    closing = tuple(range(100, 110))
    gh.add_pull(Pull(2, "Many", body="", closing=closing))
    gh.blobs[f"{BASE_SHA}:goals.yml"] = goals_text()
    code, _ = action.run("pull_request", pr_payload(body=""))
    assert code == 0
    assert (gh.reads, gh.writes) == (1, 0)
    assert 'closes #109 → parent #209 → parent #309 → parent #409 → label "onboarding"' in action.outputs()["thread"]


def test_deleted_issue_is_reported_not_a_crash(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="Closes #99", closing=())
    code, out = action.run("pull_request", pr_payload(body="Closes #99"))
    assert code == 0
    assert "not found or not accessible to the token: #99" in out


def test_goals_are_read_at_the_base_commit(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="Objective: pet-project", closing=())
    gh.pulls[2] = gh.pulls[2]._replace(files=("goals.yml", "pet.py"))
    new = goals_text().replace("budgets:\n", "  - id: pet-project\n    title: Mine\n    owner: '@me'\n    due: 2027-01-01\nbudgets:\n")
    (action.workspace / "goals.yml").write_text(new)
    _, out = action.run("pull_request", pr_payload(body="Objective: pet-project"))
    assert "[unknown-reference]" in out
    assert "[goals-changed-in-change]" in out
    assert gh.reads == 1


def test_bots_are_recognised_by_account_type(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="Bumps lodash", closing=())
    payload = pr_payload(body="Bumps lodash")
    payload["pull_request"]["user"] = {**payload["pull_request"]["user"], "login": "dependabot[bot]", "type": "Bot"}
    payload["pull_request"]["title"] = "Bump lodash from 4.17.20 to 4.17.21"
    code, _ = action.run("pull_request", payload)
    assert code == 0
    assert action.outputs()["aligned"] == "true"  # the maintenance budget matches the bot's login


def test_null_body_payload(action: Action, gh: FakeGitHub) -> None:
    world(gh, closing=())
    payload = contract("github/webhooks/payloads/pull_request.opened.null-body.json")
    code, out = action.run("pull_request", payload)
    assert code == 0
    assert "traces to no objective" in out


def test_edited_payload_validates_against_the_official_schema(action: Action, gh: FakeGitHub) -> None:
    payload = pr_payload(body="Objective: growth")
    payload["action"] = "edited"
    payload["changes"] = {"body": {"from": "old"}}
    validator = jsonschema.Draft7Validator(contract("github/webhooks/schemas/pull_request.edited.schema.json"))
    relevant = [e for e in validator.iter_errors(payload) if "has_discussions" not in e.message]
    assert relevant == []
    world(gh, body="Objective: growth", closing=())
    code, _ = action.run("pull_request", payload)
    assert code == 0
    assert action.outputs()["objectives"] == "growth"


# --- forks and read-only tokens


def test_fork_pr_skips_writes_but_keeps_everything_else(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    payload = pr_payload(body="wip")
    payload["pull_request"]["head"]["repo"] = {**payload["pull_request"]["head"]["repo"], "full_name": "mallory/Hello-World", "fork": True}
    code, out = action.run("pull_request", payload, policy="strict")
    assert code == 1
    assert gh.writes == 0
    assert "comes from a fork" in out
    assert "::error title=clew [unaligned-work]" in out
    assert "traces nowhere" in action.summary.read_text()


def test_read_only_token_is_detected_on_the_first_write(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    gh.read_only = True
    code, out = action.run("pull_request", pr_payload(body="wip"))
    assert code == 0
    assert gh.writes == 1
    assert "cannot write to this repository" in out


def test_no_token_means_no_request(action: Action, gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    world(gh)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    code, out = action.run("pull_request", pr_payload(), token="")
    assert gh.requests == []
    assert "no token given" in out
    assert code == 0


# --- reliability


@pytest.mark.parametrize("kind", ["500", "502", "403-secondary", "429", "timeout"])
@pytest.mark.slow
def test_transient_faults_are_retried(action: Action, gh: FakeGitHub, kind: str) -> None:
    world(gh)
    gh.faults.append(Fault("POST", "/graphql", kind))
    code, _ = action.run("pull_request", pr_payload())
    assert code == 0
    assert action.outputs()["aligned"] == "true"
    assert gh.count(graphql=True) == 2


@pytest.mark.parametrize("kind", ["500", "truncated", "404"])
def test_lasting_faults_fail_open_with_a_notice(action: Action, gh: FakeGitHub, kind: str) -> None:
    world(gh, body="wip", closing=())
    gh.faults.append(Fault("POST", "/graphql", kind, times=10))
    code, out = action.run("pull_request", pr_payload(body="wip"), policy="strict")
    assert code == 0
    assert "passes open" in out
    assert gh.writes == 0
    assert gh.count(graphql=True) <= 4


def test_lasting_faults_fail_when_asked(action: Action, gh: FakeGitHub) -> None:
    world(gh)
    gh.faults.append(Fault("POST", "/graphql", "500", times=10))
    code, _ = action.run("pull_request", pr_payload(), on_api_error="fail")
    assert code == 2


def test_a_failing_write_never_duplicates_the_comment(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    gh.faults.append(Fault("POST", "/repos/Codertocat/Hello-World/issues/2/comments", "502"))
    action.run("pull_request", pr_payload(body="wip"))
    action.run("pull_request", pr_payload(body="wip", labels=("bug", "potential-waste")))
    assert len([c for c in comments(gh) if c.author == gh.login]) == 1


# --- other events


def test_issue_is_tied_to_an_objective_when_written(action: Action, gh: FakeGitHub) -> None:
    payload = contract("github/webhooks/payloads/issues.opened.json")
    gh.add_issue(Issue(1, payload["issue"]["title"], body=""))
    gh.blobs.clear()
    code, _ = action.run("issues", payload)
    assert code == 0
    assert (gh.reads, gh.writes) == (1, 2)
    assert "potential-waste" in gh.labels[1]
    assert comments(gh, 1)[0].body.startswith(MARKER)


def test_issue_with_a_goal_label_traces(action: Action, gh: FakeGitHub) -> None:
    payload = contract("github/webhooks/payloads/issues.labeled.json")
    payload["issue"]["labels"].append({**payload["issue"]["labels"][0], "name": "goal:growth"})
    gh.add_issue(Issue(1, payload["issue"]["title"], labels=tuple(label["name"] for label in payload["issue"]["labels"])))
    code, _ = action.run("issues", payload)
    assert code == 0
    assert action.outputs()["objectives"] == "growth"
    assert gh.writes == 0


def test_push_is_judged_from_the_payload_alone(action: Action, gh: FakeGitHub) -> None:
    payload = contract("github/webhooks/payloads/push.new-branch.json")
    payload["commits"] = [{**payload["head_commit"], "message": "Faster wizard\n\nInitiative: onboarding"}]
    code, _ = action.run("push", payload)
    assert code == 0
    assert gh.requests == []
    assert action.outputs()["objectives"] == "growth"


def test_workflow_dispatch_validates_only(action: Action, gh: FakeGitHub) -> None:
    code, out = action.run("workflow_dispatch", contract("github/webhooks/payloads/workflow_dispatch.json"))
    assert code == 0
    assert "validated only" in out
    assert gh.requests == []


def test_workflow_run_posts_for_a_fork_with_the_number_from_the_artifact(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    payload = {"action": "completed", "repository": {"full_name": "Codertocat/Hello-World", "default_branch": "main"}}
    code, _ = action.run("workflow_run", payload, pr_number="2")
    assert code == 0
    assert (gh.reads, gh.writes) == (1, 2)
    assert comments(gh)[0].body.startswith(MARKER)


@pytest.mark.parametrize("value", ["2; rm -rf /", "-1", "0", "abc", "1e9"])
def test_untrusted_pr_number_is_refused(action: Action, gh: FakeGitHub, value: str) -> None:
    code, _ = action.run("workflow_run", {"repository": {"full_name": "Codertocat/Hello-World"}}, pr_number=value)
    assert code == 2
    assert gh.requests == []


@pytest.mark.parametrize(("name", "value"), [("fail_on", "fatal"), ("comment", "yes"), ("format", "xml"), ("on_api_error", "ignore")])
def test_inputs_are_validated(action: Action, gh: FakeGitHub, name: str, value: str) -> None:
    world(gh)
    code, _ = action.run("pull_request", pr_payload(), **{name: value})
    assert code == 2
    assert f"input {name}" in action.err
    assert gh.requests == []


def test_enterprise_server_urls(action: Action, gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    world(gh, body="wip", closing=())
    root = gh.base_url
    monkeypatch.setattr(gh, "base_url", root + "/api/v3")
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", root + "/api/graphql")
    code, _ = action.run("pull_request", pr_payload(body="wip"))
    monkeypatch.setenv("GITHUB_GRAPHQL_URL", root + "/api/graphql")
    assert code == 0
    assert gh.raw_paths[0] == "/api/graphql"
    assert gh.raw_paths[1] == "/api/v3/repos/Codertocat/Hello-World/issues/2/comments"


def test_explain_a_pull_request_with_a_token(
    gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world(gh)
    (tmp_path / "goals.yml").write_text(goals_text())
    monkeypatch.chdir(tmp_path)
    for key, value in {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "Codertocat/Hello-World", "GITHUB_API_URL": gh.base_url}.items():
        monkeypatch.setenv(key, value)
    code = main(["explain", "#2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert 'PR #2 → closes #17 → label "mobile" → initiative mobile-ux' in out
    assert gh.reads == 1


def test_contracts_are_present() -> None:
    assert (CONTRACTS / "github" / "schema.docs.graphql").is_file()


def test_merge_group_judges_the_queued_head_commit(action: Action, gh: FakeGitHub) -> None:
    payload = {
        "action": "checks_requested",
        "merge_group": {
            "head_sha": "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
            "head_ref": "refs/heads/gh-readonly-queue/main/pr-2-f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
            "base_sha": BASE_SHA,
            "base_ref": "refs/heads/main",
            "head_commit": {"message": "Faster wizard (#2)\n\nInitiative: onboarding"},
        },
        "repository": {"full_name": "Codertocat/Hello-World", "default_branch": "main"},
    }
    code, _ = action.run("merge_group", payload, token="")
    assert code == 0
    assert gh.requests == []
    assert action.outputs()["objectives"] == "growth"


def test_schedule_validates_the_goals_file(action: Action, gh: FakeGitHub) -> None:
    code, out = action.run("schedule", {"schedule": "0 6 * * 1", "repository": {"full_name": "Codertocat/Hello-World"}})
    assert code == 0
    assert "validated only" in out
    assert gh.requests == []


# --- trust, round two: numbers past GitHub's Int, a bad token, stale payload labels


def test_a_number_past_githubs_int_is_not_a_reference_and_never_opens_the_gate(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="Fixes #2147483648", closing=())
    payload = pr_payload(body="Fixes #2147483648", head={**pr_payload()["pull_request"]["head"], "ref": "fix/issue-99999999999"})
    code, out = action.run("pull_request", payload, policy="strict")
    assert code == 1, out
    assert gh.violations == [], "the query stays valid against GitHub's schema"
    assert "passes open" not in out
    assert len(comments(gh)) == 1
    assert "potential-waste" in gh.labels[2]


def test_a_query_github_rejects_fails_closed(action: Action, gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.forges.github import thread as source

    world(gh, body="wip", closing=())
    real = source.build_query

    def broken(*args: Any) -> tuple[str, dict[str, Any]]:
        query, variables = real(*args)
        return query.replace("item: pullRequest(number: $number)", "item: pullRequest(number: 2147483648)"), variables

    monkeypatch.setattr(source, "build_query", broken)
    code, out = action.run("pull_request", pr_payload(body="wip"), policy="strict")
    gh.violations.clear()  # the fake saw the invalid document, as GitHub would
    assert code == 3
    assert "not an outage" in action.err
    assert "passes open" not in out


def test_a_rejected_token_is_a_configuration_error_not_an_outage(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    code, out = action.run("pull_request", pr_payload(body="wip"), token=gh.REVOKED, policy="strict")
    assert code == 2
    assert "GitHub rejected the token (HTTP 401" in action.err
    assert "`token` input" in action.err
    assert "passes open" not in out
    assert gh.writes == 0


def test_a_rerun_with_the_payloads_stale_labels_writes_nothing(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    action.run("pull_request", pr_payload(body="wip"))
    assert "potential-waste" in gh.labels[2]
    gh.requests.clear()
    action.run("pull_request", pr_payload(body="wip"))  # "Re-run jobs": the payload from before the label
    assert (gh.reads, gh.writes) == (1, 0), gh.requests


def test_a_fixed_pr_loses_the_label_the_stale_payload_does_not_show(action: Action, gh: FakeGitHub) -> None:
    world(gh, body="wip", closing=())
    action.run("pull_request", pr_payload(body="wip"))
    gh.pulls[2] = gh.pulls[2]._replace(body="wip\n\nInitiative: onboarding")
    code, _ = action.run("pull_request", pr_payload(body="wip\n\nInitiative: onboarding"))
    assert code == 0
    assert "potential-waste" not in gh.labels[2]
