"""`clew hook install|uninstall`: the pre-push hook, where git will run it.

The hooks directory comes from git itself (`git rev-parse --git-path hooks`),
so `core.hooksPath` is honoured. A hook clew did not write is never replaced
without `--force`, and then it is kept as `pre-push.clew-backup` and put back
by `clew hook uninstall`.
"""

from __future__ import annotations

import shlex
import stat
import sys
from pathlib import Path

from checker.errors import ClewError
from checker.forges.local import git

MARKER = "# clew pre-push hook v1"
BACKUP = "pre-push.clew-backup"


def script(python: str) -> str:
    py = shlex.quote(python)
    return f"""#!/bin/sh
{MARKER} (written by `clew hook install`; remove with `clew hook uninstall`)
# Checks that the pushed work traces to an objective in the goals file.
# Skip once with: git push --no-verify
if [ -x {py} ]; then
  exec {py} -m checker pre-push "$@"
elif command -v clew >/dev/null 2>&1; then
  exec clew pre-push "$@"
fi
echo "clew: not installed any more; the pre-push check was skipped (run: clew hook uninstall)" >&2
exit 0
"""


def hooks_dir(root: Path) -> Path:
    out = git.git(["rev-parse", "--git-path", "hooks"], root).strip()
    path = Path(out)
    return path if path.is_absolute() else root / path


def ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(root: Path, force: bool, python: str | None = None) -> str:
    directory = hooks_dir(root)
    hook = directory / "pre-push"
    notes = []
    if hook.exists() and not ours(hook):
        if not force:
            raise ClewError(
                f"{hook} exists and was not written by clew; not replacing it. "
                "Run `clew hook install --force` to keep it as pre-push.clew-backup and install clew's, "
                'or call `clew pre-push "$@"` from your own hook'
            )
        hook.replace(directory / BACKUP)
        notes.append(f"kept the previous hook as {directory / BACKUP}")
    directory.mkdir(parents=True, exist_ok=True)
    hook.write_text(script(python or sys.executable), encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return "\n".join([f"installed the pre-push hook at {hook}", *notes]) + "\n"


def uninstall(root: Path) -> str:
    directory = hooks_dir(root)
    hook, backup = directory / "pre-push", directory / BACKUP
    if not hook.exists():
        return f"no pre-push hook at {hook}; nothing to do\n"
    if not ours(hook):
        raise ClewError(f"{hook} was not written by clew; leaving it alone")
    hook.unlink()
    if backup.exists():
        backup.replace(hook)
        return f"removed clew's hook and restored the previous one at {hook}\n"
    return f"removed the pre-push hook at {hook}\n"
