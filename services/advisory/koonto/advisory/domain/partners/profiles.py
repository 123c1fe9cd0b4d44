"""A case as a partner profile (what the suggestions know of it), and the profile as it is stored: the terms are
stemmed once, when the case changes, and kept, so that loading the index reads them instead of stemming every
description again. A case is listed only while its association consents and its contact has not been erased."""

from __future__ import annotations

from typing import Any

from koonto.advisory.domain.partners.ranking import Profile
from koonto.advisory.domain.partners.text import Terms, phrase_key, terms_of
from koonto.shared.region import Region

Document = dict[str, Any]


def listed(case: Document) -> bool:
    return bool(case.get("partner_consent")) and not case.get("contact_erased")


def profile_of(case: Document, region: Region) -> Profile | None:
    """The case's profile; None when it may not be suggested to anyone (no consent, or erased)."""
    if not listed(case):
        return None
    organisation = case.get("organisation") or {}
    municipality = organisation.get("municipality") or "other"
    known = region.municipality(municipality)
    language = (case.get("contact") or {}).get("language", "fi")
    terms = terms_of(case.get("title", ""), case.get("description", ""), fallback_language=language)
    groups = {
        key: group for group in case.get("target_groups") or [] if (key := phrase_key(group, terms.language))
    }
    return Profile(
        case_id=case["_id"], reference=case.get("reference", ""), title=case.get("title", ""),
        organisation=organisation.get("name", ""), municipality=municipality,
        sub_region=known.sub_region if known else None, themes=frozenset(case.get("themes") or ()),
        groups=groups, terms=terms, region=str(case.get("region") or region.code),
    )


def to_document(profile: Profile) -> Document:
    """Terms and groups as lists of small documents: a stem or a phrase never becomes a field name, and no list
    holds a list (not every supported store accepts nested arrays)."""
    terms = profile.terms
    return {
        "reference": profile.reference, "title": profile.title, "organisation": profile.organisation,
        "municipality": profile.municipality, "sub_region": profile.sub_region, "themes": sorted(profile.themes),
        "groups": [{"key": key, "text": shown} for key, shown in sorted(profile.groups.items())],
        "language": terms.language,
        "terms": [{"s": stem, "n": count, "w": terms.words[stem]} for stem, count in sorted(terms.counts.items())],
        "region": profile.region,
    }


def from_document(doc: Document, home: str = "") -> Profile:
    """The stored profile; one written before regions is the home region's."""
    terms = Terms(
        counts={term["s"]: int(term["n"]) for term in doc["terms"]},
        words={term["s"]: term["w"] for term in doc["terms"]},
        language=doc.get("language", "fi"),
    )
    return Profile(
        case_id=doc["_id"], reference=doc["reference"], title=doc["title"], organisation=doc["organisation"],
        municipality=doc["municipality"], sub_region=doc.get("sub_region"), themes=frozenset(doc["themes"]),
        groups={group["key"]: group["text"] for group in doc["groups"]}, terms=terms,
        region=str(doc.get("region") or home),
    )
