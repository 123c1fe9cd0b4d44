"""Labels shown in messages, per language (Finnish first); the stage names come from the shared catalogue."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from koonto.shared import stages
from koonto.shared.i18n import Catalogues
from koonto.shared.region import Region
from koonto.shared.stages import STAGE_LABELS

SHARED_LOCALE = Path(stages.__file__).parent / "locale"  # where the stage names are translated

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


@cache
def _shared() -> Catalogues:
    return Catalogues(SHARED_LOCALE)


def stage(language: str, code: str) -> str:
    """The stage's name as every page and mail names it: `STAGE_LABELS` translated by the shared catalogue (the
    one source of the Swedish and English names)."""
    label = STAGE_LABELS.get(code)
    return _shared().gettext_in(language, label) if label else code


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
