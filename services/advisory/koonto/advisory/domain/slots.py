"""Advice times (hankeklinikka): what makes a published time acceptable, checked field by field so a form can
name every problem at once. Pure: the caller gives the moment it is now."""

from __future__ import annotations

from datetime import datetime, timedelta

from koonto.advisory.i18n import N_

SLOT_KINDS = ("in_person", "phone", "online")
LONGEST = timedelta(hours=8)  # a working day: a longer "session" is a typing mistake
FURTHEST = timedelta(days=366)  # a year ahead at most


def slot_problems(
    starts_at: datetime | None, ends_at: datetime | None, kind: str, place: str | None, online_url: str | None,
    now: datetime,
) -> dict[str, str]:
    """Every problem of a slot at once (a moment that could not be read is None: reported by the form)."""
    problems: dict[str, str] = {}
    if starts_at is not None:
        if starts_at <= now:
            problems["starts_at"] = N_("Aika on jo mennyt. Valitse tuleva aika.")
        elif starts_at > now + FURTHEST:
            problems["starts_at"] = N_("Aikoja voi julkaista enintään vuoden päähän.")
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            problems["ends_at"] = N_("Päättymisajan pitää olla alkamisajan jälkeen.")
        elif ends_at - starts_at > LONGEST:
            problems["ends_at"] = N_("Neuvonta-aika voi olla enintään 8 tuntia.")
    if kind not in SLOT_KINDS:
        problems["kind"] = N_("Valitse, miten neuvonta pidetään.")
    elif kind == "in_person" and not place:
        problems["place"] = N_("Kerro paikka, jossa tavataan.")
    elif kind == "online" and not online_url:
        problems["online_url"] = N_("Anna verkkotapaamisen linkki.")
    if kind == "online" and online_url and not online_url.startswith("https://"):
        problems["online_url"] = N_("Linkin pitää alkaa https://")
    return problems
