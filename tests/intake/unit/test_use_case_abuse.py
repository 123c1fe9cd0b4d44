"""Bots and the rate limit (use_cases/abuse.py): what is counted, dropped, asked to confirm, let through."""

from __future__ import annotations

from koonto.intake.bootstrap import bootstrap
from koonto.intake.links import Links
from koonto.intake.settings import IntakeSettings
from tests.support.memory import memory_infra


async def test_only_the_honeypot_drops_a_missing_stamp_and_a_too_fast_fill_are_asked_to_confirm(make_intake) -> None:
    intake = make_intake(min_fill_seconds=3)
    stamp = intake.abuse.stamp("idea")
    assert await intake.abuse.verdict("idea", {"website": "http://spam", "form_token": stamp}) == "drop"
    assert await intake.abuse.verdict("idea", {"form_token": "forged"}) == "confirm"
    assert await intake.abuse.verdict("idea", {"form_token": intake.abuse.stamp("subscription")}) == "confirm"
    assert await intake.abuse.verdict("idea", {"form_token": stamp}) == "confirm"  # signed just now: too fast
    assert await intake.views.abuse_counts() == {"idea:honeypot": 1, "idea:form_token": 2, "idea:too_fast": 1}
    # the answer to the "please confirm" page goes through at once, unless the honeypot is filled
    confirmed = intake.abuse.stamp("idea", confirm=True)
    assert await intake.abuse.verdict("idea", {"form_token": confirmed}) == "person"
    assert await intake.abuse.verdict("idea", {"form_token": confirmed, "website": "x"}) == "drop"
    assert await intake.abuse.verdict("subscription", {"form_token": confirmed}) == "confirm"  # another form's


async def test_a_person_who_took_their_time_is_no_bot(clock) -> None:
    settings = IntakeSettings(mode="test", public_base_url="http://intake.test", min_fill_seconds=3)
    now = [1_000_000.0]
    intake = bootstrap(memory_infra(settings), clock=clock, links=Links.from_settings(settings, clock=lambda: now[0]))
    stamp = intake.abuse.stamp("registration")
    now[0] += 10
    assert await intake.abuse.verdict("registration", {"form_token": stamp, "website": " "}) == "person"
    assert await intake.views.abuse_counts() == {}


def test_the_rate_limit_refuses_a_client_over_the_limit_and_forgets_it_when_full_again(make_intake) -> None:
    intake = make_intake(rate_limit_requests=2, rate_limit_window_seconds=60)
    assert [intake.abuse.over_rate_limit("1.2.3.4", now=0.0) for _ in range(2)] == [None, None]
    assert intake.abuse.over_rate_limit("1.2.3.4", now=0.0) == 30
    assert intake.abuse.over_rate_limit("5.6.7.8", now=0.0) is None
    assert intake.abuse.rate_limits.forget_full(1000.0) == 2
