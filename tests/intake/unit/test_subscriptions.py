from __future__ import annotations

from datetime import UTC, datetime, timedelta

from koonto.intake.domain.subscriptions import on_request

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
RESEND = timedelta(minutes=10)


def test_a_new_address_gets_a_confirmation() -> None:
    assert on_request(None, None, NOW, RESEND) == "create"


def test_a_pending_request_is_mailed_again_only_after_a_pause() -> None:
    assert on_request("pending", NOW - timedelta(minutes=1), NOW, RESEND) == "nothing"
    assert on_request("pending", NOW - timedelta(minutes=11), NOW, RESEND) == "resend"


def test_a_confirmed_subscription_is_left_alone_and_a_cancelled_one_starts_over() -> None:
    assert on_request("confirmed", NOW - timedelta(days=30), NOW, RESEND) == "nothing"
    assert on_request("cancelled", NOW - timedelta(days=30), NOW, RESEND) == "renew"
    assert on_request("erased", None, NOW, RESEND) == "renew"
