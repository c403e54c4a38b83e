"""The pyramid for a goals file's bytes: from the cache in the git directory
when nothing it was built from changed, else through the validating loader
(which is imported only then)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from checker.goals.compiled import Pyramid, cache_path, read_cache, write_cache

if TYPE_CHECKING:
    from checker.goals.org import Fetch, Org, OrgRef


def pyramid_for(
    text: bytes, display: str, path: Path, cache_dir: Path | None, policy: str | None = None, *, org: Org | None = None
) -> Pyramid:
    """`policy`, when given, replaces the goals file's `extends` (the action's `policy` input);
    `org`: the organisation's goals the file builds on (checker.goals.org)."""
    keyed = text if org is None else text + b"\0org\0" + org.key
    cached = cache_path(cache_dir, keyed, display, policy) if cache_dir is not None else None
    if cached is not None and (hit := read_cache(cached)) is not None:
        return hit
    from checker.goals.config import load_bytes

    config = load_bytes(text, display, path, policy, org)
    pyramid = config.pyramid()
    if cached is not None:
        write_cache(cached, pyramid, list(config.policy.files))
    return pyramid


class NotFollowed(Exception):
    """A version of the goals file names organisation goals that clew may not read for it: a
    change proposes them, and only the base's `extends:` reaches outside the repository."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref


class GoalsFile:
    """Where a goals file is, and how any version of it is compiled: through the cache in the git
    directory (`cache`, None in CI), with the action's `policy` replacing its `extends` when given.

    The organisation's goals a version names are read when that version is compiled, once each;
    `trust(refs)` limits which references may be read (a check of someone else's change trusts
    the base's only)."""

    def __init__(
        self,
        path: Path,
        display: str,
        cache: Path | None,
        policy: str | None = None,
        *,
        inherited: Org | None = None,
        raw: bytes | None = None,
        env: Mapping[str, str] | None = None,
        fetch: Fetch | None = None,
    ) -> None:
        self.path, self.display, self.cache, self.policy = path, display, cache, policy
        self.inherited = inherited  # the repository has no goals file and inherits the organisation's
        self.own = inherited is None
        self.raw = raw  # the checked-out file's bytes, when goals_file read them already
        self.env = env
        self.fetch = fetch  # reads an organisation's goals from its forge (None: they cannot be read here)
        self.trusted: frozenset[str] | None = None  # None: every reference may be read
        self._resolved: dict[str, Org] = {}

    @property
    def org(self) -> Org | None:
        """The organisation's goals the checked-out file builds on (resolved on first use)."""
        if not self.own:
            return self.inherited
        ref = _declared(self.raw if self.raw is not None else self._read_quietly())
        return self._resolve(ref) if ref is not None else None

    @property
    def notes(self) -> list[str]:
        """What to say about the organisation's goals read so far (copies used offline)."""
        found = [self.inherited] if self.inherited is not None else list(self._resolved.values())
        return [note for org in found for note in org.notes]

    def trust(self, refs: frozenset[str]) -> None:
        """From now on, read only these organisation goals references."""
        self.trusted = refs

    def _resolve(self, ref: str) -> Org:
        if self.trusted is not None and ref not in self.trusted:
            raise NotFollowed(ref)
        found = self._resolved.get(ref)
        if found is None:
            import os

            from checker.goals import org as organisation

            env = os.environ if self.env is None else self.env
            found = self._resolved[ref] = organisation.resolve(ref, self.cache, env, _fetcher(self.fetch))
        return found

    def digest(self, text: bytes) -> str:
        """What a version was built from, as one digest: its bytes and every level of the
        organisation's goals it builds on. A report made against other goals is not reused."""
        from checker.goals.compiled import digest

        org = self.inherited if not self.own else (self._resolve(ref) if (ref := _declared(text)) is not None else None)
        return digest(text + (b"\0" + org.key if org is not None else b""))

    def _read_quietly(self) -> bytes:
        try:
            return self.read()
        except Exception:  # read() says why, where it is asked
            return b""

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
        """`label` names a version other than the checked-out file (`goals.yml@base`). Each version
        builds on the organisation's goals it names itself; NotFollowed when they are not trusted."""
        org = self.inherited
        if self.own:
            ref = _declared(text)
            org = self._resolve(ref) if ref is not None else None
        return pyramid_for(text if self.own else b"", label or self.display, self.path, self.cache, self.policy, org=org)

    def check_syntax(self, text: bytes, label: str | None = None) -> None:
        """A version whose organisation goals are not followed: at least its YAML must parse."""
        from checker.goals.document import document_from_bytes

        document_from_bytes(text, self.path, label or self.display)


def _fetcher(fetch: Fetch | None) -> Fetch:
    if fetch is not None:
        return fetch

    def cannot(ref: OrgRef, env: Mapping[str, str]) -> bytes:
        from checker.errors import ClewError

        raise ClewError("organisation goals cannot be read from here")

    return cannot


def _declared(raw: bytes) -> str | None:
    """The `extends:` a version names, read without YAML (checker.goals.org), or None."""
    if not _extends(raw):
        return None
    from checker.goals import org as organisation

    return organisation.declared(raw)


def _extends(raw: bytes) -> bool:
    """Whether a goals file may name organisation goals (a top-level `extends:`): checked on the
    bytes, so that the rest of the files never load checker.goals.org."""
    return raw.startswith(b"extends:") or b"\nextends:" in raw


def goals_file(
    root: Path,
    explicit: str | None,
    cache: Path | None,
    policy: str | None = None,
    env: Mapping[str, str] | None = None,
    fetch: Fetch | None = None,
) -> GoalsFile:
    """The goals file `explicit` names, or the one found in `root` (checker.goals.discover), with
    the organisation's goals it `extends:`; without a file of its own, the organisation's goals the
    repository inherits (CLEW_ORG_GOALS, or the owner's `.github` repository in GitHub Actions)."""
    import os

    from checker.errors import ClewError
    from checker.goals.discover import discover, display_name

    env = os.environ if env is None else env
    try:
        path = discover(explicit, root, env)
    except ClewError as missing:
        from checker.goals import org as organisation

        inherited = None if explicit or env.get("CLEW_GOALS") else organisation.inherited(env)
        if inherited is None:
            raise
        try:
            shared = organisation.resolve(inherited, cache, env, _fetcher(fetch), where="CLEW_ORG_GOALS")
        except ClewError as exc:
            raise ClewError(
                f"{str(missing).split(';')[0]}, and {exc}; add a goals file of the repository's own (`clew init`), "
                "or point CLEW_ORG_GOALS at the organisation's (docs/org.md)"
            ) from None
        return GoalsFile(root / "goals.yml", shared.ref.text, cache, policy, inherited=shared, env=env, fetch=fetch)
    try:
        raw: bytes | None = path.read_bytes()
    except OSError:
        raw = None  # read() says why, in its words
    return GoalsFile(path, display_name(path, root), cache, policy, raw=raw, env=env, fetch=fetch)


class Goals(NamedTuple):
    """The goals file of a working tree, compiled: where it is, and the cache it came through."""

    pyramid: Pyramid
    path: Path
    display: str
    cache: Path | None
    org: Org | None = None  # the organisation's goals it builds on


def current_goals(root: Path, explicit: str | None, common: Path | None, fetch: Fetch | None = None) -> Goals:
    """The goals file `clew check` and `clew validate` judge with, through the compiled cache in
    the git directory `common` (None outside a repository: no cache)."""
    file = goals_file(root, explicit, common / "clew" if common is not None else None, fetch=fetch)
    return Goals(file.compile(file.read()), file.path, file.display, file.cache, file.org)


def report_settings_where(goals_text: bytes, display: str, settings: Any) -> dict[str, str]:
    """Where each report path is set (keyed `markdown`, `json` and `html`): file:line of its key
    under `report:`, or the default it has. Read from the text: the compiled goals keep no
    positions of settings, and a cache hit reads no YAML."""
    import re

    lines = goals_text.decode("utf-8", "replace").splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"report\s*:", line)), None)
    where = {}
    for key, path in (("markdown", settings.markdown), ("json", settings.json_path), ("html", settings.html)):
        found = None
        if start is not None:
            for number in range(start + 1, len(lines)):
                if lines[number][:1] not in (" ", "\t", "#", ""):
                    break
                if re.match(rf"\s+{key}\s*:", lines[number]):
                    found = number + 1
                    break
        where[key] = f"{display}:{found}: report.{key}" if found else f"report.{key} (default {path!r})"
    return where
