"""idea-submitted (receipt), idea-amended (contact details), stage-changed (status update),
association-messaged (the advisor's text), associations-introduced (each association gets the other's contact),
idea-draft-saved (the draft's resume link).
The rows at the end are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.notify.bootstrap import NotifyContainer
from koonto.notify.domain import labels
from koonto.notify.domain.errors import ContactNotKnownYet
from koonto.notify.use_cases.erasure import About
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.advisory import AssociationMessaged, AssociationsIntroduced, IntroducedParty, StageChanged
from koonto.shared.contracts.intake import Contact, IdeaAmended, IdeaDraftSaved, IdeaSubmitted
from koonto.shared.mongo import Document


def contact_details(c: Contact) -> Document:
    return {"email": c.email.lower(), "phone": c.phone, "name": c.name, "language": c.language, "channel": c.channel}


async def known_contact(deps: NotifyContainer, idea_id: str) -> Document | None:
    """The idea's contact; None when the idea's person was erased (nothing to send, nothing to wait for)."""
    contact = await deps.store.recipients.contact(idea_id)
    if contact is None:
        if await deps.erasure.covers(About(idea_ids=[idea_id])):
            return None
        raise ContactNotKnownYet(idea_id)
    return contact


async def on_idea_submitted(event: IdeaSubmitted, ctx: EventContext, deps: NotifyContainer) -> None:
    person = About(str(event.contact.email), event.contact.phone, [event.idea_id], event.submitted_at)
    if await deps.erasure.covers(person):
        return  # erased before this reached us: no contact kept, no receipt
    contact = {
        **contact_details(event.contact),
        "reference": event.reference,
        "title": event.title,
        "organisation": event.organisation.name,
        "status_url": event.status_url,
    }
    await deps.store.recipients.remember_contact(event.idea_id, contact)
    region, language, org = deps.infra.region, event.contact.language, event.organisation
    context = {
        "name": event.contact.name,
        "reference": event.reference,
        "title": event.title,
        "organisation": org.name,
        "municipality": labels.municipality(region, org.municipality, org.municipality_other, language),
        "themes": labels.themes(region, event.themes, language),
        "submitted_at": event.submitted_at,
        "status_url": event.status_url,
        "sms_link": event.status_url,
    }
    await deps.planner.enqueue_for_contact(
        ctx.envelope, contact, kind="receipt", context=context, recipient_ref=f"contact:{event.idea_id}",
        always_email=True,
    )
    await deps.erasure.undo_if_covered(person)


async def on_idea_amended(event: IdeaAmended, ctx: EventContext, deps: NotifyContainer) -> None:
    if event.contact is None or await known_contact(deps, event.idea_id) is None:
        return
    person = About(str(event.contact.email), event.contact.phone, [event.idea_id], event.amended_at)
    if await deps.erasure.covers(person):
        return
    await deps.store.recipients.remember_contact(event.idea_id, contact_details(event.contact))
    await deps.erasure.undo_if_covered(person)


async def on_stage_changed(event: StageChanged, ctx: EventContext, deps: NotifyContainer) -> None:
    contact = await known_contact(deps, event.idea_id)
    if contact is None:
        return
    context = {
        "name": contact["name"],
        "reference": event.reference,
        "title": contact.get("title", ""),
        "to_stage": event.to_stage,
        "reason": event.reason or "",
        "amount_granted_eur": event.amount_granted_eur,
        "status_url": contact.get("status_url", ""),
        "sms_link": contact.get("status_url", ""),
    }
    await deps.planner.enqueue_for_contact(
        ctx.envelope, contact, kind="status-update", context=context, recipient_ref=str(contact["_id"])
    )


async def on_association_messaged(event: AssociationMessaged, ctx: EventContext, deps: NotifyContainer) -> None:
    contact = await known_contact(deps, event.idea_id)
    if contact is None:
        return
    # replies go to the advisor (from notify's staff directory); to the project's address if the directory does
    # not know them (an account not yet announced, or closed since)
    advisor = await deps.store.recipients.staff([event.advisor_id])
    context = {
        "name": contact["name"],
        "reference": event.reference,
        "advisor_name": event.advisor_name,
        "body": event.body,
        "status_url": contact.get("status_url", ""),
        "sms_link": contact.get("status_url", ""),
        "sender_name": event.advisor_name,
        "reply_to": advisor[0]["email"] if advisor else deps.infra.region.contact_email,
    }
    await deps.planner.enqueue_for_contact(
        ctx.envelope, contact, kind="advisor-message", context=context, recipient_ref=str(contact["_id"])
    )


def introduction_context(
    deps: NotifyContainer, event: AssociationsIntroduced, contact: Document, partner: IntroducedParty,
    partner_contact: Document,
) -> Document:
    """What one association's introduction mail says about the other, in the recipient's language."""
    region, language = deps.infra.region, contact.get("language", "fi")
    return {
        "name": contact["name"],
        "reference": contact.get("reference", ""),
        "title": contact.get("title", ""),
        "partner_organisation": partner.organisation_name,
        "partner_title": partner.title,
        "partner_municipality": labels.municipality(region, partner.municipality, None, language),
        "partner_name": partner_contact["name"],
        "partner_email": partner_contact["email"],
        "partner_phone": partner_contact.get("phone") or "",
        "shared_themes": labels.themes(region, event.shared_themes, language),
        "shared_words": list(event.shared_words),
        "advisor_name": event.advisor_name,
        "status_url": contact.get("status_url", ""),
    }


async def on_associations_introduced(event: AssociationsIntroduced, ctx: EventContext, deps: NotifyContainer) -> None:
    """One mail to each association, with the other's contact; nothing to either when one person was erased
    (an introduction without the other's contact says nothing)."""
    first, second = event.parties
    contacts = [await known_contact(deps, first.idea_id), await known_contact(deps, second.idea_id)]
    if contacts[0] is None or contacts[1] is None:
        return
    docs = []
    for contact, partner, partner_contact in ((contacts[0], second, contacts[1]), (contacts[1], first, contacts[0])):
        docs += deps.planner.plan_for_contact(
            ctx.envelope, contact, kind="partner-introduction",
            context=introduction_context(deps, event, contact, partner, partner_contact),
            recipient_ref=str(contact["_id"]),
        )
    await deps.planner.enqueue(docs)  # keyed by (event, channel, address): a redelivery queues nothing twice


async def on_idea_draft_saved(event: IdeaDraftSaved, ctx: EventContext, deps: NotifyContainer) -> None:
    """The resume link of a saved draft, once per event, in the language the form was filled in. The address is
    not in the directory (a draft is not an idea); an erasure that came after the save stops it."""
    person = About(email=event.email, happened_at=event.saved_at)
    if await deps.erasure.covers(person):
        return
    await deps.planner.enqueue_email(
        ctx.envelope, kind="draft-resume", address=event.email.lower(), language=event.language,
        context={"email": event.email.lower(), "resume_url": event.resume_url, "expires_at": event.expires_at},
        recipient_ref=f"draft:{event.draft_id}",
    )
    await deps.erasure.undo_if_covered(person)


SUBSCRIPTIONS = [
    Subscription(IdeaAmended, on_idea_amended),  # the contact details of an idea
    Subscription(IdeaSubmitted, on_idea_submitted),  # service messages on their own matter (legitimate interest)
    Subscription(StageChanged, on_stage_changed),
    Subscription(AssociationMessaged, on_association_messaged),
    Subscription(AssociationsIntroduced, on_associations_introduced),  # both parties consented (advisory checks)
    Subscription(IdeaDraftSaved, on_idea_draft_saved),  # the resume link of a saved draft
]
