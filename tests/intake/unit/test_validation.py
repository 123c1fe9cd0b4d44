"""The idea rules, and the messages a volunteer reads in Finnish, Swedish or English."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from koonto.intake.domain import ideas
from koonto.intake.domain.amendments import validate_amendment
from koonto.intake.domain.identifiers import BAD_BUSINESS_ID_CHECK
from koonto.intake.domain.messages import UNKNOWN_FIELD, FieldErrors
from koonto.intake.domain.registrations import validate_registration
from koonto.intake.domain.subscriptions import validate_subscription
from koonto.shared.i18n import Catalogues
from koonto.shared.region import load_region
from tests.intake.helpers import DELETE, idea_body

REGION = load_region("pohjois-savo")
LOCALE = Path(ideas.__file__).parents[1] / "locale"


def errors_of(**overrides: Any) -> FieldErrors:
    draft, errors = ideas.validate_idea(idea_body(**overrides), REGION)
    assert (draft is None) == bool(errors)
    return errors


def test_a_complete_idea_is_valid_and_normalised() -> None:
    draft, errors = ideas.validate_idea(idea_body(), REGION)
    assert errors == {} and draft is not None
    assert draft.contact["phone"] == "+358401234567"
    assert draft.organisation["business_id"] == "1572860-0"
    assert draft.consents == {"privacy_notice": True, "call_announcements": False, "newsletter": False,
                              "publication": True, "partner_introductions": False}


def test_messages_are_in_finnish_swedish_and_english() -> None:
    catalogues = Catalogues(LOCALE)
    message = errors_of(organisation__business_id="1572860-1")["organisation.business_id"]
    assert message.msgid == BAD_BUSINESS_ID_CHECK
    fi = message.render(lambda m: catalogues.gettext_in("fi", m))
    sv = message.render(lambda m: catalogues.gettext_in("sv", m))
    en = message.render(lambda m: catalogues.gettext_in("en", m))
    assert fi.startswith("Y-tunnuksen tarkiste ei täsmää")
    assert "kontrollsiffra" in sv
    assert "check digit" in en
    too_long = errors_of(title="x" * 201)["title"]
    assert too_long.render(lambda m: catalogues.gettext_in("en", m)) == "The text is too long: at most 200 characters."


@pytest.mark.parametrize(
    ("overrides", "field", "msgid"),
    [
        ({"organisation__business_id": DELETE}, "organisation.business_id", ideas.BUSINESS_ID_REQUIRED),
        ({"organisation__type": "informal_group"}, "organisation.business_id", ideas.BUSINESS_ID_NOT_FOR_GROUP),
        ({"organisation__municipality": "helsinki"}, "organisation.municipality", ideas.MUNICIPALITY_UNKNOWN),
        ({"organisation__municipality": "other"}, "organisation.municipality_other", ideas.MUNICIPALITY_OTHER_MISSING),
        ({"contact__channel": "sms", "contact__phone": DELETE}, "contact.phone", ideas.PHONE_NEEDED_FOR_SMS),
        ({"consents__privacy_notice": False}, "consents.privacy_notice", ideas.PRIVACY_REQUIRED),
        ({"consents": {"newsletter": True}}, "consents.privacy_notice", ideas.PRIVACY_REQUIRED),
        ({"themes": []}, "themes", ideas.THEMES_MISSING),
        ({"themes": ["astrology"]}, "themes", ideas.THEME_UNKNOWN),
        ({"estimated_budget_eur": 12.5}, "estimated_budget_eur", ideas.BUDGET_INVALID),
        ({"estimated_budget_eur": True}, "estimated_budget_eur", ideas.BUDGET_INVALID),
        ({"title": "  "}, "title", ideas.TITLE_MISSING),
        ({"website": "x"}, "website", UNKNOWN_FIELD),
        ({"contact__fax": "x"}, "contact.fax", UNKNOWN_FIELD),
        ({"title": {"$ne": None}}, "title", "Anna arvo tekstinä."),
        ({"contact__language": "de"}, "contact.language", "Valitse jokin annetuista vaihtoehdoista."),
    ],
)
def test_each_rule_reports_on_its_own_field(overrides: dict[str, Any], field: str, msgid: str) -> None:
    assert errors_of(**overrides)[field].msgid == msgid


def test_all_problems_are_reported_at_once() -> None:
    errors = errors_of(organisation__business_id="1", contact__email="maija", contact__phone="12", title=DELETE)
    assert {"organisation.business_id", "contact.email", "contact.phone", "title"} <= set(errors)


def test_other_municipality_and_informal_group_without_business_id_are_fine() -> None:
    draft, errors = ideas.validate_idea(
        idea_body(organisation={"name": "Lukupiiri", "type": "informal_group", "municipality": "other",
                                "municipality_other": "Joensuu"}), REGION,
    )
    assert errors == {} and draft is not None
    assert draft.organisation["business_id"] is None and draft.organisation["municipality_other"] == "Joensuu"


def test_text_that_looks_like_operators_or_markup_is_kept_as_plain_text() -> None:
    draft, _ = ideas.validate_idea(idea_body(title='<script>alert(1)</script> {"$gt": ""}'), REGION)
    assert draft is not None and draft.title == '<script>alert(1)</script> {"$gt": ""}'


def test_budget_written_the_finnish_way_is_whole_euros() -> None:
    assert ideas.parse_budget("25 000 €") == 25000
    assert ideas.parse_budget("1\u00a0250") == 1250


def test_same_idea_twice_has_the_same_fingerprint_and_a_change_makes_another() -> None:
    a, _ = ideas.validate_idea(idea_body(), REGION)
    b, _ = ideas.validate_idea(idea_body(contact__phone="+358 40 123 4567"), REGION)  # same number, other form
    c, _ = ideas.validate_idea(idea_body(title="Toinen idea"), REGION)
    assert a and b and c
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_stored_idea_has_every_field_of_the_draft_so_fingerprints_of_stored_ideas_stay_the_same() -> None:
    draft, _ = ideas.validate_idea(idea_body(), REGION)
    assert draft is not None
    expected = {**dataclasses.asdict(draft), "themes": list(draft.themes), "target_groups": list(draft.target_groups)}
    assert draft.as_dict() == expected
    assert set(draft.as_dict()) == {f.name for f in dataclasses.fields(ideas.IdeaDraft)}
    # the fingerprint of an idea stored before this release (computed from dataclasses.asdict) is unchanged
    canonical = json.dumps(expected, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert draft.fingerprint() == hashlib.sha256(canonical.encode()).hexdigest()


def test_amendment_lists_only_what_changed() -> None:
    contact = {"name": "Maija", "email": "maija@example.fi", "phone": "+358401234567", "language": "fi",
               "channel": "email"}
    amendment, errors = validate_amendment(
        {"contact": {**contact, "phone": "050 987 6543"}, "description": "Sama"},
        current_contact=contact, current_description="Sama",
    )
    assert errors == {} and amendment is not None
    assert amendment.changed_fields == ("contact.phone",)
    assert amendment.contact is not None and amendment.contact["phone"] == "+358509876543"
    assert amendment.description is None


def test_registration_and_subscription_rules() -> None:
    _, errors = validate_registration({"scheduled_event_id": "e1", "participant": {"name": "A", "email": "bad"},
                                       "consents": {"privacy_notice": True}}, REGION)
    assert set(errors) == {"participant.email"}
    _, errors = validate_subscription({"email": "a@example.fi", "topics": ["horoscope"],
                                       "consents": {"privacy_notice": True}}, REGION)
    assert set(errors) == {"topics"}


def test_a_stored_phone_number_is_shown_as_a_finn_writes_it() -> None:
    from koonto.intake.domain.identifiers import display_phone, normalise_phone

    assert display_phone(normalise_phone("0401234567")) == "040 123 4567"
    assert display_phone(normalise_phone("+358 50 123 4567")) == "050 123 4567"
    assert display_phone("+35891234567") == "09 1234567"
    assert display_phone("+46701234567") == "+46 70 123 45 67"
    assert display_phone(None) == ""
