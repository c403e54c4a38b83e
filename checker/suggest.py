"""Rank the objectives and initiatives closest to a piece of untraced work.

Deterministic and offline: words from the item's title, body, branch and
paths are compared with the words of each target's title, description, key
results and match rules, weighted by how rare each word is across the goals
file (idf). A word that comes only from the item's paths also weighs by how rare
it is among the repository's paths (`PathRarity`): `src`, `py` and the project's
own name are in most of them and say nothing about what a change is for.
Ties break by id.
"""

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from checker.goals.compiled import Pyramid
from checker.work import WorkItem

if TYPE_CHECKING:
    from difflib import SequenceMatcher

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "this",
        "to",
        "with",
        "we",
        "via",
        "add",
        "use",
        "new",
        "fix",
        "fixes",
        "update",
        "make",
        "more",
        "less",
        "feat",
        "chore",
        "refactor",
        "wip",
        "pr",
        "mr",
        "issue",
        "branch",
        "main",
        "master",
        "",
    ]
)


def words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1 and not w.isdigit()]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


class PathRarity:
    """How rare each path word is among a repository's paths, from 0 (in every path) to 1 (in
    one): (log(N / df) / log(N))² over the N distinct paths seen (the history's, the tracked
    files); squared, so that a directory most of the code lives in (`src/flask`, in 30 of
    flask's 236 files: 0.14) says little and a file's own name (`helpers`, in 2: 0.76) a lot.
    With one path or none there is nothing to compare: every word weighs 1."""

    LIMIT = 100_000  # paths read; past that the shares are already known well
    _made = itertools.count(1)

    def __init__(self, paths: Iterable[str] | Callable[[], Iterable[str]]) -> None:
        self.serial = next(self._made)  # which corpus a cached suggestion was made with
        self._source = paths  # a callable is read at the first question (most checks ask none)
        self._frequency: Counter[str] | None = None
        self.paths = 0
        self._scale = 0.0

    def _count(self) -> Counter[str]:
        seen: set[str] = set()
        frequency: Counter[str] = Counter()
        for path in self._source() if callable(self._source) else self._source:
            if path in seen:
                continue
            seen.add(path)
            frequency.update(set(words(path)))
            if len(seen) >= self.LIMIT:
                break
        self.paths = len(seen)
        self._scale = math.log(self.paths) if self.paths > 1 else 0.0
        return frequency

    def weight(self, word: str) -> float:
        if self._frequency is None:
            self._frequency = self._count()
        if not self._scale:
            return 1.0
        return (math.log(self.paths / max(1, self._frequency.get(word, 1))) / self._scale) ** 2


class Suggestion(NamedTuple):
    id: str
    kind: str
    title: str
    score: float
    matched: tuple[str, ...]


_INDEX: list[tuple[Pyramid, list[tuple[str, str, str, Counter[str], float]], dict[str, float]]] = []


def _index(pyramid: Pyramid) -> tuple[list[tuple[str, str, str, Counter[str], float]], dict[str, float]]:
    """The targets' word bags and idf weights, built once per pyramid."""
    for known, docs, idf in _INDEX:
        if known is pyramid:
            return docs, idf
    bags = [(n.id, n.kind, n.title, Counter(words(f"{n.id} {n.title} {n.text}"))) for n in pyramid.nodes if n.state == "active"]
    frequency = Counter(w for *_, bag in bags for w in bag)
    idf = {w: math.log(1 + len(bags) / n) for w, n in frequency.items()}
    docs = [(i, k, t, bag, math.sqrt(sum(idf[w] ** 2 for w in bag))) for i, k, t, bag in bags]
    _INDEX[:] = [(pyramid, docs, idf)]
    _ASKED.clear()
    return docs, idf


_ASKED: dict[tuple[WorkItem, int, int], list[Suggestion]] = {}  # for the indexed pyramid: the rule and the output ask alike
_ASKED_LIMIT = 20_000


def suggest(pyramid: Pyramid, item: WorkItem, limit: int = 3, rarity: PathRarity | None = None) -> list[Suggestion]:
    """The closest objectives, initiatives and budgets by the words they share with the item;
    asked twice for the same item (by the rule that flags it, then for the output), worked out once.
    `rarity`: how rare path words are in the repository (None: the item's own paths tell)."""
    docs, idf = _index(pyramid)
    if not docs:
        return []
    key = (item, limit, rarity.serial if rarity is not None else 0)
    known = _ASKED.get(key)
    if known is None:
        if len(_ASKED) >= _ASKED_LIMIT:
            _ASKED.clear()
        known = _ASKED[key] = _suggest(docs, idf, item, limit, rarity or PathRarity(item.paths))
    return list(known)


MIN_PATH_WEIGHT = 0.25  # below, a path word most paths share: not a clue


def _suggest(
    docs: list[tuple[str, str, str, Counter[str], float]], idf: dict[str, float], item: WorkItem, limit: int, rarity: PathRarity
) -> list[Suggestion]:
    text = " ".join([item.title, item.body[:4000], item.branch or "", *(c.title for c in item.commits[:200])])
    weights = dict.fromkeys(words(text), 1.0)
    for word in words(" ".join(item.paths[:200])):
        if word not in weights and (weight := rarity.weight(word)) >= MIN_PATH_WEIGHT:
            weights[word] = weight
    ranked = []
    for ident, kind, title, bag, bag_norm in docs:
        common = sorted(weights.keys() & bag.keys())
        if not common:
            continue
        norm = bag_norm * math.sqrt(max(len(weights), 1))
        score = sum(weights[w] * idf[w] ** 2 for w in common) / norm if norm else 0.0
        ranked.append(Suggestion(ident, kind, title, round(min(1.0, score), 3), tuple(common)))
    ranked.sort(key=lambda s: (-s.score, s.id))
    return ranked[:limit] or closest_ids(docs, item)


FALLBACK = 10


def closest_ids(docs: list[tuple[str, str, str, Counter[str], float]], item: WorkItem) -> list[Suggestion]:
    """No word in common with any target: still the valid ids, closest title first (by
    characters), so that the fix stays one line. Score 0 and nothing matched say so."""
    wanted = f"{item.title} {item.branch or ''}".lower()
    known = _CLOSEST.get(wanted)
    if known is not None and known[0] is docs:
        return list(known[1])
    scored = []
    for matcher, (ident, kind, title, *_) in zip(_matchers(docs), docs, strict=True):
        matcher.set_seq1(wanted)  # the target's side is indexed once per goals file, not once per item
        scored.append((matcher.ratio(), ident, kind, title))
    scored.sort(key=lambda row: (-row[0], row[1]))
    found = [Suggestion(ident, kind, title, 0.0, ()) for _, ident, kind, title in scored[:FALLBACK]]
    if len(_CLOSEST) >= _ASKED_LIMIT:
        _CLOSEST.clear()
    _CLOSEST[wanted] = (docs, found)
    return list(found)


_CLOSEST: dict[str, tuple[object, list[Suggestion]]] = {}
_MATCHERS: "list[tuple[object, list[SequenceMatcher[str]]]]" = []


def _matchers(docs: list[tuple[str, str, str, Counter[str], float]]) -> "list[SequenceMatcher[str]]":
    """One matcher per target, its text set once (SequenceMatcher indexes its second sequence)."""
    if not _MATCHERS or _MATCHERS[0][0] is not docs:
        from difflib import SequenceMatcher

        _MATCHERS[:] = [(docs, [SequenceMatcher(None, "", f"{ident} {title}".lower()) for ident, _, title, *_ in docs])]
    return _MATCHERS[0][1]
