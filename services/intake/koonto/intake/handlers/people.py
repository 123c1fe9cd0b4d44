"""A person's incoming events: intake's own erasure-requested; after the request's first write, every other copy
of the person goes too.

The status-link request anonymises that idea in the same write that records the event; this handler then
anonymises the person's other ideas, registrations and subscriptions, and schedules the destruction of the
person's keys (their address and each of their ideas): once every consumer of this request has handled it, the
person's sealed fields in the stream can no longer be opened (koonto.shared.sealing). It is idempotent, so
redelivery is safe. The row below is this module's part of `subscriptions.SUBSCRIPTIONS`.
"""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.intake import ErasureRequested
from koonto.shared.sealing import email_subject, idea_subject, is_erased


async def on_erasure_requested(event: ErasureRequested, ctx: EventContext, deps: IntakeContainer) -> None:
    if not is_erased(event.email):  # seats ahead are freed before the sign-ups are anonymised (safe to redo)
        await deps.registrations.cancel_for_erasure(str(event.email))
    await deps.status.erase_person(event)
    shredder = deps.infra.shredder
    if shredder is not None:
        subjects = [idea_subject(i) for i in event.idea_ids]
        if not is_erased(event.email):
            subjects.append(email_subject(str(event.email)))
        await shredder.schedule(event.request_id, subjects, ctx.stream_seq)


SUBSCRIPTIONS = [
    Subscription(ErasureRequested, on_erasure_requested),  # our own: erase the other copies
]
