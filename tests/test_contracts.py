"""The vendored contracts are the published files, unedited: each one hashes to its manifest entry."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import CONTRACTS

VENDORED = Path(__file__).resolve().parent / "contracts"


def test_every_vendored_file_matches_its_manifest_entry() -> None:
    manifest = json.loads((VENDORED / "MANIFEST.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    data = {
        str(path.relative_to(VENDORED))
        for path in VENDORED.rglob("*")
        if path.is_file() and path.parent != VENDORED and "LICENSES" not in path.parts
    }
    assert data == set(listed), "every vendored data file has exactly one manifest entry"
    for rel, entry in listed.items():
        assert hashlib.sha256((VENDORED / rel).read_bytes()).hexdigest() == entry["sha256"], f"{rel} was edited"
        assert entry["license"], rel


def test_each_licence_named_in_the_manifest_is_vendored() -> None:
    manifest = json.loads((VENDORED / "MANIFEST.json").read_text(encoding="utf-8"))
    licences = [entry["license"] for entry in manifest["files"] if "LICENSES/" in entry["license"]]
    named = {text.split("LICENSES/")[1].rstrip(")").split(",")[0].split(" ")[0] for text in licences}
    assert named, "the manifest names licence files"
    for name in named:
        assert (VENDORED / "LICENSES" / name).is_file(), name


def test_the_suite_reads_the_vendored_copy_unless_told_otherwise() -> None:
    assert CONTRACTS.is_dir()
    assert (CONTRACTS / "github" / "schema.docs.graphql").is_file()
