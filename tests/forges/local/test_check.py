"""The local surface with real git: the installed hook refuses or lets through
a real `git push` to a local bare remote, and says why."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.commands.hook import BACKUP, MARKER
from checker.work import WorkItem
from tests.conftest import Repo, clew_process, goals_text, make_repo


def with_remote(tmp_path: Path, pack: str) -> Repo:
    """A repository with a goals file using `pack` on main, pushed to a bare remote, hook installed."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "remote.git")], check=True)
    repo = make_repo(tmp_path / "work")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text(pack)})
    repo.git("remote", "add", "origin", str(tmp_path / "remote.git"))
    repo.git("push", "-q", "origin", "main")
    run = clew_process(repo.path, "hook", "install")
    assert run.code == 0, run.err
    return repo


@pytest.fixture
def pushable(tmp_path: Path) -> Repo:
    return with_remote(tmp_path, "strict")


def push(repo: Repo, branch: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "push", "origin", branch], cwd=repo.path, capture_output=True, text=True, check=False)


def on_branch(repo: Repo, branch: str, *messages: str) -> None:
    repo.git("checkout", "-q", "-b", branch, "main")
    for message in messages:
        repo.commit(message)


def remote_has(repo: Repo, branch: str) -> bool:
    return bool(repo.git("ls-remote", "origin", f"refs/heads/{branch}"))


def test_untraced_work_is_refused_with_the_reason_and_the_fix(pushable: Repo) -> None:
    on_branch(pushable, "tweaks", "Tweak the onboarding wizard copy")
    result = push(pushable, "tweaks")
    assert result.returncode != 0
    assert not remote_has(pushable, "tweaks")
    assert "error [unaligned-work] branch tweaks traces to no objective" in result.stderr
    assert "Initiative: onboarding" in result.stderr
    assert "push refused" in result.stderr
    assert "git push --no-verify" in result.stderr


def test_a_typo_in_an_id_is_refused_with_did_you_mean(pushable: Repo) -> None:
    on_branch(pushable, "typo", "Login\n\nObjective: retension")
    result = push(pushable, "typo")
    assert result.returncode != 0
    assert "[unknown-reference]" in result.stderr
    assert "did you mean 'retention'?" in result.stderr


@pytest.mark.parametrize(
    ("branch", "message"),
    [
        ("topic-trailer", "Login screen\n\nObjective: retention"),
        ("topic-initiative", "Faster wizard\n\nInitiative: onboarding"),
        ("mobile/login", "Login screen"),
        ("deps", "chore(deps): bump lodash"),
        ("hotfix", "Patch the outage\n\nUnaligned: production outage, nothing on the roadmap covers it"),
    ],
    ids=["trailer", "initiative-reference", "branch-matches-initiative", "budget", "escape-hatch"],
)
def test_traced_work_goes_through(pushable: Repo, branch: str, message: str) -> None:
    on_branch(pushable, branch, message)
    result = push(pushable, branch)
    assert result.returncode == 0, result.stderr
    assert remote_has(pushable, branch)
    assert "✓" in result.stderr or "~" in result.stderr


def test_placeholder_escape_reason_is_refused(pushable: Repo) -> None:
    on_branch(pushable, "lazy", "Patch\n\nUnaligned: n/a")
    result = push(pushable, "lazy")
    assert result.returncode != 0
    assert "'Unaligned: n/a' is a placeholder" in result.stderr


def test_one_traced_commit_is_enough_for_the_branch(pushable: Repo) -> None:
    on_branch(pushable, "mixed", "wip", "more wip", "Finish the wizard\n\nInitiative: onboarding")
    assert push(pushable, "mixed").returncode == 0


def test_per_commit_judges_each_commit(pushable: Repo) -> None:
    on_branch(pushable, "mixed", "wip", "Finish the wizard\n\nInitiative: onboarding")
    head = pushable.git("rev-parse", "HEAD")
    run = clew_process(pushable.path, "pre-push", "--per-commit", stdin=f"refs/heads/mixed {head} refs/heads/mixed {'0' * 40}\n")
    assert run.code == 1
    assert run.err.count("[unaligned-work] commit") == 1


def test_only_new_commits_are_judged(pushable: Repo) -> None:
    on_branch(pushable, "feature", "Faster wizard\n\nInitiative: onboarding")
    assert push(pushable, "feature").returncode == 0
    pushable.commit("Follow-up without a trailer")
    result = push(pushable, "feature")
    assert result.returncode != 0, "the follow-up alone traces nowhere"
    assert "1 item" in result.stderr


def test_a_remote_tip_this_clone_lacks_falls_back_to_what_no_remote_has(pushable: Repo) -> None:
    """Someone else pushed first: git names a remote oid this clone never fetched. The range
    `remote..local` cannot be asked, so the commits on no remote-tracking ref are judged."""
    on_branch(pushable, "raced", "Wizard step two\n\nInitiative: onboarding", "Untraced follow-up")
    head = pushable.git("rev-parse", "HEAD")
    run = clew_process(pushable.path, "pre-push", stdin=f"refs/heads/raced {head} refs/heads/raced {'e' * 40}\n")
    assert run.code == 0, run.err  # the branch as a whole traces (one of its commits names the initiative)
    assert "branch raced" in run.err
    assert "Traceback" not in run.err


def test_existing_work_on_remotes_is_not_judged_again(pushable: Repo) -> None:
    pushable.git("checkout", "-q", "-b", "copy", "main")
    result = push(pushable, "copy")
    assert result.returncode == 0, result.stderr


def test_goals_edited_in_the_same_change_cannot_align_it(pushable: Repo) -> None:
    on_branch(pushable, "sneaky")
    text = goals_text("strict").replace(
        "budgets:\n", "  - id: pet-project\n    title: My pet project\n    owner: '@me'\n    due: 2027-01-01\nbudgets:\n"
    )
    pushable.commit("Add my objective and work on it\n\nObjective: pet-project", {"goals.yml": text, "pet.txt": "x"})
    result = push(pushable, "sneaky")
    assert result.returncode != 0
    assert "[unknown-reference]" in result.stderr
    assert "[goals-changed-in-change]" in result.stderr
    assert "judged against its version at" in result.stderr


def test_an_invalid_new_goals_file_is_reported_not_a_traceback(pushable: Repo) -> None:
    on_branch(pushable, "broken-goals")
    pushable.commit("Edit goals\n\nObjective: retention", {"goals.yml": "version: 1\nmission: x\nobjectives:\n  - id: a\n    titel: A\n"})
    result = push(pushable, "broken-goals")
    assert result.returncode != 0
    assert "goals.yml:5:5: objectives[0].titel: unknown key 'titel'; did you mean 'title'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_deleting_a_branch_is_not_judged(pushable: Repo) -> None:
    on_branch(pushable, "gone", "Faster wizard\n\nInitiative: onboarding")
    assert push(pushable, "gone").returncode == 0
    result = subprocess.run(["git", "push", "origin", ":gone"], cwd=pushable.path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert not remote_has(pushable, "gone")


def test_tags_are_not_judged(pushable: Repo) -> None:
    on_branch(pushable, "untraced", "Untraced work")
    pushable.git("tag", "v1.0.0")
    result = subprocess.run(["git", "push", "origin", "v1.0.0"], cwd=pushable.path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_several_refs_in_one_push(pushable: Repo) -> None:
    on_branch(pushable, "good", "Faster wizard\n\nInitiative: onboarding")
    on_branch(pushable, "bad", "Untraced work")
    result = subprocess.run(["git", "push", "origin", "good", "bad"], cwd=pushable.path, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "branch bad traces to no objective" in result.stderr
    assert "branch good" in result.stderr


def test_default_pack_warns_but_lets_the_push_through(tmp_path: Path) -> None:
    repo = with_remote(tmp_path, "default")
    on_branch(repo, "tweaks", "Untraced work")
    result = push(repo, "tweaks")
    assert result.returncode == 0
    assert "warning [unaligned-work]" in result.stderr


# --- the pre-push protocol, directly


def test_no_lines_is_nothing_to_do_and_fast(tmp_path: Path) -> None:
    start = time.perf_counter()
    run = clew_process(tmp_path, "pre-push", "origin", "url", stdin="")
    assert (run.code, run.out, run.err) == (0, "", "")
    assert time.perf_counter() - start < 2.0


def test_only_a_deletion_needs_no_goals_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "empty")
    run = clew_process(repo.path, "pre-push", stdin=f"(delete) {'0' * 40} refs/heads/x {'a' * 40}\n")
    assert run.code == 0, run.err


def test_malformed_pre_push_input_is_a_clear_error(tmp_path: Path) -> None:
    run = clew_process(tmp_path, "pre-push", stdin="refs/heads/x abc\n")
    assert run.code == 2
    assert "pre-push input line 1" in run.err
    assert "Traceback" not in run.err


def test_sha256_repository(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "--bare", "--object-format=sha256", "-b", "main", str(tmp_path / "r.git")], check=True)
    repo = make_repo(tmp_path / "w", "--object-format=sha256")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text("strict")})
    repo.git("remote", "add", "origin", str(tmp_path / "r.git"))
    assert len(repo.git("rev-parse", "HEAD")) == 64
    assert clew_process(repo.path, "hook", "install").code == 0
    assert push(repo, "main").returncode == 0
    on_branch(repo, "bad", "Untraced work")
    result = push(repo, "bad")
    assert result.returncode != 0
    assert "branch bad traces to no objective" in result.stderr
    on_branch(repo, "good", "Faster wizard\n\nInitiative: onboarding")
    assert push(repo, "good").returncode == 0


def test_inherited_git_variables_are_stripped(pushable: Repo, tmp_path: Path) -> None:
    other = make_repo(tmp_path / "other")
    on_branch(pushable, "bad", "Untraced work")
    head = pushable.git("rev-parse", "HEAD")
    env = {"GIT_DIR": str(other.path / ".git"), "GIT_INDEX_FILE": str(other.path / ".git" / "index"), "GIT_WORK_TREE": str(other.path)}
    run = clew_process(pushable.path, "pre-push", stdin=f"refs/heads/bad {head} refs/heads/bad {'0' * 40}\n", env=env)
    assert run.code == 1, run.err
    assert "branch bad traces to no objective" in run.err


def test_the_pre_push_path_stays_offline(pushable: Repo) -> None:
    on_branch(pushable, "good", "Faster wizard\n\nInitiative: onboarding")
    head = pushable.git("rev-parse", "HEAD")
    code = (
        "import sys, socket\n"
        "def refuse(*a, **k): raise SystemExit('network used')\n"
        "socket.socket.connect = refuse\n"
        "from checker.cli import main\n"
        "code = main(['pre-push', 'origin', 'url'])\n"
        "print('FORGES', sorted(m for m in sys.modules if m.split('.')[0] in ('github', 'gitlab')), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    stdin = f"refs/heads/good {head} refs/heads/good {'0' * 40}\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=pushable.path, input=stdin, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "FORGES []" in proc.stderr


# --- hook install / uninstall


def test_hook_lands_where_git_runs_it_with_core_hookspath(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "w")
    repo.git("config", "core.hooksPath", ".githooks")
    run = clew_process(repo.path, "hook", "install")
    assert run.code == 0, run.err
    hook = repo.path / ".githooks" / "pre-push"
    assert MARKER in hook.read_text()
    assert os.access(hook, os.X_OK)
    assert not (repo.path / ".git" / "hooks" / "pre-push").exists()


def test_foreign_hook_is_never_overwritten_without_force(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "w")
    hook = repo.path / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho mine\n")
    run = clew_process(repo.path, "hook", "install")
    assert run.code == 2
    assert "was not written by clew" in run.err
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    forced = clew_process(repo.path, "hook", "install", "--force")
    assert forced.code == 0
    assert (hook.parent / BACKUP).read_text() == "#!/bin/sh\necho mine\n"
    assert MARKER in hook.read_text()
    gone = clew_process(repo.path, "hook", "uninstall")
    assert gone.code == 0
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    assert not (hook.parent / BACKUP).exists()


def test_reinstall_and_uninstall_own_hook(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "w")
    assert clew_process(repo.path, "hook", "install").code == 0
    assert clew_process(repo.path, "hook", "install").code == 0
    assert clew_process(repo.path, "hook", "uninstall").code == 0
    assert not (repo.path / ".git" / "hooks" / "pre-push").exists()
    assert "nothing to do" in clew_process(repo.path, "hook", "uninstall").out


def test_uninstall_leaves_a_foreign_hook_alone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "w")
    hook = repo.path / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\nexit 0\n")
    assert clew_process(repo.path, "hook", "uninstall").code == 2
    assert hook.exists()


def test_hook_outside_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    run = clew_process(tmp_path, "hook", "install")
    assert run.code == 2
    assert "not inside a git repository" in run.err


# --- clew check and explain on local history


def test_check_current_branch_against_upstream(pushable: Repo) -> None:
    on_branch(pushable, "topic", "Untraced work")
    pushable.git("push", "-q", "--no-verify", "-u", "origin", "topic")
    pushable.commit("More\n\nInitiative: onboarding")
    run = clew_process(pushable.path, "check")
    assert run.code == 0, run.out + run.err
    assert "compared with origin/topic" in run.out


def test_check_against_default_branch_without_upstream(pushable: Repo) -> None:
    on_branch(pushable, "topic", "Untraced work")
    run = clew_process(pushable.path, "check", "--format", "json")
    assert run.code == 1
    assert '"status": "unaligned"' in run.out


def test_check_range_per_commit(pushable: Repo) -> None:
    on_branch(pushable, "topic", "One\n\nObjective: growth", "Two\n\nObjective: retention")
    run = clew_process(pushable.path, "check", "--range", "main..topic", "--per-commit")
    assert run.code == 0, run.out
    assert run.out.count("✓ commit") == 2


def test_check_bad_range_is_a_clear_error(pushable: Repo) -> None:
    run = clew_process(pushable.path, "check", "--range", "nope..HEAD")
    assert run.code == 2
    assert "'nope' is not a commit" in run.err


def test_check_via_pre_commit_environment(pushable: Repo) -> None:
    on_branch(pushable, "topic", "Untraced work")
    env = {"PRE_COMMIT_FROM_REF": "main", "PRE_COMMIT_TO_REF": "topic", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/mobile/login"}
    run = clew_process(pushable.path, "check", env=env)
    assert run.code == 0, run.out
    assert "branch mobile/login" in run.out


def test_explain_a_commit_and_a_branch(pushable: Repo) -> None:
    on_branch(pushable, "mobile/login", "Login screen")
    branch_run = clew_process(pushable.path, "explain", "mobile/login")
    assert 'branch mobile/login → branch pattern "mobile/*" → initiative mobile-ux' in branch_run.out
    sha = pushable.commit("Faster wizard\n\nInitiative: onboarding")
    commit_run = clew_process(pushable.path, "explain", sha)
    assert commit_run.code == 0
    assert "Initiative trailer: Initiative: onboarding" in commit_run.out
    assert "→ initiative onboarding → objective growth → mission" in commit_run.out
    stronger = clew_process(pushable.path, "explain", "mobile/login")
    assert "branch mobile/login → Initiative: onboarding → initiative onboarding" in stronger.out


def test_explain_untraced_shows_where_it_breaks_and_suggestions(pushable: Repo) -> None:
    on_branch(pushable, "x", "Make the onboarding wizard faster")
    run = clew_process(pushable.path, "explain", "HEAD")
    assert "✗ no reference" in run.out
    assert "suggestion: initiative onboarding" in run.out


def test_explain_unknown_ref(pushable: Repo) -> None:
    run = clew_process(pushable.path, "explain", "no-such-thing")
    assert run.code == 2
    assert "neither a branch nor a commit" in run.err


def test_a_parsed_commit_has_every_field_in_its_place() -> None:
    """The log parser builds WorkItems positionally: each value must land in its named field."""
    from checker.forges.local.git import _commit

    US = "\x1f0123"
    record = US.join(
        [
            "a" * 40,
            "dependabot[bot]",
            "x@y",
            "2026-01-01T00:00:00+00:00",
            "2026-01-02T00:00:00+00:00",
            "p1 p2",
            "Subject \n\nBody\n",
            "\0\nsrc/a.py\0b c.md\0",
        ]
    )
    commit = _commit(record, US)
    assert commit == WorkItem(
        kind="commit",
        key="a" * 40,
        title="Subject",
        body="Body",
        author="dependabot[bot]",
        author_is_bot=True,
        paths=("src/a.py", "b c.md"),
        state="merge",
        created_at="2026-01-01T00:00:00+00:00",
        updated_at="2026-01-02T00:00:00+00:00",
        parents=("p1", "p2"),
    )
    assert len(commit) == len(WorkItem._fields)


NAMES = ("\nnewline.md", "a\x1eb\x1f.txt", 'quote".md', "tab\there.md")  # in git's order


def test_control_characters_in_a_message_or_a_name_are_text(tmp_path: Path) -> None:
    """git's output is split on separators with a random token: a message or a name holding the
    control characters clew separates with stays one commit, whole."""
    from checker.forges.local import git as gitmod
    from checker.forges.local import units as collect_local

    repo = make_repo(tmp_path / "w")
    evil = "Evil \x1e sub\x1fject\n\nbody \x1f\x1e more"
    repo.commit(evil, dict.fromkeys(NAMES, "x"))
    (commit,) = gitmod.log(["HEAD"], repo.path)
    assert (commit.title, commit.body, commit.paths) == ("Evil \x1e sub\x1fject", "body \x1f\x1e more", NAMES)
    (logged,) = gitmod.Log(["HEAD"], repo.path)
    assert logged == commit
    (paths,) = gitmod.Touched(["HEAD"], repo.path, None).answers().values()
    assert paths == NAMES
    import datetime as dt

    today = dt.date.today()
    (unit,) = collect_local.units(collect_local.start(repo.path, today - dt.timedelta(days=2), today, paths=True, beside=True))
    assert (unit.title, unit.paths) == ("Evil \x1e sub\x1fject", NAMES)


@pytest.mark.parametrize("oid", ["--output=PWNED", "-p", "HEAD", "a" * 39 + "g", "main"])
def test_an_object_id_that_is_not_hex_never_reaches_git(pushable: Repo, oid: str) -> None:
    head = pushable.git("rev-parse", "HEAD")
    for line in (f"refs/heads/x {oid} refs/heads/x {'0' * 40}\n", f"refs/heads/x {head} refs/heads/x {oid}\n"):
        run = clew_process(pushable.path, "pre-push", stdin=line)
        assert run.code == 2, run.err
        assert "is not an object id" in run.err
        assert not (pushable.path / "PWNED").exists()


def test_per_commit_names_only_the_commit_that_adds_the_goals_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "fresh")
    repo.commit("Add the goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.commit("Login form\n\nInitiative: mobile-ux", {"src/login.py": "x = 1\n"})
    repo.commit("Wizard\n\nInitiative: onboarding", {"src/wizard.py": "y = 2\n"})
    head = repo.git("rev-parse", "HEAD")
    run = clew_process(repo.path, "pre-push", "--per-commit", stdin=f"refs/heads/main {head} refs/heads/main {'0' * 40}\n")
    assert run.code == 0, run.err
    edits = [line for line in run.err.splitlines() if "[goals-changed-in-change]" in line]
    assert len(edits) == 1, run.err
    assert repo.git("rev-parse", "--short=10", "HEAD~2") in edits[0]
    check = clew_process(repo.path, "check", "--range", f"{repo.git('rev-parse', 'HEAD~2')}~0..HEAD", "--per-commit")
    assert "[goals-changed-in-change]" not in check.out
