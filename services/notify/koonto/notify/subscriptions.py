"""Every event the notify service consumes, in one table read top to bottom."""

from __future__ import annotations

from koonto.notify.handlers import announcements, ideas, people, staff
from koonto.shared.bus import Subscription
from koonto.shared.contracts import advisory, intake

SUBSCRIPTIONS = [
    # the directory of recipients and their consent
    Subscription(intake.SubscriptionConfirmed, people.on_subscription_confirmed),
    Subscription(intake.SubscriptionCancelled, people.on_subscription_cancelled),
    Subscription(intake.IdeaAmended, ideas.on_idea_amended),
    Subscription(advisory.StaffUpdated, staff.on_staff_updated),
    Subscription(advisory.CaseOpened, staff.on_case_opened),
    Subscription(intake.ErasureRequested, people.on_erasure_requested),
    # service messages about a person's own matter (legitimate interest)
    Subscription(intake.IdeaSubmitted, ideas.on_idea_submitted),
    Subscription(advisory.StageChanged, ideas.on_stage_changed),
    Subscription(advisory.AssociationMessaged, ideas.on_association_messaged),
    Subscription(intake.SubscriptionRequested, people.on_subscription_requested),
    Subscription(intake.RegistrationReceived, people.on_registration_received),
    # staff
    Subscription(advisory.FollowupDue, staff.on_followup_due),
    # announcements and invitations (opt-in), as fan-outs
    Subscription(advisory.CallOpened, announcements.on_call_opened),
    Subscription(advisory.CallClosingSoon, announcements.on_call_closing_soon),
    Subscription(advisory.EventScheduled, announcements.on_event_scheduled),
]
