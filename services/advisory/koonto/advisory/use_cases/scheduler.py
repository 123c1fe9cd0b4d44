"""The scheduler: first-contact service level, dated follow-ups and funding-call notices, each fired once.

Safe on several replicas at once: each firing is one insert under a unique key (`sla:<case>`,
`followup:<id>`, `call:<id>:<notice>`) that carries its event, so of any number of ticks trying one key
exactly one fires it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from koonto.advisory.domain.actor import SYSTEM
from koonto.advisory.domain.regions import works_in
from koonto.advisory.domain.schedule import call_notices_due
from koonto.advisory.store import iso
from koonto.advisory.use_cases.common import Context
from koonto.shared.clock import format_date
from koonto.shared.contracts import Envelope, EventData
from koonto.shared.contracts.advisory import CallClosed, CallClosingSoon, CallOpened, FollowupDue
from koonto.shared.mongo import Document
from koonto.shared.region import using_region


@dataclass
class TickReport:
    sla: int = 0
    followups: int = 0
    call_notices: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sla or self.followups or self.call_notices)


class Scheduler:
    def __init__(self, context: Context) -> None:
        self.c = context

    async def _recipients(self, role: str, region: str) -> tuple[str, ...]:
        """Who holds `role` in `region` (the admins when nobody does)."""
        store, home = self.c.store, self.c.served[0]
        people = [p for p in await store.staff_with_role(role) if works_in(p, region, home, role)]
        people = people or await store.staff_with_role("admin")
        return tuple(sorted(p["_id"] for p in people))

    async def _fire(self, key: str, kind: str, about: Document, event: Envelope, today: date, now: datetime) -> bool:
        """One firing: its record and its event in one insert under `key`; False when it fired before."""
        record = {"kind": kind, **about, "fired_on": iso(today), "fired_at": now, "region": self.c.region.code}
        fired = await self.c.store.fire(key, record, event)
        if fired:
            self.c.written(event)
        return fired

    async def tick(self) -> TickReport:
        """Fires whatever is due today."""
        today, now = self.c.today(), self.c.now()
        report = TickReport()
        await self._first_contacts(report, today, now)
        await self._followups(report, today, now)
        await self._calls(report, today, now)
        await self.c.store.forget_old_failures(now)
        return report

    async def _first_contacts(self, report: TickReport, today: date, now: datetime) -> None:
        coordinators: dict[str, tuple[str, ...]] = {}
        for case in await self.c.store.cases_with_sla_due(today):
            region = self.c.store.scope.region_of(case)
            if region not in coordinators:
                coordinators[region] = await self._recipients("coordinator", region)
            with using_region(region):  # the reminder is the case's region's (its event carries it)
                await self._first_contact(report, case, coordinators[region], today, now)

    async def _first_contact(
        self, report: TickReport, case: Document, coordinators: tuple[str, ...], today: date, now: datetime
    ) -> None:
        deadline = date.fromisoformat(case["sla"]["deadline"])
        key = f"sla:{case['_id']}"
        event = self.c.event(
            FollowupDue(
                followup_id=key,
                case_id=case["_id"],
                reference=case["reference"],
                kind="first-contact-sla",
                due_on=deadline,
                recipient_staff_ids=coordinators,
                note=f"Ensimmäinen yhteydenotto puuttuu: määräaika {format_date(deadline)}.",
            ),
            subject=case["_id"],
        )
        if await self._fire(key, "first-contact-sla", {"case_id": case["_id"]}, event, today, now):
            report.sla += 1
        entry = self.c.entry("sla", SYSTEM, None, deadline=iso(deadline))
        entry["id"] = key  # one SLA entry per case, whichever replica writes it
        await self.c.store.mark_sla_fired(case["_id"], now, entry)

    async def _followups(self, report: TickReport, today: date, now: datetime) -> None:
        for followup in await self.c.store.followups_due(today):
            with using_region(self.c.store.scope.region_of(followup)):
                await self._followup(report, followup, today, now)

    async def _followup(self, report: TickReport, followup: Document, today: date, now: datetime) -> None:
        event = self.c.event(
            FollowupDue(
                followup_id=followup["_id"],
                case_id=followup["case_id"],
                reference=followup["reference"],
                kind="followup",
                due_on=date.fromisoformat(followup["due_on"]),
                recipient_staff_ids=(followup["assignee_id"],),
                note=followup.get("note"),
            ),
            subject=followup["case_id"],
        )
        key = f"followup:{followup['_id']}"
        if await self._fire(key, "followup", {"case_id": followup["case_id"]}, event, today, now):
            report.followups += 1
        await self.c.store.mark_followup_fired(followup["_id"], now)

    async def _calls(self, report: TickReport, today: date, now: datetime) -> None:
        for call in await self.c.store.calls_with_notices(today):
            with using_region(self.c.store.scope.region_of(call)):
                await self._call_notices(report, call, today, now)

    async def _call_notices(self, report: TickReport, call: Document, today: date, now: datetime) -> None:
        opens_on, closes_on = date.fromisoformat(call["opens_on"]), date.fromisoformat(call["closes_on"])
        for notice in call_notices_due(opens_on, closes_on, today):
            if (call.get("notices") or {}).get(notice.key.replace("-", "_")):
                continue
            key = f"call:{call['_id']}:{notice.key}"
            event = await self._call_event(call, notice.kind, notice.days_left, opens_on, closes_on)
            if await self._fire(key, f"call-{notice.key}", {"call_id": call["_id"]}, event, today, now):
                report.call_notices.append((call["_id"], notice.key))
            await self.c.store.mark_call_notice_fired(call["_id"], notice.key, now)

    async def _call_event(
        self, call: Document, kind: str, days_left: int | None, opens_on: date, closes_on: date
    ) -> Envelope:
        data: EventData
        if kind == "opened":
            data = CallOpened(
                call_id=call["_id"],
                name=call["name"],
                funder=call["funder"],
                opens_on=opens_on,
                closes_on=closes_on,
                budget_eur=call.get("budget_eur"),
                url=call.get("url"),
                description=call.get("description") or "",
            )
        elif kind == "closing-soon":
            preparing = await self.c.store.preparing_cases_for_call(call["_id"])
            data = CallClosingSoon(
                call_id=call["_id"],
                name=call["name"],
                closes_on=closes_on,
                days_left=max(days_left or 0, 0),
                preparing_case_ids=tuple(c["_id"] for c in preparing),
                preparing_idea_ids=tuple(c["idea_id"] for c in preparing),
            )
        else:
            data = CallClosed(call_id=call["_id"], name=call["name"], closed_on=closes_on)
        return self.c.event(data, subject=call["_id"])
