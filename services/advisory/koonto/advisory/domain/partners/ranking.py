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
suggestion needs a shared theme or some text in common: being next door alone is no reason to meet.
"""

from __future__ import annotations

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
    postings: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
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
        for term in profile.terms.counts:
            self.document_frequency[term] += 1
            self.postings[term].add(profile.case_id)
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
            self.postings[term].discard(case_id)
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

    def _text_scores(self, asked: Profile) -> dict[str, float]:
        """BM25 of every idea sharing a term with the asked one, divided by the asked text's own score."""
        own = sum(self._term_weight(t, tf, asked.terms.length) for t, tf in asked.terms.counts.items())
        if own <= 0:
            return {}
        scores: defaultdict[str, float] = defaultdict(float)
        for term in asked.terms.counts:
            for other_id in self.postings.get(term, ()):
                other = self.profiles[other_id].terms
                scores[other_id] += self._term_weight(term, other.counts[term], other.length)
        return {case_id: min(1.0, score / own) for case_id, score in scores.items()}

    def shared_words(self, asked: Profile, other: Profile, limit: int = SHOWN_WORDS) -> tuple[str, ...]:
        """The shared terms that weigh most, each in the plainest form either idea writes it."""
        shared = asked.terms.counts.keys() & other.terms.counts.keys()
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
        found = [s for s in (self._suggestion(asked, self.profiles[c], text.get(c, 0.0)) for c in candidates) if s]
        found.sort(key=lambda s: (-s.score, s.profile.reference))
        return found[:limit]

    def _suggestion(self, asked: Profile, other: Profile, text: float) -> Suggestion | None:
        themes = asked.themes & other.themes
        if not themes and text < MIN_TEXT:
            return None
        groups = sorted(other.groups[key] for key in asked.groups.keys() & other.groups.keys())
        same_place = asked.municipality == other.municipality and asked.municipality != "other"
        neighbour = not same_place and asked.sub_region is not None and asked.sub_region == other.sub_region
        score = (
            WEIGHT_TEXT * math.sqrt(text)
            + WEIGHT_THEMES * (len(themes) / len(asked.themes | other.themes) if themes else 0.0)
            + (WEIGHT_GROUPS if groups else 0.0)
            + (WEIGHT_SAME_MUNICIPALITY if same_place else WEIGHT_NEIGHBOUR if neighbour else 0.0)
        )
        if score < MIN_SCORE:
            return None
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
        return Suggestion(other, round(score, 4), tuple(reasons))

    def all_profiles(self) -> Iterable[Profile]:
        return self.profiles.values()
