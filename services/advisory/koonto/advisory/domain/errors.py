"""Errors a user can cause. The application layer raises these; `web/errors.py` turns them into responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class AdvisoryError(Exception):
    """A refused request, with a message for the user and the form field it is about (if any)."""

    def __init__(self, message: str, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def text(self, translate: Callable[[str], str]) -> str:
        """The message in the language `translate` (a gettext) gives."""
        return translate(self.message)


class NotFound(AdvisoryError):
    """The named thing does not exist."""


def found(value: T | None, message: str) -> T:
    """`value`, or NotFound with `message` when there is none."""
    if value is None:
        raise NotFound(message)
    return value


class Invalid(AdvisoryError):
    """The input is not acceptable."""


def invalid_fields(problems: dict[str, str]) -> Invalid:
    """One refusal naming every field that is wrong (`extra["fields"]`: field -> Finnish message), so that a form
    shows all its errors at once; the first is the message of its own."""
    field, message = next(iter(problems.items()))
    return Invalid(message, field, fields=dict(problems))


class Refused(AdvisoryError):
    """The input is fine but the current state does not allow it (taken, changed meanwhile, not allowed now)."""


class LinkExpired(AdvisoryError):
    """A one-time link that was used already, has expired or was never issued."""


class SignInRefused(AdvisoryError):
    """Single sign-on did not end in a session: an unknown or unverified person, a stale or replayed sign-in, a
    provider that refused or could not be trusted; or password sign-in where it is turned off."""


class Forbidden(AdvisoryError):
    """The actor's roles do not allow it."""


class Throttled(AdvisoryError):
    """Too many failed attempts; `extra["retry_after"]` says for how many seconds. The message is Finnish
    source text with a `%(minutes)d` placeholder: `message` is it filled in, `text(gettext)` translated and
    filled in (the minutes rounded up, so the wait is never shorter than said)."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.template = message
        self.minutes = max(1, -(-retry_after // 60))
        super().__init__(message % {"minutes": self.minutes}, retry_after=retry_after)

    def text(self, translate: Callable[[str], str]) -> str:
        return translate(self.template) % {"minutes": self.minutes}


class BadCredentials(AdvisoryError):
    """Wrong e-mail or password, or an inactive account."""


class NotYetKnown(RuntimeError):
    """An event about a registration came before the registration itself (each event type has its own
    consumer): not a user's error; the consumer retries it with backoff."""
