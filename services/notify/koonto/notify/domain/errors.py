"""The notify service's domain errors; `web/errors.py` maps them to HTTP responses, the bus retries the rest."""

from __future__ import annotations


class NotifyError(Exception):
    """Base of the errors a use case raises on purpose."""


class NotFound(NotifyError):
    """No delivery or fan-out with that id."""


class NotResendable(NotifyError):
    """Only a delivery whose outcome is unknown (unconfirmed) can be sent again."""


class NewsletterNotEditable(NotifyError):
    """The newsletter was scheduled or has started (or is not paused, for a resume): it stays as it is."""


class NotInRegion(NotifyError):
    """The account holds no coordinator role in the region of the site it composes on (several regions)."""


class InvalidLink(NotifyError):
    """A preference or unsubscribe link whose signature does not hold."""


class ContactNotKnownYet(RuntimeError):
    """The idea's contact has not reached us yet (events of different subjects may overtake each other):
    retried with backoff, dead-lettered if it never comes."""


class EventNotKnownYet(RuntimeError):
    """The registration's event-scheduled has not reached us yet: retried with backoff."""


class RegistrantNotKnownYet(RuntimeError):
    """A promotion came before its registration-received (each event type has its own consumer): retried with
    backoff. A registrant erased since is never known again: that promotion ends in the dead letters."""
