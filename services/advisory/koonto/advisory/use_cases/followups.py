"""Follow-ups: dated reminders on a case for one staff member (the scheduler fires them on the day)."""

from __future__ import annotations

from datetime import date

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import Forbidden, Invalid, found
from koonto.advisory.store import iso
from koonto.advisory.use_cases.common import Context, new_id
from koonto.shared.mongo import Document


class Followups:
    def __init__(self, context: Context) -> None:
        self.c = context

    async def add_followup(
        self, actor: Actor, case_id: str, *, due_on: date, note: str | None, assignee_id: str | None = None
    ) -> Document:
        case = await self.c.case(case_id)
        assignee_id = assignee_id or actor.staff_id
        if assignee_id != actor.staff_id and await self.c.active_staff(assignee_id) is None:
            raise Invalid("Valitse aktiivinen käyttäjä.", "assignee_id")
        if due_on < self.c.today():
            raise Invalid("Päivä on jo mennyt; valitse tänään tai myöhemmin.", "due_on")
        followup_id = new_id("followup")
        doc = {
            "_id": followup_id,
            "region": case["region"],
            "case_id": case_id,
            "reference": case["reference"],
            "case_title": case["title"],
            "due_on": iso(due_on),
            "assignee_id": assignee_id,
            "note": (note or "").strip()[:20_000] or None,
            "created_by": actor.staff_id,
            "created_at": self.c.now(),
            "fired": False,
            "done": False,
            "outbox": {},
        }
        await self.c.store.add_followup(doc)
        entry = self.c.entry("followup", actor, doc["note"], followup_id=followup_id, due_on=iso(due_on))
        await self.c.add_to_case(case, {f"timeline.{entry['id']}": entry})
        return doc

    async def complete_followup(self, actor: Actor, followup_id: str) -> Document:
        doc = found(await self.c.store.followup(followup_id), "Muistutusta ei löydy.")
        if doc["assignee_id"] != actor.staff_id and not actor.has_in(self.c.store.scope.region_of(doc), "coordinator"):
            raise Forbidden("Voit kuitata vain omat muistutuksesi.")
        done = await self.c.store.complete_followup(followup_id, self.c.now(), actor.staff_id)
        return found(done, "Muistutusta ei löydy.")
