"""Every event the advisory service consumes, in one table read top to bottom."""

from __future__ import annotations

from koonto.advisory.handlers.erasure import on_erasure_requested
from koonto.advisory.handlers.ideas import on_idea_amended, on_idea_submitted
from koonto.advisory.handlers.registrations import on_registration_received
from koonto.shared.bus import Subscription
from koonto.shared.contracts.intake import ErasureRequested, IdeaAmended, IdeaSubmitted, RegistrationReceived

SUBSCRIPTIONS = [
    Subscription(IdeaSubmitted, on_idea_submitted),  # opens a case (idempotent)
    Subscription(IdeaAmended, on_idea_amended),  # description / contact corrections
    Subscription(ErasureRequested, on_erasure_requested),  # contact details leave cases, lists
    Subscription(RegistrationReceived, on_registration_received),  # an event's participant list
]
