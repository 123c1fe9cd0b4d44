"""Ranking other associations' ideas against one: text (BM25 over stemmed terms), shared themes and target
groups, the same or a neighbouring municipality; each suggestion carries the reasons it was made.

The index is kept in memory and changed one profile at a time (`put`, `drop`): the document frequencies and the
posting lists follow each change, so a query touches only the ideas that share a term, a theme or a sub-region
with the asked one, never the whole region. Neighbouring means the same sub-region (seutukunta): the region file
names each municipality's sub-region, and the repository has no adjacency data finer than that.

Weights (of a score between 0 and 1): text 0.5 (BM25 of the two texts divided by the asked text's BM25 against
itself, so that a long description does not outrank a close short one, and its square root taken: two ideas that
share a quarter of their weight in words are already a good match, at 0.5), themes 0.25 (shared / all themes of the
two), target groups 0.1 (any shared), place 0.15 for the same municipality or 0.1 for a neighbouring one. A
suggestion needs a shared theme or some text in common: being next door alone is no reason to meet. A term more
than half of a large index uses is left out of the text score (a corpus stop word: little weight, most of the
work; measured in bench/partners_bench.py).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from koonto.advisory.domain.partners.text import Terms, plainest

K1, B = 1.2, 0.75  # the usual BM25 constants
WEIGHT_TEXT, WEIGHT_THEMES, WEIGHT_GROUPS = 0.5, 0.25, 0.1
WEIGHT_SAME_MUNICIPALITY, WEIGHT_NEIGHBOUR = 0.15, 0.1
MIN_SCORE = 0.15
MIN_TEXT = 0.05  # without a shared theme, at least this much text in common
SHOWN_WORDS = 4
CORPUS_STOP_SHARE, CORPUS_STOP_MIN_IDEAS = 0.5, 100

ReasonKind = Literal["theme", "group", "municipality", "neighbour", "words"]


@dataclass(frozen=True)
class Profile:
    """What the suggestions know of one consenting association's idea (built from its case)."""

    case_id: str
    reference: str
    title: str
    organisation: str
    municipality: str
    sub_region: str | None
    themes: frozenset[str]
    groups: dict[str, str]  # target group by its stems -> as the association wrote it
    terms: Terms
    region: str = ""  # the case's region: an idea is only ever suggested to associations of its own region


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    values: tuple[str, ...]  # theme codes, target groups, a municipality code, or words


@dataclass(frozen=True)
class Suggestion:
    profile: Profile
    score: float
    reasons: tuple[Reason, ...]


@dataclass
class PartnerIndex:
    profiles: dict[str, Profile] = field(default_factory=dict)
    document_frequency: Counter[str] = field(default_factory=Counter)
    # term -> {case id: (term frequency, the idea's length in terms)}: a query reads nothing else per posting
    postings: defaultdict[str, dict[str, tuple[int, int]]] = field(default_factory=lambda: defaultdict(dict))
    by_theme: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_sub_region: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    total_length: int = 0
    revision: int = 0  # changes with every put and drop (what a cached clustering is checked against)

    def __len__(self) -> int:
        return len(self.profiles)

    # -- keeping it up to date ---------------------------------------------------------------------------
    def put(self, profile: Profile) -> None:
        self.drop(profile.case_id)
        self.profiles[profile.case_id] = profile
        length = profile.terms.length
        for term, tf in profile.terms.counts.items():
            self.document_frequency[term] += 1
            self.postings[term][profile.case_id] = (tf, length)
        for theme in profile.themes:
            self.by_theme[theme].add(profile.case_id)
        if profile.sub_region:
            self.by_sub_region[profile.sub_region].add(profile.case_id)
        self.total_length += profile.terms.length
        self.revision += 1

    def drop(self, case_id: str) -> None:
        old = self.profiles.pop(case_id, None)
        if old is None:
            return
        for term in old.terms.counts:
            self.document_frequency[term] -= 1
            self.postings[term].pop(case_id, None)
            if not self.document_frequency[term]:
                del self.document_frequency[term], self.postings[term]
        for theme in old.themes:
            self.by_theme[theme].discard(case_id)
        if old.sub_region:
            self.by_sub_region[old.sub_region].discard(case_id)
        self.total_length -= old.terms.length
        self.revision += 1

    # -- text --------------------------------------------------------------------------------------------
    def idf(self, term: str) -> float:
        n, df = len(self.profiles), self.document_frequency.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _term_weight(self, term: str, tf: int, length: int) -> float:
        average = self.total_length / len(self.profiles) if self.profiles else 1.0
        return self.idf(term) * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / max(average, 1.0)))

    def telling(self, term: str) -> bool:
        """False for a term more than half of a large index uses ("järjestää", "vuosi"): a corpus stop word,
        weighing little (BM25 idf under 0.7) while its postings would be most of a query's work."""
        n = len(self.profiles)
        return n < CORPUS_STOP_MIN_IDEAS or self.document_frequency.get(term, 0) <= n * CORPUS_STOP_SHARE

    def _text_scores(self, asked: Profile) -> dict[str, float]:
        """BM25 of every idea sharing a telling term with the asked one, divided by the asked text's own score."""
        terms = [t for t in asked.terms.counts if self.telling(t)]
        own = sum(self._term_weight(t, asked.terms.counts[t], asked.terms.length) for t in terms)
        if own <= 0:
            return {}
        scores: defaultdict[str, float] = defaultdict(float)
        average = max(self.total_length / len(self.profiles), 1.0)
        base, per_length = K1 * (1 - B), K1 * B / average
        for term in terms:
            idf = self.idf(term) * (K1 + 1)  # once per term, not per posting: the inner loop is a query's cost
            for other_id, (tf, length) in self.postings.get(term, {}).items():
                scores[other_id] += idf * tf / (tf + base + per_length * length)
        return {case_id: min(1.0, score / own) for case_id, score in scores.items()}

    def shared_words(self, asked: Profile, other: Profile, limit: int = SHOWN_WORDS) -> tuple[str, ...]:
        """The shared terms that weigh most, each in the plainest form either idea writes it."""
        shared = [t for t in asked.terms.counts.keys() & other.terms.counts.keys() if self.telling(t)]
        ranked = sorted(shared, key=lambda t: (-self.idf(t) * min(asked.terms.counts[t], other.terms.counts[t]), t))
        return tuple(plainest(t, (asked.terms.words[t], other.terms.words[t])) for t in ranked[:limit])

    # -- suggestions -------------------------------------------------------------------------------------
    def similar(self, case_id: str, limit: int = 10) -> list[Suggestion]:
        asked = self.profiles.get(case_id)
        if asked is None:
            return []
        text = self._text_scores(asked)
        candidates = set(text)
        for theme in asked.themes:
            candidates |= self.by_theme.get(theme, set())
        candidates.discard(case_id)
        candidates = {c for c in candidates if self.profiles[c].region == asked.region}  # never another region's
        # scores first, reasons only for the ones shown: most candidates of a large region are never shown
        scored = [(score, c) for c in candidates if (score := self._score(asked, self.profiles[c], text.get(c, 0.0)))]
        best = heapq.nsmallest(limit, scored, key=lambda sc: (-sc[0], self.profiles[sc[1]].reference))
        return [self._suggestion(asked, self.profiles[c], text.get(c, 0.0), score) for score, c in best]

    @staticmethod
    def _place(asked: Profile, other: Profile) -> tuple[bool, bool]:
        same_place = asked.municipality == other.municipality and asked.municipality != "other"
        neighbour = not same_place and asked.sub_region is not None and asked.sub_region == other.sub_region
        return same_place, neighbour

    def _score(self, asked: Profile, other: Profile, text: float) -> float:
        """The score, 0.0 when the pair is no suggestion (nothing but the place in common, or too little)."""
        themes = asked.themes & other.themes
        if not themes and text < MIN_TEXT:
            return 0.0
        same_place, neighbour = self._place(asked, other)
        score = (
            WEIGHT_TEXT * math.sqrt(text)
            + WEIGHT_THEMES * (len(themes) / len(asked.themes | other.themes) if themes else 0.0)
            + (WEIGHT_GROUPS if asked.groups.keys() & other.groups.keys() else 0.0)
            + (WEIGHT_SAME_MUNICIPALITY if same_place else WEIGHT_NEIGHBOUR if neighbour else 0.0)
        )
        return round(score, 4) if score >= MIN_SCORE else 0.0

    def _suggestion(self, asked: Profile, other: Profile, text: float, score: float) -> Suggestion:
        themes = asked.themes & other.themes
        groups = sorted(other.groups[key] for key in asked.groups.keys() & other.groups.keys())
        same_place, neighbour = self._place(asked, other)
        reasons: list[Reason] = []
        if themes:
            reasons.append(Reason("theme", tuple(sorted(themes))))
        if groups:
            reasons.append(Reason("group", tuple(groups)))
        if same_place:
            reasons.append(Reason("municipality", (other.municipality,)))
        elif neighbour:
            reasons.append(Reason("neighbour", (other.municipality,)))
        words = self.shared_words(asked, other) if text >= MIN_TEXT else ()
        if words:
            reasons.append(Reason("words", words))
        return Suggestion(other, score, tuple(reasons))

    def all_profiles(self) -> Iterable[Profile]:
        return self.profiles.values()
