"""Dates, times and lists as each of the three languages writes them; region texts with their translations."""

from __future__ import annotations

from datetime import UTC, datetime

from koonto.shared.clock import format_datetime
from koonto.shared.region import load_region

MOMENT = datetime(2026, 12, 4, 8, 5, tzinfo=UTC)  # 10.05 in Helsinki


def test_date_and_time_in_each_language() -> None:
    assert format_datetime(MOMENT) == "4.12.2026 klo 10.05"
    assert format_datetime(MOMENT, "fi") == "4.12.2026 klo 10.05"
    assert format_datetime(MOMENT, "sv") == "4.12.2026 kl. 10.05"
    assert format_datetime(MOMENT, "en") == "4.12.2026 10.05"


def test_region_texts_fall_back_to_finnish() -> None:
    region = load_region("pohjois-savo")
    assert region.funding_programme_in("fi") == "ESF+ toimintalinja 4, erityistavoite 4.3"
    assert region.funding_programme_in("sv") == "ESF+ prioritering 4, specifikt mål 4.3"
    assert region.funding_programme_in("en") == "ESF+ priority 4, specific objective 4.3"
    bare = region.model_copy(update={"funding_programme_sv": None})
    assert bare.funding_programme_in("sv") == region.funding_programme
