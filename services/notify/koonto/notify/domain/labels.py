"""Labels shown in messages, per language (Finnish first)."""

from __future__ import annotations

from koonto.shared.region import Region
from koonto.shared.stages import STAGE_LABELS

STAGES: dict[str, dict[str, str]] = {
    "fi": STAGE_LABELS,
    "sv": {
        "idea": "Idén har tagits emot",
        "sparring": "Under sparrning",
        "preparing": "Ansökan under arbete",
        "submitted": "Ansökan inlämnad",
        "supplementing": "Begäran om komplettering",
        "funded": "Positivt finansieringsbeslut",
        "declined": "Negativt finansieringsbeslut",
        "implementation": "Under genomförande",
        "closed": "Avslutat",
        "withdrawn": "Går inte vidare",
    },
    "en": {
        "idea": "Idea received",
        "sparring": "Being developed with an advisor",
        "preparing": "Application in preparation",
        "submitted": "Application submitted",
        "supplementing": "Additional information requested",
        "funded": "Funding granted",
        "declined": "Funding declined",
        "implementation": "In implementation",
        "closed": "Closed",
        "withdrawn": "Not proceeding",
    },
}

TOPICS: dict[str, dict[str, str]] = {  # as the subscription form names them (intake's catalogues)
    "fi": {
        "call_announcements": "Rahoitushakujen avautuminen",
        "newsletter": "Uutiskirje",
        "events": "Koulutukset ja foorumit",
    },
    "sv": {
        "call_announcements": "Nya finansieringsansökningar",
        "newsletter": "Nyhetsbrev",
        "events": "Utbildningar och forum",
    },
    "en": {
        "call_announcements": "New funding calls",
        "newsletter": "Newsletter",
        "events": "Trainings and forums",
    },
}

EVENT_KINDS: dict[str, dict[str, str]] = {
    "fi": {
        "training": "koulutus",
        "forum": "foorumi",
        "talk": "tietoisku",
        "workshop": "työpaja",
        "networking": "verkostotapaaminen",
    },
    "sv": {
        "training": "utbildning",
        "forum": "forum",
        "talk": "informationstillfälle",
        "workshop": "workshop",
        "networking": "nätverksträff",
    },
    "en": {
        "training": "training",
        "forum": "forum",
        "talk": "talk",
        "workshop": "workshop",
        "networking": "networking event",
    },
}


def stage(language: str, code: str) -> str:
    return STAGES.get(language, STAGES["fi"]).get(code, code)


def topic(language: str, code: str) -> str:
    return TOPICS.get(language, TOPICS["fi"]).get(code, code)


def event_kind(language: str, code: str) -> str:
    return EVENT_KINDS.get(language, EVENT_KINDS["fi"]).get(code, code)


def municipality(region: Region, code: str, other: str | None, language: str) -> str:
    """The municipality as the form showed it: the region's name (Swedish where it has one), or what was written
    under "other"."""
    found = region.municipality(code)
    if found is None:
        return other or ""
    return found.name_sv if language == "sv" else found.name_fi


def themes(region: Region, codes: tuple[str, ...] | list[str], language: str) -> list[str]:
    """Theme names in `language` from the region file (Finnish for a language it has no column for)."""
    by_code = {t.code: t for t in region.themes}
    return [getattr(by_code[c], language, by_code[c].fi) if c in by_code else c for c in codes]
