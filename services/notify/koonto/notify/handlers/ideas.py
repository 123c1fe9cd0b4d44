"""idea-submitted (receipt), stage-changed (status update), association-messaged (the advisor's text)."""

from __future__ import annotations

from koonto.notify.app import NotifyApp
from koonto.shared.bus import Delivery
from koonto.shared.contracts.advisory import AssociationMessaged, StageChanged
from koonto.shared.contracts.intake import IdeaAmended, IdeaSubmitted


class ContactNotKnownYet(RuntimeError):
    """The idea's contact has not reached us yet (events of different subjects may overtake each other):
    retried with backoff, dead-lettered if it never comes."""


def contact_fields(data: IdeaSubmitted) -> dict[str, object]:
    c = data.contact
    return {
        "email": c.email.lower(),
        "phone": c.phone,
        "name": c.name,
        "language": c.language,
        "channel": c.channel,
        "reference": data.reference,
        "title": data.title,
        "organisation": data.organisation.name,
        "status_url": data.status_url,
    }


def on_idea_submitted(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: IdeaSubmitted = delivery.data
        contact = contact_fields(data)
        await app.store.remember_contact(data.idea_id, contact)
        context = {
            "name": data.contact.name,
            "reference": data.reference,
            "title": data.title,
            "organisation": data.organisation.name,
            "submitted_at": data.submitted_at,
            "status_url": data.status_url,
            "sms_link": data.status_url,
        }
        docs = [
            app.plan(
                delivery.envelope,
                kind="receipt",
                channel=channel,
                address=address,
                language=data.contact.language,
                name=data.contact.name,
                context=context,
                recipient_ref=f"contact:{data.idea_id}",
            )
            for channel, address in app.contact_channels(contact, "receipt", always_email=True)
        ]
        await app.enqueue(docs)

    return handle


def on_idea_amended(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: IdeaAmended = delivery.data
        if data.contact is None:
            return
        c = data.contact
        if await app.store.contact(data.idea_id) is None:
            raise ContactNotKnownYet(data.idea_id)
        await app.store.remember_contact(
            data.idea_id,
            {
                "email": c.email.lower(),
                "phone": c.phone,
                "name": c.name,
                "language": c.language,
                "channel": c.channel,
            },
        )

    return handle


def on_stage_changed(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: StageChanged = delivery.data
        contact = await app.store.contact(data.idea_id)
        if contact is None:
            raise ContactNotKnownYet(data.idea_id)
        context = {
            "name": contact["name"],
            "reference": data.reference,
            "title": contact.get("title", ""),
            "to_stage": data.to_stage,
            "reason": data.reason or "",
            "status_url": contact.get("status_url", ""),
            "sms_link": contact.get("status_url", ""),
        }
        await app.enqueue(
            [
                app.plan(
                    delivery.envelope,
                    kind="status-update",
                    channel=channel,
                    address=address,
                    language=contact.get("language", "fi"),
                    name=contact["name"],
                    context=context,
                    recipient_ref=contact["_id"],
                )
                for channel, address in app.contact_channels(contact, "status-update")
            ]
        )

    return handle


def on_association_messaged(app: NotifyApp):  # type: ignore[no-untyped-def]
    async def handle(delivery: Delivery) -> None:
        data: AssociationMessaged = delivery.data
        contact = await app.store.contact(data.idea_id)
        if contact is None:
            raise ContactNotKnownYet(data.idea_id)
        context = {
            "name": contact["name"],
            "reference": data.reference,
            "advisor_name": data.advisor_name,
            "body": data.body,
            "status_url": contact.get("status_url", ""),
            "sms_link": contact.get("status_url", ""),
        }
        await app.enqueue(
            [
                app.plan(
                    delivery.envelope,
                    kind="advisor-message",
                    channel=channel,
                    address=address,
                    language=contact.get("language", "fi"),
                    name=contact["name"],
                    context=context,
                    recipient_ref=contact["_id"],
                )
                for channel, address in app.contact_channels(contact, "advisor-message")
            ]
        )

    return handle
