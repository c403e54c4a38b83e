"""`clew report --org` over an organisation of 5,000 repositories, on the local GitHub server and
on the local GitLab server (a group with subgroups): API requests and wall time, cold (every
repository read, 50 per request), warm with nothing pushed, and warm with ten repositories
pushed (GitHub: one search carries their reports; GitLab: the most recently active projects).

Run: .venv/bin/python benchmarks/report_org.py [--repos 5000] [--forge github|gitlab|both]
Goals (issue #15): at most 101 requests cold and 2 warm."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.github_server import FakeGitHub
from tests.gitlab_server import FakeGitLab

ROOT = Path(__file__).resolve().parents[1]


def alignment(i: int) -> str:
    """A repository's report: clew's own committed alignment.json, trimmed to what the
    organisation report reads, with the status varied across repositories."""
    data = json.loads((ROOT / "alignment.json").read_text(encoding="utf-8"))
    statuses = ("on-track", "on-track", "on-track", "at-risk", "off-track")
    for n, objective in enumerate(data["objectives"]):
        objective["status"] = statuses[(i + n) % len(statuses)]
    keep = ("format", "tool", "generated_at", "source", "window", "headline", "objectives", "watermark")
    return json.dumps({k: data[k] for k in keep if k in data})


def run(env: dict[str, str], owner: str, out: Path, server: FakeGitHub | FakeGitLab, path: str) -> tuple[float, int]:
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, **env, "CLEW_HTTP_TIMEOUT": "120"}
    server.requests.clear()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "report", "--org", owner, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"clew report --org failed: {proc.stderr[-600:]}")
    return wall, sum(1 for r in server.requests if r.path.endswith(path))


def github(repos: int) -> None:
    gh = FakeGitHub()
    gh.start()
    env = {"GITHUB_TOKEN": "t", "GITHUB_API_URL": gh.base_url, "GITHUB_GRAPHQL_URL": gh.base_url + "/graphql"}
    try:
        for i in range(repos):
            files = {"alignment.json": alignment(i)} if i % 50 else {}  # one in fifty has no report yet
            gh.add_org_repo(f"acme/repo-{i:05}", files, "2026-11-20T10:00:00Z")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            cold = run(env, "acme", out, gh, "graphql")
            warm = run(env, "acme", out, gh, "graphql")
            for i in range(10):
                gh.org_repos[f"acme/repo-{i * 7:05}"]["pushedAt"] = "2099-01-01T00:00:00Z"
            pushed = run(env, "acme", out, gh, "graphql")
            data = json.loads((out / "org-alignment.json").read_text(encoding="utf-8"))
        report(f"{repos} repositories ({data['headline']['reporting']} with a report) on the local GitHub server", cold, warm, pushed)
        print(f"  the server saw no contract violation: {gh.violations == []}")
    finally:
        gh.stop()


def gitlab(repos: int) -> None:
    gl = FakeGitLab()
    gl.start()
    env = {"CLEW_GITLAB_TOKEN": "t", "CLEW_GITLAB_URL": gl.base_url + "/api/v4"}
    try:
        for i in range(repos):
            files = {"alignment.json": alignment(i)} if i % 50 else {}
            team = f"team-{i % 40:02}"  # forty subgroups of the group
            gl.add_group_project(f"acme/{team}/repo-{i:05}", files, f"2026-11-{1 + i % 20:02}T10:00:00Z")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            cold = run(env, "gitlab:acme", out, gl, "/api/graphql")
            warm = run(env, "gitlab:acme", out, gl, "/api/graphql")
            for i in range(10):
                name = next(n for n in gl.group_projects if n.endswith(f"repo-{i * 7:05}"))
                gl.group_projects[name]["lastActivityAt"] = "2099-01-01T00:00:00Z"
            pushed = run(env, "gitlab:acme", out, gl, "/api/graphql")
            data = json.loads((out / "org-alignment.json").read_text(encoding="utf-8"))
        report(
            f"{repos} projects in 40 subgroups ({data['headline']['reporting']} with a report) on the local GitLab server",
            cold,
            warm,
            pushed,
        )
        print(f"  the server saw no contract violation: {gl.violations == []}")
    finally:
        gl.stop()


def report(what: str, cold: tuple[float, int], warm: tuple[float, int], pushed: tuple[float, int]) -> None:
    print(f"clew report --org over {what}")
    print(f"  cold, every repository:       {cold[1]:>4} requests  {cold[0]:6.1f} s   (goal: at most 101)")
    print(f"  warm, nothing pushed:         {warm[1]:>4} requests  {warm[0]:6.1f} s   (goal: at most 2)")
    print(f"  warm, 10 repositories pushed: {pushed[1]:>4} requests  {pushed[0]:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--repos", type=int, default=5000)
    parser.add_argument("--forge", choices=("github", "gitlab", "both"), default="both")
    args = parser.parse_args()
    if args.forge in ("github", "both"):
        github(args.repos)
    if args.forge in ("gitlab", "both"):
        gitlab(args.repos)


if __name__ == "__main__":
    main()
