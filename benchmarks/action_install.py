"""The Action's own overhead before clew runs: its "Install clew" step, replayed from action.yml
(uv, as the Action does it), against the pip step it replaced, measured in the same run.

Each step runs in bash with the variables the runner gives it (RUNNER_TEMP, ACTION_PATH: a
clean `git archive` of HEAD, as GitHub checks an action out). "warm" is a run with the tool's
cache filled by an earlier run (the Action caches uv's downloads; setup-python cached pip's);
"cold" starts from an empty cache and downloads everything from the package index. Run from
the repository root, with a uv binary of the version action.yml pins:

    .venv/bin/python benchmarks/action_install.py --uv .bench/uv/bin/uv [--runs 5]

benchmarks/run.sh installs that uv and passes it. Needs the package index (PyPI)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The step action.yml had before uv: a venv and pip, with setup-python's pip cache.
PIP_STEP = """\
python3 -m venv "$RUNNER_TEMP/clew-venv"
"$RUNNER_TEMP/clew-venv/bin/python" -m pip install --disable-pip-version-check --quiet "$ACTION_PATH"
"""


def install_step() -> str:
    """The `run:` of action.yml's "Install clew" step, as the runner would execute it."""
    from ruamel.yaml import YAML

    action = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in action["runs"]["steps"] if s.get("name") == "Install clew"]
    return str(step["run"])


def uv_version() -> str:
    from ruamel.yaml import YAML

    action = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (setup,) = [s for s in action["runs"]["steps"] if str(s.get("uses", "")).startswith("astral-sh/setup-uv@")]
    return str(setup["with"]["version"])


def replay(script: str, action: Path, cache: dict[str, str], tool_dir: Path) -> float:
    """One run of the step in a fresh RUNNER_TEMP; seconds, and the installed `clew` must start."""
    with tempfile.TemporaryDirectory() as temp:
        env = {**os.environ, **cache, "RUNNER_TEMP": temp, "ACTION_PATH": str(action), "PATH": f"{tool_dir}:{os.environ['PATH']}"}
        env.pop("VIRTUAL_ENV", None)
        for name in [n for n in env if n.startswith(("PIP_", "UV_")) and n not in cache]:  # as on a hosted runner: no machine settings
            env.pop(name)
        env["PIP_CONFIG_FILE"] = os.devnull  # nor pip's configuration files (pip reads none when this is the null device)
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        start = time.perf_counter()
        subprocess.run(["bash", "-e", "-c", script], env=env, check=True)
        seconds = time.perf_counter() - start
        subprocess.run([f"{temp}/clew-venv/bin/clew", "--version"], check=True, capture_output=True)
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--uv", type=Path, required=True, help=f"a uv binary of the version action.yml pins ({uv_version()})")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    found = subprocess.run([str(args.uv), "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
    if found != uv_version():
        sys.exit(f"{args.uv} is uv {found}; action.yml pins {uv_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        action = Path(tmp) / "action"
        action.mkdir()
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(action)], input=archive, check=True)
        tools = {
            "uv": (install_step(), args.uv.resolve().parent, "UV_CACHE_DIR"),
            "pip": (PIP_STEP, Path(sys.executable).parent, "PIP_CACHE_DIR"),
        }
        figures: dict[str, tuple[float, float]] = {}
        for name, (script, tool_dir, cache_var) in tools.items():
            cache = {cache_var: str(Path(tmp) / f"{name}-cache")}
            cold = replay(script, action, cache, tool_dir)
            warm = statistics.median(replay(script, action, cache, tool_dir) for _ in range(args.runs))
            figures[name] = (cold, warm)
        print(f"the Action's install step, replayed from action.yml (median of {args.runs} warm runs; cold: empty cache)")
        print(f"  {'step':<28} {'warm':>8} {'cold':>8}")
        for name, label in (("uv", f"uv {found} (action.yml)"), ("pip", "venv + pip (before)")):
            cold, warm = figures[name]
            print(f"  {label:<28} {warm:>7.2f}s {cold:>7.2f}s")
        print(f"  pip / uv: {figures['pip'][1] / figures['uv'][1]:.1f}x warm, {figures['pip'][0] / figures['uv'][0]:.1f}x cold")
        print("  goal: the warm step at most 3 s")


if __name__ == "__main__":
    main()
