"""Y-tunnus, phone and email rules as a Finnish volunteer would meet them."""

from __future__ import annotations

import itertools

import pytest

from koonto.intake.domain.identifiers import (
    BAD_BUSINESS_ID_CHECK,
    BAD_BUSINESS_ID_FORMAT,
    BAD_EMAIL,
    BAD_PHONE,
    business_id_check_digit,
    normalise_business_id,
    normalise_email,
    normalise_phone,
)
from koonto.intake.domain.messages import Invalid


@pytest.mark.parametrize("valid", ["1572860-0", "0112038-9", "0737546-2", " 1572860-0 ", "15728600"])
def test_valid_business_ids_are_accepted_in_canonical_form(valid: str) -> None:
    assert normalise_business_id(valid) == f"{valid.strip()[:7]}-{valid.strip()[-1]}"


def test_old_six_digit_business_id_gets_its_leading_zero() -> None:
    assert normalise_business_id("112038-9") == "0112038-9"


@pytest.mark.parametrize("wrong_check", ["1572860-1", "0112038-8", "0737546-3"])
def test_wrong_check_digit_is_refused_with_the_check_digit_message(wrong_check: str) -> None:
    with pytest.raises(Invalid) as caught:
        normalise_business_id(wrong_check)
    assert caught.value.message.msgid == BAD_BUSINESS_ID_CHECK


@pytest.mark.parametrize("garbage", ["", "abc", "123-4", "12345678-9", "1572860-00", '{"$ne": null}'])
def test_malformed_business_id_is_refused_with_the_format_message(garbage: str) -> None:
    with pytest.raises(Invalid) as caught:
        normalise_business_id(garbage)
    assert caught.value.message.msgid == BAD_BUSINESS_ID_FORMAT


def test_remainder_zero_gives_check_digit_zero() -> None:
    assert business_id_check_digit("1572860") == 0


def test_remainder_one_is_never_issued_so_no_check_digit_makes_it_valid() -> None:
    weights = (7, 9, 10, 5, 8, 4, 2)
    body = next(
        "".join(digits) for digits in itertools.product("0123456789", repeat=7)
        if sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 1
    )
    assert business_id_check_digit(body) is None
    for check in range(10):
        with pytest.raises(Invalid):
            normalise_business_id(f"{body}-{check}")


def test_check_digit_is_eleven_minus_remainder_otherwise() -> None:
    # 0,1,1,2,0,3,8 -> 0+9+10+10+0+12+16 = 57, 57 % 11 = 2, check digit 9
    assert business_id_check_digit("0112038") == 9


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("040 123 4567", "+358401234567"),
        ("040-1234567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("00358 40 123 4567", "+358401234567"),
        ("(017) 123 4567", "+358171234567"),
        ("050 987 6543", "+358509876543"),
        ("+46 70 123 45 67", "+46701234567"),
    ],
)
def test_phone_numbers_written_the_finnish_way_become_e164(written: str, e164: str) -> None:
    assert normalise_phone(written) == e164


@pytest.mark.parametrize("bad", ["123", "abc", "040", "+358 40", "040 123 4567 8901 2345", "0000000000"])
def test_unparseable_phone_is_refused(bad: str) -> None:
    with pytest.raises(Invalid) as caught:
        normalise_phone(bad)
    assert caught.value.message.msgid == BAD_PHONE


def test_email_is_lower_cased_and_bad_syntax_refused() -> None:
    assert normalise_email(" Maija@Example.FI ") == "maija@example.fi"
    for bad in ["maija", "maija@", "@example.fi", "maija@@example.fi", "maija example@fi.fi"]:
        with pytest.raises(Invalid) as caught:
            normalise_email(bad)
        assert caught.value.message.msgid == BAD_EMAIL
