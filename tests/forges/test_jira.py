"""Jira in the thread: a key in a title, a branch or a trailer is followed through Jira's REST
API, issue → epic → labels, components, fix versions → `match: {jira: ...}`, in at most two
requests per check, against a local Jira whose requests and answers are validated against
Atlassian's OpenAPI description (tests/jira_server.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import goals_text, make_repo
from tests.github_server import FakeGitHub, Pull
from tests.jira_server import CLOUD, DATACENTER, FakeJira
from tests.jobs import BASE_SHA, Action, pr_payload

PAYMENTS = """\
  - id: revenue
    title: Grow revenue from paid plans
    owner: "@ana"
    due: 2027-06-30
    initiatives:
      - id: card-payments
        title: Take card payments
        match:
          jira: {labels: [payments]}
      - id: invoicing
        title: Send invoices
        match:
          jira: {components: [Billing], epics: [OPS-1]}
"""


def goals(jira: str = "jira: {deployment: cloud}") -> str:
    text = goals_text().replace("budgets:\n", PAYMENTS + "budgets:\n", 1)
    return text + jira + "\n"


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    server = FakeJira()
    server.start()
    server.add("PAY-1", "Card payments", labels=["payments"], issuetype="Epic")
    server.add("PAY-12", "Card form", parent="PAY-1", issuetype="Story")
    server.add("PAY-13", "Invoice PDF", components=["Billing"], issuetype="Story")
    server.add("OPS-1", "Invoicing run", issuetype="Epic")
    server.add("OPS-7", "Retry failed invoices", parent="OPS-1", issuetype="Task")
    yield server
    server.stop()
    assert server.violations == []


@pytest.fixture
def cloud(jira: FakeJira, monkeypatch: pytest.MonkeyPatch) -> FakeJira:
    monkeypatch.setenv("JIRA_URL", jira.base)
    monkeypatch.setenv("JIRA_USER", FakeJira.USER)
    monkeypatch.setenv("JIRA_TOKEN", FakeJira.TOKEN)
    monkeypatch.setenv("CLEW_HTTP_TIMEOUT", "2")
    monkeypatch.setenv("CLEW_RETRY_BACKOFF", "0.01")
    for name in ("GITHUB_ACTIONS", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)
    return jira


def _check(clew: Any, tmp: Path, subject: str, *, branch: str = "work", text: str | None = None) -> tuple[int, dict[str, Any], str]:
    repo = make_repo(tmp / "repo")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": text or goals()})
    repo.git("checkout", "-q", "-b", branch)
    repo.commit(subject, {"src/pay.py": "pay = 1\n"})
    run = clew(repo.path, "check", "--range", f"main..{branch}", "--format", "json")
    assert run.code in (0, 1), run.err
    return run.code, json.loads(run.out), run.err


def _hops(item: dict[str, Any]) -> list[str]:
    return [h["step"] for h in item["hops"]]


def test_a_title_key_traces_through_its_epics_label(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    """The issue's case: `PAY-12 …`, whose epic carries the label an initiative matches."""
    code, data, _ = _check(clew, tmp_path, "PAY-12 Add the card form")
    (item,) = data["items"]
    assert item["status"] == "aligned"
    assert _hops(item) == [
        "Jira key in the title PAY-12",
        "parent PAY-1",
        'Jira label "payments"',
        "initiative card-payments",
        "objective revenue",
    ]
    assert code == 0
    assert [path for path, _ in cloud.requests] == [CLOUD, CLOUD]  # the key, then its epic
    assert "key in (PAY-12)" in cloud.requests[0][1]["jql"]
    assert "key in (PAY-1)" in cloud.requests[1][1]["jql"]


def test_components_and_epics_match_and_every_key_is_one_search(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    """A trailer and a closing keyword, several keys: one search for them all, one for the parents."""
    _code, data, _ = _check(clew, tmp_path, "Invoices\n\nJira: PAY-13\nCloses OPS-7", branch="feature/PAY-12-card")
    (item,) = data["items"]
    assert item["status"] == "aligned"
    assert item["objective"] == "revenue"
    assert len(cloud.requests) == 2
    first = cloud.requests[0][1]["jql"]
    assert all(key in first for key in ("PAY-13", "OPS-7", "PAY-12"))
    assert set(cloud.requests[0][1]["fields"]) >= {"labels", "components", "fixVersions", "parent", "project"}


def test_the_epic_rule_follows_the_parent(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    _, data, _ = _check(clew, tmp_path, "OPS-7 Retry failed invoices")
    (item,) = data["items"]
    assert item["status"] == "aligned"
    assert "Jira epic OPS-1" in _hops(item)


def test_a_key_jira_does_not_know_is_said_and_the_rest_still_traces(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    """Jira Cloud refuses a whole search for one unknown key: clew asks once more without it."""
    _, data, _ = _check(clew, tmp_path, "PAY-99 Typo in the key\n\nRefs PAY-12")
    (item,) = data["items"]
    assert item["status"] == "aligned"
    assert any("not found in Jira or not visible to the token: PAY-99" in note for note in data["notes"])
    assert len(cloud.requests) == 3  # refused, asked again without PAY-99, then the epic


def test_data_center_uses_its_search_and_a_bearer_token(jira: FakeJira, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_URL", jira.base)
    monkeypatch.setenv("JIRA_TOKEN", FakeJira.TOKEN)
    monkeypatch.delenv("JIRA_USER", raising=False)
    jira.issues["PAY-12"]["customfield_10008"] = "PAY-1"  # Data Center's Epic Link
    del jira.issues["PAY-12"]["parent"]
    text = goals("jira: {deployment: datacenter, epic_field: customfield_10008}")
    _, data, _ = _check(clew, tmp_path, "PAY-12 Add the card form\n\nRefs PAY-404", text=text)
    (item,) = data["items"]
    assert item["status"] == "aligned"
    assert [path for path, _ in jira.requests] == [DATACENTER, DATACENTER]
    assert jira.requests[0][1]["validateQuery"] == "warn"
    assert "customfield_10008" in jira.requests[0][1]["fields"]
    assert any("PAY-404" in note for note in data["notes"])


def test_jira_down_passes_open_with_a_note(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    cloud.fail_with = 503
    code, data, _ = _check(clew, tmp_path, "PAY-12 Add the card form")
    assert code == 0
    assert data["items"][0]["status"] == "unaligned"
    assert any("passes open" in note and "PAY-12" in note for note in data["notes"])
    assert len(cloud.requests) == 2  # one retry, then give up


def test_a_refused_token_is_a_configuration_error(cloud: FakeJira, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_TOKEN", "wrong")
    repo = make_repo(tmp_path / "repo")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals()})
    repo.git("checkout", "-q", "-b", "work")
    repo.commit("PAY-12 Add the card form", {"src/pay.py": "pay = 1\n"})
    run = clew(repo.path, "check", "--range", "main..work")
    assert run.code == 2
    assert "Jira refused the token (401" in run.err
    assert "Traceback" not in run.err


def test_without_a_token_nothing_is_sent_and_the_note_says_why(
    cloud: FakeJira, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIRA_TOKEN")
    _, data, _ = _check(clew, tmp_path, "PAY-12 Add the card form")
    assert data["items"][0]["status"] == "unaligned"
    assert any("JIRA_TOKEN is not set" in note for note in data["notes"])
    assert cloud.requests == []


def test_listed_projects_keep_key_shaped_words_out(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    """`UTF-8` looks like a key; with `projects: [PAY, OPS]` it is a word, and nothing is asked."""
    _, data, _ = _check(clew, tmp_path, "UTF-8 everywhere", text=goals("jira: {deployment: cloud, projects: [PAY, OPS]}"))
    assert data["items"][0]["status"] == "unaligned"
    assert cloud.requests == []
    _, data, _ = _check(clew, tmp_path / "2", "PAY-12 Add the card form", text=goals("jira: {deployment: cloud, projects: [PAY, OPS]}"))
    assert data["items"][0]["status"] == "aligned"


def test_without_jira_settings_keys_stay_unfollowed(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    _, data, _ = _check(clew, tmp_path, "Card form\n\nCloses PAY-12", text=goals(""))
    assert data["items"][0]["status"] == "unaligned"
    assert "PAY-12 could not be followed" in data["items"][0]["breaks"]
    assert cloud.requests == []


def test_the_pre_push_hook_follows_jira_too(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals()})
    base = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "work")
    head = repo.commit("PAY-12 Add the card form", {"src/pay.py": "pay = 1\n"})
    run = clew(repo.path, "pre-push", "origin", "url", stdin=f"refs/heads/work {head} refs/heads/work {base}\n")
    assert run.code == 0, run.err
    assert "card-payments" in run.err
    assert len(cloud.requests) == 2


def test_the_github_action_follows_a_pr_titled_with_a_key(
    cloud: FakeJira, gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    action = Action(tmp_path, gh, monkeypatch, capsys)
    (action.workspace / "goals.yml").write_text(goals())
    gh.blobs[f"{BASE_SHA}:goals.yml"] = goals()
    gh.add_pull(Pull(2, "PAY-12 Add the card form", body=""))
    payload = pr_payload(body="", labels=())
    payload["pull_request"]["title"] = "PAY-12 Add the card form"
    for name in ("JIRA_URL", "JIRA_USER", "JIRA_TOKEN"):  # the Action's inputs carry them
        monkeypatch.delenv(name)
    jira = {"jira_url": cloud.base, "jira_user": FakeJira.USER, "jira_token": FakeJira.TOKEN}
    code, out = action.run("pull_request", payload, format="json", comment="false", label="false", **jira)
    data = json.loads(out[: out.rindex("}") + 1].split("\n::", 1)[0])
    (item,) = data["items"]
    assert item["status"] == "aligned", out
    assert 'Jira label "payments"' in _hops(item)
    assert code == 0
    assert len(cloud.requests) == 2
    assert gh.violations == []


@pytest.mark.parametrize(
    ("jira_text", "expected"),
    [
        ("jira: {url: 'ftp://jira.example.com'}", "jira.url"),
        ("jira: {projects: [pay]}", "jira.projects"),
        ("jira: {epic_field: 'Epic Link'}", "jira.epic_field"),
    ],
)
def test_bad_jira_settings_are_refused_at_their_line(jira_text: str, expected: str, clew: Any, tmp_path: Path) -> None:
    (tmp_path / "goals.yml").write_text(goals(jira_text))
    run = clew(tmp_path, "validate")
    assert run.code == 2
    line = goals(jira_text).splitlines().index(jira_text) + 1
    assert f"goals.yml:{line}:" in run.err
    assert expected in run.err
    assert "Traceback" not in run.err


def test_bad_match_rule_keys_are_refused(clew: Any, tmp_path: Path) -> None:
    (tmp_path / "goals.yml").write_text(goals().replace("jira: {labels: [payments]}", "jira: {epics: [payments]}"))
    run = clew(tmp_path, "validate")
    assert run.code == 2
    assert "epics" in run.err


def test_a_change_cannot_send_the_token_to_a_jira_url_of_its_own(
    cloud: FakeJira, clew: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token goes where the goals file at the base says Jira is (or JIRA_URL), never to a URL
    the change itself writes into the goals file."""
    monkeypatch.delenv("JIRA_URL")
    elsewhere = FakeJira()
    elsewhere.start()
    try:
        repo = make_repo(tmp_path / "repo")
        repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals(f"jira: {{deployment: cloud, url: '{cloud.base}'}}")})
        repo.git("checkout", "-q", "-b", "work")
        moved = goals(f"jira: {{deployment: cloud, url: '{elsewhere.base}'}}")
        repo.commit("PAY-12 Add the card form", {"goals.yml": moved, "src/pay.py": "pay = 1\n"})
        run = clew(repo.path, "check", "--range", "main..work", "--format", "json")
        assert run.code in (0, 1), run.err
        assert len(cloud.requests) == 2  # the base's Jira
        assert elsewhere.requests == []
        # A goals file the change adds has no base: its URL is not used at all.
        fresh = make_repo(tmp_path / "fresh")
        fresh.commit("Start", {"README.md": "hi\n"})
        fresh.git("checkout", "-q", "-b", "work")
        fresh.commit("PAY-12 Add the card form\n\nObjective: retention", {"goals.yml": moved})
        run = clew(fresh.path, "check", "--range", "main..work", "--format", "json")
        assert run.code in (0, 1), run.err
        assert elsewhere.requests == []
        assert any("not trusted with the token" in note for note in json.loads(run.out)["notes"])
    finally:
        elsewhere.stop()


# --- the report follows Jira keys too: every key the window's work names, 50 per search


def test_the_local_report_traces_through_jira_fifty_keys_per_search(cloud: FakeJira, clew: Any, tmp_path: Path) -> None:
    for n in range(100, 160):
        cloud.add(f"PAY-{n}", f"Card detail {n}", parent="PAY-1", issuetype="Story")
    repo = make_repo(tmp_path / "repo")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals()})
    for n in range(100, 160):
        repo.commit(f"PAY-{n} Card detail", {"src/pay.py": f"pay = {n}\n"})
    repo.commit("Tidy the README", {"README.md": "tidy\n"})
    run = clew(repo.path, "report", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    items = {i["title"]: i for i in data["items"]}
    assert items["PAY-142 Card detail"]["status"] == "aligned"
    assert items["PAY-142 Card detail"]["objective"] == "revenue"
    assert "PAY-1" in items["PAY-142 Card detail"]["thread"]
    assert items["Tidy the README"]["status"] == "unaligned"
    revenue = next(o for o in data["objectives"] if o["id"] == "revenue")
    assert revenue["merged"] == 60
    assert [len(body["jql"].split(",")) for _, body in cloud.requests] == [50, 10, 1]  # 60 keys, then their one epic
    assert "Jira: 61 issues and epics read in 3 searches" in data["notes"]


@pytest.mark.slow
def test_the_github_report_follows_jira_keys_and_says_when_it_cannot(cloud: FakeJira, gh: FakeGitHub, tmp_path: Path) -> None:
    from tests.conftest import clew_process

    (tmp_path / "goals.yml").write_text(goals())
    gh.add_pull(Pull(1, "PAY-12 Add the card form", merged_at="2026-11-20T10:00:00Z", updated_at="2026-11-20T10:00:00Z"))
    gh.add_pull(Pull(2, "Rename a helper", body="wip", merged_at="2026-11-20T11:00:00Z", updated_at="2026-11-20T11:00:00Z"))
    env = {
        "GITHUB_TOKEN": "t",
        "GITHUB_REPOSITORY": gh.repository,
        "GITHUB_API_URL": gh.base_url,
        "CLEW_TODAY": "2026-11-21",
        "CLEW_HTTP_TIMEOUT": "5",
    }
    run = clew_process(tmp_path, "report", "--format", "json", env=env)
    assert run.code == 0, run.err
    data = json.loads(run.out)
    card = next(i for i in data["items"] if i["title"] == "PAY-12 Add the card form")
    assert (card["status"], card["objective"]) == ("aligned", "revenue")
    assert len(cloud.requests) == 2
    cloud.stop()  # Jira is down: the report still comes, and says what it could not follow
    down = clew_process(tmp_path, "report", "--format", "json", env={**env, "CLEW_RETRY_BACKOFF": "0.01", "CLEW_HTTP_TIMEOUT": "1"})
    assert down.code == 0, down.err
    notes = json.loads(down.out)["notes"]
    assert any("Jira could not be reached" in n and "PAY-12" in n for n in notes), notes
