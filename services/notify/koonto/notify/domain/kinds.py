"""Message kinds, and the lawful basis each one is sent on.

Service messages about a person's own matter go out on legitimate interest (GDPR 6(1)(f)); announcements,
invitations and newsletters only with the person's opt-in for that topic (consent, 6(1)(a)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Basis = Literal["service", "consent", "staff"]
Topic = Literal["call_announcements", "newsletter", "events"]
TOPICS: tuple[Topic, ...] = ("call_announcements", "newsletter", "events")


@dataclass(frozen=True)
class Kind:
    code: str
    basis: Basis
    topic: Topic | None = None
    sms: bool = False  # has an SMS variant
    links: bool = True  # carries the unsubscribe and preference links (not the erasure receipt: nothing is left)
    template: str | None = None  # the templates of another kind (a newsletter's test mail looks like the newsletter)


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("receipt", "service", sms=True),
        Kind("status-update", "service", sms=True),
        Kind("advisor-message", "service", sms=True),
        Kind("subscription-confirm", "service"),
        Kind("draft-resume", "service"),  # the resume link of a saved idea draft (intake's idea-draft-saved)
        Kind("registration-confirmation", "service", sms=True),
        Kind("registration-reminder", "service", sms=True),  # the day before: time, place, what to bring
        Kind("erasure-confirmation", "service", links=False),
        Kind("advice-booking-confirmation", "service"),  # a booked advice time, with its .ics and cancel link
        Kind("advice-session-reminder", "service", sms=True),  # the day before a booked time (not in quiet hours)
        Kind("advice-booking-cancelled", "service"),  # the cancellation confirmed (not for a rebooking)
        Kind("call-announcement", "consent", topic="call_announcements"),
        Kind("call-reminder", "service", sms=True),  # to associations preparing an application for that call
        Kind("event-invitation", "consent", topic="events"),
        # a newsletter staff composed; its deliveries carry the topic of its audience (call_announcements and
        # events too), and consent to THAT topic is what `may_send` checks
        Kind("newsletter", "consent", topic="newsletter"),
        Kind("newsletter-test", "staff", template="newsletter"),  # the composer's own test copy
        Kind("partner-introduction", "service"),  # both consented on the idea form; checked by advisory
        Kind("followup-reminder", "staff"),
        Kind("staff-digest", "staff"),
        Kind("staff-password-link", "staff"),  # a new account's invitation or a password reset: a one-time link
    )
}


def kind(code: str) -> Kind:
    return KINDS[code]


def may_send(
    kind_: Kind, consents: dict[str, bool] | None, *, suppressed: bool, topic: str | None = None
) -> tuple[bool, str]:
    """(allowed, reason). Suppression (a hard bounce, an invalid number) stops everything on that address. A
    consent-based message needs consent to its delivery's `topic` (the kind's own topic when not given); a service
    message never looks at consents, so no unsubscribe blocks it."""
    if suppressed:
        return False, "suppressed"
    if kind_.basis == "consent":
        wanted = topic or kind_.topic
        if not wanted or not (consents or {}).get(wanted, False):
            return False, "no-consent"
    return True, ""
