"""The funder's report: figures from summed counters and case facts, and the same figures as tables.

`sections()` is the one place that turns a summary into titled tables with Finnish headings; the xlsx, csv,
pdf and the dashboard all render those tables, so every format shows the same numbers as the JSON.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from babel.support import NullTranslations

from koonto.reporting.domain.model import (
    CHANNEL_LABELS,
    EVENT_KIND_LABELS,
    FUNNEL_STAGES,
    GENDER_LABELS,
    GENDERS,
    NO_CALL,
    OUTCOME_LABELS,
    SESSION_KIND_LABELS,
    STAGES,
    day_of,
)
from koonto.reporting.domain.workdays import median, percentile_nearest_rank, working_days_between
from koonto.shared.numbers import format_number
from koonto.shared.stages import STAGE_LABELS

Summary = dict[str, Any]


_FINNISH = NullTranslations()  # the reports are Finnish: Babel's ngettext with the source text's own plural rule


def _plural(singular: str, plural: str, n: int) -> str:
    return _FINNISH.ngettext(singular, plural, n)


OTHER_MUNICIPALITY = "Muu kunta"  # an idea from outside the region's list: the form's own words, never "other"


def municipality_label(names: dict[str, str], code: str) -> str:
    if code in names:
        return names[code]
    return OTHER_MUNICIPALITY if code == "other" else code


def _reach_note(count: int, of: int) -> Note:
    """The reach in words: '... tavoitettiin 1 kunta 19 kunnasta.' (not '1 kuntaa')."""
    return Note("Kauden aikana tavoitettiin %(num)s kunta %(of)s kunnasta.",
                "Kauden aikana tavoitettiin %(num)s kuntaa %(of)s kunnasta.", {"num": count, "of": of})


def _day(value: datetime | str | None) -> date | None:
    """The Helsinki day of a stored moment (a datetime, or the UTC ISO text the store keeps)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return date.fromisoformat(day_of(value))


def funnel(cases: list[dict[str, Any]], first: date, last: date) -> dict[str, Any]:
    """Of the ideas received in the period, how many had reached each stage by the end of the period."""
    cohort = [c for c in cases if (d := _day(c.get("idea_at"))) is not None and first <= d <= last]
    reached: dict[str, int] = {}
    for stage in STAGES:
        reached[stage] = sum(
            1 for c in cohort
            if (d := _day((c.get("reached") or {}).get(stage))) is not None and d <= last
        )
    return funnel_figures(len(cohort), reached)


def funnel_figures(cohort: int, reached: dict[str, int]) -> dict[str, Any]:
    """The funnel of a cohort of `cohort` ideas of which `reached[stage]` had reached each stage."""
    steps = []
    for before, after in itertools.pairwise(FUNNEL_STAGES):
        base = reached[before]
        steps.append({
            "from": before, "to": after,
            "rate_percent": round(100 * reached[after] / base, 1) if base else None,
        })
    return {"cohort": cohort, "reached": reached, "conversion": steps}


def _duration_stats(values: list[int]) -> dict[str, Any]:
    return {"cases": len(values), "median": median(values), "p90": percentile_nearest_rank(values, 90)}


def durations(cases: list[dict[str, Any]], first: date, last: date) -> dict[str, Any]:
    """Working days from the idea to the first contact / the submitted application, for those that fell in
    the period (measured when the later moment happened, so a past period's figures stay put)."""
    to_contact: list[int] = []
    to_submitted: list[int] = []
    for case in cases:
        idea = _day(case.get("idea_at"))
        if idea is None:
            continue
        contact = _day(case.get("first_contact_at"))
        if contact is not None and first <= contact <= last:
            to_contact.append(working_days_between(idea, contact))
        submitted = _day((case.get("reached") or {}).get("submitted"))
        if submitted is not None and first <= submitted <= last:
            to_submitted.append(working_days_between(idea, submitted))
    return duration_figures(to_contact, to_submitted)


def duration_figures(
    to_contact: list[int] | dict[int, int], to_submitted: list[int] | dict[int, int]
) -> dict[str, Any]:
    """The durations' figures from every value, or from a histogram (how many of each value)."""
    return {
        "idea_to_first_contact": _duration_stats(to_contact) if isinstance(to_contact, list)
        else _histogram_stats(to_contact),
        "idea_to_submitted": _duration_stats(to_submitted) if isinstance(to_submitted, list)
        else _histogram_stats(to_submitted),
    }


def _histogram_stats(counts: dict[int, int]) -> dict[str, Any]:
    """`_duration_stats` of the values a histogram stands for, without listing them: the k-th smallest value is
    read from the running counts (the median of an even number the mean of the two middle ones, the 90th
    percentile by nearest rank, as `workdays.median` and `workdays.percentile_nearest_rank`)."""
    ordered = sorted((value, n) for value, n in counts.items() if n > 0)
    total = sum(n for _, n in ordered)
    if not total:
        return {"cases": 0, "median": None, "p90": None}

    def kth(k: int) -> int:  # 1-based
        seen = 0
        for value, n in ordered:
            seen += n
            if seen >= k:
                return value
        raise AssertionError(k)

    middle = float(kth((total + 1) // 2)) if total % 2 else (kth(total // 2) + kth(total // 2 + 1)) / 2
    return {"cases": total, "median": float(middle), "p90": kth(max(1, math.ceil(0.9 * total)))}


def hours(minutes: int) -> float:
    return round(minutes / 60, 1)


# What a figure measures, for the number format a file shows it in (xlsx: `exports.xlsx.NUMBER_FORMATS`).
COUNT, EUR, HOURS, PERCENT, DAYS = "count", "eur", "hours", "percent", "days"


@dataclass(frozen=True)
class Note:
    """A table's note as a catalogue message: Finnish source text with `%(name)s` places, and a plural form when
    it counts something (`values["num"]`), so the dashboard shows it in the reader's language and the files in
    Finnish from one text."""

    singular: str
    plural: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, gettext: Any = None, ngettext: Any = None) -> str:
        """In the language of `gettext`/`ngettext` (a catalogue's), or Finnish without them."""
        if self.plural:
            chosen = (ngettext or _FINNISH.ngettext)(self.singular, self.plural, self.values["num"])
        else:
            chosen = (gettext or _FINNISH.gettext)(self.singular)
        shown = {k: format_figure(v) if isinstance(v, int | float) else v for k, v in self.values.items()}
        return str(chosen) % shown if shown else str(chosen)


class Label(str):
    """A row label with a number in it: Finnish text as it is for the files (it is a `str`), and its catalogue
    message (`message`) for the dashboard, which shows it in the reader's language."""

    message: Note

    def __new__(cls, message: Note) -> Label:
        made = super().__new__(cls, message.text())
        made.message = message
        return made


@dataclass
class Table:
    """A titled table: the first column labels rows, the others are figures.

    `units` says what each column measures (index 0, the labels, is ignored; a column not named counts things);
    `row_units`, when given, says it per row instead, for a table whose one figure column mixes measures (the key
    figures)."""

    id: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart_column: int | None = 1  # which figure column the chart draws; None = no chart
    note_message: Note | None = None
    chart_labels: list[str] = field(default_factory=list)
    units: tuple[str, ...] = ()
    row_units: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """The note in Finnish (the exports' language); the dashboard translates `note_message` itself."""
        return self.note_message.text() if self.note_message else ""

    def unit(self, row: int, column: int) -> str:
        """What the figure at (row, column) of `rows` measures."""
        if self.row_units and row < len(self.row_units):
            return self.row_units[row]
        return self.units[column] if column < len(self.units) else COUNT

    def chart_points(self) -> list[tuple[str, float]]:
        """The (label, figure) pairs of the chart column, rows without a figure left out; none without a chart."""
        if self.chart_column is None:
            return []
        points = []
        for row in self.rows:
            value = row[self.chart_column]
            if isinstance(value, int | float) and not isinstance(value, bool):
                points.append((str(row[0]), float(value)))
        return points


def _fi_number(value: Any) -> Any:
    return "–" if value is None else value


def format_figure(value: Any) -> str:
    """A figure as the reader writes it (Babel, the current language): 53 000 and 8,3 in Finnish; none as a dash."""
    return format_number(value)


def sections(summary: Summary, municipality_names: dict[str, str], theme_names: dict[str, str]) -> list[Table]:
    s = summary
    reach = s["municipalities_reached"]
    figures = Table(
        "yhteenveto", "Yhteenveto", ["Mittari", "Arvo"],
        [
            ["Ideoita vastaanotettu", s["ideas"]["total"]],
            ["Neuvottuja yhdistyksiä", s["associations_advised"]],
            ["Neuvontakertoja", s["sessions"]["total"]],
            ["Neuvontatunteja", s["sessions"]["hours"]],
            ["Jätettyjä hakemuksia", s["applications"]["total"]],
            ["Myönteisiä rahoituspäätöksiä", s["decisions"]["funded"]["decisions"]],
            ["Kielteisiä rahoituspäätöksiä", s["decisions"]["declined"]["decisions"]],
            ["Haettu, € (päätökset)", s["decisions"]["eur_applied"]],
            ["Myönnetty, €", s["decisions"]["eur_granted"]],
            ["Koulutuksia ja foorumeita", s["events"]["total"]],
            ["Osallistujia", s["events"]["participants"]],
            [Label(Note("Tavoitettuja kuntia (%(of)s kunnasta)", values={"of": reach["of"]})), reach["count"]],
        ],
        chart_column=None,
        row_units=(COUNT, COUNT, COUNT, HOURS, COUNT, COUNT, COUNT, EUR, EUR, COUNT, COUNT, COUNT),
    )
    ideas_mun = Table(
        "ideat_kunnittain", "Ideat kunnittain", ["Kunta", "Ideoita"],
        [[municipality_label(municipality_names, code), n] for code, n in s["ideas"]["by_municipality"].items()],
    )
    ideas_theme = Table(
        "ideat_teemoittain", "Ideat teemoittain", ["Teema", "Ideoita"],
        [[theme_names.get(code, code), n] for code, n in s["ideas"]["by_theme"].items()],
        note_message=Note("Idealla voi olla useita teemoja."),
    )
    rates = {step["to"]: step["rate_percent"] for step in s["funnel"]["conversion"]}
    stages = Table(
        "vaiheet", "Vaiheet ja suppilo",
        ["Vaihe", "Tapauksia kauden lopussa", "Kauden ideoista vaiheeseen edenneitä",
         "Edenneitä edellisestä vaiheesta, %"],
        [[STAGE_LABELS[st], s["cases_by_stage"][st], s["funnel"]["reached"][st], rates.get(st)] for st in STAGES],
        note_message=Note(
            "Suppilo: kauden aikana vastaanotettu %(num)s idea ja sen eteneminen kauden loppuun mennessä.",
            "Suppilo: kauden aikana vastaanotetut %(num)s ideaa ja niiden eteneminen kauden loppuun mennessä.",
            {"num": s["funnel"]["cohort"]}),
        units=("", COUNT, COUNT, PERCENT),
    )
    sessions = Table(
        "neuvonta", "Neuvonta lajeittain", ["Laji", "Neuvontakertoja", "Tunteja"],
        [[SESSION_KIND_LABELS[k], v["sessions"], v["hours"]] for k, v in s["sessions"]["by_kind"].items()],
        note_message=Note("Neuvottuja yhdistyksiä yhteensä %(num)s.", values={"num": s["associations_advised"]}),
        units=("", COUNT, HOURS),
    )
    applications = Table(
        "hakemukset", "Hakemukset rahoitushauittain", ["Rahoitushaku", "Hakemuksia", "Haettu, €"],
        [[row["name"], row["applications"], row["eur_applied"]] for row in s["applications"]["by_call"]],
        units=("", COUNT, EUR),
    )
    decisions = Table(
        "paatokset", "Rahoituspäätökset", ["Päätös", "Päätöksiä", "Haettu, €", "Myönnetty, €"],
        [[OUTCOME_LABELS[o], s["decisions"][o]["decisions"], s["decisions"][o]["eur_applied"],
          s["decisions"][o]["eur_granted"]] for o in ("funded", "declined")],
        units=("", COUNT, EUR, EUR),
    )
    events = Table(
        "tilaisuudet", "Tilaisuudet lajeittain", ["Laji", "Tilaisuuksia", "Osallistujia"],
        [[EVENT_KIND_LABELS[k], v["events"], v["participants"]] for k, v in s["events"]["by_kind"].items()],
    )
    genders = Table(
        "osallistujat", "Osallistujat sukupuolen mukaan", ["Sukupuoli", "Osallistujia"],
        [[GENDER_LABELS[g], s["events"]["participants_by_gender"][g]] for g in GENDERS],
        note_message=Note("Osallistujia yhteensä %(num)s.", values={"num": s["events"]["participants"]}),
    )
    notes = s["notifications"]
    notifications = Table(
        "viestit", "Viestit kanavittain", ["Kanava", "Lähetetty", "Epäonnistunut"],
        [[CHANNEL_LABELS[ch], _fi_number(v["sent"]), _fi_number(v["failed"])] for ch, v in notes["by_channel"].items()],
        note_message=None if notes["available"] else Note(
            "Viestejä ei eritellä kunnittain; luvut vain koko alueen raportissa."),
    )
    d = s["durations"]
    durations_table = Table(
        "lapimenoajat", "Läpimenoajat (työpäivää)", ["Mittari", "Tapauksia", "Mediaani", "90. persentiili"],
        [
            ["Ideasta ensimmäiseen yhteydenottoon", d["idea_to_first_contact"]["cases"],
             _fi_number(d["idea_to_first_contact"]["median"]), _fi_number(d["idea_to_first_contact"]["p90"])],
            ["Ideasta jätettyyn hakemukseen", d["idea_to_submitted"]["cases"],
             _fi_number(d["idea_to_submitted"]["median"]), _fi_number(d["idea_to_submitted"]["p90"])],
        ],
        chart_column=2, units=("", COUNT, DAYS, DAYS),
    )
    municipalities = Table(
        "kunnat", "Tavoitetut kunnat", ["Kunta", "Tavoitettu"],
        [[name, "kyllä" if code in reach["codes"] else "ei"] for code, name in municipality_names.items()],
        chart_column=None, note_message=_reach_note(reach["count"], reach["of"]),
    )
    return [figures, ideas_mun, ideas_theme, stages, sessions, applications, decisions, events, genders,
            notifications, durations_table, municipalities]


def call_rows(applications: dict[str, dict[str, int]], call_names: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    def order(item: tuple[str, Any]) -> tuple[bool, str]:
        return item[0] == NO_CALL, call_names.get(item[0], item[0])

    for call_id, values in sorted(applications.items(), key=order):
        name = "Ei rahoitushakua" if call_id == NO_CALL else call_names.get(call_id, call_id)
        rows.append({"call_id": None if call_id == NO_CALL else call_id, "name": name,
                     "applications": values["n"], "eur_applied": values["eur_applied"]})
    return rows
