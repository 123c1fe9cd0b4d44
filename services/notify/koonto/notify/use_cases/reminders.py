"""The reminder a day before a training or forum, to each registrant holding a seat: the time, the place or
the online link, what to bring, and how to cancel; in their language, by e-mail and also by SMS when that is
their channel (the SMS short, pointing to the mail; it waits out the quiet hours, as every SMS does:
`Planner.plan`).

Exactly once across replicas and restarts: each reminder's delivery key is the registration (not a pass of
this job), so a second pass, a second replica or a pass after a crash plans the same deliveries again and the
queue keeps one (a unique-key insert; one already sent is found in the delivery log). The event is marked
reminded after its reminders are queued, only so that later passes skip it."""

from __future__ import annotations

from datetime import timedelta

from koonto.notify.use_cases.core import Core
from koonto.notify.use_cases.planning import Planner, contact_channels
from koonto.shared.aio import every
from koonto.shared.contracts import Envelope
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Document, epoch_ms

log = get_logger(__name__)

AHEAD = timedelta(days=1)


def reminder_context(registrant: Document, event: Document) -> Document:
    return {
        "name": registrant.get("name") or "",
        "event_title": event["title"],
        "starts_at": event["starts_at"],
        "ends_at": event.get("ends_at"),
        "place": event.get("place"),
        "online_url": event.get("online_url"),
        "what_to_bring": event.get("what_to_bring") or "",
        "cancel_url": registrant.get("cancel_url"),
    }


class Reminders:
    def __init__(self, core: Core, planner: Planner) -> None:
        self.core = core
        self.store = core.store
        self.planner = planner

    async def run(self) -> None:
        await every(self.core.settings.jobs_poll_seconds, self.remind_due, log=log,
                    failed="reminder pass failed; will retry")

    async def remind_due(self) -> int:
        """Queue the reminders of the events starting within a day; returns how many were new."""
        now = self.core.now()
        added = 0
        for event in await self.store.records.events_to_remind(epoch_ms(now), epoch_ms(now + AHEAD)):
            cause = Envelope(
                id=f"reminder-{event['_id']}", source="/koonto/notify", type="koonto.notify.registration-reminder.v1",
                subject=event["_id"], time=now, correlationid=f"reminder-{event['_id']}",
                region=event.get("region") or self.core.region.code, data={},  # the event's region: its sender
            )
            docs = []
            for registrant in await self.store.recipients.confirmed_registrants(event["_id"]):
                registration_id = registrant["_id"].removeprefix("registrant:")
                context = reminder_context(registrant, event)
                for channel, address in contact_channels(registrant, "registration-reminder", always_email=True):
                    docs.append(self.planner.plan(
                        cause, kind="registration-reminder", channel=channel, address=address,
                        language=registrant.get("language", "fi"), name=registrant.get("name"), context=context,
                        recipient_ref=registrant["_id"], key=f"reminder:{registration_id}",
                    ))
            added += await self.planner.enqueue(docs)
            await self.store.records.mark_reminded(event["_id"], epoch_ms(now))
            log.info("reminders queued", scheduled_event_id=event["_id"], messages=len(docs))
        return added
