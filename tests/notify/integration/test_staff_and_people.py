"""Staff reminders and the 08:00 digest (once across replicas), erasure, the delivery log and previews."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import policy
from email.parser import BytesParser

from koonto.devsinks import MailSink
from koonto.notify.clock import SettableClock
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.advisory import CaseOpened, CaseOrganisation, EventScheduled, FollowupDue, StaffUpdated
from koonto.shared.contracts.intake import Contact, ErasureRequested, RegistrationPromoted, RegistrationReceived
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted
from tests.support.services import client, running
from tests.support.staff import bearer


async def _n(sink: MailSink) -> int:
    return len(sink.messages)


def staff(staff_id: str, email: str, language: str = "fi") -> StaffUpdated:
    return StaffUpdated(
        staff_id=staff_id,
        email=email,
        display_name=f"Neuvoja {staff_id}",
        language=language,
        roles=("advisor",),
        updated_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


async def test_followup_reminder_and_one_daily_digest_at_0800_across_two_replicas(
    notify_factory,
    mail_sink: MailSink,  # type: ignore[no-untyped-def]
) -> None:
    clock = SettableClock(datetime(2026, 11, 30, 7, 0, tzinfo=HELSINKI))
    async with running(notify_factory(clock=clock)) as runtime:
        await _digest_scenario(Notify(runtime, clock), notify_factory, mail_sink)


async def _digest_scenario(notify: Notify, notify_factory, mail_sink: MailSink) -> None:  # type: ignore[no-untyped-def]
    assert notify.clock is not None
    await notify.publish(envelope(staff("s1", "niina@example.fi")))
    await notify.publish(envelope(staff("s2", "olli@example.fi", "en")))
    await eventually(lambda: notify.runtime.db["recipients"].count_documents({"role": "staff"}), until=lambda n: n == 2)
    opened = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    await notify.publish(
        envelope(
            CaseOpened(
                case_id="c1",
                idea_id="i1",
                reference="KOO-2026-0007",
                opened_at=opened,
                idea_submitted_at=opened,
                title="Kyläkoulun kerho",
                organisation=CaseOrganisation(
                    name="Tervon kyläyhdistys ry", type="registered_association", municipality="tervo"
                ),
            )
        )
    )
    await notify.publish(
        envelope(
            FollowupDue(
                followup_id="f1",
                case_id="c1",
                reference="KOO-2026-0007",
                kind="followup",
                due_on=date(2026, 11, 30),
                recipient_staff_ids=("s1",),
                note="Soita",
            )
        )
    )
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 1, what="reminder to s1")
    assert mail_sink.messages[0]["to"] == ["niina@example.fi"] and "KOO-2026-0007" in mail_sink.messages[0]["subject"]
    await eventually(lambda: notify.runtime.db["case_copies"].count_documents({}), until=lambda n: n == 1)

    # a second replica on the same store, with the same clock
    second = notify_factory(clock=notify.clock)
    async with running(second):
        await stays(lambda: _n(mail_sink), until=lambda n: n == 1, duration=0.6)  # 07:00: no digest yet
        notify.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=HELSINKI))
        await eventually(lambda: _n(mail_sink), until=lambda n: n == 3, what="one digest to each staff member")
        await stays(lambda: _n(mail_sink), until=lambda n: n == 3, duration=1.5)
    digests = {m["to"][0]: m for m in mail_sink.messages[1:]}
    assert set(digests) == {"niina@example.fi", "olli@example.fi"}
    assert "Päivän kooste 30.11.2026" in digests["niina@example.fi"]["subject"]
    assert digests["olli@example.fi"]["subject"].startswith("Daily digest 30.11.2026: 1 new cases, 0 follow-ups")
    body = digests["niina@example.fi"]["parsed"].get_body(("plain",)).get_content()
    assert "KOO-2026-0007" in body and "Tervo" in body and "Soita" in body


async def test_registration_confirmation_carries_a_calendar_file(notify: Notify, mail_sink: MailSink) -> None:
    starts = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    await notify.publish(
        envelope(
            EventScheduled(
                scheduled_event_id="ev1",
                title="Hankeklinikka",
                kind="training",
                starts_at=starts,
                place="Kuopio, sali 2",
                capacity=30,
            )
        )
    )
    await eventually(lambda: notify.runtime.db["scheduled_events"].count_documents({}), until=lambda n: n == 1)
    await notify.publish(
        envelope(
            RegistrationReceived(
                registration_id="r1",
                scheduled_event_id="ev1",
                status="confirmed",
                received_at=starts - timedelta(days=5),
                participant=Contact(name="Matti", email="matti@example.fi", language="en"),
            )
        )
    )
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 1, what="confirmation")
    message = BytesParser(policy=policy.default).parsebytes(mail_sink.messages[0]["raw"])
    assert message["Subject"] == "Registration confirmed: Hankeklinikka"
    [calendar] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    text = calendar.get_content()
    lines = text.replace("\r\n ", "").splitlines()
    assert "BEGIN:VEVENT" in lines and "DTSTART:20261203T150000Z" in lines and "SUMMARY:Hankeklinikka" in lines
    assert "LOCATION:Kuopio\\, sali 2" in lines


async def test_a_promotion_that_arrives_before_its_registration_is_mailed_once_it_is_known(
    notify: Notify, mail_sink: MailSink
) -> None:
    starts = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    await notify.publish(envelope(EventScheduled(scheduled_event_id="ev2", title="Foorumi", kind="forum",
                                                 starts_at=starts, place="Iisalmi", capacity=1)))
    await eventually(lambda: notify.runtime.db["scheduled_events"].count_documents({}), until=lambda n: n == 1)
    await notify.publish(envelope(RegistrationPromoted(
        registration_id="r2", scheduled_event_id="ev2", promoted_at=starts - timedelta(days=2),
        cancel_url="http://intake.test/registrations/cancel/promoted",
    )))
    await notify.publish(envelope(RegistrationReceived(
        registration_id="r2", scheduled_event_id="ev2", status="waitlisted", position_on_waitlist=1,
        received_at=starts - timedelta(days=5), participant=Contact(name="Liisa", email="liisa@example.fi"),
        cancel_url="http://intake.test/registrations/cancel/first",
    )))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 2, what="the waiting-list mail and the promotion")
    subjects = sorted(BytesParser(policy=policy.default).parsebytes(m["raw"])["Subject"] for m in mail_sink.messages)
    assert subjects == ["Olette varasijalla: Foorumi", "Paikka vapautui: Foorumi"]
    await stays(lambda: _n(mail_sink), until=lambda n: n == 2, duration=0.5)


async def test_erasure_removes_the_person_and_confirms_once(notify: Notify, mail_sink: MailSink) -> None:
    data = idea_submitted(contact=Contact(name="Eeva", email="eeva@example.fi", phone="+358405556677"))
    await notify.publish(envelope(data))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 1, what="receipt")
    erasure = envelope(
        ErasureRequested(
            request_id="e1",
            requested_at=datetime(2026, 11, 30, tzinfo=UTC),
            email="eeva@example.fi",
            idea_ids=(data.idea_id,),
        )
    )
    await notify.publish(erasure)
    await notify.publish(erasure, message_id=f"{erasure.id}-again")
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 2, what="erasure confirmation")
    await stays(lambda: _n(mail_sink), until=lambda n: n == 2, duration=1.0)
    assert mail_sink.messages[1]["subject"] == "Tietonne on poistettu"
    assert await notify.runtime.db["recipients"].count_documents({}) == 0
    await eventually(lambda: notify.deliveries(address="eeva@example.fi"), until=lambda d: d == [], what="scrubbed")
    # the log keeps that something was sent, not to whom
    assert len(await notify.deliveries(erased=True)) == 2


async def test_delivery_log_api_and_pages_are_for_staff_only(notify: Notify, mail_sink: MailSink) -> None:
    await notify.publish(envelope(idea_submitted(contact=Contact(name="A", email="a@example.fi"))))
    await notify.publish(envelope(idea_submitted(contact=Contact(name="B", email="b@example.fi"))))
    await eventually(lambda: notify.deliveries(status="sent"), until=lambda d: len(d) == 2)
    async with client(notify.runtime) as http:
        assert (await http.get("/api/v1/notifications")).status_code == 401
        assert (await http.get("/staff/notifications")).status_code == 401
        headers = bearer("advisor")
        everything = (await http.get("/api/v1/notifications", headers=headers)).json()["items"]
        assert len(everything) == 2 and {d["status"] for d in everything} == {"sent"}
        only_a = (await http.get("/api/v1/notifications", params={"recipient": "A@example.fi"}, headers=headers)).json()
        assert [d["address"] for d in only_a["items"]] == ["a@example.fi"]
        none = await http.get("/api/v1/notifications", params={"kind": "staff-digest"}, headers=headers)
        assert none.json()["items"] == []
        later = await http.get("/api/v1/notifications", params={"since": "2030-01-01T00:00:00Z"}, headers=headers)
        assert later.json()["items"] == []
        page = await http.get("/staff/notifications", params={"status": "sent"}, headers=headers)
        assert page.status_code == 200 and "a@example.fi" in page.text and "b@example.fi" in page.text
        preview = await http.get("/staff/templates", headers=headers)
        assert preview.status_code == 200
        for kind in ("receipt", "staff-digest", "event-invitation"):
            for lang in ("fi", "sv", "en"):
                assert f'id="{kind}-{lang}"' in preview.text


async def test_events_that_happened_before_an_erasure_but_arrive_after_it_send_nothing_and_keep_nothing(
    notify: Notify, mail_sink: MailSink
) -> None:
    """The consumers run side by side, so an idea, a registration or a subscription sent just before the person's
    erasure can reach notify after it: the erasure tombstone keeps them out (no receipt, no confirmation, nothing
    in the directory), a stage change of the erased idea is nothing to wait for, and what the person does after
    the erasure (a new sign-up) goes through as usual."""
    from koonto.shared.contracts.advisory import StageChanged
    from koonto.shared.contracts.intake import SubscriptionRequested

    erased_at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    before, after = erased_at - timedelta(minutes=1), erased_at + timedelta(days=7)
    forum = EventScheduled(scheduled_event_id="ev9", title="Foorumi", kind="forum",
                           starts_at=erased_at + timedelta(days=20), place="Kuopio", capacity=30)
    await notify.publish(envelope(forum))
    await eventually(lambda: notify.runtime.db["scheduled_events"].count_documents({}), until=lambda n: n == 1)
    data = idea_submitted(submitted_at=before, contact=Contact(name="Eeva", email="eeva@example.fi",
                                                               phone="+358405556677", channel="sms"))
    await notify.publish(envelope(ErasureRequested(request_id="e9", requested_at=erased_at, email="Eeva@Example.fi",
                                                   phone="+358405556677", idea_ids=(data.idea_id,))))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 1, what="erasure confirmation")

    person = Contact(name="Eeva", email="eeva@example.fi", phone="+358405556677")
    await notify.publish(envelope(data))
    await notify.publish(envelope(RegistrationReceived(registration_id="r-before", scheduled_event_id="ev9",
                                                       status="confirmed", received_at=before, participant=person)))
    await notify.publish(envelope(SubscriptionRequested(
        subscription_id="s-before", email="eeva@example.fi", topic="call_announcements", language="fi",
        requested_at=before, source="subscription-form", confirm_url="http://127.0.0.1:8001/tilaa/vahvista/x",
    )))
    await notify.publish(envelope(StageChanged(
        case_id="c9", idea_id=data.idea_id, reference=data.reference, from_stage="idea", to_stage="sparring",
        changed_at=after, changed_by="s1",
    )))
    await stays(lambda: _n(mail_sink), until=lambda n: n == 1, duration=2.0)
    assert await notify.runtime.db["recipients"].count_documents({}) == 0
    assert await notify.runtime.db["dead_letters"].count_documents({}) == 0
    assert "eeva" not in str([d async for d in notify.runtime.db["delivery_queue"].find({})]).lower()

    # a week later she signs up again: a new sign-up, confirmed as anyone's
    await notify.publish(envelope(RegistrationReceived(registration_id="r-after", scheduled_event_id="ev9",
                                                       status="confirmed", received_at=after, participant=person)))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 2, what="the new sign-up's confirmation")
    assert mail_sink.messages[1]["to"] == ["eeva@example.fi"]


async def test_invitations_follow_the_subscribers_municipality_and_its_sub_region(
    notify: Notify, mail_sink: MailSink
) -> None:
    """The subscription form's rule, through real NATS and the store: an event in Siilinjärvi is mailed to the
    subscribers of Siilinjärvi, of Kuopio (the same sub-region) and of no municipality, not to Iisalmi's; the
    online event in Iisalmi reaches all of them."""
    from koonto.notify.store import subscriber_document

    at = datetime(2026, 11, 1, tzinfo=UTC)
    homes = {"kuopio": "kuopio", "siilinjarvi": "siilinjarvi", "iisalmi": "iisalmi", "kaikki": None}
    await notify.runtime.db["recipients"].insert_many([
        subscriber_document(f"{name}@example.fi", language="fi", municipality=home, topic="events", consent=True,
                            at=at, source="subscription-form")
        for name, home in homes.items()
    ])
    starts = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)
    await notify.publish(envelope(EventScheduled(
        scheduled_event_id="ev-siilinjarvi", title="Kylätalon remontti", kind="training", starts_at=starts,
        place="Siilinjärvi, kunnantalo", capacity=30, municipality="siilinjarvi",
    )))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 3, what="the Siilinjärvi invitations")
    await notify.publish(envelope(EventScheduled(
        scheduled_event_id="ev-online", title="Hakemuksen kirjoittaminen", kind="training", starts_at=starts,
        online_url="https://meet.example.fi/koonto", capacity=200, municipality="iisalmi",
    )))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 7, what="the online event's invitations")
    await stays(lambda: _n(mail_sink), until=lambda n: n == 7, duration=1.0)

    def invited(title: str) -> list[str]:
        return sorted(m["to"][0].split("@")[0] for m in mail_sink.messages
                      if title in BytesParser(policy=policy.default).parsebytes(m["raw"])["Subject"])

    assert invited("Kylätalon remontti") == ["kaikki", "kuopio", "siilinjarvi"]
    assert invited("Hakemuksen kirjoittaminen") == ["iisalmi", "kaikki", "kuopio", "siilinjarvi"]


async def test_a_password_link_is_mailed_once_in_the_staff_members_language(
    notify: Notify, mail_sink: MailSink
) -> None:
    from koonto.shared.contracts.advisory import StaffPasswordLinkIssued

    url = "http://127.0.0.1:8002/password/staff-9.c2VjcmV0LXRoYXQtaXMtbG9uZy1lbm91Z2gtMjAyNw"
    link = envelope(StaffPasswordLinkIssued(
        staff_id="staff-9", email="Ville@Koonto.fi", display_name="Neuvoja Ville", language="sv",
        purpose="invitation", url=url, expires_at=datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
    ))
    await notify.publish(link)
    await notify.publish(link)  # a redelivery (the relay published it again after a crash)
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 1, what="the invitation")
    await stays(lambda: _n(mail_sink), until=lambda n: n == 1, duration=1.5)
    message = BytesParser(policy=policy.default).parsebytes(mail_sink.messages[0]["raw"])
    assert mail_sink.messages[0]["to"] == ["ville@koonto.fi"]
    assert message["Subject"] == "Inbjudan till Koontos arbetsyta för personalen"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert url in text and "7.12.2026" in text and "Hej Neuvoja Ville" in text


async def test_the_day_before_the_event_the_seat_holders_get_one_reminder_across_two_replicas(
    notify: Notify, notify_factory, mail_sink: MailSink  # type: ignore[no-untyped-def]
) -> None:
    starts = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    await notify.publish(envelope(EventScheduled(scheduled_event_id="ev5", title="Työpaja", kind="workshop",
                                                 starts_at=starts, place="Varkaus", capacity=1,
                                                 what_to_bring="Oma kannettava")))
    await eventually(lambda: notify.runtime.db["scheduled_events"].count_documents({}), until=lambda n: n == 1)
    for n, status in enumerate(["confirmed", "waitlisted"]):
        await notify.publish(envelope(RegistrationReceived(
            registration_id=f"rr{n}", scheduled_event_id="ev5", status=status,  # type: ignore[arg-type]
            position_on_waitlist=None if n == 0 else 1, received_at=starts - timedelta(days=5),
            participant=Contact(name=f"Henkilö {n}", email=f"h{n}@example.fi", language="sv" if n == 0 else "fi"),
            cancel_url=f"http://intake.test/registrations/cancel/rr{n}",
        )))
    await eventually(lambda: _n(mail_sink), until=lambda n: n == 2, what="the two registration mails")
    second = notify_factory(clock=notify.clock)
    async with running(second):
        notify.clock.set(starts - timedelta(hours=20))
        await eventually(lambda: _n(mail_sink), until=lambda n: n == 3, what="one reminder")
        await stays(lambda: _n(mail_sink), until=lambda n: n == 3, duration=1.0)
    reminder = mail_sink.messages[2]
    assert reminder["to"] == ["h0@example.fi"] and reminder["subject"].startswith("Påminnelse: Työpaja")
    body = reminder["parsed"].get_body(("plain",)).get_content()
    assert "Ta med: Oma kannettava" in body and "http://intake.test/registrations/cancel/rr0" in body
