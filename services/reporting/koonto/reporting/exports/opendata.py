"""The open data as files: CSV and JSON of the indicator cells, and the data dictionary (every field and every
indicator: meaning, unit, source event), all under CC BY 4.0.

The CSV is for Finnish office users by default: `;` separated, UTF-8 with a byte-order mark, CRLF, RFC 4180
quoting (the `fi` dialect of `exports.csv`; `?dialect=en` gives `,`). Every figure is a whole number, so no
decimal mark ever appears. A suppressed figure is the text `< 5` (small) or `..` (hidden so that a total does
not give a small one away) in `value`, with its reason in `suppressed`. The licence is not a line inside the
CSV (a comment line breaks the programs that read it as a table): it is in the `Link: rel="license"` header,
the JSON, the data dictionary, the DCAT metadata and the page.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from koonto.reporting.domain.opendata import BY_ID, INDICATORS, NO_MUNICIPALITY, OUTSIDE_REGION, Cell
from koonto.reporting.domain.suppression import SECONDARY, SMALL, THRESHOLD
from koonto.reporting.exports.csv import DIALECTS, cell
from koonto.shared.i18n import LANGUAGES, N_
from koonto.shared.region import Region

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_ID = "CC-BY-4.0"
LICENCE_NAME = "Creative Commons Nimeä 4.0 Kansainvälinen (CC BY 4.0)"
SUPPRESSED_MARKS: dict[str, str] = {SMALL: "< 5", SECONDARY: ".."}
COLUMNS = ("year", "quarter", "region", "municipality", "municipality_name", "indicator", "theme", "theme_name",
           "value", "suppressed")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # the JSON type of its values
    meaning: str  # Finnish, translated by the catalogues
    unit: str = ""


FIELDS: tuple[Field, ...] = (
    Field("year", "integer", N_("Kalenterivuosi (Suomen aikaa)."), N_("vuosi")),
    Field("quarter", "integer", N_("Vuosineljännes 1–4; tyhjä (JSON: null) on koko vuosi."), N_("neljännes")),
    Field("region", "string", N_("Alueen tunnus (aluetiedosto).")),
    Field("municipality", "string", N_("Kunnan tunnus; other on alueen ulkopuolinen kunta, region_wide koko alueen "
                                       "tilaisuus ilman yksittäistä kuntaa; tyhjä (JSON: null) on koko alue.")),
    Field("municipality_name", "string", N_("Kunnan nimi suomeksi.")),
    Field("indicator", "string", N_("Mittarin tunnus (mittarit alla).")),
    Field("theme", "string", N_("Teeman tunnus, vain mittarilla ideas_received_by_theme; muuten tyhjä.")),
    Field("theme_name", "string", N_("Teeman nimi suomeksi.")),
    Field("value", "integer", N_("Luku. Tietosuojan vuoksi piilotettu luku on CSV:ssä < 5 tai .. ja JSONissa null."),
          N_("kpl")),
    Field("suppressed", "string", N_("Miksi luku on piilotettu: small = pieni luku (0–4); secondary = piilotettu, "
                                     "jotta pientä lukua ei voi laskea summista (vähintään 5). Tyhjä: julkaistu.")),
)


@dataclass(frozen=True)
class IndicatorText:
    name: str
    meaning: str
    unit: str


INDICATOR_TEXTS: dict[str, IndicatorText] = {
    "ideas_received": IndicatorText(
        N_("Vastaanotetut hankeideat"), N_("Yhdistysten ja ryhmien jättämät hankeideat jättöpäivän mukaan."),
        N_("ideaa")),
    "ideas_received_by_theme": IndicatorText(
        N_("Hankeideat teemoittain"),
        N_("Hankeideat teeman mukaan; usean teeman idea lasketaan jokaiseen teemaansa, joten teemojen summa voi olla "
           "suurempi kuin ideoiden määrä."), N_("ideaa")),
    "associations_advised": IndicatorText(
        N_("Neuvotut yhdistykset"),
        N_("Eri yhdistykset, joilla oli jaksolla vähintään yksi neuvontatapaaminen; vuoden ja koko alueen luvussa "
           "yhdistys lasketaan kerran."), N_("yhdistystä")),
    "advice_sessions": IndicatorText(
        N_("Hankeneuvonnat"), N_("Pidetyt neuvontatapaamiset (puhelin, tapaaminen, video, sähköposti, työpaja)."),
        N_("tapaamista")),
    "applications_submitted": IndicatorText(
        N_("Jätetyt rahoitushakemukset"),
        N_("Rahoitushakuun jätetyt hakemukset; täydennyksen jälkeen uudelleen jätetty lasketaan kerran."),
        N_("hakemusta")),
    "projects_funded": IndicatorText(
        N_("Rahoitetut hankkeet"), N_("Myönteiset rahoituspäätökset päätöspäivän mukaan."), N_("hanketta")),
    "events_held": IndicatorText(
        N_("Pidetyt koulutukset ja foorumit"),
        N_("Pidetyt koulutukset, foorumit ja muut tilaisuudet; julkisina tapahtumina niiden määrää ei piiloteta."),
        N_("tilaisuutta")),
    "event_participants": IndicatorText(
        N_("Osallistujat"), N_("Pidettyjen tilaisuuksien osallistujat yhteensä."), N_("osallistujaa")),
}
SOURCE_NOTE = N_("Lähdetapahtuma")


def municipality_name(region: Region, code: str | None) -> str:
    if code is None:
        return region.name_fi
    if code == OUTSIDE_REGION:
        return "Muu kunta"
    if code == NO_MUNICIPALITY:
        return "Koko alue, ei yksittäistä kuntaa"
    found = region.municipality(code)
    return found.name_fi if found else code


def record(cell_: Cell, region: Region) -> dict[str, Any]:
    themes = {t.code: t.fi for t in region.themes}
    return {
        "year": cell_.year, "quarter": cell_.quarter, "region": region.code, "municipality": cell_.municipality,
        "municipality_name": municipality_name(region, cell_.municipality), "indicator": cell_.indicator,
        "theme": cell_.theme, "theme_name": themes.get(cell_.theme or "") if cell_.theme else None,
        "value": cell_.published, "suppressed": cell_.suppressed,
    }


def build_csv(cells: Sequence[Cell], region: Region, dialect: str = "fi") -> bytes:
    chosen = DIALECTS[dialect]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=chosen.delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in cells:
        row = record(c, region)
        if c.suppressed:
            row["value"] = SUPPRESSED_MARKS[c.suppressed]
        writer.writerow([cell(row[name], chosen) for name in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def about(region: Region, generated_at: datetime, first: date, last: date) -> dict[str, Any]:
    """What the JSON and the dictionary say about themselves: licence, attribution, coverage, suppression."""
    return {
        "title": f"{region.project_name}: avoimet tunnusluvut, {region.name_fi}",
        "license": LICENCE_URL, "license_id": LICENCE_ID, "license_name": LICENCE_NAME,
        "attribution": f"{region.project_name} ({', '.join(region.operators)}), {region.name_fi}",
        "publisher": region.operators[0] if region.operators else region.project_name,
        "region": region.code, "generated_at": generated_at.isoformat(),
        "temporal_coverage": {"from": first.isoformat(), "to": last.isoformat()},
        "suppression": {"threshold": THRESHOLD, "small": SUPPRESSED_MARKS[SMALL],
                        "secondary": SUPPRESSED_MARKS[SECONDARY]},
    }


def build_json(cells: Sequence[Cell], region: Region, meta: dict[str, Any]) -> bytes:
    body = {**meta, "records": [record(c, region) for c in cells]}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


Translate = Callable[[str, str], str]  # (language, Finnish message) -> the message in that language


def in_languages(translate: Translate, message: str) -> dict[str, str]:
    return {language: translate(language, message) for language in LANGUAGES} if message else {}


def dictionary(translate: Translate, meta: dict[str, Any]) -> dict[str, Any]:
    """The data dictionary as data: each field and each indicator with its meaning and unit in fi, sv and en,
    and each indicator's source events."""
    return {
        **meta,
        "fields": [{"name": f.name, "type": f.type, "meaning": in_languages(translate, f.meaning),
                    "unit": in_languages(translate, f.unit)} for f in FIELDS],
        "indicators": [
            {"id": i.id, "name": in_languages(translate, INDICATOR_TEXTS[i.id].name),
             "meaning": in_languages(translate, INDICATOR_TEXTS[i.id].meaning),
             "unit": in_languages(translate, INDICATOR_TEXTS[i.id].unit), "suppressed_below": THRESHOLD
             if i.suppressed else None, "source_events": list(i.source), "by_theme": i.by_theme}
            for i in INDICATORS
        ],
    }


assert set(INDICATOR_TEXTS) == set(BY_ID)  # every indicator is described
