#!/usr/bin/env bash
# Benchmarks (not part of the test suite). Prints figures; needs git and python3.
# Uses the project's .venv (created if missing) and a separate environment for
# gitlint, the peer measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
unset PYTHONDONTWRITEBYTECODE  # measure installs as users have them: with bytecode
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -e .; }
[ -x .bench/gitlint/bin/gitlint ] || { python3 -m venv .bench/gitlint && .bench/gitlint/bin/pip install -q "gitlint==0.19.1"; }
[ -x .bench/uv/bin/uv ] || { python3 -m venv .bench/uv && .bench/uv/bin/pip install -q "uv==0.6.14"; }  # the version action.yml pins
echo "== startup: clew validate, clew check and clew pre-push against python -c pass"
.venv/bin/python benchmarks/startup.py
echo
echo "== clew validate on a large goals file"
.venv/bin/python benchmarks/validate_large.py
echo
echo "== clew pre-push against gitlint"
.venv/bin/python benchmarks/prepush_vs_gitlint.py --gitlint .bench/gitlint/bin/gitlint
echo
echo "== the Action's install step (uv, from action.yml) against venv + pip"
.venv/bin/python benchmarks/action_install.py --uv .bench/uv/bin/uv
echo
echo "== clew check in GitHub Actions against the local GitHub server"
[ -x .venv/bin/check-jsonschema ] || .venv/bin/pip install -q -e '.[test]'
.venv/bin/python benchmarks/github_check.py
echo
echo "== clew check in a GitLab merge request pipeline against the local GitLab server"
.venv/bin/python benchmarks/gitlab_check.py
echo
echo "== clew report over a generated 20,000-commit repository, against git log"
.venv/bin/python benchmarks/report_local.py
echo
echo "== the same on gnome-shell's shape (Part-of: trailers grouping rebased commits)"
.venv/bin/python benchmarks/report_local.py --shape gnome
echo
echo "== clew check --per-commit over 1,000 commits, against git log"
.venv/bin/python benchmarks/check_per_commit.py
echo
echo "== clew report --commit over 10,000 merged pull requests on the local GitHub server"
.venv/bin/python benchmarks/report_github.py
echo
echo "== clew report --org over 5,000 repositories on the local GitHub server"
.venv/bin/python benchmarks/report_org.py
echo
echo "== the fault campaign: every API call × every fault"
.venv/bin/python benchmarks/fault_campaign.py
echo
echo "== reference fidelity: the labelled set of real commit messages (add --repo PATH for any local clone)"
.venv/bin/python benchmarks/fidelity.py
