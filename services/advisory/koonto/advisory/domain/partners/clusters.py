"""Clusters of similar ideas across the region, for planning a joint forum or a training: ideas linked when one
is among the other's closest suggestions with a score of at least `LINK_SCORE`, clusters as the connected groups
of those links (union-find), each described by what most of its ideas share."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from koonto.advisory.domain.partners.ranking import PartnerIndex, Profile
from koonto.advisory.domain.partners.text import plainest

LINK_SCORE = 0.35
NEIGHBOURS = 5  # each idea links to at most its five closest
SHOWN_WORDS = 6


@dataclass(frozen=True)
class Cluster:
    members: tuple[Profile, ...]
    themes: tuple[str, ...]  # theme codes at least half of the members have
    words: tuple[str, ...]  # terms at least half of the members use (at least two), the rarest first
    municipalities: tuple[tuple[str, int], ...]  # municipality code and how many members are there


def _root(parents: dict[str, str], item: str) -> str:
    while parents[item] != item:
        parents[item] = parents[parents[item]]
        item = parents[item]
    return item


def clusters(index: PartnerIndex, min_size: int = 2) -> list[Cluster]:
    parents = {case_id: case_id for case_id in index.profiles}
    for case_id in index.profiles:
        for suggestion in index.similar(case_id, limit=NEIGHBOURS):
            if suggestion.score >= LINK_SCORE:
                a, b = _root(parents, case_id), _root(parents, suggestion.profile.case_id)
                if a != b:
                    parents[max(a, b)] = min(a, b)
    groups: dict[str, list[Profile]] = {}
    for case_id, profile in index.profiles.items():
        groups.setdefault(_root(parents, case_id), []).append(profile)
    found = [describe(index, members) for members in groups.values() if len(members) >= min_size]
    found.sort(key=lambda c: (-len(c.members), c.members[0].reference))
    return found


def describe(index: PartnerIndex, members: list[Profile]) -> Cluster:
    members = sorted(members, key=lambda p: p.reference)
    half = max(2, math.ceil(len(members) / 2))
    theme_counts = Counter(theme for p in members for theme in p.themes)
    term_counts = Counter(term for p in members for term in p.terms.counts)
    common = [t for t, n in term_counts.items() if n >= half]
    common.sort(key=lambda t: (-term_counts[t] * index.idf(t), t))
    shown: list[str] = []
    for term in common[:SHOWN_WORDS]:
        shown.append(plainest(term, (p.terms.words[term] for p in members if term in p.terms.words)))
    places = Counter(p.municipality for p in members)
    return Cluster(
        members=tuple(members),
        themes=tuple(sorted(t for t, n in theme_counts.items() if n >= half)),
        words=tuple(shown),
        municipalities=tuple(sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
