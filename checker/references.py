"""Text → references: trailers naming ids, the escape hatch, closing keywords,
issue/PR/MR URLs, `Part-of:`, squash and merge subjects, branch names.

Link detection must not lie. Quoted lines, code spans, fenced blocks and HTML
comments are not read; a negated keyword ("does not fix #3") links nothing; a
`#` inside a URL is not an issue; a date or version in a branch name is not an
issue number.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, cast

from checker.work import Reference, RefKind


def _lazy(name: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern compiled when first used, then put in this module in its own place, so that later
    uses cost nothing more: a check's start should not pay for the link patterns of messages that
    hold no link (most of them)."""
    return cast("re.Pattern[str]", _Lazy(name, pattern, flags))


class _Lazy:
    def __init__(self, name: str, pattern: str, flags: int) -> None:
        self.name, self.pattern, self.flags = name, pattern, flags

    def __getattr__(self, attr: str) -> Any:
        compiled = re.compile(self.pattern, self.flags)
        globals()[self.name] = compiled
        return getattr(compiled, attr)


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_FENCE = _lazy("_FENCE", r"^\s{0,3}(```+|~~~+)")
_CODE_SPAN = _lazy("_CODE_SPAN", r"(`+)(?:(?!\1).)+?\1")
_COMMENT = _lazy("_COMMENT", r"<!--.*?(?:-->|\Z)", re.S)
_TRAILER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*)\s*:[ \t]*(.*?)\s*$")
_URL = _lazy("_URL", r"https?://[^\s<>()\[\]\"'`]+")
_PLACEHOLDER = "\x00U{}\x00"
_PROJECT = r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+"
_REF = rf"(?:(?:{_PROJECT})?[#!]\d+|GH-\d+|[A-Z][A-Z0-9_]+-\d+(?!-\w)|\x00U\d+\x00)"  # not `CVE-2026` of `CVE-2026-1234`
_SEP = r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s+)"
_LIST = rf"(?P<refs>{_REF}(?:{_SEP}{_REF})*)"
_NOUN = r"(?:(?:the\s+)?(?i:issues?|bugs?|tickets?|pull\s+requests?|merge\s+requests?|prs?|mrs?)\s+)?"
_CLOSING = _lazy(
    "_CLOSING",
    rf"(?<![\w-])(?P<kw>(?i:close[sd]?|closing|fix(?:e[sd]|ing)?|resolv(?:e[sd]?|ing)|implement(?:s|ed|ing)?))"
    rf"(?i::)?\s+{_NOUN}{_LIST}(?![\w/]|-\w)",
)
_MENTION = _lazy(
    "_MENTION",
    rf"(?<![\w-])(?P<kw>(?i:part\s+of|related\s+to|relates\s+to|refs?|references?|see(?:\s+also)?))"
    rf":?\s+{_NOUN}{_LIST}(?![\w/]|-\w)",
)
_ONE_REF = _lazy(
    "_ONE_REF", rf"(?P<project>{_PROJECT})?(?P<sign>[#!])(?P<num>\d+)|GH-(?P<gh>\d+)|(?P<ext>[A-Z][A-Z0-9_]+-\d+)|\x00U(?P<url>\d+)\x00"
)
_NEGATION = _lazy("_NEGATION", r"(?i)\b(?:not|never|no|don't|doesn't|didn't|won't|isn't|can't|cannot|without)\s+(?:\w+\s+){0,2}$")
_GITHUB_URL = _lazy("_GITHUB_URL", r"^https?://[^/]+/(?P<project>[^/]+/[^/]+)/(?P<what>issues|pull)/(?P<num>\d+)(?:[/?#].*)?$")
_GITLAB_URL = _lazy(
    "_GITLAB_URL", r"^https?://[^/]+/(?P<project>[^/]+(?:/[^/]+)+?)/-/(?P<what>issues|work_items|merge_requests)/(?P<num>\d+)(?:[/?#].*)?$"
)
_MAYBE_LINK = re.compile(r"[#!]|://|GH-\d|[A-Z][A-Z0-9_]+-\d")  # a line without these holds no link
_SQUASH = re.compile(r"\(#(\d+)\)\s*$")
_JIRA_KEY = _lazy("_JIRA_KEY", r"(?<![A-Za-z0-9_-])([A-Z][A-Z0-9_]+-[1-9][0-9]*)(?![A-Za-z0-9_])")
_JIRA_SUBJECT = _lazy("_JIRA_SUBJECT", r"^\s*\[?([A-Z][A-Z0-9_]+-[1-9][0-9]*)\]?(?=[\s:]|$)[:\s]*")
_JIRA_BRANCH = _lazy("_JIRA_BRANCH", r"(?:^|[/_-])([A-Z][A-Z0-9_]+-[1-9][0-9]*)(?=$|[-_/])")
# A URL that is a line of its own (a list item, or a trailer such as `Bug: <url>`), not one inside a sentence.
_LONE_URL = _lazy(
    "_LONE_URL", r"^\s*(?:[-*+]\s+|[A-Za-z][A-Za-z0-9-]*:\s*)?(?:<?https?://[^\s<>]+?>?|\[[^\]]*\]\(https?://[^\s()]+\))[.,;]?\s*$"
)
_MERGE_PR = _lazy("_MERGE_PR", r"^Merge pull request #(\d+) from \S")
_SEE_MR = _lazy("_SEE_MR", r"(?m)^\s*See merge request (" + _PROJECT + r")!(\d+)\s*$")
PLACEHOLDER_REASONS = frozenset(
    {
        "",
        "n/a",
        "na",
        "none",
        "todo",
        "tbd",
        "tbc",
        "-",
        "--",
        "?",
        "x",
        "xxx",
        "...",
        "fixme",
        "wip",
        "unknown",
        "null",
        "nil",
        "no",
        "reason",
    }
)


def placeholder(reason: str) -> bool:
    """Whether an `Unaligned:` reason says nothing: a placeholder word (`n/a`, `TODO`, `reason`),
    a template's slot (`<reason>`, `[why]`, `{explain}`: GitHub renders `<reason>` as nothing, so
    a copied hint reads as an empty line), or under three letters."""
    text = " ".join(reason.split())
    if len(text) >= 2 and (text[0], text[-1]) in (("<", ">"), ("[", "]"), ("{", "}")):
        return True
    bare = text.strip(" .:;-_*`'\"").lower()
    return bare in PLACEHOLDER_REASONS or sum(c.isalnum() for c in bare) < 3


class Syntax(NamedTuple):
    """Which trailer keys name ids and which one is the escape hatch; with Jira on, the project
    keys whose issue keys count in a subject, a `Jira:` trailer and a branch name (None: Jira off;
    empty: any key-shaped word)."""

    trailers: tuple[str, ...] = ("Objective", "Initiative", "Goal")
    escape: str = "Unaligned"
    jira: tuple[str, ...] | None = None

    def jira_key(self, key: str) -> bool:
        """Whether a key-shaped word is a Jira key here."""
        return self.jira is not None and (not self.jira or key.rsplit("-", 1)[0] in self.jira)

    @property
    def lowered(self) -> frozenset[str]:
        return _lowered(self.trailers)


_LOWERED: dict[tuple[str, ...], frozenset[str]] = {}


def _lowered(keys: tuple[str, ...]) -> frozenset[str]:
    found = _LOWERED.get(keys)
    if found is None:
        found = _LOWERED[keys] = frozenset(k.lower() for k in keys)
    return found


DEFAULT_SYNTAX = Syntax()


def _quotes(text: str) -> bool:
    """Whether a line starts with `>` (after blanks): found from each `>`, not by scanning every
    line, since most messages hold at most the `>` closing a `Part-of: <url>`."""
    at = text.find(">")
    while at != -1:
        if not text[text.rfind("\n", 0, at) + 1 : at].strip(" \t"):
            return True
        at = text.find(">", at + 1)
    return False


def readable_lines(text: str) -> Iterator[str]:
    """The lines of `text` a person means as prose: no quotes, code or comments."""
    if "<!--" in text:
        text = _COMMENT.sub(" ", text)
    if "`" not in text and "~~~" not in text and not _quotes(text):
        yield from text.splitlines()  # the common case: plain prose (a `Part-of: <url>` line is no quote)
        return
    fence: str | None = None
    for line in text.splitlines():
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        if line.lstrip().startswith(">"):
            continue
        yield _CODE_SPAN.sub(" ", line)


# What one text (a description, a message) may name. A real change names a handful; a text
# naming thousands is read up to here, in time linear in its length, and the rest is not read.
MAX_REFERENCES = 500
MAX_NUMBER = 2**31 - 1  # GitHub's GraphQL Int and GitLab's iids are signed 32-bit integers


def number_ok(digits: str) -> bool:
    """Whether a run of digits can number an issue, PR or MR: 1 to 2^31-1. A larger number is
    not a reference (sent as one, it would make the forge reject the whole query)."""
    return 0 < len(digits) <= 10 and digits.isascii() and digits.isdigit() and 0 < int(digits) <= MAX_NUMBER


def _url_reference(url: str) -> tuple[RefKind, str] | None:
    url = url.rstrip(".,;:!?")
    gitlab = _GITLAB_URL.match(url)
    match = gitlab or _GITHUB_URL.match(url)
    if match is None or not number_ok(match["num"]):
        return None
    if gitlab:
        kind: RefKind = "mr" if match["what"] == "merge_requests" else "issue"
        return kind, f"{match['project']}{'!' if kind == 'mr' else '#'}{match['num']}"
    return ("pr" if match["what"] == "pull" else "issue"), f"{match['project']}#{match['num']}"


def _one(token: re.Match[str], urls: list[tuple[RefKind, str] | None]) -> tuple[RefKind, str] | None:
    if token["url"] is not None:
        return urls[int(token["url"])]
    if token["gh"]:
        return ("issue", f"#{token['gh']}") if number_ok(token["gh"]) else None
    if token["ext"]:
        return "issue", token["ext"]
    if not number_ok(token["num"]):
        return None
    kind: RefKind = "mr" if token["sign"] == "!" else "issue"
    return kind, f"{token['project'] or ''}{token['sign']}{token['num']}"


def _links(line: str, *, subject: bool) -> Iterator[Reference]:
    urls: list[tuple[RefKind, str] | None] = []

    def park(match: re.Match[str]) -> str:
        urls.append(_url_reference(match.group(0)))
        return _PLACEHOLDER.format(len(urls) - 1)

    parked = _URL.sub(park, line)
    taken: set[int] = set()  # character offsets inside keyword phrases
    consumed: set[int] = set()  # URLs read as part of a keyword phrase
    for pattern, closing in ((_CLOSING, True), (_MENTION, False)):
        for match in pattern.finditer(parked):
            if taken.intersection(range(*match.span())):
                continue
            taken.update(range(*match.span()))
            tokens = list(_ONE_REF.finditer(match["refs"]))
            consumed.update(int(t["url"]) for t in tokens if t["url"] is not None)
            if _NEGATION.search(parked[: match.start()]):
                continue
            via = "closing keyword" if closing else "mention"
            evidence = _unpark(match.group(0), line)  # once per phrase: the line is read once, whatever it names
            for token in tokens[:MAX_REFERENCES]:
                if found := _one(token, urls):
                    yield Reference(found[0], found[1], evidence, via, closing)
    if len(urls) > len(consumed) and _LONE_URL.match(line):  # a URL in a sentence is a mention, not a link
        for index, found in enumerate(urls):
            if found and index not in consumed:
                yield Reference(found[0], found[1], line.strip(), "URL")
    if subject and (squash := _SQUASH.search(line)) and number_ok(squash[1]):
        yield Reference("pr", f"#{squash[1]}", squash.group(0).strip(), "squash subject")
    if subject and (merge := _MERGE_PR.match(line)) and number_ok(merge[1]):
        yield Reference("pr", f"#{merge[1]}", merge.group(0).strip(), "merge subject")


def _unpark(phrase: str, line: str) -> str:
    """The phrase as written (URLs back in place of their placeholders)."""
    urls = _URL.findall(line)
    return re.sub(r"\x00U(\d+)\x00", lambda m: urls[int(m[1])], phrase).strip()


def _trailer(match: re.Match[str], syntax: Syntax) -> Iterator[Reference]:
    line, key, value = match.string, match[1], match[2]
    lowered = key.lower()
    if lowered == syntax.escape.lower():
        yield Reference("escape", value, line.strip(), "escape hatch")
    elif lowered in syntax.lowered:
        parts = [p.strip() for p in value.split(",")]
        if parts and all(_ID.fullmatch(p) for p in parts):
            for part in parts:
                yield Reference("goal", part, line.strip(), f"{key} trailer")
    elif lowered == "jira":
        for key in _JIRA_KEY.findall(value):
            if syntax.jira_key(key):
                yield Reference("issue", key, line.strip(), "Jira trailer")
    elif lowered == "part-of":
        for found in (_url_reference(u) for u in _URL.findall(value)):
            if found:
                yield Reference(found[0], found[1], line.strip(), "Part-of trailer")
        for token in _ONE_REF.finditer(_URL.sub(" ", value)):
            if token["url"] is None and (found := _one(token, [])):
                yield Reference(found[0], found[1], line.strip(), "Part-of trailer")


_SPECIAL: dict[Syntax, frozenset[str]] = {}


def parse(text: str, syntax: Syntax | None = None) -> list[Reference]:
    """Every reference in a message or description, strongest syntax first, deduplicated. A
    message read twice (a local report groups commits by their `Part-of:` trailer, then traces
    them) is parsed once."""
    if ":" not in text and not _MAYBE_LINK.search(text):
        return []  # no trailer, no link: most messages of a long history, at the cost of one scan
    syntax = syntax or DEFAULT_SYNTAX
    key = (text, syntax)
    done = _TEXTS.get(key)
    if done is None:
        if len(_TEXTS) >= _MEMO_LIMIT:
            _TEXTS.clear()
        done = _TEXTS[key] = _parse(text, syntax)
    return list(done)


def _parse(text: str, syntax: Syntax) -> list[Reference]:
    special = _SPECIAL.get(syntax)
    if special is None:
        special = _SPECIAL[syntax] = syntax.lowered | {syntax.escape.lower(), "part-of"} | ({"jira"} if syntax.jira is not None else set())
    found: list[Reference] = []
    if "See merge request" in text:
        found = [
            Reference("mr", f"{m[1]}!{m[2]}", m.group(0).strip(), "merge request trailer")
            for m in _SEE_MR.finditer(text)
            if number_ok(m[2])
        ]
    for number, line in enumerate(readable_lines(text)):
        if len(found) >= MAX_REFERENCES:
            break  # a text naming thousands of things names no thread: read no further (checker.references.MAX_REFERENCES)
        colon = ":" in line
        if not colon and (("#" not in line and "!" not in line and "-" not in line) or not _MAYBE_LINK.search(line)):
            continue  # prose: most lines of most messages (a link needs `#`, `!`, `-` or `://`), told apart without a regex
        key = (line, syntax, number == 0)
        known = _LINES.get(key)
        if known is None:
            trailer = _TRAILER.match(line) if colon else None
            if trailer and trailer[1].lower() in special:
                known = list(_trailer(trailer, syntax))
            elif _MAYBE_LINK.search(line):
                known = list(_links(line, subject=number == 0))
            else:
                known = []  # a `component: subject` line: remembered as holding nothing
            if number == 0 and syntax.jira is not None and (lead := _JIRA_SUBJECT.match(line)) and syntax.jira_key(lead[1]):
                known = [Reference("issue", lead[1], lead.group(0).strip(), "Jira key in the title"), *known]
            if len(_LINES) >= _MEMO_LIMIT:
                _LINES.clear()
            _LINES[key] = known  # the same trailer and closing lines recur across a history
        found.extend(known)
    found = found[:MAX_REFERENCES]
    return unique(found) if len(found) > 1 else found


_LINES: dict[tuple[str, Syntax, bool], list[Reference]] = {}
_TEXTS: dict[tuple[str, Syntax], list[Reference]] = {}
_MEMO_LIMIT = 200_000


def unique(references: Iterable[Reference]) -> list[Reference]:
    """First occurrence of each (kind, target) wins, but a closing link beats a mention."""
    best: dict[tuple[str, str], Reference] = {}
    for ref in references:
        key = (ref.kind, ref.target)
        if key not in best or (ref.closing and not best[key].closing):
            best[key] = ref
    return list(best.values())


_BRANCH_PATTERNS = (
    re.compile(r"^(?P<num>\d+)-(?=[A-Za-z])"),
    re.compile(r"(?:^|[/_-])(?i:issues?|gh|bug|fix|feature|feat|ticket)[-_/]?#?(?P<num>\d+)(?=$|[-_/])"),
    re.compile(r"(?:^|/)#(?P<num>\d+)(?=$|[-_/])"),
)
_DATE = _lazy("_DATE", r"(?:^|\D)\d{4}-\d{2}(?:-\d{2})?(?!\d)")


def jira_branch_keys(branch: str, syntax: Syntax) -> list[str]:
    """Jira keys a branch name carries (`feature/PAY-14-card-form`, `PAY-14`), with Jira on."""
    if syntax.jira is None:
        return []
    return list(dict.fromkeys(k for k in _JIRA_BRANCH.findall(branch.removeprefix("refs/heads/")) if syntax.jira_key(k)))


def branch_references(branch: str) -> list[Reference]:
    """Issue numbers a branch name carries (`17-login`, `fix/issue-17`, `gh-17`), never dates or versions."""
    name = branch.removeprefix("refs/heads/")
    leaf = name.rsplit("/", 1)[-1]
    found: list[Reference] = []
    for pattern in _BRANCH_PATTERNS:
        for candidate in {leaf, name}:
            match = pattern.search(candidate)
            if (
                match
                and number_ok(match["num"])
                and not _DATE.match(candidate[max(0, match.start() - 1) :])
                and not _looks_versioned(candidate, match)
            ):
                found.append(Reference("issue", f"#{int(match['num'])}", name, "branch name"))
    return unique(found)


def _looks_versioned(text: str, match: re.Match[str]) -> bool:
    after = text[match.end("num") : match.end("num") + 1]
    before = text[max(0, match.start("num") - 1) : match.start("num")]
    return after == "." or before in (".", "v")
