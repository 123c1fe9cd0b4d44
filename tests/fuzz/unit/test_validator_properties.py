"""Properties of the validators a volunteer's input goes through (hypothesis)."""

from __future__ import annotations

import phonenumbers
from hypothesis import assume, given
from hypothesis import strategies as st

from koonto.intake.domain.identifiers import business_id_check_digit, normalise_business_id, normalise_phone
from koonto.intake.domain.messages import Invalid

WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
seven_digits = st.text(alphabet="0123456789", min_size=7, max_size=7)


def reference_check(body: str) -> int | None:
    """Independent statement of the rule: weights 7 9 10 5 8 4 2, mod 11; 0 -> 0, 1 -> never issued, else 11 - r."""
    remainder = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11
    return {0: 0, 1: None}.get(remainder, 11 - remainder)


@given(seven_digits)
def test_business_id_check_digit_follows_the_rule(body: str) -> None:
    assert business_id_check_digit(body) == reference_check(body)


@given(seven_digits, st.integers(0, 9))
def test_exactly_the_right_check_digit_is_accepted(body: str, check: int) -> None:
    expected = reference_check(body)
    try:
        normalised = normalise_business_id(f"{body}-{check}")
    except Invalid:
        assert expected != check
    else:
        assert expected == check and normalised == f"{body}-{check}"


@given(st.text(max_size=40))
def test_business_id_never_crashes_on_any_text(raw: str) -> None:
    try:
        result = normalise_business_id(raw)
    except Invalid:
        return
    assert len(result) == 9 and result[7] == "-"


@given(st.text(max_size=40))
def test_phone_never_crashes_and_gives_e164(raw: str) -> None:
    try:
        result = normalise_phone(raw)
    except Invalid:
        return
    assert result.startswith("+") and result[1:].isdigit() and len(result) <= 16


@given(st.sampled_from(["40", "44", "45", "50"]), st.text(alphabet="0123456789", min_size=7, max_size=7),
       st.sampled_from(["0{p} {a} {b}", "0{p}-{a}{b}", "+358 {p} {a} {b}", "00358{p}{a}{b}", "(0{p}) {a}{b}"]))
def test_finnish_mobile_numbers_written_the_finnish_way_are_accepted(prefix: str, digits: str, shape: str) -> None:
    number = phonenumbers.parse(f"+358{prefix}{digits}")
    assume(phonenumbers.is_valid_number(number))
    written = shape.format(p=prefix, a=digits[:3], b=digits[3:])
    assert normalise_phone(written) == f"+358{prefix}{digits}"
