"""action.yml, clew's own workflows and the example workflows in the docs,
validated by actionlint and by check-jsonschema's GitHub schemas."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _bin(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is a test dependency (pip install -e '.[test]')"
    return found


def _doc_workflows(tmp: Path) -> list[Path]:
    out = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for index, block in enumerate(re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)):
            if re.search(r"^jobs:", block, re.M) and re.search(r"^on:", block, re.M):
                path = tmp / ".github" / "workflows" / f"{doc.stem}-{index}.yml"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(block)
                out.append(path)
    return out


def test_there_are_workflows_to_check(tmp_path: Path) -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "clew.yml"}
    assert len(_doc_workflows(tmp_path)) >= 3


def test_action_metadata_against_the_schema() -> None:
    proc = subprocess.run(
        [_bin("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_against_the_schema(tmp_path: Path) -> None:
    files = [*WORKFLOWS, *_doc_workflows(tmp_path)]
    proc = subprocess.run(
        [_bin("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("source", ["repository", "docs"])
def test_actionlint(tmp_path: Path, source: str) -> None:
    if source == "repository":
        shutil.copytree(ROOT / ".github", tmp_path / ".github")
        shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
        files = sorted((tmp_path / ".github" / "workflows").glob("*.yml"))
    else:
        files = _doc_workflows(tmp_path)
    proc = subprocess.run([_bin("actionlint"), "-no-color", *map(str, files)], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_action_used_is_pinned_by_sha(tmp_path: Path) -> None:
    files = [*WORKFLOWS, ROOT / "action.yml", *_doc_workflows(tmp_path)]
    for path in files:
        for use in re.findall(r"uses:\s*([^\s#]+)", path.read_text()):
            if use.startswith("./") or use.startswith("clew-dev/clew@"):
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", use), f"{path.name}: {use} is not pinned by commit SHA"


def test_workflows_are_least_privilege() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        assert re.search(r"^permissions: \{\}$", text, re.M), f"{path.name} must start from permissions: {{}}"
        assert "pull_request_target" not in text
        assert text.count("persist-credentials: false") == text.count("actions/checkout@")
