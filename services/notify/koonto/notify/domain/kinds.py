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
        Kind("partner-introduction", "service"),  # both consented on the idea form; checked by advisory
        Kind("followup-reminder", "staff"),
        Kind("staff-digest", "staff"),
        Kind("staff-password-link", "staff"),  # a new account's invitation or a password reset: a one-time link
    )
}


def kind(code: str) -> Kind:
    return KINDS[code]


def may_send(kind_: Kind, consents: dict[str, bool] | None, *, suppressed: bool) -> tuple[bool, str]:
    """(allowed, reason). Suppression (a hard bounce, an invalid number) stops everything on that address."""
    if suppressed:
        return False, "suppressed"
    if kind_.basis == "consent":
        if not kind_.topic or not (consents or {}).get(kind_.topic, False):
            return False, "no-consent"
    return True, ""
