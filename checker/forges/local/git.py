"""git plumbing as small typed functions. Every call runs with the GIT_*
variables a hook inherits stripped, so git answers about the repository in
the working directory, not about the one that invoked the hook."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from checker.errors import GitError
from checker.forges.local.gitdir import clean_env
from checker.work import WorkItem


def git(args: Sequence[str], cwd: Path, *, check: bool = True, stdin: str | None = None) -> str:
    try:
        if stdin is None:
            proc = subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, stdin=subprocess.DEVNULL, check=False)
        else:
            proc = subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, input=stdin.encode("utf-8"), check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on the PATH") from None
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        locked = [line for line in message if "index.lock" in line]  # another git process is at work: say which file
        raise GitError(f"git {' '.join(args[:3])} failed: {(locked or message or ['exit ' + str(proc.returncode)])[-1]}")
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""


def git_bytes(args: Sequence[str], cwd: Path) -> bytes | None:
    proc = subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, stdin=subprocess.DEVNULL, check=False)
    return proc.stdout if proc.returncode == 0 else None


def toplevel(cwd: Path) -> Path | None:
    out = git(["rev-parse", "--show-toplevel"], cwd, check=False).strip()
    return Path(out) if out else None


def tracked(root: Path) -> list[str]:
    """The files git tracks in the work tree at `root` (none when it is no work tree)."""
    out = git_bytes(["ls-files", "-z"], root)
    return [p for p in out.decode("utf-8", "replace").split("\0") if p] if out else []


_REMOTE = re.compile(r"^(?:[a-z+]+://(?:[^@/]+@)?[^/:]+(?::\d+)?/|[^@/:]+@[^:/]+:)(.+?)(?:\.git)?/?$")


def identity(cwd: Path) -> str | None:
    """The repository's own path on its forge (`owner/name`, `group/subgroup/project`), from its
    `origin` remote (else its first remote); None when it has none."""
    remotes = git(["config", "--get-regexp", r"^remote\..*\.url$"], cwd, check=False).splitlines()
    urls = dict(line.split(" ", 1) for line in remotes if " " in line)
    url = urls.get("remote.origin.url") or next(iter(urls.values()), "")
    found = _REMOTE.match(url.strip())
    return found[1] if found and "/" in found[1] and not url.startswith(("/", ".", "file:")) else None


def shallow_since(common: Path, cwd: Path) -> str | None:
    """In a shallow clone, the date (YYYY-MM-DD) of its newest cut: history before it was not
    fetched. None in a full clone (the check is one file lookup)."""
    try:
        boundaries = (common / "shallow").read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return None
    if not boundaries:
        return None
    dates = git(["show", "-s", "--format=%cs", *boundaries[:50], "--"], cwd, check=False).split()
    return max(dates) if dates else "an unknown date"


def current_branch(cwd: Path) -> str | None:
    """The branch checked out (None when HEAD is detached), from HEAD itself when it can be read."""
    from checker.forges.local.gitdir import head_branch

    found = head_branch(cwd)
    if found is not None:
        return found or None
    return git(["symbolic-ref", "--short", "-q", "HEAD"], cwd, check=False).strip() or None


def upstream(cwd: Path) -> str | None:
    return git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], cwd, check=False).strip() or None


def default_branch(cwd: Path) -> str | None:
    """origin/HEAD when known, else the first of main, master, trunk that exists."""
    head = git(["symbolic-ref", "-q", "refs/remotes/origin/HEAD"], cwd, check=False).strip()
    if head:
        return head.removeprefix("refs/remotes/")
    for name in ("origin/main", "origin/master", "main", "master", "trunk"):
        if git(["rev-parse", "-q", "--verify", f"{name}^{{commit}}"], cwd, check=False).strip():
            return name
    return None


def exists(rev: str, cwd: Path) -> bool:
    return bool(git(["rev-parse", "-q", "--verify", f"{rev}^{{commit}}"], cwd, check=False).strip())


def commits_of(revs: Sequence[str], cwd: Path) -> list[str | None]:
    """Each revision's commit id, or None where it names no commit, in one git call."""
    asked = ["" if any(c.isspace() for c in r) else r for r in revs]  # one line each: a name with a newline names nothing
    lines = git(["cat-file", "--batch-check=%(objectname) %(objecttype)"], cwd, stdin="".join(f"{r}^{{commit}}\n" for r in asked))
    found: list[str | None] = []
    for line in lines.splitlines()[: len(revs)]:
        oid, _, kind = line.partition(" ")
        found.append(oid if kind == "commit" else None)
    return found + [None] * (len(revs) - len(found))


def show(rev: str, path: str, cwd: Path) -> bytes | None:
    return git_bytes(["show", f"{rev}:{path}"], cwd)


def merge_base(a: str, b: str, cwd: Path) -> str | None:
    return git(["merge-base", a, b], cwd, check=False).strip() or None


def _marks() -> tuple[str, str]:
    """Separators of records and fields in git's output that no message or file name holds,
    by chance or on purpose: a control character followed by a random token."""
    token = os.urandom(8).hex()
    return f"\x1e{token}", f"\x1f{token}"


def _format(record: str, field: str) -> str:
    return f"--format={record}%H{field}%an{field}%ae{field}%aI{field}%cI{field}%P{field}%B{field}"


def log(rev_args: Sequence[str], cwd: Path, *, paths: bool = True) -> list[WorkItem]:
    """Commits of a range in one git call, newest first, with their changed paths."""
    record, field = _marks()
    args = ["-c", "core.quotepath=off", "log", "-z", "--no-color", "--no-renames", _format(record, field)]
    if paths:
        args.append("--name-only")
    out = git([*args, *rev_args, "--"], cwd)
    return [_commit(text, field) for text in out.split(record)[1:]]


class Log:
    """`git log` started at once, so that git reads the history while clew does other work
    (imports, loading the goals). git writes into a temporary file, not a pipe: it never
    waits for clew, and a pipe's many small writes cost it about a third more time.
    Iterating yields the commits as git writes them, newest first, then waits for the rest.
    Use it as a context manager, or iterate it to the end: either stops git and removes the file."""

    def __init__(self, rev_args: Sequence[str], cwd: Path, *, paths: bool = True) -> None:
        self._record, self._field = _marks()
        args = ["git", "-c", "core.quotepath=off", "log", "-z", "--no-color", "--no-renames", _format(self._record, self._field)]
        args += [*(["--name-only"] if paths else []), *rev_args, "--"]
        import tempfile  # only a streaming log needs it: `clew validate` and small checks start without it

        fd, name = tempfile.mkstemp(prefix="clew-log-")
        self._path = Path(name)
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by close(), which iterating or `with` calls
        try:
            with os.fdopen(fd, "wb") as out:
                self._proc = subprocess.Popen(args, cwd=cwd, env=clean_env(), stdout=out, stderr=self._errors, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            self._errors.close()
            self._path.unlink(missing_ok=True)
            raise GitError("git is not installed or not on the PATH") from None

    def __enter__(self) -> Log:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[WorkItem]:
        try:
            with self._path.open("rb", buffering=0) as source:
                pending, mark, field = b"", self._record.encode(), self._field
                while True:
                    finished = self._proc.poll() is not None
                    chunk = source.read(1 << 20)
                    if chunk:
                        records = (pending + chunk).split(mark)
                        pending = records.pop()
                        yield from (_commit(r.decode("utf-8", "replace"), field) for r in records if r)
                    elif finished:
                        break
                    else:
                        time.sleep(0.002)  # git is still reading; what it wrote is parsed
                if pending:
                    yield _commit(pending.decode("utf-8", "replace"), field)
            if self._proc.returncode != 0:
                raise _failure("git log", self._errors, self._proc.returncode)
        finally:
            self.close()

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._errors.close()
        self._path.unlink(missing_ok=True)


class _Answers:
    """A git process that writes into a temporary file until clew asks for its answer."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None
        self._out: IO[bytes] | None = None
        self._errors: IO[bytes] | None = None

    def _start(self, args: Sequence[str], *, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        import tempfile

        self._out, self._errors = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 -- closed by close()
        try:
            self._proc = subprocess.Popen(
                ["git", *args], cwd=self._cwd, env=clean_env(), stdin=stdin, stdout=self._out, stderr=self._errors
            )
        except FileNotFoundError:
            self.close()
            raise GitError("git is not installed or not on the PATH") from None
        return self._proc

    def _output(self, what: str) -> str | None:
        """Everything git wrote, once it is done; None if it was never started."""
        if self._proc is None or self._out is None or self._errors is None:
            return None
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            if self._proc.wait() != 0:
                raise _failure(what, self._errors, self._proc.returncode)
            self._out.seek(0)
            return self._out.read().decode("utf-8", "replace")
        finally:
            self.close()

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for f in (self._out, self._errors):
            if f is not None:
                f.close()


class Paths(_Answers):
    """The paths commits change, asked one commit at a time: `git diff-tree --stdin` answers
    into a temporary file. git starts on the first question; none, no process."""

    _ARGS = ("-c", "core.quotepath=off", "diff-tree", "--stdin", "-r", "--name-only", "--no-renames", "--root", "--always", "-z")

    def __init__(self, cwd: Path) -> None:
        super().__init__(cwd)
        self._asked: list[str] = []

    def ask(self, sha: str) -> None:
        if self._proc is None:
            _widen(self._start(self._ARGS, stdin=subprocess.PIPE))
        assert self._proc is not None
        assert self._proc.stdin is not None
        self._proc.stdin.write(f"{sha}\n".encode())
        self._asked.append(sha)

    def answers(self) -> dict[str, tuple[str, ...]]:
        """Each asked commit's paths. Waits for git."""
        out = self._output("git diff-tree")
        tokens = out.split("\0") if out is not None else []
        found: dict[str, tuple[str, ...]] = {}
        asked, at = iter(self._asked), 0
        expected = next(asked, None)
        while expected is not None and at < len(tokens):
            if tokens[at] != expected:
                at += 1  # output before the first asked commit: never, but do not loop on it
                continue
            following = next(asked, None)
            end = at + 1
            while end < len(tokens) and tokens[end] != following and tokens[end]:
                end += 1
            found[expected] = tuple(tokens[at + 1 : end])
            expected, at = following, end
        return found


class Touched(_Answers):
    """Which commits of a range change something under the given paths, and what: one
    `git log` limited by literal pathspecs, so git compares only the trees on the way to them
    (a repository's size hardly counts). It runs beside the main log. Merges are left out:
    a merge's paths are those of the commits it brings in."""

    def __init__(self, rev_args: Sequence[str], cwd: Path, prefixes: Sequence[str] | None) -> None:
        """`prefixes` None: every path (a pathspec of the whole tree would only slow git down)."""
        super().__init__(cwd)
        self._record = _marks()[0]
        args = ["--literal-pathspecs", "-c", "core.quotepath=off", "log", "--full-history", "--no-merges", "--no-renames"]
        self._start([*args, "--name-only", "-z", f"--format={self._record}%H", *rev_args, "--", *(prefixes or ())])

    def answers(self) -> dict[str, tuple[str, ...]]:
        """Commit sha -> the paths it changes under the prefixes (only commits that change any). Waits for git."""
        found: dict[str, tuple[str, ...]] = {}
        for record in (self._output("git log") or "").split(self._record)[1:]:
            sha, _, names = record.partition("\0")
            found[sha] = tuple(n for n in names.removeprefix("\n").split("\0") if n)  # a name may begin with a newline
        return found


def _failure(what: str, errors: IO[bytes], code: int) -> GitError:
    """git's last word on stderr (kept in a temporary file), or its exit code."""
    errors.seek(0)
    lines = errors.read().decode("utf-8", "replace").strip().splitlines()
    return GitError(f"{what} failed: {lines[-1] if lines else f'exit {code}'}")


def _widen(proc: subprocess.Popen[bytes]) -> None:
    """A 1 MiB pipe where Linux allows it: 25,000 questions before clew would wait for git."""
    try:
        import fcntl

        if proc.stdin is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
            fcntl.fcntl(proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except OSError:
        pass


def _commit(record: str, field: str) -> WorkItem:
    sha, name, email, authored, committed, parents, message, files = record.split(field, 7)
    subject, _, body = message.strip("\n").partition("\n")
    # Positional, in WorkItem's field order: a history has tens of thousands of commits.
    return _new(
        WorkItem,
        (
            "commit",  # kind
            sha,  # key
            subject.strip(),  # title
            body.strip("\n"),  # body
            name,  # author
            name.endswith("[bot]") or email.endswith("[bot]@users.noreply.github.com"),  # author_is_bot
            (),  # labels
            None,  # milestone
            None,  # branch
            None,  # base_branch
            tuple(p for p in files.removeprefix("\0").removeprefix("\n").split("\0") if p),  # paths, as -z writes them
            (),  # linked
            None,  # parent
            "merge" if " " in parents.strip() else "commit",  # state
            authored,  # created_at
            committed,  # updated_at
            None,  # merged_at
            None,  # url
            (),  # commits
            tuple(parents.split()),  # parents
            (),  # labelled_at
            (),  # facets
        ),
    )


_new = tuple.__new__


def changed_paths(base: str, head: str, cwd: Path) -> tuple[str, ...]:
    """What a branch changes as a whole: one tree diff instead of one per commit."""
    out = git(["-c", "core.quotepath=off", "diff", "--no-renames", "--name-only", "-z", base, head, "--"], cwd)
    return tuple(p for p in out.split("\0") if p)


def branch_item(name: str, commits: Sequence[WorkItem], base: str | None = None, paths: Sequence[str] | None = None) -> WorkItem:
    """The unit judged for a push: the branch, its name and its commits' references."""
    authors = {c.author for c in commits}
    paths = tuple(paths) if paths is not None else tuple(dict.fromkeys(p for c in commits for p in c.paths))
    head = commits[0] if commits else None
    return WorkItem(
        kind="branch",
        key=name,
        title=head.title if head else "",
        author=authors.pop() if len(authors) == 1 else "",
        author_is_bot=bool(commits) and all(c.author_is_bot for c in commits),
        branch=name,
        base_branch=base,
        paths=paths,
        commits=tuple(commits),
    )
