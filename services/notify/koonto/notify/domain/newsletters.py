"""Newsletters staff compose: what a draft must hold, who its audience is, and which edition a reader gets.

Pure rules, unit-tested without servers. The audience is the confirmed subscribers of ONE topic (consent under
law 917/2014 is per topic), narrowed when staff pick sub-regions or municipalities: then only subscribers who
chose one of those municipalities on the subscription form are in it (a subscriber who chose none is left out of
a segmented message, as nothing says they want news of that place). Staff may also aim it at themes (the region
file's): then a subscriber who chose themes on the subscription form gets it only if they share one, and one who
chose none gets it (no themes chosen means every theme, as the form says); a newsletter aimed at no theme goes to
everyone of the topic. `in_themes` is that rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from koonto.notify.domain.kinds import TOPICS
from koonto.shared.i18n import N_
from koonto.shared.region import Region

LANGUAGES = ("fi", "sv", "en")
SUBJECT_MAX = 200
BODY_MAX = 20_000
HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class Draft:
    """A newsletter as the compose form states it."""

    topic: str
    editions: dict[str, dict[str, str]]  # language -> {"subject", "body"}; Finnish always
    sub_regions: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()

    def fields(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "editions": self.editions,
            "sub_regions": list(self.sub_regions),
            "municipalities": list(self.municipalities),
            "themes": list(self.themes),
        }


def read_draft(form: Mapping[str, Any], region: Region) -> tuple[Draft | None, dict[str, str]]:
    """The draft, or None with every wrong field named at once (field -> Finnish message, the gettext msgid)."""
    errors: dict[str, str] = {}
    topic = str(form.get("topic") or "")
    if topic not in TOPICS:
        errors["topic"] = N_("Valitse, minkä aiheen tilaajille viesti lähtee.")
    editions: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        subject = " ".join(str(form.get(f"subject_{lang}") or "").split())
        body = str(form.get(f"body_{lang}") or "").strip()
        if lang == "fi" and not subject:
            errors["subject_fi"] = N_("Kirjoita otsikko suomeksi.")
        if lang == "fi" and not body:
            errors["body_fi"] = N_("Kirjoita viesti suomeksi.")
        if lang != "fi" and bool(subject) != bool(body):
            key = f"subject_{lang}" if not subject else f"body_{lang}"
            errors[key] = N_("Kirjoita tälle kielelle sekä otsikko että viesti, tai jätä molemmat tyhjiksi.")
        if len(subject) > SUBJECT_MAX:
            errors[f"subject_{lang}"] = N_("Otsikko on liian pitkä (enintään 200 merkkiä).")
        if len(body) > BODY_MAX:
            errors[f"body_{lang}"] = N_("Viesti on liian pitkä (enintään 20 000 merkkiä).")
        if subject and body:
            editions[lang] = {"subject": subject, "body": body}
    known_sub_regions = {m.sub_region for m in region.municipalities}
    sub_regions = tuple(str(v) for v in _values(form, "sub_regions"))
    municipalities = tuple(str(v) for v in _values(form, "municipalities"))
    if any(s not in known_sub_regions for s in sub_regions) or any(
        region.municipality(m) is None for m in municipalities
    ):
        errors["municipalities"] = N_("Valitse alueet luettelosta.")
    themes = tuple(dict.fromkeys(str(v) for v in _values(form, "themes")))
    if any(t not in region.theme_codes for t in themes):
        errors["themes"] = N_("Valitse teemat luettelosta.")
    if errors:
        return None, errors
    return Draft(topic, editions, sub_regions, municipalities, themes), {}


def _values(form: Mapping[str, Any], name: str) -> list[Any]:
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    value = form.get(name)
    return list(value) if isinstance(value, list | tuple) else ([value] if value else [])


def audience_municipalities(
    region: Region, sub_regions: tuple[str, ...] | list[str], municipalities: tuple[str, ...] | list[str]
) -> list[str] | None:
    """The municipalities of the segment (the chosen ones and every one of the chosen sub-regions), in the
    region file's order; None when nothing was chosen (the whole region)."""
    if not sub_regions and not municipalities:
        return None
    return [m.code for m in region.municipalities if m.code in municipalities or m.sub_region in sub_regions]


def in_themes(chosen: Any, aimed_at: Any) -> bool:
    """A subscriber who chose `chosen` themes (none: every theme) and a newsletter aimed at `aimed_at` (none:
    everyone): they meet when either is empty or they share a theme."""
    return not chosen or not aimed_at or bool(set(chosen) & set(aimed_at))


def edition_for(editions: Mapping[str, Mapping[str, str]], language: str) -> tuple[str, Mapping[str, str]]:
    """(language used, edition): the reader's language when it was written, else Finnish."""
    if language in editions:
        return language, editions[language]
    return "fi", editions["fi"]


def mail_context(
    campaign_id: str, editions: Mapping[str, Mapping[str, str]], language: str, intake_url: str
) -> dict[str, Any]:
    """What the newsletter template needs for a reader of `language`: the edition, and the archive page of it
    on intake ("view in browser")."""
    used, edition = edition_for(editions, language)
    return {"edition": dict(edition), "view_url": f"{intake_url.rstrip('/')}/newsletters/{campaign_id}?lang={used}"}


def read_send_time(day: str, time: str, now: datetime) -> tuple[datetime | None, str | None]:
    """A schedule given as 29.11.2026 and 14.30 (or 2026-11-29 and 14:30), Helsinki time -> UTC; or the error."""
    day, time = day.strip(), time.strip().replace(":", ".")
    try:
        if "-" in day:
            y, m, d = (int(p) for p in day.split("-"))
        else:
            d, m, y = (int(p) for p in day.split("."))
        hh, mm = (int(p) for p in time.split("."))
        local = datetime(y, m, d, hh, mm, tzinfo=HELSINKI)
    except ValueError:
        return None, N_("Anna päivä muodossa 29.11.2026 ja kellonaika muodossa 14.30.")
    at = local.astimezone(UTC)
    if at <= now:
        return None, N_("Ajastuksen pitää olla tulevaisuudessa.")
    return at, None
