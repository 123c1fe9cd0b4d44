"""Staff directory (staff-updated), reminders (followup-due), copies for the daily digest (case-opened).
The rows at the end are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.notify.bootstrap import NotifyContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.advisory import CaseOpened, FollowupDue, StaffPasswordLinkIssued, StaffUpdated


async def on_staff_updated(event: StaffUpdated, ctx: EventContext, deps: NotifyContainer) -> None:
    await deps.store.recipients.remember_staff(
        event.staff_id,
        {
            "email": event.email.lower(),
            "display_name": event.display_name,
            "language": event.language,
            "roles": list(event.roles),
            "active": event.active,
        },
        event.updated_at,
    )


async def on_case_opened(event: CaseOpened, ctx: EventContext, deps: NotifyContainer) -> None:
    municipality = deps.infra.region.municipality(event.organisation.municipality)
    await deps.store.records.keep_case(
        event.case_id,
        {
            "reference": event.reference,
            "title": event.title,
            "organisation": event.organisation.name,
            # a listed municipality by its name; for "other" nothing (case-opened carries no name written under
            # it), and the digest says "Muu kunta" in the reader's language: never the code
            "municipality": municipality.name_fi if municipality else None,
            "opened_at": event.opened_at,
            "idea_id": event.idea_id,
        },
    )


async def on_followup_due(event: FollowupDue, ctx: EventContext, deps: NotifyContainer) -> None:
    await deps.store.records.keep_followup(
        event.followup_id,
        {
            "case_id": event.case_id,
            "reference": event.reference,
            "kind": event.kind,
            "due_on": event.due_on.isoformat(),
            "note": event.note or "",
            "recipient_staff_ids": list(event.recipient_staff_ids),
            "received_at": deps.now(),
        },
    )
    staff = await deps.store.recipients.staff(list(event.recipient_staff_ids))
    await deps.planner.enqueue(
        [
            deps.planner.plan(
                ctx.envelope,
                kind="followup-reminder",
                channel="email",
                address=member["email"],
                language=member.get("language", "fi"),
                name=member.get("display_name"),
                context={
                    "name": member.get("display_name", ""),
                    "reference": event.reference,
                    "followup_kind": event.kind,
                    "due_on": event.due_on,
                    "note": event.note or "",
                    "case_url": f"{deps.settings.advisory_public_url}/cases/{event.case_id}",
                },
                recipient_ref=member["_id"],
            )
            for member in staff
        ]
    )


async def on_staff_password_link_issued(
    event: StaffPasswordLinkIssued, ctx: EventContext, deps: NotifyContainer
) -> None:
    """The invitation or reset link, to the address the event names (a new account is not in the directory yet);
    once per event, like every planned delivery."""
    context = {"name": event.display_name, "email": event.email.lower(), "purpose": event.purpose, "url": event.url,
               "expires_at": event.expires_at}
    await deps.planner.enqueue([
        deps.planner.plan(
            ctx.envelope, kind="staff-password-link", channel="email", address=event.email.lower(),
            language=event.language, name=event.display_name, context=context, recipient_ref=event.staff_id,
        )
    ])


SUBSCRIPTIONS = [
    Subscription(StaffUpdated, on_staff_updated),  # the directory of staff recipients
    Subscription(CaseOpened, on_case_opened),  # for the daily digest
    Subscription(FollowupDue, on_followup_due),  # staff reminders
    Subscription(StaffPasswordLinkIssued, on_staff_password_link_issued),  # invitations and password resets
]
