"""Funding-call notices: which fall due on which day."""

from __future__ import annotations

from datetime import date, timedelta

from koonto.advisory.domain.schedule import call_notices_due, notices_until


def keys_by_day(opens: date, closes: date, first: date, last: date) -> dict[date, list[str]]:
    out = {}
    day = first
    while day <= last:
        due = [n.key for n in call_notices_due(opens, closes, day)]
        if due:
            out[day] = due
        day += timedelta(days=1)
    return out


def test_a_long_call_has_its_notices_on_their_days() -> None:
    opens, closes = date(2026, 12, 1), date(2027, 1, 31)
    first_days: dict[str, date] = {}
    for day, keys in sorted(keys_by_day(opens, closes, date(2026, 11, 1), date(2027, 3, 31)).items()):
        for key in keys:
            first_days.setdefault(key, day)
    assert first_days == {
        "opened": date(2026, 12, 1),
        "closing-14": date(2027, 1, 17),
        "closing-3": date(2027, 1, 28),
        "closed": date(2027, 2, 1),
    }
    assert [n.days_left for n in call_notices_due(opens, closes, date(2027, 1, 17)) if n.kind == "closing-soon"] == [14]
    assert [n.days_left for n in call_notices_due(opens, closes, date(2027, 1, 28)) if n.kind == "closing-soon"] == [3]


def test_a_missed_day_is_caught_up_but_a_superseded_notice_is_not() -> None:
    opens, closes = date(2026, 12, 1), date(2027, 1, 31)
    late = call_notices_due(opens, closes, date(2027, 1, 20))  # the service was down on 17.1.
    assert {n.key for n in late} == {"opened", "closing-14"}
    assert next(n for n in late if n.key == "closing-14").days_left == 11
    assert "closing-14" not in {n.key for n in call_notices_due(opens, closes, date(2027, 1, 29))}
    assert call_notices_due(opens, closes, notices_until(closes) + timedelta(days=1)) == []
    assert call_notices_due(opens, closes, date(2026, 11, 30)) == []


def test_a_short_call_gets_only_the_notices_that_make_sense() -> None:
    opens, closes = date(2026, 12, 10), date(2026, 12, 15)
    assert {n.key for n in call_notices_due(opens, closes, date(2026, 12, 10))} == {"opened"}
    assert {n.key for n in call_notices_due(opens, closes, date(2026, 12, 12))} == {"opened", "closing-3"}
