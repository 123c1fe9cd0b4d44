"""The daily digest: nothing before 08:00 Helsinki; at 08:00 one message to each staff member with something
to read (the cases opened and their own follow-ups of the last day), once a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from koonto.shared.clock import HELSINKI
from tests.notify.unit.conftest import Notify

MORNING = datetime(2026, 12, 1, 8, 5, tzinfo=HELSINKI)


async def test_the_digest_goes_once_at_eight_to_whom_it_concerns(notify: Notify) -> None:
    await notify.add_staff("anna", "anna@koonto.fi")
    await notify.add_staff("ben", "ben@koonto.fi")
    await notify.add_staff("cid", "cid@koonto.fi", active=False)
    records = notify.container.store.records
    yesterday = MORNING - timedelta(hours=12)
    await records.keep_case("c1", {"reference": "KOO-1", "title": "Kylätalo", "opened_at": yesterday})
    await records.keep_case("c0", {"reference": "KOO-0", "title": "Vanha", "opened_at": yesterday - timedelta(days=2)})
    await records.keep_followup(
        "f1", {"reference": "KOO-1", "due_on": "2026-12-01", "recipient_staff_ids": ["anna"], "received_at": yesterday}
    )

    notify.clock.set(MORNING.replace(hour=7, minute=59))
    assert await notify.container.digest.if_due() == 0
    notify.clock.set(MORNING)
    assert await notify.container.digest.if_due() == 2
    queued = {d["address"]: d for d in await notify.queue()}
    assert sorted(queued) == ["anna@koonto.fi", "ben@koonto.fi"]
    assert [c["reference"] for c in queued["ben@koonto.fi"]["context"]["cases"]] == ["KOO-1"]
    assert [f["reference"] for f in queued["anna@koonto.fi"]["context"]["followups"]] == ["KOO-1"]
    assert queued["ben@koonto.fi"]["context"]["followups"] == []
    assert await notify.container.digest.if_due() == 0  # the day is done


async def test_no_digest_when_there_is_nothing_to_tell(notify: Notify) -> None:
    await notify.add_staff("anna", "anna@koonto.fi")
    notify.clock.set(MORNING)
    assert await notify.container.digest.if_due() == 0
    assert await notify.queue() == []


async def test_a_case_from_outside_the_region_list_is_in_the_digest_as_other_municipality_never_the_code(
    notify: Notify,
) -> None:
    from koonto.notify.handlers.staff import on_case_opened
    from koonto.shared.bus import EventContext
    from koonto.shared.contracts.advisory import CaseOpened, CaseOrganisation
    from tests.support.samples import envelope

    yesterday = MORNING - timedelta(hours=12)
    for n, code in enumerate(("other", "tervo")):
        opened = CaseOpened(
            case_id=f"c{n}", idea_id=f"i{n}", reference=f"KOO-{n}", opened_at=yesterday, idea_submitted_at=yesterday,
            title="Kylätalo", organisation=CaseOrganisation(name="Kylä ry", type="registered_association",
                                                            municipality=code),
        )
        context = EventContext(envelope=envelope(opened), attempt=1, region="pohjois-savo", service="notify")
        await on_case_opened(opened, context, notify.container)
    await notify.add_staff("anna", "anna@koonto.fi")
    await notify.add_staff("olle", "olle@koonto.fi", language="sv")
    notify.clock.set(MORNING)
    assert await notify.container.digest.if_due() == 2
    from tests.notify.unit.test_mails import mails, parts

    seen = {str(m["To"]).split("<")[-1].rstrip(">"): "".join(parts(m)) for m in await mails(notify)}
    seen = {"fi": seen["anna@koonto.fi"], "sv": seen["olle@koonto.fi"]}
    assert "Kylä ry, Muu kunta" in seen["fi"] and "Kylä ry, Tervo" in seen["fi"]
    assert "Kylä ry, Annan kommun" in seen["sv"]
    assert not any("other" in text for text in seen.values())
