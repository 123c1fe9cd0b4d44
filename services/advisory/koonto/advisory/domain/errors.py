"""Errors a user can cause. The application layer raises these; `web/errors.py` turns them into responses."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


class AdvisoryError(Exception):
    """A refused request, with a message for the user and the form field it is about (if any)."""

    def __init__(self, message: str, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class NotFound(AdvisoryError):
    """The named thing does not exist."""


def found(value: T | None, message: str) -> T:
    """`value`, or NotFound with `message` when there is none."""
    if value is None:
        raise NotFound(message)
    return value


class Invalid(AdvisoryError):
    """The input is not acceptable."""


class Refused(AdvisoryError):
    """The input is fine but the current state does not allow it (taken, changed meanwhile, not allowed now)."""


class Forbidden(AdvisoryError):
    """The actor's roles do not allow it."""


class Throttled(AdvisoryError):
    """Too many failed attempts; `extra["retry_after"]` says for how many seconds."""


class BadCredentials(AdvisoryError):
    """Wrong e-mail or password, or an inactive account."""
