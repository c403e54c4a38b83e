"""The compiled pyramid cache: used when nothing changed, rebuilt when anything
it was built from changed, harmless when broken or unwritable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.goals import compiled
from checker.goals.compiled import Pyramid, cache_path, read_cache
from checker.goals.file import pyramid_for
from tests.conftest import goals_text, make_repo
from tests.helpers import config


def test_round_trip(tmp_path: Path) -> None:
    pyramid = config(tmp_path).pyramid()
    assert Pyramid.from_json(pyramid.to_json()) == pyramid


def test_cache_hit_then_rebuild_when_a_pack_changes(tmp_path: Path) -> None:
    pack = tmp_path / "team.yml"
    pack.write_text("rules:\n  unaligned-work: error\n")
    text = goals_text("./team.yml").encode()
    (tmp_path / "goals.yml").write_bytes(text)
    cache = tmp_path / "cache"
    first = pyramid_for(text, "goals.yml", tmp_path / "goals.yml", cache)
    assert first.severities["unaligned-work"] == "error"
    assert read_cache(cache_path(cache, text, "goals.yml")) == first
    pack.write_text("rules:\n  unaligned-work: notice\n")
    assert read_cache(cache_path(cache, text, "goals.yml")) is None
    assert pyramid_for(text, "goals.yml", tmp_path / "goals.yml", cache).severities["unaligned-work"] == "notice"


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    text = goals_text().encode()
    cache = tmp_path / "cache"
    path = cache_path(cache, text, "goals.yml")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert pyramid_for(text, "goals.yml", tmp_path / "goals.yml", cache).fail_on == "error"


def test_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory would be")
    assert pyramid_for(goals_text().encode(), "goals.yml", tmp_path / "goals.yml", blocker).mission


def test_new_clew_version_means_a_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache_path(tmp_path, b"x", "goals.yml")
    monkeypatch.setattr(compiled, "__version__", "99.0.0")
    assert cache_path(tmp_path, b"x", "goals.yml") != before


def test_cached_pre_push_imports_no_validating_models_and_no_forges(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "w")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text("strict")})
    repo.git("checkout", "-q", "-b", "topic")
    head = repo.commit("Faster wizard\n\nInitiative: onboarding")
    code = (
        "import sys\nfrom checker.main import main\ncode = main(['pre-push', 'origin', 'url'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'ruamel', 'click', 'github', 'gitlab'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\nsys.exit(code)\n"
    )
    stdin = f"refs/heads/topic {head} refs/heads/topic {'0' * 40}\n"

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code], cwd=repo.path, input=stdin, capture_output=True, text=True, check=False)

    cold = run()
    assert cold.returncode == 0, cold.stderr
    assert "pydantic" in cold.stderr.split("HEAVY")[1], "the first run builds the cache with the validating loader"
    warm = run()
    assert warm.returncode == 0, warm.stderr
    assert "HEAVY []" in warm.stderr
    assert list((repo.path / ".git" / "clew").glob("pyramid-*.json"))


def test_pre_commit_hook_definition() -> None:
    from checker.goals import yamldoc
    from tests.conftest import ROOT

    (hook,) = yamldoc.parse((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "clew"
    assert hook["language"] == "python"
    assert hook["stages"] == ["pre-push"]
    assert hook["pass_filenames"] is False
    assert hook["always_run"] is True
    assert tuple(int(x) for x in hook["minimum_pre_commit_version"].split(".")) >= (3, 2, 0)
    assert hook["entry"] == "clew check"


def test_cached_local_report_reads_no_yaml_and_imports_no_pydantic(tmp_path: Path) -> None:
    """On a cache hit the local report takes what it needs of the goals file from the cache:
    no YAML parser, no validating models, no pydantic at all; and the same report."""
    repo = make_repo(tmp_path / "w")
    repo.commit("Add goals\n\nObjective: retention", {"goals.yml": goals_text()})
    repo.commit("Faster wizard\n\nInitiative: onboarding", {"src/a.txt": "a"})
    repo.commit("Tidy up", {"apps/mobile/b.txt": "b"})
    code = (
        "import sys\nfrom checker.main import main\ncode = main(['report'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'ruamel', 'github', 'gitlab'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\nsys.exit(code)\n"
    )

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code], cwd=repo.path, capture_output=True, text=True, check=False)

    cold = run()
    assert cold.returncode == 0, cold.stderr
    assert "wrote ALIGNMENT.md, alignment.json" in cold.stdout
    assert "pydantic" in cold.stderr.split("HEAVY")[1]
    assert "ruamel" in cold.stderr.split("HEAVY")[1]
    first = (repo.path / "alignment.json").read_text()
    warm = run()
    assert warm.returncode == 0, warm.stderr
    assert "HEAVY []" in warm.stderr
    assert "the report is unchanged" in warm.stdout
    assert (repo.path / "alignment.json").read_text() == first
    report = json.loads(first)
    assert [(r["status"], r["objective"]) for r in report["items"]] == [
        ("aligned", "retention"),
        ("aligned", "growth"),
        ("aligned", "retention"),
    ]
    assert report["objectives"][0]["due"] == "2027-03-31"
    assert report["objectives"][0]["key_results"][0]["progress"] == pytest.approx(0.4 / 1.5)
