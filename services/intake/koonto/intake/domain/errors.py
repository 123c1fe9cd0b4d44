"""What can go wrong in a use case, in the service's own words (web/errors.py turns each into a response)."""

from __future__ import annotations

from typing import Literal


class IntakeError(Exception):
    """Base of intake's domain errors."""


class IdempotencyConflict(IntakeError):
    """The Idempotency-Key was used before with a different idea."""


class EventNotOpen(IntakeError):
    """The training or forum is unknown, past or already held."""


class LinkRefused(IntakeError):
    """A signed link that cannot be used: expired, not ours (invalid), or naming an idea we no longer hold."""

    def __init__(self, verdict: Literal["expired", "invalid", "missing"]) -> None:
        super().__init__(verdict)
        self.verdict = verdict


class FormTokenMismatch(IntakeError):
    """A form reached through a signed link came back without the CSRF token bound to that link."""


class SlotTaken(IntakeError):
    """Another booking got the advice time first (another writer holds the slot's claim, or it is booked)."""


class SlotNotOpen(IntakeError):
    """The advice time is unknown, withdrawn, past or starts too soon to be booked."""


class SlotClaimPending(RuntimeError):
    """A withdrawal met a booking's claim on the slot that has not marked it yet (it may, or its writer died): the
    consumer retries with its backoff, and after the claim's lease the withdrawal claims the next number."""
