"""Finnish identifiers a volunteer types in: Y-tunnus (business id), phone numbers, email addresses."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from koonto.intake.domain.messages import N_, Invalid

BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_BUSINESS_ID = re.compile(r"^(\d{6,7})-?(\d)$")

BAD_BUSINESS_ID_FORMAT = N_("Anna Y-tunnus muodossa 1234567-1.")
BAD_BUSINESS_ID_CHECK = N_("Y-tunnuksen tarkiste ei täsmää. Tarkista numero esimerkiksi YTJ:stä (ytj.fi).")
BAD_PHONE = N_("Puhelinnumero ei kelpaa. Anna numero muodossa 040 123 4567 tai +358 40 123 4567.")
BAD_EMAIL = N_("Sähköpostiosoite ei kelpaa. Anna osoite muodossa nimi@esimerkki.fi.")


def business_id_check_digit(first_seven: str) -> int | None:
    """The check digit of a Y-tunnus, or None when the remainder is 1 (such numbers are never issued)."""
    remainder = sum(int(d) * w for d, w in zip(first_seven, BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def normalise_business_id(raw: str) -> str:
    """'1572860-0' -> itself; '157286-0' (old six-digit form) -> '0157286-0'. Raises Invalid."""
    compact = re.sub(r"\s+", "", raw)
    match = _BUSINESS_ID.match(compact)
    if not match:
        raise Invalid(BAD_BUSINESS_ID_FORMAT)
    body, check = match.group(1).rjust(7, "0"), int(match.group(2))
    if business_id_check_digit(body) != check:
        raise Invalid(BAD_BUSINESS_ID_CHECK)
    return f"{body}-{check}"


def normalise_phone(raw: str, default_region: str = "FI") -> str:
    """A phone number as E.164; Finnish ways of writing it ('040 123 4567', '040-1234567') are accepted."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise Invalid(BAD_PHONE) from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid(BAD_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """A stored E.164 number as a Finn writes it: a mobile number '040 123 4567', a landline as the national
    format has it ('09 1234567'), a foreign number internationally ('+46 70 123 45 67')."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "FI")
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code != 358:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    digits = "0" + phonenumbers.national_significant_number(number)
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE and len(digits) == 10:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def normalise_email(raw: str) -> str:
    """Syntax only (no DNS lookups in a request path). Lower-cased as a whole: mailboxes are case-insensitive in
    practice, and one person must be one address for duplicates, subscriptions and erasure."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(BAD_EMAIL) from None
    return result.normalized.lower()
