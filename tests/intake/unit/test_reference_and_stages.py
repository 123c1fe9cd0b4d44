from __future__ import annotations

import pytest

from koonto.intake.domain.reference import REFERENCE_PATTERN, counter_key, format_reference
from koonto.intake.domain.stages import STAGE_LABELS, stage_label
from koonto.shared.contracts.advisory import Stage


def test_reference_is_prefix_year_and_four_digit_sequence() -> None:
    assert format_reference("KOO", 2026, 42) == "KOO-2026-0042"
    assert format_reference("koo", 2027, 1) == "KOO-2027-0001"
    assert format_reference("KOO", 2026, 12345) == "KOO-2026-12345"  # grows past 9999 instead of wrapping
    assert REFERENCE_PATTERN.match("KOO-2026-0042")
    assert not REFERENCE_PATTERN.match("KOO-26-42")


def test_sequence_starts_at_one() -> None:
    with pytest.raises(ValueError):
        format_reference("KOO", 2026, 0)


def test_counters_are_per_prefix_and_year() -> None:
    assert counter_key("KOO", 2026) != counter_key("KOO", 2027) != counter_key("LEA", 2026)


def test_every_lifecycle_stage_has_its_finnish_label() -> None:
    assert set(STAGE_LABELS) == set(Stage.__args__)  # type: ignore[attr-defined]
    assert stage_label("sparring") == "Sparrauksessa"
    assert stage_label("supplementing") == "Täydennyspyyntö"
    assert stage_label("funded") == "Myönteinen rahoituspäätös"
    assert stage_label("withdrawn") == "Ei etene"
