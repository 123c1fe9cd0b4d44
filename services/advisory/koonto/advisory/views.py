"""Read paths as named queries: the pages and the API read through these, never through the store directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from koonto.advisory.domain.as_of import case_as_of
from koonto.advisory.domain.errors import found
from koonto.advisory.domain.lifecycle import OPEN_STAGES
from koonto.advisory.domain.regions import works_in
from koonto.advisory.store import AdvisoryStore, CaseFilter
from koonto.shared.mongo import Document, epoch_ms


@dataclass(frozen=True)
class AsOfBoard:
    cases: list[Document]  # each with its stage, advisor and call as they were
    counts: dict[str, int]  # cases per stage
    workload: list[Document]  # as `Views.workload`, of the open cases then


class Views:
    def __init__(self, store: AdvisoryStore) -> None:
        self.store = store

    # -- cases -----------------------------------------------------------------------------------------------
    async def case(self, case_id: str) -> Document:
        return found(await self.store.case(case_id), "Tapausta ei löydy.")

    async def cases(self, flt: CaseFilter, limit: int = 500) -> list[Document]:
        return await self.store.list_cases(flt, limit=limit)

    async def count_by_stage(self, flt: CaseFilter) -> dict[str, int]:
        return await self.store.count_by_stage(flt)

    async def workload(self) -> list[Document]:
        """Open cases per advisor (and the unassigned ones), busiest first; active advisors without cases too."""
        return await self._workload(await self.store.open_cases_by_advisor())

    async def board_as_of(self, flt: CaseFilter, moment: datetime) -> AsOfBoard:
        """The board as it stood just before `moment`, from every matching case's timeline (`domain.as_of`):
        the cases that existed then, in the stage, with the advisor and the call they had then."""
        cases: list[Document] = []
        by_advisor: dict[str | None, dict[str, int]] = {}
        for case in await self.store.cases_with_timeline(flt):
            state = case_as_of(case.get("timeline") or {}, moment)
            if state is None:
                continue
            if flt.advisor_id and (state.advisor_id or "none") != flt.advisor_id:
                continue
            if flt.call_id and state.call_id != flt.call_id:
                continue
            case.update(stage=state.stage, advisor_id=state.advisor_id, call_id=state.call_id)
            case.pop("timeline", None)
            cases.append(case)
            if state.stage in OPEN_STAGES:
                per_stage = by_advisor.setdefault(state.advisor_id, {})
                per_stage[state.stage] = per_stage.get(state.stage, 0) + 1
        counts: dict[str, int] = {}
        for case in cases:
            counts[case["stage"]] = counts.get(case["stage"], 0) + 1
        return AsOfBoard(cases, counts, await self._workload(by_advisor))

    async def _workload(self, by_advisor: dict[str | None, dict[str, int]]) -> list[Document]:
        staff = {s["_id"]: s for s in await self.staff()}
        rows: list[Document] = []
        for advisor_id, per_stage in by_advisor.items():
            person = staff.get(advisor_id) if advisor_id else None
            rows.append({
                "advisor_id": advisor_id,
                "name": person["name"] if person else None,
                "open_cases": sum(per_stage.values()),
                "by_stage": per_stage,
            })
        for staff_id, person in staff.items():
            if (
                staff_id not in by_advisor
                and person.get("active")
                and {"advisor", "coordinator"} & set(person["roles"])
            ):
                rows.append({"advisor_id": staff_id, "name": person["name"], "open_cases": 0, "by_stage": {}})
        rows.sort(key=lambda r: (r["advisor_id"] is None, -int(r["open_cases"]), str(r["name"] or "")))
        return rows

    # -- staff -----------------------------------------------------------------------------------------------
    async def staff(self) -> list[Document]:
        """The accounts; for a staff member of some regions only, the colleagues of those (and the admins)."""
        return self._colleagues(await self.store.list_staff())

    def _colleagues(self, people: list[Document]) -> list[Document]:
        scope = self.store.scope
        if not scope.query():  # every region this deployment serves (every account of a single-region one)
            return people
        mine = scope.mine()
        return [p for p in people if any(works_in(p, code, scope.home) for code in mine)]

    async def staff_account(self, staff_id: str) -> Document:
        return found(await self.store.staff_by_id(staff_id), "Käyttäjää ei löydy.")

    async def active_staff(self, staff_id: str) -> Document | None:
        return await self.store.active_staff(staff_id)

    # -- follow-ups ------------------------------------------------------------------------------------------
    async def followups(self, *, assignee_id: str | None = None, case_id: str | None = None) -> list[Document]:
        return await self.store.list_followups(assignee_id=assignee_id, case_id=case_id)

    # -- funding calls ---------------------------------------------------------------------------------------
    async def calls(self) -> list[Document]:
        return await self.store.list_calls()

    async def find_call(self, call_id: str) -> Document | None:
        return await self.store.call(call_id)

    async def call(self, call_id: str) -> Document:
        return found(await self.store.call(call_id), "Hakua ei löydy.")

    async def preparing_cases_for_call(self, call_id: str) -> list[Document]:
        return await self.store.preparing_cases_for_call(call_id)

    # -- trainings and forums --------------------------------------------------------------------------------
    async def scheduled_events(self) -> list[Document]:
        return await self.store.list_events()

    async def scheduled_event(self, event_id: str) -> Document:
        return found(await self.store.scheduled_event(event_id), "Tilaisuutta ei löydy.")

    async def registrations(self, event_id: str) -> list[Document]:
        """The event's registrations in order, each waiting one with its place in the queue today."""
        docs = await self.store.registrations_of(event_id)
        waiting = (d for d in docs if d.get("status") == "waitlisted")
        for position, doc in enumerate(waiting, start=1):
            doc["position_on_waitlist"] = position
        return docs

    # -- advice times (hankeklinikka) ------------------------------------------------------------------------
    async def advice_slots(self, now: datetime) -> list[Document]:
        """The published times from the day before on (a session just held can still be logged), soonest first."""
        return await self.store.advice.from_time(epoch_ms(now - timedelta(days=1)))

    async def slot_advisors(self) -> list[Document]:
        """Whom a time can be published for: the active advisors, coordinators and admins."""
        people = self._colleagues(await self.store.list_staff(active_only=True))
        return [p for p in people if {"advisor", "coordinator", "admin"} & set(p.get("roles", ()))]

    async def advice_bookings(self, now: datetime) -> list[Document]:
        """The bookings from a week back on, soonest first, each with the case of its idea (None: a new contact
        without a case)."""
        bookings = await self.store.advice.bookings_from(epoch_ms(now - timedelta(days=7)))
        for booking in bookings:
            booking["case"] = await self.store.case_by_idea(booking["idea_id"]) if booking.get("idea_id") else None
        return bookings

    async def bookings_of_case(self, case: Document) -> list[Document]:
        return await self.store.advice.bookings_of_idea(case["idea_id"])
