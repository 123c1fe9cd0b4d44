"""Every event the advisory service consumes, in one table read top to bottom."""

from __future__ import annotations

from typing import TYPE_CHECKING

from koonto.advisory.handlers.erasure import on_erasure_requested
from koonto.advisory.handlers.ideas import on_idea_amended, on_idea_submitted
from koonto.advisory.handlers.registrations import on_registration_received
from koonto.shared.bus import Subscription
from koonto.shared.contracts.intake import ErasureRequested, IdeaAmended, IdeaSubmitted, RegistrationReceived

if TYPE_CHECKING:
    from koonto.advisory.service import Advisory


def subscriptions(advisory: Advisory) -> list[Subscription]:
    return [
        Subscription(IdeaSubmitted, on_idea_submitted(advisory)),  # opens a case (idempotent)
        Subscription(IdeaAmended, on_idea_amended(advisory)),  # description / contact corrections
        Subscription(ErasureRequested, on_erasure_requested(advisory)),  # contact details leave cases, lists
        Subscription(RegistrationReceived, on_registration_received(advisory)),  # an event's participant list
    ]
