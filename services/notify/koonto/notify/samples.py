"""Sample data for every message kind: the staff preview page renders each template in each language with it,
and the unit tests render them all."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from koonto.notify.domain.kinds import KINDS

COMMON: dict[str, Any] = {
    "project_name": "Koonto",
    "contact_email": "koonto@example.fi",
    "website": "https://koonto.example.fi",
    "privacy_contact_email": "tietosuoja@example.fi",
    "unsubscribe_url": "https://koonto.example.fi/notify/unsubscribe/esimerkki",
    "preferences_url": "https://koonto.example.fi/notify/preferences/esimerkki",
}

_SIGN_UP: dict[str, Any] = {  # the training both registration mails are about
    "name": "Matti Virtanen",
    "event_title": "Hankeklinikka: ESR+ hakemuksen teko",
    "starts_at": datetime(2026, 12, 3, 15, 0, tzinfo=UTC),
    "place": "Kuopion kaupungintalo",
    "online_url": None,
    "cancel_url": "https://koonto.example.fi/registrations/cancel/signed",
}
_BOOKING: dict[str, Any] = {  # the advice time both booking mails are about
    "name": "Maija Meikäläinen",
    "booking_id": "booking-1",
    "starts_at": datetime(2026, 12, 8, 8, 0, tzinfo=UTC),
    "ends_at": datetime(2026, 12, 8, 8, 45, tzinfo=UTC),
    "place": None,
    "advisor_name": "Niina Neuvoja",
    "manage_url": "https://koonto.example.fi/advice/booking/signed",
}
SAMPLES: dict[str, dict[str, Any]] = {
    "receipt": {
        "name": "Maija Meikäläinen",
        "reference": "KOO-2026-0042",
        "title": "Kylätalon kohtaamispaikka",
        "organisation": "Kyläyhdistys Toivala ry",
        "municipality": "Siilinjärvi",
        "themes": ["Kylät ja lähiyhteisöt", "Osallisuus ja yhteisöllisyys"],
        "submitted_at": datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        "status_url": "https://koonto.example.fi/tila/abc?t=signed",
        "sms_link": "https://koonto.example.fi/tila/abc?t=signed",
    },
    "status-update": {
        "name": "Maija Meikäläinen",
        "reference": "KOO-2026-0042",
        "title": "Kylätalon kohtaamispaikka",
        "to_stage": "funded",
        "reason": "Rahoittaja myönsi rahoituksen hankkeelle ajalle 1.3.2027–28.2.2029.",
        "amount_granted_eur": 48500,
        "status_url": "https://koonto.example.fi/tila/abc?t=signed",
        "sms_link": "https://koonto.example.fi/tila/abc?t=signed",
    },
    "advisor-message": {
        "name": "Maija Meikäläinen",
        "reference": "KOO-2026-0042",
        "advisor_name": "Neuvoja Niina",
        "body": "Hei! Lähetän teille budjettipohjan. Täyttäkää siihen kylätalon vuokrat ja talkootyö.",
        "sender_name": "Neuvoja Niina",
        "reply_to": "niina.neuvoja@example.fi",
        "status_url": "https://koonto.example.fi/tila/abc?t=signed",
        "sms_link": "https://koonto.example.fi/tila/abc?t=signed",
    },
    "partner-introduction": {
        "name": "Maija Meikäläinen",
        "reference": "KOO-2026-0042",
        "title": "Kylätalon esteettömyys kuntoon",
        "partner_organisation": "Vehmersalmen kyläseura ry",
        "partner_title": "Esteetön kylätalo",
        "partner_municipality": "Kuopio",
        "partner_name": "Ville Vehmersalmi",
        "partner_email": "ville@example.fi",
        "partner_phone": "+358401234567",
        "shared_themes": ["Ikäihmiset"],
        "shared_words": ["kylätalo", "luiska"],
        "advisor_name": "Neuvoja Niina",
        "status_url": "https://koonto.example.fi/tila/abc?t=signed",
    },
    "draft-resume": {
        "email": "maija@example.fi",
        "resume_url": "https://koonto.example.fi/ideas/draft/signed",
        "expires_at": datetime(2027, 1, 2, 10, 0, tzinfo=UTC),
    },
    "subscription-confirm": {
        "email": "tilaaja@example.fi",
        "topics": ["call_announcements", "newsletter", "events"],
        "confirm_url": "https://koonto.example.fi/tilaus/vahvista?t=signed",
    },
    "registration-confirmation": {
        **_SIGN_UP,
        "status": "confirmed",
        "position": None,
        "promoted": False,
        "what_to_bring": "Kannettava tietokone.",
    },
    "registration-reminder": {
        **_SIGN_UP,
        "ends_at": datetime(2026, 12, 3, 17, 0, tzinfo=UTC),
        "what_to_bring": "Kannettava tietokone ja hankeidea paperilla.",
    },
    "erasure-confirmation": {"requested_at": datetime(2026, 11, 20, 10, 0, tzinfo=UTC)},
    "call-announcement": {
        "call_name": "ESR+ kansalaistoiminnan kehittäminen 2027",
        "funder": "Itä-Suomen elinvoimakeskus",
        "opens_on": date(2026, 12, 1),
        "closes_on": date(2027, 2, 15),
        "budget_eur": 1250000,
        "url": "https://rahoitus.example.fi/haku/2027",
        "description": "Haku on tarkoitettu yhdistysten kehittämishankkeille.",
        "days_left": None,
    },
    "call-reminder": {
        "name": "Maija Meikäläinen",
        "reference": "KOO-2026-0042",
        "call_name": "ESR+ kansalaistoiminnan kehittäminen 2027",
        "closes_on": date(2027, 2, 15),
        "days_left": 3,
        "status_url": "https://koonto.example.fi/tila/abc?t=signed",
        "sms_link": "https://koonto.example.fi/tila/abc?t=signed",
    },
    "event-invitation": {
        "event_title": "Yhdistysfoorumi Iisalmessa",
        "event_kind": "forum",
        "starts_at": datetime(2027, 1, 20, 14, 0, tzinfo=UTC),
        "place": "Iisalmen kulttuurikeskus",
        "online_url": None,
        "description": "Tule kuulemaan rahoitusmahdollisuuksista ja verkostoitumaan.",
        "register_url": "https://koonto.example.fi/events/123/register",
    },
    "advice-booking-confirmation": {**_BOOKING, "kind": "phone", "online_url": None, "phone": "+358401234567"},
    "advice-session-reminder": {
        **_BOOKING,
        "kind": "online",
        "online_url": "https://meet.example.fi/koonto-neuvonta",
        "phone": None,
    },
    "advice-booking-cancelled": {
        "starts_at": datetime(2026, 12, 8, 8, 0, tzinfo=UTC),
        "book_url": "https://koonto.example.fi/advice",
    },
    "staff-password-link": {
        "name": "Neuvoja Niina",
        "email": "niina@koonto.example.fi",
        "purpose": "invitation",
        "url": "https://koonto.example.fi/tyotila/password/staff-1.c2VjcmV0LW5vdC1hLXJlYWwtb25l",
        "expires_at": datetime(2027, 1, 22, 14, 0, tzinfo=UTC),
    },
    "followup-reminder": {
        "name": "Neuvoja Niina",
        "reference": "KOO-2026-0042",
        "followup_kind": "followup",
        "due_on": date(2026, 11, 30),
        "note": "Soita ja kysy budjetista.",
        "case_url": "https://koonto.example.fi/tyotila/asiat/42",
    },
    "staff-digest": {
        "name": "Neuvoja Niina",
        "day": date(2026, 11, 30),
        "cases": [
            {
                "reference": "KOO-2026-0043",
                "title": "Nuorten liikuntakerho",
                "organisation": "Tervon Urheilijat ry",
                "municipality": "Tervo",
                "opened_at": datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
            },
        ],
        "followups": [
            {"reference": "KOO-2026-0042", "due_on": date(2026, 11, 30), "note": "Soita ja kysy budjetista."}
        ],
        "workspace_url": "https://koonto.example.fi/tyotila",
    },
}

NEWSLETTER = {
    "edition": {
        "subject": "Koonnon uutiskirje joulukuu 2026",
        "body": "## Ajankohtaista\n\nHei! Uusi rahoitushaku avautuu **tammikuussa**.\n\n- Hankeklinikka torstaisin\n"
        "- Yhdistysfoorumi Iisalmessa\n\nLisätietoja: [koonto.fi](https://koonto.example.fi)",
    },
    "view_url": "https://koonto.example.fi/newsletters/sample?lang=fi",
}
SAMPLES["newsletter"] = NEWSLETTER
SAMPLES["newsletter-test"] = NEWSLETTER


def sample(kind: str) -> dict[str, Any]:
    links = {} if KINDS[kind].links else {"unsubscribe_url": None, "preferences_url": None}
    return {**COMMON, **SAMPLES[kind], **links}
