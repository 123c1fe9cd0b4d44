"""A project idea as the association sends it: the rules it must meet, and what makes two sends the same."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from koonto.intake.domain.fields import Fields
from koonto.intake.domain.identifiers import normalise_business_id, normalise_email, normalise_phone
from koonto.intake.domain.messages import N_, FieldErrors, Invalid, Message
from koonto.shared.region import Region

ORGANISATION_TYPES = {
    "registered_association": N_("Rekisteröity yhdistys"),
    "informal_group": N_("Epävirallinen ryhmä"),
    "foundation": N_("Säätiö"),
    "other": N_("Muu yhteisö"),
}
LANGUAGES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
CHANNELS = {"email": N_("Sähköposti"), "sms": N_("Tekstiviesti")}
OTHER_MUNICIPALITY = "other"

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_SCHEDULE = 1000
# the consents of the idea form, in the order the form asks them
CONSENTS = ("privacy_notice", "call_announcements", "newsletter", "publication", "partner_introductions")
MAX_BUDGET_EUR = 10_000_000

BUSINESS_ID_REQUIRED = N_("Anna rekisteröidyn yhdistyksen Y-tunnus.")
BUSINESS_ID_NOT_FOR_GROUP = N_(
    "Epävirallisella ryhmällä ei ole Y-tunnusta. Jätä kenttä tyhjäksi tai valitse toinen yhteisön muoto."
)
MUNICIPALITY_MISSING = N_("Valitse kunta.")
# the region's name in each language (a deployment may serve several regions: the request's is named)
MUNICIPALITY_UNKNOWN = N_("Kunta ei kuulu alueeseen {region_fi}. Valitse kunta listasta tai valitse Muu.")
MUNICIPALITY_OTHER_MISSING = N_("Kerro, mikä kunta.")
PHONE_NEEDED_FOR_SMS = N_("Anna puhelinnumero, jos haluat viestit tekstiviestinä.")
THEMES_MISSING = N_("Valitse vähintään yksi teema.")
THEME_UNKNOWN = N_("Valitse teemat annetuista vaihtoehdoista.")
BUDGET_INVALID = N_("Anna arvio kokonaisina euroina, esimerkiksi 25000.")
BUDGET_TOO_BIG = N_("Arvio on liian suuri: enintään {max} euroa.")
PRIVACY_REQUIRED = N_("Hyväksy tietosuojaseloste, jotta voimme käsitellä ideanne.")
TYPE_MISSING = N_("Valitse yhteisön muoto.")
TITLE_MISSING = N_("Anna idealle nimi.")
DESCRIPTION_MISSING = N_("Kuvaile ideaa muutamalla lauseella.")
ORG_NAME_MISSING = N_("Anna yhdistyksen tai ryhmän nimi.")
CONTACT_NAME_MISSING = N_("Anna yhteyshenkilön nimi.")
EMAIL_MISSING = N_("Anna sähköpostiosoite.")


@dataclass(frozen=True)
class IdeaDraft:
    """A valid idea, normalised (E.164 phone, canonical Y-tunnus, lower-case email domain), ready to store."""

    organisation: dict[str, Any]
    contact: dict[str, Any]
    title: str
    description: str
    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    estimated_budget_eur: int | None
    schedule: str | None
    consents: dict[str, bool]

    def as_dict(self) -> dict[str, Any]:
        # written out rather than dataclasses.asdict, whose recursive deep copy cost ~0.5 ms per call in the
        # profile of POST /api/v1/ideas; the values are plain strings, numbers and booleans, the result the same
        return {
            "organisation": dict(self.organisation), "contact": dict(self.contact), "title": self.title,
            "description": self.description, "themes": list(self.themes), "target_groups": list(self.target_groups),
            "estimated_budget_eur": self.estimated_budget_eur, "schedule": self.schedule,
            "consents": dict(self.consents),
        }

    def fingerprint(self) -> str:
        """Two sends of the same idea (double click, retry) have the same fingerprint."""
        canonical = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def parse_budget(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid(BUDGET_INVALID)
    if isinstance(value, int):
        amount = value
    elif isinstance(value, str):
        compact = re.sub(r"[\s\u00a0\u202f]|€|eur(oa)?$", "", value.strip(), flags=re.IGNORECASE)
        if not re.fullmatch(r"\d{1,12}", compact):
            raise Invalid(BUDGET_INVALID)
        amount = int(compact)
    else:
        raise Invalid(BUDGET_INVALID)
    if amount < 0:
        raise Invalid(BUDGET_INVALID)
    if amount > MAX_BUDGET_EUR:
        raise Invalid(BUDGET_TOO_BIG, max=f"{MAX_BUDGET_EUR:,}".replace(",", "\u00a0"))
    return amount


def read_listed_municipality(body: Fields, region: Region, unknown: str) -> str | None:
    """An optional `municipality`: a code of the region's list, or `other`."""
    municipality = body.text("municipality", required=False, max_length=100)
    if municipality is not None and municipality != OTHER_MUNICIPALITY and region.municipality(municipality) is None:
        body.fail("municipality", unknown)
    return municipality


def require_privacy_notice(
    body: Fields, errors: FieldErrors, message: str, *, also: tuple[str, ...] = ()
) -> dict[str, bool]:
    """`consents.privacy_notice` must be ticked (and nothing else may be in `consents` but the consents named in
    `also`, which are returned)."""
    consents = body.object("consents")
    if not consents.boolean("privacy_notice") and "consents.privacy_notice" not in errors:
        consents.fail("privacy_notice", message)
    given = {name: consents.boolean(name) for name in also}
    consents.finish()
    return given


def read_contact(body: Fields, key: str = "contact", *, default_language: str) -> dict[str, Any]:
    """The contact person, the object `key` of the body: shared by ideas, amendments, registrations and bookings."""
    contact = body.object(key)
    person = _read_person(contact, default_language=default_language)
    contact.finish()
    return person


def _read_person(contact: Fields, *, default_language: str) -> dict[str, Any]:
    name = contact.text("name", missing=CONTACT_NAME_MISSING)
    email = contact.checked("email", normalise_email, contact.text("email", max_length=254, missing=EMAIL_MISSING))
    phone = contact.checked("phone", normalise_phone, contact.text("phone", required=False, max_length=40))
    language = contact.choice("language", LANGUAGES, default=default_language)
    channel = contact.choice("channel", CHANNELS, default="email")
    if channel == "sms" and phone is None and "phone" not in _field_errors(contact):
        contact.fail("phone", PHONE_NEEDED_FOR_SMS)
    return {"name": name, "email": email, "phone": phone, "language": language, "channel": channel}


def _field_errors(fields: Fields) -> set[str]:
    prefix = f"{fields.path}." if fields.path else ""
    return {key.removeprefix(prefix) for key in fields.errors if key.startswith(prefix)}


def validate_idea(raw: Any, region: Region, *, default_language: str = "fi") -> tuple[IdeaDraft | None, FieldErrors]:
    errors: FieldErrors = {}
    body = Fields(raw, errors)

    org = body.object("organisation")
    org_name = org.text("name", missing=ORG_NAME_MISSING)
    org_type = org.choice("type", ORGANISATION_TYPES, missing=TYPE_MISSING)
    business_id = org.checked(
        "business_id", normalise_business_id, org.text("business_id", required=False, max_length=20)
    )
    if org_type == "registered_association" and business_id is None and "business_id" not in _field_errors(org):
        org.fail("business_id", BUSINESS_ID_REQUIRED)
    if org_type == "informal_group" and business_id is not None:
        org.fail("business_id", BUSINESS_ID_NOT_FOR_GROUP)
    municipality = org.text("municipality", missing=MUNICIPALITY_MISSING, max_length=100)
    municipality_other = org.text("municipality_other", required=False)
    if municipality is not None and municipality != OTHER_MUNICIPALITY and region.municipality(municipality) is None:
        org.fail("municipality", MUNICIPALITY_UNKNOWN, region_fi=region.name_fi, region_sv=region.name_sv,
                 region_en=region.name_en)
    if municipality == OTHER_MUNICIPALITY and municipality_other is None:
        org.fail("municipality_other", MUNICIPALITY_OTHER_MISSING)
    if municipality != OTHER_MUNICIPALITY:
        municipality_other = None  # a leftover from the form when a listed municipality was chosen
    org.finish()

    contact = read_contact(body, default_language=default_language)

    title = body.text("title", max_length=MAX_TITLE, missing=TITLE_MISSING)
    description = body.text("description", max_length=MAX_DESCRIPTION, multiline=True, missing=DESCRIPTION_MISSING)
    themes = body.text_list("themes", max_items=len(region.themes), max_length=50)
    if not themes and "themes" not in errors:
        body.fail("themes", THEMES_MISSING)
    elif any(theme not in region.theme_codes for theme in themes):
        body.fail("themes", THEME_UNKNOWN)
    target_groups = body.text_list("target_groups", max_items=10, max_length=100)
    budget_raw = body._take("estimated_budget_eur")
    if isinstance(budget_raw, str) and not budget_raw.strip():
        budget_raw = None
    budget = body.checked("estimated_budget_eur", parse_budget, budget_raw)
    schedule = body.text("schedule", required=False, max_length=MAX_SCHEDULE, multiline=True)

    consent_fields = body.object("consents")
    consents = {name: consent_fields.boolean(name) for name in CONSENTS}
    if not consents["privacy_notice"] and "consents.privacy_notice" not in errors:
        consent_fields.fail("privacy_notice", PRIVACY_REQUIRED)
    consent_fields.finish()
    body.finish()

    if errors:
        return None, errors
    assert org_name and org_type and municipality and title and description  # guaranteed by the rules above
    organisation = {
        "name": org_name, "type": org_type, "business_id": business_id, "municipality": municipality,
        "municipality_other": municipality_other,
    }
    return IdeaDraft(
        organisation=organisation, contact=contact, title=title, description=description, themes=themes,
        target_groups=target_groups, estimated_budget_eur=budget, schedule=schedule, consents=consents,
    ), {}


DRAFT_EMAIL_NEEDED = N_("Anna sähköpostiosoite, johon lähetämme linkin luonnokseen.")


def draft_address(raw: Any) -> tuple[str | None, FieldErrors]:
    """The address a draft's resume link goes to: all a draft needs (the other answers may be unfinished)."""
    contact = raw.get("contact") if isinstance(raw, dict) else None
    given = contact.get("email") if isinstance(contact, dict) else None
    if not isinstance(given, str) or not given.strip():
        return None, {"contact.email": Message(DRAFT_EMAIL_NEEDED)}
    try:
        return normalise_email(given), {}
    except Invalid as bad:
        return None, {"contact.email": bad.message}
