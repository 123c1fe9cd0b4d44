"""Composing: the message carries the unsubscribe links, a fan-out's shared context and, for a confirmed
registration, a calendar entry; a template that cannot render the data is a permanent failure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from koonto.notify.domain.retry import DeliveryError
from koonto.notify.samples import sample
from tests.notify.unit.conftest import Notify
from tests.support.samples import envelope, idea_submitted

Document = dict[str, Any]
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def planned(notify: Notify, kind: str, context: Document, **fields: Any) -> Document:
    return notify.container.planner.plan(
        envelope(idea_submitted()), kind=kind, channel="email", address="a@example.fi", language="fi", name="A",
        context=context, recipient_ref="r", **fields,
    )


async def test_a_mail_has_its_message_id_and_one_click_unsubscribe(notify: Notify) -> None:
    doc = planned(notify, "receipt", sample("receipt"))
    email = await notify.container.composer.email(doc, NOW)
    assert email.message["Message-ID"] == email.message_id
    assert email.message["List-Unsubscribe"].startswith("<http://notify.test/unsubscribe/")
    assert email.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.rendered.language == "fi" and not email.rendered.fallback


async def test_a_fanout_delivery_takes_the_fanout_context(notify: Notify) -> None:
    await notify.container.fanout.start(
        envelope(idea_submitted()), kind="call-announcement", topic="call_announcements", title="Kylät",
        context=sample("call-announcement"),
    )
    [fanout] = [d async for d in notify.infra.store["fanouts"].find({})]
    doc = planned(notify, "call-announcement", {}, fanout_id=fanout["_id"])
    context = await notify.container.composer.context(doc)
    assert context["call_name"] == sample("call-announcement")["call_name"]
    assert context["project_name"] == notify.infra.region.project_name


async def test_a_confirmed_registration_carries_a_calendar(notify: Notify) -> None:
    context = {**sample("registration-confirmation"), "status": "confirmed"}
    doc = planned(notify, "registration-confirmation", context)
    email = await notify.container.composer.email(doc, NOW)
    calendars = [part for part in email.message.walk() if part.get_content_type() == "text/calendar"]
    assert calendars


async def test_data_the_template_cannot_render_is_a_permanent_failure(notify: Notify) -> None:
    doc = planned(notify, "receipt", {})
    with pytest.raises(DeliveryError) as failure:
        await notify.container.composer.email(doc, NOW)
    assert failure.value.permanent and "render failed" in failure.value.reason
