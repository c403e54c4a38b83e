"""The wheel carries the policy packs and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_ships_the_packs_and_the_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("clew-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {"checker/policies/default.yml", "checker/policies/strict.yml"} <= names
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "clew = checker.main:main" in archive.read(entry_points).decode()
        for pack in ("default", "strict"):
            assert archive.read(f"checker/policies/{pack}.yml") == (ROOT / "policies" / f"{pack}.yml").read_bytes()
