"""Reporting's pure logic: working days, what an event contributes, funnel and durations, query checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koonto.reporting.domain import model
from koonto.reporting.domain.query import QueryErrors, default_period, parse_report_query
from koonto.reporting.domain.recount import histogram
from koonto.reporting.domain.report import duration_figures, durations, funnel
from koonto.reporting.domain.workdays import (
    is_working_day,
    median,
    percentile_nearest_rank,
    working_days_between,
)
from koonto.reporting.store import merge_increments
from koonto.reporting.web.svg import bar_chart
from koonto.shared.contracts.advisory import StageChanged
from koonto.shared.mongo import instant
from koonto.shared.region import load_region


def test_working_days_skip_weekends_and_finnish_holidays() -> None:
    assert working_days_between(date(2026, 1, 5), date(2026, 1, 5)) == 0
    assert working_days_between(date(2026, 1, 5), date(2026, 1, 7)) == 1  # Tue 6.1. is Epiphany
    assert working_days_between(date(2026, 1, 9), date(2026, 1, 12)) == 1  # Friday -> Monday
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1  # Good Friday and Easter Monday off
    assert working_days_between(date(2026, 12, 23), date(2026, 12, 28)) == 1  # 24.-27.12. off
    assert working_days_between(date(2026, 3, 10), date(2026, 3, 1)) == 0  # backdated: never negative
    assert working_days_between(date(2025, 12, 31), date(2026, 1, 2)) == 1  # New Year's Day off, across years


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2019, 1, 1), date(2031, 12, 31)), st.integers(-40, 900))
def test_working_days_in_constant_time_equal_counting_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    counted = sum(1 for n in range(1, span + 1) if is_working_day(start + timedelta(days=n)))
    assert working_days_between(start, end) == counted


def test_median_and_nearest_rank_p90() -> None:
    assert median([]) is None and percentile_nearest_rank([], 90) is None
    assert median([3, 1, 2, 10]) == 2.5
    values = list(range(1, 11))
    assert percentile_nearest_rank(values, 90) == 9
    assert percentile_nearest_rank([5], 90) == 5
    assert percentile_nearest_rank(list(range(1, 21)), 90) == 18


def test_days_are_helsinki_calendar_days() -> None:
    assert model.day_of(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == "2026-04-01"  # 01.30 EEST
    assert model.day_of(datetime(2026, 1, 1, 21, 59, tzinfo=UTC)) == "2026-01-01"  # 23.59 EET
    assert model.day_of(date(2026, 5, 1)) == "2026-05-01"


def test_organisation_key_prefers_business_id_and_normalises_names() -> None:
    assert model.organisation_key("Toivalan kyläyhdistys ry", "1572860-0") == "y:1572860-0"
    assert model.organisation_key("Toivalan  Kyläyhdistys RY ", None) == model.organisation_key(
        "toivalan kyläyhdistys ry", None
    )
    assert "Toivalan" not in model.organisation_key("Toivalan kyläyhdistys ry", None)


def _stage(from_stage: str, to_stage: str, **kw: object) -> StageChanged:
    return StageChanged(
        case_id="c", idea_id="i", reference="KOO-1", from_stage=from_stage, to_stage=to_stage,  # type: ignore[arg-type]
        changed_by="s", changed_at=datetime(2026, 3, 2, 8, tzinfo=UTC), **kw,  # type: ignore[arg-type]
    )


def test_stage_changes_move_one_case_between_stages_and_count_applications_and_decisions() -> None:
    incs = model.stage_increments(_stage("preparing", "submitted", call_id="k1", amount_applied_eur=1000), "kuopio")
    ids = {i.counter_id: i.values for i in incs}
    assert ids == {
        "stage|2026-03-02|kuopio|preparing": {"n": -1},
        "stage|2026-03-02|kuopio|submitted": {"n": 1},
        "applications|2026-03-02|kuopio|k1": {"n": 1, "eur_applied": 1000},
    }
    resubmitted = model.stage_increments(_stage("supplementing", "submitted", call_id="k1"), "kuopio")
    assert not [i for i in resubmitted if i.metric == "applications"]  # the same application, not a new one
    funded = model.stage_increments(
        _stage("submitted", "funded", amount_applied_eur=5000, amount_granted_eur=4000), "kuopio"
    )
    assert [i.values for i in funded if i.metric == "decisions"] == [{"n": 1, "eur_applied": 5000, "eur_granted": 4000}]


def test_a_plan_names_each_counter_once() -> None:
    same = model.stage_increments(_stage("sparring", "sparring"), "kuopio")
    merged = merge_increments(same)
    assert len(merged) == 1 and merged[0]["values"] == {"n": 0}


def _case(idea: datetime, contact: datetime | None = None, **reached: datetime) -> dict[str, object]:
    return {"idea_at": instant(idea), "first_contact_at": instant(contact) if contact else None,
            "reached": {"idea": instant(idea), **{k: instant(v) for k, v in reached.items()}}}


def test_funnel_counts_the_period_cohort_by_the_end_of_the_period() -> None:
    cases = [
        _case(datetime(2026, 1, 5, 8, tzinfo=UTC), sparring=datetime(2026, 1, 9, tzinfo=UTC),
              submitted=datetime(2026, 4, 2, tzinfo=UTC)),
        _case(datetime(2026, 2, 5, 8, tzinfo=UTC), sparring=datetime(2026, 2, 9, tzinfo=UTC)),
        _case(datetime(2026, 5, 5, 8, tzinfo=UTC), sparring=datetime(2026, 5, 6, tzinfo=UTC)),
    ]
    result = funnel(cases, date(2026, 1, 1), date(2026, 3, 31))
    assert result["cohort"] == 2
    assert result["reached"]["sparring"] == 2 and result["reached"]["submitted"] == 0  # April is after the end
    assert result["conversion"][0] == {"from": "idea", "to": "sparring", "rate_percent": 100.0}


def test_durations_are_measured_for_contacts_and_submissions_inside_the_period() -> None:
    cases = [
        _case(datetime(2026, 1, 5, 8, tzinfo=UTC), datetime(2026, 1, 7, 8, tzinfo=UTC),
              submitted=datetime(2026, 2, 10, 8, tzinfo=UTC)),
        _case(datetime(2026, 1, 12, 8, tzinfo=UTC), datetime(2026, 1, 14, 8, tzinfo=UTC)),
        _case(datetime(2026, 3, 30, 8, tzinfo=UTC), datetime(2026, 4, 3, 8, tzinfo=UTC)),  # contact in April
    ]
    result = durations(cases, date(2026, 1, 1), date(2026, 3, 31))
    assert result["idea_to_first_contact"] == {"cases": 2, "median": 1.5, "p90": 2}
    assert result["idea_to_submitted"] == {"cases": 1, "median": 25.0, "p90": 25}  # 7.1.-10.2., 6.1. off


def test_report_queries_are_checked_with_messages_in_finnish() -> None:
    region = load_region("pohjois-savo")
    query = parse_report_query(region, "2026-01-01", "2026-03-31", "kuopio")
    assert (query.first, query.last, query.municipality) == (date(2026, 1, 1), date(2026, 3, 31), "kuopio")
    assert parse_report_query(region, "2026-01-01", "2026-01-01", "").municipality is None
    with pytest.raises(QueryErrors) as bad:
        parse_report_query(region, "1.1.2026", None, "tampere")
    assert set(bad.value.errors) == {"from", "to", "municipality"}
    assert "VVVV-KK-PP" in bad.value.errors["from"] and "Tuntematon kunta" in bad.value.errors["municipality"]
    with pytest.raises(QueryErrors) as compact:
        parse_report_query(region, "20260101", "2026-02-30", None)
    assert set(compact.value.errors) == {"from", "to"}
    with pytest.raises(QueryErrors) as backwards:
        parse_report_query(region, "2026-02-01", "2026-01-01", None)
    assert "ennen alkupäivää" in backwards.value.errors["to"]


def test_a_query_without_a_period_is_the_whole_current_calendar_year() -> None:
    region = load_region("pohjois-savo")
    today = date(2026, 3, 10)
    assert default_period(today) == (date(2026, 1, 1), date(2026, 12, 31))
    whole = parse_report_query(region, None, " ", None, today=today)
    # a forum held in November is in the default report even in March (the year's end, not today, ends it)
    assert (whole.first, whole.last) == (date(2026, 1, 1), date(2026, 12, 31))
    assert parse_report_query(region, "", "", "kuopio", today=date(2027, 1, 1)).last == date(2027, 12, 31)
    with pytest.raises(QueryErrors) as half:  # one end only is a mistake, not a wish for the default
        parse_report_query(region, None, "2026-06-30", None, today=today)
    assert set(half.value.errors) == {"from"}
    with pytest.raises(QueryErrors):  # without a day to default from, the period stays required
        parse_report_query(region, None, None, None)


def test_svg_chart_names_itself_and_writes_every_value_as_text() -> None:
    svg = str(bar_chart("c1", "Ideat <kunnittain>", [("Kuopio", 3), ("Iisalmi", 1.5), ("Tervo", 0)]))
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert "<title id=\"c1-title\">Ideat &lt;kunnittain&gt;</title>" in svg
    assert ">Kuopio<" in svg and ">3<" in svg and ">1,5<" in svg and ">0<" in svg
    assert "Kuopio: 3; Iisalmi: 1,5; Tervo: 0" in svg


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 80), max_size=60), st.lists(st.integers(0, 5), max_size=3))
def test_duration_figures_from_a_histogram_equal_those_from_every_value(values: list[int], spare: list[int]) -> None:
    """The report reads the durations' median and 90th percentile from the histogram's counts; they equal the
    figures of the list of every value (keys left at zero, as a move leaves them, count nothing)."""
    rows = [{"key": str(v), "n": 1} for v in values] + [{"key": str(v + 100), "n": 0} for v in spare]
    assert duration_figures(histogram(rows), histogram(rows)) == duration_figures(values, values)
