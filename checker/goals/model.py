"""The pyramid: mission → objectives (key results) → initiatives, plus budgets,
policy and report settings. Format version 1; the JSON Schema is generated from
these models (``clew schema``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from checker.goals.compiled import DEFAULTS, progress

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_ID = re.compile(ID_PATTERN)

Severity = Literal["error", "warning", "notice", "off"]
State = Literal["active", "achieved", "dropped"]


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"invalid id {value!r}: start with a letter or digit, then use letters, digits, '-', '_' or '.'")
    return value


def _id_from_number(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _parse_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"invalid date {value!r}: write it as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r}: write it as YYYY-MM-DD ({exc})") from None


def _parse_share(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"invalid share {value!r}: write a percentage such as 20%") from None
    return value


def _check_regex(value: str) -> str:
    from checker.regex import RegexError, compile_user

    try:
        compile_user(value)
    except RegexError as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return value


def _check_glob(value: str) -> str:
    """`*` (one segment), `**` (any depth) and `?`; anything else matches itself."""
    if not value.strip():
        raise ValueError("an empty glob matches nothing: remove it")
    if "***" in value:
        raise ValueError(f"invalid glob {value!r}: '***' means nothing; write '*' (within a directory) or '**' (across directories)")
    if value.count("[") != value.count("]"):
        raise ValueError(
            f"invalid glob {value!r}: an unmatched bracket; clew's globs have no character classes (brackets match themselves)"
        )
    return value


def _check_branch_glob(value: str) -> str:
    _check_glob(value)
    if "[" in value:
        raise ValueError(
            f"invalid branch glob {value!r}: git branch names cannot hold '[', and clew's globs have no character classes; "
            "list each branch pattern instead"
        )
    return value


def _check_repo_path(value: str) -> str:
    path = PurePosixPath(value.replace("\\", "/"))
    depth = 0
    for part in path.parts:
        depth += -1 if part == ".." else 0 if part in (".", "") else 1
        if depth < 0:
            break
    if path.is_absolute() or re.match(r"^[A-Za-z]:", value) or depth < 0 or not value.strip():
        raise ValueError(f"path {value!r} leaves the repository: use a path relative to the repository root")
    return value


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _rule_shorthand(value: Any) -> Any:
    """`rule-id: error` is short for `rule-id: {severity: error}`."""
    if isinstance(value, dict):
        return {k: {"severity": v} if isinstance(v, str) else v for k, v in value.items()}
    return value


Id = Annotated[str, BeforeValidator(_id_from_number), AfterValidator(_check_id), Field(json_schema_extra={"pattern": ID_PATTERN})]
Date = Annotated[dt.date, BeforeValidator(_parse_date)]
BOTS = "Any work whose author git or the forge reports as a bot (`dependabot[bot]`, a GitHub App, a GitLab bot user)."
TITLES = "Regular expressions searched in the title (RE2 syntax, run in linear time: no backreferences or lookaround)."
Regex = Annotated[str, AfterValidator(_check_regex)]
Glob = Annotated[str, AfterValidator(_check_glob)]
BranchGlob = Annotated[str, AfterValidator(_check_branch_glob)]
RepoPath = Annotated[str, AfterValidator(_check_repo_path)]
Percent = Annotated[float, BeforeValidator(_parse_share), Field(gt=0, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


JiraProject = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]+$")]
JiraKey = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")]


class JiraMatch(Strict):
    """Jira issues the thread reaches (named in a title, branch or trailer, or their epic)."""

    projects: list[JiraProject] = Field(default_factory=list, description="Jira project keys, e.g. `PAY`.")
    epics: list[JiraKey] = Field(default_factory=list, description="Epic keys, e.g. `PAY-1`: the epic and every issue under it.")
    labels: list[str] = Field(default_factory=list, description="Jira labels of the issue or its epic, compared case-insensitively.")
    components: list[str] = Field(default_factory=list, description="Jira components, compared case-insensitively.")
    fix_versions: list[str] = Field(default_factory=list, description="Jira fix versions, compared case-insensitively.")

    def is_empty(self) -> bool:
        return not any((self.projects, self.epics, self.labels, self.components, self.fix_versions))


class Match(Strict):
    """How work is recognised without an explicit reference. Any rule that matches counts."""

    labels: list[str] = Field(default_factory=list, description="Issue or PR labels, compared case-insensitively.")
    milestones: list[str] = Field(default_factory=list, description="Milestone titles.")
    branches: list[BranchGlob] = Field(default_factory=list, description="Branch-name globs, e.g. 'mobile/*'.")
    paths: list[Glob] = Field(default_factory=list, description="Changed-path globs, e.g. 'apps/mobile/**'.")
    authors: list[str] = Field(default_factory=list, description="Author logins, e.g. 'dependabot[bot]'.")
    titles: list[Regex] = Field(default_factory=list, description=TITLES)
    bots: bool = Field(default=False, description=BOTS)
    jira: JiraMatch = Field(default_factory=JiraMatch, description="Jira issues: their project, epic, labels, components, fix versions.")

    def is_empty(self) -> bool:
        return self.jira.is_empty() and not any(
            (self.labels, self.milestones, self.branches, self.paths, self.authors, self.titles, self.bots)
        )


NO_MATCH = Match()


def _check_pointer(value: str) -> str:
    from checker.goals.pointer import PointerError, parse_pointer

    try:
        parse_pointer(value)
    except PointerError as exc:
        raise ValueError(str(exc)) from None
    return value


def _argv(value: Any) -> Any:
    if isinstance(value, str):
        import shlex

        try:
            return shlex.split(value)
        except ValueError as exc:
            raise ValueError(f"invalid command {value!r}: {exc}") from None
    return value


Pointer = Annotated[str, AfterValidator(_check_pointer)]


class Source(Strict):
    """Where a key result's value is read at each report run, instead of a hand-edited `current`:
    a JSON or CSV file that CI writes before `clew report`, or a command that prints the number."""

    file: RepoPath | None = Field(default=None, description="A JSON or CSV file, relative to the repository root.")
    command: Annotated[list[str], BeforeValidator(_argv)] | None = Field(
        default=None,
        description="A program and its arguments, run from the repository root without a shell; it prints the number "
        "(or JSON, read with `pointer`).",
    )
    pointer: Pointer | None = Field(
        default=None,
        description="Where the number is: `$.churn.monthly`, `$.runs[-1].p95`, `$['key with spaces']`. A CSV file reads "
        "as a list of rows keyed by its header: `$[-1].churn` is the column `churn` of the last row.",
    )
    format: Literal["json", "csv"] | None = Field(default=None, description="The file's format; by default its suffix decides.")
    timeout: int = Field(default=60, ge=1, le=600, description="Seconds the command may run.")

    @model_validator(mode="after")
    def _one_origin(self) -> Source:
        if (self.file is None) == (self.command is None):
            raise ValueError("a source names either `file:` (with `pointer:`) or `command:`, and only one of them")
        if self.file is not None and self.pointer is None:
            raise ValueError(f"`pointer:` is required with `file:`, e.g. `pointer: $.value` (where the number is in {self.file!r})")
        if self.command is not None and not self.command:
            raise ValueError("`command:` is empty: name the program to run")
        return self


class KeyResult(Strict):
    """A measure of an objective, addressed as `objective.kr`."""

    id: Id = Field(description="Unique within its objective; referenced as `objective.kr`.")
    title: str = Field(description="What is measured.")
    baseline: float | None = Field(
        default=None, allow_inf_nan=False, ge=-1e15, le=1e15, description="The value when the objective started."
    )
    target: float | None = Field(
        default=None, allow_inf_nan=False, ge=-1e15, le=1e15, description="The value that means done (may be below the baseline)."
    )
    current: float | None = Field(default=None, allow_inf_nan=False, ge=-1e15, le=1e15, description="The latest measured value.")
    unit: str | None = Field(default=None, description="Shown after the numbers, e.g. `%`.")
    source: Source | None = Field(
        default=None, description="Read the value from a file or a command at each report run, instead of `current`."
    )

    @model_validator(mode="after")
    def _current_or_source(self) -> KeyResult:
        if self.source is not None and self.current is not None:
            raise ValueError("a key result with `source:` is measured at each report run: remove `current:` (it would never be read)")
        return self

    def progress(self) -> float | None:
        """(current - baseline) / (target - baseline), clamped to 0..1; None when unmeasurable."""
        return progress(self.baseline, self.target, self.current)


class Initiative(Strict):
    """How an objective is pursued: a stream of work recognised by `match`."""

    id: Id = Field(description="Unique across objectives, initiatives and budgets.")
    title: str = Field(description="What the initiative does.")
    description: str | None = Field(default=None, description="Longer text; its words help suggestions.")
    owner: str | None = Field(default=None, description="Who leads it, e.g. `@login`.")
    state: State = Field(default="active", description="Work tracing to an achieved or dropped initiative is flagged.")
    match: Match = Field(default_factory=lambda: NO_MATCH, description="How its work is recognised without a reference.")


class Objective(Strict):
    """What the team wants to achieve, with the key results that measure it."""

    id: Id = Field(description="Unique across objectives, initiatives and budgets.")
    title: str = Field(description="What the team wants to achieve.")
    description: str | None = Field(default=None, description="Longer text; its words help suggestions.")
    owner: str | None = Field(default=None, description="Who answers for it, e.g. `@login` (rule objective-has-owner).")
    start: Date | None = Field(default=None, description="When work on it began (for time elapsed).")
    due: Date | None = Field(default=None, description="When it should be achieved (rules objective-has-due-date, objective-overdue).")
    state: State = Field(default="active", description="`achieved` and `dropped` objectives take no new work.")
    locked: bool = Field(
        default=False,
        description="In an organisation's goals: repositories may add initiatives to it, not redefine or drop it (docs/org.md).",
    )
    key_results: list[KeyResult] = Field(default_factory=list, description="How progress is measured.")
    initiatives: list[Initiative] = Field(default_factory=list, description="How it is pursued.")
    match: Match = Field(default_factory=lambda: NO_MATCH, description="Work recognised directly by the objective.")


class Budget(Strict):
    """Counted non-roadmap work with a ceiling (share of merged work in the report window)."""

    id: Id = Field(description="Unique across objectives, initiatives and budgets.")
    title: str = Field(description="What the budget is for.")
    share: Percent = Field(description="Ceiling as a percentage of merged work, e.g. 20%; at most 100%.")
    match: Match = Field(description="Which work counts against the budget.")


class Exempt(Strict):
    """Not work at all: counted nowhere, listed as exempt. Always exempt: clew's report commit, work changing only the goals file."""

    authors: list[str] = Field(default_factory=list, description="Author logins, e.g. `release-please[bot]`.")
    labels: list[str] = Field(default_factory=list, description="Labels that make work exempt.")
    titles: list[Regex] = Field(default_factory=list, description=TITLES)
    branches: list[BranchGlob] = Field(default_factory=list, description="Branch-name globs.")
    bots: bool = Field(default=False, description=BOTS)


class References(Strict):
    """How explicit references are written."""

    trailers: list[str] = Field(default=["Objective", "Initiative", "Goal"], description="Trailer keys naming an id (case-insensitive).")
    label_prefix: str = Field(default="goal:", description="Labels '<prefix><id>' point to an id.")
    escape_hatch: str = Field(default="Unaligned", description="Trailer key of the escape hatch 'Unaligned: <reason>'.")


class Policy(Strict):
    """Rules and their severities; packs from `policies/` (or a path) via `extends`."""

    extends: Annotated[list[str], BeforeValidator(_listify)] = Field(
        default=[], description="Pack names (default, strict) or paths relative to the goals file."
    )
    rules: Annotated[dict[str, dict[str, Any]], BeforeValidator(_rule_shorthand)] = Field(
        default={}, description="Per rule id: {severity: error|warning|notice|off, ...options}, or just the severity."
    )
    exempt: Exempt = Field(default_factory=Exempt, description="Work that is not work at all (release automation).")
    references: References = Field(default_factory=References, description="How explicit references are written.")
    fail_on: Severity | None = Field(default=None, description="Lowest severity that fails the check (exit 1).")


class ReportSettings(Strict):
    """Where the alignment report goes and the thresholds of objective status."""

    markdown: RepoPath = Field(default="ALIGNMENT.md", description="Where the Markdown report is written.")
    json_path: RepoPath = Field(default="alignment.json", alias="json", description="Where the JSON report is written.")
    html: RepoPath = Field(default="alignment.html", description="Where `clew report --html` writes the self-contained page.")
    window_days: int = Field(default=90, ge=1, le=3650, description="How many days of merged work the report covers.")
    stale_days: int = Field(default=DEFAULTS.stale_days, ge=1, description="No activity for this many days makes an issue stale.")
    blocked_days: int = Field(default=DEFAULTS.blocked_days, ge=0, description="Blocked for longer than this counts against status.")
    at_risk_margin: float = Field(
        default=DEFAULTS.at_risk_margin, ge=0, le=1, description="Progress behind time by more than this: at risk."
    )
    off_track_margin: float = Field(
        default=DEFAULTS.off_track_margin, ge=0, le=1, description="Progress behind time by more than this: off track."
    )
    max_items: int = Field(
        default=2000, ge=1, le=1_000_000, description="Newest rows kept in full in alignment.json; older ones are kept in a short form."
    )
    blocked_labels: list[str] = Field(
        default=["blocked", "status::blocked"], description="Labels that mark an issue blocked (compared case-insensitively)."
    )
    priority_labels: list[str] = Field(
        default=["critical", "priority::critical", "priority::1", "p0", "p1"],
        description="Labels that mark an issue critical: the blocked reason counts them ('5 blocked, 2 of them critical').",
    )


SUPPORTED_VERSIONS = (1,)


def _check_version(value: int) -> int:
    if value not in SUPPORTED_VERSIONS:
        raise ValueError(f"unsupported version {value}: this clew reads version 1")
    return value


class JiraSettings(Strict):
    """Where the team's Jira is. The token comes from the environment (JIRA_TOKEN, with JIRA_USER
    on Jira Cloud), never from this file."""

    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")] | None = Field(
        default=None, description="Base URL, e.g. `https://acme.atlassian.net` (JIRA_URL overrides it)."
    )
    projects: list[JiraProject] = Field(
        default_factory=list,
        description="Project keys to recognise in titles, branches and trailers (default: any key-shaped word, such as `PAY-12`).",
    )
    deployment: Literal["cloud", "datacenter"] | None = Field(
        default=None, description="`cloud` or `datacenter` (default: `cloud` for `*.atlassian.net`, else `datacenter`)."
    )
    epic_field: Annotated[str, StringConstraints(pattern=r"^customfield_[0-9]+$")] | None = Field(
        default=None, description="Data Center: the Epic Link field, e.g. `customfield_10008` (Cloud uses `parent`)."
    )


def _check_extends(value: str) -> str:
    from checker.errors import ClewError
    from checker.goals.org import parse_ref

    try:
        parse_ref(value)
    except ClewError as exc:
        raise ValueError(str(exc).removeprefix("extends: ")) from None
    return value


class Goals(Strict):
    """A goals file, format version 1."""

    extends: Annotated[str, AfterValidator(_check_extends)] | None = Field(
        default=None,
        description="The organisation's goals this file builds on, e.g. `github:acme/.github/goals.yml@main` (docs/org.md).",
    )
    version: Annotated[int, AfterValidator(_check_version)] = Field(description="Format version: `1`.")
    mission: str = Field(description="Why the team exists, in one sentence.")
    objectives: list[Objective] = Field(description="What the team wants to achieve.")
    budgets: list[Budget] = Field(default_factory=list, description="Counted non-roadmap work with a ceiling.")
    policy: Policy = Field(default_factory=Policy, description="Rules, severities, packs, exemptions.")
    report: ReportSettings = Field(default_factory=ReportSettings, description="The alignment report.")
    jira: JiraSettings | None = Field(default=None, description="Follow Jira issue keys through Jira's REST API (docs/jira.md).")

    def summary(self) -> str:
        """What `clew validate` says of the file, in the same words (checker.goals.compiled.summary)."""
        from checker.goals.compiled import summary

        return summary(
            {
                "objectives": len(self.objectives),
                "key_results": sum(len(o.key_results) for o in self.objectives),
                "initiatives": sum(len(o.initiatives) for o in self.objectives),
                "budgets": len(self.budgets),
            }
        )
