"""Subscriptions to call announcements, the newsletter and event news, with double opt-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from koonto.intake.domain.fields import Fields
from koonto.intake.domain.ideas import LANGUAGES, THEME_UNKNOWN, read_listed_municipality, require_privacy_notice
from koonto.intake.domain.identifiers import normalise_email
from koonto.intake.domain.messages import N_, FieldErrors

PRIVACY_REQUIRED_FOR_SUBSCRIPTION = N_("Hyväksy tietosuojaseloste, jotta voimme lähettää tilaamasi tiedotteet.")

TOPICS = {
    "call_announcements": N_("Rahoitushakujen avautuminen"),
    "newsletter": N_("Uutiskirje"),
    "events": N_("Koulutukset ja foorumit"),
}
TOPICS_MISSING = N_("Valitse vähintään yksi tilattava aihe.")
TOPIC_UNKNOWN = N_("Valitse aiheet annetuista vaihtoehdoista.")
EMAIL_MISSING = N_("Anna sähköpostiosoite.")
MUNICIPALITY_UNKNOWN = N_("Valitse kunta listasta.")

Status = Literal["pending", "confirmed", "cancelled", "erased"]
Action = Literal["create", "resend", "renew", "nothing"]


@dataclass(frozen=True)
class SubscriptionDraft:
    email: str
    topics: tuple[str, ...]
    language: str
    municipality: str | None
    themes: tuple[str, ...] = ()  # the region's theme codes chosen; none: every theme


def validate_subscription(
    raw: Any, region: Any, *, default_language: str = "fi"
) -> tuple[SubscriptionDraft | None, FieldErrors]:
    errors: FieldErrors = {}
    body = Fields(raw, errors)
    email = body.checked("email", normalise_email, body.text("email", max_length=254, missing=EMAIL_MISSING))
    topics = body.text_list("topics", max_items=len(TOPICS), max_length=50)
    if not topics and "topics" not in errors:
        body.fail("topics", TOPICS_MISSING)
    elif any(topic not in TOPICS for topic in topics):
        body.fail("topics", TOPIC_UNKNOWN)
    themes = body.text_list("themes", max_items=len(region.themes), max_length=50)
    if any(theme not in region.theme_codes for theme in themes) and "themes" not in errors:
        body.fail("themes", THEME_UNKNOWN)
    language = body.choice("language", LANGUAGES, default=default_language)
    municipality = read_listed_municipality(body, region, MUNICIPALITY_UNKNOWN)
    require_privacy_notice(body, errors, PRIVACY_REQUIRED_FOR_SUBSCRIPTION)
    body.finish()
    if errors:
        return None, errors
    assert email is not None and language is not None
    return SubscriptionDraft(email, topics, language, municipality, themes), {}


def on_request(
    status: Status | None, last_requested_at: datetime | None, now: datetime, resend_after: timedelta
) -> Action:

    """What a new request does to a subscription in `status`. A confirmed one stays as it is (no new mail)."""
    if status is None:
        return "create"
    if status in ("cancelled", "erased"):
        return "renew"  # a new consent: a new subscription id and a new confirmation
    if status == "pending":
        if last_requested_at is None or now - last_requested_at >= resend_after:
            return "resend"
        return "nothing"
    return "nothing"
