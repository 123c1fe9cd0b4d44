"""Every event the notify service consumes, in one table read top to bottom."""

from __future__ import annotations

from koonto.notify.app import NotifyApp
from koonto.notify.handlers import announcements, ideas, people, staff
from koonto.shared.bus import Subscription
from koonto.shared.contracts import advisory, intake


def subscriptions(app: NotifyApp) -> list[Subscription]:
    return [
        # the directory of recipients and their consent
        Subscription(intake.SubscriptionConfirmed, people.on_subscription_confirmed(app)),
        Subscription(intake.SubscriptionCancelled, people.on_subscription_cancelled(app)),
        Subscription(intake.IdeaAmended, ideas.on_idea_amended(app)),
        Subscription(advisory.StaffUpdated, staff.on_staff_updated(app)),
        Subscription(advisory.CaseOpened, staff.on_case_opened(app)),
        Subscription(intake.ErasureRequested, people.on_erasure_requested(app)),
        # service messages about a person's own matter (legitimate interest)
        Subscription(intake.IdeaSubmitted, ideas.on_idea_submitted(app)),
        Subscription(advisory.StageChanged, ideas.on_stage_changed(app)),
        Subscription(advisory.AssociationMessaged, ideas.on_association_messaged(app)),
        Subscription(intake.SubscriptionRequested, people.on_subscription_requested(app)),
        Subscription(intake.RegistrationReceived, people.on_registration_received(app)),
        # staff
        Subscription(advisory.FollowupDue, staff.on_followup_due(app)),
        # announcements and invitations (opt-in), as fan-outs
        Subscription(advisory.CallOpened, announcements.on_call_opened(app)),
        Subscription(advisory.CallClosingSoon, announcements.on_call_closing_soon(app)),
        Subscription(advisory.EventScheduled, announcements.on_event_scheduled(app)),
    ]
