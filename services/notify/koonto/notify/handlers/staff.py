"""Staff directory (staff-updated), reminders (followup-due), copies for the daily digest (case-opened)."""

from __future__ import annotations

from koonto.notify.app import NotifyApp
from koonto.shared.bus import Delivery
from koonto.shared.contracts.advisory import CaseOpened, FollowupDue, StaffUpdated


def on_staff_updated(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: StaffUpdated = delivery.data
        await app.store.remember_staff(
            data.staff_id,
            {
                "email": data.email.lower(),
                "display_name": data.display_name,
                "language": data.language,
                "roles": list(data.roles),
                "active": data.active,
            },
            data.updated_at,
        )

    return handle


def on_case_opened(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: CaseOpened = delivery.data
        municipality = app.runtime.region.municipality(data.organisation.municipality)
        await app.store.keep_case(
            data.case_id,
            {
                "reference": data.reference,
                "title": data.title,
                "organisation": data.organisation.name,
                "municipality": municipality.name_fi if municipality else data.organisation.municipality,
                "opened_at": data.opened_at,
                "idea_id": data.idea_id,
            },
        )

    return handle


def on_followup_due(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: FollowupDue = delivery.data
        await app.store.keep_followup(
            data.followup_id,
            {
                "case_id": data.case_id,
                "reference": data.reference,
                "kind": data.kind,
                "due_on": data.due_on.isoformat(),
                "note": data.note or "",
                "recipient_staff_ids": list(data.recipient_staff_ids),
                "received_at": app.now(),
            },
        )
        staff = await app.store.staff(list(data.recipient_staff_ids))
        await app.enqueue(
            [
                app.plan(
                    delivery.envelope,
                    kind="followup-reminder",
                    channel="email",
                    address=member["email"],
                    language=member.get("language", "fi"),
                    name=member.get("display_name"),
                    context={
                        "name": member.get("display_name", ""),
                        "reference": data.reference,
                        "followup_kind": data.kind,
                        "due_on": data.due_on,
                        "note": data.note or "",
                        "case_url": f"{app.settings.advisory_public_url}/cases/{data.case_id}",
                    },
                    recipient_ref=member["_id"],
                )
                for member in staff
            ]
        )

    return handle
