"""idea-submitted (receipt), idea-amended (contact details), stage-changed (status update),
association-messaged (the advisor's text).
The rows at the end are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.notify.bootstrap import NotifyContainer
from koonto.notify.domain.errors import ContactNotKnownYet
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.advisory import AssociationMessaged, StageChanged
from koonto.shared.contracts.intake import Contact, IdeaAmended, IdeaSubmitted

Document = dict[str, object]


def contact_details(c: Contact) -> Document:
    return {"email": c.email.lower(), "phone": c.phone, "name": c.name, "language": c.language, "channel": c.channel}


async def known_contact(deps: NotifyContainer, idea_id: str) -> Document:
    contact = await deps.store.recipients.contact(idea_id)
    if contact is None:
        raise ContactNotKnownYet(idea_id)
    return contact


async def on_idea_submitted(event: IdeaSubmitted, ctx: EventContext, deps: NotifyContainer) -> None:
    contact = {
        **contact_details(event.contact),
        "reference": event.reference,
        "title": event.title,
        "organisation": event.organisation.name,
        "status_url": event.status_url,
    }
    await deps.store.recipients.remember_contact(event.idea_id, contact)
    context = {
        "name": event.contact.name,
        "reference": event.reference,
        "title": event.title,
        "organisation": event.organisation.name,
        "submitted_at": event.submitted_at,
        "status_url": event.status_url,
        "sms_link": event.status_url,
    }
    await deps.planner.enqueue_for_contact(
        ctx.envelope, contact, kind="receipt", context=context, recipient_ref=f"contact:{event.idea_id}",
        always_email=True,
    )


async def on_idea_amended(event: IdeaAmended, ctx: EventContext, deps: NotifyContainer) -> None:
    if event.contact is None:
        return
    await known_contact(deps, event.idea_id)
    await deps.store.recipients.remember_contact(event.idea_id, contact_details(event.contact))


async def on_stage_changed(event: StageChanged, ctx: EventContext, deps: NotifyContainer) -> None:
    contact = await known_contact(deps, event.idea_id)
    context = {
        "name": contact["name"],
        "reference": event.reference,
        "title": contact.get("title", ""),
        "to_stage": event.to_stage,
        "reason": event.reason or "",
        "status_url": contact.get("status_url", ""),
        "sms_link": contact.get("status_url", ""),
    }
    await deps.planner.enqueue_for_contact(
        ctx.envelope, contact, kind="status-update", context=context, recipient_ref=str(contact["_id"])
    )


async def on_association_messaged(event: AssociationMessaged, ctx: EventContext, deps: NotifyContainer) -> None:
    contact = await known_contact(deps, event.idea_id)
    context = {
        "name": contact["name"],
        "reference": event.reference,
        "advisor_name": event.advisor_name,
        "body": event.body,
        "status_url": contact.get("status_url", ""),
        "sms_link": contact.get("status_url", ""),
    }
    await deps.planner.enqueue_for_contact(
        ctx.envelope, contact, kind="advisor-message", context=context, recipient_ref=str(contact["_id"])
    )


SUBSCRIPTIONS = [
    Subscription(IdeaAmended, on_idea_amended),  # the contact details of an idea
    Subscription(IdeaSubmitted, on_idea_submitted),  # service messages on their own matter (legitimate interest)
    Subscription(StageChanged, on_stage_changed),
    Subscription(AssociationMessaged, on_association_messaged),
]
