"""Funding calls: recorded by staff; the scheduler sends their opened / closing-soon / closed notices."""

from __future__ import annotations

from datetime import date

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import invalid_fields
from koonto.advisory.domain.schedule import notices_until
from koonto.advisory.i18n import N_
from koonto.advisory.store import iso
from koonto.advisory.use_cases.common import Context, new_id
from koonto.shared.mongo import Document


def call_problems(
    name: str, funder: str, opens_on: date | None, closes_on: date | None, budget_eur: int | None, url: str | None
) -> dict[str, str]:
    """Every problem of a call at once, field by field (a day that could not be read is None: checked elsewhere)."""
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = N_("Kirjoita haun nimi.")
    if not funder:
        problems["funder"] = N_("Kirjoita rahoittaja.")
    if opens_on and closes_on and closes_on < opens_on:
        problems["closes_on"] = N_("Haku ei voi päättyä ennen kuin se alkaa.")
    if budget_eur is not None and not 0 <= budget_eur <= 1_000_000_000:
        problems["budget_eur"] = N_("Budjetti kokonaisina euroina.")
    if url and not url.startswith(("https://", "http://")):
        problems["url"] = N_("Linkin pitää alkaa https://")
    return problems


def check_call(
    name: str, funder: str, opens_on: date, closes_on: date, budget_eur: int | None, url: str | None
) -> None:
    problems = call_problems(name, funder, opens_on, closes_on, budget_eur, url)
    if problems:
        raise invalid_fields(problems)


class Calls:
    def __init__(self, context: Context) -> None:
        self.c = context

    async def create_call(
        self, actor: Actor, *, name: str, funder: str, opens_on: date, closes_on: date, budget_eur: int | None,
        url: str | None, description: str, region: str | None = None,
    ) -> Document:
        name, funder = name.strip(), funder.strip()
        check_call(name, funder, opens_on, closes_on, budget_eur, url)
        doc: Document = {
            "_id": new_id("call"),
            "region": self.c.region_for_new(region),  # the scheduler's notices carry it
            "name": name[:200],
            "funder": funder[:200],
            "opens_on": iso(opens_on),
            "closes_on": iso(closes_on),
            "budget_eur": budget_eur,
            "url": url or None,
            "description": description.strip()[:20_000],
            "created_by": actor.staff_id,
            "created_at": self.c.now(),
            "notices_until": iso(notices_until(closes_on)),
            "outbox": {},
        }
        await self.c.store.add_call(doc)
        return doc
