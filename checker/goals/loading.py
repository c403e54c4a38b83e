"""The pyramid for a goals file's bytes: from the cache in the git directory
when nothing it was built from changed, else through the validating loader
(which is imported only then)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker.goals.compiled import Pyramid, cache_path, read_cache, write_cache

if TYPE_CHECKING:
    from checker.goals.org import Org


def pyramid_for(  # noqa: PLR0913 -- the file's bytes and how to read them, named at the call
    text: bytes, display: str, path: Path, cache_dir: Path | None, policy: str | None = None, *, org: Org | None = None
) -> Pyramid:
    """`policy`, when given, replaces the goals file's `extends` (the action's `policy` input);
    `org`: the organisation's goals the file builds on (checker.goals.org)."""
    keyed = text if org is None else text + b"\0org\0" + org.key
    cached = cache_path(cache_dir, keyed, display, policy) if cache_dir is not None else None
    if cached is not None and (hit := read_cache(cached)) is not None:
        return hit
    from checker.config import load_bytes

    config = load_bytes(text, display, path, policy, org)
    pyramid = config.pyramid()
    if cached is not None:
        write_cache(cached, pyramid, list(config.policy.files))
    return pyramid


class GoalsFile(NamedTuple):
    """Where a goals file is, and how any version of it is compiled: through the cache in the git
    directory (`cache`, None in CI), with the action's `policy` replacing its `extends` when given."""

    path: Path
    display: str
    cache: Path | None
    policy: str | None = None
    org: Org | None = None  # the organisation's goals it builds on
    own: bool = True  # False: the repository has no goals file and inherits the organisation's
    raw: bytes | None = None  # the checked-out file's bytes, when goals_file read them already

    def read(self) -> bytes:
        from checker.errors import ClewError

        if not self.own:
            return b""
        if self.raw is not None:
            return self.raw
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ClewError(f"cannot read {self.display}: {exc.strerror or exc}") from None

    def compile(self, text: bytes, label: str | None = None) -> Pyramid:
        """`label` names a version other than the checked-out file (`goals.yml@base`)."""
        org = self.org
        if self.own and (org is not None or _extends(text)):  # each version builds on the organisation's goals it names
            from checker.goals import org as organisation

            ref = organisation.declared(text)
            if ref is None:
                org = None
            elif org is None or ref != org.ref.text:
                import os

                org = organisation.resolve(ref, self.cache, os.environ)
        return pyramid_for(text if self.own else b"", label or self.display, self.path, self.cache, self.policy, org=org)


def _extends(raw: bytes) -> bool:
    """Whether a goals file may name organisation goals (a top-level `extends:`): checked on the
    bytes, so that the rest of the files never load checker.goals.org."""
    return raw.startswith(b"extends:") or b"\nextends:" in raw


def goals_file(
    root: Path, explicit: str | None, cache: Path | None, policy: str | None = None, env: Mapping[str, str] | None = None
) -> GoalsFile:
    """The goals file `explicit` names, or the one found in `root` (checker.goals.discover), with
    the organisation's goals it `extends:`; without a file of its own, the organisation's goals the
    repository inherits (CLEW_ORG_GOALS, or the owner's `.github` repository in GitHub Actions)."""
    import os

    from checker.errors import ClewError
    from checker.goals.discover import discover, display_name

    env = os.environ if env is None else env
    try:
        path = discover(explicit, root)
    except ClewError as missing:
        from checker.goals import org as organisation

        inherited = None if explicit or env.get("CLEW_GOALS") else organisation.inherited(env)
        if inherited is None:
            raise
        try:
            shared = organisation.resolve(inherited, cache, env, where="CLEW_ORG_GOALS")
        except ClewError as exc:
            raise ClewError(
                f"{str(missing).split(';')[0]}, and {exc}; add a goals file of the repository's own (`clew init`), "
                "or point CLEW_ORG_GOALS at the organisation's (docs/org.md)"
            ) from None
        return GoalsFile(root / "goals.yml", shared.ref.text, cache, policy, shared, own=False)
    try:
        raw: bytes | None = path.read_bytes()
    except OSError:
        raw = None  # read() says why, in its words
    if raw is None or not _extends(raw):
        return GoalsFile(path, display_name(path, root), cache, policy, raw=raw)
    from checker.goals import org as organisation

    ref = organisation.declared(raw)
    extended = organisation.resolve(ref, cache, env) if ref else None
    return GoalsFile(path, display_name(path, root), cache, policy, extended, raw=raw)


class Goals(NamedTuple):
    """The goals file of a working tree, compiled: where it is, and the cache it came through."""

    pyramid: Pyramid
    path: Path
    display: str
    cache: Path | None
    org: Org | None = None  # the organisation's goals it builds on


def current_goals(root: Path, explicit: str | None, common: Path | None = None) -> Goals:
    """The goals file `clew check` and `clew validate` judge with, through the compiled cache in
    the git directory `common` (found when not given; outside a repository, there is none)."""
    if common is None:
        from checker.sources.gitdir import find

        common = found[1] if (found := find(root)) is not None else None
    file = goals_file(root, explicit, common / "clew" if common is not None else None)
    return Goals(file.compile(file.read()), file.path, file.display, file.cache, file.org)
